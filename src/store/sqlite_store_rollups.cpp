// SqliteStore: the statistics' roll-ups (docs/statistics.md, "Roll-ups"). Every write
// that changes a figure adds what it changes to the quarter-hour buckets in the same
// transaction: a closed call (callBuckets), a note's category, a finished after-call or
// break span (stateBuckets). Reads sum the buckets of a period.
//
// A rebuild recounts an org's buckets from its records, six hours of buckets per write job
// so other writes go on in between. The org is read from its records meanwhile.
#include <algorithm>
#include <limits>

#include "core/log.hpp"
#include "store/detail/rows.hpp"
#include "store/sqlite_store.hpp"

namespace sb::store {

using core::Result;

namespace {

constexpr std::int64_t kMinMs = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMaxMs = std::numeric_limits<std::int64_t>::max();
// Six hours of buckets per write: reading them needs the calls of the day before too,
// and the writer is held for that long (docs/performance.md).
constexpr core::Duration kRebuildChunk = std::chrono::hours(6);
// A call lasts at most 12 hours (statsCalls reads a day back for the same reason).
constexpr core::Duration kCallSpan = std::chrono::hours(24);

void bindOptional(Statement& stmt, int index, const std::optional<std::int64_t>& v) {
  if (v) {
    stmt.bindInt(index, *v);
  } else {
    stmt.bindNull(index);
  }
}

std::optional<std::int64_t> optionalInt(const Statement& stmt, int column) {
  if (stmt.columnIsNull(column)) return std::nullopt;
  return stmt.columnInt(column);
}

bool isEmpty(const acd::CallFigures& f) { return f == acd::CallFigures{}; }

// The summed menu columns (inflow … max_wait_answered_ms) from `first` on, as the reads
// below select them.
constexpr std::string_view kSummedCallFigures =
    "sum(inflow), sum(answered), sum(abandoned), sum(callback), sum(no_agent), sum(other), sum(within_sl), "
    "sum(wait_ms), sum(wait_answered_ms), max(max_wait_ms), max(max_wait_answered_ms) ";

acd::CallFigures callFigures(const Statement& stmt, int first) {
  acd::CallFigures f;
  f.inflow = stmt.columnInt(first);
  f.answered = stmt.columnInt(first + 1);
  f.abandoned = stmt.columnInt(first + 2);
  f.callback = stmt.columnInt(first + 3);
  f.no_agent = stmt.columnInt(first + 4);
  f.other = stmt.columnInt(first + 5);
  f.within_service_level = stmt.columnInt(first + 6);
  f.wait_ms = stmt.columnInt(first + 7);
  f.wait_answered_ms = stmt.columnInt(first + 8);
  f.max_wait_ms = optionalInt(stmt, first + 9);
  f.max_wait_answered_ms = optionalInt(stmt, first + 10);
  return f;
}

Result<void> addMenuBucket(Connection& c, acd::OrgId org, std::int64_t bucket, std::size_t menu,
                           const acd::CallFigures& f) {
  auto stmt = c.prepare(
      "INSERT INTO stats_menu_buckets (org_id, bucket, menu, inflow, answered, abandoned, callback, no_agent, "
      "other, within_sl, wait_ms, wait_answered_ms, max_wait_ms, max_wait_answered_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
      "ON CONFLICT (org_id, bucket, menu) DO UPDATE SET inflow = inflow + excluded.inflow, "
      "answered = answered + excluded.answered, abandoned = abandoned + excluded.abandoned, "
      "callback = callback + excluded.callback, no_agent = no_agent + excluded.no_agent, "
      "other = other + excluded.other, within_sl = within_sl + excluded.within_sl, "
      "wait_ms = wait_ms + excluded.wait_ms, wait_answered_ms = wait_answered_ms + excluded.wait_answered_ms, "
      "max_wait_ms = CASE WHEN max_wait_ms IS NULL OR excluded.max_wait_ms > max_wait_ms "
      "                   THEN coalesce(excluded.max_wait_ms, max_wait_ms) ELSE max_wait_ms END, "
      "max_wait_answered_ms = CASE WHEN max_wait_answered_ms IS NULL OR excluded.max_wait_answered_ms > "
      "max_wait_answered_ms THEN coalesce(excluded.max_wait_answered_ms, max_wait_answered_ms) "
      "ELSE max_wait_answered_ms END");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org).bindInt(2, bucket).bindInt(3, static_cast<std::int64_t>(menu));
  stmt->bindInt(4, f.inflow).bindInt(5, f.answered).bindInt(6, f.abandoned).bindInt(7, f.callback);
  stmt->bindInt(8, f.no_agent).bindInt(9, f.other).bindInt(10, f.within_service_level);
  stmt->bindInt(11, f.wait_ms).bindInt(12, f.wait_answered_ms);
  bindOptional(*stmt, 13, f.max_wait_ms);
  bindOptional(*stmt, 14, f.max_wait_answered_ms);
  return stmt->run();
}

Result<void> addAgentBucket(Connection& c, acd::OrgId org, std::int64_t bucket, acd::AgentKey agent,
                            const acd::AgentFigures& f) {
  auto stmt = c.prepare(
      "INSERT INTO stats_agent_buckets (org_id, bucket, agent_key, answered, outbound, outbound_answered, "
      "talk_ms, talked_calls, hold_ms, acw_ms, break_ms, missed) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
      "ON CONFLICT (org_id, bucket, agent_key) DO UPDATE SET answered = answered + excluded.answered, "
      "outbound = outbound + excluded.outbound, outbound_answered = outbound_answered + excluded.outbound_answered, "
      "talk_ms = talk_ms + excluded.talk_ms, talked_calls = talked_calls + excluded.talked_calls, "
      "hold_ms = hold_ms + excluded.hold_ms, acw_ms = acw_ms + excluded.acw_ms, "
      "break_ms = break_ms + excluded.break_ms, missed = missed + excluded.missed");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org).bindInt(2, bucket).bindInt(3, agent);
  stmt->bindInt(4, f.answered).bindInt(5, f.outbound).bindInt(6, f.outbound_answered);
  stmt->bindInt(7, f.talk_ms).bindInt(8, f.talked_calls).bindInt(9, f.hold_ms);
  stmt->bindInt(10, f.acw_ms).bindInt(11, f.break_ms).bindInt(12, f.missed);
  return stmt->run();
}

