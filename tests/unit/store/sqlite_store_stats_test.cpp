// SqliteStore as acd::StatsStore: the records and state spans the statistics read.
#include <gtest/gtest.h>

#include "store/sqlite_store.hpp"
#include "unit/store/store_fixture.hpp"

namespace sb::store {
namespace {

using acd::AgentState;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::agent;
using testing::kNow;
using testing::org;

class StatsStoreTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    acd::DirectoryImport in;
    in.orgs.push_back({org("Acme", "acme.example"), {agent("alice"), agent("bob"), agent("dave")}});
    import(in);
    acme_ = orgId("Acme");
    alice_ = findAgent("Acme", "alice").key;
    bob_ = findAgent("Acme", "bob").key;
  }
  void change(acd::AgentKey who, AgentState from, AgentState to, core::Time at) {
    ASSERT_TRUE(store_->recordAgentState(acme_, who, {from, to, at, acd::StateCause::kRequest}).ok());
  }
  acd::OrgId acme_ = 0;
  acd::AgentKey alice_ = 0, bob_ = 0;
};

TEST_F(StatsStoreTest, StateSpansCoverThePeriodFromTheStateAtItsStart) {
  change(alice_, AgentState::kOffline, AgentState::kReady, kNow);
  change(alice_, AgentState::kReady, AgentState::kBreak, kNow + minutes(10));
  change(alice_, AgentState::kBreak, AgentState::kAfterCallWork, kNow + minutes(20));
  change(bob_, AgentState::kOffline, AgentState::kBreak, kNow - hours(5));  // no change since
  auto spans = store_->stateSpans(acme_, kNow + minutes(5), kNow + minutes(30), kNow + minutes(25));
  ASSERT_TRUE(spans.ok()) << spans.error().message;
  std::vector<std::tuple<acd::AgentKey, AgentState, core::Time, core::Time>> got;
  for (const auto& s : *spans) got.emplace_back(s.agent, s.state, s.since, s.until);
  std::sort(got.begin(), got.end());
  std::vector<std::tuple<acd::AgentKey, AgentState, core::Time, core::Time>> want{
      {alice_, AgentState::kReady, kNow + minutes(5), kNow + minutes(10)},
      {alice_, AgentState::kBreak, kNow + minutes(10), kNow + minutes(20)},
      {alice_, AgentState::kAfterCallWork, kNow + minutes(20), kNow + minutes(25)},  // up to now
      {bob_, AgentState::kBreak, kNow + minutes(5), kNow + minutes(25)},
  };
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);  // dave never logged in: no span
  auto before = store_->stateSpans(acme_, kNow - hours(1), kNow - minutes(30), kNow + minutes(25));
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 2u);  // alice Offline (her first change's from), bob on Break
}

TEST_F(StatsStoreTest, StatsCallsReachADayBeforeThePeriod) {
  auto call = [&](acd::CallId id, core::Time arrived) {
    acd::CallRecord r;
    r.call = id;
    r.org = acme_;
    r.caller = "010";
    r.called = "02";
    r.arrived = arrived;
    r.ended = arrived + seconds(30);
    r.result = acd::CallResult::kUnconnected;
    ASSERT_TRUE(store_->closeCall(r).ok());
  };
  call(1, kNow - hours(25));  // too early to touch the period
  call(2, kNow - hours(23));  // might have been queued or offered in it
  call(3, kNow + hours(1));
  call(4, kNow + hours(24));  // after it
  auto calls = store_->statsCalls(acme_, kNow, kNow + hours(24));
  ASSERT_TRUE(calls.ok());
  std::vector<acd::CallId> ids;
  for (const auto& c : *calls) ids.push_back(c.call);
  EXPECT_EQ(ids, (std::vector<acd::CallId>{2, 3}));
}

}  // namespace
}  // namespace sb::store
