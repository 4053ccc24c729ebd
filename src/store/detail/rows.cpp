#include "store/detail/rows.hpp"

#include <algorithm>
#include <map>

namespace sb::store::detail {
namespace {

using core::ErrorCode;
using core::makeError;

core::Error corrupt(std::string what) {
  return makeError(ErrorCode::kStorage, "the database holds an invalid " + std::move(what));
}

// Columns: key, org_id, agent_id, name, admin, enabled, sip_secret, created_at.
constexpr std::string_view kAgentSelect =
    "SELECT key, org_id, agent_id, name, admin, enabled, sip_secret, created_at FROM agents ";

acd::Agent agentFromRow(const Statement& row) {
  acd::Agent agent;
  agent.key = row.columnInt(0);
  agent.org = row.columnInt(1);
  agent.id = row.columnText(2);
  agent.name = row.columnText(3);
  agent.admin = row.columnBool(4);
  agent.enabled = row.columnBool(5);
  agent.sip_secret = row.columnText(6);
  agent.created_at = core::fromUnixMillis(row.columnInt(7));
  return agent;
}

core::Result<std::vector<std::string>> agentMenus(Connection& c, acd::AgentKey agent) {
  auto stmt = c.prepare(
      "SELECT m.digit FROM agent_menus am JOIN menus m ON m.id = am.menu_id "
      "WHERE am.agent_key = ?1 ORDER BY m.digit");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, agent);
  std::vector<std::string> digits;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return digits;
    digits.push_back(stmt->columnText(0));
  }
}

// Runs an agent SELECT expected to match at most one row and adds the agent's menus.
core::Result<acd::Agent> oneAgent(Connection& c, Statement& stmt) {
  auto row = stmt.step();
  if (!row) return row.error();
  if (!*row) return notFound("agent");
  acd::Agent agent = agentFromRow(stmt);
  auto menus = agentMenus(c, agent.key);
  if (!menus) return menus.error();
  agent.menus = std::move(*menus);
  return agent;
}

core::Result<std::vector<std::string>> textColumn(Connection& c, std::string_view sql,
                                                  int64_t param) {
  auto stmt = c.prepare(sql);
  if (!stmt) return stmt.error();
  stmt->bindInt(1, param);
  std::vector<std::string> values;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return values;
    values.push_back(stmt->columnText(0));
  }
}

}  // namespace

core::Error notFound(std::string what) {
  return makeError(ErrorCode::kNotFound, "no such " + std::move(what));
}

core::Result<bool> orgExists(Connection& c, acd::OrgId org) {
  auto stmt = c.prepare("SELECT 1 FROM orgs WHERE id = ?1");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org);
  return stmt->step();
}

core::Result<std::optional<acd::OrgId>> findOrgId(Connection& c, std::string_view name) {
  auto stmt = c.prepare("SELECT id FROM orgs WHERE name = ?1");
  if (!stmt) return stmt.error();
  stmt->bindText(1, name);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<acd::OrgId>{};
  return std::optional<acd::OrgId>{stmt->columnInt(0)};
}

core::Result<acd::Org> loadOrg(Connection& c, acd::OrgId id) {
  acd::Org org;
  {
    auto stmt = c.prepare(
        "SELECT id, name, domain, timezone, country_code, after_login, after_call, "
        "ring_timeout_s, service_level_s, password_max_age_days FROM orgs WHERE id = ?1");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, id);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return notFound("org");
    org.id = stmt->columnInt(0);
    org.name = stmt->columnText(1);
    org.domain = stmt->columnText(2);
    org.timezone = stmt->columnText(3);
    org.country_code = stmt->columnText(4);
    auto after_login = acd::parseAfterLogin(stmt->columnText(5));
    auto after_call = acd::parseAfterCall(stmt->columnText(6));
    if (!after_login || !after_call) return corrupt("after-login/after-call state");
    org.after_login = *after_login;
    org.after_call = *after_call;
    org.ring_timeout_s = static_cast<int>(stmt->columnInt(7));
    org.service_level_s = static_cast<int>(stmt->columnInt(8));
    org.password_max_age_days = static_cast<int>(stmt->columnInt(9));
  }
  auto numbers =
      textColumn(c, "SELECT number FROM org_numbers WHERE org_id = ?1 ORDER BY position", id);
  if (!numbers) return numbers.error();
  org.numbers = std::move(*numbers);
  auto categories =
      textColumn(c, "SELECT name FROM categories WHERE org_id = ?1 ORDER BY position", id);
  if (!categories) return categories.error();
  org.categories = std::move(*categories);

  auto menus = c.prepare("SELECT digit, name FROM menus WHERE org_id = ?1 ORDER BY digit");
  if (!menus) return menus.error();
  menus->bindInt(1, id);
  for (;;) {
    auto row = menus->step();
    if (!row) return row.error();
    if (!*row) break;
    org.menus.push_back(acd::Menu{menus->columnText(0), menus->columnText(1)});
  }
  return org;
}

core::Result<acd::Agent> loadAgent(Connection& c, acd::OrgId org, std::string_view agent_id) {
  static const std::string kSql = std::string(kAgentSelect) + "WHERE org_id = ?1 AND agent_id = ?2";
  auto stmt = c.prepare(kSql);
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org).bindText(2, agent_id);
  return oneAgent(c, *stmt);
}