Result<void> addBuckets(Connection& c, acd::OrgId org, std::span<const acd::StatsBucket> buckets) {
  for (const acd::StatsBucket& b : buckets) {
    const std::int64_t at = core::toUnixMillis(b.start);
    for (std::size_t m = 0; m < acd::kMenuCount; ++m) {
      if (isEmpty(b.stats.menus[m])) continue;
      if (auto r = addMenuBucket(c, org, at, m, b.stats.menus[m]); !r) return r.error();
    }
    for (const auto& [agent, f] : b.stats.agents) {
      if (f == acd::AgentFigures{}) continue;
      if (auto r = addAgentBucket(c, org, at, agent, f); !r) return r.error();
    }
    for (const auto& [category, n] : b.stats.categories) {
      if (auto r = detail::addCategoryNotes(c, org, b.start, category, n); !r) return r.error();
    }
  }
  return core::okResult();
}

Result<bool> rebuilding(Connection& c, acd::OrgId org) {
  auto stmt = c.prepare("SELECT 1 FROM stats_rollups_pending WHERE org_id = ?1");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org);
  return stmt->step();
}

void addOpenSpan(acd::Statistics& s, acd::AgentKey agent, acd::AgentState state, core::Time since, core::Time from,
                 core::Time to, core::Time now) {
  const acd::AgentStateSpan span{agent, state, since, std::max(since, now)};
  const acd::Statistics part = acd::computeStatistics({}, std::span<const acd::AgentStateSpan>(&span, 1), {from, to},
                                                      core::Duration::zero());
  acd::merge(s, part);
}

}  // namespace

namespace detail {

Result<core::Duration> serviceLevelOf(Connection& c, acd::OrgId org) {
  auto stmt = c.prepare("SELECT service_level_s FROM orgs WHERE id = ?1");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return notFound("org");
  return core::Duration(std::chrono::seconds(stmt->columnInt(0)));
}

Result<void> addCategoryNotes(Connection& c, acd::OrgId org, core::Time bucket, const std::string& category,
                              std::int64_t delta) {
  auto stmt = c.prepare(
      "INSERT INTO stats_category_buckets (org_id, bucket, category, notes) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (org_id, bucket, category) DO UPDATE SET notes = notes + excluded.notes");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org).bindInt(2, core::toUnixMillis(bucket)).bindText(3, category).bindInt(4, delta);
  if (auto r = stmt->run(); !r) return r.error();
  if (delta >= 0) return core::okResult();
  auto drop = c.prepare(
      "DELETE FROM stats_category_buckets WHERE org_id = ?1 AND bucket = ?2 AND category = ?3 AND notes <= 0");
  if (!drop) return drop.error();
  drop->bindInt(1, org).bindInt(2, core::toUnixMillis(bucket)).bindText(3, category);
  return drop->run();
}

