// SqliteStore: logins, credentials and sessions (account::AccountStore).
#include <algorithm>

#include "store/detail/rows.hpp"
#include "store/sqlite_store.hpp"

namespace sb::store {

using core::ErrorCode;
using core::makeError;
using core::Result;

Result<account::LoginRecord> SqliteStore::findLogin(std::string_view org_name,
                                                    std::string_view agent_id) {
  return db_.read([&](Connection& c) -> Result<account::LoginRecord> {
    // One message for both misses: whoever logs or shows it cannot tell which it was.
    const auto missing = [] { return detail::notFound("org or agent"); };
    auto org_id = detail::findOrgId(c, org_name);
    if (!org_id) return org_id.error();
    if (!*org_id) return missing();
    auto agent = detail::loadAgent(c, **org_id, agent_id);
    if (!agent) return agent.error().code == ErrorCode::kNotFound ? missing() : agent.error();
    auto org = detail::loadOrg(c, **org_id);
    if (!org) return org.error();
    auto credentials = detail::loadCredentials(c, agent->key);
    if (!credentials) return credentials.error();
    return account::LoginRecord{std::move(*org), std::move(*agent), std::move(*credentials)};
  });
}

Result<account::Credentials> SqliteStore::findCredentials(acd::AgentKey agent) {
  return db_.read([&](Connection& c) { return detail::loadCredentials(c, agent); });
}

Result<void> SqliteStore::setPassword(acd::AgentKey agent, const account::Credentials& credentials,
                                      std::optional<account::TokenHash> keep) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto update = c.prepare(
        "UPDATE agents SET password_hash = ?2, password_changed_at = ?3, "
        "must_change_password = ?4, updated_at = ?3 WHERE key = ?1");
    if (!update) return update.error();
    update->bindInt(1, agent)
        .bindText(2, credentials.password_hash)
        .bindInt(3, core::toUnixMillis(credentials.password_changed_at))
        .bindBool(4, credentials.must_change_password);
    if (auto r = update->run(); !r) return r.error();
    if (c.changes() == 0) return detail::notFound("agent");
    auto deleted = detail::deleteSessions(c, agent, keep);
    if (!deleted) return deleted.error();
    return core::okResult();
  });
}

Result<void> SqliteStore::createSession(const account::SessionRecord& session) {
  return db_.write([&](Connection& c) -> Result<void> {
    // The foreign keys would catch a missing agent, not an agent of another org.
    auto agent = c.prepare("SELECT 1 FROM agents WHERE key = ?1 AND org_id = ?2");
    if (!agent) return agent.error();
    agent->bindInt(1, session.agent).bindInt(2, session.org);
    auto row = agent->step();
    if (!row) return row.error();
    if (!*row) return detail::notFound("agent");

    auto insert = c.prepare(
        "INSERT INTO sessions (token_hash, org_id, agent_key, created_at, expires_at, client) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!insert) return insert.error();
    insert->bindBlob(1, session.token_hash)
        .bindInt(2, session.org)
        .bindInt(3, session.agent)
        .bindInt(4, core::toUnixMillis(session.created_at))
        .bindInt(5, core::toUnixMillis(session.expires_at))
        .bindText(6, session.client);
    if (auto r = insert->run(); !r) {
      if (r.error().code == ErrorCode::kConflict) {
        return makeError(ErrorCode::kConflict, "a session with this token already exists");
      }
      return r.error();
    }
    return core::okResult();
  });
}

Result<account::SessionRecord> SqliteStore::findSession(const account::TokenHash& token_hash) {
  return db_.read([&](Connection& c) -> Result<account::SessionRecord> {
    auto stmt = c.prepare(
        "SELECT org_id, agent_key, created_at, expires_at, client FROM sessions "
        "WHERE token_hash = ?1");
    if (!stmt) return stmt.error();
    stmt->bindBlob(1, token_hash);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return detail::notFound("session");
    account::SessionRecord session;
    session.token_hash = token_hash;
    session.org = stmt->columnInt(0);
    session.agent = stmt->columnInt(1);
    session.created_at = core::fromUnixMillis(stmt->columnInt(2));
    session.expires_at = core::fromUnixMillis(stmt->columnInt(3));
    session.client = stmt->columnText(4);
    return session;
  });
}

Result<void> SqliteStore::deleteSession(const account::TokenHash& token_hash) {
  return db_.write([&](Connection& c) -> Result<void> {
    auto stmt = c.prepare("DELETE FROM sessions WHERE token_hash = ?1");
    if (!stmt) return stmt.error();
    stmt->bindBlob(1, token_hash);
    return stmt->run();
  });
}

Result<std::vector<account::TokenHash>> SqliteStore::deleteSessionsOf(
    acd::AgentKey agent, std::optional<account::TokenHash> keep) {
  return db_.write([&](Connection& c) { return detail::deleteSessions(c, agent, keep); });
}

Result<bool> SqliteStore::hasLiveSession(acd::AgentKey agent, core::Time now) {
  return db_.read([&](Connection& c) -> Result<bool> {
    auto stmt =
        c.prepare("SELECT 1 FROM sessions WHERE agent_key = ?1 AND expires_at > ?2 LIMIT 1");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, agent).bindInt(2, core::toUnixMillis(now));
    return stmt->step();
  });
}

Result<int> SqliteStore::deleteExpiredSessions(core::Time now) {
  return db_.write([&](Connection& c) -> Result<int> {
    auto stmt = c.prepare("DELETE FROM sessions WHERE expires_at <= ?1");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, core::toUnixMillis(now));
    if (auto r = stmt->run(); !r) return r.error();
    return static_cast<int>(c.changes());
  });
}

}  // namespace sb::store
