// SqliteStore: call records and callback requests (acd::CallRecordStore; N4, N5, K1).
#include <algorithm>
#include <type_traits>
#include <unordered_map>
#include <variant>

#include "core/log.hpp"
#include "store/detail/rows.hpp"
#include "store/sqlite_store.hpp"

namespace sb::store {

using core::Result;

namespace {

constexpr std::string_view kInProgress = "in_progress";

void bindOptionalTime(Statement& stmt, int index, const std::optional<core::Time>& t) {
  if (t) {
    stmt.bindInt(index, core::toUnixMillis(*t));
  } else {
    stmt.bindNull(index);
  }
}

std::optional<core::Time> optionalTime(const Statement& stmt, int column) {
  if (stmt.columnIsNull(column)) return std::nullopt;
  return core::fromUnixMillis(stmt.columnInt(column));
}

// Inserts or completes the call row and replaces its offers, in the caller's transaction.
Result<void> writeCall(Connection& c, const acd::CallRecord& r, std::string_view result) {
  auto stmt = c.prepare(
      "INSERT INTO calls (id, org_id, caller, called, menu, agent_key, arrived, queued, answered, ended, "
      "result, ended_by, recording, direction, hold_ms, end_reason, customer, callback_id, from_call) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) "
      "ON CONFLICT (id) DO UPDATE SET menu = excluded.menu, agent_key = excluded.agent_key, "
      "queued = excluded.queued, answered = excluded.answered, ended = excluded.ended, "
      "result = excluded.result, ended_by = excluded.ended_by, recording = excluded.recording, "
      "direction = excluded.direction, hold_ms = excluded.hold_ms, end_reason = excluded.end_reason, "
      "customer = excluded.customer, callback_id = excluded.callback_id, from_call = excluded.from_call "
      "WHERE calls.org_id = excluded.org_id");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, static_cast<int64_t>(r.call)).bindInt(2, r.org).bindText(3, r.caller).bindText(4, r.called);
  if (r.menu) {
    stmt->bindInt(5, *r.menu);
  } else {
    stmt->bindNull(5);
  }
  if (r.agent) {
    stmt->bindInt(6, *r.agent);
  } else {
    stmt->bindNull(6);
  }
  stmt->bindInt(7, core::toUnixMillis(r.arrived));
  bindOptionalTime(*stmt, 8, r.queued);
  bindOptionalTime(*stmt, 9, r.answered);
  bindOptionalTime(*stmt, 10, result == kInProgress ? std::nullopt : std::optional<core::Time>(r.ended));
  stmt->bindText(11, result).bindText(12, r.ended_by).bindText(13, r.recording);
  stmt->bindText(14, acd::toString(r.direction))
      .bindInt(15, std::chrono::duration_cast<std::chrono::milliseconds>(r.hold).count())
      .bindText(16, r.end_reason)
      .bindText(17, r.customer());
  if (r.callback) {
    stmt->bindInt(18, *r.callback);
  } else {
    stmt->bindNull(18);
  }
  if (r.from_call) {
    stmt->bindInt(19, static_cast<int64_t>(*r.from_call));
  } else {
    stmt->bindNull(19);
  }
  if (auto run = stmt->run(); !run) return run.error();
  if (c.changes() == 0) return detail::notFound("call of this org");  // the id belongs to another org

