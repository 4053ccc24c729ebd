// SqliteStore: after-call notes (G1–G5), a customer's earlier contacts (D2), the
// recording audit log (I4) and the callback lists (K1–K2).
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

class NotesStoreTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    acd::DirectoryImport in;
    in.orgs.push_back({org("Acme", "acme.example"), {agent("alice"), agent("bob"), agent("dave")}});
    in.orgs.push_back({org("Globex", "globex.example"), {agent("carol")}});
    import(in);
    acme_ = orgId("Acme");
    globex_ = orgId("Globex");
    alice_ = findAgent("Acme", "alice").key;
    bob_ = findAgent("Acme", "bob").key;
    dave_ = findAgent("Acme", "dave").key;
  }

  // An answered inbound call of alice, ended and stored.
  CallRecord answered(acd::CallId id, core::Time at, std::string caller = "01012345678") {
    CallRecord r;
    r.call = id;
    r.org = acme_;
    r.caller = std::move(caller);
    r.called = "0215880000";
    r.arrived = at;
    r.menu = 1;
    r.offers = {{alice_, at + seconds(5), acd::OfferOutcome::kAnswered}};
    r.agent = alice_;
    r.answered = at + seconds(8);
    r.ended = at + seconds(60);
    r.result = CallResult::kAnswered;
    r.ended_by = "customer";
    return r;
  }
  void store(const CallRecord& r) {
    ASSERT_TRUE(store_->openCall(r).ok());
    ASSERT_TRUE(store_->closeCall(r).ok());
  }
  acd::NoteWrite note(acd::CallId call, acd::AgentKey author, std::string text, core::Time at = kNow + seconds(90)) {
    return acd::NoteWrite{acme_, call, author, "Orders", std::move(text), at};
  }
  acd::CallRecord find(acd::CallId call) {
    auto r = store_->findCall(acme_, call);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : CallRecord{};
  }

  acd::OrgId acme_ = 0, globex_ = 0;
  acd::AgentKey alice_ = 0, bob_ = 0, dave_ = 0;
};

TEST_F(NotesStoreTest, TheAgentWhoAnsweredWritesAndLaterEditsTheNote) {
  store(answered(1, kNow));
  auto saved = store_->saveNote(note(1, alice_, "주문 취소 문의, 환불 안내함"));
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_EQ(saved->created, kNow + seconds(90));
  auto edited = store_->saveNote(acd::NoteWrite{acme_, 1, alice_, "Refunds", "refund sent", kNow + seconds(900)});
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited->created, kNow + seconds(90));  // G5: an edit keeps when it was written
  EXPECT_EQ(edited->updated, kNow + seconds(900));
  const CallRecord got = find(1);
  ASSERT_EQ(got.notes.size(), 1u);  // replaced, not added
  EXPECT_EQ(got.notes[0].author, alice_);
  EXPECT_EQ(got.notes[0].category, "Refunds");
  EXPECT_EQ(got.notes[0].text, "refund sent");
}

TEST_F(NotesStoreTest, OnlyAgentsWhoSpokeWithTheCustomerWriteNotes) {
  CallRecord r = answered(1, kNow);
  // bob missed it first; dave took it over by a transfer (an answered offer).
  r.offers = {{bob_, kNow + seconds(2), acd::OfferOutcome::kMissed},
              {alice_, kNow + seconds(5), acd::OfferOutcome::kAnswered},
              {dave_, kNow + seconds(30), acd::OfferOutcome::kAnswered}};
  store(r);
  EXPECT_EQ(codeOf(store_->saveNote(note(1, bob_, "x"))), ErrorCode::kForbidden);
  ASSERT_TRUE(store_->saveNote(note(1, alice_, "first part")).ok());
  ASSERT_TRUE(store_->saveNote(note(1, dave_, "second part", kNow + seconds(95))).ok());
  const CallRecord got = find(1);
  ASSERT_EQ(got.notes.size(), 2u);
  EXPECT_EQ(got.notes[0].author, alice_);
  EXPECT_EQ(got.notes[1].author, dave_);
}

