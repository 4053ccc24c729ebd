// The dial plan, table-driven: normalization, then classification for a Korean (82),
// a US (1), a UK (44) and an Italian (39) org, with numeric and alphabetic agent IDs.
#include "acd/dial_plan.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace sb::acd {
namespace {

using namespace std::string_literals;

Org orgIn(std::string cc) {
  Org org;
  org.name = "acme";
  org.country_code = std::move(cc);
  org.numbers = {"0215881234"};
  return org;
}

const std::set<std::string, std::less<>> kAgents{"1001", "bob", "Bob.K", "10-01"};

AgentIdLookup lookup() {
  return [](std::string_view id) { return kAgents.contains(id); };
}

std::string describe(const DialTarget& t) {
  if (const auto* e = std::get_if<ExtensionDial>(&t)) return "extension " + e->agent_id;
  if (const auto* d = std::get_if<DomesticDial>(&t))
    return "domestic " + d->national + " " + d->e164;
  if (const auto* r = std::get_if<RefusedDial>(&t))
    return std::string("refused ") + toString(r->reason);
  return "invalid " + std::get<InvalidDial>(t).message;
}

// ---- normalizeNumber ----

struct NormalizeCase {
  std::string typed;
  std::string expected;  // empty: kInvalidInput
};

TEST(NormalizeNumber, Table) {
  const std::vector<NormalizeCase> cases{
      {"01012345678", "01012345678"},
      {"010-1234-5678", "01012345678"},
      {" 010 1234 5678 ", "01012345678"},
      {"(02) 123.4567", "021234567"},
      {"02/123/4567", "021234567"},
      {"+82 10-1234-5678", "+821012345678"},
      {"(+82) 10 1234 5678", "+821012345678"},
      {"\t+1 (212) 555-0100", "+12125550100"},
      {"\u202A+82 10\u20111234\u20135678\u202C", "+821012345678"},  // iOS bidi marks, dashes
      {"010\u00A01234\u202F5678", "01012345678"},                   // no-break spaces
      {"\uFEFF02\u2212123\u22124567", "021234567"},                 // BOM, minus sign
      {"\uFF10\uFF11\uFF10\uFF0D1234\uFF0D5678", "01012345678"},    // fullwidth digits and '-'
      {"\uFF0B82 10 1234 5678", "+821012345678"},                   // fullwidth '+'
      {"12345678901234567890", "12345678901234567890"},             // 20 digits: the limit
      // invalid
      {"", ""},
      {"   ", ""},
      {"+", ""},
      {"+ - ()", ""},
      {"++82", ""},
      {"82+10", ""},
      {"010+1234", ""},
      {"123456789012345678901", ""},  // 21 digits
      {"+" + std::string(21, '1'), ""},
      {std::string(300, ' ') + "112", ""},  // past the byte limit
      {"abc", ""},
      {"010-CALL-NOW", ""},
      {"*67 010 1234 5678", ""},
      {"010#", ""},
      {"010\0001234"s, ""},  // embedded NUL ("\000", then 1234)
      {"010\n1234", ""},
      {"010\x7f", ""},
      {"010_1234", ""},
      {"010,1234", ""},
      {"010;phone-context=+82", ""},
      {"\xED\x95\x9C", ""},      // "한"
      {"caf\xC3\xA9", ""},       // é
      {"010\xC3", ""},           // truncated UTF-8
      {"\xC0\xB0", ""},          // overlong '0'
      {"\xED\xA0\x80", ""},      // surrogate
      {"\xF4\x90\x80\x80", ""},  // past U+10FFFF
      {"\xFF", ""},
      {"\xEF\xBC\x91\xEF\xBC", ""},  // fullwidth '1' then a truncated one
  };
  for (const auto& c : cases) {
    const auto got = normalizeNumber(c.typed);
    if (c.expected.empty()) {
      ASSERT_FALSE(got.ok()) << "'" << c.typed << "' gave " << *got;
      EXPECT_EQ(got.error().code, core::ErrorCode::kInvalidInput);
      EXPECT_FALSE(got.error().message.empty());
    } else {
      ASSERT_TRUE(got.ok()) << "'" << c.typed << "': " << got.error().message;
      EXPECT_EQ(*got, c.expected) << c.typed;
    }
  }
}

TEST(NormalizeNumber, MessagesSayWhatIsWrong) {
  EXPECT_EQ(normalizeNumber("").error().message, "Enter a number to call.");
  EXPECT_EQ(normalizeNumber("+").error().message, "The number has no digits.");
  EXPECT_EQ(normalizeNumber("010-abc").error().message, "A phone number cannot contain letters.");
  EXPECT_EQ(normalizeNumber("++82").error().message, "'+' may only start the number, once.");
  EXPECT_EQ(normalizeNumber("*67").error().message, "Codes with '*' or '#' cannot be dialled.");
  EXPECT_EQ(normalizeNumber(std::string(21, '1')).error().message,
            "The number is too long (more than 20 digits).");
  EXPECT_EQ(normalizeNumber("1\0"s).error().message, "The number contains a control character.");
}

TEST(NormalizeNumber, IsIdempotent) {
  for (const char* typed : {"+82 10-1234-5678", "(02) 123.4567", "\u202A+1 212 555 0100\u202C"}) {
    const auto once = normalizeNumber(typed);
    ASSERT_TRUE(once.ok());
    const auto twice = normalizeNumber(*once);
    ASSERT_TRUE(twice.ok());
    EXPECT_EQ(*twice, *once);
  }
}

// ---- classifyDial ----

struct ClassifyCase {
  std::string cc;
  std::string typed;
  std::string expected;  // describe(); for invalid only the "invalid" prefix is compared
};

TEST(ClassifyDial, Table) {
  const std::vector<ClassifyCase> cases{
      // Korea: national numbers, spaces and dashes, +82 to national.
      {"82", "010-1234-5678", "domestic 01012345678 +821012345678"},
      {"82", "02 123 4567", "domestic 021234567 +8221234567"},
      {"82", "031-123-4567", "domestic 0311234567 +82311234567"},
      {"82", "+82 10-1234-5678", "domestic 01012345678 +821012345678"},
      {"82", "+82 (0)10-1234-5678", "domestic 01012345678 +821012345678"},
      {"82", "+82 010 1234 5678", "domestic 01012345678 +821012345678"},
      {"82", "+82 2 123 4567", "domestic 021234567 +8221234567"},
      {"82", "0215881234", "domestic 0215881234 +82215881234"},  // the org's own number
      {"82", "080-123-4567", "domestic 0801234567 +82801234567"},
      // 011: legacy mobile in Korea, not international.
      {"82", "011-123-4567", "domestic 0111234567 +82111234567"},
      // Korea: short codes, service and local numbers (no E.164 form).
      {"82", "112", "domestic 112 "},
      {"82", "119", "domestic 119 "},
      {"82", "114", "domestic 114 "},
      {"82", "1330", "domestic 1330 "},
      {"82", "1588-1234", "domestic 15881234 "},
      {"82", "1544 5678", "domestic 15445678 "},
      {"82", "123-4567", "domestic 1234567 "},
      // Korea: international refused (E3).
      {"82", "00 1 212 555 0100", "refused international"},
      {"82", "001-1-212-555-0100", "refused international"},
      {"82", "002 81 3 1234 5678", "refused international"},
      {"82", "005 44 20 7946 0000", "refused international"},
      {"82", "006 1 212 555 0100", "refused international"},
      {"82", "008 1 212 555 0100", "refused international"},
      {"82", "00700-1-212-555-0100", "refused international"},
      {"82", "00365 86 10 1234 5678", "refused international"},
      {"82", "+1 212 555 0100", "refused international"},
      {"82", "+44 20 7946 0000", "refused international"},
      {"82", "+8 1 3 1234 5678", "refused international"},
      {"82", "\u202A+81 3-1234-5678\u202C", "refused international"},
      // Korea: invalid.
      {"82", "+82", "invalid"},
      {"82", "+820", "invalid"},
      {"82", "+82 00 1 212 555 0100", "invalid"},
      {"82", "+82 1234 5678 9012 3456", "invalid"},  // > 15 digits in E.164
      {"82", "0", "invalid"},
      {"82", "02", "invalid"},
      {"82", "12", "invalid"},
      {"82", "212 555 0100", "invalid"},  // 10 digits without the trunk prefix
      // US (NANP).
      {"1", "212-555-0100", "domestic 2125550100 +12125550100"},
      {"1", "(212) 555-0100", "domestic 2125550100 +12125550100"},
      {"1", "1 212 555 0100", "domestic 2125550100 +12125550100"},
      {"1", "+1 212 555 0100", "domestic 2125550100 +12125550100"},
      {"1", "+1 (800) 555-0199", "domestic 8005550199 +18005550199"},
      {"1", "911", "domestic 911 "},
      {"1", "411", "domestic 411 "},
      {"1", "988", "domestic 988 "},
      {"1", "011 82 10 1234 5678", "refused international"},
      {"1", "011-44-20-7946-0000", "refused international"},
      {"1", "00 44 20 7946 0000", "refused international"},
      {"1", "+82 10 1234 5678", "refused international"},
      {"1", "+44 20 7946 0000", "refused international"},
      {"1", "555-0100", "invalid"},      // 7-digit local dialing
      {"1", "112 555 0100", "invalid"},  // area code starting with 1
      {"1", "212 155 0100", "invalid"},  // exchange starting with 1
      {"1", "+1 212 555 010", "invalid"},
      {"1", "2 212 555 0100", "invalid"},  // 11 digits not starting with 1
      {"1", "0", "invalid"},
      {"1", "111", "invalid"},
      // UK: the default rules (trunk 0, access 00).
      {"44", "020 7946 0000", "domestic 02079460000 +442079460000"},
      {"44", "+44 (0)20 7946 0000", "domestic 02079460000 +442079460000"},
      {"44", "+44 7700 900123", "domestic 07700900123 +447700900123"},
      {"44", "999", "domestic 999 "},
      {"44", "118 500", "domestic 118500 "},
      {"44", "7946 0000", "domestic 79460000 "},
      {"44", "00 82 10 1234 5678", "refused international"},
      {"44", "+82 10 1234 5678", "refused international"},
      {"44", "0113 496 0000", "domestic 01134960000 +441134960000"},  // 011 is Leeds here
      // Italy: no trunk prefix, the leading 0 belongs to the number.
      {"39", "06 1234 5678", "domestic 0612345678 +390612345678"},
      {"39", "+39 06 1234 5678", "domestic 0612345678 +390612345678"},
      {"39", "+39 333 123 4567", "domestic 3331234567 +393331234567"},
      {"39", "112", "domestic 112 "},
      {"39", "0044 20 7946 0000", "refused international"},
      // Japan: 010 is international there (and mobile in Korea).
      {"81", "010 1 212 555 0100", "refused international"},
      {"81", "03-1234-5678", "domestic 0312345678 +81312345678"},
      // Agent IDs win over numbers; numeric and alphabetic, case-sensitive, exact.
      {"82", "1001", "extension 1001"},
      {"82", " 1001 ", "extension 1001"},
      {"82", "bob", "extension bob"},
      {"82", "Bob.K", "extension Bob.K"},
      {"82", "10-01", "extension 10-01"},  // would normalize to 1001, but is an ID as typed
      {"1", "1001", "extension 1001"},
      {"82", "1002", "domestic 1002 "},  // no such agent: a 4-digit service number
      {"82", "Bob", "invalid"},          // case-sensitive
      {"82", "bob.k", "invalid"},
      {"82", "abc", "invalid"},
      {"82", "10 01", "domestic 1001 "},  // not an agent ID as typed
      // Invalid inputs.
      {"82", "", "invalid"},
      {"82", "+", "invalid"},
      {"82", "++82 10 1234 5678", "invalid"},
      {"82", std::string(30, '1'), "invalid"},
      {"82", "010\00012345678"s, "invalid"},          // embedded NUL
      {"82", "\xED\x95\x9C\xEA\xB8\x80", "invalid"},  // "한글"
      {"82", "#31#010", "invalid"},
  };
  for (const auto& c : cases) {
    const auto got = describe(classifyDial(orgIn(c.cc), c.typed, lookup()));
    if (c.expected == "invalid") {
      EXPECT_EQ(got.substr(0, 8), "invalid ")
          << "cc " << c.cc << " '" << c.typed << "' gave " << got;
    } else {
      EXPECT_EQ(got, c.expected) << "cc " << c.cc << " '" << c.typed << "'";
    }
  }
}

TEST(ClassifyDial, MessagesForTheAgent) {
  const auto refused = classifyDial(orgIn("82"), "+1 212 555 0100", lookup());
  ASSERT_TRUE(std::holds_alternative<RefusedDial>(refused));
  EXPECT_EQ(std::get<RefusedDial>(refused).message,
            "International calls are not allowed: only numbers in +82 can be dialled.");

  const auto no_agent = classifyDial(orgIn("82"), "alice", lookup());
  ASSERT_TRUE(std::holds_alternative<InvalidDial>(no_agent));
  EXPECT_EQ(std::get<InvalidDial>(no_agent).message,
            "No agent \"alice\" in this organization, and it is not a phone number.");

  // Input that cannot be an agent ID is never echoed back.
  const auto control = classifyDial(orgIn("82"), "al\x01ice", lookup());
  ASSERT_TRUE(std::holds_alternative<InvalidDial>(control));
  EXPECT_EQ(std::get<InvalidDial>(control).message.find("al"), std::string::npos);

  const auto local = classifyDial(orgIn("82"), "212 555 0100", lookup());
  ASSERT_TRUE(std::holds_alternative<InvalidDial>(local));
  EXPECT_EQ(std::get<InvalidDial>(local).message,
            "Dial the number with its leading 0 and area code, or with +82.");
}

TEST(ClassifyDial, LookupSeesOnlyAgentIdShapes) {
  std::vector<std::string> asked;
  const AgentIdLookup spy = [&](std::string_view id) {
    asked.emplace_back(id);
    return false;
  };
  (void)classifyDial(orgIn("82"), " Bob.K_2 ", spy);
  (void)classifyDial(orgIn("82"), "+82 10 1234 5678", spy);
  (void)classifyDial(orgIn("82"), "a\0b"s, spy);
  (void)classifyDial(orgIn("82"), std::string(65, 'a'), spy);
  (void)classifyDial(orgIn("82"), "", spy);
  EXPECT_EQ(asked, std::vector<std::string>{"Bob.K_2"});
}

TEST(ClassifyDial, WithoutALookupThereAreNoExtensions) {
  EXPECT_EQ(describe(classifyDial(orgIn("82"), "1001", AgentIdLookup{})), "domestic 1001 ");
  EXPECT_EQ(describe(classifyDial(orgIn("82"), "bob", nullptr)).substr(0, 8), "invalid ");
}

TEST(ClassifyDial, AnOrgWithoutAValidCountryCodeCallsOnlyAgents) {
  for (const char* cc : {"", "0", "082", "1234", "+82", "8a"}) {
    const auto number = classifyDial(orgIn(cc), "010 1234 5678", lookup());
    ASSERT_TRUE(std::holds_alternative<RefusedDial>(number)) << cc;
    EXPECT_EQ(std::get<RefusedDial>(number).reason, DialRefusal::kNoCountryCode);
    EXPECT_EQ(describe(classifyDial(orgIn(cc), "bob", lookup())), "extension bob") << cc;
    EXPECT_EQ(describe(classifyDial(orgIn(cc), "", lookup())).substr(0, 8), "invalid ") << cc;
  }
}

TEST(ClassifyDial, ReasonNames) {
  EXPECT_STREQ(toString(DialRefusal::kInternational), "international");
  EXPECT_STREQ(toString(DialRefusal::kNoCountryCode), "no-country-code");
}

}  // namespace
}  // namespace sb::acd
