// SqliteStore as acd::CallRecordStore: call records written at arrival and at the end,
// crash leftovers closed as interrupted, callbacks (N4, N5, K1).
#include <gtest/gtest.h>

#include "store/sqlite_store.hpp"
#include "unit/store/store_fixture.hpp"

namespace sb::store {
namespace {

using acd::CallRecord;
using acd::CallResult;
using core::ErrorCode;
using std::chrono::seconds;
using testing::agent;
using testing::codeOf;
using testing::kNow;
using testing::org;

class CallRecordStoreTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    acd::DirectoryImport in;
    in.orgs.push_back({org("Acme", "acme.example"), {agent("alice"), agent("bob")}});
    in.orgs.push_back({org("Globex", "globex.example"), {agent("carol")}});
    import(in);
    acme_ = orgId("Acme");
    globex_ = orgId("Globex");
    alice_ = findAgent("Acme", "alice").key;
    bob_ = findAgent("Acme", "bob").key;
  }

  CallRecord arrived(acd::CallId id, acd::OrgId org_id, core::Time at) {
    CallRecord r;
    r.call = id;
    r.org = org_id;
    r.caller = "01012345678";
    r.called = "0215880000";
    r.arrived = at;
    return r;
  }

  std::vector<CallRecord> list(acd::OrgId org_id) {
    auto calls = store_->listCalls(org_id, kNow - std::chrono::hours(1), kNow + std::chrono::hours(1), 100);
    EXPECT_TRUE(calls.ok());
    return calls.ok() ? *calls : std::vector<CallRecord>{};
  }

  acd::OrgId acme_ = 0, globex_ = 0;
  acd::AgentKey alice_ = 0, bob_ = 0;
};

TEST_F(CallRecordStoreTest, AnAnsweredCallIsStoredWithEverything) {
  CallRecord r = arrived(1, acme_, kNow);
  ASSERT_TRUE(store_->openCall(r).ok());
  EXPECT_TRUE(list(acme_).empty());  // in progress: not listed yet
  r.menu = 2;
  r.queued = kNow + seconds(8);
  r.offers = {{bob_, kNow + seconds(2), acd::OfferOutcome::kMissed},
              {alice_, kNow + seconds(20), acd::OfferOutcome::kAnswered, kNow + seconds(30),
               std::chrono::milliseconds(4500)}};  // when alice started talking, her hold
  r.direction = acd::CallDirection::kOutbound;  // not the default: proves it is stored
  r.hold = std::chrono::milliseconds(4500);
  r.end_reason = "media_timeout";
  r.agent = alice_;
  r.answered = kNow + seconds(30);
  r.ended = kNow + seconds(200);
  r.result = CallResult::kAnswered;
  r.ended_by = "customer";
  r.recording = "recordings/acme.example/2026-11-24/x.wav";
  ASSERT_TRUE(store_->closeCall(r).ok());
  auto calls = list(acme_);
  ASSERT_EQ(calls.size(), 1u);
  const CallRecord& got = calls[0];
  EXPECT_EQ(got.call, 1u);
  EXPECT_EQ(got.caller, "01012345678");
  EXPECT_EQ(got.menu, 2);
  EXPECT_EQ(got.agent, alice_);
  EXPECT_EQ(got.offers, r.offers);
  EXPECT_EQ(got.hold, std::chrono::milliseconds(4500));
  EXPECT_EQ(got.end_reason, "media_timeout");
  EXPECT_EQ(got.direction, acd::CallDirection::kOutbound);
  EXPECT_EQ(got.queued, kNow + seconds(8));
  EXPECT_EQ(got.answered, kNow + seconds(30));
  EXPECT_EQ(got.ended, kNow + seconds(200));
  EXPECT_EQ(got.result, CallResult::kAnswered);
  EXPECT_EQ(got.ended_by, "customer");
  EXPECT_EQ(got.recording, r.recording);
  EXPECT_EQ(got.wait(), seconds(30));
  EXPECT_EQ(got.talk(), seconds(170));
}

TEST_F(CallRecordStoreTest, OpeningTheSameCallTwiceIsAConflict) {
  ASSERT_TRUE(store_->openCall(arrived(1, acme_, kNow)).ok());
  EXPECT_EQ(codeOf(store_->openCall(arrived(1, acme_, kNow))), ErrorCode::kConflict);
}

TEST_F(CallRecordStoreTest, AnotherOrgCannotOverwriteACall) {
  ASSERT_TRUE(store_->openCall(arrived(1, acme_, kNow)).ok());
  CallRecord other = arrived(1, globex_, kNow);
  other.result = CallResult::kUnconnected;
  other.ended = kNow + seconds(5);
  EXPECT_EQ(codeOf(store_->closeCall(other)), ErrorCode::kNotFound);
  EXPECT_TRUE(list(globex_).empty());
}

