// The statistics (docs/statistics.md) against the simulator: the same day of calls, fed
// through computeStatistics, gives the simulator's own service level, answer rate and
// average answer; and what merges (roll-ups) equals what is computed at once.
#include "acd/statistics.hpp"

#include <gtest/gtest.h>

#include "acd/simulator.hpp"

namespace sb::acd {
namespace {

TEST(Statistics, TheSimulatorsDayGivesTheSimulatorsFigures) {
  SimulationParams p;
  p.agents = 12;
  p.calls_per_hour = 220;
  p.mean_handling_s = 180;
  p.mean_patience_s = 90;  // some give up: unanswered inflow too
  p.hours = 8;
  p.seed = 7;
  std::vector<CallRecord> records;
  const SimulationResult sim = simulate(p, &records);
  ASSERT_GT(sim.calls, 1000u);
  ASSERT_GT(sim.abandoned, 0u);
  const StatsPeriod day{core::Time{}, core::Time{} + std::chrono::hours(48)};
  const Statistics s = computeStatistics(records, {}, day, std::chrono::seconds(20));
  EXPECT_EQ(static_cast<std::uint64_t>(s.org.inflow), sim.calls);
  EXPECT_EQ(static_cast<std::uint64_t>(s.org.answered), sim.answered);
  EXPECT_EQ(static_cast<std::uint64_t>(s.org.abandoned), sim.abandoned);
  // The simulator's service level is over all calls: the industry form.
  ASSERT_TRUE(s.org.serviceLevelInflow());
  EXPECT_NEAR(*s.org.serviceLevelInflow(), sim.service_level, 1e-9);
  EXPECT_NEAR(*s.org.answerRate(), sim.answer_rate, 1e-9);
  ASSERT_TRUE(s.org.avgWaitAnsweredMs());
  EXPECT_NEAR(static_cast<double>(*s.org.avgWaitAnsweredMs()), sim.asa_s * 1000.0, 1.0);  // ms rounding
  EXPECT_EQ(s.menus[1], s.org);  // one menu
}

TEST(Statistics, HourlyFiguresMergeToTheDay) {
  SimulationParams p;
  p.agents = 8;
  p.calls_per_hour = 150;
  p.mean_patience_s = 60;
  p.hours = 6;
  p.seed = 3;
  std::vector<CallRecord> records;
  simulate(p, &records);
  std::vector<StatsPeriod> hours;
  for (int h = 0; h < 24; ++h) {
    hours.push_back({core::Time{} + std::chrono::hours(h), core::Time{} + std::chrono::hours(h + 1)});
  }
  const auto hourly = hourlyFigures(records, hours, std::chrono::seconds(20));
  CallFigures merged;
  for (const CallFigures& h : hourly) merged.merge(h);
  const Statistics day = computeStatistics(records, {}, {hours.front().from, hours.back().to}, std::chrono::seconds(20));
  EXPECT_EQ(merged, day.org);  // what a roll-up per hour keeps adds up to a recount
  EXPECT_GT(hourly[0].inflow, 0);
  EXPECT_EQ(hourly[23].inflow, 0);
}

}  // namespace
}  // namespace sb::acd
