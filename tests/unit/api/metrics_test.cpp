#include "api/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

namespace sb::api {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(MetricsTest, CounterRendersHelpTypeAndLabelledValue) {
  Metrics metrics;
  auto& family = metrics.counter("sb_calls_total", "Calls seen.", {"kind"});
  family.labels({"inbound"}).inc();
  family.labels({"inbound"}).inc(2);
  EXPECT_EQ(metrics.render(),
            "# HELP sb_calls_total Calls seen.\n"
            "# TYPE sb_calls_total counter\n"
            "sb_calls_total{kind=\"inbound\"} 3\n");
}

TEST(MetricsTest, GaugeWithoutLabelsSetsAddsAndSubtracts) {
  Metrics metrics;
  Gauge& gauge = metrics.gauge("sb_level", "A level.").get();
  gauge.set(2.5);
  gauge.add(1);
  gauge.sub(0.5);
  EXPECT_DOUBLE_EQ(gauge.value(), 3.0);
  EXPECT_TRUE(contains(metrics.render(), "# TYPE sb_level gauge\nsb_level 3\n"));
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  Metrics metrics;
  metrics.counter("sb_odd_total", "Back\\slash and\nnewline.", {"v"}).labels({"a\"b\\c\nd"}).inc();
  const std::string out = metrics.render();
  EXPECT_TRUE(contains(out, "# HELP sb_odd_total Back\\\\slash and\\nnewline.\n")) << out;
  EXPECT_TRUE(contains(out, "sb_odd_total{v=\"a\\\"b\\\\c\\nd\"} 1\n")) << out;
}

TEST(MetricsTest, HistogramBucketsAreCumulativeAndInclusive) {
  Metrics metrics;
  auto& family = metrics.histogram("sb_wait_seconds", "Waits.", {"queue"}, {0.1, 1});
  Histogram& h = family.labels({"sales"});
  for (double v : {0.05, 0.1, 0.5, 5.0}) h.observe(v);
  EXPECT_EQ(metrics.render(),
            "# HELP sb_wait_seconds Waits.\n"
            "# TYPE sb_wait_seconds histogram\n"
            "sb_wait_seconds_bucket{queue=\"sales\",le=\"0.1\"} 2\n"
            "sb_wait_seconds_bucket{queue=\"sales\",le=\"1\"} 3\n"
            "sb_wait_seconds_bucket{queue=\"sales\",le=\"+Inf\"} 4\n"
            "sb_wait_seconds_sum{queue=\"sales\"} 5.65\n"
            "sb_wait_seconds_count{queue=\"sales\"} 4\n");
}

TEST(MetricsTest, HistogramWithoutLabelsPutsLeAlone) {
  Metrics metrics;
  metrics.histogram("sb_h", "H.", {}, {1}).get().observe(2);
  const std::string out = metrics.render();
  EXPECT_TRUE(contains(out, "sb_h_bucket{le=\"1\"} 0\n")) << out;
  EXPECT_TRUE(contains(out, "sb_h_bucket{le=\"+Inf\"} 1\n")) << out;
  EXPECT_TRUE(contains(out, "sb_h_count 1\n")) << out;
}

TEST(MetricsTest, SameLabelValuesGiveTheSameChild) {
  Metrics metrics;
  auto& family = metrics.counter("sb_x_total", "X.", {"a", "b"});
  Counter& one = family.labels({"1", "2"});
  EXPECT_EQ(&one, &family.labels({"1", "2"}));
  EXPECT_NE(&one, &family.labels({"2", "1"}));
  // Values that would collide if simply concatenated stay apart.
  EXPECT_NE(&family.labels({"ab", "c"}), &family.labels({"a", "bc"}));
}

TEST(MetricsTest, RegisteringANameAgainReturnsTheSameFamily) {
  Metrics metrics;
  auto& first = metrics.counter("sb_y_total", "Y.", {"a"});
  auto& second = metrics.counter("sb_y_total", "Y.", {"a"});
  EXPECT_EQ(&first, &second);
}

TEST(MetricsTest, ChildrenAndFamiliesRenderInSortedOrder) {
  Metrics metrics;
  auto& b = metrics.counter("sb_b_total", "B.", {"k"});
  b.labels({"z"}).inc();
  b.labels({"a"}).inc();
  metrics.counter("sb_a_total", "A.").get().inc();
  const std::string out = metrics.render();
  EXPECT_LT(out.find("sb_a_total"), out.find("sb_b_total"));
  EXPECT_LT(out.find("sb_b_total{k=\"a\"}"), out.find("sb_b_total{k=\"z\"}"));
}

TEST(MetricsTest, CallbackGaugeIsReadAtScrapeAndGoesAwayWithItsHandle) {
  Metrics metrics;
  std::atomic<int> live{3};
  {
    CallbackGauge calls =
        metrics.callbackGauge("sb_calls_active", "Calls in progress.",
                              [&] { return double(live.load()); }, {{"org", "acme"}});
    CallbackGauge other = metrics.callbackGauge("sb_calls_active", "Calls in progress.",
                                                [] { return 7.0; }, {{"org", "beta"}});
    std::string out = metrics.render();
    EXPECT_TRUE(contains(out, "# TYPE sb_calls_active gauge\n")) << out;
    EXPECT_TRUE(contains(out, "sb_calls_active{org=\"acme\"} 3\n")) << out;
    EXPECT_TRUE(contains(out, "sb_calls_active{org=\"beta\"} 7\n")) << out;
    live = 5;
    EXPECT_TRUE(contains(metrics.render(), "sb_calls_active{org=\"acme\"} 5\n"));
  }
  EXPECT_FALSE(contains(metrics.render(), "sb_calls_active"));
}

TEST(MetricsTest, CallbackGaugeHandleMayOutliveTheRegistry) {
  CallbackGauge handle;
  {
    Metrics metrics;
    handle = metrics.callbackGauge("sb_z", "Z.", [] { return 1.0; });
    EXPECT_TRUE(contains(metrics.render(), "sb_z 1\n"));
  }
  handle = CallbackGauge{};  // must not touch the destroyed registry
  SUCCEED();
}

TEST(MetricsTest, ConcurrentUpdatesAreNotLost) {
  Metrics metrics;
  auto& counters = metrics.counter("sb_hits_total", "Hits.", {"route", "status"});
  auto& latency = metrics.histogram("sb_lat_seconds", "Latency.", {"route"});
  constexpr int kThreads = 4;
  constexpr int kIterations = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIterations; ++i) {
        const std::string status = std::to_string(200 + (i + t) % 3);
        counters.labels({"/r/{id}", status}).inc();
        latency.labels({"/r/{id}"}).observe(0.001);
      }
    });
  }
  for (auto& th : threads) th.join();
  double total = 0;
  for (const char* status : {"200", "201", "202"})
    total += counters.labels({"/r/{id}", status}).value();
  EXPECT_EQ(total, double(kThreads) * kIterations);
  EXPECT_EQ(latency.labels({"/r/{id}"}).snapshot().count, uint64_t(kThreads) * kIterations);
}

TEST(MetricsTest, ValuesUseTheExpositionSpelling) {
  EXPECT_EQ(formatMetricValue(3), "3");
  EXPECT_EQ(formatMetricValue(0.25), "0.25");
  EXPECT_EQ(formatMetricValue(-1.5), "-1.5");
  EXPECT_EQ(formatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(formatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(formatMetricValue(std::nan("")), "NaN");
  EXPECT_EQ(escapeLabelValue("plain"), "plain");
}

using MetricsDeathTest = ::testing::Test;

TEST_F(MetricsDeathTest, MisuseIsAProgrammingError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Metrics metrics;
  auto& family = metrics.counter("sb_m_total", "M.", {"a"});
  EXPECT_DEATH(family.labels({"1", "2"}), "one value per label name");
  EXPECT_DEATH(metrics.gauge("sb_m_total", "M."), "one kind");
  EXPECT_DEATH(metrics.counter("bad name", "B."), "metric name");
  EXPECT_DEATH(metrics.histogram("sb_h2", "H.", {"le"}), "reserved");
  EXPECT_DEATH(metrics.histogram("sb_h3", "H.", {}, {1, 0.5}), "ascending");
}

}  // namespace
}  // namespace sb::api
