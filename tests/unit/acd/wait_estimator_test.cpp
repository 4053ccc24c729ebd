// N1: the expected wait of a queue, from the rate its recent callers were answered.
#include "acd/wait_estimator.hpp"

#include <gtest/gtest.h>

namespace sb::acd {
namespace {

using std::chrono::seconds;
const core::Time t0 = core::Time{} + std::chrono::hours(100);

TEST(WaitEstimator, NoEstimateBeforeEnoughAnswers) {
  WaitEstimator w;
  for (int i = 0; i < 4; ++i) w.answered(t0 + seconds(30 * i));
  EXPECT_FALSE(w.expectedWait(1, t0 + seconds(120)));
  w.answered(t0 + seconds(120));
  EXPECT_TRUE(w.expectedWait(1, t0 + seconds(120)));
  EXPECT_FALSE(w.expectedWait(0, t0 + seconds(120)));
}

TEST(WaitEstimator, PositionTimesTheTimeBetweenAnswers) {
  WaitEstimator w;
  for (int i = 1; i <= 10; ++i) w.answered(t0 + seconds(30 * i));  // one every 30 s
  // 10 answers over 300 s (from the first at 30 s to now at 330 s): 30 s each.
  EXPECT_EQ(w.expectedWait(1, t0 + seconds(330)), seconds(30));
  EXPECT_EQ(w.expectedWait(4, t0 + seconds(330)), seconds(120));
}

TEST(WaitEstimator, AQueueThatStoppedAnsweringLooksSlower) {
  WaitEstimator w;
  for (int i = 1; i <= 10; ++i) w.answered(t0 + seconds(30 * i));
  const auto fresh = w.expectedWait(3, t0 + seconds(300));
  const auto stale = w.expectedWait(3, t0 + seconds(1200));
  ASSERT_TRUE(fresh && stale);
  EXPECT_GT(*stale, *fresh * 3);
}

TEST(WaitEstimator, OnlyTheRecentWindowCounts) {
  WaitEstimator w;
  for (int i = 0; i < 50; ++i) w.answered(t0 + seconds(600 * i));  // slow, long ago
  const core::Time fast = t0 + seconds(600 * 50);
  for (std::size_t i = 0; i < WaitEstimator::kWindow; ++i) w.answered(fast + seconds(10 * static_cast<int>(i)));
  const core::Time now = fast + seconds(10 * static_cast<int>(WaitEstimator::kWindow));
  EXPECT_EQ(w.expectedWait(1, now), seconds(10));
}

}  // namespace
}  // namespace sb::acd
