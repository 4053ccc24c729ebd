#include "api/http_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json.hpp>
#include <future>
#include <thread>

#include "api/metrics.hpp"
#include "api/problem.hpp"
#include "api/router.hpp"
#include "core/log.hpp"
#include "support/http_client.hpp"

namespace sb::api {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;
using sb::testing::HttpClient;
using sb::testing::rawExchange;
using sb::testing::WsClient;

constexpr auto kWait = 5s;

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

HttpResponse text(std::string body) {
  HttpResponse res{http::status::ok, 11};
  res.set(http::field::content_type, "text/plain");
  res.body() = std::move(body);
  return res;
}

// A server on 127.0.0.1, port 0, its io_context run by GetParam() threads.
class HttpServerTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    router_.add(http::verb::get, "/api/v1/ping",
                [](RequestContext&) -> net::awaitable<HttpResponse> { co_return text("pong"); });
  }

  void TearDown() override {
    if (!runners_.empty()) {
      EXPECT_TRUE(stopAndJoin()) << "io_context::run() did not return";
    }
  }

  void start(HttpServerOptions options = {}) {
    server_ = std::make_unique<HttpServer>(ioc_, router_, metrics_, options);
    auto bound = server_->listen("127.0.0.1", 0);
    ASSERT_TRUE(bound.ok()) << bound.error().message;
    port_ = bound->port();
    for (int i = 0; i < GetParam(); ++i) {
      std::packaged_task<void()> task([this] { ioc_.run(); });
      runners_.push_back(task.get_future());
      threads_.emplace_back(std::move(task));
    }
  }

  // stop(), then wait for every run() to return; false (after forcing them) if one
  // does not within the limit.
  bool stopAndJoin(std::chrono::seconds limit = 10s) {
    server_->stop();
    bool returned = true;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (auto& f : runners_)
      returned = returned && f.wait_until(deadline) == std::future_status::ready;
    if (!returned) ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    runners_.clear();
    return returned;
  }

  HttpClient client() { return HttpClient("127.0.0.1", port_); }
  std::string raw(std::string_view bytes, bool* closed = nullptr,
                  std::chrono::milliseconds t = kWait) {
    return rawExchange("127.0.0.1", port_, bytes, t, closed);
  }

  net::io_context ioc_;
  Metrics metrics_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::vector<std::future<void>> runners_;
};

INSTANTIATE_TEST_SUITE_P(Threads, HttpServerTest, ::testing::Values(1, 2),
                         [](const auto& info) { return std::to_string(info.param) + "thread"; });

TEST_P(HttpServerTest, RoutesWithDecodedParamsAndQuery) {
  router_.add(http::verb::get, "/api/v1/items/{id}",
              [](RequestContext& ctx) -> net::awaitable<HttpResponse> {
                co_return jsonResponse(http::status::ok, {{"id", ctx.param("id")},
                                                          {"q", ctx.queryParam("q").value_or("-")},
                                                          {"route", ctx.route},
                                                          {"ip", ctx.client_ip},
                                                          {"loopback", ctx.client_loopback}});
              });
  start();
  auto res = client().get("/api/v1/items/a%20b%2Bc?q=x%2By+z");
  ASSERT_EQ(res.status, 200u) << res.error;
  EXPECT_EQ(res.header("content-type"), "application/json");
  EXPECT_EQ(res.header("server"), "switchboard");
  EXPECT_EQ(res.header("cache-control"), "no-store");
  EXPECT_EQ(res.header("content-length"), std::to_string(res.body.size()));
  const auto body = res.json();
  ASSERT_TRUE(body.is_object()) << res.body;
  EXPECT_EQ(body.at("id"), "a b+c");
  EXPECT_EQ(body.at("q"), "x+y z");
  EXPECT_EQ(body.at("route"), "/api/v1/items/{id}");
  EXPECT_EQ(body.at("ip"), "127.0.0.1");
  EXPECT_EQ(body.at("loopback"), true);
}

TEST_P(HttpServerTest, HeadersAHandlerSetAreKept) {
  router_.add(http::verb::get, "/cached", [](RequestContext&) -> net::awaitable<HttpResponse> {
    HttpResponse res = text("x");
    res.set(http::field::cache_control, "max-age=60");
    res.set(http::field::server, "custom");
    co_return res;
  });
  start();
  auto res = client().get("/cached");
  ASSERT_EQ(res.status, 200u) << res.error;
  EXPECT_EQ(res.header("cache-control"), "max-age=60");
  EXPECT_EQ(res.header("server"), "custom");
}