Result<void> rollUpCall(Connection& c, const acd::CallRecord& call) {
  auto sl = serviceLevelOf(c, call.org);
  if (!sl) return sl.error();
  return addBuckets(c, call.org, acd::callBuckets(call, acd::kStatsBucket, *sl));
}

Result<void> rollUpSpan(Connection& c, acd::OrgId org, const acd::AgentStateSpan& span) {
  return addBuckets(c, org, acd::stateBuckets(span, acd::kStatsBucket));
}

Result<std::vector<acd::AgentStateSpan>> readStateSpans(Connection& c, acd::OrgId org, core::Time from,
                                                        core::Time end, bool closed_only) {
  std::vector<acd::AgentStateSpan> spans;
  if (end <= from) return spans;
  auto agents = c.prepare("SELECT agent_key, state, since FROM agent_states WHERE org_id = ?1");
  if (!agents) return agents.error();
  agents->bindInt(1, org);
  struct Current {
    acd::AgentKey agent;
    std::string state;
    core::Time since;
  };
  std::vector<Current> current;
  for (;;) {
    auto row = agents->step();
    if (!row) return row.error();
    if (!*row) break;
    current.push_back(Current{agents->columnInt(0), agents->columnText(1), core::fromUnixMillis(agents->columnInt(2))});
  }
  auto stateOf = [](const std::string& text) {
    auto s = acd::parseAgentState(text);
    if (!s) core::logWarn("unknown stored agent state, left out of the statistics", {{"state", text}});
    return s;
  };
  for (const Current& now_state : current) {
    // The state at `from` is the first later change's from_state, or, with no change
    // since, the current one. A closed span ends where the current state began.
    const core::Time stop = closed_only ? std::min(end, now_state.since) : end;
    auto first = c.prepare(
        "SELECT from_state FROM agent_state_changes WHERE agent_key = ?1 AND at >= ?2 ORDER BY at, id LIMIT 1");
    if (!first) return first.error();
    first->bindInt(1, now_state.agent).bindInt(2, core::toUnixMillis(from));
    auto found = first->step();
    if (!found) return found.error();
    std::optional<acd::AgentState> state = stateOf(*found ? first->columnText(0) : now_state.state);
    core::Time since = from;
    auto changes = c.prepare(
        "SELECT to_state, at FROM agent_state_changes WHERE agent_key = ?1 AND at >= ?2 AND at < ?3 "
        "ORDER BY at, id");
    if (!changes) return changes.error();
    changes->bindInt(1, now_state.agent).bindInt(2, core::toUnixMillis(from)).bindInt(3, core::toUnixMillis(stop));
    for (;;) {
      auto row = changes->step();
      if (!row) return row.error();
      if (!*row) break;
      const core::Time at = core::fromUnixMillis(changes->columnInt(1));
      if (state && at > since) spans.push_back(acd::AgentStateSpan{now_state.agent, *state, since, at});
      state = stateOf(changes->columnText(0));
      since = at;
    }
    if (state && stop > since) spans.push_back(acd::AgentStateSpan{now_state.agent, *state, since, stop});
  }
  return spans;
}

Result<std::vector<acd::CallRecord>> readClosedCalls(Connection& c, acd::OrgId org, core::Time from, core::Time to) {
  auto stmt = c.prepare(std::string(kCallColumns) +
                        "WHERE org_id = ?1 AND arrived >= ?2 AND arrived < ?3 AND result != 'in_progress' "
                        "ORDER BY arrived, id");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org).bindInt(2, core::toUnixMillis(from)).bindInt(3, core::toUnixMillis(to));
  return readCalls(c, *stmt, org);
}

}  // namespace detail

