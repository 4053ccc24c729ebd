// SqliteStore::applyImport: what `admin import` applies, as one write job (one
// savepoint), so a failure anywhere leaves the database exactly as it was. Notices and
// FAQ are written by sqlite_store_content.cpp's replaceContent, in the same job.
#include <set>
#include <string>
#include <utility>

#include "store/detail/rows.hpp"
#include "store/sqlite_store.hpp"

namespace sb::store {
namespace {

using core::ErrorCode;
using core::makeError;
using core::Result;

core::Error invalid(std::string message) {
  return makeError(ErrorCode::kInvalidInput, std::move(message));
}

bool isMenuDigit(std::string_view s) {
  return s.size() == 1 && s[0] >= '0' && s[0] <= '9';
}

// Mistakes visible in the import alone are reported before anything is written, and
// as the input's fault (kInvalidInput) rather than as a clash with stored data.
Result<void> validate(const acd::DirectoryImport& import) {
  std::set<std::string_view> trunks, orgs, domains, numbers;
  for (const acd::Trunk& trunk : import.trunks) {
    if (!trunks.insert(trunk.name).second) return invalid("trunk " + trunk.name + " appears twice");
  }
  for (const acd::OrgImport& entry : import.orgs) {
    const acd::Org& org = entry.org;
    if (!orgs.insert(org.name).second) return invalid("org " + org.name + " appears twice");
    if (!domains.insert(org.domain).second) {
      return invalid("domain " + org.domain + " is given to two orgs");
    }
    for (const std::string& number : org.numbers) {
      if (!numbers.insert(number).second) return invalid("number " + number + " appears twice");
    }
    std::set<std::string_view> categories, digits, agents;
    for (const std::string& category : org.categories) {
      if (!categories.insert(category).second) {
        return invalid("category " + category + " appears twice in org " + org.name);
      }
    }
    for (const acd::Menu& menu : org.menus) {
      if (!isMenuDigit(menu.digit)) {
        return invalid("menu digit \"" + menu.digit + "\" in org " + org.name + " is not 0-9");
      }
      if (!digits.insert(menu.digit).second) {
        return invalid("menu " + menu.digit + " appears twice in org " + org.name);
      }
    }
    for (const acd::AgentImport& agent : entry.agents) {
      if (!agents.insert(agent.id).second) {
        return invalid("agent " + agent.id + " appears twice in org " + org.name);
      }
    }
  }
  std::set<std::string_view> content_orgs;
  for (const acd::OrgContent& content : import.content) {
    if (!content_orgs.insert(content.org).second) {
      return invalid("the content of org " + content.org + " appears twice");
    }
    std::set<std::string_view> notices, faq;
    for (const acd::Notice& notice : content.notices) {
      if (notice.key.empty() || !notices.insert(notice.key).second) {
        return invalid("notice key \"" + notice.key + "\" is empty or appears twice in org " + content.org);
      }
    }
    for (const acd::FaqEntry& entry : content.faq) {
      if (entry.key.empty() || !faq.insert(entry.key).second) {
        return invalid("FAQ key \"" + entry.key + "\" is empty or appears twice in org " + content.org);
      }
    }
  }
  return core::okResult();
}

// True when created.
Result<bool> upsertTrunk(Connection& c, const acd::Trunk& trunk) {
  auto update = c.prepare("UPDATE trunks SET address = ?2, outbound = ?3 WHERE name = ?1");
  if (!update) return update.error();
  update->bindText(1, trunk.name).bindText(2, trunk.address).bindText(3, trunk.outbound);
  if (auto r = update->run(); !r) return r.error();
  if (c.changes() > 0) return false;
  auto insert = c.prepare("INSERT INTO trunks (name, address, outbound) VALUES (?1, ?2, ?3)");
  if (!insert) return insert.error();
  insert->bindText(1, trunk.name).bindText(2, trunk.address).bindText(3, trunk.outbound);
  if (auto r = insert->run(); !r) return r.error();
  return true;
}

struct UpsertedOrg {
  acd::OrgId id = 0;
  bool created = false;
};

Result<void> checkDomainFree(Connection& c, const acd::Org& org) {
  auto stmt = c.prepare("SELECT name FROM orgs WHERE domain = ?1 AND name <> ?2");
  if (!stmt) return stmt.error();
  stmt->bindText(1, org.domain).bindText(2, org.name);
  auto row = stmt->step();
  if (!row) return row.error();
  if (*row) {
    return makeError(ErrorCode::kConflict,
                     "domain " + org.domain + " already belongs to org " + stmt->columnText(0));
  }
  return core::okResult();
}

// The org's own fields and menus; its numbers and categories are emptied here and
// refilled by fillOrgLists once every org of the import has let go of its numbers.
Result<UpsertedOrg> upsertOrg(Connection& c, const acd::Org& org, core::Time now) {
  if (auto r = checkDomainFree(c, org); !r) return r.error();
  auto existing = detail::findOrgId(c, org.name);
  if (!existing) return existing.error();
  UpsertedOrg result;
  if (*existing) {
    // A new service level recounts the roll-ups' "answered within" from the records.
    auto sl = detail::serviceLevelOf(c, **existing);
    if (!sl) return sl.error();
    if (*sl != std::chrono::seconds(org.service_level_s)) {
      auto pending = c.prepare("INSERT OR REPLACE INTO stats_rollups_pending (org_id, next_from) VALUES (?1, NULL)");
      if (!pending) return pending.error();
      pending->bindInt(1, **existing);
      if (auto r = pending->run(); !r) return r.error();
    }
  }
  auto stmt = c.prepare(
      *existing
          ? "UPDATE orgs SET domain = ?2, timezone = ?3, country_code = ?4, after_login = ?5, "
            "after_call = ?6, ring_timeout_s = ?7, service_level_s = ?8, "
            "password_max_age_days = ?9, updated_at = ?10 WHERE id = ?11"
          : "INSERT INTO orgs (name, domain, timezone, country_code, after_login, after_call, "
            "ring_timeout_s, service_level_s, password_max_age_days, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)");
  if (!stmt) return stmt.error();
  if (!*existing) stmt->bindText(1, org.name);
  stmt->bindText(2, org.domain)
      .bindText(3, org.timezone)
      .bindText(4, org.country_code)
      .bindText(5, acd::toString(org.after_login))
      .bindText(6, acd::toString(org.after_call))
      .bindInt(7, org.ring_timeout_s)
      .bindInt(8, org.service_level_s)
      .bindInt(9, org.password_max_age_days)
      .bindInt(10, core::toUnixMillis(now));
  if (*existing) stmt->bindInt(11, **existing);
  if (auto r = stmt->run(); !r) return r.error();
  result.id = *existing ? **existing : c.lastInsertRowId();
  result.created = !*existing;

  for (std::string_view sql :
       {"DELETE FROM org_numbers WHERE org_id = ?1", "DELETE FROM categories WHERE org_id = ?1"}) {
    auto clear = c.prepare(sql);
    if (!clear) return clear.error();
    clear->bindInt(1, result.id);
    if (auto r = clear->run(); !r) return r.error();
  }
  for (const acd::Menu& menu : org.menus) {
    auto upsert = c.prepare(
        "INSERT INTO menus (org_id, digit, name) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (org_id, digit) DO UPDATE SET name = excluded.name");
    if (!upsert) return upsert.error();
    upsert->bindInt(1, result.id).bindText(2, menu.digit).bindText(3, menu.name);
    if (auto r = upsert->run(); !r) return r.error();
  }
  return result;
}

Result<void> fillOrgLists(Connection& c, acd::OrgId id, const acd::Org& org) {
  for (size_t i = 0; i < org.numbers.size(); ++i) {
    const std::string& number = org.numbers[i];
    auto owner = c.prepare(
        "SELECT o.name FROM org_numbers n JOIN orgs o ON o.id = n.org_id WHERE n.number = ?1");
    if (!owner) return owner.error();
    owner->bindText(1, number);
    auto row = owner->step();
    if (!row) return row.error();
    if (*row) {
      return makeError(ErrorCode::kConflict,
                       "number " + number + " already belongs to org " + owner->columnText(0));
    }
    auto insert =
        c.prepare("INSERT INTO org_numbers (number, org_id, position) VALUES (?1, ?2, ?3)");
    if (!insert) return insert.error();
    insert->bindText(1, number).bindInt(2, id).bindInt(3, static_cast<int64_t>(i));
    if (auto r = insert->run(); !r) return r.error();
  }
  for (size_t i = 0; i < org.categories.size(); ++i) {
    auto insert = c.prepare("INSERT INTO categories (org_id, position, name) VALUES (?1, ?2, ?3)");
    if (!insert) return insert.error();
    insert->bindInt(1, id).bindInt(2, static_cast<int64_t>(i)).bindText(3, org.categories[i]);
    if (auto r = insert->run(); !r) return r.error();
  }
  return core::okResult();
}

// True when created. Absent optional fields keep their stored values.
Result<bool> upsertAgent(Connection& c, acd::OrgId org, const acd::AgentImport& agent,
                         core::Time now) {
  acd::AgentKey key = 0;
  std::string stored_hash;
  {
    auto current =
        c.prepare("SELECT key, password_hash FROM agents WHERE org_id = ?1 AND agent_id = ?2");
    if (!current) return current.error();
    current->bindInt(1, org).bindText(2, agent.id);
    auto row = current->step();
    if (!row) return row.error();
    if (!*row) {
      auto created = detail::insertAgent(c, org, agent, now);
      if (!created) return created.error();
      return true;
    }
    key = current->columnInt(0);
    stored_hash = current->columnText(1);
  }
  const bool password_changed = agent.password_hash && *agent.password_hash != stored_hash;

  auto update = c.prepare(
      "UPDATE agents SET name = ?2, admin = ?3, enabled = coalesce(?4, enabled), "
      "sip_secret = coalesce(?5, sip_secret), password_hash = coalesce(?6, password_hash), "
      "password_changed_at = CASE WHEN ?7 THEN ?8 ELSE password_changed_at END, "
      "updated_at = ?8 WHERE key = ?1");
  if (!update) return update.error();
  update->bindInt(1, key).bindText(2, agent.name).bindBool(3, agent.admin);
  if (agent.enabled) {
    update->bindBool(4, *agent.enabled);
  } else {
    update->bindNull(4);
  }
  if (agent.sip_secret) {
    update->bindText(5, *agent.sip_secret);
  } else {
    update->bindNull(5);
  }
  if (agent.password_hash) {
    update->bindText(6, *agent.password_hash);
  } else {
    update->bindNull(6);
  }
  update->bindBool(7, password_changed).bindInt(8, core::toUnixMillis(now));
  if (auto r = update->run(); !r) return r.error();
  if (auto r = detail::replaceAgentMenus(c, org, key, agent.menus); !r) return r.error();
  // Same rule as updateAgent and setPassword: a disabled agent or a replaced password
  // must not keep a way in.
  if (agent.enabled == false || password_changed) {
    if (auto r = detail::deleteSessions(c, key, std::nullopt); !r) return r.error();
  }
  return false;
}

Result<acd::ImportSummary> apply(Connection& c, const acd::DirectoryImport& import,
                                 core::Time now) {
  acd::ImportSummary summary;
  for (const acd::Trunk& trunk : import.trunks) {
    auto created = upsertTrunk(c, trunk);
    if (!created) return created.error();
    ++(*created ? summary.trunks_created : summary.trunks_updated);
  }
  // Every org drops its numbers before any takes new ones, so numbers may move
  // between orgs of one import whatever their order.
  std::vector<acd::OrgId> ids;
  for (const acd::OrgImport& entry : import.orgs) {
    auto org = upsertOrg(c, entry.org, now);
    if (!org) return org.error();
    ++(org->created ? summary.orgs_created : summary.orgs_updated);
    ids.push_back(org->id);
  }
  for (size_t i = 0; i < import.orgs.size(); ++i) {
    const acd::OrgImport& entry = import.orgs[i];
    if (auto r = fillOrgLists(c, ids[i], entry.org); !r) return r.error();
    for (const acd::AgentImport& agent : entry.agents) {
      auto created = upsertAgent(c, ids[i], agent, now);
      if (!created) {
        return makeError(created.error().code, "org " + entry.org.name + ", agent " + agent.id +
                                                   ": " + created.error().message);
      }
      ++(*created ? summary.agents_created : summary.agents_updated);
    }
  }
  for (const acd::OrgContent& content : import.content) {
    auto id = detail::findOrgId(c, content.org);
    if (!id) return id.error();
    if (!*id) return invalid("notices and FAQ for org " + content.org + ", which does not exist");
    if (auto r = detail::replaceContent(c, **id, content, summary, now); !r) {
      return makeError(r.error().code, "org " + content.org + ", notices and FAQ: " + r.error().message);
    }
  }
  return summary;
}

}  // namespace

Result<acd::ImportSummary> SqliteStore::applyImport(const acd::DirectoryImport& import,
                                                    core::Time now) {
  if (auto r = validate(import); !r) return r.error();
  return db_.write([&](Connection& c) { return apply(c, import, now); });
}

}  // namespace sb::store