core::Result<acd::Agent> loadAgentByKey(Connection& c, acd::OrgId org, acd::AgentKey key) {
  static const std::string kSql = std::string(kAgentSelect) + "WHERE org_id = ?1 AND key = ?2";
  auto stmt = c.prepare(kSql);
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org).bindInt(2, key);
  return oneAgent(c, *stmt);
}

core::Result<std::vector<acd::Agent>> loadAgents(Connection& c, acd::OrgId org) {
  // Two queries for the whole org rather than one menu query per agent.
  std::map<acd::AgentKey, std::vector<std::string>> menus;
  {
    auto stmt = c.prepare(
        "SELECT am.agent_key, m.digit FROM agent_menus am JOIN menus m ON m.id = am.menu_id "
        "WHERE m.org_id = ?1 ORDER BY am.agent_key, m.digit");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org);
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      menus[stmt->columnInt(0)].push_back(stmt->columnText(1));
    }
  }
  static const std::string kSql = std::string(kAgentSelect) + "WHERE org_id = ?1 ORDER BY agent_id";
  auto stmt = c.prepare(kSql);
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org);
  std::vector<acd::Agent> agents;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return agents;
    acd::Agent agent = agentFromRow(*stmt);
    if (auto it = menus.find(agent.key); it != menus.end()) agent.menus = std::move(it->second);
    agents.push_back(std::move(agent));
  }
}

core::Result<std::optional<acd::AgentKey>> findAgentKey(Connection& c, acd::OrgId org,
                                                        std::string_view agent_id) {
  auto stmt = c.prepare("SELECT key FROM agents WHERE org_id = ?1 AND agent_id = ?2");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, org).bindText(2, agent_id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<acd::AgentKey>{};
  return std::optional<acd::AgentKey>{stmt->columnInt(0)};
}

core::Result<acd::AgentKey> insertAgent(Connection& c, acd::OrgId org,
                                        const acd::AgentImport& agent, core::Time now) {
  acd::AgentKey key = 0;
  {
    auto insert = c.prepare(
        "INSERT INTO agents (org_id, agent_id, name, password_hash, password_changed_at, "
        "must_change_password, sip_secret, admin, enabled, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?5, ?5)");
    if (!insert) return insert.error();
    insert->bindInt(1, org)
        .bindText(2, agent.id)
        .bindText(3, agent.name)
        .bindText(4, agent.password_hash.value_or(""))
        .bindInt(5, core::toUnixMillis(now))
        .bindText(6, agent.sip_secret.value_or(""))
        .bindBool(7, agent.admin)
        .bindBool(8, agent.enabled.value_or(true));
    if (auto r = insert->run(); !r) return r.error();
    key = c.lastInsertRowId();
  }
  if (auto r = replaceAgentMenus(c, org, key, agent.menus); !r) return r.error();
  return key;
}

core::Result<void> replaceAgentMenus(Connection& c, acd::OrgId org, acd::AgentKey agent,
                                     const std::vector<std::string>& digits) {
  // Resolve every digit before changing anything, so a bad one leaves the agent as it was.
  std::vector<int64_t> menu_ids;
  for (const std::string& digit : digits) {
    auto stmt = c.prepare("SELECT id FROM menus WHERE org_id = ?1 AND digit = ?2");
    if (!stmt) return stmt.error();
    stmt->bindInt(1, org).bindText(2, digit);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) {
      return makeError(ErrorCode::kInvalidInput, "menu " + digit + " does not exist in this org");
    }
    menu_ids.push_back(stmt->columnInt(0));
  }
  auto clear = c.prepare("DELETE FROM agent_menus WHERE agent_key = ?1");
  if (!clear) return clear.error();
  clear->bindInt(1, agent);
  if (auto r = clear->run(); !r) return r.error();
  for (int64_t menu_id : menu_ids) {
    auto insert = c.prepare(
        "INSERT INTO agent_menus (agent_key, menu_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
    if (!insert) return insert.error();
    insert->bindInt(1, agent).bindInt(2, menu_id);
    if (auto r = insert->run(); !r) return r.error();
  }
  return core::okResult();
}

core::Result<account::Credentials> loadCredentials(Connection& c, acd::AgentKey agent) {
  auto stmt = c.prepare(
      "SELECT password_hash, password_changed_at, must_change_password FROM agents "
      "WHERE key = ?1");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, agent);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return notFound("agent");
  return account::Credentials{stmt->columnText(0), core::fromUnixMillis(stmt->columnInt(1)),
                              stmt->columnBool(2)};
}

core::Result<std::vector<account::TokenHash>> deleteSessions(
    Connection& c, acd::AgentKey agent, const std::optional<account::TokenHash>& keep) {
  auto stmt = c.prepare(
      "DELETE FROM sessions WHERE agent_key = ?1 AND (?2 IS NULL OR token_hash <> ?2) "
      "RETURNING token_hash");
  if (!stmt) return stmt.error();
  stmt->bindInt(1, agent);
  if (keep) {
    stmt->bindBlob(2, *keep);
  } else {
    stmt->bindNull(2);
  }
  std::vector<account::TokenHash> deleted;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return deleted;
    const auto blob = stmt->columnBlob(0);
    account::TokenHash hash{};
    if (blob.size() != hash.size()) return corrupt("session token hash");
    std::copy(blob.begin(), blob.end(), hash.begin());
    deleted.push_back(hash);
  }
}

}  // namespace sb::store::detail
