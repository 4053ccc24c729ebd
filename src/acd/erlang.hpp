#pragma once
// Erlang C: the queueing model of a contact center with N agents, Poisson arrivals,
// exponential handling times and callers who never give up (M/M/N). It is what the
// simulator is checked against (issue 5 item 6) and how an expected wait can be told.
//
// traffic A = arrival rate × mean handling time (in Erlangs); with N ≤ A the queue grows
// without bound: every caller waits (probability 1) and the mean wait is infinite.
#include <chrono>

namespace sb::acd {

// Probability that a caller has to wait (Erlang C formula), computed through the Erlang B
// recursion, which stays exact for thousands of agents (no factorials).
double erlangCWaitProbability(int agents, double traffic);

// Mean wait of all callers (ASA), in the unit of `handling`.
double erlangCAverageWait(int agents, double traffic, double handling);

// Share of callers answered within `threshold` (service level), same unit as `handling`.
double erlangCServiceLevel(int agents, double traffic, double handling, double threshold);

}  // namespace sb::acd