  auto clear = c.prepare("DELETE FROM call_offers WHERE call_id = ?1");
  if (!clear) return clear.error();
  clear->bindInt(1, static_cast<int64_t>(r.call));
  if (auto run = clear->run(); !run) return run.error();
  for (std::size_t i = 0; i < r.offers.size(); ++i) {
    auto offer = c.prepare(
        "INSERT INTO call_offers (call_id, seq, agent_key, offered, outcome, answered, hold_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!offer) return offer.error();
    offer->bindInt(1, static_cast<int64_t>(r.call))
        .bindInt(2, static_cast<int64_t>(i))
        .bindInt(3, r.offers[i].agent)
        .bindInt(4, core::toUnixMillis(r.offers[i].at))
        .bindText(5, acd::toString(r.offers[i].outcome));
    bindOptionalTime(*offer, 6, r.offers[i].answered);
    offer->bindInt(7, std::chrono::duration_cast<std::chrono::milliseconds>(r.offers[i].hold).count());
    if (auto run = offer->run(); !run) return run.error();
  }
  return core::okResult();
}

Result<void> openCallRow(Connection& c, const acd::CallRecord& record) {
  auto exists = c.prepare("SELECT 1 FROM calls WHERE id = ?1");
  if (!exists) return exists.error();
  exists->bindInt(1, static_cast<int64_t>(record.call));
  auto found = exists->step();
  if (!found) return found.error();
  if (*found) return core::makeError(core::ErrorCode::kConflict, "This call is already recorded.");
  return writeCall(c, record, kInProgress);
}

// Ends the call's record (written open before, or not at all) and adds it to the
// statistics' roll-ups. A record closes once: closing it again would count it twice.
Result<void> closeCallRow(Connection& c, const acd::CallRecord& record) {
  auto exists = c.prepare("SELECT result FROM calls WHERE id = ?1 AND org_id = ?2");
  if (!exists) return exists.error();
  exists->bindInt(1, static_cast<int64_t>(record.call)).bindInt(2, record.org);
  auto found = exists->step();
  if (!found) return found.error();
  if (*found && exists->columnText(0) != kInProgress) {
    return core::makeError(core::ErrorCode::kConflict, "This call's record is already closed.");
  }
  if (auto r = writeCall(c, record, acd::toString(record.result)); !r) return r.error();
  if (record.notes.empty()) return detail::rollUpCall(c, record);
  acd::CallRecord stored = record;  // its notes are written apart (saveNote), and counted there
  stored.notes.clear();
  return detail::rollUpCall(c, stored);
}

Result<std::int64_t> insertCallback(Connection& c, acd::OrgId org, acd::CallId call, const std::string& number,
                                    acd::MenuIndex menu, core::Time at) {
  auto stmt = c.prepare(
      "INSERT INTO callbacks (id, org_id, call_id, number, menu, requested) VALUES (?2, ?1, ?2, ?3, ?4, ?5)");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org)
      .bindInt(2, static_cast<int64_t>(call))
      .bindText(3, number)
      .bindInt(4, menu)
      .bindInt(5, core::toUnixMillis(at));
  if (auto run = stmt->run(); !run) return run.error();
  return c.lastInsertRowId();
}

// One write of a batch, inside its own savepoint: kept, or undone alone.
Result<void> writeOne(Connection& c, const acd::CenterWrite& w) {
  if (auto r = c.exec("SAVEPOINT item"); !r) return r.error();
  Result<void> done = std::visit(
      [&](const auto& item) -> Result<void> {
        using T = std::decay_t<decltype(item)>;
        if constexpr (std::is_same_v<T, acd::AgentStateWrite>) {
          if (item.note) {  // G3: the note and the state, all or nothing (one savepoint)
            auto note = detail::writeNote(c, *item.note);
            if (!note) return note.error();
          }
          return detail::writeAgentState(c, item.org, item.agent, item.change);
        } else if constexpr (std::is_same_v<T, acd::CallOpenWrite>) {
          return openCallRow(c, item.record);
        } else if constexpr (std::is_same_v<T, acd::CallCloseWrite>) {
          return closeCallRow(c, item.record);
        } else if constexpr (std::is_same_v<T, acd::NoteWrite>) {
          auto note = detail::writeNote(c, item);
          if (!note) return note.error();
          return core::okResult();
        } else {
          auto id = insertCallback(c, item.org, item.call, item.number, item.menu, item.at);
          if (!id) return id.error();
          return core::okResult();
        }
      },
      w);
  if (done) {
    if (auto r = c.exec("RELEASE item"); !r) return r.error();
    return done;
  }
  auto undone = c.exec("ROLLBACK TO item");
  if (undone) undone = c.exec("RELEASE item");
  if (!undone) return undone.error();
  return done;
}

}  // namespace

