// N1–N5 on the virtual clock: a customer call from arrival to its record, through the
// commands the org's CallCenter gives.
#include "acd/call_center.hpp"

#include <gtest/gtest.h>

#include "unit/acd/commands.hpp"

namespace sb::acd {
namespace {

using std::chrono::seconds;
const core::Time t0 = core::Time{} + std::chrono::hours(2000);

Org twoMenuOrg() {
  Org org;
  org.id = 7;
  org.name = "Acme";
  org.country_code = "82";
  org.menus = {Menu{"1", "Orders"}, Menu{"2", "Support"}};
  org.after_login = AfterLogin::kReady;
  org.after_call = AfterCall::kAfterCallWork;
  org.ring_timeout_s = 15;
  return org;
}

Agent agent(AgentKey key, std::vector<std::string> menus) {
  Agent a;
  a.key = key;
  a.org = 7;
  a.id = "agent" + std::to_string(key);
  a.menus = std::move(menus);
  return a;
}

using testing::all;
using testing::first;

class CallCenterTest : public ::testing::Test {
 protected:
  void make(Org org, std::vector<Agent> agents) { cc_.emplace(std::move(org), agents); }
  // Logged in, Ready, with a reachable device.
  void ready(AgentKey key, core::Time at) {
    cc_->agentLoggedIn(key, at);
    cc_->deviceReachable(key, true, at);
  }
  // A two-menu call up to the digit; returns the commands of the digit.
  Commands callAndChoose(CallId call, char digit, core::Time at) {
    cc_->callArrived(call, "01012345678", "0215880000", at);
    return cc_->digit(call, digit, at + seconds(3));
  }
  std::optional<CallCenter> cc_;
};

TEST_F(CallCenterTest, OneMenuOrgsAskNothingAndTheCallIsAnsweredAndRecorded) {
  Org org = twoMenuOrg();
  org.menus = {Menu{"1", "Orders"}};
  make(org, {agent(1, {"1"})});
  ready(1, t0);
  Commands arrived = cc_->callArrived(11, "01012345678", "0215880000", t0 + seconds(10));
  ASSERT_TRUE(first<AnswerCall>(arrived));
  auto welcome = first<PlayPrompts>(arrived);
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->prompts, (std::vector<std::string>{"welcome"}));
  Commands queued = cc_->promptFinished(11, welcome->play_id, t0 + seconds(14));
  auto ring = first<RingAgent>(queued);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->agent, 1);
  EXPECT_EQ(ring->caller, "01012345678");
  EXPECT_EQ(ring->menu_name, "Orders");
  EXPECT_EQ(ring->timeout, seconds(15));
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kRinging);

  Commands answered = cc_->agentAnswered(11, 1, t0 + seconds(18));
  auto connect = first<ConnectAgent>(answered);
  ASSERT_TRUE(connect);
  EXPECT_EQ(connect->agent, 1);
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kOnCall);

  Commands ended = cc_->customerHungUp(11, t0 + seconds(78));
  ASSERT_TRUE(first<HangUpCall>(ended));
  auto record = first<SaveCallRecord>(ended);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->record.result, CallResult::kAnswered);
  EXPECT_EQ(record->record.agent, 1);
  EXPECT_EQ(record->record.menu, 0 + 1);
  EXPECT_EQ(record->record.ended_by, "customer");
  EXPECT_EQ(record->record.wait(), seconds(8));
  EXPECT_EQ(record->record.talk(), seconds(60));
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kAfterCallWork);  // C2
  EXPECT_EQ(cc_->activeCalls(), 0u);
}

TEST_F(CallCenterTest, TheMenuDigitPicksTheQueue) {
  make(twoMenuOrg(), {agent(1, {"1"}), agent(2, {"2"})});
  ready(1, t0);
  ready(2, t0);
  Commands arrived = cc_->callArrived(11, "010", "0215880000", t0);
  auto menu = first<PlayPrompts>(arrived);
  ASSERT_TRUE(menu);
  EXPECT_EQ(menu->prompts, (std::vector<std::string>{"welcome", "menu_intro", "menu_1", "press_1", "menu_2",
                                                     "press_2"}));
  EXPECT_TRUE(menu->interruptible);
  Commands chosen = cc_->digit(11, '2', t0 + seconds(4));
  ASSERT_TRUE(first<StopPlaying>(chosen));
  auto ring = first<RingAgent>(chosen);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->agent, 2);
  EXPECT_EQ(ring->menu_name, "Support");
}

