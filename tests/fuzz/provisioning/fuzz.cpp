// Fuzzes parseProvisioning: any bytes must give a Provisioning or problems, never a
// crash, a hang or an exception, and a parsed file must satisfy what the importer
// relies on (every trunk, org, menu and agent named; agents' menus among the org's;
// notice and FAQ keys present and unique in their org).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>

#include "app/provisioning.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

void checkInvariants(const sb::app::Provisioning& p) {
  for (const auto& trunk : p.trunks) require(!trunk.trunk.name.empty() && trunk.line > 0);
  for (const auto& org : p.orgs) {
    require(!org.org.name.empty() && !org.org.domain.empty() && org.line > 0);
    require(org.number_lines.size() == org.org.numbers.size());
    std::set<std::string> digits;
    for (const auto& menu : org.org.menus) require(digits.insert(menu.digit).second);
    std::set<std::string> ids;
    for (const auto& agent : org.agents) {
      require(ids.insert(agent.agent.id).second && !agent.agent.id.empty());
      require(!(agent.password && agent.password_hash));
      for (const auto& digit : agent.agent.menus) require(digits.contains(digit));
    }
    std::set<std::string> notice_keys, faq_keys;
    for (const auto& notice : org.notices) require(!notice.key.empty() && notice_keys.insert(notice.key).second);
    for (const auto& entry : org.faq) require(!entry.key.empty() && faq_keys.insert(entry.key).second);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = sb::app::parseProvisioning(text, "fuzz.toml");
  if (const auto* p = std::get_if<sb::app::Provisioning>(&parsed)) {
    checkInvariants(*p);
  } else {
    const auto& problems = std::get<std::vector<sb::app::ProvisioningProblem>>(parsed);
    require(!problems.empty());
    for (size_t i = 1; i < problems.size(); ++i) require(problems[i - 1].line <= problems[i].line);
  }
  return 0;
}