Result<std::vector<Result<void>>> SqliteStore::writeBatch(std::span<const acd::CenterWrite> writes) {
  return db_.write([&](Connection& c) -> Result<std::vector<Result<void>>> {
    std::vector<Result<void>> results;
    results.reserve(writes.size());
    for (const acd::CenterWrite& w : writes) results.push_back(writeOne(c, w));
    return results;
  });
}

Result<acd::CallId> SqliteStore::nextCallId() {
  return db_.read([&](Connection& c) -> Result<acd::CallId> {
    auto stmt = c.prepare("SELECT COALESCE(MAX(id), 0) + 1 FROM calls");
    if (!stmt) return stmt.error();
    auto row = stmt->step();
    if (!row) return row.error();
    return static_cast<acd::CallId>(stmt->columnInt(0));
  });
}

Result<void> SqliteStore::openCall(const acd::CallRecord& record) {
  return db_.write([&](Connection& c) { return openCallRow(c, record); });
}

Result<void> SqliteStore::closeCall(const acd::CallRecord& record) {
  return db_.write([&](Connection& c) { return closeCallRow(c, record); });
}

Result<std::size_t> SqliteStore::closeInterrupted(core::Time now) {
  return db_.write([&](Connection& c) -> Result<std::size_t> {
    std::vector<std::pair<int64_t, acd::OrgId>> open;
    {
      auto stmt = c.prepare("SELECT id, org_id FROM calls WHERE result = 'in_progress'");
      if (!stmt) return stmt.error();
      for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        open.emplace_back(stmt->columnInt(0), stmt->columnInt(1));
      }
    }
    for (const auto& [id, org] : open) {
      auto close = c.prepare(
          "UPDATE calls SET result = 'interrupted', ended = ?1, ended_by = 'system', end_reason = 'interrupted' "
          "WHERE id = ?2");
      if (!close) return close.error();
      close->bindInt(1, core::toUnixMillis(now)).bindInt(2, id);
      if (auto run = close->run(); !run) return run.error();
      auto read = c.prepare(std::string(detail::kCallColumns) + "WHERE id = ?1");
      if (!read) return read.error();
      read->bindInt(1, id);
      auto calls = detail::readCalls(c, *read, org);
      if (!calls) return calls.error();
      for (const acd::CallRecord& call : *calls) {
        if (auto r = detail::rollUpCall(c, call); !r) return r.error();
      }
    }
    return open.size();
  });
}

namespace {

}  // namespace

