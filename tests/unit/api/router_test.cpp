#include "api/router.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <future>

namespace sb::api {
namespace {

namespace net = boost::asio;
using Kind = RouteMatch::Kind;

// A handler whose answer names the route, so a test can tell which one a match picked.
Handler answer(std::string body) {
  return [body](RequestContext&) -> net::awaitable<HttpResponse> {
    HttpResponse res{http::status::ok, 11};
    res.body() = body;
    co_return res;
  };
}

std::string run(const Handler& handler, const HttpRequest& req) {
  net::io_context ioc;
  RequestContext ctx{req, "/", "", {}, "127.0.0.1", true, "/"};
  std::future<HttpResponse> out = net::co_spawn(
      ioc, [&]() { return handler(ctx); }, net::use_future);
  ioc.run();
  return out.get().body();
}

class RouterTest : public ::testing::Test {
 protected:
  Router router_;
  HttpRequest req_{http::verb::get, "/", 11};
};

TEST_F(RouterTest, MatchesALiteralRoute) {
  router_.add(http::verb::get, "/api/v1/health", answer("health"));
  RouteMatch m = router_.match(http::verb::get, "/api/v1/health");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.route, "/api/v1/health");
  EXPECT_TRUE(m.params.empty());
  EXPECT_EQ(run(*m.handler, req_), "health");
}

TEST_F(RouterTest, RootPatternMatchesOnlyTheRoot) {
  router_.add(http::verb::get, "/", answer("root"));
  EXPECT_EQ(router_.match(http::verb::get, "/").kind, Kind::kFound);
  EXPECT_EQ(router_.match(http::verb::get, "/x").kind, Kind::kNotFound);
}

TEST_F(RouterTest, ExtractsPathParameters) {
  router_.add(http::verb::get, "/api/v1/orgs/{org}/queues/{queue}", answer("queue"));
  RouteMatch m = router_.match(http::verb::get, "/api/v1/orgs/acme/queues/sales");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.route, "/api/v1/orgs/{org}/queues/{queue}");
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"org", "acme"}));
  EXPECT_EQ(m.params[1], (std::pair<std::string, std::string>{"queue", "sales"}));
}

TEST_F(RouterTest, PercentDecodesParametersButNotPlus) {
  router_.add(http::verb::get, "/api/v1/admin/agents/{id}", answer("agent"));
  RouteMatch m = router_.match(http::verb::get, "/api/v1/admin/agents/a%20b%C3%A9+c");
  ASSERT_EQ(m.kind, Kind::kFound);
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].second, "a b\xC3\xA9+c");
}

TEST_F(RouterTest, LiteralSegmentsCompareDecoded) {
  router_.add(http::verb::get, "/api/v1/admin/agents", answer("agents"));
  EXPECT_EQ(router_.match(http::verb::get, "/api/v1/%61dmin/agents").kind, Kind::kFound);
}

TEST_F(RouterTest, MalformedEscapesMakeTheWholePathInvalid) {
  router_.add(http::verb::get, "/a/{id}", answer("a"));
  for (const char* path : {"/a/%", "/a/%4", "/a/%zz", "/a/%G0", "/%/x"}) {
    EXPECT_EQ(router_.match(http::verb::get, path).kind, Kind::kInvalidPath) << path;
  }
  EXPECT_EQ(router_.match(http::verb::get, "relative").kind, Kind::kInvalidPath);
}

TEST_F(RouterTest, DecodedSlashNulAndDotSegmentsMatchNoParameter) {
  router_.add(http::verb::get, "/agents/{id}", answer("agent"));
  for (const char* path : {"/agents/a%2Fb", "/agents/a%2fb", "/agents/a%00", "/agents/..",
                           "/agents/%2E%2E", "/agents/."}) {
    EXPECT_EQ(router_.match(http::verb::get, path).kind, Kind::kNotFound) << path;
  }
}

TEST_F(RouterTest, EmptySegmentsAndTrailingSlashesDoNotMatch) {
  router_.add(http::verb::get, "/a/{id}", answer("a"));
  router_.add(http::verb::get, "/b", answer("b"));
  EXPECT_EQ(router_.match(http::verb::get, "/a/").kind, Kind::kNotFound);
  EXPECT_EQ(router_.match(http::verb::get, "/a//").kind, Kind::kNotFound);
  EXPECT_EQ(router_.match(http::verb::get, "/b/").kind, Kind::kNotFound);
  EXPECT_EQ(router_.match(http::verb::get, "//b").kind, Kind::kNotFound);
  EXPECT_EQ(router_.match(http::verb::get, "/c").kind, Kind::kNotFound);
}

