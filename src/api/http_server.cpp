#include "api/http_server.hpp"

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "api/metrics.hpp"
#include "api/problem.hpp"
#include "api/router.hpp"
#include "core/log.hpp"

namespace sb::api {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
constexpr size_t kReadChunk = 4096;
// After an error response the client may still be sending (a large body): reading and
// discarding for a moment before closing keeps the kernel from answering with a reset
// that would destroy our response in the client's receive buffer.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 16 << 20;
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
constexpr auto kWarningInterval = std::chrono::seconds(1);

// What stop() may do to a connection depends on where its coroutine is; both are only
// touched on the connection's strand.
enum class Phase { kIdle, kBusy, kWebSocket, kDone };

struct Connection {
  explicit Connection(net::any_io_executor ex) : executor(std::move(ex)) {}
  net::any_io_executor executor;
  Phase phase = Phase::kBusy;
  beast::tcp_stream* stream = nullptr;
  net::cancellation_signal cancel;
};

struct Peer {
  std::string ip;
  bool loopback = false;
};

Peer peerOf(const tcp::socket& socket) {
  error_code ec;
  const tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return {};
  net::ip::address addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = net::ip::make_address_v4(net::ip::v4_mapped, addr.to_v6());
  }
  return {addr.to_string(), addr.is_loopback()};
}

struct Target {
  std::string_view path;
  std::string_view query;
};

// Origin form ("/p?q"), or absolute form ("http://host/p?q"), which RFC 9112 says a
// server must accept; the authority is ignored.
std::optional<Target> splitTarget(std::string_view target) {
  if (const size_t scheme = target.find("://");
      scheme != std::string_view::npos && target[0] != '/') {
    const std::string_view name = target.substr(0, scheme);
    if (!beast::iequals(name, "http") && !beast::iequals(name, "https")) return std::nullopt;
    const size_t slash = target.find('/', scheme + 3);
    if (slash == std::string_view::npos) return Target{"/", {}};
    target = target.substr(slash);
  }
  if (target.empty() || target[0] != '/') return std::nullopt;
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return Target{target, {}};
  return Target{target.substr(0, q), target.substr(q + 1)};
}

std::string_view methodLabel(http::verb v) {
  return v == http::verb::unknown ? std::string_view{"OTHER"}
                                  : std::string_view(http::to_string(v));
}

