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

namespace sb::core {
namespace {

TEST(Rfc3339, ReadsWhatToRfc3339WritesAndOffsets) {
  const Time t = fromUnixMillis(1'764'000'000'123);
  EXPECT_EQ(parseRfc3339(toRfc3339(t)), t);
  EXPECT_EQ(parseRfc3339("2026-12-01T00:00:00+09:00"), parseRfc3339("2026-11-30T15:00:00Z"));
  EXPECT_EQ(parseRfc3339("2026-11-30t15:00:00.5z"), fromUnixMillis(toUnixMillis(*parseRfc3339("2026-11-30T15:00:00Z")) + 500));
  EXPECT_EQ(parseRfc3339("2026-11-30 15:00:00.123456789-00:30"),
            fromUnixMillis(toUnixMillis(*parseRfc3339("2026-11-30T15:30:00Z")) + 123));
  EXPECT_EQ(parseRfc3339("2024-02-29T00:00:00Z").has_value(), true);  // a leap day
  EXPECT_EQ(toRfc3339(*parseRfc3339("1970-01-01T00:00:00Z")), "1970-01-01T00:00:00.000Z");
}

TEST(Rfc3339, RefusesWhatIsNotOne) {
  for (const char* bad : {"", "2026-11-30", "2026-11-30T15:00:00", "2026-11-30T15:00Z", "2026-13-01T00:00:00Z",
                          "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-30T24:00:00Z",
                          "2026-11-30T23:60:00Z", "2026-11-30T23:59:60Z", "2026-11-30T15:00:00.Z",
                          "2026-11-30T15:00:00+9:00", "2026-11-30T15:00:00+24:00", "1969-12-31T23:59:59Z",
                          "2026-11-30T15:00:00Zjunk", "+026-11-30T15:00:00Z", "2026-11-30T15:00:00.1234567890Z"}) {
    EXPECT_FALSE(parseRfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace sb::core
