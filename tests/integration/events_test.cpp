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

// Sequence numbers and resume-after-reconnect (docs/events.md).
class EventsSeqTest : public ServerTest {
 protected:
  // Bob moves between ready and break: one agent.state event each time.
  void toggle(const std::string& token) {
    state_ = state_ == "ready" ? "break" : "ready";
    auto r = http().request(http::verb::put, "/api/v1/me/state",
                            boost::json::serialize(boost::json::object{{"state", state_}}),
                            jsonHeaders(token));
    ASSERT_EQ(r.status, 200u) << r.body;
  }
  // The next message as a JSON object; an empty object when none came.
  static boost::json::object next(WsClient& ws) {
    auto m = ws.receive(seconds{5});
    EXPECT_TRUE(m);
    if (!m) return {};
    return boost::json::parse(*m).as_object();
  }
  static uint64_t seqOf(const boost::json::object& m) { return m.at("seq").to_number<uint64_t>(); }
  bool open(WsClient& ws, const std::string& token, const std::string& query = "") {
    return ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events" + query,
                      authHeader(token));
  }
  // Expects `n` agent.state events with the seqs from `first` on, and returns them.
  std::vector<boost::json::object> expectEvents(WsClient& ws, uint64_t first, int n) {
    std::vector<boost::json::object> out;
    for (int i = 0; i < n; ++i) {
      auto m = next(ws);
      EXPECT_EQ(m.contains("type") ? m.at("type").as_string() : "", "agent.state");
      EXPECT_EQ(m.contains("seq") ? seqOf(m) : 0u, first + i);
      out.push_back(std::move(m));
    }
    return out;
  }
  std::string state_ = "break";  // the default state after login
};

TEST_F(EventsSeqTest, EventsCountUpPerSessionFromOne) {
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  std::string alice = login("Acme", "alice", kAcmeAdminPassword);
  WsClient tab1, tab2, admin;
  ASSERT_TRUE(open(tab1, bob));
  auto hello = next(tab1);
  EXPECT_EQ(hello.at("type").as_string(), "hello");
  EXPECT_EQ(seqOf(hello), 0u);
  ASSERT_TRUE(open(admin, alice));
  ASSERT_TRUE(admin.receive(seconds{5}));  // hello
  toggle(bob);
  toggle(bob);
  ASSERT_TRUE(open(tab2, bob));      // a second socket of the same session
  EXPECT_EQ(seqOf(next(tab2)), 2u);  // hello: the last seq so far
  toggle(bob);
  auto events = expectEvents(tab1, 1, 3);
  EXPECT_EQ(events[0].at("agent").as_string(), "bob");
  EXPECT_EQ(events[0].at("state").as_string(), "ready");
  EXPECT_EQ(events[1].at("state").as_string(), "break");
  EXPECT_EQ(expectEvents(tab2, 3, 1)[0].at("state").as_string(), "ready");
  expectEvents(admin, 1, 3);  // the admin's session counts its own events
  // A ping is answered and takes no seq.
  tab1.send(R"({"type":"ping"})");
  auto pong = next(tab1);
  EXPECT_EQ(pong.at("type").as_string(), "pong");
  EXPECT_FALSE(pong.contains("seq"));
  toggle(bob);
  expectEvents(tab1, 4, 1);
}

TEST_F(EventsSeqTest, ReconnectWithSinceGetsExactlyTheMissedEvents) {
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  uint64_t last = 0;
  {
    WsClient ws;
    ASSERT_TRUE(open(ws, bob));
    ASSERT_TRUE(ws.receive(seconds{5}));
    toggle(bob);
    toggle(bob);
    last = seqOf(expectEvents(ws, 1, 2).back());
    ws.close();
  }
  toggle(bob);  // while disconnected
  toggle(bob);
  WsClient ws;
  ASSERT_TRUE(open(ws, bob, "?since=" + std::to_string(last)));
  auto hello = next(ws);
  EXPECT_EQ(hello.at("type").as_string(), "hello");
  EXPECT_EQ(seqOf(hello), 4u);
  auto missed = expectEvents(ws, 3, 2);
  EXPECT_EQ(missed[0].at("state").as_string(), "ready");
  EXPECT_EQ(missed[1].at("state").as_string(), "break");
  EXPECT_FALSE(ws.receive(std::chrono::milliseconds{300}));  // nothing more, no duplicate
  toggle(bob);
  expectEvents(ws, 5, 1);  // then live
}

