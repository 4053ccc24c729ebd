// Agent states through the API (C1–C4): GET/PUT /api/v1/me/state, login and logout,
// the agent.state event, and states surviving a restart.
#include <thread>

#include "core/clock.hpp"
#include "harness.hpp"

namespace sb::testing {
namespace {

using std::chrono::seconds;

class AgentStateTest : public ServerTest {
 protected:
  // Acme puts agents on Ready after login; Globex keeps the default (Break).
  std::string provisioning() const override {
    std::string p = kTwoOrgs;
    const std::string anchor = "password_max_age_days = 90\n";
    p.replace(p.find(anchor), anchor.size(), anchor + "after_login = \"ready\"\n");
    return p;
  }

  Response put(const std::string& target, const std::string& body, const std::string& token) {
    return http().request(http::verb::put, target, body, jsonHeaders(token));
  }
  Response putState(const std::string& token, const std::string& state) {
    return put("/api/v1/me/state", boost::json::serialize(boost::json::object{{"state", state}}),
               token);
  }
  // {state, since} of GET /api/v1/me/state; fails the test unless 200.
  std::pair<std::string, std::string> state(const std::string& token) {
    auto r = get("/api/v1/me/state", token);
    EXPECT_EQ(r.status, 200u) << r.body;
    if (r.status != 200u) return {};
    auto v = r.json();
    return {std::string(v.at("state").as_string()), std::string(v.at("since").as_string())};
  }
  Response logout(const std::string& token) {
    return http().request(http::verb::delete_, "/api/v1/sessions/current", "", authHeader(token));
  }
};

TEST_F(AgentStateTest, LoginEntersTheOrgsAfterLoginState) {
  const auto before = std::chrono::system_clock::now();
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  auto [s, since] = state(bob);
  EXPECT_EQ(s, "ready");
  EXPECT_EQ(since.size(), 24u) << since;  // 2026-11-24T03:58:20.123Z
  EXPECT_EQ(since.back(), 'Z');
  EXPECT_GE(since,
            core::toRfc3339(std::chrono::time_point_cast<std::chrono::milliseconds>(before)));

  std::string globex = login("Globex", "alice", kGlobexAdminPassword);
  EXPECT_EQ(state(globex).first, "break");

  // GET /api/v1/me carries the same state.
  auto me = get("/api/v1/me", bob);
  ASSERT_EQ(me.status, 200u);
  EXPECT_EQ(me.json().at("state").at("state").as_string(), "ready");
  EXPECT_EQ(me.json().at("state").at("since").as_string(), since);
}

TEST_F(AgentStateTest, PutMovesTheStateAndItsStart) {
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  auto [first, first_since] = state(bob);
  std::string previous = first_since;
  for (const char* next : {"break", "acw", "ready", "break"}) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto r = putState(bob, next);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.json().at("state").as_string(), next);
    const std::string since(r.json().at("since").as_string());
    EXPECT_GT(since, previous);
    EXPECT_EQ(state(bob), std::make_pair(std::string(next), since));
    previous = since;
  }
  // Asking for the current state again changes nothing.
  auto same = putState(bob, "break");
  ASSERT_EQ(same.status, 200u);
  EXPECT_EQ(same.json().at("since").as_string(), previous);
}

TEST_F(AgentStateTest, BadBodiesAreRefused) {
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  const auto before = state(bob);
  struct Case {
    std::string body;
    unsigned status;
    const char* type;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"state":"on_call"})", 422, "/problems/invalid-input"},
           {R"({"state":"ringing"})", 422, "/problems/invalid-input"},
           {R"({"state":"offline"})", 422, "/problems/invalid-input"},
           {R"({"state":"Ready"})", 422, "/problems/invalid-input"},
           {R"({"state":""})", 422, "/problems/invalid-input"},
           {R"({"state":1})", 422, "/problems/invalid-input"},
           {R"({"state":null})", 422, "/problems/invalid-input"},
           {R"({})", 422, "/problems/invalid-input"},
           {R"({"state":"ready","extra":true})", 422, "/problems/invalid-input"},
           {R"({"state":"ready\u0000"})", 422, "/problems/invalid-input"},
           {R"({"state":")" + std::string(5000, 'r') + R"("})", 422, "/problems/invalid-input"},
           {R"(["ready"])", 400, "/problems/malformed-body"},
           {R"({"state":"ready")", 400, "/problems/malformed-body"},
           {"ready", 400, "/problems/malformed-body"},
           {std::string(100, '[') + std::string(100, ']'), 400, "/problems/malformed-body"},
           {"\xff\xfe", 400, "/problems/malformed-body"},
       }) {
    auto r = put("/api/v1/me/state", c.body, bob);
    EXPECT_EQ(r.status, c.status) << c.body.substr(0, 60) << " → " << r.body;
    EXPECT_EQ(problemType(r.body), c.type) << c.body.substr(0, 60);
  }
  // Not JSON at all, and no token.
  auto form = http().request(
      http::verb::put, "/api/v1/me/state", "state=ready",
      {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "Bearer " + bob}});
  EXPECT_EQ(form.status, 415u);
  EXPECT_EQ(put("/api/v1/me/state", R"({"state":"ready"})", "").status, 401u);
  EXPECT_EQ(get("/api/v1/me/state").status, 401u);
  EXPECT_EQ(state(bob), before);
}