bool isHttpProtocolError(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// Headers every answer carries, Content-Length matching the body, and keep-alive as
// decided for this request. A HEAD answer keeps the Content-Length of the GET body.
void finalize(HttpResponse& res, unsigned version, bool keep_alive, bool head) {
  if (res.find(http::field::server) == res.end()) res.set(http::field::server, "switchboard");
  if (res.find(http::field::cache_control) == res.end()) {
    res.set(http::field::cache_control, "no-store");
  }
  res.version(version);
  res.keep_alive(keep_alive);
  const unsigned code = res.result_int();
  if (code < 200 || code == 204 || code == 304) {
    // RFC 9110 §8.6: no body, and for 1xx and 204 no Content-Length either.
    res.body().clear();
    res.content_length(boost::none);
    res.chunked(false);
    return;
  }
  // A HEAD answer may come without its body but with the length a GET would have
  // (fileResponse: no file read for it); that length stays.
  if (!(head && res.body().empty() && res.has_content_length())) res.prepare_payload();
  if (head) res.body().clear();
}

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<State> {
  State(net::io_context& io, const Router& r, Metrics& metrics, HttpServerOptions o)
      : ioc(io),
        router(r),
        options(o),
        requests(metrics.counter("sb_http_requests_total",
                                 "HTTP requests routed and answered, by method, route pattern "
                                 "and status (requests rejected while being read are counted "
                                 "in sb_http_connections_closed_total).",
                                 {"method", "route", "status"})),
        duration(metrics.histogram("sb_http_request_duration_seconds",
                                   "Time from a request's header to its response being ready.",
                                   {"route"})),
        connections_open(metrics.gauge("sb_http_connections_open", "Open HTTP connections.").get()),
        websockets_open(metrics.gauge("sb_websockets_open", "WebSocket handlers running.").get()),
        accepted(metrics
                     .counter("sb_http_connections_accepted_total",
                              "HTTP connections accepted and served.")
                     .get()),
        closed(metrics.counter("sb_http_connections_closed_total",
                               "HTTP connections closed, by reason.", {"reason"})),
        websocket_sessions(metrics.counter("sb_websocket_sessions_total",
                                           "Upgrade requests handed to a WebSocket handler.",
                                           {"route"})) {}

  core::Result<tcp::endpoint> listen(const std::string& host, uint16_t port);
  void stop();
  net::awaitable<void> acceptLoop(std::shared_ptr<tcp::acceptor> acceptor);
  void admit(tcp::socket socket);
  void release(uint64_t id, const std::exception_ptr& error);
  net::awaitable<void> session(std::shared_ptr<Connection> conn, tcp::socket socket);
  net::awaitable<void> upgrade(beast::tcp_stream& stream, Connection& conn,
                               http::request_parser<http::string_body>& parser, const Peer& peer);
  net::awaitable<HttpResponse> dispatch(const HttpRequest& req, const Peer& peer,
                                        std::string& route_label);
  net::awaitable<void> failRead(beast::tcp_stream& stream, Connection& conn, error_code ec,
                                const Peer& peer);
  net::awaitable<void> rejectAndClose(beast::tcp_stream& stream, Connection& conn, HttpResponse res,
                                      std::string_view reason);
  net::awaitable<void> lingerClose(beast::tcp_stream& stream, Connection& conn);
  void countClose(std::string_view reason) { closed.labels({reason}).inc(); }
  bool warningAllowed();

  net::io_context& ioc;
  const Router& router;
  const HttpServerOptions options;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> open{0};
  std::atomic<int64_t> last_warning{0};

  // Changed on accept, close and stop only, never per request.
  std::mutex mutex;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections;
  uint64_t next_id = 1;

  CounterFamily& requests;
  HistogramFamily& duration;
  Gauge& connections_open;
  Gauge& websockets_open;
  Counter& accepted;
  CounterFamily& closed;
  CounterFamily& websocket_sessions;
};

bool HttpServer::State::warningAllowed() {
  const int64_t now = Clock::now().time_since_epoch().count();
  int64_t last = last_warning.load(std::memory_order_relaxed);
  const int64_t interval = std::chrono::duration_cast<Clock::duration>(kWarningInterval).count();
  return now - last >= interval && last_warning.compare_exchange_strong(last, now);
}

core::Result<tcp::endpoint> HttpServer::State::listen(const std::string& host, uint16_t port) {
  error_code ec;
  tcp::endpoint endpoint;
  const net::ip::address addr = net::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(addr, port);
  } else {
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, std::to_string(port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
      return core::makeError(core::ErrorCode::kInvalidInput,
                             "cannot resolve listen address '" + host + "': " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }
  auto acceptor = std::make_shared<tcp::acceptor>(net::make_strand(ioc));
  auto fail = [&](std::string_view what) -> core::Error {
    return core::makeError(core::ErrorCode::kUnavailable,
                           std::string("cannot listen on ") + endpoint.address().to_string() +
                               " port " + std::to_string(port) + ": " + std::string(what) + ": " +
                               ec.message());
  };
  if (acceptor->open(endpoint.protocol(), ec); ec) return fail("open");
  if (acceptor->set_option(net::socket_base::reuse_address(true), ec); ec) return fail("option");
  if (acceptor->bind(endpoint, ec); ec) return fail("bind");
  if (acceptor->listen(net::socket_base::max_listen_connections, ec); ec) return fail("listen");
  const tcp::endpoint bound = acceptor->local_endpoint(ec);
  if (ec) return fail("local address");
  {
    std::lock_guard lock(mutex);
    if (stopping) return core::makeError(core::ErrorCode::kUnavailable, "the server is stopped");
    acceptors.push_back(acceptor);
  }
  net::co_spawn(acceptor->get_executor(), acceptLoop(acceptor),
                [self = shared_from_this()](const std::exception_ptr& e) {
                  if (e) self->release(0, e);
                });
  core::logInfo("listening", {{"address", bound.address().to_string()},
                              {"port", static_cast<int64_t>(bound.port())}});
  return bound;
}

void HttpServer::State::stop() {
  std::vector<std::shared_ptr<tcp::acceptor>> accs;
  std::vector<std::shared_ptr<Connection>> conns;
  {
    std::lock_guard lock(mutex);
    stopping = true;
    accs.swap(acceptors);
    for (const auto& [id, conn] : connections) conns.push_back(conn);
  }
  for (auto& acceptor : accs) {
    net::post(acceptor->get_executor(), [acceptor] {
      error_code ec;
      acceptor->close(ec);
    });
  }
  for (auto& conn : conns) {
    net::post(conn->executor, [conn] {
      if (conn->phase == Phase::kIdle && conn->stream) {
        conn->stream->cancel();
      } else if (conn->phase == Phase::kWebSocket) {
        conn->cancel.emit(net::cancellation_type::terminal);
      }
    });
  }
}

net::awaitable<void> HttpServer::State::acceptLoop(std::shared_ptr<tcp::acceptor> acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(net::make_strand(ioc), kUseTuple);
    if (ec == net::error::operation_aborted || stopping || !acceptor->is_open()) co_return;
    if (ec) {
      // Out of descriptors or memory: retrying at once would spin.
      if (warningAllowed()) core::logWarn("accept failed", {{"error", ec.message()}});
      net::steady_timer backoff(acceptor->get_executor(), kAcceptBackoff);
      co_await backoff.async_wait(kUseTuple);
      continue;
    }
    admit(tcp::socket(std::move(socket)));
  }
}

void HttpServer::State::admit(tcp::socket socket) {
  error_code ignored;
  if (open.load() >= options.max_connections) {
    countClose("over_capacity");
    if (warningAllowed())
      core::logWarn("connection limit reached", {{"limit", options.max_connections}});
    socket.close(ignored);
    return;
  }
  auto conn = std::make_shared<Connection>(socket.get_executor());
  uint64_t id = 0;
  {
    std::lock_guard lock(mutex);
    if (stopping) {
      socket.close(ignored);
      return;
    }
    id = next_id++;
    connections.emplace(id, conn);
  }
  open.fetch_add(1);
  connections_open.add(1);
  accepted.inc();
  net::co_spawn(conn->executor, session(conn, std::move(socket)),
                net::bind_cancellation_slot(conn->cancel.slot(), [self = shared_from_this(),
                                                                  id](const std::exception_ptr& e) {
                  self->release(id, e);
                }));
}

void HttpServer::State::release(uint64_t id, const std::exception_ptr& error) {
  if (id != 0) {
    {
      std::lock_guard lock(mutex);
      connections.erase(id);
    }
    open.fetch_sub(1);
    connections_open.sub(1);
  }
  if (!error) return;
  countClose("error");
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    core::logError("HTTP connection failed", {{"error", e.what()}});
  } catch (...) {
    core::logError("HTTP connection failed", {{"error", "unknown exception"}});
  }
}