TEST_F(CallRecordStoreTest, ACrashLeavesOpenCallsThatStartClosesAsInterrupted) {
  ASSERT_TRUE(store_->openCall(arrived(1, acme_, kNow)).ok());
  ASSERT_TRUE(store_->openCall(arrived(2, acme_, kNow + seconds(1))).ok());
  CallRecord done = arrived(3, acme_, kNow + seconds(2));
  done.result = CallResult::kUnconnected;
  done.ended = kNow + seconds(9);
  ASSERT_TRUE(store_->closeCall(done).ok());  // closed without openCall: inserted whole
  auto closed = store_->closeInterrupted(kNow + seconds(60));
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(*closed, 2u);
  auto calls = list(acme_);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].call, 3u);  // newest first
  EXPECT_EQ(calls[0].result, CallResult::kUnconnected);
  EXPECT_EQ(calls[1].result, CallResult::kInterrupted);
  EXPECT_EQ(calls[1].ended, kNow + seconds(60));
  EXPECT_EQ(calls[1].ended_by, "system");
  auto again = store_->closeInterrupted(kNow + seconds(70));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
}

TEST_F(CallRecordStoreTest, ListingIsPerOrgWithinTheWindowAndBounded) {
  for (acd::CallId id = 1; id <= 5; ++id) {
    CallRecord r = arrived(id, id % 2 ? acme_ : globex_, kNow + seconds(static_cast<int>(id)));
    r.result = CallResult::kAnswered;
    r.ended = r.arrived + seconds(10);
    ASSERT_TRUE(store_->closeCall(r).ok());
  }
  EXPECT_EQ(list(acme_).size(), 3u);
  EXPECT_EQ(list(globex_).size(), 2u);
  auto two = store_->listCalls(acme_, kNow, kNow + std::chrono::hours(1), 2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].call, 5u);
  auto window = store_->listCalls(acme_, kNow + seconds(2), kNow + seconds(4), 100);
  ASSERT_TRUE(window.ok());
  ASSERT_EQ(window->size(), 1u);
  EXPECT_EQ((*window)[0].call, 3u);
}

TEST_F(CallRecordStoreTest, CallbacksArePendingOldestFirstPerOrg) {
  auto first = store_->saveCallback(acme_, 7, "01011112222", 1, kNow + seconds(10));
  auto second = store_->saveCallback(acme_, 8, "01033334444", 2, kNow + seconds(5));
  auto other = store_->saveCallback(globex_, 9, "01055556666", 1, kNow);
  ASSERT_TRUE(first.ok() && second.ok() && other.ok());
  auto pending = store_->pendingCallbacks(acme_);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].number, "01033334444");
  EXPECT_EQ((*pending)[0].menu, 2);
  EXPECT_EQ((*pending)[0].call, 8u);
  EXPECT_EQ((*pending)[1].id, *first);
  EXPECT_FALSE((*pending)[1].done);
}

TEST_F(CallRecordStoreTest, RecordsSurviveReopeningTheDatabase) {
  CallRecord r = arrived(1, acme_, kNow);
  r.result = CallResult::kCallback;
  r.ended = kNow + seconds(40);
  ASSERT_TRUE(store_->closeCall(r).ok());
  ASSERT_TRUE(store_->saveCallback(acme_, 1, r.caller, 1, kNow + seconds(39)).ok());
  reopen();
  auto calls = list(acme_);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].result, CallResult::kCallback);
  auto pending = store_->pendingCallbacks(acme_);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->size(), 1u);
}

TEST_F(CallRecordStoreTest, ABatchWritesEverythingInOrderAndAFailedItemAlone) {
  acd::StateChange offer{acd::AgentState::kReady, acd::AgentState::kRinging, kNow, acd::StateCause::kOffer};
  CallRecord r = arrived(900, acme_, kNow);
  CallRecord ended = r;
  ended.ended = kNow + seconds(30);
  ended.result = CallResult::kUnconnected;
  ended.ended_by = "customer";
  std::vector<acd::CenterWrite> writes{
      acd::CallOpenWrite{r},
      acd::AgentStateWrite{acme_, alice_, offer, std::nullopt},
      acd::AgentStateWrite{globex_, alice_, offer, std::nullopt},  // alice is not Globex's: fails alone
      acd::CallbackWrite{acme_, 900, "01012345678", 1, kNow + seconds(10)},
      acd::CallCloseWrite{ended},
  };
  auto results = store_->writeBatch(writes);
  ASSERT_TRUE(results.ok()) << results.error().message;
  ASSERT_EQ(results->size(), 5u);
  EXPECT_TRUE((*results)[0].ok());
  EXPECT_TRUE((*results)[1].ok());
  EXPECT_EQ((*results)[2].error().code, ErrorCode::kNotFound);
  EXPECT_TRUE((*results)[3].ok());
  EXPECT_TRUE((*results)[4].ok());
  auto calls = list(acme_);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].result, CallResult::kUnconnected);
  auto state = store_->loadAgentState(acme_, alice_);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, acd::AgentState::kRinging);
  auto callbacks = store_->pendingCallbacks(acme_);
  ASSERT_TRUE(callbacks.ok());
  ASSERT_EQ(callbacks->size(), 1u);
  EXPECT_EQ((*callbacks)[0].call, 900u);
  // Opening the same call again fails alone too.
  std::vector<acd::CenterWrite> again{acd::CallOpenWrite{r}};
  auto second = store_->writeBatch(again);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)[0].error().code, ErrorCode::kConflict);
}

