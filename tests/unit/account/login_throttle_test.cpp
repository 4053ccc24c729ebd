#include "account/login_throttle.hpp"

#include <gtest/gtest.h>

namespace sb::account {
namespace {

using std::chrono::seconds;

class LoginThrottleTest : public ::testing::Test {
 protected:
  core::ManualClock clock_;
};

TEST_F(LoginThrottleTest, FreeFailuresThenDoublingDelays) {
  LoginThrottle t(clock_);
  for (int i = 0; i < 4; ++i) {  // three are free; the fourth starts the delays
    EXPECT_FALSE(t.check("acme/alice", "10.0.0.1"));
    t.recordFailure("acme/alice", "10.0.0.1");
  }
  EXPECT_EQ(t.check("acme/alice", "10.0.0.1"), seconds{1});
  clock_.advance(seconds{1});
  EXPECT_FALSE(t.check("acme/alice", "10.0.0.1"));
  t.recordFailure("acme/alice", "10.0.0.1");
  EXPECT_EQ(t.check("acme/alice", "10.0.0.1"), seconds{2});
  clock_.advance(seconds{2});
  t.recordFailure("acme/alice", "10.0.0.1");
  EXPECT_EQ(t.check("acme/alice", "10.0.0.1"), seconds{4});
}

TEST_F(LoginThrottleTest, DelayIsCappedNeverPermanent) {
  LoginThrottle t(clock_);
  for (int i = 0; i < 40; ++i) {
    clock_.advance(seconds{1000});
    t.recordFailure("acme/alice", "10.0.0.1");
  }
  auto wait = t.check("acme/alice", "10.0.0.1");
  ASSERT_TRUE(wait);
  EXPECT_LE(*wait, seconds{15 * 60});
  clock_.advance(*wait);
  EXPECT_FALSE(t.check("acme/alice", "10.0.0.1"));
}

TEST_F(LoginThrottleTest, SuccessClearsThePairAndForgettingResets) {
  LoginThrottle t(clock_);
  for (int i = 0; i < 4; ++i) t.recordFailure("acme/alice", "10.0.0.1");
  EXPECT_TRUE(t.check("acme/alice", "10.0.0.1"));
  clock_.advance(seconds{1});
  t.recordSuccess("acme/alice", "10.0.0.1");
  t.recordFailure("acme/alice", "10.0.0.1");
  EXPECT_FALSE(t.check("acme/alice", "10.0.0.1"));  // count started over
  for (int i = 0; i < 5; ++i) t.recordFailure("acme/bob", "10.0.0.2");
  EXPECT_TRUE(t.check("acme/bob", "10.0.0.2"));
  clock_.advance(std::chrono::hours{2});
  EXPECT_FALSE(t.check("acme/bob", "10.0.0.2"));
}

TEST_F(LoginThrottleTest, OneAddressTryingManyAccountsIsSlowed) {
  LoginThrottle t(clock_);
  for (int i = 0; i < 21; ++i) t.recordFailure("acme/user" + std::to_string(i), "10.6.6.6");
  EXPECT_TRUE(t.check("acme/someone-new", "10.6.6.6"));
  EXPECT_FALSE(t.check("acme/someone-new", "10.0.0.9"));
}

TEST_F(LoginThrottleTest, ManyAddressesOnOneAccountCannotLockOutAKnownAddress) {
  LoginThrottle t(clock_);
  t.recordSuccess("acme/alice", "192.0.2.10");  // alice's usual PC
  for (int i = 0; i < 50; ++i) t.recordFailure("acme/alice", "198.51.100." + std::to_string(i));
  // A fresh attacker address is slowed by the per-account tracker, capped at 60 s …
  auto wait = t.check("acme/alice", "198.51.100.200");
  ASSERT_TRUE(wait);
  EXPECT_LE(*wait, seconds{60});
  // … but alice's known address goes straight through.
  EXPECT_FALSE(t.check("acme/alice", "192.0.2.10"));
}

TEST_F(LoginThrottleTest, MemoryIsBounded) {
  ThrottleConfig cfg;
  cfg.max_entries = 100;
  LoginThrottle t(clock_, cfg);
  for (int i = 0; i < 1000; ++i) {
    clock_.advance(std::chrono::milliseconds{1});
    t.recordFailure("acme/u" + std::to_string(i), "10.0.0." + std::to_string(i % 250));
  }
  // The newest failures are still tracked after evicting the oldest.
  for (int k = 0; k < 3; ++k) t.recordFailure("acme/u999", "10.0.0.249");
  EXPECT_TRUE(t.check("acme/u999", "10.0.0.249"));
}

}  // namespace
}  // namespace sb::account