TEST_F(NotesStoreTest, ACallTakenOverByATransferIsInTheNewAgentsHistory) {  // I3, F4
  CallRecord r = answered(1, kNow);
  r.offers = {{bob_, kNow + seconds(2), acd::OfferOutcome::kMissed},
              {alice_, kNow + seconds(5), acd::OfferOutcome::kAnswered},
              {dave_, kNow + seconds(30), acd::OfferOutcome::kAnswered}};
  store(r);
  store(answered(2, kNow + seconds(100)));  // alice's alone
  auto mine = [&](acd::AgentKey agent) {
    acd::HistoryQuery q;
    q.tab = acd::HistoryTab::kMine;
    q.agent = agent;
    auto calls = store_->callHistory(acme_, q);
    EXPECT_TRUE(calls.ok());
    std::vector<acd::CallId> ids;
    for (const CallRecord& c : calls.ok() ? *calls : std::vector<CallRecord>{}) ids.push_back(c.call);
    return ids;
  };
  EXPECT_EQ(mine(alice_), (std::vector<acd::CallId>{2, 1}));
  EXPECT_EQ(mine(dave_), (std::vector<acd::CallId>{1}));
  EXPECT_TRUE(mine(bob_).empty());  // a missed offer is not a call of bob's
}

TEST_F(NotesStoreTest, NoNoteOnAnotherOrgsOrARunningOrAnUnknownCall) {
  CallRecord r = answered(1, kNow);
  ASSERT_TRUE(store_->openCall(r).ok());  // still in progress
  EXPECT_EQ(codeOf(store_->saveNote(note(1, alice_, "x"))), ErrorCode::kConflict);
  ASSERT_TRUE(store_->closeCall(r).ok());
  acd::NoteWrite other = note(1, alice_, "x");
  other.org = globex_;
  EXPECT_EQ(codeOf(store_->saveNote(other)), ErrorCode::kNotFound);
  EXPECT_EQ(codeOf(store_->saveNote(note(77, alice_, "x"))), ErrorCode::kNotFound);
  EXPECT_TRUE(find(1).notes.empty());
}

TEST_F(NotesStoreTest, ANoteWithAStateChangeIsAllOrNothing) {
  store(answered(1, kNow));
  const acd::StateChange ready{acd::AgentState::kAfterCallWork, acd::AgentState::kReady, kNow + seconds(100),
                               acd::StateCause::kRequest};
  // A note on a call alice did not take fails: her state change is undone with it.
  acd::NoteWrite wrong = note(1, alice_, "x");
  wrong.call = 99;
  std::vector<acd::CenterWrite> writes{acd::AgentStateWrite{acme_, alice_, ready, wrong}};
  auto results = store_->writeBatch(writes);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ(codeOf((*results)[0]), ErrorCode::kNotFound);
  EXPECT_EQ(codeOf(store_->loadAgentState(acme_, alice_)), ErrorCode::kNotFound);  // nothing stored

  writes = {acd::AgentStateWrite{acme_, alice_, ready, note(1, alice_, "done")}};
  results = store_->writeBatch(writes);
  ASSERT_TRUE(results.ok());
  EXPECT_TRUE((*results)[0].ok());
  auto state = store_->loadAgentState(acme_, alice_);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, acd::AgentState::kReady);
  ASSERT_EQ(find(1).notes.size(), 1u);
  EXPECT_EQ(find(1).notes[0].text, "done");
}

