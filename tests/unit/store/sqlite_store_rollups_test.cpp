// Issue 7 item 5: the statistics' roll-ups, kept as records are written, agree with a
// full recount of the records (acd::computeStatistics over statsCalls and stateSpans)
// for any period: random calls of every kind (transfers, missed offers, callbacks,
// abandons, calls across midnight, waits of exactly the service level), notes written
// and moved to another category, agents' states, calls a crash left open — all through
// the store's real write paths. Also: a rebuild (after the migration, or a new service
// level) recounts the same figures, and the records answer meanwhile.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "acd/stats_reader.hpp"
#include "store/sqlite_store.hpp"
#include "support/statistics_text.hpp"
#include "unit/store/store_fixture.hpp"

namespace sb::store {
namespace {

using sb::testing::describe;

using acd::AgentState;
using acd::CallResult;
using acd::OfferOutcome;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::agent;
using testing::kNow;
using testing::org;

constexpr int kAgents = 6;
const core::Time kStart = kNow - hours(72);  // the records cover [kStart, kEnd)
const core::Time kEnd = kNow;
const core::Time kLater = kEnd + hours(1);  // "now" for the reads: after every record

std::map<acd::AgentKey, acd::AgentFigures> nonZero(const std::unordered_map<acd::AgentKey, acd::AgentFigures>& m) {
  std::map<acd::AgentKey, acd::AgentFigures> out;
  for (const auto& [k, f] : m) {
    if (!(f == acd::AgentFigures{})) out.emplace(k, f);
  }
  return out;
}

void expectSame(const acd::Statistics& want, const acd::Statistics& got, const std::string& where) {
  EXPECT_EQ(describe(want.org), describe(got.org)) << where;
  for (std::size_t m = 0; m < acd::kMenuCount; ++m) {
    EXPECT_EQ(describe(want.menus[m]), describe(got.menus[m])) << where << " menu " << m;
  }
  const auto a = nonZero(want.agents), b = nonZero(got.agents);
  std::map<acd::AgentKey, std::string> wa, ga;
  for (const auto& [k, f] : a) wa[k] = describe(f);
  for (const auto& [k, f] : b) ga[k] = describe(f);
  EXPECT_EQ(wa, ga) << where;
  EXPECT_EQ(want.categories, got.categories) << where;
}

class RollupsTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    acd::DirectoryImport in;
    acd::Org acme = org("Acme", "acme.example", {}, {{"1", "Sales"}, {"2", "Support"}, {"3", "Billing"}});
    std::vector<acd::AgentImport> agents;
    for (int i = 0; i < kAgents; ++i) agents.push_back(agent("a" + std::to_string(i), {"1", "2", "3"}));
    in.orgs.push_back({acme, agents});
    import(in);
    acme_ = orgId("Acme");
    for (int i = 0; i < kAgents; ++i) keys_.push_back(findAgent("Acme", "a" + std::to_string(i)).key);
  }

  core::Time at(std::mt19937_64& r, core::Time from, core::Duration span) {
    const auto ms = std::chrono::duration_cast<milliseconds>(span).count();
    return from + milliseconds(std::uniform_int_distribution<std::int64_t>(0, ms - 1)(r));
  }
  acd::AgentKey anyAgent(std::mt19937_64& r) {
    return keys_[std::uniform_int_distribution<std::size_t>(0, keys_.size() - 1)(r)];
  }
  int pct(std::mt19937_64& r) { return std::uniform_int_distribution<int>(0, 99)(r); }

