// SqliteStore: what the statistics read (acd::StatsStore; docs/statistics.md).
#include <algorithm>

#include "core/log.hpp"
#include "store/detail/rows.hpp"
#include "store/sqlite_store.hpp"

namespace sb::store {

using core::Result;

Result<std::vector<acd::CallRecord>> SqliteStore::statsCalls(acd::OrgId org, core::Time from, core::Time to) {
  return db_.read([&](Connection& c) -> Result<std::vector<acd::CallRecord>> {
    auto stmt = c.prepare(std::string(detail::kCallColumns) +
                          "WHERE org_id = ?1 AND arrived >= ?2 AND arrived < ?3 AND result != 'in_progress' "
                          "ORDER BY arrived, id");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org)
        .bindInt(2, core::toUnixMillis(from - std::chrono::hours(24)))
        .bindInt(3, core::toUnixMillis(to));
    return detail::readCalls(c, *stmt, org);
  });
}

namespace {

std::optional<acd::AgentState> stateOf(const std::string& text) {
  auto s = acd::parseAgentState(text);
  if (!s) core::logWarn("unknown stored agent state, left out of the statistics", {{"state", text}});
  return s;
}

}  // namespace

Result<std::vector<acd::AgentStateSpan>> SqliteStore::stateSpans(acd::OrgId org, core::Time from, core::Time to,
                                                                 core::Time now) {
  const core::Time end = std::min(to, now);
  return db_.read([&](Connection& c) -> Result<std::vector<acd::AgentStateSpan>> {
    std::vector<acd::AgentStateSpan> spans;
    if (end <= from) return spans;
    auto agents = c.prepare("SELECT agent_key, state FROM agent_states WHERE org_id = ?1");
    if (!agents) return agents.error();
    agents->bindInt(1, org);
    std::vector<std::pair<acd::AgentKey, std::string>> current;
    for (;;) {
      auto row = agents->step();
      if (!row) return row.error();
      if (!*row) break;
      current.emplace_back(agents->columnInt(0), agents->columnText(1));
    }
    for (const auto& [agent, now_state] : current) {
      // The state at `from` is the first later change's from_state, or, with no change
      // since, the current one.
      auto first = c.prepare(
          "SELECT from_state FROM agent_state_changes WHERE agent_key = ?1 AND at >= ?2 ORDER BY at, id LIMIT 1");
      if (!first) return first.error();
      first->bindInt(1, agent).bindInt(2, core::toUnixMillis(from));
      auto found = first->step();
      if (!found) return found.error();
      std::optional<acd::AgentState> state = stateOf(*found ? first->columnText(0) : now_state);
      core::Time since = from;
      auto changes = c.prepare(
          "SELECT to_state, at FROM agent_state_changes WHERE agent_key = ?1 AND at >= ?2 AND at < ?3 "
          "ORDER BY at, id");
      if (!changes) return changes.error();
      changes->bindInt(1, agent).bindInt(2, core::toUnixMillis(from)).bindInt(3, core::toUnixMillis(end));
      for (;;) {
        auto row = changes->step();
        if (!row) return row.error();
        if (!*row) break;
        const core::Time at = core::fromUnixMillis(changes->columnInt(1));
        if (state && at > since) spans.push_back(acd::AgentStateSpan{agent, *state, since, at});
        state = stateOf(changes->columnText(0));
        since = at;
      }
      if (state && end > since) spans.push_back(acd::AgentStateSpan{agent, *state, since, end});
    }
    return spans;
  });
}

}  // namespace sb::store