namespace detail {

// The rows of a statement that selects kCallColumns, each with its offers and notes.
Result<std::vector<acd::CallRecord>> readCalls(Connection& c, Statement& stmt, acd::OrgId org) {
  std::vector<acd::CallRecord> out;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) break;
    acd::CallRecord r;
    r.call = static_cast<acd::CallId>(stmt.columnInt(0));
    r.org = org;
    r.caller = stmt.columnText(1);
    r.called = stmt.columnText(2);
    if (!stmt.columnIsNull(3)) r.menu = static_cast<acd::MenuIndex>(stmt.columnInt(3));
    if (!stmt.columnIsNull(4)) r.agent = stmt.columnInt(4);
    r.arrived = core::fromUnixMillis(stmt.columnInt(5));
    r.queued = optionalTime(stmt, 6);
    r.answered = optionalTime(stmt, 7);
    r.ended = optionalTime(stmt, 8).value_or(r.arrived);
    const std::string result = stmt.columnText(9);
    if (auto parsed = acd::parseCallResult(result)) {
      r.result = *parsed;
    } else {
      core::logWarn("unknown stored call result, read as failed", {{"call", static_cast<int64_t>(r.call)},
                                                                    {"result", result}});
      r.result = acd::CallResult::kFailed;
    }
    r.ended_by = stmt.columnText(10);
    r.recording = stmt.columnText(11);
    r.direction = acd::parseCallDirection(stmt.columnText(12)).value_or(acd::CallDirection::kInbound);
    r.hold = std::chrono::milliseconds(stmt.columnInt(13));
    r.end_reason = stmt.columnText(14);
    if (!stmt.columnIsNull(15)) r.callback = stmt.columnInt(15);
    if (!stmt.columnIsNull(16)) r.from_call = static_cast<acd::CallId>(stmt.columnInt(16));
    out.push_back(std::move(r));
  }
  // Offers and notes: for many calls with ids close together (a period's calls: ids
  // count up with time) one range query each, matched by id; else a query per call.
  if (out.empty()) return out;
  std::unordered_map<int64_t, acd::CallRecord*> by_id;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (acd::CallRecord& r : out) {
    by_id.emplace(static_cast<int64_t>(r.call), &r);
    lo = std::min(lo, static_cast<int64_t>(r.call));
    hi = std::max(hi, static_cast<int64_t>(r.call));
  }
  const bool ranged = out.size() >= 16 && static_cast<uint64_t>(hi - lo) < 4 * out.size();
  auto readOffers = [&](Statement& offers) -> Result<void> {
    for (;;) {
      auto row = offers.step();
      if (!row) return row.error();
      if (!*row) return core::okResult();
      auto it = by_id.find(offers.columnInt(0));
      if (it == by_id.end()) continue;
      acd::CallRecord& r = *it->second;
      acd::OfferRecord offer;
      offer.agent = offers.columnInt(1);
      offer.at = optionalTime(offers, 2).value_or(r.arrived);
      offer.outcome = acd::parseOfferOutcome(offers.columnText(3)).value_or(acd::OfferOutcome::kRinging);
      offer.answered = optionalTime(offers, 4);
      offer.hold = std::chrono::milliseconds(offers.columnInt(5));
      r.offers.push_back(offer);
    }
  };
  auto readNotes = [&](Statement& notes) -> Result<void> {
    for (;;) {
      auto row = notes.step();
      if (!row) return row.error();
      if (!*row) return core::okResult();
      auto it = by_id.find(notes.columnInt(0));
      if (it == by_id.end()) continue;
      it->second->notes.push_back(acd::CallNote{notes.columnInt(1), notes.columnText(2), notes.columnText(3),
                                                core::fromUnixMillis(notes.columnInt(4)),
                                                core::fromUnixMillis(notes.columnInt(5))});
    }
  };
  constexpr std::string_view kOffers =
      "SELECT call_id, agent_key, offered, outcome, answered, hold_ms FROM call_offers ";
  constexpr std::string_view kNotes = "SELECT call_id, author, category, text, created, updated FROM call_notes ";
  if (ranged) {
    auto offers = c.prepare(std::string(kOffers) + "WHERE call_id BETWEEN ?1 AND ?2 ORDER BY call_id, seq");
    if (!offers) return offers.error();
    offers->bindInt(1, lo).bindInt(2, hi);
    if (auto r = readOffers(*offers); !r) return r.error();
    auto notes = c.prepare(std::string(kNotes) + "WHERE call_id BETWEEN ?1 AND ?2 ORDER BY call_id, created, author");
    if (!notes) return notes.error();
    notes->bindInt(1, lo).bindInt(2, hi);
    if (auto r = readNotes(*notes); !r) return r.error();
    return out;
  }
  for (acd::CallRecord& r : out) {
    auto offers = c.prepare(std::string(kOffers) + "WHERE call_id = ?1 ORDER BY seq");
    if (!offers) return offers.error();
    offers->bindInt(1, static_cast<int64_t>(r.call));
    if (auto done = readOffers(*offers); !done) return done.error();
    auto notes = c.prepare(std::string(kNotes) + "WHERE call_id = ?1 ORDER BY created, author");
    if (!notes) return notes.error();
    notes->bindInt(1, static_cast<int64_t>(r.call));
    if (auto done = readNotes(*notes); !done) return done.error();
  }
  return out;
}

}  // namespace detail

namespace {
using detail::kCallColumns;
using detail::readCalls;
}  // namespace

