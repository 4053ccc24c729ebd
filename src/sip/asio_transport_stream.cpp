// AsioSipTransport over TCP: the accept loop with its limits, outbound connections and
// their reuse (RFC 3261 §18), framing (SipStreamFramer), CRLF keep-alives (RFC 5626
// §4.4.1), bounded write queues and the hello and idle timeouts.
#include <boost/asio/write.hpp>

#include "core/log.hpp"
#include "sip/detail/asio_transport_state.hpp"

namespace sb::sip {

using detail::SteadyClock;
using detail::tcp;
using detail::TcpConnection;
namespace net = boost::asio;

namespace {
constexpr auto kAcceptRetry = std::chrono::milliseconds{100};
constexpr size_t kMaxBuffersPerWrite = 64;
}  // namespace

// --- accepting and connecting (State) ---

void AsioSipTransport::State::startAccept(detail::TcpListener* l) {
  l->acceptor.async_accept(
      [self = shared_from_this(), l](const boost::system::error_code& ec, tcp::socket socket) {
        if (self->stopped || !l->acceptor.is_open()) return;
        if (ec) {
          if (ec == net::error::operation_aborted) return;
          // EMFILE and friends: wait a little rather than spin on the error.
          core::logWarn("SIP TCP accept failed", {{"error", ec.message()}});
          l->retry.expires_after(kAcceptRetry);
          l->retry.async_wait([self, l](const boost::system::error_code& wec) {
            if (!wec && !self->stopped) self->startAccept(l);
          });
          return;
        }
        self->onAccepted(l, std::move(socket));
        self->startAccept(l);
      });
}

void AsioSipTransport::State::onAccepted(detail::TcpListener* /*listener*/, tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  const auto local = socket.local_endpoint(ec);
  if (ec) return;
  const std::string ip = remote.address().to_string();
  auto per_ip = inbound_per_ip.find(ip);
  const size_t from_ip = per_ip == inbound_per_ip.end() ? 0 : per_ip->second;
  if (open_connections >= options.max_connections || from_ip >= options.max_connections_per_ip) {
    ++counts.refused_connections;
    core::logDebug("SIP TCP connection refused (limit)", {{"from", ip}});
    socket.close(ec);
    return;
  }
  ++inbound_per_ip[ip];
  const ConnectionId id = next_id++;
  auto c = std::make_shared<TcpConnection>(shared_from_this(), id, std::move(socket), true);
  ++open_connections;
  ++counts.tcp_connections;
  tcp.emplace(id, c);
  c->startInbound(remote, local);
  tcp_by_remote[c->flow().remote.toString()] = id;
}

ConnectionId AsioSipTransport::State::connectTcp(const NetAddress& remote) {
  if (stopped) return 0;
  if (auto it = tcp_by_remote.find(remote.toString()); it != tcp_by_remote.end()) {
    if (auto c = tcp.find(it->second); c != tcp.end() && c->second->isOpen()) return it->second;
  }
  boost::system::error_code ec;
  const auto address = net::ip::make_address(remote.ip, ec);
  if (ec || remote.port == 0) return 0;
  if (open_connections >= options.max_connections) {
    ++counts.refused_connections;
    return 0;
  }
  const ConnectionId id = next_id++;
  auto c = std::make_shared<TcpConnection>(shared_from_this(), id, tcp::socket(strand), false);
  ++open_connections;
  ++counts.tcp_connections;
  tcp.emplace(id, c);
  tcp_by_remote[remote.toString()] = id;
  c->startOutbound(tcp::endpoint(address, remote.port));
  return id;
}

bool AsioSipTransport::State::sendTcp(const Flow& flow, std::string_view bytes) {
  if (flow.connection != 0) {
    if (auto it = tcp.find(flow.connection); it != tcp.end() && it->second->isOpen()) {
      auto c = it->second;
      return c->enqueue(bytes) && ++counts.stream_messages_out;
    }
  }
  const ConnectionId id = connectTcp(flow.remote);
  if (id == 0) return false;
  auto c = tcp.at(id);
  return c->enqueue(bytes) && ++counts.stream_messages_out;
}

void AsioSipTransport::State::forgetTcp(TcpConnection& c) {
  tcp.erase(c.id());
  const std::string key = c.flow().remote.toString();
  if (auto it = tcp_by_remote.find(key); it != tcp_by_remote.end() && it->second == c.id()) {
    tcp_by_remote.erase(it);
  }
  if (c.inbound()) {
    if (auto it = inbound_per_ip.find(c.flow().remote.ip); it != inbound_per_ip.end()) {
      if (--it->second == 0) inbound_per_ip.erase(it);
    }
  }
  --open_connections;
  --counts.tcp_connections;
}

// --- one connection ---

namespace detail {

TcpConnection::TcpConnection(std::shared_ptr<AsioSipTransport::State> state, ConnectionId id,
                             tcp::socket socket, bool inbound)
    : state_(std::move(state)),
      socket_(std::move(socket)),
      timer_(state_->strand),
      framer_(state_->options.limits),
      inbound_(inbound),
      opened_(SteadyClock::now()),
      last_activity_(opened_) {
  flow_.transport = TransportKind::kTcp;
  flow_.connection = id;
}

void TcpConnection::startInbound(const tcp::endpoint& remote, const tcp::endpoint& local) {
  flow_.remote = toNetAddress(remote.address(), remote.port());
  flow_.local = toNetAddress(local.address(), local.port());
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  armTimer();
  read();
}

void TcpConnection::startOutbound(const tcp::endpoint& remote) {
  flow_.remote = toNetAddress(remote.address(), remote.port());
  connecting_ = true;
  armTimer();
  socket_.async_connect(remote, [self = shared_from_this()](const boost::system::error_code& ec) {
    if (self->closed_) return;
    if (ec) {
      core::logDebug("SIP TCP connect failed",
                     {{"to", self->flow_.remote.toString()}, {"error", ec.message()}});
      self->close();
      return;
    }
    self->connecting_ = false;
    self->last_activity_ = SteadyClock::now();
    boost::system::error_code lec;
    const auto local = self->socket_.local_endpoint(lec);
    if (!lec) self->flow_.local = toNetAddress(local.address(), local.port());
    self->socket_.set_option(tcp::no_delay(true), lec);
    self->read();
    self->write();
  });
}

void TcpConnection::armTimer() {
  const auto deadline = connecting_ ? opened_ + state_->options.connect_timeout
                                    : streamDeadline(state_->options, inbound_, got_message_,
                                                     opened_, last_activity_);
  timer_.expires_at(deadline);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->onTimer();
  });
}

