// SqliteStore: the app's "More" screen (L1) — the notices and FAQ an import replaces
// (replaceContent runs inside applyImport's transaction) and agents read, and the
// inquiries agents send, with the per-agent limit counted in the same write.
#include <algorithm>
#include <map>
#include <set>

#include "store/detail/rows.hpp"
#include "store/sqlite_store.hpp"

namespace sb::store {

using core::ErrorCode;
using core::Result;

namespace {

std::int64_t clampLimit(std::size_t limit) {
  return static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, 1000));
}

// Rows of "SELECT id, key, title, <body or ''>, published_at, pinned, updated_at".
Result<std::vector<acd::Notice>> readNotices(Statement& stmt, acd::OrgId org) {
  std::vector<acd::Notice> out;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) return out;
    acd::Notice n;
    n.id = stmt.columnInt(0);
    n.org = org;
    n.key = stmt.columnText(1);
    n.title = stmt.columnText(2);
    n.body = stmt.columnText(3);
    n.published = core::fromUnixMillis(stmt.columnInt(4));
    n.pinned = stmt.columnBool(5);
    n.updated = core::fromUnixMillis(stmt.columnInt(6));
    out.push_back(std::move(n));
  }
}

Result<std::vector<acd::FaqEntry>> readFaq(Connection& c, acd::OrgId org) {
  auto stmt = c.prepare(
      "SELECT id, key, question, answer, category FROM faq_entries WHERE org_id = ?1 ORDER BY "
      "position, id");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org);
  std::vector<acd::FaqEntry> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back({stmt->columnInt(0), org, stmt->columnText(1), stmt->columnText(2),
                   stmt->columnText(3), stmt->columnText(4)});
  }
}

// Rows of "SELECT id, org_id, agent_key, subject, body, contact, created_at".
Result<std::vector<acd::Inquiry>> readInquiries(Statement& stmt) {
  std::vector<acd::Inquiry> out;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back({stmt.columnInt(0), stmt.columnInt(1), stmt.columnInt(2), stmt.columnText(3),
                   stmt.columnText(4), stmt.columnText(5),
                   core::fromUnixMillis(stmt.columnInt(6))});
  }
}

// One statement: prepared, bound by `bind`, run.
template <class Bind>
Result<void> run(Connection& c, std::string_view sql, Bind bind) {
  auto stmt = c.prepare(sql);
  if (!stmt) return stmt.error();
  bind(*stmt);
  return stmt->run();
}

// Deletes the rows of `table` of the org whose key is not in `keep`; returns how many.
Result<int> removeOthers(Connection& c, std::string_view table, acd::OrgId org,
                         const std::set<std::string>& keep,
                         const std::map<std::string, std::int64_t>& stored) {
  int removed = 0;
  for (const auto& [key, id] : stored) {
    if (keep.contains(key)) continue;
    auto r = run(c, "DELETE FROM " + std::string(table) + " WHERE id = ?1 AND org_id = ?2",
                 [&](Statement& s) { s.bindInt(1, id).bindInt(2, org); });
    if (!r) return r.error();
    ++removed;
  }
  return removed;
}

Result<void> replaceNotices(Connection& c, acd::OrgId org, const std::vector<acd::Notice>& notices,
                            acd::ImportSummary& summary, core::Time now) {
  auto stmt = c.prepare(
      "SELECT id, key, title, body, published_at, pinned, updated_at FROM notices WHERE org_id = "
      "?1");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org);
  auto stored = readNotices(*stmt, org);
  if (!stored) return stored.error();
  std::map<std::string, const acd::Notice*> by_key;
  std::map<std::string, std::int64_t> ids;
  for (const acd::Notice& n : *stored) {
    by_key[n.key] = &n;
    ids[n.key] = n.id;
  }

  const std::int64_t at = core::toUnixMillis(now);
  std::set<std::string> keep;
  for (const acd::Notice& n : notices) {
    keep.insert(n.key);
    auto it = by_key.find(n.key);
    if (it != by_key.end()) {
      const acd::Notice& old = *it->second;
      if (old.title == n.title && old.body == n.body && old.published == n.published &&
          old.pinned == n.pinned) {
        continue;  // unchanged: not written, `updated` kept
      }
      auto r =
          run(c,
              "UPDATE notices SET title = ?2, body = ?3, published_at = ?4, pinned = ?5, "
              "updated_at = ?6 "
              "WHERE id = ?1",
              [&](Statement& s) {
                s.bindInt(1, old.id).bindText(2, n.title).bindText(3, n.body);
                s.bindInt(4, core::toUnixMillis(n.published)).bindBool(5, n.pinned).bindInt(6, at);
              });
      if (!r) return r.error();
      ++summary.notices_updated;
      continue;
    }
    auto r =
        run(c,
            "INSERT INTO notices (org_id, key, title, body, published_at, pinned, created_at, "
            "updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            [&](Statement& s) {
              s.bindInt(1, org).bindText(2, n.key).bindText(3, n.title).bindText(4, n.body);
              s.bindInt(5, core::toUnixMillis(n.published)).bindBool(6, n.pinned).bindInt(7, at);
            });
    if (!r) return r.error();
    ++summary.notices_created;
  }
  auto removed = removeOthers(c, "notices", org, keep, ids);
  if (!removed) return removed.error();
  summary.notices_removed += *removed;
  return core::okResult();
}