net::awaitable<void> HttpServer::State::session(std::shared_ptr<Connection> conn,
                                                tcp::socket socket) {
  const Peer peer = peerOf(socket);
  beast::tcp_stream stream(std::move(socket));
  conn->stream = &stream;
  struct Detach {
    Connection& c;
    ~Detach() {
      c.stream = nullptr;
      c.phase = Phase::kDone;
    }
  } detach{*conn};

  beast::flat_buffer buffer;
  // A fresh connection gets header_timeout from accept to its first header, so a client
  // that connects and sends nothing, or dribbles, is cut off on the same clock.
  Clock::time_point header_deadline = Clock::now() + options.header_timeout;
  bool first = true;
  for (;;) {
    if (buffer.size() == 0) {
      if (stopping) {
        countClose("shutdown");
        co_return;
      }
      conn->phase = Phase::kIdle;
      if (first) {
        stream.expires_at(header_deadline);
      } else {
        stream.expires_after(options.idle_timeout);
      }
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kUseTuple);
      if (ec) {
        if (ec == beast::error::timeout)
          countClose(first ? "timeout" : "idle_timeout");
        else if (ec == net::error::operation_aborted)
          countClose("shutdown");
        else
          countClose("client");
        co_return;
      }
      buffer.commit(n);
    }
    conn->phase = Phase::kBusy;
    if (!first) header_deadline = Clock::now() + options.header_timeout;
    first = false;

    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(std::min<size_t>(options.header_limit, UINT32_MAX)));
    parser.body_limit(options.body_limit);
    stream.expires_at(header_deadline);
    if (auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kUseTuple); ec) {
      co_await failRead(stream, *conn, ec, peer);
      co_return;
    }
    const auto started = Clock::now();
    // Beast frames a body by Content-Length when Transfer-Encoding does not end in
    // chunked; a proxy in front may frame it differently (request smuggling), so only
    // plain chunked is accepted.
    if (const auto te = parser.get().find(http::field::transfer_encoding);
        te != parser.get().end() && !beast::iequals(te->value(), "chunked")) {
      co_await rejectAndClose(stream, *conn,
                              problem(http::status::bad_request, "bad-request", "Bad request",
                                      "Only the chunked transfer coding is supported."),
                              "bad_request");
      co_return;
    }
    if (beast::websocket::is_upgrade(parser.get())) {
      co_await upgrade(stream, *conn, parser, peer);
      co_return;
    }
    if (!parser.is_done()) {
      stream.expires_after(options.request_timeout);
      if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
        if (auto [ec, n] = co_await http::async_write(stream, go_on, kUseTuple); ec) {
          countClose(ec == beast::error::timeout ? "timeout" : "client");
          co_return;
        }
      }
      if (auto [ec, n] = co_await http::async_read(stream, buffer, parser, kUseTuple); ec) {
        co_await failRead(stream, *conn, ec, peer);
        co_return;
      }
    }

    HttpRequest req = parser.release();
    std::string route_label;
    HttpResponse res = co_await dispatch(req, peer, route_label);
    const bool keep_alive = req.keep_alive() && !stopping;
    finalize(res, req.version(), keep_alive, req.method() == http::verb::head);
    // Counted before writing, so a client that has its answer also sees it counted.
    const std::string status = std::to_string(res.result_int());
    requests.labels({methodLabel(req.method()), route_label, status}).inc();
    duration.labels({route_label})
        .observe(std::chrono::duration<double>(Clock::now() - started).count());

    stream.expires_after(options.request_timeout);
    if (auto [ec, n] = co_await http::async_write(stream, res, kUseTuple); ec) {
      countClose(ec == beast::error::timeout ? "timeout" : "client");
      co_return;
    }
    if (!keep_alive) {
      countClose(stopping ? "shutdown" : "after_response");
      co_await lingerClose(stream, *conn);
      co_return;
    }
  }
}

