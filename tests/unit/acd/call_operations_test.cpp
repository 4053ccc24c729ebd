// F3, F4, D3 on the virtual clock: what an agent does with its connected call — hold from
// the app or the phone, transfer to a Ready agent (answered, not answered, the customer
// or the first agent leaving meanwhile), hang up — and the notices the apps get.
#include <gtest/gtest.h>

#include "unit/acd/commands.hpp"

#include "acd/call_center.hpp"

namespace sb::acd {
namespace {

using std::chrono::seconds;
const core::Time t0 = core::Time{} + std::chrono::hours(2000);

Org oneMenuOrg() {
  Org org;
  org.id = 7;
  org.name = "Acme";
  org.country_code = "82";
  org.menus = {Menu{"1", "Orders"}};
  org.after_login = AfterLogin::kReady;
  org.after_call = AfterCall::kAfterCallWork;
  org.ring_timeout_s = 15;
  return org;
}

Agent agent(AgentKey key) {
  Agent a;
  a.key = key;
  a.org = 7;
  a.id = "agent" + std::to_string(key);
  a.menus = {"1"};
  return a;
}

using testing::all;
using testing::first;

std::vector<CallNoticeKind> notices(const Commands& commands) {
  std::vector<CallNoticeKind> out;
  for (const CallNotice& n : all<CallNotice>(commands)) out.push_back(n.kind);
  return out;
}

class CallOperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cc_.emplace(oneMenuOrg(), std::vector<Agent>{agent(1), agent(2), agent(3)});
    ready(1, t0);  // agent 1 has waited longest: it takes the call
  }
  void ready(AgentKey key, core::Time at) {
    cc_->agentLoggedIn(key, at);
    cc_->deviceReachable(key, true, at);
  }
  // Call 11 connected to agent 1 at t0 + 10 s; agents 2 and 3 Ready afterwards.
  void connected() {
    Commands arrived = cc_->callArrived(11, "01012345678", "0215880000", t0 + seconds(5));
    auto welcome = first<PlayPrompts>(arrived);
    ASSERT_TRUE(welcome);
    Commands queued = cc_->promptFinished(11, welcome->play_id, t0 + seconds(8));
    ASSERT_TRUE(first<RingAgent>(queued));
    EXPECT_EQ(notices(queued), std::vector<CallNoticeKind>{CallNoticeKind::kOffered});
    Commands answered = cc_->agentAnswered(11, 1, t0 + seconds(10));
    ASSERT_TRUE(first<ConnectAgent>(answered));
    EXPECT_EQ(notices(answered), std::vector<CallNoticeKind>{CallNoticeKind::kAnswered});
    ready(2, t0 + seconds(11));
    ready(3, t0 + seconds(12));
  }
  std::optional<CallCenter> cc_;
};

TEST_F(CallOperationsTest, HoldFromTheAppHoldsTheCustomerAndCountsTheHoldTime) {
  connected();
  auto held = cc_->holdRequested(11, 1, true, t0 + seconds(20));
  ASSERT_TRUE(held.ok());
  auto hold = first<HoldCustomer>(*held);
  ASSERT_TRUE(hold);
  EXPECT_TRUE(hold->held);
  EXPECT_EQ(notices(*held), std::vector<CallNoticeKind>{CallNoticeKind::kHeld});
  auto live = cc_->liveCallOf(1);
  ASSERT_TRUE(live);
  EXPECT_TRUE(live->held);
  EXPECT_EQ(live->stage, LiveCall::Stage::kConnected);
  // Holding twice changes nothing; the phone holding too does not restart the count.
  auto again = cc_->holdRequested(11, 1, true, t0 + seconds(21));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_TRUE(notices(cc_->holdChanged(11, true, t0 + seconds(22))).empty());
  EXPECT_TRUE(notices(cc_->holdChanged(11, false, t0 + seconds(25))).empty());  // the app still holds
  auto resumed = cc_->holdRequested(11, 1, false, t0 + seconds(50));
  ASSERT_TRUE(resumed.ok());
  EXPECT_FALSE(first<HoldCustomer>(*resumed)->held);
  auto resumed_notice = first<CallNotice>(*resumed);
  ASSERT_TRUE(resumed_notice);
  EXPECT_EQ(resumed_notice->kind, CallNoticeKind::kResumed);
  EXPECT_EQ(resumed_notice->record.hold, seconds(30));
  Commands ended = cc_->customerHungUp(11, t0 + seconds(60));
  EXPECT_EQ(first<SaveCallRecord>(ended)->record.hold, seconds(30));
  EXPECT_EQ(notices(ended), std::vector<CallNoticeKind>{CallNoticeKind::kEnded});
}

