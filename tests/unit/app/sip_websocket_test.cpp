// /sip over a real HttpServer and a real WebSocket client: the subprotocol rule, and SIP
// messages both ways through AsioSipTransport.
#include "app/sip_websocket.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "api/http_server.hpp"
#include "api/metrics.hpp"
#include "support/http_client.hpp"

namespace sb::app {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;

class Recorder : public sip::SipTransportListener {
 public:
  void onSipMessage(std::string_view bytes, const sip::Flow& from) override {
    std::lock_guard lock(mutex_);
    messages_.emplace_back(std::string(bytes), from);
  }
  void onConnectionClosed(sip::ConnectionId id) override {
    std::lock_guard lock(mutex_);
    closed_.push_back(id);
  }
  void onBadInput(const sip::Flow&, sip::ParseErrorKind, std::string_view) override {}

  std::vector<std::pair<std::string, sip::Flow>> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  std::vector<sip::ConnectionId> closed() {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<std::string, sip::Flow>> messages_;
  std::vector<sip::ConnectionId> closed_;
};

template <typename F>
bool eventually(F done, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

class SipWebSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    addSipWebSocketRoute(router_, transport_);
    server_ = std::make_unique<api::HttpServer>(io_, router_, metrics_, api::HttpServerOptions{});
    auto bound = server_->listen("127.0.0.1", 0);
    ASSERT_TRUE(bound.ok());
    port_ = bound->port();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    server_->stop();
    transport_.stop();
    io_.stop();
    thread_.join();
  }

  net::io_context io_;
  Recorder rec_;
  sip::AsioSipTransport transport_{io_.get_executor(), rec_};
  api::Metrics metrics_;
  api::Router router_;
  std::unique_ptr<api::HttpServer> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST(SipSubprotocol, IsFoundInTheOfferedList) {
  EXPECT_TRUE(offersSipSubprotocol("sip"));
  EXPECT_TRUE(offersSipSubprotocol("chat, sip"));
  EXPECT_TRUE(offersSipSubprotocol(" sip ,x"));
  EXPECT_FALSE(offersSipSubprotocol(""));
  EXPECT_FALSE(offersSipSubprotocol("sips"));
  EXPECT_FALSE(offersSipSubprotocol("chat"));
}

TEST_F(SipWebSocketTest, UpgradeWithoutTheSipSubprotocolIsRefused) {
  testing::WsClient ws;
  EXPECT_FALSE(ws.connect("127.0.0.1", port_, "/sip"));
  EXPECT_EQ(ws.handshakeResponse().status, 400u);
}

TEST_F(SipWebSocketTest, CarriesSipBothWaysAndReportsTheClose) {
  testing::WsClient ws;
  ASSERT_TRUE(ws.connect("127.0.0.1", port_, "/sip", {{"Sec-WebSocket-Protocol", "sip"}}))
      << ws.handshakeResponse().error;
  EXPECT_EQ(ws.handshakeResponse().header("sec-websocket-protocol"), "sip");
  const std::string request =
      "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK1\r\n"
      "To: <sip:a@x>\r\nFrom: <sip:b@x>;tag=1\r\nCall-ID: ws1\r\nCSeq: 1 OPTIONS\r\n"
      "Content-Length: 0\r\n\r\n";
  ASSERT_TRUE(ws.send(request));
  ASSERT_TRUE(eventually([&] { return rec_.messages().size() == 1; }));
  const auto [bytes, flow] = rec_.messages()[0];
  EXPECT_EQ(bytes, request);
  EXPECT_EQ(flow.transport, sip::TransportKind::kWs);
  EXPECT_EQ(flow.remote.ip, "127.0.0.1");
  EXPECT_EQ(flow.local.port, port_);

  std::promise<bool> sent;
  net::post(transport_.executor(), [&, flow = flow] {
    sent.set_value(transport_.send(flow, "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
  });
  EXPECT_TRUE(sent.get_future().get());
  EXPECT_EQ(ws.receive(5s), "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(transport_.counts().ws_connections, 1u);

  EXPECT_TRUE(ws.close());
  ASSERT_TRUE(eventually([&] { return rec_.closed().size() == 1; }));
  EXPECT_EQ(rec_.closed()[0], flow.connection);
  EXPECT_TRUE(eventually([&] { return transport_.counts().ws_connections == 0; }));
}

TEST_F(SipWebSocketTest, TheTransportClosingEndsTheSocket) {
  testing::WsClient ws;
  ASSERT_TRUE(ws.connect("127.0.0.1", port_, "/sip", {{"Sec-WebSocket-Protocol", "sip"}}));
  ASSERT_TRUE(ws.send("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_TRUE(eventually([&] { return rec_.messages().size() == 1; }));
  const sip::ConnectionId id = rec_.messages()[0].second.connection;
  net::post(transport_.executor(), [&, id] { transport_.closeConnection(id); });
  EXPECT_EQ(ws.receive(5s), std::nullopt);
  EXPECT_TRUE(ws.closed());
  ASSERT_TRUE(eventually([&] { return rec_.closed().size() == 1; }));
}

}  // namespace
}  // namespace sb::app
