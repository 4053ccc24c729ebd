#pragma once
// A discrete-event simulator of one org (issue 5 item 6): the real CallCenter on a
// virtual clock, with N agents serving one menu, Poisson arrivals, exponential handling
// times and optional abandonment. Prompts take no time, phones answer at once and
// agents are Ready again right after a call, so with no abandonment the system is the
// M/M/N queue of Erlang C, which is how the simulator (and the routing under it) is
// checked.
#include <cstdint>
#include <vector>

#include "acd/call_center.hpp"

namespace sb::acd {

struct SimulationParams {
  int agents = 10;
  double calls_per_hour = 100;
  double mean_handling_s = 180;
  double mean_patience_s = 0;  // 0: callers never give up
  double hours = 8;            // virtual time of arrivals
  double service_level_s = 20;
  std::uint64_t seed = 1;
};

struct SimulationResult {
  std::uint64_t calls = 0;
  std::uint64_t answered = 0;
  std::uint64_t abandoned = 0;
  double service_level = 0;  // answered within service_level_s ÷ calls
  double asa_s = 0;          // mean wait of answered calls (queue entry → answer)
  double answer_rate = 0;    // answered ÷ calls
  double occupancy = 0;      // talk time ÷ (agents × simulated time)
};

// `records`, when given, receives every call record the CallCenter saved (statistics are
// checked against the simulator's own figures with them).
SimulationResult simulate(const SimulationParams& params, std::vector<CallRecord>* records = nullptr);

}  // namespace sb::acd