net::awaitable<void> HttpServer::State::upgrade(beast::tcp_stream& stream, Connection& conn,
                                                http::request_parser<http::string_body>& parser,
                                                const Peer& peer) {
  const auto target = splitTarget(parser.get().target());
  RouteMatch match = target ? router.matchWebSocket(target->path) : RouteMatch{};
  if (!target || match.kind == RouteMatch::Kind::kInvalidPath || !parser.is_done()) {
    co_await rejectAndClose(stream, conn,
                            problem(http::status::bad_request, "bad-request", "Bad request",
                                    "The upgrade request is not valid."),
                            "bad_request");
    co_return;
  }
  if (match.kind != RouteMatch::Kind::kFound) {
    co_await rejectAndClose(stream, conn,
                            problem(http::status::not_found, "not-found", "Not found",
                                    "There is no WebSocket endpoint at this path."),
                            "refused_upgrade");
    co_return;
  }
  // stop() has already passed this connection by (it was busy): a session started now
  // would never be cancelled and would hold run() open.
  if (stopping) {
    co_await rejectAndClose(stream, conn,
                            problem(http::status::service_unavailable, "unavailable",
                                    "Service unavailable", "The server is shutting down."),
                            "shutdown");
    co_return;
  }
  // From here the handler owns the stream; stop() reaches it through cancellation.
  conn.phase = Phase::kWebSocket;
  conn.stream = nullptr;
  stream.expires_never();
  WebSocketContext context{std::move(match.params), peer.ip, peer.loopback,
                           std::string(match.route)};
  HttpRequest req = parser.release();
  websockets_open.add(1);
  websocket_sessions.labels({match.route}).inc();
  try {
    co_await (*match.websocket)(WebSocket(std::move(stream)), std::move(req), std::move(context));
  } catch (const boost::system::system_error& e) {
    // A peer that vanishes or a shutdown ends a session this way; neither is a fault.
    core::logDebug("WebSocket session ended", {{"route", match.route}, {"error", e.what()}});
  } catch (const std::exception& e) {
    core::logError("WebSocket handler threw", {{"route", match.route}, {"error", e.what()}});
  } catch (...) {
    core::logError("WebSocket handler threw", {{"route", match.route}, {"error", "unknown"}});
  }
  websockets_open.sub(1);
  countClose("websocket");
}