TEST_F(CallCenterTest, AWrongDigitOrNoDigitAsksAgainTwiceThenTakesTheFirstMenu) {
  make(twoMenuOrg(), {agent(1, {"1"})});
  ready(1, t0);
  Commands arrived = cc_->callArrived(11, "010", "0215880000", t0);
  Commands wrong = cc_->digit(11, '7', t0 + seconds(2));
  auto again = first<PlayPrompts>(wrong);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->prompts.front(), "invalid_choice");
  EXPECT_FALSE(first<RingAgent>(wrong));
  // The menu played to its end and nobody pressed anything: asked a third time…
  Commands timer = cc_->promptFinished(11, again->play_id, t0 + seconds(10));
  auto start = first<StartTimer>(timer);
  ASSERT_TRUE(start);
  Commands third = cc_->timerFired(start->timer, start->at);
  auto menu3 = first<PlayPrompts>(third);
  ASSERT_TRUE(menu3);
  EXPECT_EQ(menu3->prompts.front(), "menu_intro");
  // …and then the first menu.
  Commands timer3 = cc_->promptFinished(11, menu3->play_id, t0 + seconds(30));
  auto start3 = first<StartTimer>(timer3);
  ASSERT_TRUE(start3);
  EXPECT_FALSE(first<RingAgent>(cc_->timerFired(start3->timer, start3->at - seconds(1))));  // not yet due
  Commands fallback = cc_->timerFired(start3->timer, start3->at);
  auto ring = first<RingAgent>(fallback);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->menu_name, "Orders");
}

TEST_F(CallCenterTest, TheAgentWaitingLongestGetsTheCall) {  // N2
  make(twoMenuOrg(), {agent(1, {"1"}), agent(2, {"1", "2"}), agent(3, {"1"})});
  ready(3, t0 + seconds(5));
  ready(1, t0 + seconds(1));
  ready(2, t0 + seconds(3));
  auto ring = first<RingAgent>(callAndChoose(11, '1', t0 + seconds(60)));
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->agent, 1);
  auto second = first<RingAgent>(callAndChoose(12, '1', t0 + seconds(61)));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->agent, 2);
}

TEST_F(CallCenterTest, NoAnswerPutsTheAgentOnBreakAndRingsTheNextWhileTheCallerKeepsTheirPlace) {
  make(twoMenuOrg(), {agent(1, {"1"}), agent(2, {"1"})});
  ready(1, t0);
  Commands c11 = callAndChoose(11, '1', t0 + seconds(10));
  auto ring = first<RingAgent>(c11);
  ASSERT_TRUE(ring);
  auto ring_timer = all<StartTimer>(c11).back();
  // A second caller arrives later and waits behind; agent 2 becomes available and takes
  // them (11 is ringing agent 1, so 12 is the longest-waiting caller left).
  callAndChoose(12, '1', t0 + seconds(20));
  auto ring2 = first<RingAgent>(cc_->deviceReachable(2, true, t0 + seconds(25)));
  EXPECT_FALSE(ring2);  // not logged in yet
  Commands login2 = cc_->agentLoggedIn(2, t0 + seconds(25));
  ring2 = first<RingAgent>(login2);
  ASSERT_TRUE(ring2);
  EXPECT_EQ(ring2->call, 12u);
  // Agent 1 does not answer 11 within the ring timeout.
  Commands missed = cc_->timerFired(ring_timer.timer, ring_timer.at);
  auto stop = first<StopRinging>(missed);
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->agent, 1);
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kBreak);
  auto states = all<SaveAgentState>(missed);
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.front().change.cause, StateCause::kOfferMissed);
  // 11 waits again, first in line (12, behind it, is ringing agent 2), and nobody else is
  // available: agent 1 is on Break.
  EXPECT_FALSE(first<RingAgent>(missed));
  EXPECT_EQ(cc_->router().position(11), 1u);
  EXPECT_TRUE(cc_->router().isWaiting(11));
  // Agent 2 misses 12 too; when agent 1 comes back, it gets 11, who came first.
  auto timers = all<StartTimer>(login2);
  ASSERT_FALSE(timers.empty());
  cc_->timerFired(timers.back().timer, timers.back().at);
  auto back = cc_->agentRequested(1, AgentState::kReady, t0 + seconds(60));
  ASSERT_TRUE(back.ok());
  auto ring3 = first<RingAgent>(*back);
  ASSERT_TRUE(ring3);
  EXPECT_EQ(ring3->call, 11u);
}

