// WebSocket /api/v1/events: authenticated by the session token (Authorization header on
// the upgrade, or a first message {"type":"auth","token":…} for browsers, which cannot
// set headers on a WebSocket), kept alive with pings, closed with code 4001 and a reason
// when the session ends. Later layers publish agent and call events through EventHub.
#include <deque>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/api_v1.hpp"
#include "api/bearer.hpp"
#include "api/json_output.hpp"
#include "api/problem.hpp"
#include "api/worker.hpp"
#include "core/log.hpp"

namespace sb::api {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;
using boost::asio::awaitable;
using boost::asio::use_awaitable;

// Close code sent when the session behind a connection ends (logout, password change,
// admin reset or disable): the app returns to its login screen.
constexpr uint16_t kCloseSessionEnded = 4001;
constexpr uint16_t kCloseAuthFailed = 4003;

namespace {

// The outbound side of one connection. Every member is touched only on the
// connection's strand; send() and close() post to it, so any thread may call them.
class SocketConnection final : public EventConnection,
                               public std::enable_shared_from_this<SocketConnection> {
 public:
  explicit SocketConnection(WebSocket ws)
      : ws_(std::move(ws)), wake_(ws_.get_executor()), watch_(ws_.get_executor()) {
    wake_.expires_at(std::chrono::steady_clock::time_point::max());
  }

  void send(std::string text) override {
    boost::asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      if (self->queue_.size() >= kMaxQueued) {  // a client that stopped reading
        if (!self->closing_) self->closing_ = "too slow";
      } else {
        self->queue_.push_back(std::move(text));
      }
      self->wake_.cancel();
    });
  }

  void close(std::string reason) override {
    boost::asio::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason)]() mutable {
      if (!self->closing_) self->closing_ = std::move(reason);
      self->wake_.cancel();
    });
  }

  // Runs until the connection is finished; writes queued messages, then the close.
  awaitable<void> writeLoop() {
    auto self = shared_from_this();
    while (!finished_) {
      while (!queue_.empty() && !closing_) {
        std::string text = std::move(queue_.front());
        queue_.pop_front();
        beast::error_code ec;
        co_await ws_.async_write(boost::asio::buffer(text), boost::asio::redirect_error(use_awaitable, ec));
        if (ec) {
          finished_ = true;
          co_return;
        }
      }
      if (closing_) {
        const uint16_t code = *closing_ == "too slow" ? static_cast<uint16_t>(websocket::close_code::policy_error)
                                                      : kCloseSessionEnded;
        beast::error_code ec;
        co_await ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), *closing_),
                                 boost::asio::redirect_error(use_awaitable, ec));
        finished_ = true;
        co_return;
      }
      beast::error_code ec;
      co_await wake_.async_wait(boost::asio::redirect_error(use_awaitable, ec));
      wake_.expires_at(std::chrono::steady_clock::time_point::max());
    }
  }

  WebSocket& ws() { return ws_; }

  // Sessions can also end outside this process (`admin agent passwd`), or between the
  // authentication and EventHub::add: re-check at once and then every `every`.
  template <typename Check>
  awaitable<void> watchSession(Check check, std::chrono::seconds every) {
    auto self = shared_from_this();
    for (bool first = true; !finished_; first = false) {
      if (!first) {
        watch_.expires_after(every);
        beast::error_code ec;
        co_await watch_.async_wait(boost::asio::redirect_error(use_awaitable, ec));
        if (finished_) break;
      }
      if (!co_await check()) {
        close("session ended");
        break;
      }
    }
  }

  void finish() {
    finished_ = true;
    wake_.cancel();
    watch_.cancel();
  }

 private:
  static constexpr size_t kMaxQueued = 1024;
  WebSocket ws_;
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer watch_;
  std::deque<std::string> queue_;
  std::optional<std::string> closing_;
  bool finished_ = false;
};

std::string messageType(const boost::json::value& v) {
  if (!v.is_object()) return {};
  auto it = v.get_object().find("type");
  if (it == v.get_object().end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

}  // namespace

awaitable<void> ApiV1::eventsSocket(WebSocket ws, HttpRequest req, std::string client_ip) {
  std::optional<std::string> token;
  if (auto t = bearerToken(req)) token = std::string(*t);
  auto authenticateToken = [this](std::string t) { return loadCaller(std::move(t)); };

  std::optional<Caller> caller;
  if (token) {
    auto result = co_await authenticateToken(*token);
    if (!result) {
      // Refused before the upgrade: a plain HTTP 401 the client can read.
      HttpResponse r = problem(http::status::unauthorized, "unauthenticated", "Not authenticated",
                               "The session token is not valid or has ended.");
      r.set(http::field::www_authenticate, "Bearer");
      r.keep_alive(false);
      beast::error_code ec;
      co_await http::async_write(ws.next_layer(), r, boost::asio::redirect_error(use_awaitable, ec));
      co_return;
    }
    caller = std::move(*result);
  }

  websocket::stream_base::timeout auth_timeouts{std::chrono::seconds{10}, options_.ws_auth_timeout, false};
  ws.set_option(auth_timeouts);
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "switchboard");
  }));
  ws.read_message_max(64 * 1024);
  beast::error_code ec;
  co_await ws.async_accept(req, boost::asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;

  beast::flat_buffer buffer;
  if (!caller) {
    // Browsers cannot set headers on a WebSocket: the first message carries the token.
    co_await ws.async_read(buffer, boost::asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;  // includes the auth timeout
    boost::system::error_code jec;
    auto msg = boost::json::parse(beast::buffers_to_string(buffer.data()), jec);
    buffer.consume(buffer.size());
    std::optional<core::Result<Caller>> result;
    if (!jec && messageType(msg) == "auth") {
      if (auto t = msg.get_object().find("token"); t != msg.get_object().end() && t->value().is_string()) {
        token = std::string(t->value().get_string());
        result = co_await authenticateToken(*token);
      }
    }
    if (!result || !*result) {
      core::security("ws_auth_failed", client_ip);
      co_await ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(kCloseAuthFailed), "authentication failed"),
                              boost::asio::redirect_error(use_awaitable, ec));
      co_return;
    }
    caller = std::move(**result);
  }

  websocket::stream_base::timeout live_timeouts{std::chrono::seconds{10}, options_.ws_idle_timeout, true};
  ws.set_option(live_timeouts);
  auto connection = std::make_shared<SocketConnection>(std::move(ws));
  hub_.add(connection.get(), caller->org.id, caller->agent.key, caller->session.token_hash,
           caller->agent.admin);
  connection->send(boost::json::serialize(boost::json::object{
      {"type", "hello"}, {"agent", agentSummaryJson(caller->agent, caller->org)}}));
  boost::asio::co_spawn(connection->ws().get_executor(), connection->writeLoop(), boost::asio::detached);
  auto still_valid = [authenticateToken, t = *token]() -> awaitable<bool> {
    co_return static_cast<bool>(co_await authenticateToken(t));
  };
  boost::asio::co_spawn(connection->ws().get_executor(),
                        connection->watchSession(still_valid, options_.ws_session_recheck),
                        boost::asio::detached);

  for (;;) {
    co_await connection->ws().async_read(buffer, boost::asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    boost::system::error_code jec;
    auto msg = boost::json::parse(beast::buffers_to_string(buffer.data()), jec);
    buffer.consume(buffer.size());
    if (!jec && messageType(msg) == "ping") {
      connection->send(R"({"type":"pong"})");
    }
  }
  hub_.remove(connection.get());
  connection->finish();
}

}  // namespace sb::api