void TcpConnection::onTimer() {
  if (closed_) return;
  const auto now = SteadyClock::now();
  const bool expired = connecting_ ? now >= opened_ + state_->options.connect_timeout
                                   : now >= streamDeadline(state_->options, inbound_, got_message_,
                                                           opened_, last_activity_);
  if (expired) {
    ++state_->counts.timeouts;
    core::logDebug("SIP TCP connection timed out", {{"peer", flow_.remote.toString()}});
    close();
    return;
  }
  armTimer();
}

void TcpConnection::read() {
  socket_.async_read_some(
      net::buffer(read_buffer_),
      [self = shared_from_this()](const boost::system::error_code& ec, size_t size) {
        if (self->closed_) return;
        if (ec) {
          self->close();  // EOF, reset, or cancelled by stop()
          return;
        }
        self->onRead(size);
      });
}

void TcpConnection::onRead(size_t size) {
  auto self = shared_from_this();  // the listener may close us from a callback
  last_activity_ = SteadyClock::now();
  framer_.append(std::string_view(read_buffer_.data(), size));
  for (;;) {
    auto frame = framer_.next();
    switch (frame.status) {
      case SipStreamFramer::Status::kMessage:
        got_message_ = true;
        ++state_->counts.stream_messages_in;
        state_->listener.onSipMessage(frame.bytes, flow_);
        if (closed_) return;
        break;
      case SipStreamFramer::Status::kKeepAlive:
        ++state_->counts.keepalives_in;
        // RFC 5626 §4.4.1: a CRLFCRLF ping is answered with a CRLF pong.
        if (frame.ping && !enqueue("\r\n")) return;
        break;
      case SipStreamFramer::Status::kNeedMore:
        read();
        return;
      case SipStreamFramer::Status::kError:
        ++state_->counts.bad_input;
        core::logDebug("SIP TCP stream cannot be framed",
                       {{"peer", flow_.remote.toString()}, {"error", frame.detail}});
        state_->listener.onBadInput(flow_, frame.error, frame.detail);
        close();
        return;
    }
  }
}

bool TcpConnection::enqueue(std::string_view bytes) {
  if (closed_) return false;
  if (queued_bytes_ + bytes.size() > state_->options.max_write_queue_bytes) {
    // The peer does not read: closing bounds what one connection can hold.
    ++state_->counts.dropped;
    core::logWarn(
        "SIP TCP write queue full, closing",
        {{"peer", flow_.remote.toString()}, {"queued", static_cast<int64_t>(queued_bytes_)}});
    close();
    return false;
  }
  queue_.emplace_back(bytes);
  queued_bytes_ += bytes.size();
  if (!writing_ && !connecting_) write();
  return true;
}

void TcpConnection::write() {
  if (writing_ || closed_ || queue_.empty()) return;
  writing_ = true;
  in_flight_.clear();
  for (size_t i = 0; i < queue_.size() && i < kMaxBuffersPerWrite; ++i) {
    in_flight_.push_back(net::buffer(queue_[i]));
  }
  net::async_write(socket_, in_flight_,
                   [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                     self->writing_ = false;
                     if (self->closed_) return;
                     if (ec) {
                       self->close();
                       return;
                     }
                     for (size_t i = 0; i < self->in_flight_.size(); ++i) {
                       self->queued_bytes_ -= self->queue_.front().size();
                       self->queue_.pop_front();
                     }
                     self->in_flight_.clear();
                     self->write();
                   });
}

void TcpConnection::close(bool notify) {
  if (closed_) return;
  auto self = shared_from_this();  // forgetTcp drops the map's reference
  closed_ = true;
  boost::system::error_code ignored;
  timer_.cancel();
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (!writing_) queue_.clear();  // an aborted write still points into the queue
  state_->forgetTcp(*this);
  if (notify) state_->listener.onConnectionClosed(flow_.connection);
}

}  // namespace detail
}  // namespace sb::sip
