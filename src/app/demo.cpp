#include "app/demo.hpp"

#include <iomanip>

namespace sb::app {

core::Result<bool> provisionDemo(acd::DirectoryStore& directory, const account::PasswordHasher& hasher,
                                 const core::Clock& clock, std::ostream& out) {
  auto empty = directory.isEmpty();
  if (!empty) return empty.error();
  if (!*empty) {
    out << "demo: the data directory already holds data; not provisioning again "
           "(the demo passwords were printed on the first run; reset one with "
           "`switchboard admin --data-dir DIR agent passwd Demo alice`)\n";
    return false;
  }
  acd::DirectoryImport import;
  // Customer calls come from 127.0.0.10 (e.g. `sipp -i 127.0.0.10`); phones on 127.0.0.1
  // are then agents' devices, not the trunk.
  import.trunks.push_back({"local-test", "127.0.0.10", "127.0.0.10:5070"});
  acd::OrgImport org;
  org.org.name = "Demo";
  org.org.domain = "demo.switchboard.test";
  org.org.timezone = "Asia/Seoul";
  org.org.country_code = "82";
  org.org.numbers = {"0215880000"};
  org.org.categories = {"Orders", "Delivery", "Refunds", "Other"};
  org.org.menus = {{"1", "Orders"}, {"2", "Support"}};
  org.org.after_login = acd::AfterLogin::kBreak;
  org.org.after_call = acd::AfterCall::kAfterCallWork;
  struct Person {
    const char* id;
    const char* name;
    std::vector<std::string> menus;
    bool admin;
  };
  const Person people[] = {{"alice", "Alice Kim", {"1", "2"}, true},
                           {"bob", "Bob Lee", {"1"}, false},
                           {"carol", "Carol Park", {"2"}, false}};
  std::vector<std::pair<std::string, std::string>> passwords;
  for (const auto& p : people) {
    acd::AgentImport a;
    a.id = p.id;
    a.name = p.name;
    a.menus = p.menus;
    a.admin = p.admin;
    a.enabled = true;
    std::string password = account::randomSecret(16);
    a.password_hash = hasher.hash(password);
    a.sip_secret = account::randomSecret(20);
    passwords.emplace_back(p.id, password);
    org.agents.push_back(std::move(a));
  }
  import.orgs.push_back(std::move(org));
  auto applied = directory.applyImport(import, clock.now());
  if (!applied) return applied.error();

  out << "demo: provisioned org \"Demo\" (customers dial 0215880000; menus 1 Orders, 2 Support)\n"
      << "demo: these passwords are shown only now; write them down:\n";
  for (size_t i = 0; i < passwords.size(); ++i) {
    out << "demo:   org Demo  agent " << std::left << std::setw(6) << passwords[i].first
        << " password " << passwords[i].second << (people[i].admin ? "  (admin)" : "") << "\n";
  }
  out << "demo: SIP secrets: `switchboard admin --data-dir DIR agent list Demo`\n";
  return true;
}

}  // namespace sb::app