TEST_P(HttpServerTest, UnknownPathIsANotFoundProblem) {
  start();
  auto res = client().get("/api/v1/nope");
  EXPECT_EQ(res.status, 404u) << res.error;
  EXPECT_EQ(res.header("content-type"), "application/problem+json");
  const auto body = res.json();
  ASSERT_TRUE(body.is_object()) << res.body;
  EXPECT_EQ(body.at("type"), "/problems/not-found");
  EXPECT_EQ(body.at("status"), 404);
  EXPECT_TRUE(body.as_object().contains("title"));
  EXPECT_TRUE(body.as_object().contains("detail"));
}

TEST_P(HttpServerTest, WrongMethodIsAMethodNotAllowedProblemWithAllow) {
  router_.add(http::verb::post, "/api/v1/ping",
              [](RequestContext&) -> net::awaitable<HttpResponse> { co_return noContent(); });
  start();
  auto res = client().request(http::verb::delete_, "/api/v1/ping");
  EXPECT_EQ(res.status, 405u) << res.error;
  EXPECT_EQ(res.header("allow"), "GET, HEAD, POST");
  EXPECT_EQ(res.header("content-type"), "application/problem+json");
  EXPECT_EQ(res.json().at("type"), "/problems/method-not-allowed");
}

TEST_P(HttpServerTest, MalformedEscapeIsABadRequest) {
  start();
  auto res = client().get("/api/v1/%zz");
  EXPECT_EQ(res.status, 400u) << res.error;
  EXPECT_EQ(res.json().at("type"), "/problems/invalid-path");
}

TEST_P(HttpServerTest, NoContentHasNoBodyOrLength) {
  router_.add(http::verb::delete_, "/api/v1/items/{id}",
              [](RequestContext&) -> net::awaitable<HttpResponse> { co_return noContent(); });
  start();
  auto c = client();
  auto res = c.request(http::verb::delete_, "/api/v1/items/1");
  EXPECT_EQ(res.status, 204u) << res.error;
  EXPECT_TRUE(res.body.empty());
  EXPECT_EQ(res.header("content-length"), "");
  EXPECT_EQ(c.get("/api/v1/ping").body, "pong");  // framing intact after the 204
}

TEST_P(HttpServerTest, HeadAnswersWithTheGetLengthAndNoBody) {
  start();
  auto c = client();
  auto head = c.request(http::verb::head, "/api/v1/ping");
  EXPECT_EQ(head.status, 200u) << head.error;
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("content-length"), "4");
  EXPECT_EQ(c.get("/api/v1/ping").body, "pong");
  EXPECT_EQ(c.connects(), 1);
}

TEST_P(HttpServerTest, BodyOverTheLimitIsRefusedUnhandled) {
  std::atomic<int> handled{0};
  router_.add(http::verb::post, "/api/v1/upload",
              [&](RequestContext&) -> net::awaitable<HttpResponse> {
                ++handled;
                co_return noContent();
              });
  start();
  auto res = client().request(http::verb::post, "/api/v1/upload", std::string(2 << 20, 'x'));
  EXPECT_EQ(res.status, 413u) << res.error;
  EXPECT_EQ(res.header("content-type"), "application/problem+json");
  EXPECT_EQ(res.json().at("type"), "/problems/payload-too-large");
  EXPECT_EQ(res.header("connection"), "close");
  EXPECT_EQ(handled.load(), 0);
  EXPECT_TRUE(contains(metrics_.render(),
                       "sb_http_connections_closed_total{reason=\"payload_too_large\"} 1"));
}

TEST_P(HttpServerTest, ChunkedBodyOverTheLimitIsRefusedUnhandled) {
  std::atomic<int> handled{0};
  router_.add(http::verb::post, "/api/v1/upload",
              [&](RequestContext&) -> net::awaitable<HttpResponse> {
                ++handled;
                co_return noContent();
              });
  start();
  const size_t size = 2 << 20;
  std::string chunked = [&] {
    std::ostringstream os;
    os << std::hex << size << "\r\n" << std::string(size, 'x') << "\r\n0\r\n\r\n";
    return os.str();
  }();
  auto res = client().request(http::verb::post, "/api/v1/upload", std::move(chunked),
                              {{"Transfer-Encoding", "chunked"}});
  EXPECT_EQ(res.status, 413u) << res.error;
  EXPECT_EQ(handled.load(), 0);
}

