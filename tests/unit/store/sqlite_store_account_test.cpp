// SqliteStore as account::AccountStore: logins, passwords, sessions.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/sqlite_store.hpp"
#include "unit/store/store_fixture.hpp"

namespace sb::store {
namespace {

using core::ErrorCode;
using testing::agent;
using testing::codeOf;
using testing::describe;
using testing::kNow;
using testing::org;
using testing::token;

class AccountTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    acd::DirectoryImport in;
    acd::AgentImport alice = agent("alice");
    alice.password_hash = "$argon2id$alice";
    in.orgs.push_back({org("Acme", "acme.example"), {alice, agent("bob")}});
    in.orgs.push_back({org("Globex", "globex.example"), {agent("alice")}});
    import(in);
    acme_ = orgId("Acme");
    globex_ = orgId("Globex");
    alice_ = findAgent("Acme", "alice").key;
    bob_ = findAgent("Acme", "bob").key;
    globex_alice_ = findAgent("Globex", "alice").key;
  }

  acd::OrgId acme_ = 0, globex_ = 0;
  acd::AgentKey alice_ = 0, bob_ = 0, globex_alice_ = 0;
};

TEST_F(AccountTest, FindLoginByExactOrgNameAndAgentId) {
  auto login = store_->findLogin("Acme", "alice");
  ASSERT_TRUE(login.ok()) << login.error().message;
  EXPECT_EQ(login->org.id, acme_);
  EXPECT_EQ(describe(login->org), describe(store_->findOrg("Acme").value()));
  EXPECT_EQ(login->agent.key, alice_);
  EXPECT_EQ(login->credentials.password_hash, "$argon2id$alice");
  EXPECT_EQ(login->credentials.password_changed_at, kNow);
  EXPECT_FALSE(login->credentials.must_change_password);

  EXPECT_EQ(store_->findLogin("Globex", "alice")->agent.key, globex_alice_);
}

TEST_F(AccountTest, FindLoginMissesLookAlike) {
  auto no_org = store_->findLogin("acme", "alice");
  auto no_agent = store_->findLogin("Acme", "Alice");
  auto other_org = store_->findLogin("Globex", "bob");
  for (const auto* miss : {&no_org, &no_agent, &other_org}) {
    ASSERT_FALSE(miss->ok());
    EXPECT_EQ(miss->error().code, ErrorCode::kNotFound);
  }
  // Nothing in the error tells a missing org from a missing agent.
  EXPECT_EQ(no_org.error().message, no_agent.error().message);
}

TEST_F(AccountTest, FindCredentials) {
  EXPECT_EQ(store_->findCredentials(bob_)->password_hash, "");
  EXPECT_EQ(codeOf(store_->findCredentials(999)), ErrorCode::kNotFound);
}

TEST_F(AccountTest, SessionsAreCreatedFoundAndDeleted) {
  const core::Time expires = kNow + std::chrono::hours(8);
  addSession(acme_, alice_, 1, expires);
  auto found = store_->findSession(token(1));
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->token_hash, token(1));
  EXPECT_EQ(found->org, acme_);
  EXPECT_EQ(found->agent, alice_);
  EXPECT_EQ(found->created_at, kNow);
  EXPECT_EQ(found->expires_at, expires);
  EXPECT_EQ(found->client, "192.0.2.7");

  EXPECT_EQ(codeOf(store_->findSession(token(2))), ErrorCode::kNotFound);
  ASSERT_TRUE(store_->deleteSession(token(1)).ok());
  EXPECT_EQ(codeOf(store_->findSession(token(1))), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->deleteSession(token(1)).ok());  // twice is harmless
}

TEST_F(AccountTest, SessionsSurviveAReopen) {
  addSession(acme_, alice_, 1);
  reopen();
  EXPECT_TRUE(hasSession(1));
}

TEST_F(AccountTest, ASessionNeedsItsAgentInItsOrg) {
  account::SessionRecord session;
  session.token_hash = token(1);
  session.org = globex_;
  session.agent = alice_;  // Acme's alice
  session.created_at = kNow;
  session.expires_at = kNow + std::chrono::hours(1);
  EXPECT_EQ(codeOf(store_->createSession(session)), ErrorCode::kNotFound);
  session.agent = 999;
  EXPECT_EQ(codeOf(store_->createSession(session)), ErrorCode::kNotFound);
  EXPECT_FALSE(hasSession(1));
}