TEST_F(CallOperationsTest, OnlyTheAgentOnTheConnectedCallHoldsIt) {
  connected();
  EXPECT_EQ(cc_->holdRequested(11, 2, true, t0 + seconds(20)).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(cc_->holdRequested(99, 1, true, t0 + seconds(20)).error().code, core::ErrorCode::kNotFound);
  ASSERT_TRUE(cc_->transferRequested(11, 1, 2, t0 + seconds(20)).ok());
  EXPECT_EQ(cc_->holdRequested(11, 1, true, t0 + seconds(21)).error().code, core::ErrorCode::kConflict);
}

TEST_F(CallOperationsTest, ATransferAnsweredMovesTheCallToTheTargetInTheSameRecord) {
  connected();
  auto started = cc_->transferRequested(11, 1, 2, t0 + seconds(30));
  ASSERT_TRUE(started.ok());
  ASSERT_TRUE(first<HoldCustomer>(*started));  // the customer hears the hold sound meanwhile
  EXPECT_TRUE(first<HoldCustomer>(*started)->held);
  auto ring = first<RingAgent>(*started);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->agent, 2);
  EXPECT_TRUE(ring->transfer);
  EXPECT_EQ(ring->caller, "01012345678");
  EXPECT_EQ(notices(*started), (std::vector<CallNoticeKind>{CallNoticeKind::kTransferRinging, CallNoticeKind::kOffered}));
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kRinging);
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kOnCall);
  EXPECT_EQ(cc_->liveCallOf(1)->transfer_to, 2);
  EXPECT_EQ(cc_->liveCallOf(2)->stage, LiveCall::Stage::kRinging);

  Commands taken = cc_->agentAnswered(11, 2, t0 + seconds(36));
  auto connect = first<ConnectAgent>(taken);
  ASSERT_TRUE(connect);
  EXPECT_EQ(connect->agent, 2);
  EXPECT_TRUE(connect->transfer);
  ASSERT_TRUE(first<HoldCustomer>(taken));
  EXPECT_FALSE(first<HoldCustomer>(taken)->held);
  EXPECT_EQ(notices(taken), std::vector<CallNoticeKind>{CallNoticeKind::kTransferAnswered});
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kAfterCallWork);  // done with it
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kOnCall);
  EXPECT_FALSE(cc_->liveCallOf(1));
  EXPECT_EQ(cc_->liveCallOf(2)->stage, LiveCall::Stage::kConnected);
  // The transfer's hold does not count as hold time.
  Commands ended = cc_->agentHungUp(11, t0 + seconds(90));
  auto record = first<SaveCallRecord>(ended);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->record.agent, 1);  // who answered first (statistics count it once)
  EXPECT_EQ(record->record.hold, core::Duration::zero());
  ASSERT_EQ(record->record.offers.size(), 2u);
  EXPECT_EQ(record->record.offers[1], (OfferRecord{2, t0 + seconds(30), OfferOutcome::kAnswered, t0 + seconds(36)}));
  EXPECT_EQ(record->record.offers[0].answered, t0 + seconds(10));  // alice talked 10 s → 36 s
  EXPECT_EQ(record->record.talk(), seconds(80));
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kAfterCallWork);
}

