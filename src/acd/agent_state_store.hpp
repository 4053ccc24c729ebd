#pragma once
// Where agent states are kept (C4): each agent's current state with its start, and the
// history of every change. Declared here, by its user; implemented by
// store::SqliteStore.
#include <string>
#include <vector>

#include "acd/agent_state.hpp"
#include "acd/directory.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::acd {

// One agent's stored current state. An agent with no row has never logged in: Offline.
struct StoredAgentState {
  AgentKey agent = 0;
  std::string agent_id;  // the agent ID people use, for events and logs
  AgentState state = AgentState::kOffline;
  core::Time since{};
};

class AgentStateStore {
 public:
  virtual ~AgentStateStore() = default;

  // Every stored current state of the org's agents (including Offline), by agent ID.
  virtual core::Result<std::vector<StoredAgentState>> loadAgentStates(OrgId org) = 0;
  // kNotFound when the agent has no stored state (or is not in `org`).
  virtual core::Result<StoredAgentState> loadAgentState(OrgId org, AgentKey agent) = 0;

  // Appends `change` to the history and makes `change.to` (since `change.at`) the
  // agent's current state, in one transaction: durable when it returns. kNotFound when
  // the agent is not in `org`.
  virtual core::Result<void> recordAgentState(OrgId org, AgentKey agent,
                                              const StateChange& change) = 0;
};

}  // namespace sb::acd