TEST_F(CallCenterTest, AMissedOfferGoesToTheNextAvailableAgentAtOnce) {
  make(twoMenuOrg(), {agent(1, {"1"}), agent(2, {"1"})});
  ready(1, t0);
  ready(2, t0 + seconds(1));
  Commands c11 = callAndChoose(11, '1', t0 + seconds(10));
  ASSERT_EQ(first<RingAgent>(c11)->agent, 1);
  Commands failed = cc_->ringFailed(11, 1, t0 + seconds(15));  // the phone said busy
  auto next = first<RingAgent>(failed);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->agent, 2);
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kBreak);
  Commands answered = cc_->agentAnswered(11, 2, t0 + seconds(17));
  ASSERT_TRUE(first<ConnectAgent>(answered));
  Commands ended = cc_->agentHungUp(11, t0 + seconds(100));
  auto record = first<SaveCallRecord>(ended);
  ASSERT_TRUE(record);
  ASSERT_EQ(record->record.offers.size(), 2u);
  EXPECT_EQ(record->record.offers[0].agent, 1);
  EXPECT_EQ(record->record.offers[0].outcome, OfferOutcome::kMissed);
  EXPECT_EQ(record->record.offers[1].agent, 2);
  EXPECT_EQ(record->record.offers[1].outcome, OfferOutcome::kAnswered);
  EXPECT_LT(record->record.offers[0].at, record->record.offers[1].at);
  EXPECT_EQ(record->record.ended_by, "agent");
}

TEST_F(CallCenterTest, ACallerWhoHangsUpBeforeAnAnswerIsUnconnected) {  // N4
  make(twoMenuOrg(), {agent(1, {"1"})});
  callAndChoose(11, '1', t0);  // nobody ready: waits
  Commands gone = cc_->customerHungUp(11, t0 + seconds(40));
  auto record = first<SaveCallRecord>(gone);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->record.result, CallResult::kUnconnected);
  EXPECT_EQ(record->record.wait(), seconds(40));
  EXPECT_EQ(cc_->router().waiting(), 0u);
  // Every timer of the call is cancelled.
  EXPECT_FALSE(all<CancelTimer>(gone).empty());
}

TEST_F(CallCenterTest, ACallerWhoHangsUpWhileItRingsLeavesTheAgentReadyAndAvailable) {
  make(twoMenuOrg(), {agent(1, {"1"})});
  ready(1, t0);
  ASSERT_TRUE(first<RingAgent>(callAndChoose(11, '1', t0)));
  Commands gone = cc_->customerHungUp(11, t0 + seconds(5));
  ASSERT_TRUE(first<StopRinging>(gone));
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kReady);
  EXPECT_TRUE(cc_->router().isAvailable(1));
  // The next caller rings agent 1 at once.
  EXPECT_TRUE(first<RingAgent>(callAndChoose(12, '1', t0 + seconds(10))));
}

TEST_F(CallCenterTest, StarOffersACallbackAndOneConfirmsIt) {  // N3, K1
  make(twoMenuOrg(), {agent(1, {"1"})});
  ready(1, t0);
  ASSERT_TRUE(cc_->agentRequested(1, AgentState::kBreak, t0).ok());
  callAndChoose(11, '2', t0 + seconds(1));  // menu 2: nobody serves it
  Commands star = cc_->digit(11, '*', t0 + seconds(30));
  auto question = first<PlayPrompts>(star);
  ASSERT_TRUE(question);
  EXPECT_EQ(question->prompts, (std::vector<std::string>{"callback_question"}));
  Commands one = cc_->digit(11, '1', t0 + seconds(33));
  auto callback = first<SaveCallback>(one);
  ASSERT_TRUE(callback);
  EXPECT_EQ(callback->number, "01012345678");
  EXPECT_EQ(callback->menu, 2);
  auto bye = first<PlayPrompts>(one);
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->prompts, (std::vector<std::string>{"callback_confirm", "goodbye"}));
  Commands end = cc_->promptFinished(11, bye->play_id, t0 + seconds(40));
  ASSERT_TRUE(first<HangUpCall>(end));
  auto record = first<SaveCallRecord>(end);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->record.result, CallResult::kCallback);
}

