// WebSocket /api/v1/events: authenticated by the session token (Authorization header on
// the upgrade, or a first message {"type":"auth","token":…} for browsers, which cannot
// set headers on a WebSocket), kept alive with pings, closed with code 4001 and a reason
// when the session ends. Later layers publish agent and call events through EventHub,
// which numbers them per session and replays the missed ones to a connection that
// comes back with `since` (the schema: docs/events.md).
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
#include <charconv>
#include <deque>
#include <limits>
#include <memory>

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

  void send(std::string text) override { sendEvent(EventText(text)); }

  void sendEvent(EventText text) override {
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
        EventText text = std::move(queue_.front());
        queue_.pop_front();
        beast::error_code ec;
        co_await ws_.async_write(boost::asio::buffer(text.view().data(), text.size()),
                                 boost::asio::redirect_error(use_awaitable, ec));
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
  std::deque<EventText> queue_;
  std::optional<std::string> closing_;
  bool finished_ = false;
};

std::string messageType(const boost::json::value& v) {
  if (!v.is_object()) return {};
  auto it = v.get_object().find("type");
  if (it == v.get_object().end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

// A `since` that is above every seq: it always gets a resync.
constexpr uint64_t kSinceUnknown = std::numeric_limits<uint64_t>::max();

// `?since=` on the upgrade: absent (nullopt value), a decimal number (one too large for
// 64 bits becomes kSinceUnknown), or not valid.
struct SinceParam {
  bool valid = true;
  std::optional<uint64_t> value;
};

SinceParam sinceFromQuery(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  for (std::string_view rest = target.substr(q + 1); !rest.empty();) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != "since") continue;
    // Digits need no percent-decoding; anything else is not a number anyway.
    const std::string_view raw =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (raw.empty() || raw.find_first_not_of("0123456789") != std::string_view::npos)
      return {false, {}};
    uint64_t n = 0;
    const auto parsed = std::from_chars(raw.data(), raw.data() + raw.size(), n);
    return {true, parsed.ec == std::errc::result_out_of_range ? kSinceUnknown : n};
  }
  return {};
}

// `"since"` in the browser's auth message: absent is nullopt; anything but a
// non-negative integer gets a resync.
std::optional<uint64_t> sinceFromMessage(const boost::json::object& msg) {
  auto it = msg.find("since");
  if (it == msg.end() || it->value().is_null()) return std::nullopt;
  if (it->value().is_uint64()) return it->value().get_uint64();
  if (it->value().is_int64() && it->value().get_int64() >= 0)
    return static_cast<uint64_t>(it->value().get_int64());
  return kSinceUnknown;
}

}  // namespace

awaitable<void> ApiV1::eventsSocket(WebSocket ws, HttpRequest req, std::string client_ip) {
  const SinceParam since_param = sinceFromQuery(req.target());
  std::optional<uint64_t> since = since_param.value;
  if (!since_param.valid) {
    HttpResponse r = problem(http::status::unprocessable_entity, "invalid-input", "Invalid input",
                             "'since' must be a whole number of 0 or more.");
    r.keep_alive(false);
    beast::error_code ec;
    co_await http::async_write(ws.next_layer(), r, boost::asio::redirect_error(use_awaitable, ec));
    co_return;
  }

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
        if (auto s = sinceFromMessage(msg.get_object())) since = s;
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
  // The hub sends the hello (with the session's last seq) and the replay.
  hub_.add(connection.get(), caller->org.id, caller->agent.key, caller->session.token_hash,
           caller->agent.admin,
           boost::json::serialize(boost::json::object{
               {"type", "hello"}, {"agent", agentSummaryJson(caller->agent, caller->org)}}),
           since);
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
