// The events WebSocket and /metrics.
#include "harness.hpp"

namespace sb::testing {
namespace {

using EventsTest = ServerTest;
using std::chrono::seconds;

TEST_F(EventsTest, HeaderAuthenticatedSocketSaysHelloAndAnswersPing) {
  std::string token = login("Acme", "bob", kAcmeAgentPassword);
  WsClient ws;
  ASSERT_TRUE(ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", authHeader(token)));
  auto hello = ws.receive(seconds{5});
  ASSERT_TRUE(hello);
  auto v = boost::json::parse(*hello);
  EXPECT_EQ(v.at("type").as_string(), "hello");
  EXPECT_EQ(v.at("agent").at("id").as_string(), "bob");
  ws.send(R"({"type":"ping"})");
  auto pong = ws.receive(seconds{5});
  ASSERT_TRUE(pong);
  EXPECT_EQ(boost::json::parse(*pong).at("type").as_string(), "pong");
}

TEST_F(EventsTest, FirstMessageAuthenticationForBrowsers) {
  std::string token = login("Acme", "bob", kAcmeAgentPassword);
  WsClient ws;
  ASSERT_TRUE(ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", {}));
  ws.send(boost::json::serialize(boost::json::object{{"type", "auth"}, {"token", token}}));
  auto hello = ws.receive(seconds{5});
  ASSERT_TRUE(hello);
  EXPECT_EQ(boost::json::parse(*hello).at("type").as_string(), "hello");
}

TEST_F(EventsTest, WrongTokenIsRefused) {
  // In the header: refused with HTTP 401 before the upgrade.
  auto r = http().request(http::verb::get, "/api/v1/events", "",
                          {{"Authorization", "Bearer sbs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
                           {"Connection", "Upgrade"}, {"Upgrade", "websocket"},
                           {"Sec-WebSocket-Version", "13"}, {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}});
  EXPECT_EQ(r.status, 401u);
  // In the first message: closed with code 4003.
  WsClient ws;
  ASSERT_TRUE(ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", {}));
  ws.send(R"({"type":"auth","token":"nope"})");
  EXPECT_FALSE(ws.receive(seconds{5}));
  ASSERT_TRUE(ws.closeReason());
  EXPECT_EQ(ws.closeReason()->code, 4003);
}

TEST_F(EventsTest, TheSocketClosesWhenItsSessionEnds) {
  std::string admin = login("Acme", "alice", kAcmeAdminPassword);
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  WsClient ws;
  ASSERT_TRUE(ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", authHeader(bob)));
  ASSERT_TRUE(ws.receive(seconds{5}));  // hello
  auto reset = post("/api/v1/admin/agents/bob/password-reset",
                    boost::json::serialize(boost::json::object{{"password", "reset-By-admin-77"}}), admin);
  ASSERT_EQ(reset.status, 204u);
  EXPECT_FALSE(ws.receive(seconds{5}));
  ASSERT_TRUE(ws.closeReason());
  EXPECT_EQ(ws.closeReason()->code, 4001);
  EXPECT_EQ(ws.closeReason()->reason, "session ended");
}

TEST_F(EventsTest, LogoutClosesTheSocketAndLeavesNoLiveConnection) {
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  WsClient ws;
  ASSERT_TRUE(ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", authHeader(bob)));
  ASSERT_TRUE(ws.receive(seconds{5}));
  EXPECT_NE(get("/metrics").body.find("sb_event_connections 1\n"), std::string::npos);
  ASSERT_EQ(http().request(http::verb::delete_, "/api/v1/sessions/current", "", authHeader(bob)).status, 204u);
  EXPECT_FALSE(ws.receive(seconds{5}));
  ASSERT_TRUE(ws.closeReason());
  EXPECT_EQ(ws.closeReason()->code, 4001);
  // The server finishes its side of the close right after the client's: poll the gauges
  // until they are back to zero, bounded by a deadline.
  const auto deadline = std::chrono::steady_clock::now() + seconds{5};
  std::string body;
  do {
    body = get("/metrics").body;
    if (body.find("sb_event_connections 0\n") != std::string::npos &&
        body.find("sb_websockets_open 0\n") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_NE(body.find("sb_event_connections 0\n"), std::string::npos) << body;
  EXPECT_NE(body.find("sb_websockets_open 0\n"), std::string::npos) << body;
}

TEST_F(EventsTest, MetricsCountRequestsByRoute) {
  login("Acme", "bob", kAcmeAgentPassword);
  get("/api/v1/me");  // 401
  auto m = get("/metrics");
  ASSERT_EQ(m.status, 200u);
  EXPECT_NE(m.headers["content-type"].find("text/plain"), std::string::npos);
  EXPECT_NE(m.body.find("sb_http_requests_total{"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("route=\"/api/v1/sessions\""), std::string::npos);
  EXPECT_NE(m.body.find("status=\"201\""), std::string::npos);
  EXPECT_NE(m.body.find("route=\"/api/v1/me\""), std::string::npos);
  EXPECT_NE(m.body.find("sb_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(m.body.find("sb_sessions_cached 1"), std::string::npos);
  EXPECT_NE(m.body.find("sb_websockets_open"), std::string::npos);
}

}  // namespace
}  // namespace sb::testing
