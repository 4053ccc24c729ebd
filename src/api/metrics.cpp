#include "api/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/check.hpp"

namespace sb::api {
namespace {

bool validName(std::string_view s, bool allow_colon) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (allow_colon && c == ':');
  });
}

void checkLabelNames(const std::vector<std::string>& names, bool histogram) {
  for (const std::string& n : names) {
    SB_CHECK(validName(n, false) && !n.starts_with("__"), "a label name is [a-zA-Z_][a-zA-Z0-9_]*");
    SB_CHECK(!histogram || n != "le", "`le` is reserved for histogram buckets");
  }
}

std::string escapeHelp(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void appendHeader(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(escapeHelp(help)).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// `{a="x",b="y"}`, or nothing without labels; `extra` is appended last (le="...").
void appendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out.append(names[i]).append("=\"").append(escapeLabelValue(values[i])).append("\"");
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out.append(extra_name).append("=\"").append(extra_value).append("\"");
  }
  out += '}';
}

size_t hashValues(std::span<const std::string_view> values) {
  size_t h = 0xcbf29ce484222325ULL;
  for (std::string_view v : values) {
    h ^= std::hash<std::string_view>{}(v) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  }
  return h;
}

template <typename Metric>
constexpr std::string_view typeName() {
  if constexpr (std::is_same_v<Metric, Counter>) return "counter";
  if constexpr (std::is_same_v<Metric, Gauge>) return "gauge";
  return "histogram";
}

}  // namespace

std::string escapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string formatMetricValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  SB_CHECK(ec == std::errc{}, "a double fits in 32 characters");
  return std::string(buf, end);
}

