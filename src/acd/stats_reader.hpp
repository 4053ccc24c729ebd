#pragma once
// Reads a period's statistics the fast way that gives the same figures: the roll-ups for
// the quarter hours the period covers whole, the records for the pieces at either end
// that are not whole quarter hours (an admin's own range), the records alone while the
// org's roll-ups are being rebuilt (docs/statistics.md, "Roll-ups").
#include <optional>
#include <span>
#include <vector>

#include "acd/stats_store.hpp"

namespace sb::acd {

struct StatsRead {
  OrgId org = 0;
  StatsPeriod period;
  core::Time now{};
  core::Duration service_level = std::chrono::seconds(20);
  unsigned parts = kStatsAll;
  std::optional<AgentKey> agent;  // only this agent's figures (kStatsAgents)
};

core::Result<Statistics> readStatistics(StatsStore& store, const StatsRead& read);

// The org's inflow figures of each of `hours` (consecutive, in order): hourlyFigures.
core::Result<std::vector<CallFigures>> readHourlyFigures(StatsStore& store, OrgId org,
                                                         std::span<const StatsPeriod> hours,
                                                         core::Duration service_level);

}  // namespace sb::acd
