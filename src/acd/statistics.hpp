#pragma once
// The figures of H and J, computed exactly as docs/statistics.md defines them, from the
// call records and agent states of a period. Pure: the caller reads the records (every
// call that arrived or was queued in the period) and cuts the period in the org's time
// zone; this adds them up.
//
// The per-call additions are separate (CallFigures::add, AgentFigures) so that roll-ups
// kept per hour can be built from the same rules and merged (merge()): the sums and
// maxima merge exactly, and the ratios and averages are derived from them.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "acd/agent_state.hpp"
#include "acd/call_center.hpp"
#include "core/clock.hpp"

namespace sb::acd {

struct StatsPeriod {  // [from, to)
  core::Time from{};
  core::Time to{};
  bool contains(core::Time t) const { return t >= from && t < to; }
};

// Inflow figures of a menu or of the org.
struct CallFigures {
  std::int64_t inflow = 0;
  std::int64_t answered = 0;
  std::int64_t abandoned = 0, callback = 0, no_agent = 0, other = 0;  // the reasons of unconnected
  std::int64_t within_service_level = 0;  // answered with wait <= the org's service level
  std::int64_t wait_ms = 0, wait_answered_ms = 0;  // sums
  std::optional<std::int64_t> max_wait_ms, max_wait_answered_ms;

  std::int64_t unconnected() const { return abandoned + callback + no_agent + other; }
  std::optional<double> answerRate() const;          // answered / inflow
  std::optional<double> serviceLevel() const;        // within / answered (the guide's, J5)
  std::optional<double> serviceLevelInflow() const;  // within / inflow (industry form)
  std::optional<std::int64_t> avgWaitMs() const;     // over the inflow, rounded half up
  std::optional<std::int64_t> avgWaitAnsweredMs() const;

  // One inflow (an inbound record with `queued` and `menu`).
  void add(const CallRecord& call, core::Duration service_level);
  void merge(const CallFigures& other);
  bool operator==(const CallFigures&) const = default;
};

struct AgentFigures {
  std::int64_t answered = 0;  // inflow the agent answered first
  std::int64_t outbound = 0, outbound_answered = 0;
  std::int64_t talk_ms = 0, talked_calls = 0, hold_ms = 0;
  std::int64_t acw_ms = 0, break_ms = 0;
  std::int64_t missed = 0;
  std::optional<std::int64_t> avgTalkMs() const;  // talk_ms / talked_calls, rounded half up
  void merge(const AgentFigures& other);
  bool operator==(const AgentFigures&) const = default;
};

// An agent's state from `since` until `until` (the next change, or now).
struct AgentStateSpan {
  AgentKey agent = 0;
  AgentState state = AgentState::kOffline;
  core::Time since{};
  core::Time until{};
};

struct Statistics {
  CallFigures org;
  std::array<CallFigures, kMenuCount> menus{};
  std::unordered_map<AgentKey, AgentFigures> agents;
  std::map<std::string, std::int64_t> categories;  // notes per category ("" for none)
};

// `calls`: every ended call of the org that was queued or arrived in the period (others
// are ignored); `states`: the agents' state spans that overlap it.
Statistics computeStatistics(std::span<const CallRecord> calls, std::span<const AgentStateSpan> states,
                             StatsPeriod period, core::Duration service_level);

// Roll-ups: statistics kept per time bucket and summed over the buckets of a period give
// the period's statistics exactly. The store keeps quarter hours: every zone's midnight
// and hour (UTC+5:45 included) falls on one.
inline constexpr core::Duration kStatsBucket = std::chrono::minutes(15);
// The start of the bucket `t` falls in (a multiple of `bucket` since the epoch).
core::Time bucketStart(core::Time t, core::Duration bucket);
struct StatsBucket {
  core::Time start{};  // a multiple of the bucket length since the epoch
  Statistics stats;
};
void merge(Statistics& into, const Statistics& from);
// What one ended call adds to the buckets its instants (queue entry, arrival, offers'
// starts) fall in; what one state span adds (its after-call and break time, split at
// bucket edges). Both by the very rules of computeStatistics.
std::vector<StatsBucket> callBuckets(const CallRecord& call, core::Duration bucket, core::Duration service_level);
std::vector<StatsBucket> stateBuckets(const AgentStateSpan& span, core::Duration bucket);


// H4: the inflow figures of each of `hours` (consecutive ranges, in order) by queue entry.
std::vector<CallFigures> hourlyFigures(std::span<const CallRecord> calls, std::span<const StatsPeriod> hours,
                                       core::Duration service_level);

}  // namespace sb::acd