Result<std::optional<acd::Statistics>> SqliteStore::rolledUp(acd::OrgId org, core::Time from, core::Time to,
                                                             core::Time now, unsigned parts,
                                                             std::optional<acd::AgentKey> agent) {
  return db_.read([&](Connection& c) -> Result<std::optional<acd::Statistics>> {
    auto pending = rebuilding(c, org);
    if (!pending) return pending.error();
    if (*pending) return std::optional<acd::Statistics>();
    const std::int64_t lo = core::toUnixMillis(from), hi = core::toUnixMillis(to);
    acd::Statistics s;
    if (parts & acd::kStatsMenus) {
      auto stmt = c.prepare("SELECT menu, " + std::string(kSummedCallFigures) +
                            "FROM stats_menu_buckets WHERE org_id = ?1 AND bucket >= ?2 AND bucket < ?3 GROUP BY menu");
      if (!stmt) return stmt.error();
      stmt->bindInt(1, org).bindInt(2, lo).bindInt(3, hi);
      for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        const auto menu = static_cast<std::size_t>(stmt->columnInt(0));
        if (menu >= acd::kMenuCount) continue;
        acd::CallFigures& f = s.menus[menu];
        f = callFigures(*stmt, 1);
        s.org.merge(f);
      }
    }
    if (parts & acd::kStatsAgents) {
      auto stmt = c.prepare(
          agent ? "SELECT agent_key, sum(answered), sum(outbound), sum(outbound_answered), sum(talk_ms), "
                  "sum(talked_calls), sum(hold_ms), sum(acw_ms), sum(break_ms), sum(missed) "
                  "FROM stats_agent_buckets WHERE agent_key = ?4 AND bucket >= ?2 AND bucket < ?3 AND org_id = ?1 "
                  "GROUP BY agent_key"
                : "SELECT agent_key, sum(answered), sum(outbound), sum(outbound_answered), sum(talk_ms), "
                  "sum(talked_calls), sum(hold_ms), sum(acw_ms), sum(break_ms), sum(missed) "
                  "FROM stats_agent_buckets WHERE org_id = ?1 AND bucket >= ?2 AND bucket < ?3 GROUP BY agent_key");
      if (!stmt) return stmt.error();
      stmt->bindInt(1, org).bindInt(2, lo).bindInt(3, hi);
      if (agent) stmt->bindInt(4, *agent);
      for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        acd::AgentFigures& f = s.agents[stmt->columnInt(0)];
        f.answered = stmt->columnInt(1);
        f.outbound = stmt->columnInt(2);
        f.outbound_answered = stmt->columnInt(3);
        f.talk_ms = stmt->columnInt(4);
        f.talked_calls = stmt->columnInt(5);
        f.hold_ms = stmt->columnInt(6);
        f.acw_ms = stmt->columnInt(7);
        f.break_ms = stmt->columnInt(8);
        f.missed = stmt->columnInt(9);
      }
      // After-call work and breaks still going on: their spans are written when they end.
      auto open = c.prepare(
          "SELECT agent_key, state, since FROM agent_states WHERE org_id = ?1 AND since < ?2 "
          "AND state IN (?3, ?4) AND (?5 IS NULL OR agent_key = ?5)");
      if (!open) return open.error();
      open->bindInt(1, org).bindInt(2, hi);
      open->bindText(3, acd::toString(acd::AgentState::kAfterCallWork)).bindText(4, acd::toString(acd::AgentState::kBreak));
      bindOptional(*open, 5, agent);
      for (;;) {
        auto row = open->step();
        if (!row) return row.error();
        if (!*row) break;
        auto state = acd::parseAgentState(open->columnText(1));
        if (!state) continue;
        addOpenSpan(s, open->columnInt(0), *state, core::fromUnixMillis(open->columnInt(2)), from, to, now);
      }
    }
    if (parts & acd::kStatsCategories) {
      auto stmt = c.prepare(
          "SELECT category, sum(notes) FROM stats_category_buckets WHERE org_id = ?1 AND bucket >= ?2 "
          "AND bucket < ?3 GROUP BY category HAVING sum(notes) != 0");
      if (!stmt) return stmt.error();
      stmt->bindInt(1, org).bindInt(2, lo).bindInt(3, hi);
      for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        s.categories[stmt->columnText(0)] = stmt->columnInt(1);
      }
    }
    return std::optional<acd::Statistics>(std::move(s));
  });
}

Result<std::optional<std::vector<std::pair<core::Time, acd::CallFigures>>>> SqliteStore::rolledUpBuckets(
    acd::OrgId org, core::Time from, core::Time to) {
  using Out = std::optional<std::vector<std::pair<core::Time, acd::CallFigures>>>;
  return db_.read([&](Connection& c) -> Result<Out> {
    auto pending = rebuilding(c, org);
    if (!pending) return pending.error();
    if (*pending) return Out();
    auto stmt = c.prepare("SELECT bucket, " + std::string(kSummedCallFigures) +
                          "FROM stats_menu_buckets WHERE org_id = ?1 AND bucket >= ?2 AND bucket < ?3 AND menu < ?4 "
                          "GROUP BY bucket ORDER BY bucket");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org).bindInt(2, core::toUnixMillis(from)).bindInt(3, core::toUnixMillis(to));
    stmt->bindInt(4, static_cast<std::int64_t>(acd::kMenuCount));
    std::vector<std::pair<core::Time, acd::CallFigures>> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      const acd::CallFigures f = callFigures(*stmt, 1);
      out.emplace_back(core::fromUnixMillis(stmt->columnInt(0)), f);
    }
    return Out(std::move(out));
  });
}

