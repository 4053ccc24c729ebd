// SqliteStore: what agents do with ended calls — after-call notes (G1–G5), a customer's
// earlier contacts (D2), the recording audit log (I4) and the callback lists (K1–K2).
#include <algorithm>

#include "core/log.hpp"
#include "store/detail/rows.hpp"
#include "store/sqlite_store.hpp"

namespace sb::store {

using core::ErrorCode;
using core::Result;

namespace detail {

Result<acd::CallNote> writeNote(Connection& c, const acd::NoteWrite& n) {
  // The call must have ended (its record is complete) and be the author's: answered by
  // them, taken over by them (an answered offer: a transfer), or made by them.
  auto call = c.prepare(
      "SELECT result, agent_key, callback_id, "
      "EXISTS (SELECT 1 FROM call_offers o WHERE o.call_id = calls.id AND o.agent_key = ?3 "
      "        AND o.outcome = 'answered'), "
      "arrived, direction, (SELECT category FROM call_notes n WHERE n.call_id = calls.id AND n.author = ?3) "
      "FROM calls WHERE id = ?1 AND org_id = ?2");
  if (!call) return call.error();
  call->bindInt(1, static_cast<int64_t>(n.call)).bindInt(2, n.org).bindInt(3, n.author);
  auto row = call->step();
  if (!row) return row.error();
  if (!*row) return notFound("call");
  const std::string result = call->columnText(0);
  if (result == "in_progress") {
    return core::makeError(ErrorCode::kConflict, "The call is still in progress; write the note when it ends.");
  }
  const bool own = (!call->columnIsNull(1) && call->columnInt(1) == n.author) || call->columnInt(3) != 0;
  if (!own) {
    return core::makeError(ErrorCode::kForbidden, "Only an agent who spoke with the customer can write this call's note.");
  }
  const bool for_callback = !call->columnIsNull(2);
  const std::int64_t callback = call->columnInt(2);
  const core::Time arrived = core::fromUnixMillis(call->columnInt(4));
  const bool counted = call->columnText(5) != acd::toString(acd::CallDirection::kInternal);
  const std::optional<std::string> old_category =
      call->columnIsNull(6) ? std::nullopt : std::optional<std::string>(call->columnText(6));

  const int64_t at = core::toUnixMillis(n.at);
  auto upsert = c.prepare(
      "INSERT INTO call_notes (call_id, author, category, text, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
      "ON CONFLICT (call_id, author) DO UPDATE SET category = excluded.category, text = excluded.text, "
      "updated = excluded.updated RETURNING created");
  if (!upsert) return upsert.error();
  upsert->bindInt(1, static_cast<int64_t>(n.call)).bindInt(2, n.author).bindText(3, n.category).bindText(4, n.text);
  upsert->bindInt(5, at);
  auto created = upsert->step();
  if (!created) return created.error();
  if (!*created) return core::makeError(ErrorCode::kInternal, "the note was not stored");
  acd::CallNote note{n.author, n.category, n.text, core::fromUnixMillis(upsert->columnInt(0)), n.at};

  // The statistics count notes per category where the call arrived (an internal call's
  // nowhere); a note moved to another category moves there.
  if (counted && old_category != n.category) {
    const core::Time bucket = acd::bucketStart(arrived, acd::kStatsBucket);
    if (old_category) {
      if (auto r = addCategoryNotes(c, n.org, bucket, *old_category, -1); !r) return r.error();
    }
    if (auto r = addCategoryNotes(c, n.org, bucket, n.category, 1); !r) return r.error();
  }

  // K2: the consultation a callback asked for took place and is written up.
  if (for_callback && result == "answered") {
    auto done = c.prepare(
        "UPDATE callbacks SET done = ?1, done_by = ?2, done_call = ?3 "
        "WHERE id = ?4 AND org_id = ?5 AND done IS NULL AND deleted IS NULL");
    if (!done) return done.error();
    done->bindInt(1, at).bindInt(2, n.author).bindInt(3, static_cast<int64_t>(n.call)).bindInt(4, callback);
    done->bindInt(5, n.org);
    if (auto run = done->run(); !run) return run.error();
  }
  return note;
}

}  // namespace detail

namespace {

constexpr std::string_view kCallbackColumns =
    "SELECT id, call_id, number, menu, requested, done, done_by, done_call, deleted, deleted_by FROM callbacks ";

Result<std::vector<acd::StoredCallback>> readCallbacks(Statement& stmt, acd::OrgId org) {
  auto optional = [&](int column) -> std::optional<int64_t> {
    if (stmt.columnIsNull(column)) return std::nullopt;
    return stmt.columnInt(column);
  };
  std::vector<acd::StoredCallback> out;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) break;
    acd::StoredCallback cb;
    cb.id = stmt.columnInt(0);
    cb.org = org;
    cb.call = static_cast<acd::CallId>(stmt.columnInt(1));
    cb.number = stmt.columnText(2);
    cb.menu = static_cast<acd::MenuIndex>(stmt.columnInt(3));
    cb.requested = core::fromUnixMillis(stmt.columnInt(4));
    if (auto t = optional(5)) cb.done = core::fromUnixMillis(*t);
    cb.done_by = optional(6);
    if (auto call = optional(7)) cb.done_call = static_cast<acd::CallId>(*call);
    if (auto t = optional(8)) cb.deleted = core::fromUnixMillis(*t);
    cb.deleted_by = optional(9);
    out.push_back(std::move(cb));
  }
  return out;
}