TEST_F(RouterTest, WrongMethodListsTheAllowedOnes) {
  router_.add(http::verb::get, "/items", answer("list"));
  router_.add(http::verb::post, "/items", answer("create"));
  RouteMatch m = router_.match(http::verb::delete_, "/items");
  EXPECT_EQ(m.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
  EXPECT_EQ(m.route, "/items");
}

TEST_F(RouterTest, HeadFallsBackToGetUnlessRegistered) {
  router_.add(http::verb::get, "/a", answer("get"));
  router_.add(http::verb::get, "/b", answer("get b"));
  router_.add(http::verb::head, "/b", answer("head b"));
  RouteMatch a = router_.match(http::verb::head, "/a");
  ASSERT_EQ(a.kind, Kind::kFound);
  EXPECT_EQ(run(*a.handler, req_), "get");
  RouteMatch b = router_.match(http::verb::head, "/b");
  ASSERT_EQ(b.kind, Kind::kFound);
  EXPECT_EQ(run(*b.handler, req_), "head b");
}

TEST_F(RouterTest, LiteralBeatsParameterAndTheWalkBacksUp) {
  router_.add(http::verb::get, "/a/new", answer("literal"));
  router_.add(http::verb::get, "/a/{id}/edit", answer("edit"));
  router_.add(http::verb::get, "/a/{id}", answer("param"));
  RouteMatch literal = router_.match(http::verb::get, "/a/new");
  ASSERT_EQ(literal.kind, Kind::kFound);
  EXPECT_EQ(literal.route, "/a/new");
  RouteMatch backed_up = router_.match(http::verb::get, "/a/new/edit");
  ASSERT_EQ(backed_up.kind, Kind::kFound);
  EXPECT_EQ(backed_up.route, "/a/{id}/edit");
  EXPECT_EQ(backed_up.params.at(0).second, "new");
}

TEST_F(RouterTest, MethodIsLookedForAcrossEveryMatchingPattern) {
  router_.add(http::verb::post, "/a/new", answer("create"));
  router_.add(http::verb::get, "/a/{id}", answer("show"));
  RouteMatch get = router_.match(http::verb::get, "/a/new");
  ASSERT_EQ(get.kind, Kind::kFound);
  EXPECT_EQ(get.route, "/a/{id}");
  RouteMatch put = router_.match(http::verb::put, "/a/new");
  EXPECT_EQ(put.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(put.allow, "GET, HEAD, POST");
}

TEST_F(RouterTest, RestParameterTakesTheRemainingSegments) {
  router_.add(http::verb::get, "/static/{path...}", answer("file"));
  RouteMatch m = router_.match(http::verb::get, "/static/js/app%20v2.js");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.params.at(0), (std::pair<std::string, std::string>{"path", "js/app v2.js"}));
  EXPECT_EQ(router_.match(http::verb::get, "/static").kind, Kind::kNotFound);
  EXPECT_EQ(router_.match(http::verb::get, "/static/").kind, Kind::kNotFound);
  EXPECT_EQ(router_.match(http::verb::get, "/static/../etc/passwd").kind, Kind::kNotFound);
  EXPECT_EQ(router_.match(http::verb::get, "/static/a/%2e%2e/b").kind, Kind::kNotFound);
}

TEST_F(RouterTest, WebSocketRoutesAreSeparateFromHttpRoutes) {
  router_.addWebSocket(
      "/api/v1/events",
      [](WebSocket, HttpRequest, WebSocketContext) -> net::awaitable<void> { co_return; });
  router_.addWebSocket(
      "/api/v1/calls/{id}/audio",
      [](WebSocket, HttpRequest, WebSocketContext) -> net::awaitable<void> { co_return; });
  RouteMatch ws = router_.matchWebSocket("/api/v1/events");
  ASSERT_EQ(ws.kind, Kind::kFound);
  EXPECT_NE(ws.websocket, nullptr);
  EXPECT_EQ(router_.match(http::verb::get, "/api/v1/events").kind, Kind::kNotFound);
  RouteMatch audio = router_.matchWebSocket("/api/v1/calls/c%2D1/audio");
  ASSERT_EQ(audio.kind, Kind::kFound);
  EXPECT_EQ(audio.params.at(0).second, "c-1");
  EXPECT_EQ(router_.matchWebSocket("/api/v1/other").kind, Kind::kNotFound);
}

TEST_F(RouterTest, FallbackTakesWhatNoRouteOwns) {
  router_.add(http::verb::get, "/healthz", answer("healthz"));
  router_.add(http::verb::get, "/api/v1/me", answer("me"));
  router_.addWebSocket(
      "/sip", [](WebSocket, HttpRequest, WebSocketContext) -> net::awaitable<void> { co_return; });
  EXPECT_EQ(router_.match(http::verb::get, "/history").kind, Kind::kNotFound) << "no fallback yet";
  router_.setFallback("/{file...}", answer("web"));

  for (const char* path :
       {"/", "/history", "/assets/app-1.js", "/%2e%2e/x", "/a//b", "/healthzz"}) {
    SCOPED_TRACE(path);
    for (http::verb method : {http::verb::get, http::verb::head, http::verb::post}) {
      RouteMatch m = router_.match(method, path);
      ASSERT_EQ(m.kind, Kind::kFound);
      EXPECT_EQ(m.route, "/{file...}");
      EXPECT_TRUE(m.params.empty());
      EXPECT_EQ(run(*m.handler, req_), "web");
    }
  }
  // Routes win, and keep their 405s.
  EXPECT_EQ(run(*router_.match(http::verb::get, "/healthz").handler, req_), "healthz");
  EXPECT_EQ(run(*router_.match(http::verb::get, "/api/v1/me").handler, req_), "me");
  RouteMatch post = router_.match(http::verb::post, "/api/v1/me");
  EXPECT_EQ(post.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(post.allow, "GET, HEAD");
  // A path under a route's first segment stays the routes' (404), decoded or not.
  for (const char* path :
       {"/api", "/api/v1/typo", "/api/index.html", "/%61pi/v1/x", "/healthz/x", "/sip/x"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(router_.match(http::verb::get, path).kind, Kind::kNotFound);
  }
  // A WebSocket path is left to the server (426 without an upgrade).
  EXPECT_EQ(router_.match(http::verb::get, "/sip").kind, Kind::kNotFound);
  // Malformed escapes are still a 400.
  EXPECT_EQ(router_.match(http::verb::get, "/%zz").kind, Kind::kInvalidPath);
}

TEST(RequestContextTest, QueryParametersArePercentDecoded) {
  HttpRequest req{http::verb::get, "/", 11};
  RequestContext ctx{
      req, "/x", "a=1&b=x%20y&c=p+q&bad=%zz&flag&a=2&nul=%00&empty=", {}, "127.0.0.1", true, "/x"};
  EXPECT_EQ(ctx.queryParam("a"), "1");
  EXPECT_EQ(ctx.queryParam("b"), "x y");
  EXPECT_EQ(ctx.queryParam("c"), "p q");
  EXPECT_EQ(ctx.queryParam("flag"), "");
  EXPECT_EQ(ctx.queryParam("empty"), "");
  EXPECT_EQ(ctx.queryParam("bad"), std::nullopt);
  EXPECT_EQ(ctx.queryParam("nul"), std::nullopt);
  EXPECT_EQ(ctx.queryParam("missing"), std::nullopt);
}

TEST(RequestContextTest, ParamIsEmptyWhenAbsent) {
  HttpRequest req{http::verb::get, "/", 11};
  RequestContext ctx{req, "/a/1", "", {{"id", "1"}}, "", false, "/a/{id}"};
  EXPECT_EQ(ctx.param("id"), "1");
  EXPECT_EQ(ctx.param("other"), "");
}

TEST(PercentDecodeTest, DecodesEscapesAndRejectsMalformedOnes) {
  EXPECT_EQ(percentDecode("a%2Fb%2f"), "a/b/");
  EXPECT_EQ(percentDecode("a+b"), "a+b");
  EXPECT_EQ(percentDecode("a+b", true), "a b");
  EXPECT_EQ(percentDecode(""), "");
  EXPECT_EQ(percentDecode("%"), std::nullopt);
  EXPECT_EQ(percentDecode("%1"), std::nullopt);
  EXPECT_EQ(percentDecode("%x1"), std::nullopt);
  EXPECT_EQ(percentDecode("ok%"), std::nullopt);
}

using RouterDeathTest = RouterTest;

TEST_F(RouterDeathTest, BadPatternsAndDuplicatesAreProgrammingErrors) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  router_.add(http::verb::get, "/a/{id}", answer("a"));
  EXPECT_DEATH(router_.add(http::verb::get, "/a/{id}", answer("again")), "registered once");
  EXPECT_DEATH(router_.add(http::verb::post, "/a/{name}", answer("renamed")), "same names");
  EXPECT_DEATH(router_.add(http::verb::get, "no-slash", answer("x")), "starts with");
  EXPECT_DEATH(router_.add(http::verb::get, "/{rest...}/x", answer("x")), "last segment");
  EXPECT_DEATH(router_.add(http::verb::get, "/{a}/{a}/x", answer("x")), "unique");
  EXPECT_DEATH(router_.add(http::verb::get, "/a%20b", answer("x")), "decoded");
  router_.setFallback("/{file...}", answer("web"));
  EXPECT_DEATH(router_.setFallback("/{file...}", answer("again")), "set once");
}

}  // namespace
}  // namespace sb::api
