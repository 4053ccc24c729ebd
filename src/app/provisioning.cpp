// The database half of `admin import`: checks a parsed file against what is stored,
// prepares credentials, applies everything in one transaction and reports.
#include "app/provisioning.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <exception>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <system_error>

#include "app/provisioning_rules.hpp"

namespace sb::app {
namespace {

constexpr size_t kGeneratedSipSecretLength = 20;

std::string count(int n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

// Reads at most max_bytes + 1 bytes: enough for the parser to refuse an oversized file
// without holding all of it.
core::Result<std::string> readFile(const std::filesystem::path& file, size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    return core::makeError(core::ErrorCode::kInvalidInput, "is a directory");
  }
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return core::makeError(core::ErrorCode::kNotFound,
                           std::generic_category().message(errno ? errno : ENOENT));
  }
  std::string text;
  std::array<char, 64 * 1024> chunk;
  while (text.size() <= max_bytes && in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    text.append(chunk.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return core::makeError(core::ErrorCode::kStorage, "read error");
  if (text.size() > max_bytes + 1) text.resize(max_bytes + 1);
  return text;
}

void sortByLine(std::vector<ProvisioningProblem>& problems) {
  std::stable_sort(problems.begin(), problems.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
}

struct StoredOrg {
  acd::Org org;
  std::map<std::string, acd::Agent, std::less<>> agents;  // by agent ID
};

// nullopt when the org does not exist yet.
core::Result<std::optional<StoredOrg>> findStoredOrg(acd::DirectoryStore& directory,
                                                     std::string_view name) {
  auto org = directory.findOrg(name);
  if (!org) {
    if (org.error().code == core::ErrorCode::kNotFound) return std::optional<StoredOrg>();
    return org.error();
  }
  auto agents = directory.listAgents(org->id);
  if (!agents) return agents.error();
  StoredOrg stored{std::move(*org), {}};
  for (acd::Agent& agent : *agents) stored.agents.emplace(agent.id, std::move(agent));
  return std::optional<StoredOrg>(std::move(stored));
}

// Menus are upserted by digit and the store keeps menus the file does not name, so only
// a named menu that is missing or renamed is a change.
bool orgDiffers(const acd::Org& file, const acd::Org& stored) {
  const bool menus_differ = std::any_of(file.menus.begin(), file.menus.end(), [&](const auto& m) {
    return std::find(stored.menus.begin(), stored.menus.end(), m) == stored.menus.end();
  });
  return menus_differ || file.domain != stored.domain || file.timezone != stored.timezone ||
         file.country_code != stored.country_code || file.numbers != stored.numbers ||
         file.categories != stored.categories || file.after_login != stored.after_login ||
         file.after_call != stored.after_call || file.ring_timeout_s != stored.ring_timeout_s ||
         file.service_level_s != stored.service_level_s ||
         file.password_max_age_days != stored.password_max_age_days;
}

bool agentDiffers(const acd::AgentImport& file, const acd::Agent& stored) {
  std::vector<std::string> menus = file.menus;
  std::vector<std::string> stored_menus = stored.menus;
  std::sort(menus.begin(), menus.end());
  std::sort(stored_menus.begin(), stored_menus.end());
  return file.name != stored.name || menus != stored_menus || file.admin != stored.admin ||
         (file.enabled && *file.enabled != stored.enabled) ||
         (file.sip_secret && *file.sip_secret != stored.sip_secret) ||
         file.password_hash.has_value();
}

// The agent as applyImport should get it, or nullopt when it is stored exactly so.
core::Result<std::optional<acd::AgentImport>> planAgent(const ProvisionedAgent& agent,
                                                        const acd::Agent* current,
                                                        account::AccountStore& accounts,
                                                        const account::PasswordHasher& hasher) {
  acd::AgentImport out = agent.agent;
  if (current == nullptr) {
    if (agent.password) out.password_hash = hasher.hash(*agent.password);
    if (agent.password_hash) out.password_hash = agent.password_hash;
    if (!out.sip_secret) out.sip_secret = account::randomSecret(kGeneratedSipSecretLength);
    return std::optional<acd::AgentImport>(std::move(out));
  }
  if (agent.password || agent.password_hash) {
    auto credentials = accounts.findCredentials(current->key);
    if (!credentials) return credentials.error();
    const std::string& stored = credentials->password_hash;
    // Re-hashing an unchanged password would end the agent's sessions for nothing.
    if (agent.password && (stored.empty() || !hasher.verify(stored, *agent.password))) {
      out.password_hash = hasher.hash(*agent.password);
    } else if (agent.password_hash && *agent.password_hash != stored) {
      out.password_hash = agent.password_hash;
    }
  }
  if (!agentDiffers(out, *current)) return std::optional<acd::AgentImport>();
  return std::optional<acd::AgentImport>(std::move(out));
}

// Only when the import wrote notices or FAQ entries: most imports are about people.
std::string formatContentSummary(const acd::ImportSummary& s) {
  if (s.notices_created + s.notices_updated + s.notices_removed + s.faq_created + s.faq_updated +
          s.faq_removed ==
      0) {
    return "";
  }
  return "; " + count(s.notices_created, "notice", "notices") + " created, " +
         std::to_string(s.notices_updated) + " updated, " + std::to_string(s.notices_removed) +
         " removed; " + count(s.faq_created, "FAQ entry", "FAQ entries") + " created, " +
         std::to_string(s.faq_updated) + " updated, " + std::to_string(s.faq_removed) + " removed";
}

}  // namespace

core::Result<std::vector<ProvisioningProblem>> checkAgainstDirectory(
    const Provisioning& provisioning, acd::DirectoryStore& directory) {
  std::set<std::string> named;
  for (const ProvisionedOrg& org : provisioning.orgs) named.insert(org.org.name);

  auto existing = directory.listOrgs();
  if (!existing) return existing.error();
  // Orgs in the file are rewritten by the same transaction, so only the others can clash.
  std::map<std::string, std::string> other_domains;
  std::map<acd::OrgId, std::string> other_names;
  for (const acd::Org& org : *existing) {
    if (named.contains(org.name)) continue;
    other_domains.emplace(asciiLower(org.domain), org.name);
    other_names.emplace(org.id, org.name);
  }

  std::vector<ProvisioningProblem> problems;
  for (const ProvisionedOrg& org : provisioning.orgs) {
    if (auto it = other_domains.find(org.org.domain); it != other_domains.end()) {
      problems.push_back({org.domain_line, "domain " + quoteValue(org.org.domain) +
                                               " belongs to org " + quoteValue(it->second) +
                                               ", which this file does not name"});
    }
    for (size_t i = 0; i < org.org.numbers.size(); ++i) {
      auto owner = directory.findOrgByNumber(org.org.numbers[i]);
      if (!owner) return owner.error();
      if (!owner->has_value()) continue;
      if (auto it = other_names.find(**owner); it != other_names.end()) {
        problems.push_back({org.number_lines[i], "number " + quoteValue(org.org.numbers[i]) +
                                                     " belongs to org " + quoteValue(it->second) +
                                                     ", which this file does not name"});
      }
    }
  }
  sortByLine(problems);
  return problems;
}

core::Result<ImportPlan> prepareImport(const Provisioning& provisioning,
                                       acd::DirectoryStore& directory,
                                       account::AccountStore& accounts,
                                       const account::PasswordHasher& hasher) {
  ImportPlan plan;
  auto stored_trunks = directory.listTrunks();
  if (!stored_trunks) return stored_trunks.error();
  for (const ProvisionedTrunk& trunk : provisioning.trunks) {
    const bool same = std::find(stored_trunks->begin(), stored_trunks->end(), trunk.trunk) !=
                      stored_trunks->end();
    if (same) {
      ++plan.unchanged;
    } else {
      plan.import.trunks.push_back(trunk.trunk);
    }
  }
  for (const ProvisionedOrg& org : provisioning.orgs) {
    auto stored = findStoredOrg(directory, org.org.name);
    if (!stored) return stored.error();
    acd::OrgImport entry;
    entry.org = org.org;
    for (const ProvisionedAgent& agent : org.agents) {
      const acd::Agent* current = nullptr;
      if (*stored) {
        auto it = (*stored)->agents.find(agent.agent.id);
        if (it != (*stored)->agents.end()) current = &it->second;
      }
      auto planned = planAgent(agent, current, accounts, hasher);
      if (!planned) return planned.error();
      if (*planned) {
        entry.agents.push_back(std::move(**planned));
      } else {
        ++plan.unchanged;
      }
    }
    // The store compares notices and FAQ itself, in the import's transaction.
    plan.import.content.push_back({org.org.name, org.notices, org.faq});
    const bool org_changed = !*stored || orgDiffers(org.org, (*stored)->org);
    if (!org_changed) ++plan.unchanged;
    if (org_changed || !entry.agents.empty()) {
      if (!org_changed) ++plan.unchanged_orgs_carried;
      plan.import.orgs.push_back(std::move(entry));
    }
  }
  return plan;
}

std::string formatProblem(std::string_view source_name, const ProvisioningProblem& problem) {
  std::string out(source_name);
  if (problem.line > 0) out += ":" + std::to_string(problem.line);
  return out + ": " + problem.message;
}

std::string formatSummary(const acd::ImportSummary& s, int unchanged) {
  return "imported: " + count(s.orgs_created, "org", "orgs") + " created, " +
         std::to_string(s.orgs_updated) + " updated; " +
         count(s.agents_created, "agent", "agents") + " created, " +
         std::to_string(s.agents_updated) + " updated; " +
         count(s.trunks_created, "trunk", "trunks") + " created, " +
         std::to_string(s.trunks_updated) + " updated; " + std::to_string(unchanged) + " unchanged" +
         formatContentSummary(s);
}

int importProvisioningFile(const std::filesystem::path& file, acd::DirectoryStore& directory,
                           account::AccountStore& accounts, const account::PasswordHasher& hasher,
                           const core::Clock& clock, std::ostream& out, std::ostream& err,
                           const ProvisioningOptions& options) {
  const std::string source = file.string();
  const auto fail = [&](std::string_view what, const core::Error& error) {
    err << source << ": " << what << ": " << printable(error.message, 300) << "\n";
    return 1;
  };
  const auto invalid = [&](const std::vector<ProvisioningProblem>& problems) {
    for (const auto& problem : problems) err << formatProblem(source, problem) << "\n";
    return 2;
  };
  try {
    auto text = readFile(file, options.max_bytes);
    if (!text) return fail("cannot read the file", text.error());

    auto parsed = parseProvisioning(*text, source, options);
    if (auto* problems = std::get_if<std::vector<ProvisioningProblem>>(&parsed)) {
      return invalid(*problems);
    }
    const Provisioning& provisioning = std::get<Provisioning>(parsed);

    auto clashes = checkAgainstDirectory(provisioning, directory);
    if (!clashes) return fail("cannot read the database", clashes.error());
    if (!clashes->empty()) return invalid(*clashes);

    auto plan = prepareImport(provisioning, directory, accounts, hasher);
    if (!plan) return fail("cannot read the database", plan.error());

    acd::ImportSummary summary;
    if (!plan->import.trunks.empty() || !plan->import.orgs.empty() || !plan->import.content.empty()) {
      auto applied = directory.applyImport(plan->import, clock.now());
      if (!applied) return fail("import failed, nothing was changed", applied.error());
      summary = *applied;
      summary.orgs_updated = std::max(0, summary.orgs_updated - plan->unchanged_orgs_carried);
    }
    out << formatSummary(summary, plan->unchanged) << "\n";
    return 0;
  } catch (const std::exception& e) {  // bad_alloc from hashing or parsing a huge file
    err << source << ": import failed, nothing was changed: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace sb::app