TEST_F(CallCenterTest, AnyOtherKeyAfterStarReturnsToTheQueueInTheSamePlace) {
  make(twoMenuOrg(), {agent(1, {"1"})});
  callAndChoose(11, '1', t0);
  callAndChoose(12, '1', t0 + seconds(5));
  cc_->digit(11, '*', t0 + seconds(20));
  EXPECT_FALSE(cc_->router().isWaiting(11));
  Commands back = cc_->digit(11, '9', t0 + seconds(22));
  auto hold = first<PlayPrompts>(back);
  ASSERT_TRUE(hold);
  EXPECT_EQ(hold->prompts, (std::vector<std::string>{"hold"}));
  EXPECT_TRUE(hold->loop);
  EXPECT_EQ(cc_->router().position(11), 1u);  // still ahead of 12
  EXPECT_EQ(cc_->router().position(12), 2u);
}

TEST_F(CallCenterTest, NobodyLoggedInAnnouncesItAndOffersACallbackAtOnce) {
  make(twoMenuOrg(), {agent(1, {"1"})});
  Commands c = callAndChoose(11, '1', t0);
  auto play = first<PlayPrompts>(c);
  ASSERT_TRUE(play);
  EXPECT_EQ(play->prompts, (std::vector<std::string>{"no_agents", "callback_offer"}));
  // With agent 1 logged in (on Break) it is the normal please-wait.
  cc_->agentLoggedIn(1, t0);
  ASSERT_TRUE(cc_->agentRequested(1, AgentState::kBreak, t0).ok());
  auto normal = first<PlayPrompts>(callAndChoose(12, '1', t0 + seconds(1)));
  ASSERT_TRUE(normal);
  EXPECT_EQ(normal->prompts.front(), "please_wait");
}

TEST_F(CallCenterTest, WaitingCallersHearTheirPositionAndThenTheHoldSoundAgain) {
  make(twoMenuOrg(), {agent(1, {"1"})});
  cc_->agentLoggedIn(1, t0);
  ASSERT_TRUE(cc_->agentRequested(1, AgentState::kBreak, t0).ok());
  callAndChoose(10, '1', t0);
  Commands c = callAndChoose(11, '1', t0 + seconds(1));
  auto announce_timer = first<StartTimer>(c);
  ASSERT_TRUE(announce_timer);
  Commands announce = cc_->timerFired(announce_timer->timer, announce_timer->at);
  auto position = first<PlayPrompts>(announce);
  ASSERT_TRUE(position);
  EXPECT_EQ(position->prompts, (std::vector<std::string>{"position_intro", "number:2", "position_outro"}));
  EXPECT_TRUE(first<StartTimer>(announce));  // the next announcement
  auto hold = first<PlayPrompts>(cc_->promptFinished(11, position->play_id, announce_timer->at + seconds(3)));
  ASSERT_TRUE(hold);
  EXPECT_EQ(hold->prompts, (std::vector<std::string>{"hold"}));
}

TEST_F(CallCenterTest, AnnouncementsTellTheExpectedWaitOnceTheMenuHasAnsweredEnough) {
  make(twoMenuOrg(), {agent(1, {"1"})});
  ready(1, t0);
  // Six callers answered one a minute.
  core::Time at = t0;
  for (CallId call = 1; call <= 6; ++call) {
    ASSERT_TRUE(first<RingAgent>(callAndChoose(call, '1', at)));
    cc_->agentAnswered(call, 1, at + seconds(5));
    cc_->customerHungUp(call, at + seconds(50));
    ASSERT_TRUE(cc_->agentRequested(1, AgentState::kReady, at + seconds(55)).ok());
    at += seconds(60);
  }
  ASSERT_TRUE(cc_->agentRequested(1, AgentState::kBreak, at).ok());
  callAndChoose(10, '1', at);
  Commands c = callAndChoose(11, '1', at + seconds(1));
  auto timer = first<StartTimer>(c);
  ASSERT_TRUE(timer);
  auto announcement = first<PlayPrompts>(cc_->timerFired(timer->timer, timer->at));
  ASSERT_TRUE(announcement);
  // Position 2; 6 answers from t0 + 5 s to the announcement at t0 + 394 s: one every 65 s,
  // so about 130 s: "about 2 minutes".
  EXPECT_EQ(announcement->prompts, (std::vector<std::string>{"position_intro", "number:2", "position_outro",
                                                             "expected_wait", "number:2", "minutes"}));
}

