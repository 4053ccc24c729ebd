#pragma once
// The live state of every agent (C1–C4) and the one place it changes: each change is
// made by acd::AgentStatus, recorded through acd::AgentStateStore (durable) and only
// then published as an `agent.state` event to the agent's own sockets and the org's
// admins. Thread-safe: API handlers and the session sweep call it from worker threads.
// Changes block on the store's write, so call them on a worker; get() never waits for
// I/O and may be called anywhere.
//
// One mutex per agent serializes that agent's changes (so the stored history, the
// events and the live state agree on the order); agents do not wait for each other, and
// concurrent writes of different agents share a transaction in the store's writer.
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "acd/agent_state.hpp"
#include "acd/agent_state_store.hpp"
#include "acd/directory.hpp"
#include "api/event_hub.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::api {

// The `agent.state` event, as sent on the events WebSocket (docs/openapi.yaml).
std::string agentStateEvent(const std::string& agent_id, const acd::StateChange& change);

class AgentStates {
 public:
  // Whether the agent still has a session that has not expired at `now`.
  using SessionCheck = std::function<core::Result<bool>(acd::AgentKey agent, core::Time now)>;

  AgentStates(acd::AgentStateStore& store, EventHub& hub, SessionCheck has_live_session);

  // At start, before serving: loads the stored states of `orgs`. No call survives a
  // restart, so Ringing becomes Ready (offer withdrawn) and OnCall the org's after_call
  // state (call ended); then an agent without a live session goes Offline. These
  // changes are recorded like any other (nobody is connected to hear them yet).
  core::Result<void> restore(const std::vector<acd::Org>& orgs, core::Time now);

  // The agent's state now; Offline since the epoch for an agent never seen.
  acd::AgentStatus get(acd::OrgId org, acd::AgentKey agent) const;

  // C2: after a login, Offline → the org's after_login state (no change when already
  // logged in elsewhere; a logout pending during a call is cancelled).
  core::Result<acd::AgentStatus> login(const acd::Agent& agent, acd::AfterLogin after_login,
                                       core::Time now);
  // After a session ended (logout, expiry, reset, disable): Offline unless the agent
  // still has a live session, or when the call in progress ends (C4). The check runs
  // under the agent's lock, so a login racing with it is never undone.
  core::Result<acd::AgentStatus> logout(acd::OrgId org, acd::AgentKey agent, core::Time now);
  // C1/C3: the agent chooses ready, break or acw. Errors from AgentStatus::request
  // (kInvalidInput, kForbidden when logged out, kConflict while Ringing or OnCall) or
  // from the store; on any error nothing changed.
  core::Result<acd::AgentStatus> request(acd::OrgId org, acd::AgentKey agent, acd::AgentState to,
                                         core::Time now);

  // Routing hooks (the queue router drives these); errors as AgentStatus's.
  core::Result<acd::AgentStatus> offer(acd::OrgId org, acd::AgentKey agent, core::Time now);
  core::Result<acd::AgentStatus> answered(acd::OrgId org, acd::AgentKey agent, core::Time now);
  core::Result<acd::AgentStatus> offerMissed(acd::OrgId org, acd::AgentKey agent, core::Time now);
  core::Result<acd::AgentStatus> offerWithdrawn(acd::OrgId org, acd::AgentKey agent,
                                                core::Time now);
  core::Result<acd::AgentStatus> dialed(acd::OrgId org, acd::AgentKey agent, core::Time now);
  core::Result<acd::AgentStatus> callEnded(acd::OrgId org, acd::AgentKey agent,
                                           acd::AfterCall after_call, core::Time now);

  // The session sweep: every logged-in agent without a live session goes Offline (as
  // logout()). Returns how many changed; the first store error stops it.
  core::Result<int> sweep(core::Time now);

  size_t loggedIn() const;  // for /metrics

 private:
  // `status` is written holding both mutexes and read holding either: a change holds
  // `change` across the store's write, while get() (called on event loops) only ever
  // waits for `read`, which is never held across I/O.
  struct Entry {
    std::mutex change;
    mutable std::mutex read;
    acd::OrgId org = 0;
    std::string id;
    acd::AgentStatus status;
  };
  // A change computed on a copy of the status: Result<optional<StateChange>>.
  using Step = std::function<core::Result<std::optional<acd::StateChange>>(acd::AgentStatus&)>;

  std::shared_ptr<Entry> find(acd::OrgId org, acd::AgentKey agent) const;
  std::shared_ptr<Entry> findOrAdd(const acd::Agent& agent);
  // Runs `step` on a copy under the entry's lock; records and publishes its change, and
  // keeps the copy only when the store took it.
  core::Result<acd::AgentStatus> apply(Entry& e, acd::AgentKey agent, const Step& step,
                                       bool publish = true);
  core::Result<acd::AgentStatus> routing(
      acd::OrgId org, acd::AgentKey agent,
      core::Result<acd::StateChange> (acd::AgentStatus::*fn)(core::Time), core::Time now);

  acd::AgentStateStore& store_;
  EventHub& hub_;
  SessionCheck has_live_session_;
  mutable std::mutex map_mutex_;
  std::unordered_map<acd::AgentKey, std::shared_ptr<Entry>> agents_;
};

}  // namespace sb::api
