#pragma once
// A small Prometheus registry rendered in the text exposition format 0.0.4.
//
// Hot paths are lock-free: inc/set/observe are atomics, and looking up a labelled child
// that exists walks an insert-only hash chain with acquire loads. Only the first use of
// a label set, registration and render() take a mutex. Children are never removed, so
// label values must come from bounded sets (route patterns, status codes, reasons),
// never from raw paths or user input.
//
// Callback gauges report live objects (calls, sessions) by asking their owner at scrape
// time. The callback runs on the scraping thread under the registry's callback mutex:
// it must be thread-safe (read an atomic), quick, and must not touch this registry.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::api {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(double by = 1.0);  // `by` >= 0: a counter only goes up
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  void sub(double by) { value_.fetch_add(-by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // `bounds` are the finite upper bounds, ascending; +Inf is implied. They belong to the
  // family and outlive the histogram.
  explicit Histogram(std::span<const double> bounds);
  void observe(double v);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 slots
  std::atomic<double> sum_{0.0};
};

// The registry-facing side of a family: what render() needs.
class MetricFamily {
 public:
  virtual ~MetricFamily() = default;
  virtual void render(std::string& out) const = 0;
};

template <typename Metric>
class Family final : public MetricFamily {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds = {});
  ~Family() override;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // The child for these label values, given in the order of the family's label names;
  // a wrong count is a programming error (SB_CHECK). Created on first use.
  Metric& labels(std::initializer_list<std::string_view> values) {
    return labels(std::span<const std::string_view>(values.begin(), values.size()));
  }
  Metric& labels(std::span<const std::string_view> values);
  // The only child of a family without labels.
  Metric& get() { return labels(std::span<const std::string_view>{}); }

  const std::string& name() const { return name_; }
  const std::vector<std::string>& labelNames() const { return label_names_; }
  const std::vector<double>& bounds() const { return bounds_; }
  void render(std::string& out) const override;

 private:
  struct Child;
  static constexpr size_t kBuckets = 64;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  std::array<std::atomic<Child*>, kBuckets> heads_{};
  std::mutex insert_mutex_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Unregisters its callback gauge when destroyed; safe to outlive the registry.
class CallbackGauge {
 public:
  CallbackGauge() = default;
  ~CallbackGauge();
  CallbackGauge(CallbackGauge&& other) noexcept;
  CallbackGauge& operator=(CallbackGauge&& other) noexcept;

  struct Registry;

 private:
  friend class Metrics;
  CallbackGauge(std::weak_ptr<Registry> registry, uint64_t id)
      : registry_(std::move(registry)), id_(id) {}
  void reset();

  std::weak_ptr<Registry> registry_;
  uint64_t id_ = 0;
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Registering a name again with the same kind and labels returns the same family, so
  // independent components may share one; anything else is a programming error.
  CounterFamily& counter(std::string_view name, std::string_view help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& gauge(std::string_view name, std::string_view help,
                     std::vector<std::string> label_names = {});
  HistogramFamily& histogram(std::string_view name, std::string_view help,
                             std::vector<std::string> label_names,
                             std::vector<double> bounds = defaultLatencyBounds());
  // Several callbacks may share a name with different label values (same label names).
  [[nodiscard]] CallbackGauge callbackGauge(std::string_view name, std::string_view help,
                                            std::function<double()> read, LabelPairs labels = {});

  std::string render() const;

  // Seconds: 5 ms .. 10 s, Prometheus client defaults.
  static std::vector<double> defaultLatencyBounds();

 private:
  struct Entry {
    enum class Kind { kCounter, kGauge, kHistogram } kind;
    std::unique_ptr<MetricFamily> family;
  };
  template <typename Metric>
  Family<Metric>& family(Entry::Kind kind, std::string_view name, std::string_view help,
                         std::vector<std::string> label_names, std::vector<double> bounds);

  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> families_;
  std::shared_ptr<CallbackGauge::Registry> callbacks_;
};

// Exposed for tests: the exposition format's escaping and number spelling.
std::string escapeLabelValue(std::string_view v);
std::string formatMetricValue(double v);

}  // namespace sb::api
