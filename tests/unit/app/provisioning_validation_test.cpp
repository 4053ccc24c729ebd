// Every value rule of a provisioning file, each with the line it must be reported on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/provisioning.hpp"
#include "support/temp_dir.hpp"

namespace sb::app {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

auto problemAt(int line, const std::string& text) {
  return AllOf(Field(&ProvisioningProblem::line, line),
               Field(&ProvisioningProblem::message, HasSubstr(text)));
}

// An org on lines 1–3 that is valid by itself; tests append to it.
constexpr std::string_view kOrg = R"([[orgs]]
name = "Acme"
country_code = "82"
)";

// kOrg plus menus 1 and 2 (lines 4–9); agents follow from line 10.
constexpr std::string_view kOrgWithMenus = R"([[orgs]]
name = "Acme"
country_code = "82"
[[orgs.menus]]
digit = "1"
name = "Orders"
[[orgs.menus]]
digit = "2"
name = "Refunds"
)";

class ProvisioningValidationTest : public ::testing::Test {
 protected:
  ProvisioningValidationTest() {
    zoneinfo_.write("Asia/Seoul", "TZif2 zone data");
    zoneinfo_.write("zone.tab", "# a table, not a zone\n");
    options_.zoneinfo_dir = zoneinfo_.path();
  }

  std::vector<ProvisioningProblem> problems(std::string_view text) {
    auto parsed = parseProvisioning(text, "test.toml", options_);
    if (auto* problems = std::get_if<std::vector<ProvisioningProblem>>(&parsed)) return *problems;
    return {};
  }
  std::vector<ProvisioningProblem> orgProblems(std::string_view more) {
    return problems(std::string(kOrg) + std::string(more));
  }
  std::vector<ProvisioningProblem> agentProblems(std::string_view agent) {
    return problems(std::string(kOrgWithMenus) + "[[orgs.agents]]\n" + std::string(agent));
  }

  testing::TempDir zoneinfo_;
  ProvisioningOptions options_;
};

TEST_F(ProvisioningValidationTest, TheBaseFilesAreValid) {
  EXPECT_THAT(orgProblems(""), IsEmpty());
  EXPECT_THAT(agentProblems("id = \"alice\"\nname = \"Alice\"\n"), IsEmpty());
}

