// SqliteStore: agent states and their history (acd::AgentStateStore, C4).
#include "core/log.hpp"
#include "store/detail/rows.hpp"
#include "store/sqlite_store.hpp"

namespace sb::store {

using core::Result;

namespace {

constexpr std::string_view kSelectStates =
    "SELECT s.agent_key, a.agent_id, s.state, s.since FROM agent_states s "
    "JOIN agents a ON a.key = s.agent_key ";

acd::StoredAgentState readState(const Statement& stmt) {
  acd::StoredAgentState s;
  s.agent = stmt.columnInt(0);
  s.agent_id = stmt.columnText(1);
  const std::string text = stmt.columnText(2);
  if (auto state = acd::parseAgentState(text)) {
    s.state = *state;
  } else {
    // Only a newer release (refused at open) or a hand edit could write one.
    core::logWarn("unknown stored agent state, read as offline",
                  {{"agent_key", s.agent}, {"state", text}});
    s.state = acd::AgentState::kOffline;
  }
  s.since = core::fromUnixMillis(stmt.columnInt(3));
  return s;
}

}  // namespace

Result<std::vector<acd::StoredAgentState>> SqliteStore::loadAgentStates(acd::OrgId org) {
  return db_.read([&](Connection& c) -> Result<std::vector<acd::StoredAgentState>> {
    auto stmt = c.prepare(std::string(kSelectStates) + "WHERE s.org_id = ?1 ORDER BY a.agent_id");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org);
    std::vector<acd::StoredAgentState> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      out.push_back(readState(*stmt));
    }
    return out;
  });
}

Result<acd::StoredAgentState> SqliteStore::loadAgentState(acd::OrgId org, acd::AgentKey agent) {
  return db_.read([&](Connection& c) -> Result<acd::StoredAgentState> {
    auto stmt = c.prepare(std::string(kSelectStates) + "WHERE s.org_id = ?1 AND s.agent_key = ?2");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org).bindInt(2, agent);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return detail::notFound("agent state");
    return readState(*stmt);
  });
}

Result<void> detail::writeAgentState(Connection& c, acd::OrgId org, acd::AgentKey agent, const acd::StateChange& change) {
  // The foreign keys would catch a missing agent, not an agent of another org.
  auto check = c.prepare("SELECT 1 FROM agents WHERE key = ?1 AND org_id = ?2");
  if (!check) return check.error();
  check->bindInt(1, agent).bindInt(2, org);
  auto found = check->step();
  if (!found) return found.error();
  if (!*found) return detail::notFound("agent");

  // The span that ends here goes into the statistics' roll-ups (after-call work, breaks).
  std::optional<acd::AgentStateSpan> ended;
  {
    auto previous = c.prepare("SELECT state, since FROM agent_states WHERE agent_key = ?1");
    if (!previous) return previous.error();
    previous->bindInt(1, agent);
    auto row = previous->step();
    if (!row) return row.error();
    if (*row) {
      if (auto state = acd::parseAgentState(previous->columnText(0))) {
        ended = acd::AgentStateSpan{agent, *state, core::fromUnixMillis(previous->columnInt(1)), change.at};
      }
    }
  }
  if (ended) {
    if (auto r = detail::rollUpSpan(c, org, *ended); !r) return r.error();
  }

  const int64_t at = core::toUnixMillis(change.at);
  auto history = c.prepare(
      "INSERT INTO agent_state_changes (org_id, agent_key, from_state, to_state, cause, at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!history) return history.error();
  history->bindInt(1, org)
      .bindInt(2, agent)
      .bindText(3, acd::toString(change.from))
      .bindText(4, acd::toString(change.to))
      .bindText(5, acd::toString(change.cause))
      .bindInt(6, at);
  if (auto r = history->run(); !r) return r.error();

  auto current = c.prepare(
      "INSERT INTO agent_states (agent_key, org_id, state, since) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (agent_key) DO UPDATE SET org_id = excluded.org_id, state = excluded.state, "
      "since = excluded.since");
  if (!current) return current.error();
  current->bindInt(1, agent).bindInt(2, org).bindText(3, acd::toString(change.to)).bindInt(4, at);
  return current->run();
}

Result<void> SqliteStore::recordAgentState(acd::OrgId org, acd::AgentKey agent,
                                           const acd::StateChange& change) {
  return db_.write([&](Connection& c) { return detail::writeAgentState(c, org, agent, change); });
}

}  // namespace sb::store
