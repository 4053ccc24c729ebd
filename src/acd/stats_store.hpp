#pragma once
// What the statistics read (docs/statistics.md). Declared here, by its user;
// implemented by store::SqliteStore.
#include <vector>

#include "acd/statistics.hpp"
#include "core/result.hpp"

namespace sb::acd {

class StatsStore {
 public:
  virtual ~StatsStore() = default;
  // Every ended call of the org that arrived in [from − 1 day, to), with its offers and
  // notes: all that can be queued, offered or begun in [from, to) (a call lasts at most
  // 12 hours). computeStatistics picks what belongs to the period.
  virtual core::Result<std::vector<CallRecord>> statsCalls(OrgId org, core::Time from, core::Time to) = 0;
  // The org's agents' states over [from, min(to, now)), as spans (an agent never logged in
  // has none; a state that began before `from` starts at `from`).
  virtual core::Result<std::vector<AgentStateSpan>> stateSpans(OrgId org, core::Time from, core::Time to,
                                                               core::Time now) = 0;
};

}  // namespace sb::acd
