// C1–C4: an agent's states, what moves it and what may not.
#include "acd/agent_state.hpp"

#include <gtest/gtest.h>

namespace sb::acd {
namespace {

using std::chrono::seconds;
const core::Time t0 = core::Time{} + std::chrono::hours(1000);

AgentStatus loggedIn(AfterLogin after_login = AfterLogin::kReady) {
  AgentStatus a;
  EXPECT_TRUE(a.login(after_login, t0));
  return a;
}

TEST(AgentState, NamesRoundTrip) {
  for (AgentState s : {AgentState::kOffline, AgentState::kReady, AgentState::kBreak, AgentState::kAfterCallWork,
                       AgentState::kRinging, AgentState::kOnCall}) {
    EXPECT_EQ(parseAgentState(toString(s)), s);
  }
  EXPECT_STREQ(toString(AgentState::kAfterCallWork), "acw");
  EXPECT_STREQ(toString(AgentState::kOnCall), "on_call");
  EXPECT_FALSE(parseAgentState("Ready"));
  EXPECT_FALSE(parseAgentState(""));
}

TEST(AgentState, LoginEntersTheOrgsAfterLoginState) {  // C2
  AgentStatus a;
  EXPECT_EQ(a.state(), AgentState::kOffline);
  EXPECT_FALSE(a.loggedIn());
  auto change = a.login(AfterLogin::kBreak, t0);
  ASSERT_TRUE(change);
  EXPECT_EQ(*change, (StateChange{AgentState::kOffline, AgentState::kBreak, t0, StateCause::kLogin}));
  EXPECT_EQ(a.since(), t0);
  EXPECT_TRUE(a.loggedIn());
  // A second session's login changes nothing.
  EXPECT_FALSE(a.login(AfterLogin::kReady, t0 + seconds(5)));
  EXPECT_EQ(a.state(), AgentState::kBreak);
  EXPECT_EQ(a.since(), t0);

  AgentStatus b;
  ASSERT_TRUE(b.login(AfterLogin::kReady, t0));
  EXPECT_EQ(b.state(), AgentState::kReady);
}

TEST(AgentState, TheAgentMovesBetweenReadyBreakAndAcwAtWill) {  // C1, C4
  AgentStatus a = loggedIn(AfterLogin::kBreak);
  auto r = a.request(AgentState::kReady, t0 + seconds(10));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(*r);
  EXPECT_EQ((*r)->from, AgentState::kBreak);
  EXPECT_EQ((*r)->to, AgentState::kReady);
  EXPECT_EQ((*r)->cause, StateCause::kRequest);
  EXPECT_EQ(a.since(), t0 + seconds(10));
  ASSERT_TRUE(a.request(AgentState::kAfterCallWork, t0 + seconds(20)).ok());
  EXPECT_EQ(a.state(), AgentState::kAfterCallWork);
  // The same state again is no change and keeps its start.
  auto same = a.request(AgentState::kAfterCallWork, t0 + seconds(30));
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(*same);
  EXPECT_EQ(a.since(), t0 + seconds(20));
}

TEST(AgentState, RoutingStatesCannotBeChosen) {
  AgentStatus a = loggedIn();
  for (AgentState s : {AgentState::kOffline, AgentState::kRinging, AgentState::kOnCall}) {
    auto r = a.request(s, t0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidInput);
  }
  EXPECT_EQ(a.state(), AgentState::kReady);
}

TEST(AgentState, NoChangeWhileRingingOrOnCall) {  // C3
  AgentStatus a = loggedIn();
  ASSERT_TRUE(a.offer(t0 + seconds(1)).ok());
  auto r = a.request(AgentState::kBreak, t0 + seconds(2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(a.state(), AgentState::kRinging);
  ASSERT_TRUE(a.answered(t0 + seconds(3)).ok());
  r = a.request(AgentState::kReady, t0 + seconds(4));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(a.state(), AgentState::kOnCall);
  EXPECT_EQ(a.since(), t0 + seconds(3));
}

TEST(AgentState, LoggedOutAgentsCannotChoose) {
  AgentStatus a;
  auto r = a.request(AgentState::kReady, t0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kForbidden);
}

TEST(AgentState, AnAnsweredCallEndsInTheOrgsAfterCallState) {  // C2
  for (auto [after, expected] : {std::pair{AfterCall::kReady, AgentState::kReady},
                                 std::pair{AfterCall::kBreak, AgentState::kBreak},
                                 std::pair{AfterCall::kAfterCallWork, AgentState::kAfterCallWork}}) {
    AgentStatus a = loggedIn();
    ASSERT_TRUE(a.offer(t0 + seconds(1)).ok());
    ASSERT_TRUE(a.answered(t0 + seconds(2)).ok());
    auto end = a.callEnded(after, t0 + seconds(60));
    ASSERT_TRUE(end.ok());
    EXPECT_EQ(*end, (StateChange{AgentState::kOnCall, expected, t0 + seconds(60), StateCause::kCallEnded}));
  }
}

TEST(AgentState, OnlyAReadyAgentIsOffered) {
  AgentStatus a = loggedIn(AfterLogin::kBreak);
  auto offer = a.offer(t0);
  ASSERT_FALSE(offer.ok());
  EXPECT_EQ(offer.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(a.state(), AgentState::kBreak);
  AgentStatus offline;
  EXPECT_FALSE(offline.offer(t0).ok());
}

TEST(AgentState, AMissedOfferIsABreakAWithdrawnOneIsReadyAgain) {
  AgentStatus a = loggedIn();
  ASSERT_TRUE(a.offer(t0).ok());
  auto missed = a.offerMissed(t0 + seconds(15));
  ASSERT_TRUE(missed.ok());
  EXPECT_EQ(missed->to, AgentState::kBreak);
  EXPECT_EQ(missed->cause, StateCause::kOfferMissed);

  AgentStatus b = loggedIn();
  ASSERT_TRUE(b.offer(t0).ok());
  auto withdrawn = b.offerWithdrawn(t0 + seconds(4));
  ASSERT_TRUE(withdrawn.ok());
  EXPECT_EQ(withdrawn->to, AgentState::kReady);
  // Outcomes of an offer need one.
  EXPECT_FALSE(b.answered(t0 + seconds(5)).ok());
  EXPECT_FALSE(b.offerMissed(t0 + seconds(5)).ok());
  EXPECT_FALSE(b.callEnded(AfterCall::kReady, t0 + seconds(5)).ok());
  EXPECT_EQ(b.state(), AgentState::kReady);
}

TEST(AgentState, OwnCallsStartFromAnyChosenState) {  // E: the agent dials out
  for (AgentState from : {AgentState::kReady, AgentState::kBreak, AgentState::kAfterCallWork}) {
    AgentStatus a = loggedIn();
    ASSERT_TRUE(a.request(from, t0).ok());
    auto dialed = a.dialed(t0 + seconds(1));
    ASSERT_TRUE(dialed.ok());
    EXPECT_EQ(dialed->to, AgentState::kOnCall);
    EXPECT_EQ(dialed->cause, StateCause::kDialed);
  }
  AgentStatus ringing = loggedIn();
  ASSERT_TRUE(ringing.offer(t0).ok());
  EXPECT_FALSE(ringing.dialed(t0).ok());
  AgentStatus offline;
  EXPECT_FALSE(offline.dialed(t0).ok());
}

TEST(AgentState, LogoutIsImmediateExceptDuringACall) {  // C4: a call is not cut
  AgentStatus idle = loggedIn();
  auto out = idle.logout(t0 + seconds(5));
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, (StateChange{AgentState::kReady, AgentState::kOffline, t0 + seconds(5), StateCause::kLogout}));
  EXPECT_FALSE(idle.logout(t0 + seconds(6)));  // already offline

  AgentStatus ringing = loggedIn();
  ASSERT_TRUE(ringing.offer(t0).ok());
  ASSERT_TRUE(ringing.logout(t0 + seconds(1)));  // the offer ends with it
  EXPECT_EQ(ringing.state(), AgentState::kOffline);

  AgentStatus talking = loggedIn();
  ASSERT_TRUE(talking.offer(t0).ok());
  ASSERT_TRUE(talking.answered(t0 + seconds(1)).ok());
  EXPECT_FALSE(talking.logout(t0 + seconds(2)));
  EXPECT_EQ(talking.state(), AgentState::kOnCall);
  EXPECT_TRUE(talking.logoutPending());
  EXPECT_FALSE(talking.loggedIn());
  EXPECT_FALSE(talking.request(AgentState::kReady, t0 + seconds(3)).ok());
  auto end = talking.callEnded(AfterCall::kAfterCallWork, t0 + seconds(90));
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->to, AgentState::kOffline);
  EXPECT_FALSE(talking.logoutPending());
}

TEST(AgentState, LoggingInAgainDuringTheCallKeepsTheAgentIn) {
  AgentStatus a = loggedIn();
  ASSERT_TRUE(a.dialed(t0).ok());
  EXPECT_FALSE(a.logout(t0 + seconds(1)));
  EXPECT_FALSE(a.login(AfterLogin::kReady, t0 + seconds(2)));  // a new session
  EXPECT_TRUE(a.loggedIn());
  auto end = a.callEnded(AfterCall::kReady, t0 + seconds(30));
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->to, AgentState::kReady);
}

TEST(AgentState, RestoredStateKeepsItsStart) {
  AgentStatus a(AgentState::kBreak, t0 - seconds(300));
  EXPECT_EQ(a.state(), AgentState::kBreak);
  EXPECT_EQ(a.since(), t0 - seconds(300));
  EXPECT_TRUE(a.loggedIn());
}

}  // namespace
}  // namespace sb::acd