TEST_F(CallOperationsTest, HoldTimeIsKeptForTheAgentWhoHeld) {  // statistics: hold per agent
  connected();
  ASSERT_TRUE(cc_->holdRequested(11, 1, true, t0 + seconds(20)).ok());
  ASSERT_TRUE(cc_->holdRequested(11, 1, false, t0 + seconds(27)).ok());
  ASSERT_TRUE(cc_->transferRequested(11, 1, 2, t0 + seconds(30)).ok());
  cc_->agentAnswered(11, 2, t0 + seconds(33));
  cc_->holdChanged(11, true, t0 + seconds(40));  // bob's phone holds
  Commands ended = cc_->customerHungUp(11, t0 + seconds(44));  // ended while held
  auto record = first<SaveCallRecord>(ended);
  ASSERT_TRUE(record);
  ASSERT_EQ(record->record.offers.size(), 2u);
  EXPECT_EQ(record->record.offers[0].hold, seconds(7));
  EXPECT_EQ(record->record.offers[1].hold, seconds(4));
  EXPECT_EQ(record->record.hold, seconds(11));
}

TEST_F(CallOperationsTest, OnlyAReadyAgentCanBeTheTarget) {
  connected();
  ASSERT_TRUE(cc_->agentRequested(2, AgentState::kBreak, t0 + seconds(20)).ok());
  EXPECT_EQ(cc_->transferRequested(11, 1, 2, t0 + seconds(21)).error().code, core::ErrorCode::kConflict);
  cc_->deviceReachable(3, false, t0 + seconds(21));  // Ready but no phone to ring
  EXPECT_EQ(cc_->transferRequested(11, 1, 3, t0 + seconds(22)).error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(cc_->transferRequested(11, 1, 1, t0 + seconds(22)).error().code, core::ErrorCode::kInvalidInput);
  EXPECT_EQ(cc_->transferRequested(11, 1, 42, t0 + seconds(22)).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(cc_->transferRequested(11, 2, 3, t0 + seconds(22)).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kBreak);  // nothing changed
  EXPECT_EQ(cc_->liveCallOf(1)->transfer_to, 0);
}

// The colleagues' list (GET /api/v1/agents) shows reachable(): it must agree with what a
// transfer accepts, for a Ready agent whose phone comes and goes.
TEST_F(CallOperationsTest, ReachableSaysWhetherATransferCanRingAReadyAgent) {
  connected();
  EXPECT_TRUE(cc_->reachable(3));
  EXPECT_FALSE(cc_->reachable(42));  // unknown
  cc_->deviceReachable(3, false, t0 + seconds(20));  // its last phone unregistered
  EXPECT_FALSE(cc_->reachable(3));
  EXPECT_EQ(cc_->agentStatus(3)->state(), AgentState::kReady);  // still Ready
  EXPECT_EQ(cc_->transferRequested(11, 1, 3, t0 + seconds(21)).error().code, core::ErrorCode::kConflict);
  cc_->deviceReachable(3, true, t0 + seconds(22));  // a phone registers again
  EXPECT_TRUE(cc_->reachable(3));
  auto rung = cc_->transferRequested(11, 1, 3, t0 + seconds(23));
  ASSERT_TRUE(rung.ok()) << rung.error().message;
  EXPECT_TRUE(first<RingAgent>(*rung));
  // Reachability is the phone's, not the state's: ringing, the agent is still reachable.
  EXPECT_EQ(cc_->agentStatus(3)->state(), AgentState::kRinging);
  EXPECT_TRUE(cc_->reachable(3));
  // A disabled agent is never reachable, whatever its phone.
  Agent disabled = agent(2);
  disabled.enabled = false;
  cc_->updateAgent(disabled, t0 + seconds(24));
  EXPECT_FALSE(cc_->reachable(2));
}

TEST_F(CallOperationsTest, ATransferNobodyAnswersReturnsToTheFirstAgent) {
  connected();
  auto started = cc_->transferRequested(11, 1, 2, t0 + seconds(30));
  ASSERT_TRUE(started.ok());
  auto timer = first<StartTimer>(*started);
  ASSERT_TRUE(timer);
  EXPECT_EQ(timer->at, t0 + seconds(45));
  Commands missed = cc_->timerFired(timer->timer, timer->at);
  ASSERT_TRUE(first<StopRinging>(missed));
  auto resume = first<HoldCustomer>(missed);
  ASSERT_TRUE(resume);
  EXPECT_FALSE(resume->held);
  auto notice = first<CallNotice>(missed);
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->kind, CallNoticeKind::kTransferReturned);
  EXPECT_EQ(notice->agent, 1);
  EXPECT_EQ(notice->target, 2);
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kBreak);  // a missed offer
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kOnCall);
  // A refused ring does the same at once, and the call can be transferred again.
  auto second = cc_->transferRequested(11, 1, 3, t0 + seconds(50));
  ASSERT_TRUE(second.ok());
  Commands refused = cc_->ringFailed(11, 3, t0 + seconds(51));
  EXPECT_EQ(notices(refused), std::vector<CallNoticeKind>{CallNoticeKind::kTransferReturned});
  Commands ended = cc_->customerHungUp(11, t0 + seconds(70));
  auto record = first<SaveCallRecord>(ended);
  ASSERT_TRUE(record);
  ASSERT_EQ(record->record.offers.size(), 3u);
  EXPECT_EQ(record->record.offers[1].outcome, OfferOutcome::kMissed);
  EXPECT_EQ(record->record.offers[2].outcome, OfferOutcome::kMissed);
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kAfterCallWork);
}

