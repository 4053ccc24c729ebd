// The contact-center simulator (issue 5 item 6): the real acd::CallCenter on a virtual
// clock against Erlang C. Prints one line per load.
//
//   build/release/bench/acd_simulate [CALLS] [SEED]     (default 10,000,000 calls, seed 1)
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "acd/erlang.hpp"
#include "acd/simulator.hpp"

int main(int argc, char** argv) {
  const double calls = argc > 1 ? std::atof(argv[1]) : 10'000'000.0;
  const auto seed = static_cast<std::uint64_t>(argc > 2 ? std::atoll(argv[2]) : 1);
  if (calls < 1000 || calls > 1e9) {
    std::fprintf(stderr, "usage: acd_simulate [CALLS 1000..1e9] [SEED]\n");
    return 2;
  }
  struct Load {
    int agents;
    double erlangs;
  };
  for (const Load load : {Load{5, 3.5}, Load{20, 16.0}, Load{50, 45.0}, Load{200, 190.0}}) {
    sb::acd::SimulationParams p;
    p.agents = load.agents;
    p.mean_handling_s = 180;
    p.calls_per_hour = load.erlangs / p.mean_handling_s * 3600;
    p.hours = calls / p.calls_per_hour;
    p.service_level_s = 20;
    p.seed = seed;
    const auto t0 = std::chrono::steady_clock::now();
    const sb::acd::SimulationResult r = sb::acd::simulate(p);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double sl = sb::acd::erlangCServiceLevel(load.agents, load.erlangs, p.mean_handling_s, 20);
    const double asa = sb::acd::erlangCAverageWait(load.agents, load.erlangs, p.mean_handling_s);
    std::printf(
        "acd-simulate: agents=%d erlangs=%.1f calls=%llu virtual_days=%.0f wall=%.1fs sl=%.4f erlang_sl=%.4f "
        "(%+.2f pp) asa=%.2fs erlang_asa=%.2fs (%+.2f %%) occupancy=%.4f\n",
        load.agents, load.erlangs, static_cast<unsigned long long>(r.calls), p.hours / 24, wall, r.service_level, sl,
        (r.service_level - sl) * 100, r.asa_s, asa, (r.asa_s / asa - 1) * 100, r.occupancy);
  }
  return 0;
}