TEST_F(EventsSeqTest, BrowsersResumeWithSinceInTheAuthMessage) {
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  {
    WsClient ws;
    ASSERT_TRUE(open(ws, bob));
    ASSERT_TRUE(ws.receive(seconds{5}));
    toggle(bob);
    expectEvents(ws, 1, 1);
    ws.close();
  }
  toggle(bob);
  WsClient ws;
  ASSERT_TRUE(ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", {}));
  ws.send(
      boost::json::serialize(boost::json::object{{"type", "auth"}, {"token", bob}, {"since", 1}}));
  EXPECT_EQ(seqOf(next(ws)), 2u);  // hello
  expectEvents(ws, 2, 1);
}

TEST_F(EventsSeqTest, SinceZeroReplaysEverythingBuffered) {
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  {
    WsClient ws;
    ASSERT_TRUE(open(ws, bob));
    ASSERT_TRUE(ws.receive(seconds{5}));
    ws.close();
  }
  for (int i = 0; i < 6; ++i) toggle(bob);
  WsClient ws;
  ASSERT_TRUE(open(ws, bob, "?since=0"));
  EXPECT_EQ(seqOf(next(ws)), 6u);
  expectEvents(ws, 1, 6);
  EXPECT_FALSE(ws.receive(std::chrono::milliseconds{300}));
}

TEST_F(EventsSeqTest, SinceBeyondTheLastSeqGetsAResync) {
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  WsClient first;
  ASSERT_TRUE(open(first, bob));
  ASSERT_TRUE(first.receive(seconds{5}));
  toggle(bob);
  expectEvents(first, 1, 1);
  for (const std::string since : {"2", "1000", "99999999999999999999999"}) {
    WsClient ws;
    ASSERT_TRUE(open(ws, bob, "?since=" + since)) << since;
    EXPECT_EQ(next(ws).at("type").as_string(), "hello");
    auto resync = next(ws);
    EXPECT_EQ(resync.at("type").as_string(), "resync") << since;
    EXPECT_EQ(seqOf(resync), 1u);
  }
  // The same in the auth message, and for a since that is not a number there.
  for (const boost::json::value& since : {boost::json::value(-1), boost::json::value("abc")}) {
    WsClient ws;
    ASSERT_TRUE(ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", {}));
    ws.send(boost::json::serialize(
        boost::json::object{{"type", "auth"}, {"token", bob}, {"since", since}}));
    EXPECT_EQ(next(ws).at("type").as_string(), "hello");
    EXPECT_EQ(next(ws).at("type").as_string(), "resync") << since;
  }
  // After a resync the socket goes on live.
  WsClient ws;
  ASSERT_TRUE(open(ws, bob, "?since=7"));
  ASSERT_TRUE(ws.receive(seconds{5}));
  ASSERT_TRUE(ws.receive(seconds{5}));
  toggle(bob);
  expectEvents(ws, 2, 1);
}

TEST_F(EventsSeqTest, ASinceThatIsNotANumberIsRefusedBeforeTheUpgrade) {
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  for (const std::string query :
       {"?since=-1", "?since=abc", "?since=", "?since", "?since=1.5", "?since=%31"}) {
    WsClient ws;
    EXPECT_FALSE(open(ws, bob, query)) << query;
    EXPECT_EQ(ws.handshakeResponse().status, 422u) << query;
    EXPECT_EQ(problemType(ws.handshakeResponse().body), "/problems/invalid-input") << query;
  }
  // Other query parameters are ignored.
  WsClient ws;
  ASSERT_TRUE(open(ws, bob, "?x=1&since=0&y"));
  EXPECT_EQ(next(ws).at("type").as_string(), "hello");
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
