// SqliteStore: what the statistics read (acd::StatsStore; docs/statistics.md).
#include <algorithm>

#include "store/detail/rows.hpp"
#include "store/sqlite_store.hpp"

namespace sb::store {

using core::Result;

Result<std::vector<acd::CallRecord>> SqliteStore::statsCalls(acd::OrgId org, core::Time from, core::Time to) {
  return db_.read([&](Connection& c) { return detail::readClosedCalls(c, org, from - std::chrono::hours(24), to); });
}

Result<std::vector<acd::AgentStateSpan>> SqliteStore::stateSpans(acd::OrgId org, core::Time from, core::Time to,
                                                                 core::Time now) {
  return db_.read([&](Connection& c) { return detail::readStateSpans(c, org, from, std::min(to, now), false); });
}

}  // namespace sb::store
