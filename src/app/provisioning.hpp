#pragma once
// Provisioning from one TOML file (`switchboard admin --data-dir DIR import FILE.toml`,
// docs/provisioning.md). The whole file is validated before anything is written, so an
// admin sees every mistake at once as `FILE:LINE: reason` and a half-applied directory
// never exists; then the file is applied in one DirectoryStore::applyImport transaction.
// Importing the same file again changes nothing: passwords that already verify are left
// alone, so the agents' sessions survive a re-import.
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "account/account_store.hpp"
#include "account/password_hasher.hpp"
#include "acd/directory.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::app {

// A provisioning file describes people and numbers, not data: megabytes mean a mistake
// (or an attack on the parser), so larger files are refused before parsing.
inline constexpr size_t kMaxProvisioningBytes = size_t{4} << 20;

struct ProvisioningOptions {
  // Where IANA zone files live; tests point it at a fixture.
  std::filesystem::path zoneinfo_dir = "/usr/share/zoneinfo";
  size_t max_bytes = kMaxProvisioningBytes;
};

struct ProvisioningProblem {
  int line = 0;  // 1-based; 0 when the problem concerns the whole file
  std::string message;
  bool operator==(const ProvisioningProblem&) const = default;
};

struct ProvisionedTrunk {
  acd::Trunk trunk;
  int line = 0;
};

struct ProvisionedAgent {
  // password_hash stays empty here: prepareImport decides whether the password changes.
  acd::AgentImport agent;
  std::optional<std::string> password;       // plaintext from the file; stored only hashed
  std::optional<std::string> password_hash;  // a PHC string given in the file instead
  int line = 0;
};

struct ProvisionedOrg {
  acd::Org org;  // defaults applied; domain lower-cased
  std::vector<ProvisionedAgent> agents;
  // L1: what the org's notices and FAQ become (ids and times other than `published`
  // unset); an org without any ends up with none.
  std::vector<acd::Notice> notices;
  std::vector<acd::FaqEntry> faq;
  int line = 0;                   // the [[orgs]] table
  int domain_line = 0;            // the domain value, or the name when the domain derives from it
  std::vector<int> number_lines;  // parallel to org.numbers
};

// A valid file, ready to be checked against the database and applied.
struct Provisioning {
  std::vector<ProvisionedTrunk> trunks;
  std::vector<ProvisionedOrg> orgs;
};

// Either the parsed file or every problem in it, sorted by line (never empty).
using ProvisioningParse = std::variant<Provisioning, std::vector<ProvisioningProblem>>;

// Parses and validates untrusted text; never throws, whatever the bytes.
ProvisioningParse parseProvisioning(std::string_view text, std::string_view source_name,
                                    const ProvisioningOptions& options = {});

// Problems only the database reveals: a number owned by an org the file does not name,
// a domain used by such an org. Sorted by line; an Error when the database fails.
core::Result<std::vector<ProvisioningProblem>> checkAgainstDirectory(
    const Provisioning& provisioning, acd::DirectoryStore& directory);

// What applyImport is given, and what it is not given because it is already stored.
struct ImportPlan {
  // Only what is new or differs from the database, except the notices and FAQ: every
  // org of the file is in import.content, and the store writes only what differs.
  acd::DirectoryImport import;
  int unchanged = 0;            // trunks, orgs and agents named exactly as they are stored
  // Unchanged orgs that ride along only because some agent of theirs changed: the store
  // counts them as updated, the summary does not.
  int unchanged_orgs_carried = 0;
};

// Compares the file with the database and builds the import: hashes plaintext passwords
// unless the stored hash already verifies them, keeps identical hashes out, gives new
// agents without a sip_secret a generated one, and leaves out whatever is unchanged, so
// a re-import writes nothing. Slow by design: Argon2id for each agent with a password.
core::Result<ImportPlan> prepareImport(const Provisioning& provisioning,
                                       acd::DirectoryStore& directory,
                                       account::AccountStore& accounts,
                                       const account::PasswordHasher& hasher);

// "FILE:LINE: reason" ("FILE: reason" for line 0).
std::string formatProblem(std::string_view source_name, const ProvisioningProblem& problem);
// "imported: 1 org created, 0 updated; 3 agents created, 0 updated; 1 trunk created,
// 0 updated; 2 unchanged", then, when the import wrote any notice or FAQ entry,
// "; 2 notices created, 0 updated, 1 removed; 3 FAQ entries created, 0 updated, 0 removed"
std::string formatSummary(const acd::ImportSummary& summary, int unchanged = 0);

// The whole command. Returns 0 after printing the summary on `out`; 2 when the file is
// invalid (every problem on `err`, nothing written); 1 on a runtime failure (unreadable
// file, database error: one line on `err`).
int importProvisioningFile(const std::filesystem::path& file, acd::DirectoryStore& directory,
                           account::AccountStore& accounts, const account::PasswordHasher& hasher,
                           const core::Clock& clock, std::ostream& out, std::ostream& err,
                           const ProvisioningOptions& options = {});

}  // namespace sb::app