TEST_F(CallRecordStoreTest, NextCallIdIsPastEveryStoredCall) {
  auto first = store_->nextCallId();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 1u);
  ASSERT_TRUE(store_->openCall(arrived(41, acme_, kNow)).ok());
  ASSERT_TRUE(store_->openCall(arrived(7, globex_, kNow)).ok());
  auto next = store_->nextCallId();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 42u);
}

TEST_F(CallRecordStoreTest, HistoryTabsPageNewestFirstAndStayInTheOrg) {  // I1-I3
  auto close = [&](acd::CallId id, acd::OrgId org_id, int second, CallResult result,
                   std::optional<acd::AgentKey> agent, acd::CallDirection direction = acd::CallDirection::kInbound) {
    CallRecord r = arrived(id, org_id, kNow + seconds(second));
    r.result = result;
    r.agent = agent;
    r.direction = direction;
    r.ended = r.arrived + seconds(30);
    ASSERT_TRUE(store_->closeCall(r).ok());
  };
  close(1, acme_, 1, CallResult::kAnswered, alice_);
  close(2, acme_, 2, CallResult::kUnconnected, std::nullopt);
  close(3, acme_, 3, CallResult::kAnswered, bob_);
  close(4, acme_, 4, CallResult::kCallback, std::nullopt);
  close(5, acme_, 5, CallResult::kAnswered, alice_, acd::CallDirection::kOutbound);
  close(6, acme_, 6, CallResult::kAnswered, alice_, acd::CallDirection::kInternal);  // I3: not listed
  close(7, acme_, 7, CallResult::kAnswered, alice_);
  close(8, globex_, 8, CallResult::kAnswered, std::nullopt);
  ASSERT_TRUE(store_->openCall(arrived(9, acme_, kNow + seconds(9))).ok());  // running: not listed
  auto ids = [](const std::vector<CallRecord>& calls) {
    std::vector<acd::CallId> out;
    for (const auto& c : calls) out.push_back(c.call);
    return out;
  };
  auto page = [&](acd::HistoryTab tab, std::size_t limit, std::optional<acd::HistoryCursor> before = {}) {
    auto got = store_->callHistory(acme_, acd::HistoryQuery{tab, alice_, before, limit});
    EXPECT_TRUE(got.ok());
    return got.ok() ? *got : std::vector<CallRecord>{};
  };
  EXPECT_EQ(ids(page(acd::HistoryTab::kMine, 10)), (std::vector<acd::CallId>{7, 5, 1}));
  EXPECT_EQ(ids(page(acd::HistoryTab::kUnconnected, 10)), (std::vector<acd::CallId>{4, 2}));
  EXPECT_EQ(ids(page(acd::HistoryTab::kAll, 10)), (std::vector<acd::CallId>{7, 5, 4, 3, 2, 1}));
  // Paging: two at a time, each page after the last call of the previous one.
  auto first = page(acd::HistoryTab::kAll, 2);
  ASSERT_EQ(ids(first), (std::vector<acd::CallId>{7, 5}));
  auto second = page(acd::HistoryTab::kAll, 2, acd::HistoryCursor{first.back().arrived, first.back().call});
  EXPECT_EQ(ids(second), (std::vector<acd::CallId>{4, 3}));
  // Ties on the arrival time are ordered by id.
  close(10, acme_, 3, CallResult::kAnswered, bob_);
  auto tied = page(acd::HistoryTab::kAll, 2, acd::HistoryCursor{kNow + seconds(3), 10});
  EXPECT_EQ(ids(tied), (std::vector<acd::CallId>{3, 2}));
  // One call: of this org, ended.
  auto found = store_->findCall(acme_, 7);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->agent, alice_);
  EXPECT_EQ(codeOf(store_->findCall(acme_, 8)), ErrorCode::kNotFound);  // Globex's
  EXPECT_EQ(codeOf(store_->findCall(acme_, 9)), ErrorCode::kNotFound);  // running
  EXPECT_EQ(codeOf(store_->findCall(acme_, 99)), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace sb::store
