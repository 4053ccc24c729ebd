#pragma once
// What the statistics read (docs/statistics.md). Declared here, by its user;
// implemented by store::SqliteStore.
#include <optional>
#include <span>
#include <vector>

#include "acd/statistics.hpp"
#include "core/result.hpp"

namespace sb::acd {

// Which parts of Statistics a roll-up read fills (the others stay empty).
enum StatsParts : unsigned {
  kStatsMenus = 1,       // org and menus
  kStatsAgents = 2,      // agents
  kStatsCategories = 4,  // categories
  kStatsAll = 7,
};

class StatsStore {
 public:
  virtual ~StatsStore() = default;

  // ---- the records ----
  // Every ended call of the org that arrived in [from − 1 day, to), with its offers and
  // notes: all that can be queued, offered or begun in [from, to) (a call lasts at most
  // 12 hours). computeStatistics picks what belongs to the period.
  virtual core::Result<std::vector<CallRecord>> statsCalls(OrgId org, core::Time from, core::Time to) = 0;
  // The org's agents' states over [from, min(to, now)), as spans (an agent never logged in
  // has none; a state that began before `from` starts at `from`).
  virtual core::Result<std::vector<AgentStateSpan>> stateSpans(OrgId org, core::Time from, core::Time to,
                                                               core::Time now) = 0;

  // ---- the roll-ups (kept per kStatsBucket as records are written) ----
  // The statistics of [from, to), both ends multiples of kStatsBucket, summed from the
  // roll-ups, with the after-call work and breaks still going on counted up to `now`:
  // what computeStatistics gives for the period's records. `agent`: only that agent's
  // figures. nullopt while the org's roll-ups are being rebuilt: read the records then.
  virtual core::Result<std::optional<Statistics>> rolledUp(OrgId org, core::Time from, core::Time to,
                                                           core::Time now, unsigned parts,
                                                           std::optional<AgentKey> agent) = 0;
  // The org's inflow figures of each bucket of [from, to) that has any, by start.
  virtual core::Result<std::optional<std::vector<std::pair<core::Time, CallFigures>>>> rolledUpBuckets(
      OrgId org, core::Time from, core::Time to) = 0;
};

}  // namespace sb::acd
