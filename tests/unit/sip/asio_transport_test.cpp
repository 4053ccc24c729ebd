// AsioSipTransport on real loopback sockets (port 0). The io_context is driven by the
// test thread in short slices until a condition holds, so nothing sleeps for a fixed
// time; with one thread and no run() in progress, calling send() from the test is the
// same as calling it on the transport's strand.
#include "sip/asio_transport.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <thread>

namespace sb::sip {
namespace {

namespace net = boost::asio;
using net::ip::tcp;
using net::ip::udp;
using namespace std::chrono_literals;

std::string request(std::string_view call_id, std::string_view body = "") {
  std::string m =
      "OPTIONS sip:agent@127.0.0.1 SIP/2.0\r\n"
      "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-";
  m += call_id;
  m += "\r\nTo: <sip:agent@example.com>\r\nFrom: <sip:caller@example.com>;tag=1\r\nCall-ID: ";
  m += call_id;
  m += "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: " + std::to_string(body.size()) +
       "\r\n\r\n";
  m += body;
  return m;
}

struct Received {
  std::string bytes;
  Flow flow;
};

class Recorder : public SipTransportListener {
 public:
  void onSipMessage(std::string_view bytes, const Flow& from) override {
    checkStrand();
    messages.push_back({std::string(bytes), from});
    if (on_message) on_message(bytes, from);
  }
  void onConnectionClosed(ConnectionId id) override {
    checkStrand();
    closed.push_back(id);
  }
  void onBadInput(const Flow& from, ParseErrorKind kind, std::string_view) override {
    checkStrand();
    bad.emplace_back(from, kind);
  }
  void checkStrand() {
    if (strand && !strand->running_in_this_thread()) ++off_strand;
  }
  size_t closedCount(ConnectionId id) const { return std::count(closed.begin(), closed.end(), id); }

  const AsioSipTransport::Executor* strand = nullptr;
  int off_strand = 0;
  std::vector<Received> messages;
  std::vector<ConnectionId> closed;
  std::vector<std::pair<Flow, ParseErrorKind>> bad;
  std::function<void(std::string_view, const Flow&)> on_message;
};

class FakeChannel : public SipStreamChannel {
 public:
  void sendText(std::string text) override { sent.push_back(std::move(text)); }
  void close() override { ++closes; }
  std::vector<std::string> sent;
  int closes = 0;
};

bool canBindV6Loopback() {
  net::io_context io;
  udp::socket s(io);
  boost::system::error_code ec;
  s.open(udp::v6(), ec);
  if (ec) return false;
  s.bind(udp::endpoint(net::ip::make_address("::1"), 0), ec);
  return !ec;
}

class AsioSipTransportTest : public ::testing::Test {
 protected:
  void make(SipTransportOptions options = {}) {
    transport = std::make_unique<AsioSipTransport>(io.get_executor(), rec, options);
    rec.strand = &transport->executor();
  }

  uint16_t listen(const char* host = "127.0.0.1", uint16_t port = 0) {
    auto bound = transport->listen(host, port);
    EXPECT_TRUE(bound.ok()) << (bound.ok() ? "" : bound.error().message);
    return bound.ok() ? *bound : 0;
  }

  bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      if (io.stopped()) io.restart();
      io.run_one_for(5ms);
    }
    return done();
  }

  // A blocking-connect TCP client that reads without blocking.
  tcp::socket connect(uint16_t port, const char* host = "127.0.0.1") {
    tcp::socket s(io);
    s.connect(tcp::endpoint(net::ip::make_address(host), port));
    s.non_blocking(true);
    return s;
  }