Result<void> replaceFaq(Connection& c, acd::OrgId org, const std::vector<acd::FaqEntry>& faq,
                        acd::ImportSummary& summary) {
  auto stored = readFaq(c, org);
  if (!stored) return stored.error();
  // Each with its place in the stored order, which the file's order is compared with.
  std::map<std::string, std::pair<const acd::FaqEntry*, std::size_t>> by_key;
  std::map<std::string, std::int64_t> ids;
  for (std::size_t i = 0; i < stored->size(); ++i) {
    const acd::FaqEntry& e = (*stored)[i];
    by_key[e.key] = {&e, i};
    ids[e.key] = e.id;
  }

  std::set<std::string> keep;
  for (std::size_t i = 0; i < faq.size(); ++i) {
    const acd::FaqEntry& e = faq[i];
    const auto position = static_cast<std::int64_t>(i);
    keep.insert(e.key);
    auto it = by_key.find(e.key);
    if (it != by_key.end()) {
      const acd::FaqEntry& old = *it->second.first;
      if (old.question == e.question && old.answer == e.answer && old.category == e.category &&
          it->second.second == i) {
        continue;
      }
      auto r = run(
          c,
          "UPDATE faq_entries SET position = ?2, question = ?3, answer = ?4, category = ?5 WHERE "
          "id = ?1",
          [&](Statement& s) {
            s.bindInt(1, old.id).bindInt(2, position).bindText(3, e.question).bindText(4, e.answer);
            s.bindText(5, e.category);
          });
      if (!r) return r.error();
      // A move only (an entry inserted or removed above it) is not an update of its own.
      if (old.question != e.question || old.answer != e.answer || old.category != e.category) {
        ++summary.faq_updated;
      }
      continue;
    }
    auto r =
        run(c,
            "INSERT INTO faq_entries (org_id, key, position, question, answer, category) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            [&](Statement& s) {
              s.bindInt(1, org).bindText(2, e.key).bindInt(3, position).bindText(4, e.question);
              s.bindText(5, e.answer).bindText(6, e.category);
            });
    if (!r) return r.error();
    ++summary.faq_created;
  }
  auto removed = removeOthers(c, "faq_entries", org, keep, ids);
  if (!removed) return removed.error();
  summary.faq_removed += *removed;
  return core::okResult();
}

}  // namespace

namespace detail {

Result<void> replaceContent(Connection& c, acd::OrgId org, const acd::OrgContent& content,
                            acd::ImportSummary& summary, core::Time now) {
  if (auto r = replaceNotices(c, org, content.notices, summary, now); !r) return r;
  return replaceFaq(c, org, content.faq, summary);
}

}  // namespace detail

Result<std::vector<acd::Notice>> SqliteStore::listNotices(acd::OrgId org, core::Time now,
                                                          std::optional<acd::NoticeCursor> after,
                                                          std::size_t limit) {
  return db_.read([&](Connection& c) -> Result<std::vector<acd::Notice>> {
    std::string sql =
        "SELECT id, key, title, '', published_at, pinned, updated_at FROM notices "
        "WHERE org_id = ?1 AND published_at <= ?2 ";
    if (after) {
      sql +=
          "AND (pinned < ?3 OR (pinned = ?3 AND (published_at < ?4 OR (published_at = ?4 AND id < "
          "?5)))) ";
    }
    sql += "ORDER BY pinned DESC, published_at DESC, id DESC LIMIT ?6";
    auto stmt = c.prepare(sql);
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org).bindInt(2, core::toUnixMillis(now));
    if (after)
      stmt->bindBool(3, after->pinned)
          .bindInt(4, core::toUnixMillis(after->published))
          .bindInt(5, after->id);
    stmt->bindInt(6, clampLimit(limit));
    return readNotices(*stmt, org);
  });
}

