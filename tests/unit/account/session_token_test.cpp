#include "account/session_token.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sb::account {
namespace {

TEST(SessionToken, RoundTripsAndIsUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    NewToken t = newSessionToken();
    EXPECT_EQ(t.token.rfind("sbs_", 0), 0u);
    EXPECT_EQ(t.token.size(), 4u + 43u);  // 256 bits in base64url
    auto h = hashSessionToken(t.token);
    ASSERT_TRUE(h);
    EXPECT_EQ(*h, t.hash);
    EXPECT_TRUE(seen.insert(t.token).second);
  }
}

TEST(SessionToken, RejectsForeignShapes) {
  NewToken t = newSessionToken();
  EXPECT_FALSE(hashSessionToken(""));
  EXPECT_FALSE(hashSessionToken(t.token.substr(1)));
  EXPECT_FALSE(hashSessionToken("xxx_" + t.token.substr(4)));
  std::string bad = t.token;
  bad[10] = '*';
  EXPECT_FALSE(hashSessionToken(bad));
  EXPECT_FALSE(hashSessionToken(t.token + "A"));
}

TEST(SessionToken, HashIsNotTheToken) {
  NewToken t = newSessionToken();
  EXPECT_EQ(toHex(t.hash).size(), 64u);
  EXPECT_EQ(t.token.find(toHex(t.hash)), std::string::npos);
}

}  // namespace
}  // namespace sb::account