TEST_F(CallOperationsTest, TheCustomerLeavingWhileATransferRingsWithdrawsIt) {
  connected();
  ASSERT_TRUE(cc_->transferRequested(11, 1, 2, t0 + seconds(30)).ok());
  Commands ended = cc_->customerHungUp(11, t0 + seconds(33));
  ASSERT_TRUE(first<StopRinging>(ended));
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kReady);  // not its fault
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kAfterCallWork);
  auto record = first<SaveCallRecord>(ended);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->record.offers.back().outcome, OfferOutcome::kWithdrawn);
}

TEST_F(CallOperationsTest, TheFirstAgentHangingUpMakesItABlindTransfer) {
  connected();
  ASSERT_TRUE(cc_->transferRequested(11, 1, 2, t0 + seconds(30)).ok());
  Commands left = cc_->agentHungUp(11, t0 + seconds(32));
  EXPECT_FALSE(first<HangUpCall>(left));  // the customer stays, the target still rings
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kAfterCallWork);
  Commands taken = cc_->agentAnswered(11, 2, t0 + seconds(35));
  ASSERT_TRUE(first<ConnectAgent>(taken));
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kOnCall);
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kAfterCallWork);  // no second after-call change
  Commands ended = cc_->customerHungUp(11, t0 + seconds(60));
  EXPECT_EQ(first<SaveCallRecord>(ended)->record.result, CallResult::kAnswered);
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kAfterCallWork);
}

TEST_F(CallOperationsTest, ABlindTransferNobodyTakesEndsTheCall) {
  connected();
  ASSERT_TRUE(cc_->transferRequested(11, 1, 2, t0 + seconds(30)).ok());
  cc_->agentHungUp(11, t0 + seconds(32));
  Commands failed = cc_->ringFailed(11, 2, t0 + seconds(34));
  ASSERT_TRUE(first<HangUpCall>(failed));
  auto record = first<SaveCallRecord>(failed);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->record.end_reason, "transfer_failed");
  EXPECT_EQ(cc_->activeCalls(), 0u);
}

