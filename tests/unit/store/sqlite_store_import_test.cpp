// SqliteStore::applyImport: create, update, idempotence, all-or-nothing.
#include <gtest/gtest.h>

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

acd::DirectoryImport acmeImport() {
  acd::DirectoryImport in;
  in.trunks = {{"carrier", "192.0.2.10", "192.0.2.10:5060"}};
  acd::Org acme = org("Acme", "acme.example", {"0215550101", "0215550100"});
  acme.after_login = acd::AfterLogin::kReady;
  acme.after_call = acd::AfterCall::kBreak;
  acme.ring_timeout_s = 25;
  acme.service_level_s = 30;
  acme.password_max_age_days = 90;
  acd::AgentImport alice = agent("alice", {"2", "1"});
  alice.admin = true;
  alice.password_hash = "$argon2id$alice";
  alice.sip_secret = "sip-alice";
  in.orgs.push_back({acme, {alice, agent("bob")}});
  return in;
}

class ImportTest : public testing::StoreTest {};

TEST_F(ImportTest, CreatesEverything) {
  const auto summary = import(acmeImport());
  EXPECT_EQ(summary.trunks_created, 1);
  EXPECT_EQ(summary.orgs_created, 1);
  EXPECT_EQ(summary.agents_created, 2);
  EXPECT_EQ(summary.trunks_updated + summary.orgs_updated + summary.agents_updated, 0);

  auto acme = store_->findOrg("Acme");
  ASSERT_TRUE(acme.ok());
  acd::Org expected = acmeImport().orgs[0].org;
  expected.id = acme->id;
  EXPECT_EQ(describe(*acme), describe(expected));  // every field, lists in order

  const acd::Agent alice = findAgent("Acme", "alice");
  EXPECT_EQ(alice.menus, (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(alice.admin);
  EXPECT_TRUE(alice.enabled);
  EXPECT_EQ(alice.sip_secret, "sip-alice");
  EXPECT_EQ(alice.created_at, kNow);
  auto credentials = store_->findCredentials(alice.key);
  ASSERT_TRUE(credentials.ok());
  EXPECT_EQ(credentials->password_hash, "$argon2id$alice");
  EXPECT_EQ(credentials->password_changed_at, kNow);

  // Defaults of a new agent: enabled, no password, no SIP secret.
  const acd::Agent bob = findAgent("Acme", "bob");
  EXPECT_TRUE(bob.enabled);
  EXPECT_EQ(bob.sip_secret, "");
  EXPECT_EQ(store_->findCredentials(bob.key)->password_hash, "");

  EXPECT_EQ(store_->listTrunks().value(),
            (std::vector<acd::Trunk>{{"carrier", "192.0.2.10", "192.0.2.10:5060"}}));
}

TEST_F(ImportTest, ImportingTheSameTwiceChangesNothingButTheCounts) {
  import(acmeImport());
  const std::string before = snapshot();
  const auto summary = import(acmeImport());
  EXPECT_EQ(summary.trunks_created + summary.orgs_created + summary.agents_created, 0);
  EXPECT_EQ(summary.trunks_updated, 1);
  EXPECT_EQ(summary.orgs_updated, 1);
  EXPECT_EQ(summary.agents_updated, 2);
  EXPECT_EQ(snapshot(), before);
}

TEST_F(ImportTest, UpdatesFieldsAndReplacesListsButLeavesUnnamedThingsAlone) {
  import(acmeImport());
  ASSERT_TRUE(store_->createAgent(orgId("Acme"), agent("carol"), kNow).ok());
  const acd::Agent bob_before = findAgent("Acme", "bob");

  acd::DirectoryImport in;
  in.trunks = {{"carrier", "192.0.2.99", "192.0.2.99:5080"}, {"backup", "192.0.2.11", "x:1"}};
  acd::Org acme = org("Acme", "acme2.example", {"0215550199"}, {{"2", "Help desk"}, {"3", "New"}});
  acme.categories = {"Other", "Order"};
  acme.timezone = "Europe/Paris";
  acme.ring_timeout_s = 12;
  acd::AgentImport alice = agent("alice", {"3"});  // no password, secret or enabled: unchanged
  alice.name = "Alice Liddell";
  in.orgs.push_back({acme, {alice}});
  const auto summary = import(in);
  EXPECT_EQ(summary.trunks_created, 1);
  EXPECT_EQ(summary.trunks_updated, 1);
  EXPECT_EQ(summary.orgs_updated, 1);
  EXPECT_EQ(summary.agents_updated, 1);
  EXPECT_EQ(summary.agents_created, 0);

  auto updated = store_->findOrg("Acme");
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->domain, "acme2.example");
  EXPECT_EQ(updated->timezone, "Europe/Paris");
  EXPECT_EQ(updated->ring_timeout_s, 12);
  EXPECT_EQ(updated->after_login, acd::AfterLogin::kBreak);
  EXPECT_EQ(updated->numbers, std::vector<std::string>{"0215550199"});
  EXPECT_EQ(updated->categories, (std::vector<std::string>{"Other", "Order"}));
  // Menu 1 was not named: kept. 2 renamed, 3 added.
  EXPECT_EQ(updated->menus,
            (std::vector<acd::Menu>{{"1", "Sales"}, {"2", "Help desk"}, {"3", "New"}}));
  EXPECT_FALSE(store_->findOrgByNumber("0215550100")->has_value());

  const acd::Agent alice_after = findAgent("Acme", "alice");
  EXPECT_EQ(alice_after.name, "Alice Liddell");
  EXPECT_EQ(alice_after.menus, std::vector<std::string>{"3"});
  EXPECT_FALSE(alice_after.admin);  // admin is not optional: the import says false
  EXPECT_TRUE(alice_after.enabled);
  EXPECT_EQ(alice_after.sip_secret, "sip-alice");
  EXPECT_EQ(store_->findCredentials(alice_after.key)->password_hash, "$argon2id$alice");

  EXPECT_EQ(describe(findAgent("Acme", "bob")), describe(bob_before));  // not in the import
  EXPECT_TRUE(store_->findAgent(orgId("Acme"), "carol").ok());
  EXPECT_EQ(store_->listTrunks()->size(), 2u);
}

TEST_F(ImportTest, PresentSecretsAndEnabledAreApplied) {
  import(acmeImport());
  const acd::AgentKey alice = findAgent("Acme", "alice").key;
  addSession(orgId("Acme"), alice, 1);
  acd::DirectoryImport in = acmeImport();
  in.orgs[0].agents[0].sip_secret = "rotated";
  in.orgs[0].agents[0].enabled = false;
  import(in);
  const acd::Agent after = findAgent("Acme", "alice");
  EXPECT_EQ(after.sip_secret, "rotated");
  EXPECT_FALSE(after.enabled);
  EXPECT_FALSE(hasSession(1));  // disabled by the import: its sessions are gone
}

TEST_F(ImportTest, AChangedPasswordHashEndsSessionsAndTheSameOneDoesNot) {
  import(acmeImport());
  const acd::AgentKey alice = findAgent("Acme", "alice").key;
  addSession(orgId("Acme"), alice, 1);
  import(acmeImport());  // same hash
  EXPECT_TRUE(hasSession(1));

  acd::DirectoryImport in = acmeImport();
  in.orgs[0].agents[0].password_hash = "$argon2id$new";
  const core::Time later = kNow + std::chrono::hours(1);
  ASSERT_TRUE(store_->applyImport(in, later).ok());
  EXPECT_FALSE(hasSession(1));
  auto credentials = store_->findCredentials(alice);
  EXPECT_EQ(credentials->password_hash, "$argon2id$new");
  EXPECT_EQ(credentials->password_changed_at, later);
}

TEST_F(ImportTest, AnUnknownMenuDigitWritesNothingAtAll) {
  acd::DirectoryImport in = acmeImport();
  in.orgs[0].agents.push_back(agent("carol", {"7"}));  // Acme has menus 1 and 2
  auto summary = store_->applyImport(in, kNow);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(codeOf(summary), ErrorCode::kInvalidInput);
  EXPECT_NE(summary.error().message.find("carol"), std::string::npos) << summary.error().message;
  // The trunk, the org and alice came first in the same import: none was kept.
  EXPECT_TRUE(store_->isEmpty().value());
  EXPECT_TRUE(store_->listTrunks()->empty());
  EXPECT_EQ(store_->findOrgByNumber("0215550100")->has_value(), false);
}

TEST_F(ImportTest, AFailedUpdateLeavesTheOldDirectory) {
  import(acmeImport());
  const std::string before = snapshot();
  acd::DirectoryImport in = acmeImport();
  in.trunks[0].address = "198.51.100.1";
  in.orgs[0].org.timezone = "UTC";
  in.orgs[0].org.numbers = {"0215550999"};
  in.orgs[0].agents[1].menus = {"1", "8"};
  ASSERT_FALSE(store_->applyImport(in, kNow).ok());
  EXPECT_EQ(snapshot(), before);
}

TEST_F(ImportTest, ANumberOfAnotherOrgIsAConflict) {
  import(acmeImport());
  const std::string before = snapshot();
  acd::DirectoryImport in;
  in.orgs.push_back({org("Globex", "globex.example", {"0215550200", "0215550100"}), {agent("x")}});
  auto summary = store_->applyImport(in, kNow);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(codeOf(summary), ErrorCode::kConflict);
  EXPECT_NE(summary.error().message.find("Acme"), std::string::npos) << summary.error().message;
  EXPECT_EQ(codeOf(store_->findOrg("Globex")), ErrorCode::kNotFound);
  EXPECT_EQ(snapshot(), before);
}

TEST_F(ImportTest, NumbersMayMoveBetweenOrgsInOneImport) {
  acd::DirectoryImport first;
  first.orgs.push_back({org("Acme", "acme.example", {"0215550100"}), {}});
  first.orgs.push_back({org("Globex", "globex.example", {"0215550200"}), {}});
  import(first);
  // Globex comes first and takes Acme's number, which Acme gives up later in the list.
  acd::DirectoryImport swap;
  swap.orgs.push_back({org("Globex", "globex.example", {"0215550100"}), {}});
  swap.orgs.push_back({org("Acme", "acme.example", {"0215550200"}), {}});
  import(swap);
  EXPECT_EQ(store_->findOrgByNumber("0215550100")->value(), orgId("Globex"));
  EXPECT_EQ(store_->findOrgByNumber("0215550200")->value(), orgId("Acme"));
}

TEST_F(ImportTest, ADomainOfAnotherOrgIsAConflict) {
  import(acmeImport());
  acd::DirectoryImport in;
  in.orgs.push_back({org("Globex", "acme.example"), {}});
  auto summary = store_->applyImport(in, kNow);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(codeOf(summary), ErrorCode::kConflict);
  EXPECT_EQ(codeOf(store_->findOrg("Globex")), ErrorCode::kNotFound);
}

TEST_F(ImportTest, DuplicatesInsideTheImportAreInvalidInput) {
  auto expectInvalid = [&](const acd::DirectoryImport& in, std::string_view what) {
    auto summary = store_->applyImport(in, kNow);
    ASSERT_FALSE(summary.ok()) << what;
    EXPECT_EQ(codeOf(summary), ErrorCode::kInvalidInput) << what;
    EXPECT_TRUE(store_->isEmpty().value()) << what;
  };
  acd::DirectoryImport agents = acmeImport();
  agents.orgs[0].agents.push_back(agent("bob"));
  expectInvalid(agents, "agent twice");

  acd::DirectoryImport numbers = acmeImport();
  numbers.orgs.push_back({org("Globex", "globex.example", {"0215550100"}), {}});
  expectInvalid(numbers, "number in two orgs");

  acd::DirectoryImport orgs = acmeImport();
  orgs.orgs.push_back(orgs.orgs[0]);
  expectInvalid(orgs, "org twice");

  acd::DirectoryImport menus = acmeImport();
  menus.orgs[0].org.menus.push_back({"1", "Again"});
  expectInvalid(menus, "menu twice");

  acd::DirectoryImport digit = acmeImport();
  digit.orgs[0].org.menus.push_back({"12", "Two digits"});
  expectInvalid(digit, "menu digit");

  acd::DirectoryImport trunks = acmeImport();
  trunks.trunks.push_back(trunks.trunks[0]);
  expectInvalid(trunks, "trunk twice");

  acd::DirectoryImport categories = acmeImport();
  categories.orgs[0].org.categories.push_back("Order");
  expectInvalid(categories, "category twice");
}

TEST_F(ImportTest, AgentIdsDifferingInCaseAreDifferentAgents) {
  acd::DirectoryImport in = acmeImport();
  in.orgs[0].agents.push_back(agent("Alice"));
  const auto summary = import(in);
  EXPECT_EQ(summary.agents_created, 3);
  EXPECT_NE(findAgent("Acme", "alice").key, findAgent("Acme", "Alice").key);
  EXPECT_TRUE(findAgent("Acme", "alice").admin);
  EXPECT_FALSE(findAgent("Acme", "Alice").admin);
}

}  // namespace
}  // namespace sb::store