void Counter::inc(double by) {
  SB_ASSERT(by >= 0, "a counter only goes up");
  value_.fetch_add(by, std::memory_order_relaxed);
}

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds), counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::observe(double v) {
  // Buckets are `le` (less or equal): the first bound >= v.
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  // The count is derived from the buckets so a scrape never shows _count below the +Inf
  // bucket; _sum may lag by an observation in flight, as Prometheus tolerates.
  Snapshot s;
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

template <typename Metric>
struct Family<Metric>::Child {
  size_t hash;
  std::vector<std::string> values;
  Metric metric;
  Child* next;
};

template <typename Metric>
Family<Metric>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                       std::vector<double> bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      bounds_(std::move(bounds)) {}

template <typename Metric>
Family<Metric>::~Family() {
  for (auto& head : heads_) {
    Child* c = head.load();
    while (c) delete std::exchange(c, c->next);
  }
}

template <typename Metric>
Metric& Family<Metric>::labels(std::span<const std::string_view> values) {
  SB_CHECK(values.size() == label_names_.size(), "one value per label name");
  const size_t hash = hashValues(values);
  auto& head = heads_[hash % kBuckets];
  auto find = [&](Child* c) -> Child* {
    for (; c; c = c->next) {
      if (c->hash == hash &&
          std::equal(c->values.begin(), c->values.end(), values.begin(), values.end())) {
        return c;
      }
    }
    return nullptr;
  };
  if (Child* c = find(head.load(std::memory_order_acquire))) return c->metric;

  std::lock_guard lock(insert_mutex_);
  if (Child* c = find(head.load(std::memory_order_acquire))) return c->metric;
  std::vector<std::string> owned(values.begin(), values.end());
  Child* child;
  if constexpr (std::is_same_v<Metric, Histogram>) {
    child = new Child{hash, std::move(owned), Histogram(bounds_), head.load()};
  } else {
    child = new Child{hash, std::move(owned), {}, head.load()};
  }
  head.store(child, std::memory_order_release);
  return child->metric;
}

template <typename Metric>
void Family<Metric>::render(std::string& out) const {
  std::vector<const Child*> children;
  for (const auto& head : heads_) {
    for (const Child* c = head.load(std::memory_order_acquire); c; c = c->next) {
      children.push_back(c);
    }
  }
  appendHeader(out, name_, help_, typeName<Metric>());
  std::sort(children.begin(), children.end(),
            [](const Child* a, const Child* b) { return a->values < b->values; });
  for (const Child* c : children) {
    if constexpr (std::is_same_v<Metric, Histogram>) {
      const Histogram::Snapshot s = c->metric.snapshot();
      for (size_t i = 0; i < s.cumulative.size(); ++i) {
        const std::string le = i < bounds_.size() ? formatMetricValue(bounds_[i]) : "+Inf";
        out.append(name_).append("_bucket");
        appendLabels(out, label_names_, c->values, "le", le);
        out.append(" ").append(std::to_string(s.cumulative[i])).append("\n");
      }
      out.append(name_).append("_sum");
      appendLabels(out, label_names_, c->values);
      out.append(" ").append(formatMetricValue(s.sum)).append("\n");
      out.append(name_).append("_count");
      appendLabels(out, label_names_, c->values);
      out.append(" ").append(std::to_string(s.count)).append("\n");
    } else {
      out.append(name_);
      appendLabels(out, label_names_, c->values);
      out.append(" ").append(formatMetricValue(c->metric.value())).append("\n");
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

struct CallbackGauge::Registry {
  struct Source {
    std::vector<std::string> values;
    std::function<double()> read;
  };
  struct Group {
    std::string help;
    std::vector<std::string> label_names;
    std::map<uint64_t, Source> sources;
  };
  std::mutex mutex;
  uint64_t next_id = 1;
  std::map<std::string, Group, std::less<>> groups;

  void remove(uint64_t id) {
    std::lock_guard lock(mutex);
    for (auto it = groups.begin(); it != groups.end(); ++it) {
      if (it->second.sources.erase(id) > 0) {
        if (it->second.sources.empty()) groups.erase(it);
        return;
      }
    }
  }
};

CallbackGauge::~CallbackGauge() {
  reset();
}

CallbackGauge::CallbackGauge(CallbackGauge&& other) noexcept
    : registry_(std::move(other.registry_)), id_(std::exchange(other.id_, 0)) {}

CallbackGauge& CallbackGauge::operator=(CallbackGauge&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = std::move(other.registry_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void CallbackGauge::reset() {
  if (id_ == 0) return;
  if (auto registry = registry_.lock()) registry->remove(id_);
  id_ = 0;
  registry_.reset();
}

Metrics::Metrics() : callbacks_(std::make_shared<CallbackGauge::Registry>()) {}
Metrics::~Metrics() = default;

template <typename Metric>
Family<Metric>& Metrics::family(Entry::Kind kind, std::string_view name, std::string_view help,
                                std::vector<std::string> label_names, std::vector<double> bounds) {
  SB_CHECK(validName(name, true), "a metric name is [a-zA-Z_:][a-zA-Z0-9_:]*");
  checkLabelNames(label_names, kind == Entry::Kind::kHistogram);
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end()) {
    SB_CHECK(it->second.kind == kind, "a metric name is registered with one kind");
    auto& existing = static_cast<Family<Metric>&>(*it->second.family);
    SB_CHECK(existing.labelNames() == label_names && existing.bounds() == bounds,
             "a metric name is registered with one set of labels and buckets");
    return existing;
  }
  {
    std::lock_guard callbacks_lock(callbacks_->mutex);
    SB_CHECK(!callbacks_->groups.contains(name), "a metric name is registered with one kind");
  }
  auto owned = std::make_unique<Family<Metric>>(std::string(name), std::string(help),
                                                std::move(label_names), std::move(bounds));
  auto& ref = *owned;
  families_.emplace(std::string(name), Entry{kind, std::move(owned)});
  return ref;
}

CounterFamily& Metrics::counter(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names) {
  return family<Counter>(Entry::Kind::kCounter, name, help, std::move(label_names), {});
}

GaugeFamily& Metrics::gauge(std::string_view name, std::string_view help,
                            std::vector<std::string> label_names) {
  return family<Gauge>(Entry::Kind::kGauge, name, help, std::move(label_names), {});
}

HistogramFamily& Metrics::histogram(std::string_view name, std::string_view help,
                                    std::vector<std::string> label_names,
                                    std::vector<double> bounds) {
  SB_CHECK(std::is_sorted(bounds.begin(), bounds.end()) &&
               std::adjacent_find(bounds.begin(), bounds.end()) == bounds.end() &&
               std::all_of(bounds.begin(), bounds.end(), [](double b) { return std::isfinite(b); }),
           "histogram bounds are finite and strictly ascending");
  return family<Histogram>(Entry::Kind::kHistogram, name, help, std::move(label_names),
                           std::move(bounds));
}

CallbackGauge Metrics::callbackGauge(std::string_view name, std::string_view help,
                                     std::function<double()> read, LabelPairs labels) {
  SB_CHECK(validName(name, true), "a metric name is [a-zA-Z_:][a-zA-Z0-9_:]*");
  SB_CHECK(read, "a callback gauge needs a callback");
  std::vector<std::string> names;
  std::vector<std::string> values;
  for (auto& [n, v] : labels) {
    names.push_back(std::move(n));
    values.push_back(std::move(v));
  }
  checkLabelNames(names, false);
  std::lock_guard lock(mutex_);
  SB_CHECK(!families_.contains(name), "a metric name is registered with one kind");
  std::lock_guard callbacks_lock(callbacks_->mutex);
  auto [it, inserted] = callbacks_->groups.try_emplace(std::string(name));
  CallbackGauge::Registry::Group& group = it->second;
  if (inserted) {
    group.help = help;
    group.label_names = names;
  }
  SB_CHECK(group.label_names == names, "callback gauges of one name share label names");
  const uint64_t id = callbacks_->next_id++;
  group.sources.emplace(id, CallbackGauge::Registry::Source{std::move(values), std::move(read)});
  return CallbackGauge(callbacks_, id);
}

std::string Metrics::render() const {
  std::string out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, entry] : families_) entry.family->render(out);
  }
  std::lock_guard lock(callbacks_->mutex);
  for (const auto& [name, group] : callbacks_->groups) {
    appendHeader(out, name, group.help, "gauge");
    std::vector<const CallbackGauge::Registry::Source*> sources;
    for (const auto& [id, source] : group.sources) sources.push_back(&source);
    std::sort(sources.begin(), sources.end(),
              [](const auto* a, const auto* b) { return a->values < b->values; });
    for (const auto* source : sources) {
      out.append(name);
      appendLabels(out, group.label_names, source->values);
      out.append(" ").append(formatMetricValue(source->read())).append("\n");
    }
  }
  return out;
}

std::vector<double> Metrics::defaultLatencyBounds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace sb::api
