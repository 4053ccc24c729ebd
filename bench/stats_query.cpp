// Statistics query time (issue 7 item 5): one org's call records over a year in SQLite
// (written through the writer's batches, which keep the roll-ups), then the figures of
// `last_30_days` by menu and of the dashboard (today, the agent's own, yesterday and
// today hourly) read as the API reads them — from the roll-ups — and, for comparison,
// recounted from the records; then a full rebuild of the roll-ups. Prints the
// generation rate and p50/p99/max of each.
//
//   build/release/bench/stats_query [RECORDS] [RUNS]   (defaults 1,000,000 and 20)
//
// The records: arrivals spread evenly over 365 days, two menus, 200 agents; 85 %
// answered (wait 0–60 s, talk 30–600 s), the rest abandoned, callbacks or no-agent;
// one offer each (a tenth missed first), a note on half of the answered.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <vector>

#include "acd/statistics.hpp"
#include "acd/stats_reader.hpp"
#include "api/stats_periods.hpp"
#include "store/sqlite_store.hpp"

using namespace sb;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void report(const char* what, std::vector<double> t) {
  std::sort(t.begin(), t.end());
  auto at = [&](double q) { return t[std::min(t.size() - 1, static_cast<std::size_t>(q * static_cast<double>(t.size())))]; };
  std::printf("stats_query: %s runs=%zu p50=%.1fms p99=%.1fms max=%.1fms\n", what, t.size(), at(0.5), at(0.99), t.back());
}

}  // namespace

