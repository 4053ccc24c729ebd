// Issue 5 item 6: with no abandonment, the CallCenter on a virtual clock is an M/M/N
// queue, so its service level and ASA must agree with Erlang C.
#include "acd/simulator.hpp"

#include <gtest/gtest.h>

#include "acd/erlang.hpp"

namespace sb::acd {
namespace {

struct Load {
  int agents;
  double erlangs;
};

class SimulatorMatchesErlangC : public ::testing::TestWithParam<Load> {};

TEST_P(SimulatorMatchesErlangC, ServiceLevelAndAsa) {
  const Load load = GetParam();
  SimulationParams p;
  p.agents = load.agents;
  p.mean_handling_s = 120;
  p.calls_per_hour = load.erlangs / p.mean_handling_s * 3600;
  p.hours = 150'000.0 / p.calls_per_hour;  // about 150,000 calls: seconds in a debug build
  p.service_level_s = 20;
  p.seed = 42;
  const SimulationResult r = simulate(p);
  const double sl = erlangCServiceLevel(load.agents, load.erlangs, p.mean_handling_s, p.service_level_s);
  const double asa = erlangCAverageWait(load.agents, load.erlangs, p.mean_handling_s);
  EXPECT_GT(r.calls, 140'000u);
  EXPECT_EQ(r.answered, r.calls);  // nobody gives up
  // A fixed seed makes the run exact; the bounds are what 150,000 calls of an M/M/N
  // queue allow (waits are strongly correlated). bench/acd_simulate runs 10 million
  // calls for the ±1 % of the issue (docs/performance.md).
  EXPECT_NEAR(r.service_level, sl, 0.02) << "Erlang C SL " << sl;
  EXPECT_NEAR(r.asa_s, asa, 0.06 * asa + 0.5) << "Erlang C ASA " << asa;
  EXPECT_NEAR(r.occupancy, load.erlangs / load.agents, 0.02);
}

INSTANTIATE_TEST_SUITE_P(Loads, SimulatorMatchesErlangC,
                         ::testing::Values(Load{5, 3.5}, Load{20, 16.0}));

TEST(Simulator, ImpatientCallersAbandonAndAreCountedOnce) {
  SimulationParams p;
  p.agents = 5;
  p.mean_handling_s = 120;
  p.calls_per_hour = 6.0 / 120 * 3600;  // overloaded: 6 Erlangs on 5 agents
  p.mean_patience_s = 60;
  p.hours = 100;
  const SimulationResult r = simulate(p);
  EXPECT_GT(r.abandoned, 0u);
  EXPECT_EQ(r.answered + r.abandoned, r.calls);
  EXPECT_LT(r.answer_rate, 1.0);
  EXPECT_LE(r.occupancy, 1.0);
  EXPECT_GT(r.occupancy, 0.8);  // overloaded: the agents are rarely idle
}

TEST(Simulator, TheSameSeedGivesTheSameDay) {
  SimulationParams p;
  p.hours = 50;
  const SimulationResult a = simulate(p);
  const SimulationResult b = simulate(p);
  EXPECT_EQ(a.calls, b.calls);
  EXPECT_EQ(a.asa_s, b.asa_s);
}

}  // namespace
}  // namespace sb::acd