TEST_F(AccountTest, ADuplicateTokenIsAConflict) {
  addSession(acme_, alice_, 1);
  account::SessionRecord again;
  again.token_hash = token(1);
  again.org = acme_;
  again.agent = bob_;
  auto r = store_->createSession(again);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(codeOf(r), ErrorCode::kConflict);
  EXPECT_EQ(store_->findSession(token(1))->agent, alice_);
}

TEST_F(AccountTest, DeleteExpiredSessionsDeletesThoseDueByNow) {
  addSession(acme_, alice_, 1, kNow - std::chrono::milliseconds(1));
  addSession(acme_, alice_, 2, kNow);
  addSession(acme_, bob_, 3, kNow + std::chrono::milliseconds(1));
  auto deleted = store_->deleteExpiredSessions(kNow);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 2);
  EXPECT_FALSE(hasSession(1));
  EXPECT_FALSE(hasSession(2));
  EXPECT_TRUE(hasSession(3));
  EXPECT_EQ(store_->deleteExpiredSessions(kNow).value(), 0);
}

TEST_F(AccountTest, HasLiveSessionIgnoresExpiredOnesAndOtherAgents) {
  EXPECT_FALSE(store_->hasLiveSession(alice_, kNow).value());
  addSession(acme_, alice_, 1, kNow);  // expires exactly now: not live
  EXPECT_FALSE(store_->hasLiveSession(alice_, kNow).value());
  addSession(acme_, bob_, 2, kNow + std::chrono::hours(1));
  EXPECT_FALSE(store_->hasLiveSession(alice_, kNow).value());
  EXPECT_TRUE(store_->hasLiveSession(bob_, kNow).value());
  addSession(acme_, alice_, 3, kNow + std::chrono::milliseconds(1));
  EXPECT_TRUE(store_->hasLiveSession(alice_, kNow).value());
  EXPECT_FALSE(store_->hasLiveSession(alice_, kNow + std::chrono::milliseconds(1)).value());
}

TEST_F(AccountTest, SetPasswordKeepsOnlyTheSessionThatChangedIt) {
  addSession(acme_, alice_, 1);
  addSession(acme_, alice_, 2);
  addSession(acme_, alice_, 3);
  addSession(acme_, bob_, 4);
  const account::Credentials fresh{"$argon2id$new", kNow + std::chrono::hours(2), true};
  ASSERT_TRUE(store_->setPassword(alice_, fresh, token(2)).ok());
  EXPECT_FALSE(hasSession(1));
  EXPECT_TRUE(hasSession(2));
  EXPECT_FALSE(hasSession(3));
  EXPECT_TRUE(hasSession(4));  // bob's
  auto credentials = store_->findCredentials(alice_);
  ASSERT_TRUE(credentials.ok());
  EXPECT_EQ(credentials->password_hash, "$argon2id$new");
  EXPECT_EQ(credentials->password_changed_at, fresh.password_changed_at);
  EXPECT_TRUE(credentials->must_change_password);

  // An admin reset keeps none.
  ASSERT_TRUE(store_->setPassword(alice_, fresh, std::nullopt).ok());
  EXPECT_FALSE(hasSession(2));
  EXPECT_TRUE(hasSession(4));
}

TEST_F(AccountTest, SetPasswordOfAnUnknownAgentIsNotFound) {
  addSession(acme_, alice_, 1);
  auto r = store_->setPassword(999, account::Credentials{"$argon2id$x", kNow, false}, std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(codeOf(r), ErrorCode::kNotFound);
  EXPECT_TRUE(hasSession(1));
}

TEST_F(AccountTest, DeleteSessionsOfReturnsWhatItDeleted) {
  addSession(acme_, alice_, 1);
  addSession(acme_, alice_, 2);
  addSession(acme_, alice_, 3);
  addSession(globex_, globex_alice_, 4);
  auto deleted = store_->deleteSessionsOf(alice_, token(3));
  ASSERT_TRUE(deleted.ok());
  std::sort(deleted->begin(), deleted->end());
  EXPECT_EQ(*deleted, (std::vector<account::TokenHash>{token(1), token(2)}));
  EXPECT_TRUE(hasSession(3));
  EXPECT_TRUE(hasSession(4));

  auto rest = store_->deleteSessionsOf(alice_, std::nullopt);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, std::vector<account::TokenHash>{token(3)});
  EXPECT_TRUE(store_->deleteSessionsOf(alice_, std::nullopt)->empty());
  EXPECT_TRUE(hasSession(4));
}

}  // namespace
}  // namespace sb::store