TEST_F(NotesStoreTest, EarlierContactsAreTheCustomersCallsNewestFirst) {
  store(answered(1, kNow, "01011112222"));
  store(answered(2, kNow + seconds(100), "01099998888"));
  CallRecord out = answered(3, kNow + seconds(200));
  out.direction = acd::CallDirection::kOutbound;  // the agent called the customer back
  out.caller = "0215880000";
  out.called = "01011112222";
  store(out);
  ASSERT_TRUE(store_->saveNote(note(1, alice_, "asked about delivery")).ok());
  auto calls = store_->customerCalls(acme_, "01011112222", std::nullopt, 10);
  ASSERT_TRUE(calls.ok());
  ASSERT_EQ(calls->size(), 2u);
  EXPECT_EQ((*calls)[0].call, 3u);
  EXPECT_EQ((*calls)[1].call, 1u);
  ASSERT_EQ((*calls)[1].notes.size(), 1u);
  auto before = store_->customerCalls(acme_, "01011112222", acd::HistoryCursor{kNow + seconds(200), 3}, 10);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 1u);
  EXPECT_EQ((*before)[0].call, 1u);
  auto other_org = store_->customerCalls(globex_, "01011112222", std::nullopt, 10);
  ASSERT_TRUE(other_org.ok());
  EXPECT_TRUE(other_org->empty());
  auto none = store_->customerCalls(acme_, "", std::nullopt, 10);  // internal calls have no customer
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(NotesStoreTest, CallbacksArePendingDoneOrDeleted) {
  auto first = store_->saveCallback(acme_, 10, "01011112222", 1, kNow);
  auto second = store_->saveCallback(acme_, 11, "01033334444", 2, kNow + seconds(5));
  auto theirs = store_->saveCallback(globex_, 12, "01055556666", 1, kNow);
  ASSERT_TRUE(first.ok() && second.ok() && theirs.ok());

  auto pending = store_->listCallbacks(acme_, acd::CallbackStatus::kPending, std::nullopt, 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].id, *first);  // oldest first
  auto page2 = store_->listCallbacks(acme_, acd::CallbackStatus::kPending, acd::CallbackCursor{kNow, *first}, 10);
  ASSERT_TRUE(page2.ok());
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ((*page2)[0].id, *second);

  // K2: an answered call dialled for the first callback, noted → done.
  CallRecord dial = answered(20, kNow + seconds(60));
  dial.direction = acd::CallDirection::kOutbound;
  dial.caller = "0215880000";
  dial.called = "01011112222";
  dial.callback = *first;
  store(dial);
  EXPECT_EQ(find(20).callback, *first);
  ASSERT_TRUE(store_->saveNote(note(20, alice_, "called back, solved", kNow + seconds(200))).ok());
  auto done = store_->listCallbacks(acme_, acd::CallbackStatus::kDone, std::nullopt, 10);
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(done->size(), 1u);
  EXPECT_EQ((*done)[0].id, *first);
  EXPECT_EQ((*done)[0].done, kNow + seconds(200));
  EXPECT_EQ((*done)[0].done_by, alice_);
  EXPECT_EQ((*done)[0].done_call, 20u);

  // An unanswered call for the second callback, noted: still pending.
  CallRecord missed = dial;
  missed.call = 21;
  missed.callback = *second;
  missed.answered.reset();
  missed.result = CallResult::kUnconnected;
  store(missed);
  ASSERT_TRUE(store_->saveNote(note(21, alice_, "no answer")).ok());
  pending = store_->listCallbacks(acme_, acd::CallbackStatus::kPending, std::nullopt, 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);

  // Deleted: off every list, kept with who and when; twice or another org's is not found.
  auto deleted = store_->deleteCallback(acme_, *second, bob_, kNow + seconds(300));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->deleted, kNow + seconds(300));
  EXPECT_EQ(deleted->deleted_by, bob_);
  EXPECT_EQ(codeOf(store_->deleteCallback(acme_, *second, bob_, kNow)), ErrorCode::kNotFound);
  EXPECT_EQ(codeOf(store_->deleteCallback(acme_, *theirs, bob_, kNow)), ErrorCode::kNotFound);
  EXPECT_EQ(codeOf(store_->findCallback(acme_, *theirs)), ErrorCode::kNotFound);
  pending = store_->listCallbacks(acme_, acd::CallbackStatus::kPending, std::nullopt, 10);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
  auto kept = store_->findCallback(acme_, *second);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->deleted.has_value());
  auto still = store_->pendingCallbacks(acme_);
  ASSERT_TRUE(still.ok());
  EXPECT_TRUE(still->empty());
}

TEST_F(NotesStoreTest, RecordingAccessIsLogged) {
  store(answered(1, kNow));
  ASSERT_TRUE(store_->logRecordingAccess({acme_, 1, alice_, kNow + seconds(5), "127.0.0.1", "bytes=0-"}).ok());
  ASSERT_TRUE(store_->logRecordingAccess({acme_, 1, bob_, kNow + seconds(6), "::1", ""}).ok());
  auto rows = store_->database().read([](Connection& c) -> core::Result<int64_t> {
    auto stmt = c.prepare("SELECT count(*) FROM recording_access WHERE call_id = 1 AND byte_range = 'bytes=0-'");
    if (!stmt) return stmt.error();
    if (auto row = stmt->step(); !row) return row.error();
    return stmt->columnInt(0);
  });
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 1);
}

}  // namespace
}  // namespace sb::store
