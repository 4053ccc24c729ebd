#include "app/demo.hpp"

#include <iomanip>

namespace sb::app {
namespace {

// The "More" screen's notices and FAQ (L1), in Korean and English like the org's agents.
acd::OrgContent demoContent(core::Time now) {
  acd::OrgContent content;
  content.org = "Demo";
  const auto notice = [&](const char* key, const char* title, const char* body, core::Duration age, bool pinned) {
    acd::Notice n;
    n.key = key;
    n.title = title;
    n.body = body;
    n.published = now - age;
    n.pinned = pinned;
    content.notices.push_back(std::move(n));
  };
  notice("welcome", "Switchboard 데모에 오신 것을 환영합니다 / Welcome to the Switchboard demo",
         "상담 전화는 0215880000으로 걸어 보세요. 1번은 주문, 2번은 고객지원입니다.\n"
         "Call 0215880000 to try it: press 1 for Orders, 2 for Support.\n\n"
         "상태를 '대기'로 바꾸면 전화를 받을 수 있습니다.\n"
         "Set your state to Ready to take calls.",
         std::chrono::hours(1), true);
  notice("callbacks", "콜백 기능 안내 / About callbacks",
         "대기 중 콜백을 요청한 고객은 [콜백] 탭에 나타납니다. 목록에서 눌러 바로 전화할 수 있습니다.\n"
         "Customers who ask to be called back while waiting appear under Callbacks; tap one to call back.",
         std::chrono::hours(24), false);
  const auto faq = [&](const char* key, const char* question, const char* answer, const char* category) {
    acd::FaqEntry e;
    e.key = key;
    e.question = question;
    e.answer = answer;
    e.category = category;
    content.faq.push_back(std::move(e));
  };
  faq("change-password", "비밀번호는 어떻게 바꾸나요? / How do I change my password?",
      "[더보기 - 비밀번호 변경]에서 기존 비밀번호와 새 비밀번호를 입력하세요.\n"
      "Open More → Change password and enter your current and new password.",
      "계정 / Account");
  faq("no-calls", "전화가 오지 않아요 / Why am I not getting calls?",
      "상태가 '대기'인지, 담당 상담 메뉴가 지정되어 있는지 확인하세요.\n"
      "Check that your state is Ready and that you serve at least one menu.",
      "상담 / Calls");
  faq("after-call", "후처리 시간이란? / What is after-call work?",
      "통화가 끝난 뒤 상담 내용을 입력하는 시간입니다. 저장하면 다음 상태로 바뀝니다.\n"
      "The time after a call to write its note; saving it moves you on to your next state.",
      "상담 / Calls");
  return content;
}

}  // namespace

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
  import.content.push_back(demoContent(clock.now()));
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
