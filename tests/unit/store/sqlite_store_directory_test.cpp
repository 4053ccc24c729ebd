// SqliteStore as acd::DirectoryStore: lookups, scoping, agents, lists.
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

class DirectoryTest : public testing::StoreTest {
 protected:
  // Acme and Globex both have an agent "alice"; Acme also has "bob".
  void SetUp() override {
    StoreTest::SetUp();
    acd::DirectoryImport in;
    in.orgs.push_back(
        {org("Acme", "acme.example", {"0215550100"}), {agent("alice"), agent("bob")}});
    in.orgs.push_back(
        {org("Globex", "globex.example", {"0215550200"}, {{"1", "Billing"}, {"5", "Returns"}}),
         {agent("alice", {"5"})}});
    import(in);
    acme_ = orgId("Acme");
    globex_ = orgId("Globex");
  }

  acd::OrgId acme_ = 0, globex_ = 0;
};

TEST_F(DirectoryTest, FindsOrgsByExactName) {
  auto acme = store_->findOrg("Acme");
  ASSERT_TRUE(acme.ok());
  EXPECT_EQ(acme->name, "Acme");
  for (std::string_view wrong : {"acme", "ACME", "Acme ", " Acme", "Acm", "Acme%", "A_me"}) {
    auto miss = store_->findOrg(wrong);
    ASSERT_FALSE(miss.ok()) << wrong;
    EXPECT_EQ(codeOf(miss), ErrorCode::kNotFound) << wrong;
  }
  auto by_id = store_->findOrgById(acme->id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(describe(*by_id), describe(*acme));
  EXPECT_EQ(codeOf(store_->findOrgById(424242)), ErrorCode::kNotFound);
}

TEST_F(DirectoryTest, OrgNamesThatDifferOnlyInCaseAreDifferentOrgs) {
  acd::DirectoryImport in;
  in.orgs.push_back({org("acme", "lower.acme.example"), {agent("Alice")}});
  auto summary = import(in);
  EXPECT_EQ(summary.orgs_created, 1);
  EXPECT_EQ(summary.orgs_updated, 0);
  const acd::OrgId lower = orgId("acme");
  EXPECT_NE(lower, acme_);
  EXPECT_EQ(store_->findOrg("Acme")->domain, "acme.example");
  EXPECT_EQ(findAgent("acme", "Alice").org, lower);
  EXPECT_EQ(codeOf(store_->findAgent(lower, "alice")), ErrorCode::kNotFound);
  EXPECT_EQ(codeOf(store_->findAgent(acme_, "Alice")), ErrorCode::kNotFound);
}

TEST_F(DirectoryTest, AgentLookupsAreScopedToTheirOrg) {
  auto acme_alice = store_->findAgent(acme_, "alice");
  auto globex_alice = store_->findAgent(globex_, "alice");
  ASSERT_TRUE(acme_alice.ok());
  ASSERT_TRUE(globex_alice.ok());
  EXPECT_EQ(acme_alice->org, acme_);
  EXPECT_EQ(globex_alice->org, globex_);
  EXPECT_NE(acme_alice->key, globex_alice->key);
  EXPECT_EQ(acme_alice->menus, std::vector<std::string>{"1"});
  EXPECT_EQ(globex_alice->menus, std::vector<std::string>{"5"});

  EXPECT_EQ(codeOf(store_->findAgent(globex_, "bob")), ErrorCode::kNotFound);
  EXPECT_EQ(codeOf(store_->findAgentByKey(acme_, globex_alice->key)), ErrorCode::kNotFound);
  EXPECT_EQ(store_->findAgentByKey(globex_, globex_alice->key)->id, "alice");
  EXPECT_EQ(codeOf(store_->findAgent(acme_, "Alice")), ErrorCode::kNotFound);

  auto globex_agents = store_->listAgents(globex_);
  ASSERT_TRUE(globex_agents.ok());
  ASSERT_EQ(globex_agents->size(), 1u);
  EXPECT_EQ(globex_agents->front().key, globex_alice->key);

  acd::AgentPatch rename;
  rename.name = "Alice of Acme";
  ASSERT_TRUE(store_->updateAgent(acme_, "alice", rename, kNow).ok());
  EXPECT_EQ(store_->findAgent(globex_, "alice")->name, "Agent alice");
}

TEST_F(DirectoryTest, MenusOfAnotherOrgAreUnknownDigits) {
  auto created = store_->createAgent(acme_, agent("carol", {"5"}), kNow);  // Globex has 5
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(codeOf(created), ErrorCode::kInvalidInput);
  EXPECT_EQ(codeOf(store_->findAgent(acme_, "carol")), ErrorCode::kNotFound);
}

TEST_F(DirectoryTest, FindsTheOrgOfANumber) {
  EXPECT_EQ(store_->findOrgByNumber("0215550100").value(), std::optional<acd::OrgId>{acme_});
  EXPECT_EQ(store_->findOrgByNumber("0215550200").value(), std::optional<acd::OrgId>{globex_});
  auto unknown = store_->findOrgByNumber("0215550999");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
}

TEST_F(DirectoryTest, CreatesAnAgent) {
  acd::AgentImport carol = agent("carol", {"2", "1"});
  carol.admin = true;
  carol.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
  carol.sip_secret = "s3cret";
  auto created = store_->createAgent(acme_, carol, kNow);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_GT(created->key, 0);
  EXPECT_EQ(created->org, acme_);
  EXPECT_EQ(created->id, "carol");
  EXPECT_EQ(created->name, "Agent carol");
  EXPECT_EQ(created->menus, (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(created->admin);
  EXPECT_TRUE(created->enabled);
  EXPECT_EQ(created->sip_secret, "s3cret");
  EXPECT_EQ(created->created_at, kNow);
  EXPECT_EQ(describe(findAgent("Acme", "carol")), describe(*created));
  auto credentials = store_->findCredentials(created->key);
  ASSERT_TRUE(credentials.ok());
  EXPECT_EQ(credentials->password_hash, *carol.password_hash);
  EXPECT_FALSE(credentials->must_change_password);
}

TEST_F(DirectoryTest, CreateAgentRefusesDuplicatesUnknownMenusAndUnknownOrgs) {
  auto duplicate = store_->createAgent(acme_, agent("alice"), kNow);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(codeOf(duplicate), ErrorCode::kConflict);

  auto bad_menu = store_->createAgent(acme_, agent("dave", {"1", "9"}), kNow);
  ASSERT_FALSE(bad_menu.ok());
  EXPECT_EQ(codeOf(bad_menu), ErrorCode::kInvalidInput);
  EXPECT_EQ(codeOf(store_->findAgent(acme_, "dave")), ErrorCode::kNotFound);

  EXPECT_EQ(codeOf(store_->createAgent(999, agent("erin"), kNow)), ErrorCode::kNotFound);

  // Another case of an existing ID is another agent.
  EXPECT_TRUE(store_->createAgent(acme_, agent("Alice"), kNow).ok());
}

TEST_F(DirectoryTest, CreatedAgentWithoutSecretsHasEmptyOnes) {
  auto created = store_->createAgent(acme_, agent("frank", {}), kNow);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->sip_secret, "");
  EXPECT_TRUE(created->menus.empty());
  EXPECT_EQ(store_->findCredentials(created->key)->password_hash, "");
}

TEST_F(DirectoryTest, UpdateAgentChangesOnlyWhatThePatchNames) {
  const acd::Agent before = findAgent("Acme", "bob");
  acd::AgentPatch patch;
  patch.name = "Robert";
  auto renamed = store_->updateAgent(acme_, "bob", patch, kNow);
  ASSERT_TRUE(renamed.ok());
  acd::Agent expected = before;
  expected.name = "Robert";
  EXPECT_EQ(describe(*renamed), describe(expected));

  acd::AgentPatch more;
  more.menus = std::vector<std::string>{"2"};
  more.admin = true;
  auto updated = store_->updateAgent(acme_, "bob", more, kNow);
  ASSERT_TRUE(updated.ok());
  expected.menus = {"2"};
  expected.admin = true;
  EXPECT_EQ(describe(*updated), describe(expected));
  EXPECT_EQ(describe(findAgent("Acme", "bob")), describe(expected));
}

TEST_F(DirectoryTest, UpdateAgentWithAnUnknownMenuChangesNothing) {
  const std::string before = describe(findAgent("Acme", "bob"));
  acd::AgentPatch patch;
  patch.name = "Not applied";
  patch.menus = std::vector<std::string>{"1", "7"};
  auto updated = store_->updateAgent(acme_, "bob", patch, kNow);
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(codeOf(updated), ErrorCode::kInvalidInput);
  EXPECT_EQ(describe(findAgent("Acme", "bob")), before);
}

TEST_F(DirectoryTest, UpdateAgentOfAnotherOrgIsNotFound) {
  acd::AgentPatch patch;
  patch.admin = true;
  EXPECT_EQ(codeOf(store_->updateAgent(globex_, "bob", patch, kNow)), ErrorCode::kNotFound);
  EXPECT_FALSE(findAgent("Acme", "bob").admin);
}

TEST_F(DirectoryTest, DisablingAnAgentDeletesItsSessions) {
  const acd::Agent alice = findAgent("Acme", "alice");
  const acd::Agent bob = findAgent("Acme", "bob");
  addSession(acme_, alice.key, 1);
  addSession(acme_, alice.key, 2);
  addSession(acme_, bob.key, 3);

  acd::AgentPatch rename;  // a patch that does not disable keeps the sessions
  rename.name = "Alice";
  ASSERT_TRUE(store_->updateAgent(acme_, "alice", rename, kNow).ok());
  EXPECT_TRUE(hasSession(1));

  acd::AgentPatch disable;
  disable.enabled = false;
  auto disabled = store_->updateAgent(acme_, "alice", disable, kNow);
  ASSERT_TRUE(disabled.ok());
  EXPECT_FALSE(disabled->enabled);
  EXPECT_FALSE(hasSession(1));
  EXPECT_FALSE(hasSession(2));
  EXPECT_TRUE(hasSession(3));  // bob's
  EXPECT_FALSE(findAgent("Acme", "alice").enabled);
}

TEST_F(DirectoryTest, ListsAreOrdered) {
  acd::DirectoryImport in;
  in.trunks = {{"zeta", "192.0.2.2", "192.0.2.2:5060"}, {"alpha", "192.0.2.1", "192.0.2.1:5060"}};
  in.orgs.push_back(
      {org("Acme", "acme.example", {"0215550100"}, {{"9", "Nine"}, {"0", "Zero"}, {"3", "Three"}}),
       {agent("Zed"), agent("aaron"), agent("Bea")}});
  import(in);
  auto agents = store_->listAgents(acme_);
  ASSERT_TRUE(agents.ok());
  std::vector<std::string> ids;
  for (const auto& a : *agents) ids.push_back(a.id);
  // Byte order, as the BINARY collation sorts: capitals first.
  EXPECT_EQ(ids, (std::vector<std::string>{"Bea", "Zed", "aaron", "alice", "bob"}));

  auto acme = store_->findOrg("Acme");
  std::vector<std::string> digits;
  for (const auto& m : acme->menus) digits.push_back(m.digit);
  EXPECT_EQ(digits, (std::vector<std::string>{"0", "1", "2", "3", "9"}));
  EXPECT_EQ(acme->categories, (std::vector<std::string>{"Order", "Complaint", "Other"}));

  auto trunks = store_->listTrunks();
  ASSERT_TRUE(trunks.ok());
  ASSERT_EQ(trunks->size(), 2u);
  EXPECT_EQ((*trunks)[0].name, "alpha");
  EXPECT_EQ((*trunks)[1], (acd::Trunk{"zeta", "192.0.2.2", "192.0.2.2:5060"}));

  auto orgs = store_->listOrgs();
  ASSERT_TRUE(orgs.ok());
  ASSERT_EQ(orgs->size(), 2u);
  EXPECT_EQ((*orgs)[0].name, "Acme");
  EXPECT_EQ((*orgs)[1].name, "Globex");
}

TEST_F(DirectoryTest, ListAgentsOfAnUnknownOrgIsNotFound) {
  EXPECT_EQ(codeOf(store_->listAgents(999)), ErrorCode::kNotFound);
}

TEST_F(DirectoryTest, TheDirectorySurvivesAReopen) {
  const std::string before = snapshot();
  reopen();
  EXPECT_EQ(snapshot(), before);
  EXPECT_NE(before.find("Globex"), std::string::npos);
}

TEST(DirectoryEmptyTest, IsEmptyUntilTheFirstOrg) {
  sb::testing::TempDir dir;
  auto store = SqliteStore::open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->isEmpty().value(), true);
  EXPECT_TRUE((*store)->listOrgs()->empty());
  EXPECT_TRUE((*store)->listTrunks()->empty());
  acd::DirectoryImport in;
  in.orgs.push_back({testing::org("Acme", "acme.example"), {}});
  ASSERT_TRUE((*store)->applyImport(in, kNow).ok());
  EXPECT_EQ((*store)->isEmpty().value(), false);
}

TEST(DirectorySharedDatabaseTest, AStoreCanUseADatabaseItDoesNotOwn) {
  sb::testing::TempDir dir;
  auto db = Database::open(dir.path());
  ASSERT_TRUE(db.ok());
  {
    SqliteStore store(**db);
    acd::DirectoryImport in;
    in.orgs.push_back({testing::org("Acme", "acme.example"), {}});
    ASSERT_TRUE(store.applyImport(in, kNow).ok());
  }
  SqliteStore again(**db);  // the database outlived the first store
  EXPECT_TRUE(again.findOrg("Acme").ok());
  EXPECT_EQ(&again.database(), db->get());
}

}  // namespace
}  // namespace sb::store
