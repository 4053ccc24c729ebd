#include "acd/erlang.hpp"

#include <cmath>
#include <limits>

namespace sb::acd {

double erlangCWaitProbability(int agents, double traffic) {
  if (traffic <= 0) return 0.0;
  if (agents <= 0 || traffic >= agents) return 1.0;
  // Erlang B by recursion: B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)).
  double b = 1.0;
  for (int k = 1; k <= agents; ++k) b = traffic * b / (k + traffic * b);
  // C = N·B / (N − A·(1 − B)).
  const double n = agents;
  return n * b / (n - traffic * (1.0 - b));
}

double erlangCAverageWait(int agents, double traffic, double handling) {
  if (traffic <= 0) return 0.0;
  if (agents <= 0 || traffic >= agents) return std::numeric_limits<double>::infinity();
  return erlangCWaitProbability(agents, traffic) * handling / (agents - traffic);
}

double erlangCServiceLevel(int agents, double traffic, double handling, double threshold) {
  if (traffic <= 0) return 1.0;
  if (agents <= 0 || traffic >= agents) return 0.0;
  const double wait = erlangCWaitProbability(agents, traffic);
  return 1.0 - wait * std::exp(-(agents - traffic) * threshold / handling);
}

}  // namespace sb::acd
