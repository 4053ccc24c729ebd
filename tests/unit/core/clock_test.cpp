#include "core/clock.hpp"

#include <gtest/gtest.h>

namespace sb::core {
namespace {

TEST(Clock, Rfc3339InUtcWithMillis) {
  EXPECT_EQ(toRfc3339(fromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(toRfc3339(fromUnixMillis(1795492700123)), "2026-11-24T03:58:20.123Z");
  EXPECT_EQ(toRfc3339(fromUnixMillis(-1)), "1969-12-31T23:59:59.999Z");
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(fromUnixMillis(1000));
  EXPECT_EQ(toUnixMillis(clock.now()), 1000);
  clock.advance(std::chrono::seconds{2});
  EXPECT_EQ(toUnixMillis(clock.now()), 3000);
}

}  // namespace
}  // namespace sb::core
