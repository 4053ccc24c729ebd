// Agent administration and tenant isolation (B3, M1): two orgs hold the same agent ID
// and must never see or touch each other's data.
#include "harness.hpp"

namespace sb::testing {
namespace {

using AdminTest = ServerTest;

std::string json(const boost::json::object& o) { return boost::json::serialize(o); }

TEST_F(AdminTest, ListShowsOnlyTheCallersOrg) {
  std::string acme = login("Acme", "alice", kAcmeAdminPassword);
  std::string globex = login("Globex", "alice", kGlobexAdminPassword);
  auto a = get("/api/v1/admin/agents", acme);
  ASSERT_EQ(a.status, 200u) << a.body;
  auto items = a.json().at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("id").as_string(), "alice");
  EXPECT_EQ(items[0].at("name").as_string(), "Alice Kim");
  EXPECT_EQ(items[1].at("id").as_string(), "bob");
  EXPECT_TRUE(a.json().at("next_cursor").is_null());
  EXPECT_GE(items[0].at("sip_secret").as_string().size(), 12u);
  auto g = get("/api/v1/admin/agents", globex);
  ASSERT_EQ(g.status, 200u);
  ASSERT_EQ(g.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(g.json().at("items").at(0).at("name").as_string(), "Alice Globex");
}

TEST_F(AdminTest, NonAdminsAreForbidden) {
  std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  EXPECT_EQ(get("/api/v1/admin/agents", bob).status, 403u);
  EXPECT_EQ(post("/api/v1/admin/agents", json({{"id", "eve"}, {"name", "Eve"}, {"password", "eve-Secret-pass-1"}}), bob).status, 403u);
  EXPECT_EQ(http().request(http::verb::patch, "/api/v1/admin/agents/bob", json({{"admin", true}}), jsonHeaders(bob)).status, 403u);
  EXPECT_EQ(post("/api/v1/admin/agents/alice/password-reset", json({{"password", "take-Over-secret-1"}}), bob).status, 403u);
  // Nothing changed: alice's password still works, bob is still not admin.
  login("Acme", "alice", kAcmeAdminPassword);
  auto me = get("/api/v1/me", bob);
  EXPECT_FALSE(me.json().at("agent").at("admin").as_bool());
}

TEST_F(AdminTest, CreatePatchAndDisable) {
  std::string admin = login("Acme", "alice", kAcmeAdminPassword);
  auto created = post("/api/v1/admin/agents",
                      json({{"id", "carol"}, {"name", "박캐롤"}, {"password", "carol-Secret-pass-1"}, {"menus", {"2"}}}), admin);
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(created.headers["location"], "/api/v1/admin/agents/carol");
  EXPECT_EQ(created.json().at("name").as_string(), "박캐롤");
  EXPECT_TRUE(created.json().at("enabled").as_bool());
  EXPECT_EQ(created.json().at("sip_uri").as_string(), "sip:carol@acme");
  EXPECT_EQ(post("/api/v1/admin/agents", json({{"id", "carol"}, {"name", "Again"}, {"password", "carol-Secret-pass-2"}}), admin).status, 409u);

  std::string carol = login("Acme", "carol", "carol-Secret-pass-1");
  auto patched = http().request(http::verb::patch, "/api/v1/admin/agents/carol",
                                json({{"name", "Carol Park"}, {"menus", {"1", "2"}}}), jsonHeaders(admin));
  ASSERT_EQ(patched.status, 200u) << patched.body;
  EXPECT_EQ(patched.json().at("name").as_string(), "Carol Park");
  EXPECT_EQ(patched.json().at("menus").as_array().size(), 2u);
  EXPECT_EQ(get("/api/v1/me", carol).status, 200u);  // a rename does not end sessions

  auto disabled = http().request(http::verb::patch, "/api/v1/admin/agents/carol", json({{"enabled", false}}), jsonHeaders(admin));
  ASSERT_EQ(disabled.status, 200u);
  EXPECT_EQ(get("/api/v1/me", carol).status, 401u);  // disabling ends the sessions
  auto refused = post("/api/v1/sessions", loginBody("Acme", "carol", "carol-Secret-pass-1"));
  EXPECT_EQ(refused.status, 403u);
}

TEST_F(AdminTest, UnknownMenuAndSelfLockoutAreRefused) {
  std::string admin = login("Acme", "alice", kAcmeAdminPassword);
  auto r = post("/api/v1/admin/agents", json({{"id", "dan"}, {"name", "Dan"}, {"password", "dan-Secret-pass-1"}, {"menus", {"7"}}}), admin);
  EXPECT_EQ(r.status, 422u) << r.body;
  auto self = http().request(http::verb::patch, "/api/v1/admin/agents/alice", json({{"enabled", false}}), jsonHeaders(admin));
  EXPECT_EQ(self.status, 409u);
  EXPECT_EQ(problemType(self.body), "/problems/self-lockout");
  EXPECT_EQ(get("/api/v1/me", admin).status, 200u);
}

TEST_F(AdminTest, AnotherOrgsAgentIsNotFound) {
  std::string globex = login("Globex", "alice", kGlobexAdminPassword);
  // "bob" exists only in Acme: for Globex's admin it does not exist.
  EXPECT_EQ(http().request(http::verb::patch, "/api/v1/admin/agents/bob", json({{"name", "Hijacked"}}), jsonHeaders(globex)).status, 404u);
  EXPECT_EQ(post("/api/v1/admin/agents/bob/password-reset", json({{"password", "take-Over-secret-1"}}), globex).status, 404u);
  // Globex's admin resetting "alice" resets Globex's alice, never Acme's.
  ASSERT_EQ(post("/api/v1/admin/agents/alice/password-reset", json({{"password", "new-Globex-secret-9"}}), globex).status, 204u);
  login("Acme", "alice", kAcmeAdminPassword);
  login("Globex", "alice", "new-Globex-secret-9");
  std::string acme = login("Acme", "alice", kAcmeAdminPassword);
  auto list = get("/api/v1/admin/agents", acme);
  EXPECT_EQ(list.json().at("items").at(1).at("name").as_string(), "Bob Lee");
}

TEST_F(AdminTest, CreatingAnIdThatExistsInAnotherOrgCreatesItHere) {
  std::string globex = login("Globex", "alice", kGlobexAdminPassword);
  auto created = post("/api/v1/admin/agents",
                      json({{"id", "bob"}, {"name", "Bob Globex"}, {"password", "globex-bob-Secret-1"}}), globex);
  ASSERT_EQ(created.status, 201u) << created.body;
  login("Acme", "bob", kAcmeAgentPassword);  // Acme's bob is untouched
  login("Globex", "bob", "globex-bob-Secret-1");
  EXPECT_EQ(post("/api/v1/sessions", loginBody("Acme", "bob", "globex-bob-Secret-1")).status, 401u);
}

TEST_F(AdminTest, ATokenOfOneOrgNeverActsInAnother) {
  std::string acme_bob = login("Acme", "bob", kAcmeAgentPassword);
  auto me = get("/api/v1/me", acme_bob);
  ASSERT_EQ(me.status, 200u);
  EXPECT_EQ(me.json().at("org").at("name").as_string(), "Acme");
  EXPECT_EQ(me.json().at("org").at("numbers").at(0).as_string(), "0215880000");
}

}  // namespace
}  // namespace sb::testing
