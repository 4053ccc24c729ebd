// Login, sessions and passwords through the real server (B1–B5).
#include "harness.hpp"

namespace sb::testing {
namespace {

using LoginTest = ServerTest;

TEST_F(LoginTest, LoginGivesATokenThatOpensMe) {
  auto r = post("/api/v1/sessions", loginBody("Acme", "alice", kAcmeAdminPassword));
  ASSERT_EQ(r.status, 201u) << r.body;
  auto body = r.json().as_object();
  std::string token(body.at("token").as_string());
  EXPECT_EQ(token.rfind("sbs_", 0), 0u);
  EXPECT_EQ(body.at("agent").at("id").as_string(), "alice");
  EXPECT_EQ(body.at("agent").at("name").as_string(), "Alice Kim");
  EXPECT_EQ(body.at("agent").at("org").as_string(), "Acme");
  EXPECT_TRUE(body.at("agent").at("admin").as_bool());
  EXPECT_FALSE(body.at("must_change_password").as_bool());
  EXPECT_TRUE(body.at("expires_at").is_string());

  auto me = get("/api/v1/me", token);
  ASSERT_EQ(me.status, 200u) << me.body;
  EXPECT_EQ(me.json().at("agent").at("id").as_string(), "alice");
  EXPECT_EQ(me.json().at("org").at("timezone").as_string(), "Asia/Seoul");
  EXPECT_EQ(me.json().at("org").at("menus").as_array().size(), 2u);
}

TEST_F(LoginTest, EveryWrongFieldGivesTheSameAnswer) {
  const std::vector<std::array<std::string, 3>> wrong = {
      {"Acme", "alice", "not-the-password-9"},   // wrong password
      {"Acme", "nobody", kAcmeAdminPassword},     // unknown agent
      {"Nope", "alice", kAcmeAdminPassword},      // unknown org
      {"acme", "alice", kAcmeAdminPassword},      // org is case-sensitive
      {"Acme", "Alice", kAcmeAdminPassword},      // agent ID is case-sensitive
      {"Acme", "alice", "ACME-ADMIN-SECRET-1"},   // password is case-sensitive
      {"Globex", "alice", kAcmeAdminPassword},    // the other org's alice
  };
  std::string first_body;
  for (const auto& [org, agent, password] : wrong) {
    auto r = post("/api/v1/sessions", loginBody(org, agent, password));
    EXPECT_EQ(r.status, 401u) << org << "/" << agent;
    EXPECT_EQ(r.headers["content-type"], "application/problem+json");
    if (first_body.empty()) first_body = r.body;
    EXPECT_EQ(r.body, first_body) << "the answer must not say which field was wrong";
  }
  EXPECT_EQ(problemType(first_body), "/problems/invalid-credentials");
}

TEST_F(LoginTest, RepeatedFailuresAreSlowedWithRetryAfterThenLetThrough) {
  // Three failures are free; the fourth starts a 1 s back-off for this account and address.
  for (int i = 0; i < 4; ++i) {
    auto r = post("/api/v1/sessions", loginBody("Acme", "bob", "wrong-password-" + std::to_string(i)));
    ASSERT_EQ(r.status, 401u);
  }
  auto throttled = post("/api/v1/sessions", loginBody("Acme", "bob", kAcmeAgentPassword));
  ASSERT_EQ(throttled.status, 429u) << throttled.body;
  ASSERT_FALSE(throttled.headers["retry-after"].empty());
  const int wait_s = std::stoi(throttled.headers["retry-after"]);
  EXPECT_GE(wait_s, 1);
  EXPECT_LE(wait_s, 2);
  // Another account from the same address is not held back by bob's failures.
  login("Acme", "alice", kAcmeAdminPassword);
  // After the announced wait, the right password works: no permanent lock.
  std::this_thread::sleep_for(std::chrono::seconds{wait_s});  // the delay under test, not a sync
  login("Acme", "bob", kAcmeAgentPassword);
  EXPECT_NE(server_->errorOutput().find("SECURITY event=login_throttled ip=127.0.0.1"), std::string::npos);
  EXPECT_NE(server_->errorOutput().find("SECURITY event=login_failed ip=127.0.0.1"), std::string::npos);
}

TEST_F(LoginTest, LogoutEndsTheSession) {
  std::string token = login("Acme", "bob", kAcmeAgentPassword);
  ASSERT_EQ(get("/api/v1/me", token).status, 200u);
  auto out = http().request(http::verb::delete_, "/api/v1/sessions/current", "", authHeader(token));
  EXPECT_EQ(out.status, 204u);
  auto me = get("/api/v1/me", token);
  EXPECT_EQ(me.status, 401u);
  EXPECT_EQ(me.headers["www-authenticate"], "Bearer");
}

TEST_F(LoginTest, MissingOrForgedTokensAre401) {
  EXPECT_EQ(get("/api/v1/me").status, 401u);
  EXPECT_EQ(get("/api/v1/me", "sbs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").status, 401u);
  EXPECT_EQ(get("/api/v1/me", "garbage").status, 401u);
  auto r = http().request(http::verb::get, "/api/v1/me", "", {{"Authorization", "Basic YWxpY2U6eA=="}});
  EXPECT_EQ(r.status, 401u);
}

TEST_F(LoginTest, ChangePasswordEndsOtherSessionsAndKeepsThisOne) {
  std::string phone = login("Acme", "bob", kAcmeAgentPassword);
  std::string pc = login("Acme", "bob", kAcmeAgentPassword);
  auto body = boost::json::serialize(boost::json::object{{"current", kAcmeAgentPassword}, {"new", "a-Brand-new-secret-42"}});
  auto r = http().request(http::verb::put, "/api/v1/me/password", body, jsonHeaders(pc));
  ASSERT_EQ(r.status, 204u) << r.body;
  EXPECT_EQ(get("/api/v1/me", pc).status, 200u);
  EXPECT_EQ(get("/api/v1/me", phone).status, 401u);
  // Old password no longer works, the new one does.
  EXPECT_EQ(post("/api/v1/sessions", loginBody("Acme", "bob", kAcmeAgentPassword)).status, 401u);
  login("Acme", "bob", "a-Brand-new-secret-42");
}

TEST_F(LoginTest, ChangePasswordChecksCurrentAndPolicy) {
  std::string token = login("Acme", "bob", kAcmeAgentPassword);
  auto put = [&](const std::string& current, const std::string& next) {
    auto body = boost::json::serialize(boost::json::object{{"current", current}, {"new", next}});
    return http().request(http::verb::put, "/api/v1/me/password", body, jsonHeaders(token));
  };
  auto wrong = put("not-my-password-1", "a-Brand-new-secret-42");
  EXPECT_EQ(wrong.status, 403u);
  EXPECT_EQ(problemType(wrong.body), "/problems/wrong-password");
  for (const char* weak : {"short1!", "password123", "bob12345", "12345678"}) {
    auto r = put(kAcmeAgentPassword, weak);
    EXPECT_EQ(r.status, 422u) << weak;
    EXPECT_EQ(problemType(r.body), "/problems/weak-password");
    EXPECT_EQ(r.body.find(weak), std::string::npos) << "never echo a password";
  }
  EXPECT_EQ(put(kAcmeAgentPassword, std::string(129, 'x') + "Y1").status, 422u);
  // Nothing changed: the original password still logs in.
  login("Acme", "bob", kAcmeAgentPassword);
}

TEST_F(LoginTest, AdminResetAsksForAChangeAndEndsSessions) {
  std::string admin = login("Acme", "alice", kAcmeAdminPassword);
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  auto body = boost::json::serialize(boost::json::object{{"password", "temporary-Secret-77"}});
  auto r = post("/api/v1/admin/agents/bob/password-reset", body, admin);
  ASSERT_EQ(r.status, 204u) << r.body;
  EXPECT_EQ(get("/api/v1/me", bob).status, 401u);
  auto again = post("/api/v1/sessions", loginBody("Acme", "bob", "temporary-Secret-77"));
  ASSERT_EQ(again.status, 201u);
  EXPECT_TRUE(again.json().at("must_change_password").as_bool());
}

}  // namespace
}  // namespace sb::testing