TEST_F(ProvisioningValidationTest, TrunkKeysAreRequiredAndChecked) {
  EXPECT_THAT(problems("[[trunks]]\n"), ElementsAre(problemAt(1, "missing key \"name\""),
                                                    problemAt(1, "missing key \"address\""),
                                                    problemAt(1, "missing key \"outbound\"")));
  const auto trunk = [](std::string_view address, std::string_view outbound) {
    return "[[trunks]]\nname = \"t\"\naddress = \"" + std::string(address) + "\"\noutbound = \"" +
           std::string(outbound) + "\"\n";
  };
  EXPECT_THAT(problems(trunk("203.0.113.10", "203.0.113.10:5060")), IsEmpty());
  EXPECT_THAT(problems(trunk("2001:db8::1", "[2001:db8::1]:5061")), IsEmpty());
  EXPECT_THAT(problems(trunk("10.0.0.1", "sip.carrier.example:5060")), IsEmpty());
  for (const char* bad :
       {"carrier.example", "203.0.113", "203.0.113.256", "[::1]", "::1%eth0", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(problems(trunk(bad, "h.example:5060")),
                ElementsAre(problemAt(3, "address must be an IPv4 or IPv6 address")));
  }
  for (const char* bad : {"203.0.113.10", "203.0.113.10:0", "203.0.113.10:65536", "::1:5060",
                          "[::1]5060", "[zz]:5060", "bad_host:5060", ":5060", "h.example:50a"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(problems(trunk("10.0.0.1", bad)),
                ElementsAre(problemAt(4, "outbound must be host:port or [IPv6]:port")));
  }
}

TEST_F(ProvisioningValidationTest, TrunkNamesAndAddressesAreUnique) {
  EXPECT_THAT(problems(R"([[trunks]]
name = "pstn"
address = "192.0.2.1"
outbound = "192.0.2.1:5060"
[[trunks]]
name = "pstn"
address = "192.0.2.1"
outbound = "192.0.2.1:5060"
[[trunks]]
name = "PSTN"
address = "192.0.2.3"
outbound = "192.0.2.1:5060"
)"),
              ElementsAre(problemAt(6, "duplicate trunk name \"pstn\" (first on line 2)"),
                          problemAt(7, "duplicate trunk address \"192.0.2.1\" (first on line 3)")));
}

TEST_F(ProvisioningValidationTest, OrgNameIsRequiredAndANameWithoutTraps) {
  EXPECT_THAT(problems("[[orgs]]\ncountry_code = \"82\"\n"),
              ElementsAre(problemAt(1, "missing key \"name\" in [[orgs]]")));
  const auto named = [&](std::string_view name) {
    return problems("[[orgs]]\ncountry_code = \"82\"\ndomain = \"x.example\"\nname = \"" +
                    std::string(name) + "\"\n");
  };
  EXPECT_THAT(named(""), ElementsAre(problemAt(4, "name must not be empty")));
  EXPECT_THAT(named("Ac\\u0007me"), ElementsAre(problemAt(4, "name must not contain control")));
  EXPECT_THAT(named("Ac\\nme"), ElementsAre(problemAt(4, "name must not contain control")));
  EXPECT_THAT(named(" Acme"), ElementsAre(problemAt(4, "name must not begin or end with a space")));
  EXPECT_THAT(named(std::string(200, 'x')), IsEmpty());
  EXPECT_THAT(named(std::string(201, 'x')), ElementsAre(problemAt(4, "at most 200 characters")));
  std::string hangul;
  for (int i = 0; i < 200; ++i) hangul += "가";  // 600 bytes, 200 characters
  EXPECT_THAT(named(hangul), IsEmpty());
}

TEST_F(ProvisioningValidationTest, OrgNamesAreUniqueCaseSensitively) {
  EXPECT_THAT(problems(R"([[orgs]]
name = "Acme"
country_code = "82"
[[orgs]]
name = "Acme"
domain = "other.example"
country_code = "82"
[[orgs]]
name = "ACME"
domain = "third.example"
country_code = "82"
[[orgs]]
name = "Acme"
country_code = "82"
)"),
              ElementsAre(problemAt(5, "duplicate org name \"Acme\" (first on line 2)"),
                          problemAt(13, "duplicate org name \"Acme\" (first on line 2)")));
}

TEST_F(ProvisioningValidationTest, DomainsAreDnsNamesAndUnique) {
  EXPECT_THAT(orgProblems("domain = \"acme_corp.example\"\n"),
              ElementsAre(problemAt(4, "domain must be a DNS name")));
  EXPECT_THAT(orgProblems("domain = \"acme.example.\"\n"),
              ElementsAre(problemAt(4, "domain must be a DNS name")));
  EXPECT_THAT(orgProblems("domain = \"-acme.example\"\n"),
              ElementsAre(problemAt(4, "domain must be a DNS name")));
  EXPECT_THAT(orgProblems("domain = \"" + std::string(64, 'a') + ".example\"\n"),
              ElementsAre(problemAt(4, "domain must be a DNS name")));
  // The default, the name in lower case, must be a DNS name as well.
  EXPECT_THAT(problems("[[orgs]]\ncountry_code = \"82\"\nname = \"Acme Corp\"\n"),
              ElementsAre(problemAt(3,
                                    "the default domain, the name in lower case "
                                    "(\"acme corp\"), is not a DNS name: set domain")));
  EXPECT_THAT(problems(R"([[orgs]]
name = "Acme"
domain = "ACME.example"
country_code = "82"
[[orgs]]
name = "Other"
domain = "acme.EXAMPLE"
country_code = "82"
[[orgs]]
name = "acme"
country_code = "82"
[[orgs]]
name = "ACME"
country_code = "82"
)"),
              ElementsAre(problemAt(7, "duplicate domain \"acme.example\" (first on line 3)"),
                          problemAt(13,
                                    "duplicate domain (the name in lower case) \"acme\" "
                                    "(first on line 10)")));
}

TEST_F(ProvisioningValidationTest, TimezoneMustBeAZoneFile) {
  EXPECT_THAT(orgProblems("timezone = \"Asia/Seoul\"\n"), IsEmpty());
  EXPECT_THAT(orgProblems("timezone = \"UTC\"\n"), IsEmpty());  // even without the file
  for (const char* bad : {"Asia/Seol", "asia/seoul", "../../etc/passwd", "/etc/localtime",
                          "Asia/../Asia/Seoul", "Asia//Seoul", "zone.tab", "Asia", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(orgProblems("timezone = \"" + std::string(bad) + "\"\n"),
                ElementsAre(problemAt(4, "is not a zone of the IANA time zone database")));
  }
}

TEST_F(ProvisioningValidationTest, CountryCodeIsRequiredOneToThreeDigits) {
  EXPECT_THAT(problems("[[orgs]]\nname = \"Acme\"\n"),
              ElementsAre(problemAt(1, "missing key \"country_code\" in [[orgs]]")));
  for (const char* good : {"1", "82", "886"}) {
    EXPECT_THAT(
        problems("[[orgs]]\nname = \"Acme\"\ncountry_code = \"" + std::string(good) + "\"\n"),
        IsEmpty());
  }
  for (const char* bad : {"", "+82", "0", "082", "8860", "8a"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(
        problems("[[orgs]]\nname = \"Acme\"\ncountry_code = \"" + std::string(bad) + "\"\n"),
        ElementsAre(problemAt(3, "country_code must be 1 to 3 digits")));
  }
}

TEST_F(ProvisioningValidationTest, NumbersAreDigitsAndUniqueAcrossOrgs) {
  EXPECT_THAT(orgProblems("numbers = [\"0215880000\", \"+82215880000\", \"112\"]\n"), IsEmpty());
  for (const char* bad :
       {"02-1588-0000", "12", "+", "0215880000x", "++82", "021 588", "123456789012345678901"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(orgProblems("numbers = [\"" + std::string(bad) + "\"]\n"),
                ElementsAre(problemAt(4, "must be 3 to 20 digits")));
  }
  EXPECT_THAT(problems(R"([[orgs]]
name = "Acme"
country_code = "82"
numbers = ["0215880000",
           "0215880000"]
[[orgs]]
name = "Globex"
country_code = "82"
numbers = ["0215881111", "0215880000"]
)"),
              ElementsAre(problemAt(5, "duplicate number \"0215880000\" (first on line 4)"),
                          problemAt(9, "duplicate number \"0215880000\" (first on line 4)")));
}

TEST_F(ProvisioningValidationTest, PoliciesAreEnumsAndRanges) {
  EXPECT_THAT(orgProblems("after_login = \"acw\"\n"),
              ElementsAre(problemAt(4, "after_login must be \"ready\" or \"break\", not \"acw\"")));
  EXPECT_THAT(orgProblems("after_call = \"Ready\"\n"),
              ElementsAre(problemAt(4, "after_call must be \"ready\", \"break\" or \"acw\"")));
  const auto range = [&](std::string_view key, int64_t value) {
    return orgProblems(std::string(key) + " = " + std::to_string(value) + "\n");
  };
  EXPECT_THAT(range("ring_timeout_s", 5), IsEmpty());
  EXPECT_THAT(range("ring_timeout_s", 300), IsEmpty());
  EXPECT_THAT(range("ring_timeout_s", 4),
              ElementsAre(problemAt(4, "ring_timeout_s must be between 5 and 300, not 4")));
  EXPECT_THAT(range("ring_timeout_s", 301), ElementsAre(problemAt(4, "not 301")));
  EXPECT_THAT(range("ring_timeout_s", INT64_MIN), ElementsAre(problemAt(4, "between 5 and 300")));
  EXPECT_THAT(range("service_level_s", 0),
              ElementsAre(problemAt(4, "service_level_s must be between 1 and 600, not 0")));
  EXPECT_THAT(range("service_level_s", 601), ElementsAre(problemAt(4, "not 601")));
  EXPECT_THAT(range("password_max_age_days", 0), IsEmpty());
  EXPECT_THAT(range("password_max_age_days", -1),
              ElementsAre(problemAt(4, "password_max_age_days must be between 0 and 3650")));
  EXPECT_THAT(range("password_max_age_days", 3651), ElementsAre(problemAt(4, "not 3651")));
}

TEST_F(ProvisioningValidationTest, CategoriesAreNamesAndUniqueWithinTheOrg) {
  EXPECT_THAT(orgProblems("categories = [\"Orders\",\n  \"\",\n  \"Orders\", \"orders\"]\n"),
              ElementsAre(problemAt(5, "category must not be empty"),
                          problemAt(6, "duplicate category \"Orders\" (first on line 4)")));
  // Another org may use the same category names.
  EXPECT_THAT(problems(std::string(kOrg) + "categories = [\"Orders\"]\n" +
                       "[[orgs]]\nname = \"Globex\"\ncountry_code = \"1\"\n" +
                       "categories = [\"Orders\"]\n"),
              IsEmpty());
}

TEST_F(ProvisioningValidationTest, MenusHaveOneDigitAndAName) {
  const auto menu = [&](std::string_view body) {
    return orgProblems("[[orgs.menus]]\n" + std::string(body));
  };
  EXPECT_THAT(menu("digit = \"0\"\nname = \"Front desk\"\n"), IsEmpty());
  EXPECT_THAT(menu(""), ElementsAre(problemAt(4, "missing key \"digit\" in [[orgs.menus]]"),
                                    problemAt(4, "missing key \"name\" in [[orgs.menus]]")));
  for (const char* bad : {"10", "a", "", "*", "#", "١"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(menu("digit = \"" + std::string(bad) + "\"\nname = \"X\"\n"),
                ElementsAre(problemAt(5, "digit must be one digit from \"0\" to \"9\"")));
  }
  EXPECT_THAT(menu("digit = 1\nname = \"X\"\n"),
              ElementsAre(problemAt(5, "digit must be a string, not an integer")));
  EXPECT_THAT(menu("digit = \"1\"\nname = \"\"\n"), ElementsAre(problemAt(6, "name must not be")));
  EXPECT_THAT(
      problems(std::string(kOrgWithMenus) + "[[orgs.menus]]\ndigit = \"2\"\nname = \"Y\"\n"),
      ElementsAre(problemAt(11, "duplicate menu digit \"2\" (first on line 8)")));
}

TEST_F(ProvisioningValidationTest, AgentIdIsRequiredSafeAndUniqueInItsOrg) {
  EXPECT_THAT(agentProblems("name = \"A\"\n"),
              ElementsAre(problemAt(10, "missing key \"id\" in [[orgs.agents]]")));
  EXPECT_THAT(agentProblems("id = \"\"\nname = \"A\"\n"),
              ElementsAre(problemAt(11, "id must not be empty")));
  for (const char* bad : {"alice kim", "alice@acme", "al:ice", "알리스", "a/b", "a\\u0000b"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(agentProblems("id = \"" + std::string(bad) + "\"\nname = \"A\"\n"),
                ElementsAre(problemAt(11,
                                      "id may hold only letters, digits, \".\", \"_\" and "
                                      "\"-\"")));
  }
  EXPECT_THAT(agentProblems("id = \"" + std::string(64, 'a') + "\"\nname = \"A\"\n"), IsEmpty());
  EXPECT_THAT(agentProblems("id = \"" + std::string(65, 'a') + "\"\nname = \"A\"\n"),
              ElementsAre(problemAt(11, "id must be at most 64 characters")));
  EXPECT_THAT(agentProblems(R"(id = "alice"
name = "A"
[[orgs.agents]]
id = "Alice"
name = "B"
[[orgs.agents]]
id = "alice"
name = "C"
)"),
              ElementsAre(problemAt(17, "duplicate agent id \"alice\" (first on line 11)")));
  // Agent IDs are unique per org, not across orgs.
  EXPECT_THAT(problems(std::string(kOrg) + "[[orgs.agents]]\nid = \"alice\"\nname = \"A\"\n" +
                       "[[orgs]]\nname = \"Globex\"\ncountry_code = \"1\"\n" +
                       "[[orgs.agents]]\nid = \"alice\"\nname = \"A\"\n"),
              IsEmpty());
}

TEST_F(ProvisioningValidationTest, AgentNameIsRequiredAndAName) {
  EXPECT_THAT(agentProblems("id = \"alice\"\n"),
              ElementsAre(problemAt(10, "missing key \"name\" in [[orgs.agents]]")));
  EXPECT_THAT(agentProblems("id = \"alice\"\nname = \"Alice\\tKim\"\n"),
              ElementsAre(problemAt(12, "name must not contain control characters")));
  EXPECT_THAT(agentProblems("id = \"alice\"\nname = \"" + std::string(201, 'n') + "\"\n"),
              ElementsAre(problemAt(12, "name must be at most 200 characters")));
}

TEST_F(ProvisioningValidationTest, PasswordsFollowThePolicyAndAreNeverEchoed) {
  const auto password = [&](std::string_view pw) {
    return agentProblems("id = \"alice\"\nname = \"Alice\"\npassword = \"" + std::string(pw) +
                         "\"\n");
  };
  EXPECT_THAT(password("Lantern-Quietly-47"), IsEmpty());
  struct Case {
    const char* password;
    const char* sentence;
  };
  for (const Case& c : {Case{"Sh0rt!", "The password must have at least 8 characters."},
                        Case{"password123", "The password is too common; choose another."},
                        Case{"alice2026", "The password must not be the agent ID."},
                        Case{"tab\\there-is-bad", "must not contain control characters"}}) {
    SCOPED_TRACE(c.password);
    const auto got = password(c.password);
    ASSERT_THAT(got, ElementsAre(problemAt(13, c.sentence)));
    EXPECT_THAT(got[0].message, Not(HasSubstr(c.password)));
  }
}

TEST_F(ProvisioningValidationTest, PasswordHashIsAnArgon2idPhcStringAndNotBesidesAPassword) {
  const std::string good =
      "$argon2id$v=19$m=19456,t=2,p=1$LFOIlo6sy4U84Dhv4CLY3Q$"
      "ZCFThsEZj9YzgNc4OnTRRSM8w1jjQUU11347SQ4xdik";
  const auto hash = [&](std::string_view phc) {
    return agentProblems("id = \"alice\"\nname = \"Alice\"\npassword_hash = '" + std::string(phc) +
                         "'\n");
  };
  EXPECT_THAT(hash(good), IsEmpty());
  for (const std::string& bad :
       {std::string("$argon2i$v=19$m=19456,t=2,p=1$LFOIlo6sy4U84Dhv4CLY3Q$ZCFThsEZj9Yz"),
        std::string("$2b$12$abcdefghijklmnopqrstuu"), std::string("plaintext-password"),
        std::string("$argon2id$v=19$m=19456,t=2,p=1$$hash"),
        std::string("$argon2id$v=19$m=x,t=2,p=1$salt$hash"),
        std::string("$argon2id$v=19$m=19456,t=2,p=1$salt$hash$more"),
        good + std::string(60, 'A')}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(hash(bad), ElementsAre(problemAt(13, "password_hash must be an Argon2id PHC")));
  }
  EXPECT_THAT(agentProblems("id = \"alice\"\nname = \"Alice\"\npassword = \"Lantern-Quietly-47\"\n"
                            "password_hash = '" +
                            good + "'\n"),
              ElementsAre(problemAt(14, "give password or password_hash, not both")));
}

TEST_F(ProvisioningValidationTest, SipSecretIsLongPrintableAscii) {
  const auto secret = [&](std::string_view s) {
    return agentProblems("id = \"alice\"\nname = \"Alice\"\nsip_secret = \"" + std::string(s) +
                         "\"\n");
  };
  EXPECT_THAT(secret("abcdefghijk2"), IsEmpty());
  EXPECT_THAT(secret(std::string(128, 'k')), IsEmpty());
  EXPECT_THAT(secret("abcdefghij1"),
              ElementsAre(problemAt(13, "sip_secret must have at least 12 characters")));
  EXPECT_THAT(secret(std::string(129, 'k')),
              ElementsAre(problemAt(13, "sip_secret must have at most 128 characters")));
  EXPECT_THAT(secret("abcdef ghijkl"), ElementsAre(problemAt(13, "printable ASCII")));
  EXPECT_THAT(secret("비밀번호비밀번호"), ElementsAre(problemAt(13, "printable ASCII")));
  EXPECT_THAT(secret("abcdef ghijkl")[0].message, Not(HasSubstr("abcdef")));
}

TEST_F(ProvisioningValidationTest, AgentsServeOnlyMenusTheirOrgDefines) {
  EXPECT_THAT(agentProblems("id = \"alice\"\nname = \"Alice\"\nmenus = [\"1\", \"2\"]\n"),
              IsEmpty());
  EXPECT_THAT(
      agentProblems("id = \"alice\"\nname = \"Alice\"\nmenus = [\"1\",\n \"3\",\n \"1\"]\n"),
      ElementsAre(problemAt(14, "menu \"3\" is not a menu of this org (its menus: 1, 2)"),
                  problemAt(15, "menu \"1\" is listed twice")));
  EXPECT_THAT(orgProblems("[[orgs.agents]]\nid = \"a\"\nname = \"A\"\nmenus = [\"1\"]\n"),
              ElementsAre(problemAt(7,
                                    "menu \"1\" is not a menu of this org (it has no "
                                    "[[orgs.menus]])")));
  // Menus are per org: another org's digit does not count.
  EXPECT_THAT(problems(std::string(kOrgWithMenus) + "[[orgs]]\nname = \"Globex\"\n" +
                       "country_code = \"1\"\n[[orgs.agents]]\nid = \"a\"\nname = \"A\"\n" +
                       "menus = [\"1\"]\n"),
              ElementsAre(problemAt(16, "menu \"1\" is not a menu of this org")));
}

TEST_F(ProvisioningValidationTest, ProblemsOfAllKindsAreReportedTogether) {
  const auto got = problems(R"([[trunks]]
name = ""
address = "x"
outbound = "y"
[[orgs]]
name = "Acme"
country_code = "0"
ring_timeout_s = 1
[[orgs.agents]]
id = "bad id"
name = "N"
password = "password"
typo = 1
)");
  EXPECT_THAT(
      got,
      ElementsAre(problemAt(2, "name must not be empty"), problemAt(3, "address must be"),
                  problemAt(4, "outbound must be"), problemAt(7, "country_code must be"),
                  problemAt(8, "ring_timeout_s must be between"), problemAt(10, "id may hold only"),
                  problemAt(12, "too common"), problemAt(13, "unknown key \"typo\"")));
}

}  // namespace
}  // namespace sb::app
