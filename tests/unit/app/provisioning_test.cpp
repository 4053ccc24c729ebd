// parseProvisioning: valid files, defaults, the shipped example, the shape of the file
// (syntax, unknown keys, types) and hostile input. Value rules: provisioning_validation_test.
#include "app/provisioning.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "support/source_dir.hpp"
#include "support/temp_dir.hpp"

namespace sb::app {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::filesystem::path repo() { return sb::testing::sourcePath(""); }

std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

auto problemAt(int line, const std::string& text) {
  return AllOf(Field(&ProvisioningProblem::line, line),
               Field(&ProvisioningProblem::message, HasSubstr(text)));
}

class ProvisioningParseTest : public ::testing::Test {
 protected:
  ProvisioningParseTest() {
    for (const char* zone : {"Asia/Seoul", "Europe/Berlin", "America/New_York"}) {
      zoneinfo_.write(zone, std::string("TZif2") + std::string(40, '\0'));
    }
    zoneinfo_.write("zone.tab", "# a table, not a zone\n");
    options_.zoneinfo_dir = zoneinfo_.path();
  }

  Provisioning parseOk(std::string_view text) {
    auto parsed = parseProvisioning(text, "test.toml", options_);
    if (auto* problems = std::get_if<std::vector<ProvisioningProblem>>(&parsed)) {
      for (const auto& p : *problems) ADD_FAILURE() << formatProblem("test.toml", p);
      return {};
    }
    return std::get<Provisioning>(std::move(parsed));
  }

  std::vector<ProvisioningProblem> problems(std::string_view text) {
    auto parsed = parseProvisioning(text, "test.toml", options_);
    if (auto* problems = std::get_if<std::vector<ProvisioningProblem>>(&parsed)) return *problems;
    ADD_FAILURE() << "expected problems";
    return {};
  }