Result<acd::Notice> SqliteStore::findNotice(acd::OrgId org, std::int64_t id, core::Time now) {
  return db_.read([&](Connection& c) -> Result<acd::Notice> {
    auto stmt = c.prepare(
        "SELECT id, key, title, body, published_at, pinned, updated_at FROM notices "
        "WHERE id = ?1 AND org_id = ?2 AND published_at <= ?3");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, id).bindInt(2, org).bindInt(3, core::toUnixMillis(now));
    auto rows = readNotices(*stmt, org);
    if (!rows) return rows.error();
    if (rows->empty()) return detail::notFound("notice");
    return std::move(rows->front());
  });
}

Result<std::vector<acd::FaqEntry>> SqliteStore::listFaq(acd::OrgId org) {
  return db_.read([&](Connection& c) { return readFaq(c, org); });
}

Result<acd::Inquiry> SqliteStore::saveInquiry(const acd::Inquiry& inquiry,
                                              const acd::InquiryLimit& limit) {
  return db_.write([&](Connection& c) -> Result<acd::Inquiry> {
    const std::int64_t created = core::toUnixMillis(inquiry.created);
    const std::int64_t window =
        std::chrono::duration_cast<std::chrono::milliseconds>(limit.window).count();
    auto recent = c.prepare(
        "SELECT count(*), min(created_at) FROM inquiries WHERE agent_key = ?1 AND created_at > ?2");
    if (!recent) return recent.error();
    recent->bindInt(1, inquiry.agent).bindInt(2, created - window);
    auto row = recent->step();
    if (!row) return row.error();
    if (*row && recent->columnInt(0) >= static_cast<std::int64_t>(limit.max)) {
      // Another one is allowed once the oldest of the window has left it.
      const std::int64_t wait_ms =
          std::max<std::int64_t>(recent->columnInt(1) + window - created, 1);
      core::Error e = core::makeError(ErrorCode::kTooManyRequests, "too many inquiries");
      e.retry_after = std::chrono::seconds((wait_ms + 999) / 1000);
      return e;
    }
    auto insert = c.prepare(
        "INSERT INTO inquiries (org_id, agent_key, subject, body, contact, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!insert) return insert.error();
    insert->bindInt(1, inquiry.org)
        .bindInt(2, inquiry.agent)
        .bindText(3, inquiry.subject)
        .bindText(4, inquiry.body);
    insert->bindText(5, inquiry.contact).bindInt(6, created);
    if (auto r = insert->run(); !r) return r.error();
    acd::Inquiry stored = inquiry;
    stored.id = c.lastInsertRowId();
    stored.created = core::fromUnixMillis(created);  // as read back: whole milliseconds
    return stored;
  });
}

Result<std::vector<acd::Inquiry>> SqliteStore::listInquiries(
    acd::OrgId org, std::optional<acd::AgentKey> agent, std::optional<acd::InquiryCursor> before,
    std::size_t limit) {
  return db_.read([&](Connection& c) -> Result<std::vector<acd::Inquiry>> {
    std::string sql =
        "SELECT id, org_id, agent_key, subject, body, contact, created_at FROM inquiries WHERE "
        "org_id = ?1 ";
    if (agent) sql += "AND agent_key = ?2 ";
    if (before) sql += "AND (created_at < ?3 OR (created_at = ?3 AND id < ?4)) ";
    sql += "ORDER BY created_at DESC, id DESC LIMIT ?5";
    auto stmt = c.prepare(sql);
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org);
    if (agent) stmt->bindInt(2, *agent);
    if (before) stmt->bindInt(3, core::toUnixMillis(before->created)).bindInt(4, before->id);
    stmt->bindInt(5, clampLimit(limit));
    return readInquiries(*stmt);
  });
}

}  // namespace sb::store