TEST_F(CallOperationsTest, TheTargetLoggingOutWhileItRingsReturnsTheCall) {
  connected();
  ASSERT_TRUE(cc_->transferRequested(11, 1, 2, t0 + seconds(30)).ok());
  Commands out = cc_->agentLoggedOut(2, t0 + seconds(31));
  EXPECT_EQ(notices(out), std::vector<CallNoticeKind>{CallNoticeKind::kTransferReturned});
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kOffline);
  EXPECT_EQ(cc_->liveCallOf(1)->transfer_to, 0);
}

TEST_F(CallOperationsTest, HangUpFromTheAppEndsTheAgentsCall) {
  connected();
  EXPECT_EQ(cc_->hangUpRequested(11, 2, t0 + seconds(20)).error().code, core::ErrorCode::kNotFound);
  auto ended = cc_->hangUpRequested(11, 1, t0 + seconds(20));
  ASSERT_TRUE(ended.ok());
  ASSERT_TRUE(first<HangUpCall>(*ended));
  EXPECT_EQ(first<SaveCallRecord>(*ended)->record.ended_by, "agent");
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kAfterCallWork);
}

TEST_F(CallOperationsTest, TheLiveCallOfAnAgentIsTheOneRingingOrConnected) {
  EXPECT_FALSE(cc_->liveCallOf(1));
  Commands arrived = cc_->callArrived(11, "01012345678", "0215880000", t0 + seconds(5));
  cc_->promptFinished(11, first<PlayPrompts>(arrived)->play_id, t0 + seconds(8));
  auto ringing = cc_->liveCallOf(1);
  ASSERT_TRUE(ringing);
  EXPECT_EQ(ringing->stage, LiveCall::Stage::kRinging);
  EXPECT_EQ(ringing->record.caller, "01012345678");
  cc_->agentAnswered(11, 1, t0 + seconds(10));
  EXPECT_EQ(cc_->liveCallOf(1)->stage, LiveCall::Stage::kConnected);
  cc_->outboundStarted(12, 2, "0215880000", "01099998888", t0 + seconds(12));
  ready(2, t0 + seconds(11));
  auto dialing = cc_->liveCallOf(2);
  ASSERT_TRUE(dialing);
  EXPECT_EQ(dialing->stage, LiveCall::Stage::kDialing);
  EXPECT_EQ(dialing->record.customer(), "01099998888");
}

}  // namespace
}  // namespace sb::acd

namespace sb::acd {
namespace {

OutboundCall appDial(std::string number) {
  OutboundCall spec;
  spec.caller_id = "0215880000";
  spec.number = std::move(number);
  spec.from_app = true;
  return spec;
}

TEST_F(CallOperationsTest, ADialFromTheAppRingsTheAgentFirstAndMakesItOnCall) {  // E1, E2
  OutboundCall spec = appDial("01099998888");
  spec.from_call = 5;
  spec.callback = 5;
  auto started = cc_->dialStarted(21, 1, spec, t0 + seconds(5));
  ASSERT_TRUE(started.ok());
  auto dial = first<DialOut>(*started);
  ASSERT_TRUE(dial);
  EXPECT_EQ(dial->agent, 1);
  EXPECT_EQ(dial->spec.number, "01099998888");
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kOnCall);
  EXPECT_EQ(cc_->liveCallOf(1)->stage, LiveCall::Stage::kDialing);
  // Busy or logged out: refused, nothing changes.
  EXPECT_EQ(cc_->dialStarted(22, 1, appDial("0101"), t0 + seconds(6)).error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(cc_->dialStarted(23, 3, appDial("0101"), t0 + seconds(6)).error().code, core::ErrorCode::kForbidden);
  cc_->outboundAnswered(21, t0 + seconds(15));
  Commands ended = cc_->outboundEnded(21, "customer", "hangup", t0 + seconds(75));
  auto record = first<SaveCallRecord>(ended);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->record.direction, CallDirection::kOutbound);
  EXPECT_EQ(record->record.from_call, 5u);
  EXPECT_EQ(record->record.callback, 5);
  EXPECT_EQ(record->record.result, CallResult::kAnswered);
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kAfterCallWork);
}

