#pragma once
// Private to asio_transport*.cpp: the state behind AsioSipTransport. Every member is
// touched on the transport's strand only, except the atomics (counts, stop flag, the
// id counter and the open-connection count, which attachChannel reads from any thread).
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sip/asio_transport.hpp"

namespace sb::sip {
namespace detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using udp = net::ip::udp;
using SteadyClock = std::chrono::steady_clock;

// The largest UDP payload is 65,527 bytes (IPv6), so nothing is ever truncated.
inline constexpr size_t kUdpBufferBytes = 64 * 1024;
inline constexpr size_t kTcpReadBytes = 16 * 1024;

struct AtomicCounts {
  std::atomic<uint64_t> udp_sockets{0};
  std::atomic<uint64_t> tcp_listeners{0};
  std::atomic<uint64_t> tcp_connections{0};
  std::atomic<uint64_t> ws_connections{0};
  std::atomic<uint64_t> datagrams_in{0};
  std::atomic<uint64_t> datagrams_out{0};
  std::atomic<uint64_t> stream_messages_in{0};
  std::atomic<uint64_t> stream_messages_out{0};
  std::atomic<uint64_t> keepalives_in{0};
  std::atomic<uint64_t> bad_input{0};
  std::atomic<uint64_t> non_sip_datagrams{0};
  std::atomic<uint64_t> dropped{0};
  std::atomic<uint64_t> refused_connections{0};
  std::atomic<uint64_t> timeouts{0};
};

struct UdpSocket {
  explicit UdpSocket(const AsioSipTransport::Executor& ex) : socket(ex) {}
  udp::socket socket;
  NetAddress local;
  std::vector<char> buffer = std::vector<char>(kUdpBufferBytes);
  udp::endpoint sender;
};

struct TcpListener {
  explicit TcpListener(const AsioSipTransport::Executor& ex) : acceptor(ex), retry(ex) {}
  tcp::acceptor acceptor;
  NetAddress local;
  net::steady_timer retry;  // after an accept error such as EMFILE
};

// A WebSocket (or any SipStreamChannel) as the transport sees it.
struct ChannelConnection {
  explicit ChannelConnection(const AsioSipTransport::Executor& ex) : timer(ex) {}
  std::shared_ptr<SipStreamChannel> channel;
  Flow flow;
  net::steady_timer timer;
  SteadyClock::time_point opened;
  SteadyClock::time_point last_activity;
  bool got_message = false;
};

// When a stream connection times out: the hello timeout until the first message
// (inbound only), the idle timeout after the last received byte.
SteadyClock::time_point streamDeadline(const SipTransportOptions& options, bool inbound,
                                       bool got_message, SteadyClock::time_point opened,
                                       SteadyClock::time_point last_activity);

NetAddress toNetAddress(const net::ip::address& address, uint16_t port);
bool onlyLineBreaks(std::string_view bytes);

class TcpConnection;

}  // namespace detail

struct AsioSipTransport::State : std::enable_shared_from_this<AsioSipTransport::State> {
  State(boost::asio::any_io_executor io, SipTransportListener& l, SipTransportOptions o);

  // asio_transport.cpp
  core::Result<uint16_t> listen(std::string_view host, uint16_t port);
  void startUdpReceive(detail::UdpSocket* socket);
  void onDatagram(detail::UdpSocket* socket, size_t size);
  bool sendUdp(const Flow& flow, std::string_view bytes);
  ConnectionId attachChannel(std::shared_ptr<SipStreamChannel> channel, const NetAddress& remote,
                             const NetAddress& local);
  void onChannelMessage(ConnectionId id, const std::string& text);
  void armChannelTimer(ConnectionId id);
  bool sendWs(const Flow& flow, std::string_view bytes);
  void closeChannel(ConnectionId id, bool notify, bool close_channel = true);
  void closeConnection(ConnectionId id);
  void stopAll(bool notify);

  // asio_transport_stream.cpp
  void startAccept(detail::TcpListener* listener);
  void onAccepted(detail::TcpListener* listener, detail::tcp::socket socket);
  bool sendTcp(const Flow& flow, std::string_view bytes);
  ConnectionId connectTcp(const NetAddress& remote);
  void forgetTcp(detail::TcpConnection& connection);

  Executor strand;
  SipTransportListener& listener;
  SipTransportOptions options;
  std::vector<std::unique_ptr<detail::UdpSocket>> udp;          // never shrinks before destruction
  std::vector<std::unique_ptr<detail::TcpListener>> acceptors;  // same
  std::unordered_map<ConnectionId, std::shared_ptr<detail::TcpConnection>> tcp;
  std::unordered_map<std::string, ConnectionId> tcp_by_remote;  // "ip:port" → newest open
  std::unordered_map<std::string, size_t> inbound_per_ip;
  std::unordered_map<ConnectionId, std::shared_ptr<detail::ChannelConnection>> channels;
  std::atomic<ConnectionId> next_id{1};
  std::atomic<size_t> open_connections{0};  // TCP + channels, for the limit
  std::atomic<bool> stopped{false};
  detail::AtomicCounts counts;
};

namespace detail {

// One TCP connection, inbound or outbound. Lives in State::tcp while open; handlers hold
// a shared_ptr so it survives its own close.
class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  TcpConnection(std::shared_ptr<AsioSipTransport::State> state, ConnectionId id, tcp::socket socket,
                bool inbound);

  void startInbound(const tcp::endpoint& remote, const tcp::endpoint& local);
  void startOutbound(const tcp::endpoint& remote);
  // Queues bytes; false when closed (a queue over its bound closes the connection).
  bool enqueue(std::string_view bytes);
  // Closes at once; onConnectionClosed follows when `notify`.
  void close(bool notify = true);

  bool isOpen() const { return !closed_; }
  bool inbound() const { return inbound_; }
  ConnectionId id() const { return flow_.connection; }
  const Flow& flow() const { return flow_; }

 private:
  void armTimer();
  void onTimer();
  void read();
  void onRead(size_t size);
  void write();

  std::shared_ptr<AsioSipTransport::State> state_;
  tcp::socket socket_;
  net::steady_timer timer_;
  SipStreamFramer framer_;
  Flow flow_;
  bool inbound_;
  bool connecting_ = false;
  bool writing_ = false;
  bool closed_ = false;
  bool got_message_ = false;
  SteadyClock::time_point opened_;
  SteadyClock::time_point last_activity_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  std::vector<net::const_buffer> in_flight_;  // buffers of the write under way
  std::array<char, kTcpReadBytes> read_buffer_{};
};

}  // namespace detail
}  // namespace sb::sip
