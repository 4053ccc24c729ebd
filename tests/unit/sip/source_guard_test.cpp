#include "sip/source_guard.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;

const core::Time kT0{std::chrono::seconds{1'700'000'000}};

TEST(SourceGuard, SeventeenthEventInTheWindowBlocksOnce) {
  SourceGuard guard;
  for (int i = 0; i < 16; ++i) {
    EXPECT_FALSE(guard.recordBad("192.0.2.1", "auth", kT0 + std::chrono::milliseconds(i * 100)));
  }
  EXPECT_FALSE(guard.isBlocked("192.0.2.1", kT0 + 1600ms));
  EXPECT_TRUE(guard.recordBad("192.0.2.1", "auth_failed", kT0 + 1900ms));  // the 17th
  EXPECT_TRUE(guard.isBlocked("192.0.2.1", kT0 + 1900ms));
  EXPECT_EQ(guard.blockReason("192.0.2.1", kT0 + 1900ms), "auth_failed");
  // Further events while blocked never signal again.
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(guard.recordBad("192.0.2.1", "auth", kT0 + 2s));
  EXPECT_FALSE(guard.isBlocked("192.0.2.2", kT0 + 2s));
  EXPECT_EQ(guard.blockedCount(kT0 + 2s), 1u);
}

TEST(SourceGuard, TheWindowSlides) {
  SourceGuard guard;
  // 16 events at t0, then one exactly 2 s later: the first 16 left the window.
  for (int i = 0; i < 16; ++i) EXPECT_FALSE(guard.recordBad("a", "x", kT0));
  EXPECT_FALSE(guard.recordBad("a", "x", kT0 + 2s));
  // A steady 8 per second never blocks.
  for (int i = 0; i < 200; ++i) {
    EXPECT_FALSE(guard.recordBad("b", "x", kT0 + std::chrono::milliseconds(125 * i)));
  }
  // 16 spread over the window, the 17th 1 µs before the first leaves it.
  for (int i = 0; i < 16; ++i) guard.recordBad("c", "x", kT0 + std::chrono::milliseconds(i));
  EXPECT_TRUE(guard.recordBad("c", "x", kT0 + 2s - 1us));
}

TEST(SourceGuard, BlocksExpire) {
  SourceGuard guard;
  for (int i = 0; i < 17; ++i) guard.recordBad("a", "x", kT0);
  EXPECT_TRUE(guard.isBlocked("a", kT0 + 5min - 1us));
  EXPECT_FALSE(guard.isBlocked("a", kT0 + 5min));
  EXPECT_EQ(guard.blockedCount(kT0 + 5min), 0u);
  EXPECT_EQ(guard.blockReason("a", kT0 + 5min), "");
  // Counting starts afresh after the block: the next block signals again.
  for (int i = 0; i < 16; ++i) EXPECT_FALSE(guard.recordBad("a", "x", kT0 + 6min));
  EXPECT_TRUE(guard.recordBad("a", "x", kT0 + 6min));
  guard.onTimer(kT0 + 12min);
  EXPECT_EQ(guard.trackedSources(), 0u);
}

TEST(SourceGuard, ExemptSourcesAreNeverBlocked) {
  SourceGuard guard;
  for (int i = 0; i < 17; ++i) guard.recordBad("203.0.113.5", "x", kT0);
  EXPECT_TRUE(guard.isBlocked("203.0.113.5", kT0));
  guard.setExempt({"203.0.113.5", "2001:db8::1"});
  EXPECT_TRUE(guard.isExempt("203.0.113.5"));
  EXPECT_FALSE(guard.isBlocked("203.0.113.5", kT0));  // exemption lifts a block
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(guard.recordBad("2001:db8::1", "x", kT0));
  EXPECT_FALSE(guard.isBlocked("2001:db8::1", kT0));
  EXPECT_EQ(guard.trackedSources(), 0u);
  guard.setExempt({});
  EXPECT_FALSE(guard.isExempt("203.0.113.5"));
}

TEST(SourceGuard, MemoryIsBoundedAndBlocksAreKept) {
  SourceGuardOptions options;
  options.max_sources = 3;
  options.threshold = 1;
  SourceGuard guard(options);
  guard.recordBad("a", "x", kT0);
  guard.recordBad("b", "x", kT0 + 1ms);
  guard.recordBad("c", "x", kT0 + 2ms);
  guard.recordBad("a", "x", kT0 + 3s);  // a is seen again (window passed: not blocked)
  EXPECT_FALSE(guard.isBlocked("a", kT0 + 3s));
  guard.recordBad("d", "x", kT0 + 3s);  // evicts b, the least recently seen
  EXPECT_EQ(guard.trackedSources(), 3u);
  // b was forgotten: one event does not block it, a second does.
  EXPECT_FALSE(guard.recordBad("b", "x", kT0 + 3s));  // evicts c
  EXPECT_TRUE(guard.recordBad("b", "x", kT0 + 3s));
  EXPECT_TRUE(guard.recordBad("a", "x", kT0 + 3s));
  EXPECT_TRUE(guard.recordBad("d", "x", kT0 + 3s));
  EXPECT_EQ(guard.blockedCount(kT0 + 3s), 3u);
  // All slots hold blocks: a new source cannot be tracked, and no block is lost.
  EXPECT_FALSE(guard.recordBad("e", "x", kT0 + 4s));
  EXPECT_FALSE(guard.recordBad("e", "x", kT0 + 4s));
  EXPECT_EQ(guard.trackedSources(), 3u);
  EXPECT_TRUE(guard.isBlocked("a", kT0 + 4s));
  EXPECT_TRUE(guard.isBlocked("b", kT0 + 4s));
  EXPECT_TRUE(guard.isBlocked("d", kT0 + 4s));
  // Once blocks end, room comes back.
  EXPECT_FALSE(guard.recordBad("e", "x", kT0 + 10min));
  EXPECT_EQ(guard.trackedSources(), 1u);
}

TEST(SourceGuard, OnTimerForgetsQuietSources) {
  SourceGuard guard;
  guard.recordBad("a", "x", kT0);
  guard.recordBad("b", "x", kT0 + 1s);
  guard.onTimer(kT0 + 2s);
  EXPECT_EQ(guard.trackedSources(), 1u);
  guard.onTimer(kT0 + 3s);
  EXPECT_EQ(guard.trackedSources(), 0u);
}

}  // namespace
}  // namespace sb::sip