TEST_F(AgentStateTest, LogoutGoesOfflineOnlyWhenTheLastSessionEnds) {
  std::string admin = login("Acme", "alice", kAcmeAdminPassword);
  std::string phone = login("Acme", "bob", kAcmeAgentPassword);
  std::string pc = login("Acme", "bob", kAcmeAgentPassword);
  ASSERT_EQ(putState(pc, "acw").status, 200u);
  WsClient ws;
  ASSERT_TRUE(ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", authHeader(admin)));
  ASSERT_TRUE(ws.receive(seconds{5}));  // hello

  ASSERT_EQ(logout(phone).status, 204u);
  EXPECT_EQ(state(pc).first, "acw");  // still logged in on the PC
  EXPECT_FALSE(ws.receive(std::chrono::milliseconds{300}));
  ASSERT_EQ(logout(pc).status, 204u);
  auto event = ws.receive(seconds{5});
  ASSERT_TRUE(event);
  auto v = boost::json::parse(*event);
  EXPECT_EQ(v.at("agent").as_string(), "bob");
  EXPECT_EQ(v.at("state").as_string(), "offline");
  EXPECT_EQ(v.at("from").as_string(), "acw");
  EXPECT_EQ(v.at("cause").as_string(), "logout");

  std::string again = login("Acme", "bob", kAcmeAgentPassword);
  EXPECT_EQ(state(again).first, "ready");  // Offline → after_login, not the old acw
}

TEST_F(AgentStateTest, ResetAndDisableMakeTheAgentOffline) {
  std::string admin = login("Acme", "alice", kAcmeAdminPassword);
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  ASSERT_EQ(putState(bob, "break").status, 200u);
  WsClient ws;
  ASSERT_TRUE(ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", authHeader(admin)));
  ASSERT_TRUE(ws.receive(seconds{5}));  // hello
  auto reset =
      post("/api/v1/admin/agents/bob/password-reset",
           boost::json::serialize(boost::json::object{{"password", "reset-By-admin-77"}}), admin);
  ASSERT_EQ(reset.status, 204u);
  auto event = ws.receive(seconds{5});
  ASSERT_TRUE(event);
  auto v = boost::json::parse(*event);
  EXPECT_EQ(v.at("type").as_string(), "agent.state");
  EXPECT_EQ(v.at("agent").as_string(), "bob");
  EXPECT_EQ(v.at("state").as_string(), "offline");
  EXPECT_EQ(v.at("from").as_string(), "break");
  EXPECT_EQ(v.at("cause").as_string(), "logout");

  std::string again = login("Acme", "bob", "reset-By-admin-77");
  auto in = ws.receive(seconds{5});
  ASSERT_TRUE(in);
  EXPECT_EQ(boost::json::parse(*in).at("state").as_string(), "ready");
  auto disable = http().request(http::verb::patch, "/api/v1/admin/agents/bob",
                                R"({"enabled":false})", jsonHeaders(admin));
  ASSERT_EQ(disable.status, 200u) << disable.body;
  auto off = ws.receive(seconds{5});
  ASSERT_TRUE(off);
  EXPECT_EQ(boost::json::parse(*off).at("state").as_string(), "offline");
}

TEST_F(AgentStateTest, TheEventReachesTheAgentAndTheOrgsAdminsOnly) {
  std::string admin = login("Acme", "alice", kAcmeAdminPassword);
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  std::string globex = login("Globex", "alice", kGlobexAdminPassword);
  WsClient bob_ws, admin_ws, globex_ws;
  ASSERT_TRUE(bob_ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", authHeader(bob)));
  ASSERT_TRUE(
      admin_ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", authHeader(admin)));
  ASSERT_TRUE(
      globex_ws.connect("127.0.0.1", server_->httpPort(), "/api/v1/events", authHeader(globex)));
  for (auto* ws : {&bob_ws, &admin_ws, &globex_ws}) ASSERT_TRUE(ws->receive(seconds{5}));  // hello

  auto r = putState(bob, "break");
  ASSERT_EQ(r.status, 200u);
  for (auto* ws : {&bob_ws, &admin_ws}) {
    auto event = ws->receive(seconds{5});
    ASSERT_TRUE(event);
    auto v = boost::json::parse(*event);
    EXPECT_EQ(v.at("type").as_string(), "agent.state");
    EXPECT_EQ(v.at("agent").as_string(), "bob");
    EXPECT_EQ(v.at("state").as_string(), "break");
    EXPECT_EQ(v.at("from").as_string(), "ready");
    EXPECT_EQ(v.at("cause").as_string(), "request");
    EXPECT_EQ(v.at("since"), r.json().at("since"));
  }
  // The other org hears nothing; bob does not hear the admin's own change.
  EXPECT_FALSE(globex_ws.receive(std::chrono::milliseconds{300}));
  ASSERT_EQ(putState(admin, "acw").status, 200u);
  auto own = admin_ws.receive(seconds{5});
  ASSERT_TRUE(own);
  EXPECT_EQ(boost::json::parse(*own).at("agent").as_string(), "alice");
  EXPECT_FALSE(bob_ws.receive(std::chrono::milliseconds{300}));
}

TEST_F(AgentStateTest, StatesSurviveARestart) {
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  std::string alice = login("Acme", "alice", kAcmeAdminPassword);
  ASSERT_EQ(putState(bob, "acw").status, 200u);
  const auto bob_before = state(bob);
  ASSERT_EQ(putState(alice, "break").status, 200u);
  ASSERT_EQ(logout(alice).status, 204u);

  EXPECT_EQ(server_->stop(), 0);
  client_.reset();
  startServer();

  EXPECT_EQ(state(bob), bob_before);  // same state, same start
  std::string alice2 = login("Acme", "alice", kAcmeAdminPassword);
  EXPECT_EQ(state(alice2).first, "ready");  // was Offline: after_login again

  // After a crash too.
  ASSERT_EQ(putState(bob, "ready").status, 200u);
  const auto bob_ready = state(bob);
  server_->kill();
  client_.reset();
  startServer();
  EXPECT_EQ(state(bob), bob_ready);
}

}  // namespace
}  // namespace sb::testing