  testing::TempDir zoneinfo_;
  ProvisioningOptions options_;
};

TEST_F(ProvisioningParseTest, TheShippedExampleIsValid) {
  const Provisioning p = parseOk(readText(repo() / "examples/provisioning.toml"));
  ASSERT_EQ(p.trunks.size(), 2u);
  EXPECT_EQ(p.trunks[1].trunk.outbound, "[2001:db8::10]:5060");
  ASSERT_EQ(p.orgs.size(), 2u);
  const ProvisionedOrg& acme = p.orgs[0];
  EXPECT_EQ(acme.org.name, "Acme");
  EXPECT_EQ(acme.org.timezone, "Asia/Seoul");
  EXPECT_EQ(acme.org.password_max_age_days, 90);
  ASSERT_EQ(acme.org.menus.size(), 2u);
  ASSERT_EQ(acme.agents.size(), 3u);
  EXPECT_EQ(acme.agents[1].agent.name, "김민준");
  EXPECT_TRUE(acme.agents[1].password_hash.has_value());
  EXPECT_EQ(acme.agents[2].agent.enabled, std::optional<bool>(false));
  ASSERT_EQ(acme.notices.size(), 1u);
  EXPECT_TRUE(acme.notices[0].pinned);
  EXPECT_EQ(core::toRfc3339(acme.notices[0].published), "2026-11-20T00:00:00.000Z");
  ASSERT_EQ(acme.faq.size(), 1u);
  EXPECT_EQ(acme.faq[0].category, "Account");
  const ProvisionedOrg& globex = p.orgs[1];
  EXPECT_EQ(globex.org.domain, "globex");
  EXPECT_EQ(globex.org.timezone, "UTC");
}

TEST_F(ProvisioningParseTest, TheTestDataFilesAreValid) {
  for (const char* name : {"minimal.toml", "full.toml"}) {
    SCOPED_TRACE(name);
    parseOk(readText(repo() / "tests/data/provisioning" / name));
  }
}

TEST_F(ProvisioningParseTest, AByteOrderMarkIsAllowed) {
  const Provisioning p = parseOk("\xEF\xBB\xBF[[orgs]]\nname = \"Acme\"\ncountry_code = \"82\"\n");
  EXPECT_EQ(p.orgs.size(), 1u);
}

TEST_F(ProvisioningParseTest, AnEmptyFileChangesNothing) {
  const Provisioning p = parseOk("# nothing yet\n");
  EXPECT_THAT(p.trunks, IsEmpty());
  EXPECT_THAT(p.orgs, IsEmpty());
}

TEST_F(ProvisioningParseTest, OptionalKeysTakeTheirDefaults) {
  const Provisioning p = parseOk(R"([[orgs]]
name = "Acme"
country_code = "82"
[[orgs.agents]]
id = "alice"
name = "Alice"
)");
  ASSERT_EQ(p.orgs.size(), 1u);
  const acd::Org& org = p.orgs[0].org;
  EXPECT_EQ(org.domain, "acme");  // the name in lower case
  EXPECT_EQ(p.orgs[0].domain_line, 2);
  EXPECT_EQ(org.timezone, "UTC");
  EXPECT_EQ(org.after_login, acd::AfterLogin::kBreak);
  EXPECT_EQ(org.after_call, acd::AfterCall::kAfterCallWork);
  EXPECT_EQ(org.ring_timeout_s, 15);
  EXPECT_EQ(org.service_level_s, 20);
  EXPECT_EQ(org.password_max_age_days, 0);
  EXPECT_THAT(org.numbers, IsEmpty());
  EXPECT_THAT(org.categories, IsEmpty());
  EXPECT_THAT(org.menus, IsEmpty());
  ASSERT_EQ(p.orgs[0].agents.size(), 1u);
  const ProvisionedAgent& agent = p.orgs[0].agents[0];
  EXPECT_EQ(agent.line, 4);
  EXPECT_FALSE(agent.agent.admin);
  EXPECT_FALSE(agent.agent.enabled.has_value());  // an existing agent keeps its state
  EXPECT_FALSE(agent.agent.sip_secret.has_value());
  EXPECT_FALSE(agent.agent.password_hash.has_value());
  EXPECT_FALSE(agent.password.has_value());
  EXPECT_FALSE(agent.password_hash.has_value());
  EXPECT_THAT(agent.agent.menus, IsEmpty());
}

TEST_F(ProvisioningParseTest, KeepsEveryValueAndTheLinesLaterChecksNeed) {
  const Provisioning p = parseOk(R"([[trunks]]
name = "pstn"
address = "203.0.113.10"
outbound = "carrier.example:5080"

[[orgs]]
name = "Acme Corp"
domain = "Acme.Example"
timezone = "Europe/Berlin"
country_code = "49"
numbers = ["0301234567",
           "+49301234568"]
after_login = "ready"
after_call = "break"
ring_timeout_s = 300
service_level_s = 1
password_max_age_days = 3650
categories = ["Orders", "Other"]
  [[orgs.menus]]
  digit = "0"
  name = "Front desk"
  [[orgs.agents]]
  id = "a.b_c-D9"
  name = "Zoë 🙂"
  password = "Lantern-Quietly-47"
  sip_secret = "abcdefghijkl"
  menus = ["0"]
  admin = true
  enabled = false
)");
  ASSERT_EQ(p.trunks.size(), 1u);
  EXPECT_EQ(p.trunks[0].line, 1);
  EXPECT_EQ(p.trunks[0].trunk, (acd::Trunk{"pstn", "203.0.113.10", "carrier.example:5080"}));
  ASSERT_EQ(p.orgs.size(), 1u);
  const ProvisionedOrg& org = p.orgs[0];
  EXPECT_EQ(org.line, 6);
  EXPECT_EQ(org.org.name, "Acme Corp");
  EXPECT_EQ(org.org.domain, "acme.example");  // domains compare without case
  EXPECT_EQ(org.domain_line, 8);
  EXPECT_EQ(org.org.timezone, "Europe/Berlin");
  EXPECT_EQ(org.org.country_code, "49");
  EXPECT_THAT(org.org.numbers, ElementsAre("0301234567", "+49301234568"));
  EXPECT_THAT(org.number_lines, ElementsAre(11, 12));
  EXPECT_EQ(org.org.after_login, acd::AfterLogin::kReady);
  EXPECT_EQ(org.org.after_call, acd::AfterCall::kBreak);
  EXPECT_EQ(org.org.ring_timeout_s, 300);
  EXPECT_EQ(org.org.service_level_s, 1);
  EXPECT_EQ(org.org.password_max_age_days, 3650);
  EXPECT_THAT(org.org.categories, ElementsAre("Orders", "Other"));
  EXPECT_THAT(org.org.menus, ElementsAre(acd::Menu{"0", "Front desk"}));
  ASSERT_EQ(org.agents.size(), 1u);
  const ProvisionedAgent& agent = org.agents[0];
  EXPECT_EQ(agent.line, 22);
  EXPECT_EQ(agent.agent.id, "a.b_c-D9");
  EXPECT_EQ(agent.agent.name, "Zoë 🙂");
  EXPECT_EQ(agent.password, std::optional<std::string>("Lantern-Quietly-47"));
  EXPECT_FALSE(agent.agent.password_hash.has_value());  // decided at import time
  EXPECT_EQ(agent.agent.sip_secret, std::optional<std::string>("abcdefghijkl"));
  EXPECT_THAT(agent.agent.menus, ElementsAre("0"));
  EXPECT_TRUE(agent.agent.admin);
  EXPECT_EQ(agent.agent.enabled, std::optional<bool>(false));
}

TEST_F(ProvisioningParseTest, InlineTablesAreAcceptedLikeHeaders) {
  const Provisioning p =
      parseOk(R"(trunks = [{name = "t", address = "::1", outbound = "[::1]:5060"}]
orgs = [{name = "Acme", country_code = "82", menus = [{digit = "1", name = "Sales"}]}]
)");
  EXPECT_EQ(p.trunks.size(), 1u);
  ASSERT_EQ(p.orgs.size(), 1u);
  EXPECT_EQ(p.orgs[0].org.menus.size(), 1u);
}

TEST_F(ProvisioningParseTest, ReportsTomlSyntaxErrorsWithTheirLine) {
  EXPECT_THAT(problems("[[orgs]]\nname = \"Acme\ncountry_code = \"82\"\n"),
              ElementsAre(problemAt(2, "invalid TOML")));
  EXPECT_THAT(problems("[[orgs]]\nname = \"a\"\nname = \"b\"\n"),
              ElementsAre(problemAt(3, "invalid TOML")));
  EXPECT_THAT(problems("[[orgs]]\n[orgs]\n"), ElementsAre(problemAt(2, "invalid TOML")));
}

TEST_F(ProvisioningParseTest, ReportsUnknownKeysAtEveryLevel) {
  EXPECT_THAT(problems(R"(version = 2
[[trunks]]
name = "pstn"
address = "203.0.113.10"
outbound = "203.0.113.10:5060"
port = 5060
[[orgs]]
name = "Acme"
country_code = "82"
ring_timeout = 20
[orgs.settings]
x = 1
[[orgs.menus]]
digit = "1"
name = "Sales"
queue = "sales"
[[orgs.agents]]
id = "alice"
name = "Alice"
pasword = "Lantern-Quietly-47"
)"),
              ElementsAre(problemAt(1, "unknown key \"version\" at the top level"),
                          problemAt(6, "unknown key \"port\" in [[trunks]]"),
                          problemAt(10,
                                    "unknown key \"ring_timeout\" in [[orgs]] (did you "
                                    "mean \"ring_timeout_s\"?)"),
                          problemAt(11, "unknown key \"settings\" in [[orgs]]"),
                          problemAt(16, "unknown key \"queue\" in [[orgs.menus]]"),
                          problemAt(20,
                                    "unknown key \"pasword\" in [[orgs.agents]] (did you "
                                    "mean \"password\"?)")));
}

TEST_F(ProvisioningParseTest, ReportsWrongTypes) {
  EXPECT_THAT(problems(R"([trunks]
[[orgs]]
name = 7
country_code = 82
numbers = "0215880000"
categories = ["Orders", 2]
ring_timeout_s = 15.0
service_level_s = "20"
after_call = true
[orgs.menus]
[[orgs.agents]]
id = "alice"
name = "Alice"
admin = "yes"
enabled = 1
menus = 1
password = ["x"]
)"),
              ElementsAre(problemAt(1,
                                    "trunks must be an array of tables, written [[trunks]], "
                                    "not a table"),
                          problemAt(3, "name must be a string, not an integer"),
                          problemAt(4, "country_code must be a string, not an integer"),
                          problemAt(5, "numbers must be an array of strings, not a string"),
                          problemAt(6, "each element of categories must be a string"),
                          problemAt(7, "ring_timeout_s must be an integer, not a floating-point"),
                          problemAt(8, "service_level_s must be an integer, not a string"),
                          problemAt(9, "after_call must be a string, not a boolean"),
                          problemAt(10,
                                    "menus must be an array of tables, written "
                                    "[[orgs.menus]]"),
                          problemAt(14, "admin must be true or false, not a string"),
                          problemAt(15, "enabled must be true or false, not an integer"),
                          problemAt(16, "menus must be an array of strings, not an integer"),
                          problemAt(17, "password must be a string, not an array")));
}

TEST_F(ProvisioningParseTest, ArraysOfTablesMustHoldTables) {
  EXPECT_THAT(problems("orgs = [1, \"x\"]\n"),
              ElementsAre(problemAt(1, "each element of orgs must be a table, not an integer"),
                          problemAt(1, "each element of orgs must be a table, not a string")));
}

TEST_F(ProvisioningParseTest, ReportsEveryProblemOfAFileSortedByLine) {
  const auto path = repo() / "tests/data/provisioning/many_problems.toml";
  std::vector<std::string> got;
  for (const auto& p : problems(readText(path))) got.push_back(formatProblem("f.toml", p));
  EXPECT_THAT(
      got, ElementsAre(
               "f.toml:4: address must be an IPv4 or IPv6 address, not \"pstn.example\"",
               "f.toml:5: outbound must be host:port or [IPv6]:port, not \"203.0.113.10\"",
               "f.toml:7: missing key \"address\" in [[trunks]]",
               "f.toml:7: missing key \"outbound\" in [[trunks]]",
               "f.toml:8: duplicate trunk name \"pstn\" (first on line 3)",
               "f.toml:10: missing key \"country_code\" in [[orgs]]",
               "f.toml:13: timezone \"Asia/Seol\" is not a zone of the IANA time zone database",
               "f.toml:14: number \"02-1588-0000\" must be 3 to 20 digits with an optional leading "
               "\"+\"",
               "f.toml:15: unknown key \"ring_timeout\" in [[orgs]] (did you mean "
               "\"ring_timeout_s\"?)",
               "f.toml:16: after_call must be \"ready\", \"break\" or \"acw\", not \"wrapup\"",
               "f.toml:21: duplicate menu digit \"1\" (first on line 18)",
               "f.toml:24: digit must be one digit from \"0\" to \"9\", not \"10\"",
               "f.toml:29: The password must have at least 8 characters.",
               "f.toml:30: menu \"3\" is not a menu of this org (its menus: 1)",
               "f.toml:32: duplicate agent id \"alice\" (first on line 27)",
               "f.toml:35: give password or password_hash, not both"));
}

TEST_F(ProvisioningParseTest, RefusesAFileLargerThanTheLimit) {
  options_.max_bytes = 100;
  EXPECT_THAT(problems(std::string(101, '#')), ElementsAre(problemAt(0, "larger than 100")));
  parseOk(std::string(100, '#'));  // exactly the limit is fine
}

TEST_F(ProvisioningParseTest, DeepNestingIsAProblemNotACrash) {
  std::string dotted;
  for (int i = 0; i < 200000; ++i) dotted += "a.";
  EXPECT_THAT(problems("x = 1\n" + dotted + "a = 1\n"), ElementsAre(problemAt(2, "too deeply")));
  EXPECT_THAT(problems("[" + dotted + "a]\n"), ElementsAre(problemAt(1, "too deeply")));
  const std::string arrays = "x = " + std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THAT(problems(arrays), ElementsAre(problemAt(1, "invalid TOML")));
  // Dots inside strings and comments are not key depth.
  const std::string many_dots(500, '.');
  EXPECT_THAT(
      problems("# " + many_dots + "\nx = \"" + many_dots + "\"\ny = '''\n" + many_dots + "\n'''\n"),
      ElementsAre(problemAt(2, "unknown key \"x\""), problemAt(3, "unknown key \"y\"")));
}

TEST_F(ProvisioningParseTest, HostileBytesAreProblemsNotCrashes) {
  EXPECT_THAT(problems(std::string("name = \"a\0b\"", 12)), ElementsAre(problemAt(1, "TOML")));
  EXPECT_THAT(problems("name = \"\xff\xfe\"\n"), ElementsAre(problemAt(1, "TOML")));
  EXPECT_THAT(problems("[[orgs]]\nname = \"Acme\"\n상담 = 1\n"),
              ElementsAre(problemAt(3, "non-ASCII character outside a string")));
  const auto escaped = problems("\"\\u001b[31mred\" = 1\n");
  ASSERT_EQ(escaped.size(), 1u);
  EXPECT_EQ(escaped[0].message.find('\x1b'), std::string::npos) << escaped[0].message;
  EXPECT_THAT(escaped[0].message, HasSubstr("\\x1b[31mred"));
}

TEST(ProvisioningFormat, ProblemsAndSummary) {
  EXPECT_EQ(formatProblem("a.toml", {12, "bad"}), "a.toml:12: bad");
  EXPECT_EQ(formatProblem("a.toml", {0, "too big"}), "a.toml: too big");
  EXPECT_EQ(formatSummary({1, 0, 3, 2, 0, 1}),
            "imported: 1 org created, 0 updated; 3 agents created, 2 updated; "
            "0 trunks created, 1 updated; 0 unchanged");
  EXPECT_THAT(formatSummary({}, 7), HasSubstr("0 orgs created, 0 updated; 0 agents created, 0 "
                                              "updated; 0 trunks created, 0 updated; 7 unchanged"));
}

}  // namespace
}  // namespace sb::app
