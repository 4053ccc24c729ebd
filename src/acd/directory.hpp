#pragma once
// The directory of the contact center: orgs (the customer companies), their menus,
// numbers, after-call categories and agents, and the trunks calls come from. Plain
// values; DirectoryStore (below) keeps them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "acd/content.hpp"
#include "acd/ids.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::acd {

// C2: the state an agent enters after login and after a call, set by the org admin.
enum class AfterLogin { kReady, kBreak };
enum class AfterCall { kReady, kBreak, kAfterCallWork };

const char* toString(AfterLogin s);  // "ready" | "break"
const char* toString(AfterCall s);   // "ready" | "break" | "acw"
std::optional<AfterLogin> parseAfterLogin(std::string_view s);
std::optional<AfterCall> parseAfterCall(std::string_view s);

struct Menu {
  std::string digit;  // "0".."9": the key the caller presses
  std::string name;
  bool operator==(const Menu&) const = default;
};

struct Org {
  OrgId id = 0;
  std::string name;          // login org name, case-sensitive, unique
  std::string domain;        // SIP domain of its agents' devices, unique
  std::string timezone;      // IANA zone, e.g. "Asia/Seoul"
  std::string country_code;  // E.164 country code without '+', e.g. "82"
  std::vector<std::string> numbers;     // numbers customers dial, unique across orgs
  std::vector<std::string> categories;  // after-call categories, in display order
  std::vector<Menu> menus;              // by digit
  AfterLogin after_login = AfterLogin::kBreak;
  AfterCall after_call = AfterCall::kAfterCallWork;
  int ring_timeout_s = 15;
  int service_level_s = 20;
  int password_max_age_days = 0;  // 0 = never expires (B5)
};

struct Agent {
  AgentKey key = 0;
  OrgId org = 0;
  std::string id;    // the agent ID people type, case-sensitive, unique in its org
  std::string name;  // any Unicode
  std::vector<std::string> menus;  // digits of the menus this agent serves
  bool admin = false;
  bool enabled = true;
  std::string sip_secret;  // digest secret of the agent's SIP devices, never the login password
  core::Time created_at{};
};

struct Trunk {
  std::string name;      // unique
  std::string address;   // source IP of customer calls
  std::string outbound;  // host:port where outbound calls go
  bool operator==(const Trunk&) const = default;
};

// What `admin import` applies: create or update by natural key (trunk name, org name,
// menu digit within the org, agent ID within the org). Agents, menus and trunks that
// are not named are left alone; an org's numbers and categories are replaced.
struct AgentImport {
  std::string id;
  std::string name;
  std::vector<std::string> menus;
  bool admin = false;
  std::optional<bool> enabled;                // absent: created enabled, otherwise unchanged
  std::optional<std::string> password_hash;   // absent: unchanged (a new agent has none)
  std::optional<std::string> sip_secret;      // absent: unchanged (the importer generates one for a new agent)
};

struct OrgImport {
  Org org;  // id ignored; menus are upserted by digit
  std::vector<AgentImport> agents;
};

struct DirectoryImport {
  std::vector<Trunk> trunks;
  std::vector<OrgImport> orgs;
  // L1: the notices and FAQ of these orgs (by name: stored already or created by this
  // import) become exactly these: matched by key, created or updated, and the org's
  // others removed. Orgs not listed here keep theirs.
  std::vector<OrgContent> content;
};

struct ImportSummary {
  int orgs_created = 0, orgs_updated = 0;
  int agents_created = 0, agents_updated = 0;
  int trunks_created = 0, trunks_updated = 0;
  int notices_created = 0, notices_updated = 0, notices_removed = 0;
  int faq_created = 0, faq_updated = 0, faq_removed = 0;
};

// Fields an admin may change on an agent (PATCH); absent fields are left as they are.
struct AgentPatch {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> menus;
  std::optional<bool> admin;
  std::optional<bool> enabled;
};

// Storage of the directory. Implementations: store::SqliteStore. Errors: kNotFound for
// a missing org/agent (scoped: another org's agent is not found), kConflict for a
// duplicate natural key, kInvalidInput for a menu digit the org does not have, kStorage
// when the database fails. Writes are durable when they return.
class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;

  virtual core::Result<Org> findOrg(std::string_view name) = 0;  // exact, case-sensitive
  virtual core::Result<Org> findOrgById(OrgId id) = 0;
  virtual core::Result<std::vector<Org>> listOrgs() = 0;
  virtual core::Result<std::optional<OrgId>> findOrgByNumber(std::string_view number) = 0;

  virtual core::Result<Agent> findAgent(OrgId org, std::string_view agent_id) = 0;
  virtual core::Result<Agent> findAgentByKey(OrgId org, AgentKey key) = 0;
  virtual core::Result<std::vector<Agent>> listAgents(OrgId org) = 0;  // ordered by agent ID

  // Creates an agent; `password_hash` may be empty (cannot log in until reset).
  virtual core::Result<Agent> createAgent(OrgId org, const AgentImport& agent,
                                          core::Time now) = 0;
  // Applies a patch; disabling an agent also deletes its sessions in the same transaction.
  virtual core::Result<Agent> updateAgent(OrgId org, std::string_view agent_id,
                                          const AgentPatch& patch, core::Time now) = 0;

  virtual core::Result<std::vector<Trunk>> listTrunks() = 0;

  // The whole import in one transaction: all of it or nothing.
  virtual core::Result<ImportSummary> applyImport(const DirectoryImport& import,
                                                  core::Time now) = 0;
  // True when no org exists yet (--demo provisions only then).
  virtual core::Result<bool> isEmpty() = 0;
};

}  // namespace sb::acd
