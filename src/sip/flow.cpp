#include "sip/flow.hpp"

namespace sb::sip {

const char* toString(TransportKind kind) {
  switch (kind) {
    case TransportKind::kUdp: return "UDP";
    case TransportKind::kTcp: return "TCP";
    case TransportKind::kWs: return "WS";
  }
  return "UDP";
}

std::string NetAddress::uriHost() const { return isV6() ? "[" + ip + "]" : ip; }

std::string NetAddress::toString() const { return uriHost() + ":" + std::to_string(port); }

}  // namespace sb::sip