int main(int argc, char** argv) {
  const long records = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 20;
  if (records < 1000 || records > 100'000'000 || runs < 1 || runs > 1000) {
    std::fprintf(stderr, "usage: stats_query [RECORDS 1000..1e8] [RUNS 1..1000]\n");
    return 2;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("sb-stats-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto opened = store::SqliteStore::open(dir);
  if (!opened) {
    std::fprintf(stderr, "cannot open the store: %s\n", opened.error().message.c_str());
    return 1;
  }
  store::SqliteStore& db = **opened;
  acd::DirectoryImport in;
  acd::OrgImport acme;
  acme.org.name = "Acme";
  acme.org.domain = "acme.example";
  acme.org.timezone = "Asia/Seoul";
  acme.org.country_code = "82";
  acme.org.numbers = {"0215880000"};
  acme.org.categories = {"Orders", "Refunds", "Other"};
  acme.org.menus = {{"1", "Orders"}, {"2", "Billing"}};
  for (int i = 0; i < 200; ++i) {
    acd::AgentImport a;
    a.id = "agent" + std::to_string(i);
    a.name = a.id;
    a.menus = {i % 2 == 0 ? "1" : "2"};
    acme.agents.push_back(a);
  }
  in.orgs.push_back(acme);
  if (auto done = db.applyImport(in, core::fromUnixMillis(0)); !done) {
    std::fprintf(stderr, "import failed: %s\n", done.error().message.c_str());
    return 1;
  }
  const acd::Org org = *db.findOrg("Acme");
  const auto agents = *db.listAgents(org.id);

  const core::Time now = core::fromUnixMillis(1'796'000'000'000);  // a Thursday in December 2026
  const core::Time first = now - std::chrono::hours(24 * 365);
  const auto span_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - first).count();
  std::mt19937_64 random(11);
  std::uniform_int_distribution<int> agent_of(0, static_cast<int>(agents.size()) - 1);
  std::uniform_int_distribution<int> pct(0, 99);
  std::uniform_int_distribution<int> wait_ms(0, 60'000), talk_ms(30'000, 600'000);
  const auto generated_at = Clock::now();
  std::vector<acd::CenterWrite> batch;
  for (long i = 0; i < records; ++i) {
    acd::CallRecord r;
    r.call = static_cast<acd::CallId>(i + 1);
    r.org = org.id;
    r.caller = "010" + std::to_string(10'000'000 + (i * 7919) % 90'000'000);
    r.called = "0215880000";
    r.arrived = first + std::chrono::milliseconds(span_ms * i / records);
    r.menu = static_cast<acd::MenuIndex>(1 + i % 2);
    r.queued = r.arrived + std::chrono::seconds(6);
    const int kind = pct(random);
    const acd::Agent& a = agents[static_cast<std::size_t>(agent_of(random))];
    if (kind < 85) {
      r.answered = *r.queued + std::chrono::milliseconds(wait_ms(random));
      if (pct(random) < 10) r.offers.emplace_back(agents[static_cast<std::size_t>(agent_of(random))].key, *r.queued, acd::OfferOutcome::kMissed);
      r.offers.emplace_back(a.key, *r.answered - std::chrono::seconds(3), acd::OfferOutcome::kAnswered, r.answered);
      r.agent = a.key;
      r.ended = *r.answered + std::chrono::milliseconds(talk_ms(random));
      r.result = acd::CallResult::kAnswered;
      r.end_reason = "hangup";
    } else {
      r.ended = *r.queued + std::chrono::milliseconds(wait_ms(random));
      r.result = kind < 95 ? acd::CallResult::kUnconnected : acd::CallResult::kCallback;
      r.end_reason = kind < 93 ? "hangup" : kind < 95 ? "no_agent" : "callback";
    }
    r.ended_by = "customer";
    batch.push_back(acd::CallCloseWrite{std::move(r)});
    if (batch.size() == 20'000 || i + 1 == records) {
      auto written = db.writeBatch(batch);
      if (!written) {
        std::fprintf(stderr, "write failed: %s\n", written.error().message.c_str());
        return 1;
      }
      batch.clear();
    }
  }
  const double gen_s = ms(Clock::now() - generated_at) / 1000.0;
  std::printf("stats_query: generated %ld records over 365 days in %.1f s (%.0f/s), db %.0f MB\n", records, gen_s,
              static_cast<double>(records) / gen_s,
              static_cast<double>(std::filesystem::file_size(dir / "switchboard.db")) / 1e6);

  const auto sl = std::chrono::seconds(org.service_level_s);
  // The API's reads: the roll-ups of the period's quarter hours (acd::readStatistics),
  // and, for comparison, the same figures recounted from the records.
  std::vector<double> month, dashboard, month_records, dashboard_records;
  std::int64_t checksum = 0;
  auto hoursOf = [&](const acd::StatsPeriod& yesterday, const acd::StatsPeriod& today) {
    auto yh = api::localHours(org.timezone, yesterday.from);
    auto th = api::localHours(org.timezone, today.from);
    std::vector<acd::StatsPeriod> hours = *yh;
    hours.insert(hours.end(), th->begin(), th->end());
    return hours;
  };
  for (int run = 0; run < runs; ++run) {
    const auto p = *api::statsPeriod("last_30_days", org.timezone, now);
    const auto today = *api::statsPeriod("today", org.timezone, now);
    const auto yesterday = *api::statsPeriod("yesterday", org.timezone, now);

    auto t0 = Clock::now();
    auto s = acd::readStatistics(db, {org.id, p, now, sl, acd::kStatsMenus, std::nullopt});
    month.push_back(ms(Clock::now() - t0));
    if (!s) return 1;
    checksum += s->org.inflow;

    t0 = Clock::now();
    auto mine = acd::readStatistics(db, {org.id, today, now, sl, acd::kStatsMenus | acd::kStatsAgents, agents[0].key});
    const auto hours = hoursOf(yesterday, today);
    auto hourly = acd::readHourlyFigures(db, org.id, hours, sl);
    dashboard.push_back(ms(Clock::now() - t0));
    if (!mine || !hourly) return 1;
    checksum += mine->org.inflow + static_cast<std::int64_t>(hourly->size());

    if (run >= std::min(runs, 5)) continue;  // the records are slow: five runs tell enough
    t0 = Clock::now();
    auto calls = db.statsCalls(org.id, p.from, p.to);
    auto spans = db.stateSpans(org.id, p.from, p.to, now);
    const acd::Statistics raw = acd::computeStatistics(*calls, *spans, p, sl);
    month_records.push_back(ms(Clock::now() - t0));
    if (raw.org.inflow != s->org.inflow || raw.org.within_service_level != s->org.within_service_level) {
      std::fprintf(stderr, "the roll-ups and the records disagree\n");
      return 1;
    }
    t0 = Clock::now();
    auto both = db.statsCalls(org.id, yesterday.from, today.to);
    const auto a = acd::hourlyFigures(*both, hours, sl);
    const acd::Statistics t = acd::computeStatistics(*both, {}, today, sl);
    dashboard_records.push_back(ms(Clock::now() - t0));
    checksum += t.org.inflow + static_cast<std::int64_t>(a.size());
  }
  const double per_day = static_cast<double>(records) / 365.0;
  std::printf("stats_query: %.0f calls a day; last_30_days ≈ %.0f calls (checksum %lld)\n", per_day, per_day * 30,
              static_cast<long long>(checksum));
  report("stats?by=menu&period=last_30_days (roll-ups)", month);
  report("dashboard (today, mine, yesterday+today hourly; roll-ups)", dashboard);
  report("stats?by=menu&period=last_30_days (recounted from the records)", month_records);
  report("dashboard (recounted from the records)", dashboard_records);

  // The recount after an upgrade or a new service level: six hours of buckets per write.
  if (auto marked = db.database().write([&](store::Connection& c) {
        return c.exec("INSERT INTO stats_rollups_pending (org_id) VALUES (" + std::to_string(org.id) + ")");
      });
      !marked) {
    return 1;
  }
  std::vector<double> steps;
  const auto rebuild_at = Clock::now();
  for (int i = 0; i < 2000; ++i) {
    const auto t0 = Clock::now();
    auto more = db.rebuildRollupsStep(now);
    steps.push_back(ms(Clock::now() - t0));
    if (!more) return 1;
    if (!*more) break;
  }
  std::printf("stats_query: rebuild of the roll-ups: %zu steps in %.1f s\n", steps.size(),
              ms(Clock::now() - rebuild_at) / 1000.0);
  report("rebuild step (six hours of buckets, one write)", steps);
  std::filesystem::remove_all(dir);
  return 0;
}
