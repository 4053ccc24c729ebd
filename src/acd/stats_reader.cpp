#include "acd/stats_reader.hpp"

#include <algorithm>

namespace sb::acd {

namespace {

core::Time ceilBucket(core::Time t) {
  const core::Time floor = bucketStart(t, kStatsBucket);
  return floor == t ? t : floor + kStatsBucket;
}

core::Result<Statistics> fromRecords(StatsStore& store, const StatsRead& read, StatsPeriod piece) {
  auto calls = store.statsCalls(read.org, piece.from, piece.to);
  if (!calls) return calls.error();
  std::vector<AgentStateSpan> spans;
  if (read.parts & kStatsAgents) {
    auto got = store.stateSpans(read.org, piece.from, piece.to, read.now);
    if (!got) return got.error();
    spans = std::move(*got);
  }
  Statistics s = computeStatistics(*calls, spans, piece, read.service_level);
  if (read.agent) {
    auto mine = s.agents.find(*read.agent);
    std::unordered_map<AgentKey, AgentFigures> only;
    if (mine != s.agents.end()) only.insert(*mine);
    s.agents = std::move(only);
  }
  return s;
}

}  // namespace

core::Result<Statistics> readStatistics(StatsStore& store, const StatsRead& read) {
  const core::Time from = ceilBucket(read.period.from);
  const core::Time to = bucketStart(read.period.to, kStatsBucket);
  if (to <= from) return fromRecords(store, read, read.period);
  auto rolled = store.rolledUp(read.org, from, to, read.now, read.parts, read.agent);
  if (!rolled) return rolled.error();
  if (!*rolled) return fromRecords(store, read, read.period);
  Statistics s = std::move(**rolled);
  for (StatsPeriod edge : {StatsPeriod{read.period.from, from}, StatsPeriod{to, read.period.to}}) {
    if (edge.to <= edge.from) continue;
    auto part = fromRecords(store, read, edge);
    if (!part) return part.error();
    merge(s, *part);
  }
  return s;
}

core::Result<std::vector<CallFigures>> readHourlyFigures(StatsStore& store, OrgId org,
                                                         std::span<const StatsPeriod> hours,
                                                         core::Duration service_level) {
  std::vector<CallFigures> out(hours.size());
  if (hours.empty()) return out;
  const bool aligned = std::all_of(hours.begin(), hours.end(), [](const StatsPeriod& h) {
    return bucketStart(h.from, kStatsBucket) == h.from && bucketStart(h.to, kStatsBucket) == h.to;
  });
  if (aligned) {
    auto buckets = store.rolledUpBuckets(org, hours.front().from, hours.back().to);
    if (!buckets) return buckets.error();
    if (*buckets) {
      std::size_t h = 0;
      for (const auto& [start, figures] : **buckets) {
        while (h < hours.size() && hours[h].to <= start) ++h;
        if (h == hours.size()) break;
        if (hours[h].contains(start)) out[h].merge(figures);
      }
      return out;
    }
  }
  auto calls = store.statsCalls(org, hours.front().from, hours.back().to);
  if (!calls) return calls.error();
  return hourlyFigures(*calls, hours, service_level);
}

}  // namespace sb::acd
