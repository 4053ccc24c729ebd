// SqliteStore as acd::AgentStateStore: current states and their history (C4).
#include <gtest/gtest.h>

#include "store/sqlite_store.hpp"
#include "unit/store/store_fixture.hpp"

namespace sb::store {
namespace {

using acd::AgentState;
using acd::StateCause;
using acd::StateChange;
using core::ErrorCode;
using std::chrono::seconds;
using testing::agent;
using testing::codeOf;
using testing::kNow;
using testing::org;

class AgentStateStoreTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    acd::DirectoryImport in;
    in.orgs.push_back({org("Acme", "acme.example"), {agent("bob"), agent("alice")}});
    in.orgs.push_back({org("Globex", "globex.example"), {agent("alice")}});
    import(in);
    acme_ = orgId("Acme");
    globex_ = orgId("Globex");
    alice_ = findAgent("Acme", "alice").key;
    bob_ = findAgent("Acme", "bob").key;
    globex_alice_ = findAgent("Globex", "alice").key;
  }

  // The stored history of one agent as "from>to:cause@ms-offset" lines.
  std::string history(acd::AgentKey agent) {
    auto rows = store_->database().read([&](Connection& c) -> core::Result<std::string> {
      auto stmt = c.prepare(
          "SELECT from_state, to_state, cause, at, org_id FROM agent_state_changes "
          "WHERE agent_key = ?1 ORDER BY id");
      if (!stmt) return stmt.error();
      stmt->bindInt(1, agent);
      std::string out;
      for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        out += stmt->columnText(0) + ">" + stmt->columnText(1) + ":" + stmt->columnText(2) + "@" +
               std::to_string(stmt->columnInt(3) - core::toUnixMillis(kNow)) + " org" +
               std::to_string(stmt->columnInt(4)) + "\n";
      }
      return out;
    });
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::string{};
  }

  void record(acd::OrgId org, acd::AgentKey agent, AgentState from, AgentState to, StateCause cause,
              core::Time at) {
    auto r = store_->recordAgentState(org, agent, StateChange{from, to, at, cause});
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  acd::OrgId acme_ = 0, globex_ = 0;
  acd::AgentKey alice_ = 0, bob_ = 0, globex_alice_ = 0;
};

TEST_F(AgentStateStoreTest, AnAgentNeverRecordedHasNoState) {
  EXPECT_EQ(codeOf(store_->loadAgentState(acme_, alice_)), ErrorCode::kNotFound);
  auto all = store_->loadAgentStates(acme_);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_F(AgentStateStoreTest, RecordKeepsTheCurrentStateAndEveryChange) {
  record(acme_, alice_, AgentState::kOffline, AgentState::kBreak, StateCause::kLogin, kNow);
  record(acme_, alice_, AgentState::kBreak, AgentState::kReady, StateCause::kRequest,
         kNow + seconds(5));
  record(acme_, alice_, AgentState::kReady, AgentState::kRinging, StateCause::kOffer,
         kNow + seconds(9));

  auto current = store_->loadAgentState(acme_, alice_);
  ASSERT_TRUE(current.ok()) << current.error().message;
  EXPECT_EQ(current->agent, alice_);
  EXPECT_EQ(current->agent_id, "alice");
  EXPECT_EQ(current->state, AgentState::kRinging);
  EXPECT_EQ(current->since, kNow + seconds(9));

  const std::string org = " org" + std::to_string(acme_) + "\n";
  EXPECT_EQ(history(alice_), "offline>break:login@0" + org + "break>ready:request@5000" + org +
                                 "ready>ringing:offer@9000" + org);
  EXPECT_EQ(history(bob_), "");
}

TEST_F(AgentStateStoreTest, LoadAgentStatesListsTheOrgsAgentsOnly) {
  record(acme_, bob_, AgentState::kOffline, AgentState::kReady, StateCause::kLogin, kNow);
  record(acme_, alice_, AgentState::kOffline, AgentState::kBreak, StateCause::kLogin,
         kNow + seconds(1));
  record(acme_, alice_, AgentState::kBreak, AgentState::kOffline, StateCause::kLogout,
         kNow + seconds(2));
  record(globex_, globex_alice_, AgentState::kOffline, AgentState::kReady, StateCause::kLogin,
         kNow);

  auto acme = store_->loadAgentStates(acme_);
  ASSERT_TRUE(acme.ok()) << acme.error().message;
  ASSERT_EQ(acme->size(), 2u);
  EXPECT_EQ((*acme)[0].agent_id, "alice");  // by agent ID
  EXPECT_EQ((*acme)[0].state, AgentState::kOffline);
  EXPECT_EQ((*acme)[0].since, kNow + seconds(2));
  EXPECT_EQ((*acme)[1].agent_id, "bob");
  EXPECT_EQ((*acme)[1].state, AgentState::kReady);

  auto globex = store_->loadAgentStates(globex_);
  ASSERT_TRUE(globex.ok());
  ASSERT_EQ(globex->size(), 1u);
  EXPECT_EQ((*globex)[0].agent, globex_alice_);
}

TEST_F(AgentStateStoreTest, AnotherOrgsAgentIsNotFoundAndNothingIsWritten) {
  auto r = store_->recordAgentState(
      globex_, alice_,
      StateChange{AgentState::kOffline, AgentState::kReady, kNow, StateCause::kLogin});
  EXPECT_EQ(codeOf(r), ErrorCode::kNotFound);
  EXPECT_EQ(codeOf(store_->recordAgentState(acme_, 999, StateChange{})), ErrorCode::kNotFound);
  EXPECT_EQ(history(alice_), "");
  EXPECT_EQ(codeOf(store_->loadAgentState(globex_, alice_)), ErrorCode::kNotFound);
  record(acme_, alice_, AgentState::kOffline, AgentState::kReady, StateCause::kLogin, kNow);
  EXPECT_EQ(codeOf(store_->loadAgentState(globex_, alice_)), ErrorCode::kNotFound);
}

TEST_F(AgentStateStoreTest, StatesSurviveReopening) {
  record(acme_, alice_, AgentState::kOffline, AgentState::kAfterCallWork, StateCause::kLogin, kNow);
  reopen();
  auto current = store_->loadAgentState(acme_, alice_);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->state, AgentState::kAfterCallWork);
  EXPECT_EQ(current->since, kNow);
  EXPECT_EQ(history(alice_), "offline>acw:login@0 org" + std::to_string(acme_) + "\n");
}

TEST_F(AgentStateStoreTest, EveryStateAndCauseRoundTrips) {
  core::Time at = kNow;
  AgentState from = AgentState::kOffline;
  for (AgentState to : {AgentState::kReady, AgentState::kBreak, AgentState::kAfterCallWork,
                        AgentState::kRinging, AgentState::kOnCall, AgentState::kOffline}) {
    at += seconds(1);
    record(acme_, bob_, from, to, StateCause::kCallEnded, at);
    auto current = store_->loadAgentState(acme_, bob_);
    ASSERT_TRUE(current.ok());
    EXPECT_EQ(current->state, to) << acd::toString(to);
    from = to;
  }
  EXPECT_NE(history(bob_).find("ringing>on_call:call_ended"), std::string::npos);
}

}  // namespace
}  // namespace sb::store