Result<acd::StoredCallback> loadCallback(Connection& c, acd::OrgId org, std::int64_t id) {
  auto stmt = c.prepare(std::string(kCallbackColumns) + "WHERE id = ?1 AND org_id = ?2");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, id).bindInt(2, org);
  auto rows = readCallbacks(*stmt, org);
  if (!rows) return rows.error();
  if (rows->empty()) return detail::notFound("callback");
  return std::move(rows->front());
}

}  // namespace

Result<acd::CallNote> SqliteStore::saveNote(const acd::NoteWrite& note) {
  return db_.write([&](Connection& c) { return detail::writeNote(c, note); });
}

Result<std::vector<acd::CallRecord>> SqliteStore::customerCalls(acd::OrgId org, const std::string& customer,
                                                                std::optional<acd::HistoryCursor> before,
                                                                std::size_t limit) {
  if (customer.empty()) return std::vector<acd::CallRecord>{};  // internal calls have no customer
  return db_.read([&](Connection& c) -> Result<std::vector<acd::CallRecord>> {
    std::string sql = std::string(detail::kCallColumns) +
                      "WHERE org_id = ?1 AND customer = ?2 AND result != 'in_progress' ";
    if (before) sql += "AND (arrived < ?3 OR (arrived = ?3 AND id < ?4)) ";
    sql += "ORDER BY arrived DESC, id DESC LIMIT ?5";
    auto stmt = c.prepare(sql);
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org).bindText(2, customer);
    if (before) stmt->bindInt(3, core::toUnixMillis(before->arrived)).bindInt(4, static_cast<int64_t>(before->call));
    stmt->bindInt(5, static_cast<int64_t>(std::clamp<std::size_t>(limit, 1, 1000)));
    return detail::readCalls(c, *stmt, org);
  });
}

Result<void> SqliteStore::logRecordingAccess(const acd::RecordingAccess& a) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto stmt = c.prepare(
        "INSERT INTO recording_access (org_id, call_id, agent_key, at, client_ip, byte_range) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, a.org).bindInt(2, static_cast<int64_t>(a.call)).bindInt(3, a.agent);
    stmt->bindInt(4, core::toUnixMillis(a.at)).bindText(5, a.client_ip).bindText(6, a.range.substr(0, 200));
    return stmt->run();
  });
}

Result<std::vector<acd::StoredCallback>> SqliteStore::listCallbacks(acd::OrgId org, acd::CallbackStatus status,
                                                                    std::optional<acd::CallbackCursor> after,
                                                                    std::size_t limit) {
  return db_.read([&](Connection& c) -> Result<std::vector<acd::StoredCallback>> {
    std::string sql(kCallbackColumns);
    if (status == acd::CallbackStatus::kPending) {  // the oldest request first: served in order
      sql += "WHERE org_id = ?1 AND done IS NULL AND deleted IS NULL ";
      if (after) sql += "AND (requested > ?2 OR (requested = ?2 AND id > ?3)) ";
      sql += "ORDER BY requested, id LIMIT ?4";
    } else {  // the latest completed first
      sql += "WHERE org_id = ?1 AND done IS NOT NULL AND deleted IS NULL ";
      if (after) sql += "AND (done < ?2 OR (done = ?2 AND id < ?3)) ";
      sql += "ORDER BY done DESC, id DESC LIMIT ?4";
    }
    auto stmt = c.prepare(sql);
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org);
    if (after) stmt->bindInt(2, core::toUnixMillis(after->at)).bindInt(3, after->id);
    stmt->bindInt(4, static_cast<int64_t>(std::clamp<std::size_t>(limit, 1, 1000)));
    return readCallbacks(*stmt, org);
  });
}

Result<acd::StoredCallback> SqliteStore::findCallback(acd::OrgId org, std::int64_t id) {
  return db_.read([&](Connection& c) { return loadCallback(c, org, id); });
}

Result<acd::StoredCallback> SqliteStore::deleteCallback(acd::OrgId org, std::int64_t id, acd::AgentKey by,
                                                        core::Time now) {
  return db_.write([&](Connection& c) -> Result<acd::StoredCallback> {
    auto stmt = c.prepare(
        "UPDATE callbacks SET deleted = ?1, deleted_by = ?2 WHERE id = ?3 AND org_id = ?4 AND deleted IS NULL");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, core::toUnixMillis(now)).bindInt(2, by).bindInt(3, id).bindInt(4, org);
    if (auto run = stmt->run(); !run) return run.error();
    if (c.changes() == 0) return detail::notFound("callback");
    return loadCallback(c, org, id);
  });
}

}  // namespace sb::store