Result<std::vector<acd::CallRecord>> SqliteStore::listCalls(acd::OrgId org, core::Time from, core::Time to,
                                                            std::size_t limit) {
  return db_.read([&](Connection& c) -> Result<std::vector<acd::CallRecord>> {
    auto stmt = c.prepare(std::string(kCallColumns) +
                          "WHERE org_id = ?1 AND arrived >= ?2 AND arrived < ?3 AND result != 'in_progress' "
                          "ORDER BY arrived DESC, id DESC LIMIT ?4");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org)
        .bindInt(2, core::toUnixMillis(from))
        .bindInt(3, core::toUnixMillis(to))
        .bindInt(4, static_cast<int64_t>(std::min<std::size_t>(limit, 100'000)));
    return readCalls(c, *stmt, org);
  });
}

Result<std::vector<acd::CallRecord>> SqliteStore::callHistory(acd::OrgId org, const acd::HistoryQuery& q) {
  return db_.read([&](Connection& c) -> Result<std::vector<acd::CallRecord>> {
    std::string sql = std::string(kCallColumns) + "WHERE org_id = ?1 AND result != 'in_progress' ";
    switch (q.tab) {
      case acd::HistoryTab::kMine:
        // I3: extension calls are not listed. A call the agent took over by a transfer is
        // (an answered offer after the first; the first answered offer is agent_key's).
        sql += "AND direction != 'internal' AND (agent_key = ?2 OR id IN (SELECT call_id FROM call_offers "
               "WHERE agent_key = ?2 AND outcome = 'answered' AND seq > 0)) ";
        break;
      case acd::HistoryTab::kUnconnected:
        sql += "AND direction = 'inbound' AND result IN ('unconnected', 'callback', 'no_agent') ";
        break;
      case acd::HistoryTab::kAll:
        sql += "AND direction != 'internal' ";
        break;
    }
    if (q.before) sql += "AND (arrived < ?3 OR (arrived = ?3 AND id < ?4)) ";
    sql += "ORDER BY arrived DESC, id DESC LIMIT ?5";
    auto stmt = c.prepare(sql);
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org);
    if (q.tab == acd::HistoryTab::kMine) stmt->bindInt(2, q.agent);
    if (q.before) {
      stmt->bindInt(3, core::toUnixMillis(q.before->arrived)).bindInt(4, static_cast<int64_t>(q.before->call));
    }
    stmt->bindInt(5, static_cast<int64_t>(std::clamp<std::size_t>(q.limit, 1, 1000)));
    return readCalls(c, *stmt, org);
  });
}

Result<acd::CallRecord> SqliteStore::findCall(acd::OrgId org, acd::CallId call) {
  return db_.read([&](Connection& c) -> Result<acd::CallRecord> {
    auto stmt = c.prepare(std::string(kCallColumns) + "WHERE id = ?1 AND org_id = ?2 AND result != 'in_progress'");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, static_cast<int64_t>(call)).bindInt(2, org);
    auto rows = readCalls(c, *stmt, org);
    if (!rows) return rows.error();
    if (rows->empty()) return detail::notFound("call");
    return std::move(rows->front());
  });
}

Result<std::int64_t> SqliteStore::saveCallback(acd::OrgId org, acd::CallId call, const std::string& number,
                                               acd::MenuIndex menu, core::Time at) {
  return db_.write([&](Connection& c) { return insertCallback(c, org, call, number, menu, at); });
}

Result<std::vector<acd::StoredCallback>> SqliteStore::pendingCallbacks(acd::OrgId org) {
  return db_.read([&](Connection& c) -> Result<std::vector<acd::StoredCallback>> {
    auto stmt = c.prepare(
        "SELECT id, call_id, number, menu, requested FROM callbacks WHERE org_id = ?1 AND done IS NULL AND deleted IS NULL "
        "ORDER BY requested, id");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org);
    std::vector<acd::StoredCallback> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      acd::StoredCallback cb;
      cb.id = stmt->columnInt(0);
      cb.org = org;
      cb.call = static_cast<acd::CallId>(stmt->columnInt(1));
      cb.number = stmt->columnText(2);
      cb.menu = static_cast<acd::MenuIndex>(stmt->columnInt(3));
      cb.requested = core::fromUnixMillis(stmt->columnInt(4));
      out.push_back(std::move(cb));
    }
    return out;
  });
}

}  // namespace sb::store