TEST_F(CallCenterTest, AnAgentWhoBecomesReadyTakesTheLongestWaitingCallerOfItsMenus) {
  make(twoMenuOrg(), {agent(1, {"1", "2"})});
  cc_->agentLoggedIn(1, t0);
  ASSERT_TRUE(cc_->agentRequested(1, AgentState::kBreak, t0).ok());
  callAndChoose(11, '2', t0 + seconds(10));
  callAndChoose(12, '1', t0 + seconds(5));  // chose earlier: queued at 8 s
  cc_->deviceReachable(1, true, t0 + seconds(30));
  auto r = cc_->agentRequested(1, AgentState::kReady, t0 + seconds(31));
  ASSERT_TRUE(r.ok());
  auto ring = first<RingAgent>(*r);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->call, 12u);
}

TEST_F(CallCenterTest, NoStateChangeWhileRinging) {  // C3 through the org
  make(twoMenuOrg(), {agent(1, {"1"})});
  ready(1, t0);
  callAndChoose(11, '1', t0);
  auto r = cc_->agentRequested(1, AgentState::kBreak, t0 + seconds(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kConflict);
}

TEST_F(CallCenterTest, LogoutDuringACallTakesEffectWhenItEnds) {
  make(twoMenuOrg(), {agent(1, {"1"})});
  ready(1, t0);
  callAndChoose(11, '1', t0);
  cc_->agentAnswered(11, 1, t0 + seconds(5));
  EXPECT_TRUE(cc_->agentLoggedOut(1, t0 + seconds(10)).empty());
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kOnCall);
  cc_->customerHungUp(11, t0 + seconds(50));
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kOffline);
  EXPECT_FALSE(cc_->router().isAvailable(1));
}

TEST_F(CallCenterTest, LogoutWhileRingingGivesTheCallToTheNextAgent) {
  make(twoMenuOrg(), {agent(1, {"1"}), agent(2, {"1"})});
  ready(1, t0);
  ready(2, t0 + seconds(1));
  ASSERT_EQ(first<RingAgent>(callAndChoose(11, '1', t0 + seconds(5)))->agent, 1);
  Commands out = cc_->agentLoggedOut(1, t0 + seconds(7));
  ASSERT_TRUE(first<StopRinging>(out));
  auto next = first<RingAgent>(out);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->agent, 2);
}

TEST_F(CallCenterTest, AnAgentWithoutAReachableDeviceIsNeverRung) {
  make(twoMenuOrg(), {agent(1, {"1"})});
  cc_->agentLoggedIn(1, t0);  // Ready (after_login), but no registered phone
  EXPECT_FALSE(first<RingAgent>(callAndChoose(11, '1', t0 + seconds(1))));
  auto ring = first<RingAgent>(cc_->deviceReachable(1, true, t0 + seconds(20)));
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->call, 11u);
}

TEST_F(CallCenterTest, StaleAndUnknownEventsChangeNothing) {
  make(twoMenuOrg(), {agent(1, {"1"})});
  EXPECT_TRUE(cc_->digit(99, '1', t0).empty());
  EXPECT_TRUE(cc_->customerHungUp(99, t0).empty());
  EXPECT_TRUE(cc_->agentAnswered(99, 1, t0).empty());
  EXPECT_TRUE(cc_->timerFired(CallCenter::timerId(99, 2), t0).empty());
  Commands arrived = cc_->callArrived(11, "010", "0215880000", t0);
  EXPECT_TRUE(cc_->callArrived(11, "010", "0215880000", t0).empty());  // the same call again
  EXPECT_TRUE(cc_->agentAnswered(11, 1, t0).empty());                 // not offered to anyone
  auto menu = first<PlayPrompts>(arrived);
  EXPECT_TRUE(cc_->promptFinished(11, menu->play_id + 100, t0).empty());  // not what plays
}

TEST_F(CallCenterTest, ANewAgentFromTheDirectoryCanLogInAndTakeCalls) {
  make(twoMenuOrg(), {agent(1, {"1"})});
  Commands none = cc_->updateAgent(agent(2, {"2"}), t0);
  EXPECT_TRUE(none.empty());
  ASSERT_NE(cc_->agentStatus(2), nullptr);
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kOffline);
  ready(2, t0);
  Commands chosen = callAndChoose(21, '2', t0 + seconds(5));
  auto ring = first<RingAgent>(chosen);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->agent, 2);
}

