#pragma once
// SIP over WebSocket (RFC 7118) at /sip on the HTTP server: browsers' softphones reach
// the SIP stack here. The upgrade must offer the subprotocol "sip"
// (Sec-WebSocket-Protocol); one that does not is refused before the handshake with a
// plain HTTP 400 problem, so a misconfigured client sees why. Accepted sockets answer
// "Sec-WebSocket-Protocol: sip" and are bridged to the transport as SipStreamChannels:
// each text or binary message is one SIP message (RFC 7118 §5) posted to the transport's
// strand; what the transport sends is written on the socket's own strand from a bounded
// queue (a client that stops reading is closed with 1008). Pings go out at half the idle
// timeout; a client silent for the whole idle timeout is dropped.
#include <chrono>
#include <cstddef>
#include <string_view>

#include "api/router.hpp"
#include "sip/asio_transport.hpp"

namespace sb::app {

struct SipWebSocketOptions {
  std::chrono::seconds handshake_timeout{10};
  std::chrono::seconds idle_timeout{60};
  size_t max_queued_bytes = 1024 * 1024;  // per socket, waiting to be written
};

// Registers the WebSocket route /sip. The transport must outlive the HTTP server's io_context run.
void addSipWebSocketRoute(api::Router& router, sip::AsioSipTransport& transport,
                          SipWebSocketOptions options = {});

// Whether a Sec-WebSocket-Protocol value (a comma-separated token list) offers "sip".
bool offersSipSubprotocol(std::string_view header);

}  // namespace sb::app
