#include "account/password_policy.hpp"

#include <gtest/gtest.h>

namespace sb::account {
namespace {

TEST(PasswordPolicy, LengthCountsCharactersNotBytes) {
  EXPECT_TRUE(checkNewPassword("Ab3$xyz", "alice"));               // 7
  EXPECT_FALSE(checkNewPassword("Ab3$xyzQ", "alice"));             // 8
  EXPECT_FALSE(checkNewPassword("가나다라마바사아", "alice"));      // 8 Hangul = 24 bytes: ok
  EXPECT_TRUE(checkNewPassword("가나다라마바사", "alice"));          // 7
  EXPECT_TRUE(checkNewPassword(std::string(128, 'q'), "alice"));  // a trivial run, however long
  std::string long_ok;
  for (int i = 0; i < 128; ++i) long_ok += static_cast<char>('a' + (i * 7) % 26);
  EXPECT_FALSE(checkNewPassword(long_ok, "alice"));
  EXPECT_TRUE(checkNewPassword(long_ok + "x", "alice"));
}

TEST(PasswordPolicy, RefusesAgentIdCommonAndTrivial) {
  EXPECT_TRUE(checkNewPassword("alice2026", "alice"));
  EXPECT_TRUE(checkNewPassword("ALICE123", "alice"));
  EXPECT_TRUE(checkNewPassword("bob12345", "bob"));
  EXPECT_TRUE(checkNewPassword("bob-bob-bob!", "bob"));
  EXPECT_FALSE(checkNewPassword("bob-likes-tea", "bob"));
  EXPECT_TRUE(checkNewPassword("password", "bob"));
  EXPECT_TRUE(checkNewPassword("Password123!", "bob"));
  EXPECT_TRUE(checkNewPassword("qwertyuiop", "bob"));
  EXPECT_TRUE(checkNewPassword("12345678", "bob"));
  EXPECT_TRUE(checkNewPassword("87654321", "bob"));
  EXPECT_TRUE(checkNewPassword("zzzzzzzz", "bob"));
  EXPECT_FALSE(checkNewPassword("correct horse battery", "bob"));
}

TEST(PasswordPolicy, RefusesControlCharactersAndBadUtf8) {
  EXPECT_TRUE(checkNewPassword("abc\ndefghij", "bob"));
  EXPECT_TRUE(checkNewPassword("abcdefgh\xFF", "bob"));
}

TEST(PasswordPolicy, MessagesNeverEchoThePassword) {
  auto m = checkNewPassword("Password123!", "bob");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->find("Password123"), std::string::npos);
}

}  // namespace
}  // namespace sb::account