TEST_F(CallCenterTest, NewMenusApplyAtOnceAndTheAgentKeepsItsPlaceAmongTheIdle) {
  make(twoMenuOrg(), {agent(1, {"1"}), agent(2, {"1"})});
  ready(1, t0);
  ready(2, t0 + seconds(1));
  // A caller of menu 2 waits: nobody serves it.
  Commands waiting = callAndChoose(31, '2', t0 + seconds(5));
  EXPECT_FALSE(first<RingAgent>(waiting));
  // Agent 2 now serves menu 2 too: it takes the caller at once.
  Commands moved = cc_->updateAgent(agent(2, {"1", "2"}), t0 + seconds(20));
  auto ring = first<RingAgent>(moved);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->agent, 2);
  EXPECT_EQ(ring->call, 31u);
  // Agent 1 still waits longest for menu 1.
  Commands next = callAndChoose(32, '1', t0 + seconds(30));
  auto ring1 = first<RingAgent>(next);
  ASSERT_TRUE(ring1);
  EXPECT_EQ(ring1->agent, 1);
}

TEST_F(CallCenterTest, ADisabledAgentIsLoggedOutAndNeverOfferedAgain) {
  make(twoMenuOrg(), {agent(1, {"1"}), agent(2, {"1"})});
  ready(1, t0);
  ready(2, t0 + seconds(1));
  Agent gone = agent(1, {"1"});
  gone.enabled = false;
  Commands out = cc_->updateDirectory(twoMenuOrg(), {gone, agent(2, {"1"})}, t0 + seconds(2));
  auto saved = first<SaveAgentState>(out);
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->agent, 1);
  EXPECT_EQ(saved->change.to, AgentState::kOffline);
  // Even logging in again does not make it available.
  cc_->agentLoggedIn(1, t0 + seconds(3));
  Commands chosen = callAndChoose(41, '1', t0 + seconds(5));
  auto ring = first<RingAgent>(chosen);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->agent, 2);
}

TEST_F(CallCenterTest, SettingsFromTheDirectoryApplyToTheNextOffer) {
  make(twoMenuOrg(), {agent(1, {"1"})});
  Org org = twoMenuOrg();
  org.ring_timeout_s = 7;
  cc_->updateDirectory(org, {agent(1, {"1"})}, t0);
  ready(1, t0);
  auto ring = first<RingAgent>(callAndChoose(51, '1', t0 + seconds(5)));
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->timeout, seconds(7));
  // An agent missing from the directory (read before it was created) is left alone.
  Commands out = cc_->updateDirectory(org, {}, t0 + seconds(9));
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kRinging);
}

TEST_F(CallCenterTest, HoldTimeAndTheReasonOfTheEndAreRecorded) {
  Org org = twoMenuOrg();
  org.menus = {Menu{"1", "Orders"}};
  make(org, {agent(1, {"1"})});
  ready(1, t0);
  Commands arrived = cc_->callArrived(61, "01012345678", "0215880000", t0);
  cc_->promptFinished(61, first<PlayPrompts>(arrived)->play_id, t0 + seconds(3));
  cc_->agentAnswered(61, 1, t0 + seconds(5));
  cc_->holdChanged(61, true, t0 + seconds(10));
  cc_->holdChanged(61, true, t0 + seconds(12));  // still held: counted once
  cc_->holdChanged(61, false, t0 + seconds(20));
  cc_->holdChanged(61, true, t0 + seconds(50));  // held at the end: up to the end
  Commands ended = cc_->customerHungUp(61, t0 + seconds(55), "media_timeout");
  auto record = first<SaveCallRecord>(ended);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->record.hold, seconds(15));
  EXPECT_EQ(record->record.end_reason, "media_timeout");
  EXPECT_EQ(record->record.ended_by, "customer");
  EXPECT_EQ(record->record.direction, CallDirection::kInbound);
  ASSERT_EQ(record->record.offers.size(), 1u);
  EXPECT_EQ(record->record.offers[0].at, t0 + seconds(3));
  EXPECT_EQ(record->record.offers[0].outcome, OfferOutcome::kAnswered);
}