TEST_P(HttpServerTest, BodyWithinTheLimitReachesTheHandler) {
  router_.add(http::verb::post, "/api/v1/echo",
              [](RequestContext& ctx) -> net::awaitable<HttpResponse> {
                co_return text(ctx.request.body());
              });
  start();
  const std::string body(100'000, 'y');
  auto res = client().request(http::verb::post, "/api/v1/echo", body);
  EXPECT_EQ(res.status, 200u) << res.error;
  EXPECT_EQ(res.body, body);
}

TEST_P(HttpServerTest, ExpectContinueGetsAnInterimAnswer) {
  router_.add(http::verb::post, "/api/v1/echo",
              [](RequestContext& ctx) -> net::awaitable<HttpResponse> {
                co_return text(ctx.request.body());
              });
  start();
  bool closed = false;
  const std::string out =
      raw("POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n"
          "Connection: close\r\n\r\nhello",
          &closed);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")) << out;
  EXPECT_TRUE(out.ends_with("\r\n\r\nhello")) << out;
  EXPECT_TRUE(closed);
}

TEST_P(HttpServerTest, OversizedHeaderIsRefused) {
  HttpServerOptions options;
  options.header_limit = 8 * 1024;
  start(options);
  auto res = client().request(http::verb::get, "/api/v1/ping", "",
                              {{"X-Big", std::string(20 * 1024, 'h')}});
  EXPECT_EQ(res.status, 431u) << res.error;
  EXPECT_EQ(res.json().at("type"), "/problems/header-too-large");
}

TEST_P(HttpServerTest, GarbageIsABadRequestAndTheConnectionCloses) {
  start();
  bool closed = false;
  const std::string out = raw("\x01\x02\x03 garbage \xff\r\n\r\n", &closed);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400 Bad Request\r\n")) << out;
  EXPECT_TRUE(contains(out, "application/problem+json")) << out;
  EXPECT_TRUE(contains(out, "/problems/bad-request")) << out;
  EXPECT_TRUE(closed);
}

TEST_P(HttpServerTest, AmbiguousFramingIsABadRequest) {
  router_.add(http::verb::post, "/api/v1/echo",
              [](RequestContext& ctx) -> net::awaitable<HttpResponse> {
                co_return text(ctx.request.body());
              });
  start();
  for (const char* request :
       {"POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n"
        "Content-Length: 5\r\n\r\nhello",
        "POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n"
        "\r\nhello!"}) {
    bool closed = false;
    const std::string out = raw(request, &closed);
    EXPECT_TRUE(out.starts_with("HTTP/1.1 400 Bad Request\r\n")) << request << "\n→ " << out;
    EXPECT_TRUE(closed);
  }
}

TEST_P(HttpServerTest, Http11WithoutHostIsABadRequest) {
  start();
  const std::string out = raw("GET /api/v1/ping HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400 Bad Request\r\n")) << out;
}

TEST_P(HttpServerTest, AbsoluteFormTargetIsServed) {
  start();
  const std::string out =
      raw("GET http://example.com/api/v1/ping HTTP/1.1\r\nHost: example.com\r\nConnection: "
          "close\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200 OK\r\n")) << out;
  EXPECT_TRUE(out.ends_with("pong")) << out;
}

TEST_P(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  auto c = client();
  for (int i = 0; i < 3; ++i) {
    auto res = c.get("/api/v1/ping");
    ASSERT_EQ(res.status, 200u) << res.error;
    EXPECT_EQ(res.body, "pong");
    EXPECT_NE(res.header("connection"), "close");
  }
  EXPECT_EQ(c.connects(), 1);
  EXPECT_EQ(server_->openConnections(), 1u);
  EXPECT_TRUE(contains(metrics_.render(), "sb_http_connections_accepted_total 1\n"));
}