  // Appends what is readable now; true once the peer closed.
  static bool drain(tcp::socket& s, std::string& into) {
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      const size_t n = s.read_some(net::buffer(buf), ec);
      if (ec == net::error::would_block) return false;
      if (ec) return true;
      into.append(buf, n);
    }
  }

  bool waitForBytes(tcp::socket& s, std::string& into, size_t size) {
    return waitUntil([&] {
      drain(s, into);
      return into.size() >= size;
    });
  }

  bool waitForClose(tcp::socket& s) {
    std::string ignored;
    return waitUntil([&] { return drain(s, ignored); });
  }

  static void write(tcp::socket& s, std::string_view bytes) {
    s.non_blocking(false);
    net::write(s, net::buffer(bytes.data(), bytes.size()));
    s.non_blocking(true);
  }

  net::io_context io;
  Recorder rec;
  std::unique_ptr<AsioSipTransport> transport;
};

// --- UDP ---

void udpRoundTrip(net::io_context& io, Recorder& rec, AsioSipTransport& transport, const char* host,
                  uint16_t port) {
  const auto address = net::ip::make_address(host);
  udp::socket client(io, udp::endpoint(address, 0));
  client.non_blocking(true);
  const std::string msg = request("udp-1");
  client.send_to(net::buffer(msg), udp::endpoint(address, port));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (rec.messages.empty() && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(5ms);
  }
  ASSERT_EQ(rec.messages.size(), 1u);
  const Flow& flow = rec.messages[0].flow;
  EXPECT_EQ(rec.messages[0].bytes, msg);
  EXPECT_EQ(flow.transport, TransportKind::kUdp);
  EXPECT_EQ(flow.connection, 0u);
  EXPECT_EQ(flow.remote, (NetAddress{host, client.local_endpoint().port()}));
  EXPECT_EQ(flow.local, (NetAddress{host, port}));

  ASSERT_TRUE(transport.send(flow, "SIP/2.0 200 OK\r\n\r\n"));
  char buf[256];
  udp::endpoint from;
  size_t n = 0;
  boost::system::error_code ec = net::error::would_block;
  while (ec == net::error::would_block && std::chrono::steady_clock::now() < deadline) {
    n = client.receive_from(net::buffer(buf), from, 0, ec);
  }
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(std::string_view(buf, n), "SIP/2.0 200 OK\r\n\r\n");
  EXPECT_EQ(from.port(), port);  // answered from the socket it arrived on
}

TEST_F(AsioSipTransportTest, UdpInAndOutIpv4) {
  make();
  const uint16_t port = listen();
  udpRoundTrip(io, rec, *transport, "127.0.0.1", port);
  EXPECT_EQ(transport->counts().datagrams_in, 1u);
  EXPECT_EQ(transport->counts().datagrams_out, 1u);
  EXPECT_EQ(rec.off_strand, 0);
}

TEST_F(AsioSipTransportTest, UdpInAndOutIpv6) {
  if (!canBindV6Loopback()) GTEST_SKIP() << "::1 cannot be bound here";
  make();
  listen("127.0.0.1");  // a v4 socket first: the v6 send must not pick it
  const uint16_t port = listen("::1");
  udpRoundTrip(io, rec, *transport, "::1", port);
}

TEST_F(AsioSipTransportTest, UdpKeepAlivesAndBinaryDatagramsNeverReachTheListener) {
  make();
  const uint16_t port = listen();
  udp::socket client(io, udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  const udp::endpoint server(net::ip::make_address("127.0.0.1"), port);
  client.send_to(net::buffer(std::string_view("\r\n\r\n")), server);
  client.send_to(net::buffer(std::string_view("\r\n")), server);
  const char stun[] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, static_cast<char>(0xa4), 0x42};
  client.send_to(net::buffer(stun, sizeof stun), server);
  client.send_to(net::buffer(std::string_view("\xff\xfe junk")), server);
  client.send_to(net::buffer(request("after")), server);
  ASSERT_TRUE(waitUntil([&] { return rec.messages.size() == 1; }));
  EXPECT_EQ(rec.messages[0].bytes, request("after"));
  const auto counts = transport->counts();
  EXPECT_EQ(counts.keepalives_in, 2u);
  EXPECT_EQ(counts.non_sip_datagrams, 2u);
  // Nothing was answered over UDP.
  client.non_blocking(true);
  char buf[16];
  udp::endpoint from;
  boost::system::error_code ec;
  client.receive_from(net::buffer(buf), from, 0, ec);
  EXPECT_EQ(ec, net::error::would_block);
}

