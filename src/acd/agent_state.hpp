#pragma once
// One agent's state (C1–C4): Offline, Ready, Break, AfterCallWork, Ringing, OnCall.
//
//  - Login puts the agent in the org's after_login state, the end of a call in its
//    after_call state (C2).
//  - The agent moves between Ready, Break and AfterCallWork at will (C1), but not while
//    Ringing or OnCall (C3): such a request is a kConflict error that changes nothing.
//  - Routing rings only a Ready agent; an offer not answered in time puts the agent on
//    Break (a missed offer), an offer the caller withdrew (hung up) puts it back to Ready.
//  - An agent's own outgoing call makes it OnCall from Ready, Break or AfterCallWork.
//  - Logout (or the session's expiry) makes the agent Offline at once, except during a
//    call: the call is not cut, and the agent goes Offline when it ends (C4 keeps the
//    time of every change).
//
// Pure logic: every call gets the time it happens at and returns the change it made (a
// StateChange to store and publish), so the same code runs on a virtual clock.
#include <optional>
#include <string_view>

#include "acd/directory.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::acd {

enum class AgentState { kOffline, kReady, kBreak, kAfterCallWork, kRinging, kOnCall };

// The API's names: "offline", "ready", "break", "acw", "ringing", "on_call".
const char* toString(AgentState s);
std::optional<AgentState> parseAgentState(std::string_view s);

enum class StateCause {
  kLogin,           // after_login (C2)
  kLogout,          // logout or session expiry
  kRequest,         // the agent chose it (C1)
  kOffer,           // a customer call rings the agent
  kOfferMissed,     // not answered within the ring timeout (or refused): Break
  kOfferWithdrawn,  // the caller left while it rang: back to Ready
  kAnswered,        // the agent answered the offer
  kDialed,          // the agent's own outgoing call
  kCallEnded,       // after_call (C2), or Offline after a logout during the call
};
const char* toString(StateCause c);

struct StateChange {
  AgentState from = AgentState::kOffline;
  AgentState to = AgentState::kOffline;
  core::Time at{};
  StateCause cause = StateCause::kLogin;
  bool operator==(const StateChange&) const = default;
};

class AgentStatus {
 public:
  AgentStatus() = default;
  // An agent restored from storage (e.g. after a restart) in `state` since `since`.
  AgentStatus(AgentState state, core::Time since) : state_(state), since_(since) {}

  AgentState state() const { return state_; }
  core::Time since() const { return since_; }  // C4: when the current state began
  bool loggedIn() const { return state_ != AgentState::kOffline && !logout_pending_; }
  bool logoutPending() const { return logout_pending_; }
  bool busy() const { return state_ == AgentState::kRinging || state_ == AgentState::kOnCall; }

  // Login: from Offline to the org's after_login state. Already logged in (another
  // session): no change. A login during a call whose logout was pending cancels it.
  std::optional<StateChange> login(AfterLogin after_login, core::Time now);
  // Logout: Offline now, or when the call in progress ends (no change returned then).
  std::optional<StateChange> logout(core::Time now);

  // The agent asks for Ready, Break or AfterCallWork (C1). Errors: kInvalidInput for any
  // other state, kForbidden when logged out, kConflict while Ringing or OnCall (C3).
  // Asking for the current state is no change (nullopt).
  core::Result<std::optional<StateChange>> request(AgentState to, core::Time now);

  // Routing. offer: Ready → Ringing (kConflict otherwise). The others require Ringing
  // (kConflict otherwise) and say how the offer ended.
  core::Result<StateChange> offer(core::Time now);
  core::Result<StateChange> answered(core::Time now);
  core::Result<StateChange> offerMissed(core::Time now);
  core::Result<StateChange> offerWithdrawn(core::Time now);

  // The agent's own outgoing call: Ready/Break/AfterCallWork → OnCall.
  core::Result<StateChange> dialed(core::Time now);
  // The call ended: OnCall → after_call, or Offline if a logout came during the call.
  core::Result<StateChange> callEnded(AfterCall after_call, core::Time now);

 private:
  StateChange move(AgentState to, StateCause cause, core::Time now);

  AgentState state_ = AgentState::kOffline;
  core::Time since_{};
  bool logout_pending_ = false;
};

}  // namespace sb::acd
