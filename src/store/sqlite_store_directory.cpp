// SqliteStore: orgs, agents and trunks (acd::DirectoryStore), except applyImport.
#include <utility>

#include "store/detail/rows.hpp"
#include "store/sqlite_store.hpp"

namespace sb::store {

using core::ErrorCode;
using core::makeError;
using core::Result;

SqliteStore::SqliteStore(Database& db) : db_(db) {}

SqliteStore::SqliteStore(std::unique_ptr<Database> owned)
    : owned_(std::move(owned)), db_(*owned_) {}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& data_dir) {
  auto db = Database::open(data_dir);
  if (!db) return db.error();
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*db)));
}

// ---- orgs ----

Result<acd::Org> SqliteStore::findOrg(std::string_view name) {
  return db_.read([&](Connection& c) -> Result<acd::Org> {
    auto id = detail::findOrgId(c, name);
    if (!id) return id.error();
    if (!*id) return detail::notFound("org");
    return detail::loadOrg(c, **id);
  });
}

Result<acd::Org> SqliteStore::findOrgById(acd::OrgId id) {
  return db_.read([&](Connection& c) { return detail::loadOrg(c, id); });
}

Result<std::vector<acd::Org>> SqliteStore::listOrgs() {
  return db_.read([&](Connection& c) -> Result<std::vector<acd::Org>> {
    std::vector<acd::OrgId> ids;
    {
      auto stmt = c.prepare("SELECT id FROM orgs ORDER BY name");
      if (!stmt) return stmt.error();
      for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        ids.push_back(stmt->columnInt(0));
      }
    }
    std::vector<acd::Org> orgs;
    orgs.reserve(ids.size());
    for (acd::OrgId id : ids) {
      auto org = detail::loadOrg(c, id);
      if (!org) return org.error();
      orgs.push_back(std::move(*org));
    }
    return orgs;
  });
}

Result<std::optional<acd::OrgId>> SqliteStore::findOrgByNumber(std::string_view number) {
  return db_.read([&](Connection& c) -> Result<std::optional<acd::OrgId>> {
    auto stmt = c.prepare("SELECT org_id FROM org_numbers WHERE number = ?1");
    if (!stmt) return stmt.error();
    stmt->bindText(1, number);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<acd::OrgId>{};
    return std::optional<acd::OrgId>{stmt->columnInt(0)};
  });
}

Result<bool> SqliteStore::isEmpty() {
  return db_.read([](Connection& c) -> Result<bool> {
    auto stmt = c.prepare("SELECT EXISTS (SELECT 1 FROM orgs)");
    if (!stmt) return stmt.error();
    auto row = stmt->step();
    if (!row) return row.error();
    return stmt->columnInt(0) == 0;
  });
}

// ---- agents ----

Result<acd::Agent> SqliteStore::findAgent(acd::OrgId org, std::string_view agent_id) {
  return db_.read([&](Connection& c) { return detail::loadAgent(c, org, agent_id); });
}

Result<acd::Agent> SqliteStore::findAgentByKey(acd::OrgId org, acd::AgentKey key) {
  return db_.read([&](Connection& c) { return detail::loadAgentByKey(c, org, key); });
}

Result<std::vector<acd::Agent>> SqliteStore::listAgents(acd::OrgId org) {
  return db_.read([&](Connection& c) -> Result<std::vector<acd::Agent>> {
    auto exists = detail::orgExists(c, org);
    if (!exists) return exists.error();
    if (!*exists) return detail::notFound("org");
    return detail::loadAgents(c, org);
  });
}

Result<acd::Agent> SqliteStore::createAgent(acd::OrgId org, const acd::AgentImport& agent,
                                            core::Time now) {
  return db_.write([&](Connection& c) -> Result<acd::Agent> {
    auto exists = detail::orgExists(c, org);
    if (!exists) return exists.error();
    if (!*exists) return detail::notFound("org");
    auto existing = detail::findAgentKey(c, org, agent.id);
    if (!existing) return existing.error();
    if (*existing) {
      return makeError(ErrorCode::kConflict, "agent ID " + agent.id + " already exists");
    }
    auto key = detail::insertAgent(c, org, agent, now);
    if (!key) return key.error();
    return detail::loadAgentByKey(c, org, *key);
  });
}

Result<acd::Agent> SqliteStore::updateAgent(acd::OrgId org, std::string_view agent_id,
                                            const acd::AgentPatch& patch, core::Time now) {
  return db_.write([&](Connection& c) -> Result<acd::Agent> {
    auto key = detail::findAgentKey(c, org, agent_id);
    if (!key) return key.error();
    if (!*key) return detail::notFound("agent");
    // NULL leaves a column as it is.
    auto update = c.prepare(
        "UPDATE agents SET name = coalesce(?2, name), admin = coalesce(?3, admin), "
        "enabled = coalesce(?4, enabled), updated_at = ?5 WHERE key = ?1");
    if (!update) return update.error();
    update->bindInt(1, **key).bindInt(5, core::toUnixMillis(now));
    if (patch.name) {
      update->bindText(2, *patch.name);
    } else {
      update->bindNull(2);
    }
    if (patch.admin) {
      update->bindBool(3, *patch.admin);
    } else {
      update->bindNull(3);
    }
    if (patch.enabled) {
      update->bindBool(4, *patch.enabled);
    } else {
      update->bindNull(4);
    }
    if (auto r = update->run(); !r) return r.error();
    if (patch.menus) {
      if (auto r = detail::replaceAgentMenus(c, org, **key, *patch.menus); !r) return r.error();
    }
    if (patch.enabled == false) {
      if (auto r = detail::deleteSessions(c, **key, std::nullopt); !r) return r.error();
    }
    return detail::loadAgentByKey(c, org, **key);
  });
}

// ---- trunks ----

Result<std::vector<acd::Trunk>> SqliteStore::listTrunks() {
  return db_.read([](Connection& c) -> Result<std::vector<acd::Trunk>> {
    auto stmt = c.prepare("SELECT name, address, outbound FROM trunks ORDER BY name");
    if (!stmt) return stmt.error();
    std::vector<acd::Trunk> trunks;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) return trunks;
      trunks.push_back(acd::Trunk{stmt->columnText(0), stmt->columnText(1), stmt->columnText(2)});
    }
  });
}

}  // namespace sb::store
