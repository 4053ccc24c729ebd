#include "app/sip_websocket.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "api/problem.hpp"
#include "core/log.hpp"

namespace sb::app {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;
namespace net = boost::asio;
using net::awaitable;
using net::use_awaitable;

namespace {

// The transport's side of one socket. Every member is touched on the socket's strand;
// sendText() and close() post there, so the transport may call them from its own strand.
class SipWebSocketChannel final : public sip::SipStreamChannel,
                                  public std::enable_shared_from_this<SipWebSocketChannel> {
 public:
  SipWebSocketChannel(api::WebSocket ws, size_t max_queued_bytes)
      : ws_(std::move(ws)), wake_(ws_.get_executor()), max_queued_bytes_(max_queued_bytes) {
    wake_.expires_at(std::chrono::steady_clock::time_point::max());
  }

  void sendText(std::string text) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      if (self->finished_ || self->closing_) return;
      if (self->queued_bytes_ + text.size() > self->max_queued_bytes_) {
        self->closing_ = websocket::close_code::policy_error;  // it stopped reading
      } else {
        self->queued_bytes_ += text.size();
        self->queue_.push_back(std::move(text));
      }
      self->wake_.cancel();
    });
  }

  void close() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      if (!self->closing_) self->closing_ = websocket::close_code::normal;
      self->wake_.cancel();
    });
  }

  // Writes queued messages until the socket ends, then the close frame if one is due.
  awaitable<void> writeLoop() {
    auto self = shared_from_this();
    ws_.text(true);
    while (!finished_) {
      while (!queue_.empty() && !closing_) {
        std::string text = std::move(queue_.front());
        queue_.pop_front();
        queued_bytes_ -= text.size();
        beast::error_code ec;
        co_await ws_.async_write(net::buffer(text), net::redirect_error(use_awaitable, ec));
        if (ec) co_return;  // the read loop sees the same failure and ends the session
      }
      if (closing_) {
        beast::error_code ec;
        co_await ws_.async_close(websocket::close_reason(*closing_),
                                 net::redirect_error(use_awaitable, ec));
        co_return;
      }
      beast::error_code ec;
      co_await wake_.async_wait(net::redirect_error(use_awaitable, ec));
      wake_.expires_at(std::chrono::steady_clock::time_point::max());
    }
  }

  void finish() {
    finished_ = true;
    wake_.cancel();
  }

  api::WebSocket& ws() { return ws_; }

 private:
  api::WebSocket ws_;
  net::steady_timer wake_;
  size_t max_queued_bytes_;
  size_t queued_bytes_ = 0;
  std::deque<std::string> queue_;
  std::optional<websocket::close_code> closing_;
  bool finished_ = false;
};

sip::NetAddress toNetAddress(const net::ip::tcp::endpoint& endpoint) {
  return sip::NetAddress{endpoint.address().to_string(), endpoint.port()};
}

awaitable<void> sipSocket(sip::AsioSipTransport& transport, SipWebSocketOptions options,
                          api::WebSocket ws, api::HttpRequest req) {
  beast::error_code ec;
  if (!offersSipSubprotocol(req[http::field::sec_websocket_protocol])) {
    api::HttpResponse r =
        api::problem(http::status::bad_request, "bad-request", "Bad request",
                     "A SIP WebSocket must offer the subprotocol \"sip\" (RFC 7118).");
    r.keep_alive(false);
    co_await http::async_write(ws.next_layer(), r, net::redirect_error(use_awaitable, ec));
    co_return;
  }
  const auto remote = ws.next_layer().socket().remote_endpoint(ec);
  if (ec) co_return;
  const auto local = ws.next_layer().socket().local_endpoint(ec);
  if (ec) co_return;

  ws.set_option(
      websocket::stream_base::timeout{options.handshake_timeout, options.idle_timeout, true});
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "switchboard");
    res.set(http::field::sec_websocket_protocol, "sip");
  }));
  ws.read_message_max(transport.options().limits.max_message_bytes);
  co_await ws.async_accept(req, net::redirect_error(use_awaitable, ec));
  if (ec) co_return;

  auto channel = std::make_shared<SipWebSocketChannel>(std::move(ws), options.max_queued_bytes);
  const sip::ConnectionId id =
      transport.attachChannel(channel, toNetAddress(remote), toNetAddress(local));
  if (id == 0) {  // over the connection limit, or stopping
    co_await channel->ws().async_close(
        websocket::close_reason(websocket::close_code::try_again_later),
        net::redirect_error(use_awaitable, ec));
    co_return;
  }
  net::co_spawn(channel->ws().get_executor(), channel->writeLoop(), net::detached);

  beast::flat_buffer buffer;
  for (;;) {
    co_await channel->ws().async_read(buffer, net::redirect_error(use_awaitable, ec));
    if (ec) break;  // closed by either side, idle timeout, too big, or server stop
    transport.onChannelMessage(id, beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
  }
  core::logDebug("SIP WebSocket ended",
                 {{"peer", toNetAddress(remote).toString()}, {"reason", ec.message()}});
  channel->finish();
  transport.onChannelClosed(id);
}

}  // namespace

bool offersSipSubprotocol(std::string_view header) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view token = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (token == "sip") return true;
  }
  return false;
}

void addSipWebSocketRoute(api::Router& router, sip::AsioSipTransport& transport,
                          SipWebSocketOptions options) {
  router.addWebSocket("/sip",
                      [&transport, options](api::WebSocket ws, api::HttpRequest req,
                                            api::WebSocketContext) -> awaitable<void> {
                        return sipSocket(transport, options, std::move(ws), std::move(req));
                      });
}

}  // namespace sb::app
