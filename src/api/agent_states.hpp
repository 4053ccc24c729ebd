#pragma once
// What the API needs of the live agent states (C1–C4). The contact center owns them
// (app::ContactCenter, on the strand where routing decides): a state the agent asks for
// must be decided against the same view that offers calls, or an agent could go on
// Break while a call starts ringing. Every change is stored with its time before the
// call returns and published as an `agent.state` event to the agent and the org's
// admins (agentStateEvent below).
//
// Thread-safe. The changes block until the change is durable, so call them from a
// worker; get() never waits for I/O and may be called anywhere.
#include <optional>
#include <string>
#include <unordered_map>

#include "acd/agent_state.hpp"
#include "acd/center_store.hpp"
#include "acd/directory.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::api {

// The `agent.state` event, as sent on the events WebSocket (docs/openapi.yaml).
std::string agentStateEvent(const std::string& agent_id, const acd::StateChange& change);

class AgentStates {
 public:
  virtual ~AgentStates() = default;

  // An agent as the contact center sees it now: its state, and whether it has a device
  // the contact center can ring (a registered phone). A call is offered or transferred
  // (F4) only to an agent Ready and reachable.
  struct LiveAgent {
    acd::AgentStatus status;
    bool reachable = false;
  };

  // The agent's state now; Offline since the epoch for an agent never seen.
  virtual acd::AgentStatus get(acd::OrgId org, acd::AgentKey agent) const = 0;
  // Every agent of the org the contact center knows, in one snapshot (a list of
  // colleagues reads this once, not get() per agent). An agent missing from it is
  // Offline and unreachable.
  virtual std::unordered_map<acd::AgentKey, LiveAgent> snapshot(acd::OrgId org) const = 0;

  // C2: after a login, Offline → the org's after_login state (no change when already
  // logged in elsewhere; a logout pending during a call is cancelled).
  // `org` and `agent` as the store has them now (the contact center may not have seen
  // a newly created one yet).
  virtual core::Result<acd::AgentStatus> login(const acd::Org& org, const acd::Agent& agent, core::Time now) = 0;
  // After a session ended (logout, expiry, reset, disable): Offline unless the agent
  // still has a live session, or when the call in progress ends (C4). A login racing
  // with it is never undone.
  virtual core::Result<acd::AgentStatus> logout(acd::OrgId org, acd::AgentKey agent, core::Time now) = 0;
  // C1/C3: the agent chooses ready, break or acw. Errors: kInvalidInput for another
  // state, kForbidden when logged out, kConflict while Ringing or OnCall, or the
  // store's; on a rule's error nothing changed.
  // With a note (G3): the note is saved with the change in one transaction; when the
  // store refuses the note (see acd::CallRecordStore::saveNote) neither is kept. Asking
  // for the state the agent is in saves the note alone.
  virtual core::Result<acd::AgentStatus> request(acd::OrgId org, acd::AgentKey agent, acd::AgentState to,
                                                 core::Time now,
                                                 std::optional<acd::NoteWrite> note = std::nullopt) = 0;
};

}  // namespace sb::api