Result<bool> SqliteStore::rebuildRollupsStep(core::Time now) {
  return db_.write([&](Connection& c) -> Result<bool> {
    acd::OrgId org = 0;
    std::optional<std::int64_t> from_ms;
    {
      auto next = c.prepare("SELECT org_id, next_from FROM stats_rollups_pending ORDER BY org_id LIMIT 1");
      if (!next) return next.error();
      auto row = next->step();
      if (!row) return row.error();
      if (!*row) return false;
      org = next->columnInt(0);
      from_ms = optionalInt(*next, 1);
    }
    auto finish = [&]() -> Result<bool> {
      auto done = c.prepare("DELETE FROM stats_rollups_pending WHERE org_id = ?1");
      if (!done) return done.error();
      done->bindInt(1, org);
      if (auto r = done->run(); !r) return r.error();
      core::logInfo("statistics roll-ups rebuilt", {{"org", org}});
      return true;
    };
    auto clear = [&](std::int64_t lo, std::int64_t hi) -> Result<void> {
      for (std::string_view sql : {"DELETE FROM stats_menu_buckets WHERE org_id = ?1 AND bucket >= ?2 AND bucket < ?3",
                                   "DELETE FROM stats_agent_buckets WHERE org_id = ?1 AND bucket >= ?2 AND bucket < ?3",
                                   "DELETE FROM stats_category_buckets WHERE org_id = ?1 AND bucket >= ?2 AND bucket < ?3"}) {
        auto stmt = c.prepare(sql);
        if (!stmt) return stmt.error();
        stmt->bindInt(1, org).bindInt(2, lo).bindInt(3, hi);
        if (auto r = stmt->run(); !r) return r.error();
      }
      return core::okResult();
    };
    if (!from_ms) {  // the first step: from the org's first record, nothing kept before it
      std::optional<std::int64_t> earliest;
      {
        auto first = c.prepare(
            "SELECT min(t) FROM (SELECT min(arrived) AS t FROM calls WHERE org_id = ?1 "
            "UNION ALL SELECT min(at) FROM agent_state_changes WHERE org_id = ?1)");
        if (!first) return first.error();
        first->bindInt(1, org);
        auto found = first->step();
        if (!found) return found.error();
        earliest = optionalInt(*first, 0);
      }
      if (!earliest) {
        if (auto r = clear(kMinMs, kMaxMs); !r) return r.error();
        return finish();
      }
      const std::int64_t day = std::chrono::duration_cast<std::chrono::milliseconds>(kRebuildChunk).count();
      const std::int64_t start = *earliest - (((*earliest % day) + day) % day);
      if (auto r = clear(kMinMs, start); !r) return r.error();
      from_ms = start;
    }
    const core::Time a = core::fromUnixMillis(*from_ms), b = a + kRebuildChunk;
    if (auto r = clear(*from_ms, core::toUnixMillis(b)); !r) return r.error();
    auto sl = detail::serviceLevelOf(c, org);
    if (!sl) return sl.error();
    auto calls = detail::readClosedCalls(c, org, a - kCallSpan, b);
    if (!calls) return calls.error();
    std::vector<acd::StatsBucket> buckets;
    for (const acd::CallRecord& call : *calls) {
      for (acd::StatsBucket& bucket : acd::callBuckets(call, acd::kStatsBucket, *sl)) {
        if (bucket.start >= a && bucket.start < b) buckets.push_back(std::move(bucket));
      }
    }
    auto spans = detail::readStateSpans(c, org, a, b, /*closed_only=*/true);
    if (!spans) return spans.error();
    for (const acd::AgentStateSpan& span : *spans) {
      for (acd::StatsBucket& bucket : acd::stateBuckets(span, acd::kStatsBucket)) buckets.push_back(std::move(bucket));
    }
    if (auto r = addBuckets(c, org, buckets); !r) return r.error();
    // Later buckets are only what calls closed since `now` added.
    if (b > now) return finish();
    auto advance = c.prepare("UPDATE stats_rollups_pending SET next_from = ?2 WHERE org_id = ?1");
    if (!advance) return advance.error();
    advance->bindInt(1, org).bindInt(2, core::toUnixMillis(b));
    if (auto r = advance->run(); !r) return r.error();
    return true;
  });
}

}  // namespace sb::store