TEST_P(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  bool closed = false;
  const std::string out =
      raw("GET /api/v1/ping HTTP/1.1\r\nHost: t\r\n\r\n"
          "GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
          &closed);
  const size_t first = out.find("HTTP/1.1 200 OK");
  const size_t second = out.find("HTTP/1.1 404 Not Found");
  EXPECT_EQ(first, 0u) << out;
  EXPECT_NE(second, std::string::npos) << out;
  EXPECT_GT(second, first);
  EXPECT_TRUE(closed);
}

TEST_P(HttpServerTest, Http10ClosesUnlessAskedToKeepAlive) {
  start();
  bool closed = false;
  const std::string out = raw("GET /api/v1/ping HTTP/1.0\r\n\r\n", &closed);
  EXPECT_TRUE(out.starts_with("HTTP/1.0 200 OK\r\n")) << out;
  EXPECT_TRUE(out.ends_with("\r\n\r\npong")) << out;
  EXPECT_TRUE(closed);
}

TEST_P(HttpServerTest, Http10KeepAliveIsHonouredUntilIdleTimeout) {
  HttpServerOptions options;
  options.idle_timeout = 200ms;
  start(options);
  bool closed = false;
  const std::string out =
      raw("GET /api/v1/ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
          "GET /api/v1/ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
          &closed);
  EXPECT_TRUE(contains(out, "Connection: keep-alive\r\n")) << out;
  EXPECT_NE(out.find("HTTP/1.0 200 OK", 1), std::string::npos) << "second answer missing: " << out;
  EXPECT_TRUE(closed);
}

TEST_P(HttpServerTest, IdleTimeoutClosesTheConnection) {
  HttpServerOptions options;
  options.idle_timeout = 200ms;
  start(options);
  auto c = client();
  ASSERT_EQ(c.get("/api/v1/ping").status, 200u);
  const auto since = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.waitForServerClose(kWait));
  // Closed by the idle timer, not right after the answer.
  EXPECT_GE(std::chrono::steady_clock::now() - since, 100ms);
  // The stream's timer closes the socket before the server counts why, so look once
  // the server has wound down.
  ASSERT_TRUE(stopAndJoin());
  EXPECT_TRUE(
      contains(metrics_.render(), "sb_http_connections_closed_total{reason=\"idle_timeout\"} 1"));
}