TEST_F(AsioSipTransportTest, UdpAndTcpShareThePortAndBothFamiliesBind) {
  make();
  const uint16_t port = listen("127.0.0.1");
  tcp::socket c = connect(port);
  c.non_blocking(false);
  write(c, request("same-port"));
  ASSERT_TRUE(waitUntil([&] { return rec.messages.size() == 1; }));
  EXPECT_EQ(rec.messages[0].flow.transport, TransportKind::kTcp);
  EXPECT_EQ(rec.messages[0].flow.local, (NetAddress{"127.0.0.1", port}));
  if (canBindV6Loopback()) {
    EXPECT_EQ(listen("::1", port), port);  // v6_only: no clash with the v4 socket
  }
  EXPECT_FALSE(transport->listen("not-an-ip", 0).ok());
  EXPECT_FALSE(transport->listen("127.0.0.1", port).ok());  // taken by ourselves
  const auto counts = transport->counts();
  EXPECT_EQ(counts.udp_sockets, counts.tcp_listeners);
}

TEST_F(AsioSipTransportTest, OversizedSendIsRefused) {
  SipTransportOptions options;
  options.limits.max_message_bytes = 1000;
  make(options);
  listen();
  Flow flow{TransportKind::kUdp, {"127.0.0.1", 9}, {}, 0};
  EXPECT_FALSE(transport->send(flow, std::string(1001, 'x')));
  flow.transport = TransportKind::kTcp;
  EXPECT_FALSE(transport->send(flow, std::string(1001, 'x')));
  EXPECT_EQ(transport->counts().tcp_connections, 0u);
}

// --- TCP ---

TEST_F(AsioSipTransportTest, TcpFramesTwoMessagesFromOneWrite) {
  make();
  const uint16_t port = listen();
  tcp::socket c = connect(port);
  const std::string a = request("a", "v=0\r\n");
  const std::string b = request("b");
  write(c, a + b);
  ASSERT_TRUE(waitUntil([&] { return rec.messages.size() == 2; }));
  EXPECT_EQ(rec.messages[0].bytes, a);
  EXPECT_EQ(rec.messages[1].bytes, b);
  const Flow& flow = rec.messages[0].flow;
  EXPECT_EQ(flow.transport, TransportKind::kTcp);
  EXPECT_NE(flow.connection, 0u);
  EXPECT_EQ(rec.messages[1].flow, flow);
  EXPECT_EQ(flow.remote, (NetAddress{"127.0.0.1", c.local_endpoint().port()}));
  EXPECT_EQ(transport->counts().tcp_connections, 1u);
}

TEST_F(AsioSipTransportTest, TcpFramesOneMessageFromManyWrites) {
  make();
  const uint16_t port = listen();
  tcp::socket c = connect(port);
  const std::string a = request("slow", "hello");
  for (char ch : a) {
    write(c, std::string_view(&ch, 1));
    io.poll();
    if (io.stopped()) io.restart();
  }
  ASSERT_TRUE(waitUntil([&] { return rec.messages.size() == 1; }));
  EXPECT_EQ(rec.messages[0].bytes, a);
}

TEST_F(AsioSipTransportTest, TcpDoubleCrlfPingGetsACrlfPong) {
  make();
  const uint16_t port = listen();
  tcp::socket c = connect(port);
  write(c, "\r\n");  // a single CRLF is ignored
  write(c, request("x"));
  ASSERT_TRUE(waitUntil([&] { return rec.messages.size() == 1; }));
  std::string got;
  drain(c, got);
  EXPECT_EQ(got, "");
  write(c, "\r\n\r\n");
  ASSERT_TRUE(waitForBytes(c, got, 2));
  EXPECT_EQ(got, "\r\n");
  EXPECT_EQ(transport->counts().keepalives_in, 2u);
}

