#include "acd/statistics.hpp"

#include <algorithm>

namespace sb::acd {

namespace {

std::int64_t millis(core::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

std::optional<double> ratio(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

std::optional<std::int64_t> average(std::int64_t sum, std::int64_t count) {
  if (count == 0) return std::nullopt;
  return (sum + count / 2) / count;  // sums are never negative: half up
}

void keepMax(std::optional<std::int64_t>& max, std::int64_t value) {
  if (!max || value > *max) max = value;
}

void keepMax(std::optional<std::int64_t>& max, const std::optional<std::int64_t>& value) {
  if (value) keepMax(max, *value);
}

}  // namespace

std::optional<double> CallFigures::answerRate() const { return ratio(answered, inflow); }
std::optional<double> CallFigures::serviceLevel() const { return ratio(within_service_level, answered); }
std::optional<double> CallFigures::serviceLevelInflow() const { return ratio(within_service_level, inflow); }
std::optional<std::int64_t> CallFigures::avgWaitMs() const { return average(wait_ms, inflow); }
std::optional<std::int64_t> CallFigures::avgWaitAnsweredMs() const { return average(wait_answered_ms, answered); }

void CallFigures::add(const CallRecord& call, core::Duration service_level) {
  ++inflow;
  if (call.answered) {
    const std::int64_t wait = millis(*call.answered - *call.queued);
    ++answered;
    wait_ms += wait;
    wait_answered_ms += wait;
    keepMax(max_wait_ms, wait);
    keepMax(max_wait_answered_ms, wait);
    if (wait <= millis(service_level)) ++within_service_level;  // exactly the limit is within
    return;
  }
  const std::int64_t wait = millis(call.ended - *call.queued);
  wait_ms += wait;
  keepMax(max_wait_ms, wait);
  switch (call.result) {
    case CallResult::kCallback: ++callback; break;
    case CallResult::kNoAgent: ++no_agent; break;
    case CallResult::kUnconnected:
      if (call.end_reason == "no_agent") {
        ++no_agent;
      } else {
        ++abandoned;
      }
      break;
    default: ++other; break;  // interrupted, failed, rejected
  }
}

void CallFigures::merge(const CallFigures& o) {
  inflow += o.inflow;
  answered += o.answered;
  abandoned += o.abandoned;
  callback += o.callback;
  no_agent += o.no_agent;
  other += o.other;
  within_service_level += o.within_service_level;
  wait_ms += o.wait_ms;
  wait_answered_ms += o.wait_answered_ms;
  keepMax(max_wait_ms, o.max_wait_ms);
  keepMax(max_wait_answered_ms, o.max_wait_answered_ms);
}

std::optional<std::int64_t> AgentFigures::avgTalkMs() const { return average(talk_ms, talked_calls); }

void AgentFigures::merge(const AgentFigures& o) {
  answered += o.answered;
  outbound += o.outbound;
  outbound_answered += o.outbound_answered;
  talk_ms += o.talk_ms;
  talked_calls += o.talked_calls;
  hold_ms += o.hold_ms;
  acw_ms += o.acw_ms;
  break_ms += o.break_ms;
  missed += o.missed;
}

namespace {

// Who talked on an inbound call and how long: each answered offer's agent from its
// answer to the next answered offer's (a transfer) or to the end. A record written
// before offers kept their answer times counts the whole call to the first agent.
void addTalk(Statistics& s, const CallRecord& call) {
  std::vector<const OfferRecord*> segments;
  for (const OfferRecord& o : call.offers) {
    if (o.outcome == OfferOutcome::kAnswered && o.answered) segments.push_back(&o);
  }
  if (segments.empty()) {
    if (call.agent && call.answered) {
      AgentFigures& a = s.agents[*call.agent];
      a.talk_ms += millis(call.ended - *call.answered);
      a.hold_ms += millis(call.hold);
      ++a.talked_calls;
    }
    return;
  }
  std::vector<AgentKey> counted;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const core::Time start = *segments[i]->answered;
    const core::Time end = i + 1 < segments.size() ? *segments[i + 1]->answered : call.ended;
    AgentFigures& a = s.agents[segments[i]->agent];
    a.talk_ms += millis(std::max(end, start) - start);
    a.hold_ms += millis(segments[i]->hold);
    if (std::find(counted.begin(), counted.end(), segments[i]->agent) == counted.end()) {
      counted.push_back(segments[i]->agent);
      ++a.talked_calls;
    }
  }
}

}  // namespace

Statistics computeStatistics(std::span<const CallRecord> calls, std::span<const AgentStateSpan> states,
                             StatsPeriod period, core::Duration service_level) {
  Statistics s;
  for (const CallRecord& call : calls) {
    if (call.direction == CallDirection::kInternal) continue;  // counted nowhere
    if (call.direction == CallDirection::kInbound) {
      if (call.queued && call.menu && *call.menu < kMenuCount && period.contains(*call.queued)) {
        s.org.add(call, service_level);
        s.menus[*call.menu].add(call, service_level);
        if (call.answered && call.agent) ++s.agents[*call.agent].answered;
      }
      for (const OfferRecord& o : call.offers) {
        if (o.outcome == OfferOutcome::kMissed && period.contains(o.at)) ++s.agents[o.agent].missed;
      }
    }
    if (!period.contains(call.arrived)) continue;
    if (call.direction == CallDirection::kInbound) {
      addTalk(s, call);
    } else if (call.agent) {  // the agent's own call
      AgentFigures& a = s.agents[*call.agent];
      ++a.outbound;
      if (call.answered) {
        ++a.outbound_answered;
        a.talk_ms += millis(call.ended - *call.answered);
        a.hold_ms += millis(call.hold);
        ++a.talked_calls;
      }
    }
    for (const CallNote& n : call.notes) ++s.categories[n.category];
  }
  for (const AgentStateSpan& span : states) {
    if (span.state != AgentState::kAfterCallWork && span.state != AgentState::kBreak) continue;
    const core::Time from = std::max(span.since, period.from);
    const core::Time to = std::min(span.until, period.to);
    if (to <= from) continue;
    AgentFigures& a = s.agents[span.agent];
    (span.state == AgentState::kBreak ? a.break_ms : a.acw_ms) += millis(to - from);
  }
  return s;
}

void merge(Statistics& into, const Statistics& from) {
  into.org.merge(from.org);
  for (std::size_t m = 0; m < kMenuCount; ++m) into.menus[m].merge(from.menus[m]);
  for (const auto& [agent, f] : from.agents) into.agents[agent].merge(f);
  for (const auto& [category, n] : from.categories) into.categories[category] += n;
}

core::Time bucketStart(core::Time t, core::Duration bucket) {
  const auto since = t.time_since_epoch();
  auto n = since / bucket;
  if (since % bucket < core::Duration::zero()) --n;  // floor for instants before the epoch
  return core::Time{} + n * bucket;
}

std::vector<StatsBucket> callBuckets(const CallRecord& call, core::Duration bucket, core::Duration service_level) {
  std::vector<core::Time> starts{bucketStart(call.arrived, bucket)};
  if (call.queued) starts.push_back(bucketStart(*call.queued, bucket));
  for (const OfferRecord& o : call.offers) starts.push_back(bucketStart(o.at, bucket));
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  std::vector<StatsBucket> out;
  for (core::Time start : starts) {
    Statistics s = computeStatistics(std::span<const CallRecord>(&call, 1), {}, {start, start + bucket}, service_level);
    if (s.org.inflow == 0 && s.agents.empty() && s.categories.empty()) continue;
    out.push_back(StatsBucket{start, std::move(s)});
  }
  return out;
}

std::vector<StatsBucket> stateBuckets(const AgentStateSpan& span, core::Duration bucket) {
  std::vector<StatsBucket> out;
  if (span.state != AgentState::kAfterCallWork && span.state != AgentState::kBreak) return out;
  for (core::Time start = bucketStart(span.since, bucket); start < span.until; start += bucket) {
    Statistics s = computeStatistics({}, std::span<const AgentStateSpan>(&span, 1), {start, start + bucket},
                                     core::Duration::zero());
    if (!s.agents.empty()) out.push_back(StatsBucket{start, std::move(s)});
  }
  return out;
}

std::vector<CallFigures> hourlyFigures(std::span<const CallRecord> calls, std::span<const StatsPeriod> hours,
                                       core::Duration service_level) {
  std::vector<CallFigures> out(hours.size());
  for (const CallRecord& call : calls) {
    if (call.direction != CallDirection::kInbound || !call.queued || !call.menu || *call.menu >= kMenuCount) continue;
    // The first hour that ends after the queue entry.
    auto it = std::upper_bound(hours.begin(), hours.end(), *call.queued,
                               [](core::Time t, const StatsPeriod& h) { return t < h.to; });
    if (it != hours.end() && it->contains(*call.queued)) out[static_cast<std::size_t>(it - hours.begin())].add(call, service_level);
  }
  return out;
}

}  // namespace sb::acd