TEST_F(CallOperationsTest, AnInternalCallKeepsBothAgentsFromCustomerCallsAndIsRecordedAsInternal) {  // N6
  ready(2, t0 + seconds(1));
  OutboundCall spec;
  spec.direction = CallDirection::kInternal;
  spec.caller_id = "agent1";
  spec.number = "agent2";
  spec.callee = 2;
  auto started = cc_->dialStarted(31, 1, spec, t0 + seconds(5));
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kRinging);
  EXPECT_EQ(cc_->liveCallOf(2)->stage, LiveCall::Stage::kRinging);
  // A customer calling meanwhile rings nobody: both agents are taken.
  Commands arrived = cc_->callArrived(11, "01012345678", "0215880000", t0 + seconds(6));
  Commands queued = cc_->promptFinished(11, first<PlayPrompts>(arrived)->play_id, t0 + seconds(8));
  EXPECT_FALSE(first<RingAgent>(queued));
  cc_->outboundAnswered(31, t0 + seconds(9));
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kOnCall);
  // A second internal call to a busy agent is refused.
  ready(3, t0 + seconds(10));
  spec.callee = 2;
  EXPECT_EQ(cc_->dialStarted(32, 3, spec, t0 + seconds(10)).error().code, core::ErrorCode::kConflict);
  Commands ended = cc_->outboundEnded(31, "agent", "hangup", t0 + seconds(40));
  auto record = first<SaveCallRecord>(ended);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->record.direction, CallDirection::kInternal);
  EXPECT_EQ(record->record.customer(), "");
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kAfterCallWork);
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kAfterCallWork);
}

TEST_F(CallOperationsTest, AnUnansweredInternalCallLeavesTheCalleeAsItWas) {
  ready(2, t0 + seconds(1));
  OutboundCall spec;
  spec.direction = CallDirection::kInternal;
  spec.caller_id = "agent1";
  spec.number = "agent2";
  spec.callee = 2;
  ASSERT_TRUE(cc_->dialStarted(31, 1, spec, t0 + seconds(5)).ok());
  cc_->outboundEnded(31, "customer", "no_answer", t0 + seconds(20));
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kReady);
  spec.callee = 42;
  EXPECT_EQ(cc_->dialStarted(33, 1, spec, t0 + seconds(30)).error().code, core::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace sb::acd

namespace sb::acd {
namespace {

// Statistics count "no agent" apart from "abandoned": the end reason says which.
TEST_F(CallOperationsTest, ACallerLeavingAQueueNobodyServesEndsAsNoAgent) {
  auto queued_then_left = [&](CallId call, core::Time at) {
    Commands arrived = cc_->callArrived(call, "01012345678", "0215880000", at);
    cc_->promptFinished(call, first<PlayPrompts>(arrived)->play_id, at + seconds(3));
    return first<SaveCallRecord>(cc_->customerHungUp(call, at + seconds(20)))->record;
  };
  ASSERT_TRUE(cc_->agentRequested(1, AgentState::kBreak, t0 + seconds(1)).ok());  // logged in, on break
  CallRecord abandoned = queued_then_left(11, t0 + seconds(2));
  EXPECT_EQ(abandoned.result, CallResult::kUnconnected);
  EXPECT_EQ(abandoned.end_reason, "hangup");
  cc_->agentLoggedOut(1, t0 + seconds(30));  // nobody of menu 1 logged in now
  CallRecord unserved = queued_then_left(12, t0 + seconds(31));
  EXPECT_EQ(unserved.result, CallResult::kUnconnected);
  EXPECT_EQ(unserved.end_reason, "no_agent");
}

}  // namespace
}  // namespace sb::acd