TEST_F(AsioSipTransportTest, TcpFramingErrorReportsBadInputAndCloses) {
  make();
  const uint16_t port = listen();
  tcp::socket c = connect(port);
  write(c, "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n");
  ASSERT_TRUE(waitUntil([&] { return rec.closed.size() == 1; }));
  ASSERT_EQ(rec.bad.size(), 1u);
  EXPECT_EQ(rec.bad[0].second, ParseErrorKind::kBadContentLength);
  EXPECT_EQ(rec.bad[0].first.connection, rec.closed[0]);
  EXPECT_TRUE(waitForClose(c));
  EXPECT_EQ(transport->counts().bad_input, 1u);
  EXPECT_EQ(transport->counts().tcp_connections, 0u);
}

TEST_F(AsioSipTransportTest, TcpResponseGoesBackOnTheSameConnection) {
  make();
  const uint16_t port = listen();
  tcp::socket c = connect(port);
  write(c, request("r"));
  ASSERT_TRUE(waitUntil([&] { return rec.messages.size() == 1; }));
  Flow flow = rec.messages[0].flow;
  ASSERT_TRUE(transport->send(flow, "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
  std::string got;
  ASSERT_TRUE(waitForBytes(c, got, 37));
  EXPECT_EQ(got, "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  // Without the connection id, the open connection to that address is reused (§18).
  const ConnectionId id = flow.connection;
  flow.connection = 0;
  ASSERT_TRUE(transport->send(flow, "X"));
  ASSERT_TRUE(waitForBytes(c, got, 38));
  EXPECT_EQ(got.back(), 'X');
  EXPECT_EQ(transport->connectTcp(flow.remote), id);
  EXPECT_EQ(transport->counts().tcp_connections, 1u);
}

TEST_F(AsioSipTransportTest, TcpOutboundConnectsQueuesAndIsReused) {
  make();
  listen();
  tcp::acceptor server(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  server.non_blocking(true);
  const NetAddress remote{"127.0.0.1", server.local_endpoint().port()};
  ASSERT_TRUE(transport->send(Flow{TransportKind::kTcp, remote, {}, 0}, request("out-1")));
  ASSERT_TRUE(transport->send(Flow{TransportKind::kTcp, remote, {}, 0}, request("out-2")));
  EXPECT_EQ(transport->counts().tcp_connections, 1u);
  tcp::socket peer(io);
  ASSERT_TRUE(waitUntil([&] {
    boost::system::error_code ec;
    server.accept(peer, ec);
    return !ec;
  }));
  peer.non_blocking(true);
  std::string got;
  const std::string both = request("out-1") + request("out-2");
  ASSERT_TRUE(waitForBytes(peer, got, both.size()));
  EXPECT_EQ(got, both);
  // The peer answers on that connection; the message names it.
  write(peer, "SIP/2.0 200 OK\r\nVia: x\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(waitUntil([&] { return rec.messages.size() == 1; }));
  const Flow& flow = rec.messages[0].flow;
  EXPECT_EQ(flow.transport, TransportKind::kTcp);
  EXPECT_EQ(flow.remote, remote);
  EXPECT_NE(flow.local.port, 0);
  EXPECT_EQ(transport->connectTcp(remote), flow.connection);
  // No second connection was opened.
  boost::system::error_code ec;
  tcp::socket second(io);
  server.accept(second, ec);
  EXPECT_EQ(ec, net::error::would_block);
  // The peer leaves: reported once.
  peer.close();
  ASSERT_TRUE(waitUntil([&] { return rec.closed.size() == 1; }));
  EXPECT_EQ(rec.closed[0], flow.connection);
  (void)transport->send(flow, "late");  // reconnects or fails; must not crash
}

TEST_F(AsioSipTransportTest, TcpConnectFailureReportsTheConnectionClosed) {
  make();
  listen();
  uint16_t dead_port = 0;
  {
    tcp::acceptor a(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    dead_port = a.local_endpoint().port();
  }
  const NetAddress remote{"127.0.0.1", dead_port};
  const ConnectionId id = transport->connectTcp(remote);
  ASSERT_NE(id, 0u);
  EXPECT_TRUE(transport->send(Flow{TransportKind::kTcp, remote, {}, id}, request("nobody")));
  ASSERT_TRUE(waitUntil([&] { return rec.closed.size() == 1; }));
  EXPECT_EQ(rec.closed[0], id);
  EXPECT_EQ(transport->counts().tcp_connections, 0u);
  EXPECT_EQ(transport->connectTcp(NetAddress{"bogus", 5060}), 0u);
}

TEST_F(AsioSipTransportTest, TcpConnectionLimitsCloseExtraConnectionsAtOnce) {
  SipTransportOptions options;
  options.max_connections_per_ip = 2;
  make(options);
  const uint16_t port = listen();
  tcp::socket a = connect(port);
  tcp::socket b = connect(port);
  ASSERT_TRUE(waitUntil([&] { return transport->counts().tcp_connections == 2; }));
  tcp::socket c = connect(port);
  EXPECT_TRUE(waitForClose(c));
  EXPECT_EQ(transport->counts().refused_connections, 1u);
  EXPECT_TRUE(rec.closed.empty());  // never had an id
  write(a, request("a"));
  write(b, request("b"));
  ASSERT_TRUE(waitUntil([&] { return rec.messages.size() == 2; }));
  EXPECT_NE(rec.messages[0].flow.connection, rec.messages[1].flow.connection);
}

TEST_F(AsioSipTransportTest, TcpTotalConnectionLimit) {
  SipTransportOptions options;
  options.max_connections = 1;
  make(options);
  const uint16_t port = listen();
  tcp::socket a = connect(port);
  ASSERT_TRUE(waitUntil([&] { return transport->counts().tcp_connections == 1; }));
  tcp::socket b = connect(port);
  EXPECT_TRUE(waitForClose(b));
  EXPECT_EQ(transport->connectTcp(NetAddress{"127.0.0.1", 9}), 0u);  // outbound counts too
  auto ch = std::make_shared<FakeChannel>();
  EXPECT_EQ(transport->attachChannel(ch, {"127.0.0.1", 1}, {"127.0.0.1", 2}), 0u);
  EXPECT_EQ(transport->counts().refused_connections, 3u);
}

TEST_F(AsioSipTransportTest, TcpHelloTimeoutClosesSilentConnections) {
  SipTransportOptions options;
  options.hello_timeout = 200ms;
  make(options);
  const uint16_t port = listen();
  tcp::socket silent = connect(port);
  tcp::socket talker = connect(port);
  write(talker, request("hello"));
  ASSERT_TRUE(waitUntil([&] { return rec.messages.size() == 1; }));
  write(silent, "\r\n\r\n");  // keep-alives are not a message
  ASSERT_TRUE(waitUntil([&] { return rec.closed.size() == 1; }));
  EXPECT_TRUE(waitForClose(silent));
  EXPECT_EQ(transport->counts().timeouts, 1u);
  EXPECT_EQ(transport->counts().tcp_connections, 1u);  // the talker stays
  EXPECT_EQ(rec.closed[0] + 1, rec.messages[0].flow.connection);
}

TEST_F(AsioSipTransportTest, TcpIdleTimeoutClosesAfterTheLastByte) {
  SipTransportOptions options;
  options.idle_timeout = 300ms;
  make(options);
  const uint16_t port = listen();
  tcp::socket c = connect(port);
  write(c, request("idle"));
  ASSERT_TRUE(waitUntil([&] { return rec.closed.size() == 1; }));
  EXPECT_TRUE(waitForClose(c));
  EXPECT_EQ(transport->counts().timeouts, 1u);
}

TEST_F(AsioSipTransportTest, TcpWriteQueueIsBoundedForSlowReaders) {
  SipTransportOptions options;
  options.max_write_queue_bytes = 64 * 1024;
  make(options);
  const uint16_t port = listen();
  tcp::socket c(io);
  c.open(tcp::v4());
  c.set_option(net::socket_base::receive_buffer_size(4096));
  c.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  write(c, request("slow-reader"));
  ASSERT_TRUE(waitUntil([&] { return rec.messages.size() == 1; }));
  const Flow flow = rec.messages[0].flow;
  const std::string big(32 * 1024, 'x');
  bool refused = false;
  for (int i = 0; i < 4000 && !refused; ++i) {
    refused = !transport->send(flow, big);
    io.poll();
    if (io.stopped()) io.restart();
  }
  EXPECT_TRUE(refused);
  EXPECT_EQ(rec.closed.size(), 1u);
  EXPECT_GE(transport->counts().dropped, 1u);
  EXPECT_EQ(transport->counts().tcp_connections, 0u);
}

// --- WebSocket channels ---

TEST_F(AsioSipTransportTest, WebSocketChannelCarriesOneMessagePerFrame) {
  SipTransportOptions options;
  options.limits.max_message_bytes = 4096;
  make(options);
  auto ch = std::make_shared<FakeChannel>();
  const NetAddress remote{"192.0.2.7", 40000};
  const NetAddress local{"127.0.0.1", 8080};
  const ConnectionId id = transport->attachChannel(ch, remote, local);
  ASSERT_NE(id, 0u);
  transport->onChannelMessage(id, request("ws"));
  transport->onChannelMessage(id, "\r\n\r\n");  // keep-alive: not a message
  ASSERT_TRUE(waitUntil([&] { return rec.messages.size() == 1; }));
  EXPECT_TRUE(waitUntil([&] { return transport->counts().keepalives_in == 1; }));
  const Flow& flow = rec.messages[0].flow;
  EXPECT_EQ(flow, (Flow{TransportKind::kWs, remote, local, id}));
  EXPECT_EQ(transport->counts().ws_connections, 1u);

  ASSERT_TRUE(transport->send(flow, "SIP/2.0 200 OK\r\n\r\n"));
  ASSERT_EQ(ch->sent.size(), 1u);
  EXPECT_EQ(ch->sent[0], "SIP/2.0 200 OK\r\n\r\n");
  EXPECT_FALSE(transport->send(Flow{TransportKind::kWs, remote, local, id + 100}, "x"));

  transport->onChannelMessage(id, std::string(4097, 'x'));
  ASSERT_TRUE(waitUntil([&] { return rec.closed.size() == 1; }));
  ASSERT_EQ(rec.bad.size(), 1u);
  EXPECT_EQ(rec.bad[0].second, ParseErrorKind::kMessageTooLarge);
  EXPECT_EQ(ch->closes, 1);
  EXPECT_FALSE(transport->send(flow, "after close"));
  // The owner reports the end later: already reported, not again.
  transport->onChannelClosed(id);
  io.poll();
  EXPECT_EQ(rec.closedCount(id), 1u);
  EXPECT_EQ(transport->counts().ws_connections, 0u);
}

TEST_F(AsioSipTransportTest, WebSocketClosedByItsOwnerIsReportedOnce) {
  make();
  auto ch = std::make_shared<FakeChannel>();
  const ConnectionId id = transport->attachChannel(ch, {"127.0.0.1", 1}, {"127.0.0.1", 2});
  transport->onChannelClosed(id);
  transport->onChannelClosed(id);
  transport->onChannelMessage(id, request("late"));
  ASSERT_TRUE(waitUntil([&] { return rec.closed.size() == 1; }));
  io.poll();
  EXPECT_EQ(rec.closedCount(id), 1u);
  EXPECT_TRUE(rec.messages.empty());
  EXPECT_EQ(ch->closes, 0);
}

TEST_F(AsioSipTransportTest, WebSocketHelloTimeout) {
  SipTransportOptions options;
  options.hello_timeout = 100ms;
  make(options);
  auto ch = std::make_shared<FakeChannel>();
  const ConnectionId id = transport->attachChannel(ch, {"127.0.0.1", 1}, {"127.0.0.1", 2});
  ASSERT_TRUE(waitUntil([&] { return rec.closed.size() == 1; }));
  EXPECT_EQ(rec.closed[0], id);
  EXPECT_EQ(ch->closes, 1);
}

// --- lifecycle and threading ---

TEST_F(AsioSipTransportTest, StopClosesEverythingOnce) {
  make();
  const uint16_t port = listen();
  tcp::socket c = connect(port);
  write(c, request("s"));
  ASSERT_TRUE(waitUntil([&] { return rec.messages.size() == 1; }));
  auto ch = std::make_shared<FakeChannel>();
  const ConnectionId ws = transport->attachChannel(ch, {"127.0.0.1", 1}, {"127.0.0.1", 2});
  io.poll();
  transport->stop();
  ASSERT_TRUE(waitUntil([&] { return rec.closed.size() == 2; }));
  EXPECT_EQ(rec.closedCount(ws), 1u);
  EXPECT_EQ(rec.closedCount(rec.messages[0].flow.connection), 1u);
  EXPECT_TRUE(waitForClose(c));
  EXPECT_EQ(ch->closes, 1);
  EXPECT_FALSE(transport->send(rec.messages[0].flow, "x"));
  const auto counts = transport->counts();
  EXPECT_EQ(counts.tcp_connections + counts.ws_connections + counts.udp_sockets, 0u);
  transport->stop();  // twice is fine
  io.poll();
  EXPECT_EQ(rec.closed.size(), 2u);
}

// The contract the SIP layer relies on: with several threads running the io_context,
// every callback still runs on the transport's strand.
TEST_F(AsioSipTransportTest, CallbacksRunOnTheStrandWithSeveralThreads) {
  class Counter : public SipTransportListener {
   public:
    explicit Counter(AsioSipTransport** t) : t_(t) {}
    void onSipMessage(std::string_view, const Flow& from) override {
      if (!(*t_)->executor().running_in_this_thread()) ++off_strand;
      ++messages;
      (*t_)->send(from, "SIP/2.0 200 OK\r\n\r\n");  // legal: we are on the strand
    }
    void onConnectionClosed(ConnectionId) override {}
    void onBadInput(const Flow&, ParseErrorKind, std::string_view) override {}
    std::atomic<int> messages{0};
    std::atomic<int> off_strand{0};

   private:
    AsioSipTransport** t_;
  };
  AsioSipTransport* raw = nullptr;
  Counter counter(&raw);
  AsioSipTransport t(io.get_executor(), counter);
  raw = &t;
  auto port = t.listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  auto guard = net::make_work_guard(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) threads.emplace_back([this] { io.run(); });
  net::io_context client_io;
  udp::socket client(client_io, udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  for (int i = 0; i < 50; ++i) {
    client.send_to(net::buffer(request("mt-" + std::to_string(i))),
                   udp::endpoint(net::ip::make_address("127.0.0.1"), *port));
  }
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (counter.messages < 50 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(counter.messages, 50);
  EXPECT_EQ(counter.off_strand, 0);
  std::atomic<bool> stopped{false};
  net::post(t.executor(), [&] {
    t.stop();
    stopped = true;
  });
  while (!stopped) std::this_thread::yield();
  guard.reset();
  io.stop();
  for (auto& th : threads) th.join();
}

}  // namespace
}  // namespace sb::sip
