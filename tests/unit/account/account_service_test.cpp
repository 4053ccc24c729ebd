#include "account/account_service.hpp"

#include <gtest/gtest.h>

#include "store/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace sb::account {
namespace {

using core::ErrorCode;

// Records what the service tells live connections.
class RecordingListener final : public SessionListener {
 public:
  void onAgentSessionsEnded(acd::AgentKey agent, std::optional<TokenHash> except) override {
    agents_ended.emplace_back(agent, except);
  }
  void onSessionEnded(const TokenHash& session) override { sessions_ended.push_back(session); }
  std::vector<std::pair<acd::AgentKey, std::optional<TokenHash>>> agents_ended;
  std::vector<TokenHash> sessions_ended;
};

class AccountServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::SqliteStore::open(dir_.path());
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    acd::DirectoryImport import;
    acd::OrgImport acme;
    acme.org.name = "Acme";
    acme.org.domain = "acme.example";
    acme.org.timezone = "UTC";
    acme.org.country_code = "82";
    acme.org.menus = {{"1", "Orders"}};
    acme.org.password_max_age_days = 90;
    for (auto [id, password, enabled] : {std::tuple{"alice", "alice-Secret-pass-1", true},
                                         std::tuple{"bob", "bob-Secret-pass-2", true},
                                         std::tuple{"dave", "dave-Secret-pass-4", false}}) {
      acd::AgentImport a;
      a.id = id;
      a.name = id;
      a.menus = {"1"};
      a.enabled = enabled;
      a.password_hash = hasher_.hash(password);
      a.sip_secret = "sip-secret-0123456789";
      acme.agents.push_back(a);
    }
    import.orgs.push_back(acme);
    auto applied = store_->applyImport(import, clock_.now());
    ASSERT_TRUE(applied) << applied.error().message;
    service_ = std::make_unique<AccountService>(*store_, *store_, hasher_, clock_);
    service_->setListener(&listener_);
  }

  sb::testing::TempDir dir_;
  core::ManualClock clock_;
  PasswordHasher hasher_{HashCost{1, 8u << 10}};  // cheap for tests; production uses the default
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<AccountService> service_;
  RecordingListener listener_;
};

TEST_F(AccountServiceTest, LoginAndAuthenticate) {
  auto r = service_->login("Acme", "alice", "alice-Secret-pass-1", "10.0.0.1");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->agent.id, "alice");
  EXPECT_EQ(r->org.name, "Acme");
  EXPECT_FALSE(r->must_change_password);
  EXPECT_EQ(r->session.expires_at, clock_.now() + std::chrono::hours{12});
  auto s = service_->authenticate(r->token);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->agent, r->agent.key);
  EXPECT_EQ(s->token_hash, r->session.token_hash);
}

TEST_F(AccountServiceTest, EveryWrongLoginIsTheSameError) {
  for (auto [org, agent, password] : {std::tuple{"Acme", "alice", "wrong-password-xx"},
                                      std::tuple{"Acme", "zed", "alice-Secret-pass-1"},
                                      std::tuple{"Nope", "alice", "alice-Secret-pass-1"},
                                      std::tuple{"acme", "alice", "alice-Secret-pass-1"},
                                      std::tuple{"Acme", "ALICE", "alice-Secret-pass-1"}}) {
    auto r = service_->login(org, agent, password, std::string("10.0.0.") + agent);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(r.error().message, kWrongCredentials);
  }
}

TEST_F(AccountServiceTest, DisabledAgentIsForbiddenOnlyWithTheRightPassword) {
  auto wrong = service_->login("Acme", "dave", "nope-nope-nope-1", "10.0.0.1");
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
  auto right = service_->login("Acme", "dave", "dave-Secret-pass-4", "10.0.0.1");
  EXPECT_EQ(right.error().code, ErrorCode::kForbidden);
}

TEST_F(AccountServiceTest, ThrottledLoginSaysWhenToRetryAndDoesNotCheckThePassword) {
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(service_->login("Acme", "bob", "wrong-password-xx", "10.0.0.9"));
  auto r = service_->login("Acme", "bob", "bob-Secret-pass-2", "10.0.0.9");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTooManyRequests);
  EXPECT_EQ(r.error().retry_after, std::chrono::seconds{1});
  clock_.advance(std::chrono::seconds{1});
  EXPECT_TRUE(service_->login("Acme", "bob", "bob-Secret-pass-2", "10.0.0.9"));
  EXPECT_EQ(service_->hashesInFlight(), 0u);
}

TEST_F(AccountServiceTest, SessionsExpire) {
  auto r = service_->login("Acme", "alice", "alice-Secret-pass-1", "10.0.0.1");
  ASSERT_TRUE(r);
  clock_.advance(std::chrono::hours{12} - std::chrono::seconds{1});
  EXPECT_TRUE(service_->authenticate(r->token));
  clock_.advance(std::chrono::seconds{1});
  auto expired = service_->authenticate(r->token);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AccountServiceTest, LogoutEndsOneSessionAndTellsTheListener) {
  auto a = service_->login("Acme", "alice", "alice-Secret-pass-1", "10.0.0.1");
  auto b = service_->login("Acme", "alice", "alice-Secret-pass-1", "10.0.0.1");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(service_->logout(*service_->authenticate(a->token)));
  EXPECT_FALSE(service_->authenticate(a->token));
  EXPECT_TRUE(service_->authenticate(b->token));
  ASSERT_EQ(listener_.sessions_ended.size(), 1u);
  EXPECT_EQ(listener_.sessions_ended[0], a->session.token_hash);
}

