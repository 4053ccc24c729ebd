#pragma once
// The socket edge of the SIP stack: UDP, TCP and (through an abstract channel) WebSocket
// transports on Boost.Asio (RFC 3261 §18, RFC 5626 §4.4.1 keep-alives, RFC 7118). It
// moves bytes and nothing else: it never parses a message beyond framing a stream, and
// hands every message to a SipTransportListener together with the Flow it came on.
//
// Threading: the transport owns one strand (executor()). Every socket handler and every
// listener callback runs on it, and send(), connectTcp(), closeConnection() and listen()
// must be called on it (or before the io_context runs), so the protocol code above needs
// no locks. The io_context itself may be run by any number of threads. The channel
// methods (attachChannel, onChannelMessage, onChannelClosed), stop() and counts() may be
// called from any thread. The transport must outlive the io_context's run().
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sip/flow.hpp"
#include "sip/sip_message.hpp"

namespace sb::sip {

struct SipTransportOptions {
  ParseLimits limits;  // stream framing; max_message_bytes also bounds datagrams and sends
  size_t max_connections = 10000;       // TCP + WebSocket; more are accepted and closed at once
  size_t max_connections_per_ip = 256;  // inbound TCP from one source address
  std::chrono::milliseconds hello_timeout{std::chrono::seconds{30}};  // until the first message
  // Above the longest registration (3600 s); any received byte, keep-alives included,
  // refreshes it.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes{65}};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{10}};  // outbound TCP
  size_t max_write_queue_bytes = 1024 * 1024;  // per connection; a slower reader is closed
};

class SipTransportListener {
 public:
  virtual ~SipTransportListener() = default;
  // One datagram, one framed stream message or one WebSocket message: unparsed.
  virtual void onSipMessage(std::string_view bytes, const Flow& from) = 0;
  // Called exactly once for every connection that had an id, whatever closed it.
  virtual void onConnectionClosed(ConnectionId id) = 0;
  // A stream that cannot be framed (it is closed right after), or a message over the size
  // limit. Counted by the transport; the listener may log it.
  virtual void onBadInput(const Flow& from, ParseErrorKind kind, std::string_view detail) = 0;
};

// A message channel the transport does not implement itself (a WebSocket owned by the
// HTTP server). Both methods may be called from the transport's strand and must be
// safe from any thread; neither may call back into the transport synchronously.
class SipStreamChannel {
 public:
  virtual ~SipStreamChannel() = default;
  virtual void sendText(std::string text) = 0;
  // Closes the channel; its owner still calls onChannelClosed afterwards (ignored).
  virtual void close() = 0;
};

struct SipTransportCounts {
  uint64_t udp_sockets = 0;
  uint64_t tcp_listeners = 0;
  uint64_t tcp_connections = 0;  // open now (inbound and outbound, connecting included)
  uint64_t ws_connections = 0;   // open now
  uint64_t datagrams_in = 0;
  uint64_t datagrams_out = 0;
  uint64_t stream_messages_in = 0;  // TCP and WebSocket
  uint64_t stream_messages_out = 0;
  uint64_t keepalives_in = 0;        // CRLF keep-alives on any transport
  uint64_t bad_input = 0;            // framing errors and oversized messages
  uint64_t non_sip_datagrams = 0;    // STUN and other binary datagrams, ignored
  uint64_t dropped = 0;              // sends dropped: UDP would block, full write queues
  uint64_t refused_connections = 0;  // over max_connections or the per-address limit
  uint64_t timeouts = 0;             // connections closed by the hello or idle timeout
};

class AsioSipTransport final : public SipSender {
 public:
  using Executor = boost::asio::strand<boost::asio::any_io_executor>;

  AsioSipTransport(boost::asio::any_io_executor io, SipTransportListener& listener,
                   SipTransportOptions options = {});
  ~AsioSipTransport() override;
  AsioSipTransport(const AsioSipTransport&) = delete;
  AsioSipTransport& operator=(const AsioSipTransport&) = delete;

  const Executor& executor() const;
  const SipTransportOptions& options() const;

  // Binds UDP and TCP on the same port of an IPv4 or IPv6 literal ("0.0.0.0", "::",
  // "127.0.0.1"). Port 0 picks a free port for both. May be called several times.
  core::Result<uint16_t> listen(std::string_view host, uint16_t port);

  // UDP: sent at once from the socket bound to flow.local (or the first of the family);
  // a full socket buffer drops the message (counted) and still returns true.
  // TCP: queued on flow.connection, or on an open connection to flow.remote, or on a new
  // outbound connection (a failed connect reports onConnectionClosed for its id).
  // WS: handed to the channel of flow.connection. False: cannot be sent (unknown or closed
  // WebSocket, bad address, message over max_message_bytes, hard socket error, stopped).
  bool send(const Flow& flow, std::string_view bytes) override;

  // An open TCP connection to `remote`, or a new outbound one (connecting). 0 on failure.
  ConnectionId connectTcp(const NetAddress& remote);
  // Closes a TCP or WebSocket connection; onConnectionClosed follows (synchronously).
  void closeConnection(ConnectionId id);

  // WebSocket channels. attachChannel returns the connection id (0 when over the
  // connection limit or stopped: close the channel). The owner then reports every
  // message and, once, the channel's end.
  ConnectionId attachChannel(std::shared_ptr<SipStreamChannel> channel, const NetAddress& remote,
                             const NetAddress& local);
  void onChannelMessage(ConnectionId id, std::string text);
  void onChannelClosed(ConnectionId id);

  // Closes listeners and every connection (each reports onConnectionClosed). Runs on the
  // strand: inline when called there, posted otherwise.
  void stop();

  SipTransportCounts counts() const;

  struct State;  // defined in detail/asio_transport_state.hpp

 private:
  std::shared_ptr<State> state_;
};

}  // namespace sb::sip
