// Erlang C, checked against the textbook sum (independent of the recursion we use) and
// a hand-worked example.
#include "acd/erlang.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace sb::acd {
namespace {

// P(wait) from the definition: (A^N/N!)·N/(N−A) / (Σ_{k<N} A^k/k! + (A^N/N!)·N/(N−A)),
// in long double with running terms (fine for the small N used here).
double textbook(int n, double a) {
  long double term = 1.0L;  // A^k / k!
  long double sum = 0.0L;
  for (int k = 0; k < n; ++k) {
    sum += term;
    term *= static_cast<long double>(a) / (k + 1);
  }
  const long double top = term * n / (n - a);
  return static_cast<double>(top / (sum + top));
}

TEST(ErlangC, MatchesTheDefinition) {
  for (int n = 1; n <= 60; ++n) {
    for (double share : {0.1, 0.5, 0.8, 0.95, 0.99}) {
      const double a = n * share;
      EXPECT_NEAR(erlangCWaitProbability(n, a), textbook(n, a), 1e-9) << "N=" << n << " A=" << a;
    }
  }
}

TEST(ErlangC, AHandWorkedExample) {
  // 3 agents, 2 Erlangs: A^N/N!·N/(N−A) = 8/6·3 = 4; Σ_{k<3} A^k/k! = 1 + 2 + 2 = 5;
  // P(wait) = 4/9. ASA = 4/9 · h/(N − A) = 4/9 h. SL(T = h) = 1 − 4/9·e^(−1).
  EXPECT_NEAR(erlangCWaitProbability(3, 2.0), 4.0 / 9.0, 1e-12);
  EXPECT_NEAR(erlangCAverageWait(3, 2.0, 180.0), 4.0 / 9.0 * 180.0, 1e-9);
  EXPECT_NEAR(erlangCServiceLevel(3, 2.0, 180.0, 180.0), 1.0 - 4.0 / 9.0 * std::exp(-1.0), 1e-12);
}

TEST(ErlangC, LargeCentersStayFinite) {
  const double p = erlangCWaitProbability(5000, 4900.0);
  EXPECT_GT(p, 0.0);
  EXPECT_LT(p, 1.0);
  EXPECT_TRUE(std::isfinite(erlangCAverageWait(5000, 4900.0, 180.0)));
}

TEST(ErlangC, OverloadAndNoTraffic) {
  EXPECT_EQ(erlangCWaitProbability(10, 10.0), 1.0);
  EXPECT_EQ(erlangCWaitProbability(10, 12.0), 1.0);
  EXPECT_TRUE(std::isinf(erlangCAverageWait(10, 12.0, 60.0)));
  EXPECT_EQ(erlangCServiceLevel(10, 12.0, 60.0, 20.0), 0.0);
  EXPECT_EQ(erlangCWaitProbability(10, 0.0), 0.0);
  EXPECT_EQ(erlangCServiceLevel(10, 0.0, 60.0, 20.0), 1.0);
  EXPECT_EQ(erlangCWaitProbability(0, 1.0), 1.0);
}

TEST(ErlangC, MoreAgentsNeverMakeItWorse) {
  double previous = 1.0;
  for (int n = 25; n <= 40; ++n) {
    const double p = erlangCWaitProbability(n, 24.0);
    EXPECT_LT(p, previous);
    previous = p;
  }
}

}  // namespace
}  // namespace sb::acd