  // One random ended call (its notes are written apart).
  acd::CallRecord randomCall(std::mt19937_64& r, acd::CallId id) {
    acd::CallRecord c;
    c.call = id;
    c.org = acme_;
    c.caller = "0101234" + std::to_string(1000 + id);
    c.called = "0215880000";
    c.ended_by = "customer";
    c.end_reason = "hangup";
    // Arrivals cluster around local midnights (15:00 UTC) now and then.
    c.arrived = pct(r) < 30 ? at(r, kStart + hours(15 + 24 * (pct(r) % 3)) - minutes(20), minutes(40))
                            : at(r, kStart, hours(70));
    const int kind = pct(r);
    if (kind < 8) {  // outbound, or internal
      c.direction = kind < 6 ? acd::CallDirection::kOutbound : acd::CallDirection::kInternal;
      c.agent = anyAgent(r);
      if (pct(r) < 70) {
        c.answered = c.arrived + seconds(pct(r) % 20);
        c.ended = *c.answered + seconds(std::uniform_int_distribution<int>(1, 900)(r));
        c.result = CallResult::kAnswered;
        c.hold = seconds(pct(r) % 3 == 0 ? 30 : 0);
      } else {
        c.ended = c.arrived + seconds(25);
        c.result = CallResult::kUnconnected;
      }
      return c;
    }
    if (kind < 12) {  // left in the voice menu: no queue
      c.ended = c.arrived + seconds(12);
      c.result = CallResult::kUnconnected;
      return c;
    }
    c.menu = static_cast<acd::MenuIndex>(1 + pct(r) % 3);
    c.queued = c.arrived + milliseconds(std::uniform_int_distribution<int>(3'000, 15'000)(r));
    // Waits: often exactly the service level (20 s), or a hair either side of it.
    const int w = pct(r);
    const milliseconds wait = w < 10 ? milliseconds(20'000) : w < 15 ? milliseconds(20'001)
                                                                      : milliseconds(std::uniform_int_distribution<int>(0, 120'000)(r));
    const int fate = pct(r);
    if (fate < 65) {
      core::Time t = *c.queued;
      if (pct(r) < 25) {  // a missed offer first
        c.offers.emplace_back(anyAgent(r), t + wait / 3, OfferOutcome::kMissed);
      }
      const acd::AgentKey first = anyAgent(r);
      c.answered = *c.queued + wait;
      c.offers.emplace_back(first, *c.answered - seconds(2), OfferOutcome::kAnswered, c.answered,
                            seconds(pct(r) % 4 == 0 ? 40 : 0));
      c.agent = first;
      t = *c.answered + seconds(std::uniform_int_distribution<int>(5, 3'000)(r));
      if (pct(r) < 20) {  // a transfer
        const acd::AgentKey second = anyAgent(r);
        c.offers.emplace_back(second, t, OfferOutcome::kAnswered, t + seconds(4), seconds(pct(r) % 2 == 0 ? 15 : 0));
        t += seconds(std::uniform_int_distribution<int>(5, 2'000)(r));
      }
      for (const auto& o : c.offers) c.hold += o.hold;
      c.ended = t;
      c.result = CallResult::kAnswered;
      c.ended_by = pct(r) < 50 ? "agent" : "customer";
    } else {
      c.ended = *c.queued + wait;
      if (pct(r) < 30) c.offers.emplace_back(anyAgent(r), *c.queued + wait / 2, OfferOutcome::kMissed);
      if (fate < 80) {
        c.result = CallResult::kUnconnected;
      } else if (fate < 86) {
        c.result = CallResult::kUnconnected;
        c.end_reason = "no_agent";
      } else if (fate < 93) {
        c.result = CallResult::kCallback;
        c.end_reason = "callback";
      } else if (fate < 97) {
        c.result = CallResult::kNoAgent;
        c.end_reason = "no_agent";
      } else {
        c.result = CallResult::kFailed;
        c.end_reason = "media_timeout";
      }
    }
    return c;
  }

  // Writes `count` random calls, their notes and the agents' states; leaves `open`
  // calls in progress and then closes them as a restart does.
  void writeRandom(std::uint64_t seed, int count, int open) {
    std::mt19937_64 r(seed);
    const std::vector<std::string> categories{"Order", "Complaint", "Other", "Retired category"};
    for (int i = 0; i < count; ++i) {
      acd::CallRecord c = randomCall(r, static_cast<acd::CallId>(1000 + i));
      std::vector<acd::CenterWrite> writes;
      if (pct(r) < 50) {  // opened on arrival, closed at the end; else closed at once
        acd::CallRecord opened = c;
        opened.offers.clear();
        opened.answered.reset();
        opened.agent.reset();
        writes.push_back(acd::CallOpenWrite{opened});
      }
      writes.push_back(acd::CallCloseWrite{c});
      auto written = store_->writeBatch(writes);
      ASSERT_TRUE(written.ok());
      for (const auto& w : *written) ASSERT_TRUE(w.ok()) << w.error().message;
      if (!c.answered || pct(r) < 30) continue;
      // A note by whoever spoke last, sometimes moved to another category later.
      const acd::AgentKey author = c.offers.empty() ? *c.agent : c.offers.back().agent;
      for (int n = 0, times = pct(r) < 25 ? 2 : 1; n < times; ++n) {
        acd::NoteWrite note{acme_, c.call, author, categories[static_cast<std::size_t>(pct(r)) % categories.size()],
                            "note", c.ended + minutes(1 + n)};
        ASSERT_TRUE(store_->saveNote(note).ok());
      }
    }
    for (int i = 0; i < open; ++i) {
      acd::CallRecord c = randomCall(r, static_cast<acd::CallId>(5000 + i));
      c.answered.reset();
      c.agent.reset();
      c.offers.clear();
      ASSERT_TRUE(store_->openCall(c).ok());
    }
    auto closed = store_->closeInterrupted(kEnd - minutes(7));
    ASSERT_TRUE(closed.ok());
    EXPECT_EQ(*closed, static_cast<std::size_t>(open));
    // Each agent's day: states one after another, some spans across bucket edges and
    // midnight; some agents stay on a break or in after-call work (still going on).
    for (acd::AgentKey a : keys_) {
      AgentState state = AgentState::kOffline;
      core::Time t = kStart + minutes(pct(r));
      const std::array<AgentState, 6> next{AgentState::kReady, AgentState::kBreak, AgentState::kAfterCallWork,
                                           AgentState::kOnCall, AgentState::kOffline, AgentState::kRinging};
      while (t < kEnd - hours(2)) {
        const AgentState to = next[static_cast<std::size_t>(pct(r)) % next.size()];
        if (to == state) continue;
        ASSERT_TRUE(store_->recordAgentState(acme_, a, {state, to, t, acd::StateCause::kRequest}).ok());
        state = to;
        t += milliseconds(std::uniform_int_distribution<std::int64_t>(1'000, 3 * 3'600'000)(r));
      }
    }
  }

  acd::Statistics recount(acd::StatsPeriod p, core::Duration sl) {
    auto calls = store_->statsCalls(acme_, p.from, p.to);
    auto spans = store_->stateSpans(acme_, p.from, p.to, kLater);
    EXPECT_TRUE(calls.ok() && spans.ok());
    if (!calls.ok() || !spans.ok()) return {};
    return acd::computeStatistics(*calls, *spans, p, sl);
  }

  // Quarter-hour-aligned periods: local days, weeks, single buckets, random spans
  // (partly outside the records).
  std::vector<acd::StatsPeriod> alignedPeriods(std::mt19937_64& r) {
    std::vector<acd::StatsPeriod> out;
    const core::Time midnight = kStart + hours(15) - hours(24);  // Asia/Seoul midnights: 15:00 UTC
    for (int d = 0; d < 5; ++d) out.push_back({midnight + hours(24 * d), midnight + hours(24 * (d + 1))});
    out.push_back({midnight, midnight + hours(24 * 7)});
    for (int i = 0; i < 40; ++i) {
      const core::Time a = acd::bucketStart(at(r, kStart - hours(2), hours(76)), acd::kStatsBucket);
      const core::Time b = a + acd::kStatsBucket * std::uniform_int_distribution<int>(1, 300)(r);
      out.push_back({a, b});
    }
    return out;
  }

  void expectRollupsMatch(std::uint64_t seed, core::Duration sl) {
    std::mt19937_64 r(seed);
    for (const acd::StatsPeriod& p : alignedPeriods(r)) {
      const std::string where = "period " + core::toRfc3339(p.from) + " / " + core::toRfc3339(p.to);
      auto rolled = store_->rolledUp(acme_, p.from, p.to, kLater, acd::kStatsAll, std::nullopt);
      ASSERT_TRUE(rolled.ok()) << rolled.error().message;
      ASSERT_TRUE(rolled->has_value()) << "the roll-ups should be current";
      expectSame(recount(p, sl), **rolled, where);
    }
    // An admin's own range ends anywhere: roll-ups in the middle, records at the ends.
    for (int i = 0; i < 30; ++i) {
      const core::Time a = at(r, kStart - hours(1), hours(74));
      const acd::StatsPeriod p{a, a + milliseconds(std::uniform_int_distribution<std::int64_t>(1, 40 * 3'600'000)(r))};
      auto got = acd::readStatistics(*store_, acd::StatsRead{acme_, p, kLater, sl, acd::kStatsAll, std::nullopt});
      ASSERT_TRUE(got.ok()) << got.error().message;
      expectSame(recount(p, sl), *got, "range " + core::toRfc3339(p.from) + " / " + core::toRfc3339(p.to));
    }
  }

  void setServiceLevel(int seconds_) {
    acd::DirectoryImport in;
    acd::Org acme = org("Acme", "acme.example", {}, {{"1", "Sales"}, {"2", "Support"}, {"3", "Billing"}});
    acme.service_level_s = seconds_;
    in.orgs.push_back({acme, {}});
    import(in);
  }

  int rebuild() {
    int steps = 0;
    for (; steps < 1000; ++steps) {
      auto more = store_->rebuildRollupsStep(kLater);
      EXPECT_TRUE(more.ok()) << more.error().message;
      if (!more.ok() || !*more) break;
    }
    return steps;
  }

  acd::OrgId acme_ = 0;
  std::vector<acd::AgentKey> keys_;
};

class RollupsRandomTest : public RollupsTest, public ::testing::WithParamInterface<std::uint64_t> {};

TEST_P(RollupsRandomTest, AgreeWithAFullRecountOfTheRecords) {
  writeRandom(GetParam(), 400, 5);
  expectRollupsMatch(GetParam() * 7, seconds(20));
}

INSTANTIATE_TEST_SUITE_P(Seeds, RollupsRandomTest, ::testing::Values(1u, 2u, 3u));

TEST_F(RollupsTest, TheDashboardsHoursAndOneAgentsFiguresAgreeToo) {
  writeRandom(11, 300, 0);
  std::vector<acd::StatsPeriod> hours_list;
  for (core::Time t = kStart - hours(1); t < kEnd + hours(1); t += hours(1)) hours_list.push_back({t, t + hours(1)});
  auto rolled = acd::readHourlyFigures(*store_, acme_, hours_list, seconds(20));
  ASSERT_TRUE(rolled.ok());
  auto calls = store_->statsCalls(acme_, hours_list.front().from, hours_list.back().to);
  ASSERT_TRUE(calls.ok());
  const auto want = acd::hourlyFigures(*calls, hours_list, seconds(20));
  ASSERT_EQ(want.size(), rolled->size());
  std::int64_t inflow = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(describe(want[i]), describe((*rolled)[i])) << "hour " << i;
    inflow += want[i].inflow;
  }
  EXPECT_GT(inflow, 200);  // the data did land in these hours

  const acd::StatsPeriod day{kStart + hours(15), kStart + hours(39)};
  for (acd::AgentKey a : keys_) {
    auto mine = acd::readStatistics(*store_, {acme_, day, kLater, seconds(20), acd::kStatsAgents, a});
    ASSERT_TRUE(mine.ok());
    const acd::Statistics all = recount(day, seconds(20));
    auto it = all.agents.find(a);
    ASSERT_NE(it, all.agents.end());
    ASSERT_EQ(mine->agents.size(), 1u);
    EXPECT_EQ(describe(it->second), describe(mine->agents.at(a)));
  }
}

TEST_F(RollupsTest, ANewServiceLevelIsReadFromTheRecordsUntilTheRebuildRecountsIt) {
  writeRandom(5, 300, 2);
  const acd::StatsPeriod p{kStart + hours(15), kStart + hours(63)};
  const auto before = acd::readStatistics(*store_, {acme_, p, kLater, seconds(20), acd::kStatsAll, std::nullopt});
  ASSERT_TRUE(before.ok());
  setServiceLevel(45);
  auto pending = store_->rolledUp(acme_, p.from, p.to, kLater, acd::kStatsAll, std::nullopt);
  ASSERT_TRUE(pending.ok());
  EXPECT_FALSE(pending->has_value()) << "a rebuild is due: the roll-ups hold the old service level";
  auto meanwhile = acd::readStatistics(*store_, {acme_, p, kLater, seconds(45), acd::kStatsAll, std::nullopt});
  ASSERT_TRUE(meanwhile.ok());
  expectSame(recount(p, seconds(45)), *meanwhile, "while rebuilding");
  EXPECT_GT(meanwhile->org.within_service_level, before->org.within_service_level);

  // A call that closes in the middle of the rebuild counts once.
  ASSERT_TRUE(store_->rebuildRollupsStep(kLater).ok());
  std::mt19937_64 r(99);
  acd::CallRecord late = randomCall(r, 9000);
  late.arrived = kEnd - hours(1);
  late.direction = acd::CallDirection::kInbound;
  late.menu = 2;
  late.queued = late.arrived + seconds(5);
  late.answered = *late.queued + seconds(30);
  late.agent = keys_[0];
  late.offers = {acd::OfferRecord(keys_[0], *late.answered - seconds(1), OfferOutcome::kAnswered, late.answered)};
  late.hold = {};
  late.ended = *late.answered + minutes(3);
  late.result = CallResult::kAnswered;
  ASSERT_TRUE(store_->closeCall(late).ok());

  const int steps = rebuild();
  EXPECT_GE(steps, 3);  // six hours at a time
  expectRollupsMatch(13, seconds(45));
}

TEST_F(RollupsTest, ARebuildFromNothingGivesWhatTheWritesKept) {
  writeRandom(21, 300, 3);
  ASSERT_TRUE(store_->database()
                  .write([&](Connection& c) -> core::Result<void> {
                    // As the migration leaves a database that has records and no roll-ups.
                    for (std::string_view sql : {"DELETE FROM stats_menu_buckets", "DELETE FROM stats_agent_buckets",
                                                 "DELETE FROM stats_category_buckets"}) {
                      if (auto r = c.exec(sql); !r) return r.error();
                    }
                    return c.exec("INSERT INTO stats_rollups_pending (org_id) SELECT id FROM orgs");
                  })
                  .ok());
  auto pending = store_->rolledUp(acme_, kStart, kEnd, kLater, acd::kStatsAll, std::nullopt);
  ASSERT_TRUE(pending.ok());
  EXPECT_FALSE(pending->has_value());
  rebuild();
  expectRollupsMatch(23, seconds(20));
  auto more = store_->rebuildRollupsStep(kLater);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
}

TEST_F(RollupsTest, ARecordClosesOnceAndItsSecondCloseChangesNothing) {
  std::mt19937_64 r(3);
  acd::CallRecord c = randomCall(r, 77);
  c.direction = acd::CallDirection::kInbound;
  c.menu = 1;
  c.queued = c.arrived + seconds(4);
  c.answered.reset();
  c.agent.reset();
  c.offers.clear();
  c.ended = *c.queued + seconds(9);
  c.result = CallResult::kUnconnected;
  ASSERT_TRUE(store_->closeCall(c).ok());
  const acd::StatsPeriod p{acd::bucketStart(c.arrived, hours(24)), acd::bucketStart(c.arrived, hours(24)) + hours(24)};
  auto first = store_->rolledUp(acme_, p.from, p.to, kLater, acd::kStatsMenus, std::nullopt);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((**first).org.inflow, 1);
  auto again = store_->closeCall(c);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
  auto second = store_->rolledUp(acme_, p.from, p.to, kLater, acd::kStatsMenus, std::nullopt);
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((**second).org.inflow, 1);
}

}  // namespace
}  // namespace sb::store
