// AsioSipTransport: listening, UDP, WebSocket channels and shutdown. TCP connections are
// in asio_transport_stream.cpp.
#include "sip/asio_transport.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include "core/log.hpp"
#include "sip/detail/asio_transport_state.hpp"

namespace sb::sip {

using detail::SteadyClock;
namespace net = boost::asio;

namespace detail {

SteadyClock::time_point streamDeadline(const SipTransportOptions& options, bool inbound,
                                       bool got_message, SteadyClock::time_point opened,
                                       SteadyClock::time_point last_activity) {
  auto deadline = last_activity + options.idle_timeout;
  if (inbound && !got_message) deadline = std::min(deadline, opened + options.hello_timeout);
  return deadline;
}

NetAddress toNetAddress(const net::ip::address& address, uint16_t port) {
  return NetAddress{address.to_string(), port};
}

bool onlyLineBreaks(std::string_view bytes) {
  return bytes.find_first_not_of("\r\n") == std::string_view::npos;
}

}  // namespace detail

namespace {

core::Error bindError(std::string_view what, const net::ip::address& address, uint16_t port,
                      const boost::system::error_code& ec) {
  return core::makeError(core::ErrorCode::kUnavailable,
                         std::string(what) + " " + detail::toNetAddress(address, port).toString() +
                             ": " + ec.message());
}

std::unique_ptr<detail::UdpSocket> bindUdp(const AsioSipTransport::Executor& strand,
                                           const net::ip::address& address, uint16_t port,
                                           boost::system::error_code& ec) {
  auto s = std::make_unique<detail::UdpSocket>(strand);
  const detail::udp::endpoint endpoint(address, port);
  s->socket.open(endpoint.protocol(), ec);
  if (ec) return nullptr;
  // A v6 socket sees only v6, so "::" and "0.0.0.0" can both be bound.
  if (address.is_v6()) s->socket.set_option(net::ip::v6_only(true), ec);
  if (ec) return nullptr;
  boost::system::error_code ignored;
  // Best effort (Linux caps it at net.core.rmem_max): a burst of calls must not overflow
  // the queue while the SIP strand is busy, or datagrams are lost and retransmitted.
  s->socket.set_option(net::socket_base::receive_buffer_size(8 << 20), ignored);
  s->socket.set_option(net::socket_base::send_buffer_size(4 << 20), ignored);
  s->socket.bind(endpoint, ec);
  if (ec) return nullptr;
  // Sends never wait: a full socket buffer drops the datagram, as the network would.
  s->socket.non_blocking(true, ec);
  if (ec) return nullptr;
  auto local = s->socket.local_endpoint(ec);
  if (ec) return nullptr;
  s->local = detail::toNetAddress(local.address(), local.port());
  return s;
}

std::unique_ptr<detail::TcpListener> bindTcp(const AsioSipTransport::Executor& strand,
                                             const net::ip::address& address, uint16_t port,
                                             boost::system::error_code& ec) {
  auto l = std::make_unique<detail::TcpListener>(strand);
  const detail::tcp::endpoint endpoint(address, port);
  l->acceptor.open(endpoint.protocol(), ec);
  if (ec) return nullptr;
  if (address.is_v6()) l->acceptor.set_option(net::ip::v6_only(true), ec);
  if (ec) return nullptr;
  // A restart must not wait for the previous process's TIME_WAIT connections.
  l->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return nullptr;
  l->acceptor.bind(endpoint, ec);
  if (ec) return nullptr;
  l->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return nullptr;
  l->local = detail::toNetAddress(address, port);
  return l;
}

}  // namespace

AsioSipTransport::State::State(net::any_io_executor io, SipTransportListener& l,
                               SipTransportOptions o)
    : strand(net::make_strand(std::move(io))), listener(l), options(o) {}

core::Result<uint16_t> AsioSipTransport::State::listen(std::string_view host, uint16_t port) {
  if (stopped)
    return core::makeError(core::ErrorCode::kUnavailable, "the SIP transport is stopped");
  boost::system::error_code ec;
  const auto address = net::ip::make_address(std::string(host), ec);
  if (ec) {
    return core::makeError(core::ErrorCode::kInvalidInput,
                           "not an IP address: " + std::string(host));
  }
  // Port 0: the kernel picks a free UDP port, which TCP may find taken; try a few.
  const int attempts = port == 0 ? 16 : 1;
  for (int attempt = 0;; ++attempt) {
    auto u = bindUdp(strand, address, port, ec);
    if (!u) return bindError("cannot bind UDP", address, port, ec);
    const uint16_t bound = u->local.port;
    auto t = bindTcp(strand, address, bound, ec);
    if (!t) {
      if (ec == net::error::address_in_use && attempt + 1 < attempts) continue;
      return bindError("cannot bind TCP", address, bound, ec);
    }
    udp.push_back(std::move(u));
    acceptors.push_back(std::move(t));
    ++counts.udp_sockets;
    ++counts.tcp_listeners;
    startUdpReceive(udp.back().get());
    startAccept(acceptors.back().get());
    return bound;
  }
}

namespace {
constexpr int kUdpDrainBatch = 64;
}  // namespace

void AsioSipTransport::State::startUdpReceive(detail::UdpSocket* s) {
  s->socket.async_receive_from(
      net::buffer(s->buffer), s->sender,
      [self = shared_from_this(), s](const boost::system::error_code& ec, size_t size) {
        if (self->stopped || !s->socket.is_open()) return;
        if (ec == net::error::operation_aborted) return;
        if (ec) {
          // Unconnected UDP sockets report little (ICMP errors on some systems): go on.
          core::logDebug("SIP UDP receive error", {{"error", ec.message()}});
        } else {
          self->onDatagram(s, size);
          // Drain what else is queued before going back to the reactor: one wake-up
          // then serves a burst (bounded, so other work on the strand gets its turn).
          for (int i = 0; i < kUdpDrainBatch && !self->stopped && s->socket.is_open(); ++i) {
            boost::system::error_code again;
            const size_t n = s->socket.receive_from(net::buffer(s->buffer), s->sender, 0, again);
            if (again) break;  // would_block: the queue is empty
            self->onDatagram(s, n);
          }
        }
        if (!self->stopped && s->socket.is_open()) self->startUdpReceive(s);
      });
}

void AsioSipTransport::State::onDatagram(detail::UdpSocket* s, size_t size) {
  const std::string_view data(s->buffer.data(), size);
  if (data.empty()) return;
  if (detail::onlyLineBreaks(data)) {
    // CRLF keep-alives from phones keep their NAT binding open; over UDP they get no
    // answer (RFC 5626 uses STUN there).
    ++counts.keepalives_in;
    return;
  }
  const auto first = static_cast<unsigned char>(data.front());
  if (first >= 0x80 || (first < 0x20 && first != '\r' && first != '\n')) {
    ++counts.non_sip_datagrams;  // STUN (first byte 0 or 1) and other binary noise
    return;
  }
  const Flow flow{TransportKind::kUdp, detail::toNetAddress(s->sender.address(), s->sender.port()),
                  s->local, 0};
  if (size > options.limits.max_message_bytes) {
    ++counts.bad_input;
    listener.onBadInput(flow, ParseErrorKind::kMessageTooLarge, "datagram over the size limit");
    return;
  }
  ++counts.datagrams_in;
  listener.onSipMessage(data, flow);
}

bool AsioSipTransport::State::sendUdp(const Flow& flow, std::string_view bytes) {
  boost::system::error_code ec;
  const auto address = net::ip::make_address(flow.remote.ip, ec);
  if (ec || flow.remote.port == 0) return false;
  const detail::udp::endpoint to(address, flow.remote.port);
  detail::UdpSocket* from = nullptr;
  for (auto& s : udp) {
    if (!s->socket.is_open() || s->local.isV6() != address.is_v6()) continue;
    if (s->local == flow.local) {
      from = s.get();
      break;
    }
    if (!from) from = s.get();  // first of the family, when flow.local matches none
  }
  if (!from) return false;
  from->socket.send_to(net::buffer(bytes.data(), bytes.size()), to, 0, ec);
  if (ec == net::error::would_block || ec == net::error::try_again ||
      ec == net::error::no_buffer_space) {
    ++counts.dropped;
    return true;
  }
  if (ec) {
    core::logDebug("SIP UDP send failed",
                   {{"to", flow.remote.toString()}, {"error", ec.message()}});
    return false;
  }
  ++counts.datagrams_out;
  return true;
}

ConnectionId AsioSipTransport::State::attachChannel(std::shared_ptr<SipStreamChannel> channel,
                                                    const NetAddress& remote,
                                                    const NetAddress& local) {
  if (stopped || !channel) return 0;
  if (open_connections.fetch_add(1) >= options.max_connections) {
    --open_connections;
    ++counts.refused_connections;
    return 0;
  }
  const ConnectionId id = next_id++;
  ++counts.ws_connections;
  net::post(strand,
            [self = shared_from_this(), id, channel = std::move(channel), remote, local]() mutable {
              if (self->stopped) {
                --self->open_connections;
                --self->counts.ws_connections;
                channel->close();  // its owner reports onChannelClosed, which finds nothing
                return;
              }
              auto c = std::make_shared<detail::ChannelConnection>(self->strand);
              c->channel = std::move(channel);
              c->flow = Flow{TransportKind::kWs, remote, local, id};
              c->opened = c->last_activity = SteadyClock::now();
              self->channels.emplace(id, std::move(c));
              self->armChannelTimer(id);
            });
  return id;
}

void AsioSipTransport::State::armChannelTimer(ConnectionId id) {
  auto it = channels.find(id);
  if (it == channels.end()) return;
  auto& c = *it->second;
  c.timer.expires_at(
      detail::streamDeadline(options, true, c.got_message, c.opened, c.last_activity));
  c.timer.async_wait([self = shared_from_this(), id,
                      weak = std::weak_ptr(it->second)](const boost::system::error_code& ec) {
    auto c = weak.lock();
    if (ec || !c || self->channels.count(id) == 0) return;
    if (SteadyClock::now() >=
        detail::streamDeadline(self->options, true, c->got_message, c->opened, c->last_activity)) {
      ++self->counts.timeouts;
      self->closeChannel(id, true);
      return;
    }
    self->armChannelTimer(id);
  });
}

void AsioSipTransport::State::onChannelMessage(ConnectionId id, const std::string& text) {
  auto it = channels.find(id);
  if (it == channels.end()) return;
  auto c = it->second;
  c->last_activity = SteadyClock::now();
  if (detail::onlyLineBreaks(text)) {
    ++counts.keepalives_in;
    return;
  }
  if (text.size() > options.limits.max_message_bytes) {
    ++counts.bad_input;
    listener.onBadInput(c->flow, ParseErrorKind::kMessageTooLarge,
                        "WebSocket message over the size limit");
    closeChannel(id, true);
    return;
  }
  c->got_message = true;
  ++counts.stream_messages_in;
  listener.onSipMessage(text, c->flow);
}

bool AsioSipTransport::State::sendWs(const Flow& flow, std::string_view bytes) {
  auto it = channels.find(flow.connection);
  if (it == channels.end()) return false;
  it->second->channel->sendText(std::string(bytes));
  ++counts.stream_messages_out;
  return true;
}

void AsioSipTransport::State::closeChannel(ConnectionId id, bool notify, bool close_channel) {
  auto it = channels.find(id);
  if (it == channels.end()) return;
  auto c = std::move(it->second);
  channels.erase(it);
  c->timer.cancel();
  if (close_channel) c->channel->close();
  --open_connections;
  --counts.ws_connections;
  if (notify) listener.onConnectionClosed(id);
}

void AsioSipTransport::State::closeConnection(ConnectionId id) {
  if (auto it = tcp.find(id); it != tcp.end()) {
    auto connection = it->second;
    connection->close();
    return;
  }
  closeChannel(id, true);
}

void AsioSipTransport::State::stopAll(bool notify) {
  stopped = true;
  counts.udp_sockets = 0;
  counts.tcp_listeners = 0;
  boost::system::error_code ignored;
  for (auto& s : udp) s->socket.close(ignored);
  for (auto& a : acceptors) {
    a->acceptor.close(ignored);
    a->retry.cancel();
  }
  std::vector<std::shared_ptr<detail::TcpConnection>> open;
  open.reserve(tcp.size());
  for (auto& [id, c] : tcp) open.push_back(c);
  for (auto& c : open) c->close(notify);
  std::vector<ConnectionId> ids;
  ids.reserve(channels.size());
  for (auto& [id, c] : channels) ids.push_back(id);
  for (auto id : ids) closeChannel(id, notify);
}

// --- AsioSipTransport: thin wrappers over State ---

AsioSipTransport::AsioSipTransport(net::any_io_executor io, SipTransportListener& listener,
                                   SipTransportOptions options)
    : state_(std::make_shared<State>(std::move(io), listener, options)) {}

AsioSipTransport::~AsioSipTransport() {
  // Pending handlers keep State alive; with stopped set they return without calling the
  // listener, which may be gone by then.
  state_->stopAll(false);
}

const AsioSipTransport::Executor& AsioSipTransport::executor() const {
  return state_->strand;
}
const SipTransportOptions& AsioSipTransport::options() const {
  return state_->options;
}

core::Result<uint16_t> AsioSipTransport::listen(std::string_view host, uint16_t port) {
  return state_->listen(host, port);
}

bool AsioSipTransport::send(const Flow& flow, std::string_view bytes) {
  if (state_->stopped) return false;
  if (bytes.size() > state_->options.limits.max_message_bytes) {
    core::logWarn("SIP message over the size limit not sent",
                  {{"bytes", static_cast<int64_t>(bytes.size())}, {"to", flow.remote.toString()}});
    return false;
  }
  switch (flow.transport) {
    case TransportKind::kUdp:
      return state_->sendUdp(flow, bytes);
    case TransportKind::kTcp:
      return state_->sendTcp(flow, bytes);
    case TransportKind::kWs:
      return state_->sendWs(flow, bytes);
  }
  return false;
}

ConnectionId AsioSipTransport::connectTcp(const NetAddress& remote) {
  return state_->connectTcp(remote);
}

void AsioSipTransport::closeConnection(ConnectionId id) {
  state_->closeConnection(id);
}

ConnectionId AsioSipTransport::attachChannel(std::shared_ptr<SipStreamChannel> channel,
                                             const NetAddress& remote, const NetAddress& local) {
  return state_->attachChannel(std::move(channel), remote, local);
}

void AsioSipTransport::onChannelMessage(ConnectionId id, std::string text) {
  net::post(state_->strand,
            [state = state_, id, text = std::move(text)] { state->onChannelMessage(id, text); });
}

void AsioSipTransport::onChannelClosed(ConnectionId id) {
  net::post(state_->strand, [state = state_, id] { state->closeChannel(id, true, false); });
}

void AsioSipTransport::stop() {
  net::dispatch(state_->strand, [state = state_] {
    if (!state->stopped || !state->tcp.empty() || !state->channels.empty()) state->stopAll(true);
  });
}

SipTransportCounts AsioSipTransport::counts() const {
  const auto& c = state_->counts;
  SipTransportCounts out;
  out.udp_sockets = c.udp_sockets;
  out.tcp_listeners = c.tcp_listeners;
  out.tcp_connections = c.tcp_connections;
  out.ws_connections = c.ws_connections;
  out.datagrams_in = c.datagrams_in;
  out.datagrams_out = c.datagrams_out;
  out.stream_messages_in = c.stream_messages_in;
  out.stream_messages_out = c.stream_messages_out;
  out.keepalives_in = c.keepalives_in;
  out.bad_input = c.bad_input;
  out.non_sip_datagrams = c.non_sip_datagrams;
  out.dropped = c.dropped;
  out.refused_connections = c.refused_connections;
  out.timeouts = c.timeouts;
  return out;
}

}  // namespace sb::sip
