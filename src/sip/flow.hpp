#pragma once
// Where a SIP message came from or goes to, as the sans-I/O layers see it: the
// transport, the remote and local addresses, and for streams the connection. The
// socket edge (asio_transport.hpp) fills these in; protocol code only copies them.
#include <cstdint>
#include <string>
#include <string_view>

namespace sb::sip {

enum class TransportKind { kUdp, kTcp, kWs };

const char* toString(TransportKind kind);  // "UDP" | "TCP" | "WS" (as in a Via)
inline bool isReliable(TransportKind kind) { return kind != TransportKind::kUdp; }

struct NetAddress {
  std::string ip;  // textual IPv4 "192.0.2.1" or IPv6 without brackets "2001:db8::1"
  uint16_t port = 0;

  bool isV6() const { return ip.find(':') != std::string::npos; }
  // "192.0.2.1:5060" or "[2001:db8::1]:5060"
  std::string toString() const;
  // The host as written in a SIP URI or Via: IPv6 in brackets.
  std::string uriHost() const;
  bool operator==(const NetAddress&) const = default;
};

using ConnectionId = uint64_t;  // 0: no connection (UDP)

struct Flow {
  TransportKind transport = TransportKind::kUdp;
  NetAddress remote;
  NetAddress local;
  ConnectionId connection = 0;  // streams: the connection the message came on / must go on

  bool operator==(const Flow&) const = default;
};

// What the protocol layers hand to the socket edge.
class SipSender {
 public:
  virtual ~SipSender() = default;
  // Sends one serialized message. For streams, `flow.connection` names the connection;
  // when it is 0 or closed the edge may open one to `flow.remote` (TCP only). Returns
  // false when the message cannot be sent at once (no connection, socket error): the
  // transaction layer reports a transport error to its user.
  virtual bool send(const Flow& flow, std::string_view bytes) = 0;
};

}  // namespace sb::sip
