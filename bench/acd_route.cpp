// Routing decision latency (issue 5 item 8): 50 orgs × 10 menus = 500 menus, 10,000
// agents with random menu sets, 5,000 waiting callers; agents become available, take the
// longest-waiting caller of their menus, go busy; new callers keep the queues full.
// Prints p50/p99/max of one decision (QueueRouter::agentAvailable or ::enqueue) and
// decisions per second on one core.
//
//   build/release/bench/acd_route [DECISIONS]    (default 2,000,000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "acd/queue_router.hpp"

using namespace sb::acd;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const long decisions = argc > 1 ? std::atol(argv[1]) : 2'000'000;
  if (decisions < 1000 || decisions > 1'000'000'000) {
    std::fprintf(stderr, "usage: acd_route [DECISIONS 1000..1e9]\n");
    return 2;
  }
  constexpr int kOrgs = 50, kAgentsPerOrg = 200, kCallersPerOrg = 100;
  std::mt19937_64 random(7);
  std::vector<QueueRouter> routers(kOrgs);
  std::vector<std::vector<MenuSet>> menus(kOrgs, std::vector<MenuSet>(kAgentsPerOrg));
  std::uniform_int_distribution<int> menu_of(0, 9), org_of(0, kOrgs - 1), agent_of(0, kAgentsPerOrg - 1);
  sb::core::Time now{};
  CallId next_call = 1;
  for (int o = 0; o < kOrgs; ++o) {
    for (int a = 0; a < kAgentsPerOrg; ++a) {
      MenuSet set = 0;
      const int count = 1 + static_cast<int>(random() % 3);
      for (int k = 0; k < count; ++k) set |= menuBit(static_cast<MenuIndex>(menu_of(random)));
      menus[o][a] = set;
    }
    for (int c = 0; c < kCallersPerOrg; ++c) {
      now += std::chrono::milliseconds(1);
      (void)routers[o].enqueue(next_call++, static_cast<MenuIndex>(menu_of(random)), now);
    }
  }
  std::vector<double> samples;
  samples.reserve(static_cast<std::size_t>(decisions));
  long offers = 0;
  const auto start = Clock::now();
  for (long i = 0; i < decisions; ++i) {
    now += std::chrono::microseconds(100);
    const int o = org_of(random);
    QueueRouter& r = routers[o];
    const AgentKey agent = o * kAgentsPerOrg + agent_of(random) + 1;
    if (r.isAvailable(agent)) {
      r.agentUnavailable(agent);  // goes on break: not timed
      continue;
    }
    if (r.offerOf(agent)) continue;
    const auto t0 = Clock::now();
    auto offer = r.agentAvailable(agent, menus[o][static_cast<std::size_t>(agent - 1 - o * kAgentsPerOrg)], now);
    const auto t1 = Clock::now();
    samples.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    if (offer) {
      ++offers;
      r.offerAnswered(offer->call);
    }
    // New callers keep the org's queues at 100 waiting; entering the queue is a decision too.
    while (r.waiting() < kCallersPerOrg) {
      const auto t2 = Clock::now();
      auto matched = r.enqueue(next_call++, static_cast<MenuIndex>(menu_of(random)), now);
      const auto t3 = Clock::now();
      samples.push_back(std::chrono::duration<double, std::micro>(t3 - t2).count());
      if (matched) {
        ++offers;
        r.offerAnswered(matched->call);
      }
    }
  }
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  std::size_t waiting = 0, available = 0;
  for (const auto& r : routers) {
    waiting += r.waiting();
    available += r.availableAgents();
  }
  std::sort(samples.begin(), samples.end());
  auto q = [&](double p) { return samples[static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1))]; };
  std::printf("acd-route: menus=%d agents=%d waiting_at_end=%zu available_at_end=%zu decisions=%zu offers=%ld "
              "p50=%.2fus p99=%.2fus p999=%.2fus max=%.2fus decisions_per_s=%.0f (loop incl. bookkeeping)\n",
              kOrgs * 10, kOrgs * kAgentsPerOrg, waiting, available, samples.size(), offers, q(0.5), q(0.99),
              q(0.999), samples.back(), static_cast<double>(samples.size()) / wall);
  return 0;
}