TEST_F(CallCenterTest, AWithdrawnOfferAndACallbackSayHowTheyEnded) {
  Org org = twoMenuOrg();
  org.menus = {Menu{"1", "Orders"}};
  make(org, {agent(1, {"1"})});
  ready(1, t0);
  Commands arrived = cc_->callArrived(71, "01012345678", "0215880000", t0);
  cc_->promptFinished(71, first<PlayPrompts>(arrived)->play_id, t0 + seconds(3));
  cc_->digit(71, '*', t0 + seconds(4));  // leaves the queue while alice rings
  cc_->digit(71, '1', t0 + seconds(6));
  Commands ended = cc_->customerHungUp(71, t0 + seconds(8));
  auto record = first<SaveCallRecord>(ended);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->record.result, CallResult::kCallback);
  EXPECT_EQ(record->record.end_reason, "callback");
  ASSERT_EQ(record->record.offers.size(), 1u);
  EXPECT_EQ(record->record.offers[0].outcome, OfferOutcome::kWithdrawn);
}

TEST_F(CallCenterTest, AnAgentsOwnCallMakesItOnCallIsNotOfferedMeanwhileAndIsRecordedAsOutbound) {  // E2
  Org org = twoMenuOrg();
  org.menus = {Menu{"1", "Orders"}};
  make(org, {agent(1, {"1"})});
  ready(1, t0);
  Commands started = cc_->outboundStarted(81, 1, "0215880000", "0101234567", t0 + seconds(1));
  auto on_call = first<SaveAgentState>(started);
  ASSERT_TRUE(on_call);
  EXPECT_EQ(on_call->change.to, AgentState::kOnCall);
  EXPECT_EQ(on_call->change.cause, StateCause::kDialed);
  // A customer calling meanwhile waits: the only agent is busy.
  Commands arrived = cc_->callArrived(82, "01099990000", "0215880000", t0 + seconds(2));
  Commands queued = cc_->promptFinished(82, first<PlayPrompts>(arrived)->play_id, t0 + seconds(5));
  EXPECT_FALSE(first<RingAgent>(queued));
  cc_->outboundAnswered(81, t0 + seconds(8));
  Commands ended = cc_->outboundEnded(81, "customer", "hangup", t0 + seconds(68));
  auto record = first<SaveCallRecord>(ended);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->record.direction, CallDirection::kOutbound);
  EXPECT_EQ(record->record.result, CallResult::kAnswered);
  EXPECT_EQ(record->record.agent, 1);
  EXPECT_EQ(record->record.caller, "0215880000");
  EXPECT_EQ(record->record.called, "0101234567");
  EXPECT_EQ(record->record.talk(), seconds(60));
  EXPECT_EQ(record->record.ended_by, "customer");
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kAfterCallWork);
  EXPECT_FALSE(first<RingAgent>(ended));  // after-call work: still not offered
  // Ready again: the waiting customer rings at once.
  auto back = cc_->agentRequested(1, AgentState::kReady, t0 + seconds(80));
  ASSERT_TRUE(back.ok());
  auto ring = first<RingAgent>(*back);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->call, 82u);
}

TEST_F(CallCenterTest, AnUnansweredOwnCallIsUnconnectedAndALoggedOutAgentKeepsItsState) {
  Org org = twoMenuOrg();
  make(org, {agent(1, {"1"}), agent(2, {"1"})});
  ready(1, t0);
  cc_->outboundStarted(91, 1, "0215880000", "0101234567", t0 + seconds(1));
  Commands ended = cc_->outboundEnded(91, "customer", "busy", t0 + seconds(4));
  auto record = first<SaveCallRecord>(ended);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->record.result, CallResult::kUnconnected);
  EXPECT_EQ(record->record.end_reason, "busy");
  EXPECT_EQ(cc_->agentStatus(1)->state(), AgentState::kAfterCallWork);
  // Agent 2 never logged in (its phone dials without the app): recorded, state untouched.
  Commands started = cc_->outboundStarted(92, 2, "0215880000", "0101234567", t0 + seconds(5));
  EXPECT_FALSE(first<SaveAgentState>(started));
  Commands done = cc_->outboundEnded(92, "agent", "hangup", t0 + seconds(9));
  EXPECT_FALSE(first<SaveAgentState>(done));
  ASSERT_TRUE(first<SaveCallRecord>(done));
  EXPECT_EQ(cc_->agentStatus(2)->state(), AgentState::kOffline);
}

}  // namespace
}  // namespace sb::acd
