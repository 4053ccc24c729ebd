// The value predicates behind provisioning validation, one rule at a time.
#include "app/provisioning_rules.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace sb::app {
namespace {

TEST(ProvisioningRules, Names) {
  EXPECT_FALSE(checkName("Alice Kim"));
  EXPECT_FALSE(checkName("상담 센터"));
  EXPECT_EQ(checkName(""), "must not be empty");
  EXPECT_EQ(checkName("a\x1b[2J"), "must not contain control characters");
  EXPECT_EQ(checkName("a\xC2\x85"), "must not contain control characters");  // NEL
  EXPECT_EQ(checkName("\xff"), "must be valid UTF-8 text");
  EXPECT_EQ(checkName("Alice "), "must not begin or end with a space");
  EXPECT_EQ(checkName("abc", 2), "must be at most 2 characters");
}

TEST(ProvisioningRules, AgentIds) {
  EXPECT_TRUE(isAgentId("alice"));
  EXPECT_TRUE(isAgentId("Jane.Doe_2-x"));
  EXPECT_FALSE(isAgentId("jane doe"));
  EXPECT_FALSE(isAgentId("jane@acme"));
  EXPECT_FALSE(isAgentId("jane;tag=1"));
  EXPECT_FALSE(isAgentId("제인"));
}

TEST(ProvisioningRules, DnsNames) {
  EXPECT_TRUE(isDnsName("acme"));
  EXPECT_TRUE(isDnsName("acme.example"));
  EXPECT_TRUE(isDnsName("a-1.b-2.example"));
  EXPECT_TRUE(isDnsName(std::string(63, 'a') + ".example"));
  EXPECT_FALSE(isDnsName(std::string(64, 'a') + ".example"));
  std::string long_name;
  while (long_name.size() < 250) long_name += "abcdefghi.";
  EXPECT_FALSE(isDnsName(long_name + "example"));
  for (const char* bad : {"", ".", "acme.", ".acme", "ac..me", "-acme", "acme-", "ac_me", "ac me",
                          "acme.example/x", "ácme"}) {
    EXPECT_FALSE(isDnsName(bad)) << bad;
  }
}

TEST(ProvisioningRules, IpLiteralsAndHostPorts) {
  EXPECT_TRUE(isIpLiteral("203.0.113.10"));
  EXPECT_TRUE(isIpLiteral("2001:db8::1"));
  EXPECT_TRUE(isIpLiteral("::ffff:192.0.2.1"));
  for (const char* bad : {"", "203.0.113", "256.0.0.1", "[::1]", "host.example", "1.2.3.4 ",
                          "::1%lo", "0x7f.0.0.1"}) {
    EXPECT_FALSE(isIpLiteral(bad)) << bad;
  }
  EXPECT_FALSE(isIpLiteral(std::string(100, '1')));
  for (const char* good :
       {"203.0.113.10:5060", "[2001:db8::1]:5061", "sip.example:1", "carrier:65535"}) {
    EXPECT_TRUE(isHostPort(good)) << good;
  }
  for (const char* bad :
       {"203.0.113.10", "203.0.113.10:", "203.0.113.10:0", "h.example:65536", "h.example:099999",
        "h.example:05060", "2001:db8::1:5060", "[2001:db8::1]",
        "[2001:db8::1]:", "[h.example]:5060", "[::1:5060", ":5060", "h_x:5060"}) {
    EXPECT_FALSE(isHostPort(bad)) << bad;
  }
}

TEST(ProvisioningRules, NumbersCountryCodesDigits) {
  EXPECT_TRUE(isDialNumber("112"));
  EXPECT_TRUE(isDialNumber("+82215880000"));
  EXPECT_TRUE(isDialNumber(std::string(20, '9')));
  EXPECT_FALSE(isDialNumber(std::string(21, '9')));
  for (const char* bad : {"", "+", "12", "+12", "02-1588", "0215 8800", "*123", "12+3"}) {
    EXPECT_FALSE(isDialNumber(bad)) << bad;
  }
  EXPECT_TRUE(isCountryCode("1"));
  EXPECT_TRUE(isCountryCode("886"));
  for (const char* bad : {"", "0", "01", "+1", "1234", "8 2"})
    EXPECT_FALSE(isCountryCode(bad)) << bad;
  for (char d = '0'; d <= '9'; ++d) EXPECT_TRUE(isMenuDigit(std::string(1, d)));
  for (const char* bad : {"", "10", "a", "*", "#", " 1"}) EXPECT_FALSE(isMenuDigit(bad)) << bad;
}

TEST(ProvisioningRules, Argon2idPhcStrings) {
  EXPECT_TRUE(isArgon2idPhc("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"));
  EXPECT_FALSE(isArgon2idPhc("$argon2id$v=18$m=19456,t=2,p=1$c2FsdA$aGFzaA"));
  EXPECT_FALSE(isArgon2idPhc("$argon2id$v=19$m=19456,t=2$c2FsdA$aGFzaA"));
  EXPECT_FALSE(isArgon2idPhc("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA=$aGFzaA"));
  EXPECT_FALSE(isArgon2idPhc("$argon2id$v=19$m=,t=2,p=1$c2FsdA$aGFzaA"));
  EXPECT_FALSE(isArgon2idPhc("$argon2id$v=19$m=12345678901,t=2,p=1$c2FsdA$aGFzaA"));
  EXPECT_FALSE(isArgon2idPhc("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$"));
  EXPECT_FALSE(isArgon2idPhc(""));
}

TEST(ProvisioningRules, SipSecrets) {
  EXPECT_TRUE(isSipSecret("abcdefghijk2"));
  EXPECT_TRUE(isSipSecret("!#$%&()*+,-./:;<=>?@[]^_`{|}~"));
  EXPECT_FALSE(isSipSecret("abcdefghijk"));
  EXPECT_FALSE(isSipSecret("abcdef ghijkl"));
  EXPECT_FALSE(isSipSecret("abcdefghijk\x7f"));
  EXPECT_FALSE(isSipSecret(std::string(129, 'a')));
}

TEST(ProvisioningRules, TimezonesAreLookedUpSafely) {
  testing::TempDir dir;
  dir.write("Asia/Seoul", "TZif2...");
  dir.write("Etc/GMT+9", "TZif2...");
  dir.write("zone.tab", "# table");
  dir.write("empty", "");
  EXPECT_TRUE(timezoneExists("Asia/Seoul", dir.path()));
  EXPECT_TRUE(timezoneExists("Etc/GMT+9", dir.path()));
  EXPECT_TRUE(timezoneExists("UTC", dir.path() / "missing"));
  EXPECT_FALSE(timezoneExists("Asia/Tokyo", dir.path()));
  EXPECT_FALSE(timezoneExists("Asia", dir.path()));  // a directory
  EXPECT_FALSE(timezoneExists("zone.tab", dir.path()));
  EXPECT_FALSE(timezoneExists("empty", dir.path()));
  for (const char* unsafe : {"../zone.tab", "Asia/../Asia/Seoul", "./Asia/Seoul", "/Asia/Seoul",
                             "Asia//Seoul", "Asia/Seoul/", "Asia\\Seoul", "Asia/Se oul"}) {
    EXPECT_FALSE(isTimezoneName(unsafe)) << unsafe;
    EXPECT_FALSE(timezoneExists(unsafe, dir.path())) << unsafe;
  }
}

TEST(ProvisioningRules, ValuesInMessagesCannotDriveATerminal) {
  EXPECT_EQ(quoteValue("Acme"), "\"Acme\"");
  EXPECT_EQ(quoteValue("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(quoteValue("\x1b[2J"), "\"\\x1b[2J\"");
  EXPECT_EQ(quoteValue("x\xE2\x80\xAEy"), "\"x\\xe2\\x80\\xaey\"");  // right-to-left override
  EXPECT_EQ(quoteValue("\xff"), "\"\\xff\"");
  EXPECT_EQ(quoteValue("상담"), "\"상담\"");
  EXPECT_EQ(quoteValue(std::string(100, 'x')), "\"" + std::string(60, 'x') + "…\"");
}

TEST(ProvisioningRules, EditDistanceFindsTypos) {
  EXPECT_EQ(editDistance("ring_timeout", "ring_timeout_s"), 2u);
  EXPECT_EQ(editDistance("pasword", "password"), 1u);
  EXPECT_EQ(editDistance("", "abc"), 3u);
  EXPECT_EQ(editDistance("kitten", "sitting"), 3u);
}

}  // namespace
}  // namespace sb::app