TEST_F(AccountServiceTest, ASessionDeletedElsewhereStopsWorkingAfterTheRecheck) {
  auto a = service_->login("Acme", "alice", "alice-Secret-pass-1", "10.0.0.1");
  ASSERT_TRUE(a);
  ASSERT_TRUE(store_->deleteSessionsOf(a->agent.key, std::nullopt));  // as `admin agent passwd` would
  EXPECT_TRUE(service_->authenticate(a->token));  // still cached
  clock_.advance(std::chrono::seconds{30});
  EXPECT_FALSE(service_->authenticate(a->token));
}

TEST_F(AccountServiceTest, ChangePasswordKeepsThisSessionOnly) {
  auto phone = service_->login("Acme", "bob", "bob-Secret-pass-2", "10.0.0.1");
  auto pc = service_->login("Acme", "bob", "bob-Secret-pass-2", "10.0.0.2");
  ASSERT_TRUE(phone && pc);
  auto session = *service_->authenticate(pc->token);
  auto wrong = service_->changePassword(session, "not-it-at-all-1", "bob-New-secret-9", "10.0.0.2");
  EXPECT_EQ(wrong.error().code, ErrorCode::kForbidden);
  auto weak = service_->changePassword(session, "bob-Secret-pass-2", "password1", "10.0.0.2");
  EXPECT_EQ(weak.error().code, ErrorCode::kInvalidInput);
  ASSERT_TRUE(service_->changePassword(session, "bob-Secret-pass-2", "bob-New-secret-9", "10.0.0.2"));
  EXPECT_TRUE(service_->authenticate(pc->token));
  EXPECT_FALSE(service_->authenticate(phone->token));
  ASSERT_EQ(listener_.agents_ended.size(), 1u);
  EXPECT_EQ(listener_.agents_ended[0].second, pc->session.token_hash);
  EXPECT_FALSE(service_->login("Acme", "bob", "bob-Secret-pass-2", "10.0.0.3"));
  EXPECT_TRUE(service_->login("Acme", "bob", "bob-New-secret-9", "10.0.0.3"));
}

TEST_F(AccountServiceTest, AdminResetAsksForAChange) {
  auto bob = service_->login("Acme", "bob", "bob-Secret-pass-2", "10.0.0.1");
  ASSERT_TRUE(bob);
  auto org = store_->findOrg("Acme");
  ASSERT_TRUE(service_->resetPassword(org->id, "bob", "reset-Secret-pass-5"));
  EXPECT_FALSE(service_->authenticate(bob->token));
  auto again = service_->login("Acme", "bob", "reset-Secret-pass-5", "10.0.0.1");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->must_change_password);
  EXPECT_EQ(service_->resetPassword(org->id, "nobody", "reset-Secret-pass-5").error().code, ErrorCode::kNotFound);
}

TEST_F(AccountServiceTest, OldPasswordsMustBeChanged) {
  clock_.advance(std::chrono::days{90});
  auto r = service_->login("Acme", "alice", "alice-Secret-pass-1", "10.0.0.1");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->must_change_password);  // exactly the maximum age is still fine
  clock_.advance(std::chrono::seconds{1});
  r = service_->login("Acme", "alice", "alice-Secret-pass-1", "10.0.0.1");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->must_change_password);
}

TEST_F(AccountServiceTest, CreateAgentValidatesAndHashes) {
  auto org = store_->findOrg("Acme");
  NewAgent bad{"has space", "X", "good-Secret-pass-1", {}, false};
  EXPECT_EQ(service_->createAgent(org->id, bad).error().code, ErrorCode::kInvalidInput);
  NewAgent weak{"carol", "Carol", "carol123", {}, false};
  EXPECT_EQ(service_->createAgent(org->id, weak).error().code, ErrorCode::kInvalidInput);
  NewAgent good{"carol", "캐롤", "carol-Secret-pass-3", {"1"}, false};
  auto created = service_->createAgent(org->id, good);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GE(created->sip_secret.size(), 20u);
  auto creds = store_->findCredentials(created->key);
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->password_hash.rfind("$argon2id$", 0), 0u);
  auto login = service_->login("Acme", "carol", "carol-Secret-pass-3", "10.0.0.1");
  ASSERT_TRUE(login);
  EXPECT_TRUE(login->must_change_password) << "the admin chose it: the agent should change it";
}

TEST(PasswordHasher, DefaultCostMeetsTheFloor) {
  PasswordHasher hasher;
  EXPECT_GE(hasher.cost().memory_bytes, 19u << 20);
  EXPECT_GE(hasher.cost().ops, 2u);
  std::string phc = hasher.hash("some-Secret-pass");
  EXPECT_NE(phc.find("m=19456,t=2"), std::string::npos) << phc;
  EXPECT_TRUE(hasher.verify(phc, "some-Secret-pass"));
  EXPECT_FALSE(hasher.verify(phc, "some-secret-pass"));
  EXPECT_FALSE(hasher.verify("$argon2id$garbage", "x"));
  EXPECT_FALSE(hasher.verify("", ""));
}

}  // namespace
}  // namespace sb::account