TEST_P(HttpServerTest, SlowHeaderIsCutOff) {
  HttpServerOptions options;
  options.header_timeout = 200ms;
  start(options);
  bool closed = false;
  const auto since = std::chrono::steady_clock::now();
  const std::string out = raw("GET /api/v1/ping HTTP/1.1\r\nHost: t\r\n", &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(out.empty()) << out;
  EXPECT_LT(std::chrono::steady_clock::now() - since, kWait);
}

TEST_P(HttpServerTest, ThrowingHandlerIsAnInternalErrorAndServingGoesOn) {
  router_.add(http::verb::get, "/api/v1/boom", [](RequestContext&) -> net::awaitable<HttpResponse> {
    throw std::runtime_error("kaboom: table agents is locked");
    co_return text("never");
  });
  start();
  std::string log;
  core::setLogCapture(&log);
  auto c = client();
  auto res = c.get("/api/v1/boom");
  core::setLogCapture(nullptr);
  EXPECT_EQ(res.status, 500u) << res.error;
  EXPECT_EQ(res.header("content-type"), "application/problem+json");
  EXPECT_EQ(res.json().at("type"), "/problems/internal");
  EXPECT_FALSE(contains(res.body, "kaboom")) << "internals leaked: " << res.body;
  EXPECT_TRUE(contains(log, "kaboom: table agents is locked")) << log;
  EXPECT_EQ(c.get("/api/v1/ping").status, 200u);
  EXPECT_EQ(c.connects(), 1);
}

TEST_P(HttpServerTest, MetricsLabelRequestsByRoutePattern) {
  router_.add(http::verb::get, "/api/v1/items/{id}",
              [](RequestContext&) -> net::awaitable<HttpResponse> { co_return text("item"); });
  start();
  auto c = client();
  EXPECT_EQ(c.get("/api/v1/items/1").status, 200u);
  EXPECT_EQ(c.get("/api/v1/items/2").status, 200u);
  EXPECT_EQ(c.get("/api/v1/elsewhere").status, 404u);
  const std::string out = metrics_.render();
  EXPECT_TRUE(contains(
      out,
      "sb_http_requests_total{method=\"GET\",route=\"/api/v1/items/{id}\",status=\"200\"} 2\n"))
      << out;
  EXPECT_TRUE(contains(
      out, "sb_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n"))
      << out;
  EXPECT_TRUE(
      contains(out, "sb_http_request_duration_seconds_count{route=\"/api/v1/items/{id}\"} 2\n"))
      << out;
  EXPECT_FALSE(contains(out, "/api/v1/items/1")) << out;
  EXPECT_FALSE(contains(out, "/api/v1/elsewhere")) << out;
  EXPECT_TRUE(contains(out, "sb_http_connections_open 1\n")) << out;
}

TEST_P(HttpServerTest, ConnectionsPastTheLimitAreClosedAndCounted) {
  HttpServerOptions options;
  options.max_connections = 1;
  start(options);
  auto first = client();
  ASSERT_EQ(first.get("/api/v1/ping").status, 200u);
  bool closed = false;
  const std::string out = raw("GET /api/v1/ping HTTP/1.1\r\nHost: t\r\n\r\n", &closed);
  EXPECT_TRUE(out.empty()) << out;
  EXPECT_TRUE(closed);
  EXPECT_TRUE(contains(metrics_.render(),
                       "sb_http_connections_closed_total{reason=\"over_capacity\"} 1\n"));
  EXPECT_EQ(first.get("/api/v1/ping").status, 200u);
}

// Echoes text messages until the client closes; tells the test how the session ended.
WebSocketHandler echo(std::promise<std::string>& ended) {
  return [&ended](WebSocket ws, HttpRequest req, WebSocketContext) -> net::awaitable<void> {
    co_await ws.async_accept(req, net::use_awaitable);
    beast::flat_buffer buffer;
    for (;;) {
      auto [ec, n] = co_await ws.async_read(buffer, net::as_tuple(net::use_awaitable));
      if (ec) {
        ended.set_value(ec == websocket::error::closed ? "closed" : ec.message());
        co_return;
      }
      ws.text(ws.got_text());
      co_await ws.async_write(buffer.data(), net::use_awaitable);
      buffer.consume(buffer.size());
    }
  };
}

TEST_P(HttpServerTest, WebSocketEchoesAndTheGaugeReturnsToZero) {
  std::promise<std::string> ended;
  router_.addWebSocket("/api/v1/echo", echo(ended));
  start();
  WsClient ws;
  ASSERT_TRUE(ws.connect("127.0.0.1", port_, "/api/v1/echo")) << ws.handshakeResponse().error;
  EXPECT_EQ(ws.handshakeResponse().status, 101u);
  ASSERT_TRUE(ws.send("hello"));
  EXPECT_EQ(ws.receive(kWait), "hello");
  ASSERT_TRUE(ws.send("again"));
  EXPECT_EQ(ws.receive(kWait), "again");
  EXPECT_EQ(ws.receive(50ms), std::nullopt);  // nothing else queued; the stream stays usable
  EXPECT_TRUE(contains(metrics_.render(), "sb_websockets_open 1\n"));
  ASSERT_TRUE(ws.send("third"));
  EXPECT_EQ(ws.receive(kWait), "third");

  EXPECT_TRUE(ws.close());
  auto outcome = ended.get_future();
  ASSERT_EQ(outcome.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(outcome.get(), "closed");  // the client's close ended it, not stop()
  ASSERT_TRUE(stopAndJoin());
  const std::string out = metrics_.render();
  EXPECT_TRUE(contains(out, "sb_websockets_open 0\n")) << out;
  EXPECT_TRUE(contains(out, "sb_websocket_sessions_total{route=\"/api/v1/echo\"} 1\n")) << out;
  EXPECT_EQ(server_->openConnections(), 0u);
}

TEST_P(HttpServerTest, WebSocketHandlerMayRefuseWithAnHttpAnswer) {
  router_.addWebSocket(
      "/api/v1/events",
      [](WebSocket ws, HttpRequest req, WebSocketContext ctx) -> net::awaitable<void> {
        if (req[http::field::authorization] != "Bearer good") {
          HttpResponse res = problem(http::status::unauthorized, "unauthenticated",
                                     "Authentication required", "No token.");
          res.keep_alive(false);
          co_await http::async_write(ws.next_layer(), res, net::use_awaitable);
          co_return;
        }
        EXPECT_TRUE(ctx.client_loopback);
        co_await ws.async_accept(req, net::use_awaitable);
        co_await ws.async_close(websocket::close_code::policy_error, net::use_awaitable);
      });
  start();
  WsClient refused;
  EXPECT_FALSE(refused.connect("127.0.0.1", port_, "/api/v1/events"));
  EXPECT_EQ(refused.handshakeResponse().status, 401u);

  WsClient accepted;
  ASSERT_TRUE(
      accepted.connect("127.0.0.1", port_, "/api/v1/events", {{"Authorization", "Bearer good"}}));
  EXPECT_EQ(accepted.receive(kWait), std::nullopt);
  EXPECT_TRUE(accepted.closed());
  ASSERT_TRUE(accepted.closeReason().has_value());
  EXPECT_EQ(accepted.closeReason()->code, uint16_t(websocket::close_code::policy_error));
}

TEST_P(HttpServerTest, UpgradeOnAPathWithoutWebSocketIsNotFound) {
  start();
  WsClient ws;
  EXPECT_FALSE(ws.connect("127.0.0.1", port_, "/api/v1/ping"));
  EXPECT_EQ(ws.handshakeResponse().status, 404u);
}

TEST_P(HttpServerTest, PlainRequestOnAWebSocketPathAsksForAnUpgrade) {
  std::promise<std::string> ended;
  router_.addWebSocket("/api/v1/echo", echo(ended));
  start();
  auto res = client().get("/api/v1/echo");
  EXPECT_EQ(res.status, 426u) << res.error;
  EXPECT_EQ(res.header("upgrade"), "websocket");
}

TEST_P(HttpServerTest, StopClosesIdleAndWebSocketConnectionsAndRunReturns) {
  std::promise<std::string> ended;
  router_.addWebSocket("/api/v1/echo", echo(ended));
  start();
  auto idle = client();
  ASSERT_EQ(idle.get("/api/v1/ping").status, 200u);
  WsClient ws;
  ASSERT_TRUE(ws.connect("127.0.0.1", port_, "/api/v1/echo"));
  ASSERT_TRUE(ws.send("x"));
  ASSERT_EQ(ws.receive(kWait), "x");

  ASSERT_TRUE(stopAndJoin());
  EXPECT_TRUE(idle.waitForServerClose(kWait));
  EXPECT_EQ(ws.receive(kWait), std::nullopt);
  EXPECT_TRUE(ws.closed());
  EXPECT_EQ(server_->openConnections(), 0u);
  EXPECT_TRUE(contains(metrics_.render(), "sb_websockets_open 0\n"));
  EXPECT_FALSE(server_->listen("127.0.0.1", 0).ok());
}

TEST_P(HttpServerTest, StopLetsARequestInFlightFinish) {
  // The handler parks on a timer of its connection's strand and hands it over; a cancel
  // posted to that strand can only run once the handler is suspended on it.
  using Gate = std::shared_ptr<net::steady_timer>;
  std::promise<Gate> entered;
  router_.add(http::verb::get, "/api/v1/slow",
              [&](RequestContext&) -> net::awaitable<HttpResponse> {
                auto gate = std::make_shared<net::steady_timer>(
                    co_await net::this_coro::executor, net::steady_timer::time_point::max());
                entered.set_value(gate);
                co_await gate->async_wait(net::as_tuple(net::use_awaitable));
                co_return text("done");
              });
  start();
  auto answer = std::async(std::launch::async, [this] { return client().get("/api/v1/slow"); });
  auto gate_ready = entered.get_future();
  ASSERT_EQ(gate_ready.wait_for(kWait), std::future_status::ready);
  Gate gate = gate_ready.get();
  server_->stop();
  net::post(gate->get_executor(), [gate] { gate->cancel(); });
  ASSERT_EQ(answer.wait_for(kWait), std::future_status::ready);
  auto res = answer.get();
  EXPECT_EQ(res.status, 200u) << res.error;
  EXPECT_EQ(res.body, "done");
  EXPECT_EQ(res.header("connection"), "close");
  EXPECT_TRUE(stopAndJoin());
}

TEST_P(HttpServerTest, ListensOnIpv6Loopback) {
  start();
  auto bound = server_->listen("::1", 0);
  if (!bound.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << bound.error().message;
  EXPECT_TRUE(bound->address().is_v6());
  HttpClient c("::1", bound->port());
  auto res = c.get("/api/v1/ping");
  EXPECT_EQ(res.status, 200u) << res.error;
}

TEST_P(HttpServerTest, ListenReportsBadAddressesAndBusyPorts) {
  start();
  auto bad = server_->listen("no such host.invalid", 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidInput);
  auto busy = server_->listen("127.0.0.1", port_);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, core::ErrorCode::kUnavailable);
}

TEST(ProblemTest, BodyIsAProblemDetailsObject) {
  HttpResponse res =
      problem(http::status::conflict, "conflict", "Conflict", "Name \"x\" is taken.");
  EXPECT_EQ(res.result(), http::status::conflict);
  EXPECT_EQ(res[http::field::content_type], "application/problem+json");
  const auto body = boost::json::parse(res.body()).as_object();
  EXPECT_EQ(body.at("type"), "/problems/conflict");
  EXPECT_EQ(body.at("title"), "Conflict");
  EXPECT_EQ(body.at("status"), 409);
  EXPECT_EQ(body.at("detail"), "Name \"x\" is taken.");
  EXPECT_EQ(res[http::field::content_length], std::to_string(res.body().size()));
}

TEST(ProblemTest, ErrorCodesMapToStatusesAndSlugs) {
  struct Case {
    core::ErrorCode code;
    unsigned status;
    const char* type;
  };
  for (const Case& c : {Case{core::ErrorCode::kInvalidInput, 422, "/problems/invalid-input"},
                        Case{core::ErrorCode::kNotFound, 404, "/problems/not-found"},
                        Case{core::ErrorCode::kConflict, 409, "/problems/conflict"},
                        Case{core::ErrorCode::kUnauthenticated, 401, "/problems/unauthenticated"},
                        Case{core::ErrorCode::kForbidden, 403, "/problems/forbidden"},
                        Case{core::ErrorCode::kTooManyRequests, 429, "/problems/too-many-requests"},
                        Case{core::ErrorCode::kUnavailable, 503, "/problems/unavailable"}}) {
    HttpResponse res = problemFromError(core::makeError(c.code, "the detail"));
    EXPECT_EQ(res.result_int(), c.status) << core::toString(c.code);
    const auto body = boost::json::parse(res.body()).as_object();
    EXPECT_EQ(body.at("type"), c.type);
    EXPECT_EQ(body.at("detail"), "the detail");
  }
}

TEST(ProblemTest, ServerFaultsHideTheirMessage) {
  std::string log;
  core::setLogCapture(&log);
  for (core::ErrorCode code : {core::ErrorCode::kStorage, core::ErrorCode::kInternal}) {
    HttpResponse res = problemFromError(core::makeError(code, "SQLITE_BUSY on /var/lib/sb/db"));
    EXPECT_EQ(res.result_int(), 500u);
    EXPECT_FALSE(contains(res.body(), "SQLITE")) << res.body();
    EXPECT_EQ(boost::json::parse(res.body()).at("type"), "/problems/internal");
  }
  core::setLogCapture(nullptr);
  EXPECT_TRUE(contains(log, "SQLITE_BUSY on /var/lib/sb/db")) << log;
}

TEST(ProblemTest, RetryAfterIsSentWhenKnown) {
  core::Error error = core::makeError(core::ErrorCode::kTooManyRequests, "Slow down.");
  error.retry_after = std::chrono::seconds(30);
  EXPECT_EQ(problemFromError(error)[http::field::retry_after], "30");
  EXPECT_EQ(problemFromError(core::makeError(core::ErrorCode::kUnavailable, "Busy."))
                .count(http::field::retry_after),
            0u);
}

TEST(ProblemTest, JsonResponseAndNoContent) {
  HttpResponse res = jsonResponse(http::status::created, {{"id", "a1"}});
  EXPECT_EQ(res.result(), http::status::created);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res.body(), R"({"id":"a1"})");
  HttpResponse none = noContent();
  EXPECT_EQ(none.result(), http::status::no_content);
  EXPECT_TRUE(none.body().empty());
  EXPECT_EQ(none.count(http::field::content_type), 0u);
}

}  // namespace
}  // namespace sb::api
