#include "acd/agent_state.hpp"

#include <string>

namespace sb::acd {
namespace {

using core::ErrorCode;
using core::makeError;

AgentState fromAfterLogin(AfterLogin s) {
  return s == AfterLogin::kReady ? AgentState::kReady : AgentState::kBreak;
}

AgentState fromAfterCall(AfterCall s) {
  switch (s) {
    case AfterCall::kReady: return AgentState::kReady;
    case AfterCall::kBreak: return AgentState::kBreak;
    case AfterCall::kAfterCallWork: return AgentState::kAfterCallWork;
  }
  return AgentState::kAfterCallWork;
}

bool chosenByAgent(AgentState s) {
  return s == AgentState::kReady || s == AgentState::kBreak || s == AgentState::kAfterCallWork;
}

core::Error notIn(AgentState wanted, AgentState actual, const char* what) {
  return makeError(ErrorCode::kConflict, std::string(what) + " needs the state " + toString(wanted) +
                                             ", the agent is " + toString(actual));
}

}  // namespace

const char* toString(AgentState s) {
  switch (s) {
    case AgentState::kOffline: return "offline";
    case AgentState::kReady: return "ready";
    case AgentState::kBreak: return "break";
    case AgentState::kAfterCallWork: return "acw";
    case AgentState::kRinging: return "ringing";
    case AgentState::kOnCall: return "on_call";
  }
  return "offline";
}

std::optional<AgentState> parseAgentState(std::string_view s) {
  for (AgentState a : {AgentState::kOffline, AgentState::kReady, AgentState::kBreak, AgentState::kAfterCallWork,
                       AgentState::kRinging, AgentState::kOnCall}) {
    if (s == toString(a)) return a;
  }
  return std::nullopt;
}

const char* toString(StateCause c) {
  switch (c) {
    case StateCause::kLogin: return "login";
    case StateCause::kLogout: return "logout";
    case StateCause::kRequest: return "request";
    case StateCause::kOffer: return "offer";
    case StateCause::kOfferMissed: return "offer_missed";
    case StateCause::kOfferWithdrawn: return "offer_withdrawn";
    case StateCause::kAnswered: return "answered";
    case StateCause::kDialed: return "dialed";
    case StateCause::kCallEnded: return "call_ended";
  }
  return "request";
}

StateChange AgentStatus::move(AgentState to, StateCause cause, core::Time now) {
  StateChange change{state_, to, now, cause};
  state_ = to;
  since_ = now;
  return change;
}

std::optional<StateChange> AgentStatus::login(AfterLogin after_login, core::Time now) {
  if (state_ != AgentState::kOffline) {
    logout_pending_ = false;  // logged in again before the call ended
    return std::nullopt;
  }
  return move(fromAfterLogin(after_login), StateCause::kLogin, now);
}

std::optional<StateChange> AgentStatus::logout(core::Time now) {
  if (state_ == AgentState::kOffline) return std::nullopt;
  if (state_ == AgentState::kOnCall) {
    logout_pending_ = true;  // the call is not cut (C4): Offline when it ends
    return std::nullopt;
  }
  // Ringing: the offer ends with the logout (the router gives the call to someone else).
  logout_pending_ = false;
  return move(AgentState::kOffline, StateCause::kLogout, now);
}

core::Result<std::optional<StateChange>> AgentStatus::request(AgentState to, core::Time now) {
  if (!chosenByAgent(to)) {
    return makeError(ErrorCode::kInvalidInput,
                     std::string("an agent can choose ready, break or acw, not ") + toString(to));
  }
  if (state_ == AgentState::kOffline || logout_pending_) {
    return makeError(ErrorCode::kForbidden, "the agent is logged out");
  }
  if (busy()) {
    return makeError(ErrorCode::kConflict, std::string("the state cannot change while ") +
                                               (state_ == AgentState::kRinging ? "a call rings" : "on a call"));
  }
  if (to == state_) return std::optional<StateChange>{};
  return std::optional<StateChange>{move(to, StateCause::kRequest, now)};
}

core::Result<StateChange> AgentStatus::offer(core::Time now) {
  if (state_ != AgentState::kReady || logout_pending_) return notIn(AgentState::kReady, state_, "an offer");
  return move(AgentState::kRinging, StateCause::kOffer, now);
}

core::Result<StateChange> AgentStatus::answered(core::Time now) {
  if (state_ != AgentState::kRinging) return notIn(AgentState::kRinging, state_, "answering");
  return move(AgentState::kOnCall, StateCause::kAnswered, now);
}

core::Result<StateChange> AgentStatus::offerMissed(core::Time now) {
  if (state_ != AgentState::kRinging) return notIn(AgentState::kRinging, state_, "a missed offer");
  return move(AgentState::kBreak, StateCause::kOfferMissed, now);
}

core::Result<StateChange> AgentStatus::offerWithdrawn(core::Time now) {
  if (state_ != AgentState::kRinging) return notIn(AgentState::kRinging, state_, "a withdrawn offer");
  return move(AgentState::kReady, StateCause::kOfferWithdrawn, now);
}

core::Result<StateChange> AgentStatus::dialed(core::Time now) {
  if (!chosenByAgent(state_) || logout_pending_) {
    return makeError(ErrorCode::kConflict, std::string("cannot place a call while ") + toString(state_));
  }
  return move(AgentState::kOnCall, StateCause::kDialed, now);
}

core::Result<StateChange> AgentStatus::callEnded(AfterCall after_call, core::Time now) {
  if (state_ != AgentState::kOnCall) return notIn(AgentState::kOnCall, state_, "the end of a call");
  if (logout_pending_) {
    logout_pending_ = false;
    return move(AgentState::kOffline, StateCause::kCallEnded, now);
  }
  return move(fromAfterCall(after_call), StateCause::kCallEnded, now);
}

}  // namespace sb::acd