net::awaitable<HttpResponse> HttpServer::State::dispatch(const HttpRequest& req, const Peer& peer,
                                                         std::string& route_label) {
  const auto target = splitTarget(req.target());
  if (!target) {
    route_label = "invalid";
    co_return problem(http::status::bad_request, "bad-request", "Bad request",
                      "The request target must be an absolute path.");
  }
  if (req.version() >= 11 && req.find(http::field::host) == req.end()) {
    route_label = "invalid";
    co_return problem(http::status::bad_request, "bad-request", "Bad request",
                      "An HTTP/1.1 request needs a Host header.");
  }
  RouteMatch match = router.match(req.method(), target->path);
  switch (match.kind) {
    case RouteMatch::Kind::kInvalidPath:
      route_label = "invalid";
      co_return problem(http::status::bad_request, "invalid-path", "Invalid path",
                        "The path holds a malformed percent-escape.");
    case RouteMatch::Kind::kNotFound: {
      const RouteMatch ws = router.matchWebSocket(target->path);
      if (ws.kind == RouteMatch::Kind::kFound) {
        route_label = std::string(ws.route);
        HttpResponse res = problem(http::status::upgrade_required, "upgrade-required",
                                   "Upgrade required", "This path only speaks WebSocket.");
        res.set(http::field::upgrade, "websocket");
        co_return res;
      }
      route_label = "unmatched";
      co_return problem(http::status::not_found, "not-found", "Not found",
                        "There is no resource at this path.");
    }
    case RouteMatch::Kind::kMethodNotAllowed: {
      route_label = std::string(match.route);
      HttpResponse res =
          problem(http::status::method_not_allowed, "method-not-allowed", "Method not allowed",
                  "This resource does not support " + std::string(methodLabel(req.method())) + ".");
      res.set(http::field::allow, match.allow);
      co_return res;
    }
    case RouteMatch::Kind::kFound:
      break;
  }
  route_label = std::string(match.route);
  RequestContext context{req,     target->path,  target->query, std::move(match.params),
                         peer.ip, peer.loopback, match.route};
  std::string error;
  try {
    co_return co_await (*match.handler)(context);
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown exception";
  }
  core::logError("HTTP handler threw",
                 {{"route", match.route}, {"method", methodLabel(req.method())}, {"error", error}});
  co_return problem(http::status::internal_server_error, "internal", "Internal server error",
                    "The server could not complete the request. It has been logged.");
}

net::awaitable<void> HttpServer::State::failRead(beast::tcp_stream& stream, Connection& conn,
                                                 error_code ec, const Peer& peer) {
  std::string_view reason;
  std::optional<HttpResponse> answer;
  if (ec == http::error::header_limit) {
    reason = "header_too_large";
    answer =
        problem(http::status::request_header_fields_too_large, "header-too-large",
                "Request header too large",
                "The request header exceeds " + std::to_string(options.header_limit) + " bytes.");
  } else if (ec == http::error::body_limit) {
    reason = "payload_too_large";
    answer = problem(http::status::payload_too_large, "payload-too-large", "Payload too large",
                     "The request body exceeds " + std::to_string(options.body_limit) + " bytes.");
  } else if (isHttpProtocolError(ec)) {
    reason = "bad_request";
    answer = problem(http::status::bad_request, "bad-request", "Bad request",
                     "The request is not well-formed HTTP/1.1.");
  } else if (ec == beast::error::timeout) {
    countClose("timeout");
    co_return;
  } else if (ec == net::error::operation_aborted) {
    countClose("shutdown");
    co_return;
  } else {
    countClose("client");
    co_return;
  }
  if (warningAllowed()) {
    core::logWarn("rejected HTTP request",
                  {{"reason", reason}, {"ip", peer.ip}, {"error", ec.message()}});
  }
  co_await rejectAndClose(stream, conn, std::move(*answer), reason);
}

net::awaitable<void> HttpServer::State::rejectAndClose(beast::tcp_stream& stream, Connection& conn,
                                                       HttpResponse res, std::string_view reason) {
  // Counted first: a client that has read the answer also sees it counted.
  countClose(reason);
  finalize(res, 11, false, false);
  stream.expires_after(options.request_timeout);
  if (auto [ec, n] = co_await http::async_write(stream, res, kUseTuple); !ec) {
    co_await lingerClose(stream, conn);
  }
}

net::awaitable<void> HttpServer::State::lingerClose(beast::tcp_stream& stream, Connection& conn) {
  error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  conn.phase = Phase::kIdle;
  if (stopping) co_return;
  stream.expires_after(kLingerTime);
  std::array<char, kReadChunk> scratch;
  for (size_t drained = 0; drained < kLingerBytes;) {
    auto [rec, n] = co_await stream.async_read_some(net::buffer(scratch), kUseTuple);
    if (rec) break;
    drained += n;
  }
}

HttpServer::HttpServer(net::io_context& ioc, const Router& router, Metrics& metrics,
                       HttpServerOptions options)
    : state_(std::make_shared<State>(ioc, router, metrics, options)) {}

HttpServer::~HttpServer() {
  stop();
}

core::Result<tcp::endpoint> HttpServer::listen(std::string host, uint16_t port) {
  return state_->listen(host, port);
}

void HttpServer::stop() {
  state_->stop();
}

size_t HttpServer::openConnections() const {
  return state_->open.load();
}

}  // namespace sb::api
