// Issue 7 item 4: the statistics of a hand-worked fixture (tests/data/statistics/
// fixture.json: 27 calls and the agents' states in Asia/Seoul across midnight, a week
// and a month edge, with every expected figure worked out by hand in its "how") come out
// exactly, for every period, through the same code the API uses: the periods cut in the
// org's zone (statsPeriod) and the figures added up (acd::computeStatistics).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "acd/statistics.hpp"
#include "acd/stats_reader.hpp"
#include "api/stats_periods.hpp"
#include "store/sqlite_store.hpp"
#include "support/source_dir.hpp"
#include "support/statistics_text.hpp"
#include "support/temp_dir.hpp"

namespace sb::api {
namespace {

using sb::testing::describe;

using boost::json::object;
using boost::json::value;

core::Time instant(const value& v) {
  auto t = core::parseRfc3339(std::string(v.as_string()));
  EXPECT_TRUE(t.has_value()) << v;
  return t.value_or(core::Time{});
}

std::optional<core::Time> maybeInstant(const value& v) {
  if (v.is_null()) return std::nullopt;
  return instant(v);
}

class StatisticsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string text = testing::readSourceFile("tests/data/statistics/fixture.json");
    ASSERT_FALSE(text.empty());
    fixture_ = boost::json::parse(text).as_object();
    const object& org = fixture_.at("org").as_object();
    zone_ = std::string(org.at("timezone").as_string());
    service_level_ = std::chrono::seconds(org.at("service_level_s").as_int64());
    for (const value& a : fixture_.at("agents").as_array()) {
      const std::string id(a.at("id").as_string());
      key_[id] = a.at("key").as_int64();
      id_[a.at("key").as_int64()] = id;
    }
    now_ = instant(fixture_.at("now"));
    for (const value& v : fixture_.at("calls").as_array()) calls_.push_back(record(v.as_object()));
    // Each agent's entries in order: a state holds until the agent's next entry (or now).
    std::map<acd::AgentKey, std::vector<acd::AgentStateSpan>> by_agent;
    for (const value& v : fixture_.at("states").as_array()) {
      const object& s = v.as_object();
      auto state = acd::parseAgentState(std::string(s.at("state").as_string()));
      ASSERT_TRUE(state) << s;
      auto& list = by_agent[key_.at(std::string(s.at("agent").as_string()))];
      const core::Time since = instant(s.at("since"));
      if (!list.empty()) list.back().until = since;
      list.push_back(acd::AgentStateSpan{key_.at(std::string(s.at("agent").as_string())), *state, since, now_});
    }
    for (auto& [agent, list] : by_agent) states_.insert(states_.end(), list.begin(), list.end());
  }

  acd::CallRecord record(const object& c) {
    acd::CallRecord r;
    r.call = static_cast<acd::CallId>(c.at("id").as_int64());
    r.direction = *acd::parseCallDirection(std::string(c.at("direction").as_string()));
    if (!c.at("menu").is_null()) r.menu = static_cast<acd::MenuIndex>(c.at("menu").as_string()[0] - '0');
    r.arrived = instant(c.at("arrived"));
    r.queued = maybeInstant(c.at("queued"));
    r.answered = maybeInstant(c.at("answered"));
    r.ended = instant(c.at("ended"));
    r.result = *acd::parseCallResult(std::string(c.at("result").as_string()));
    r.end_reason = std::string(c.at("end_reason").as_string());
    if (!c.at("agent").is_null()) r.agent = key_.at(std::string(c.at("agent").as_string()));
    for (const value& v : c.at("offers").as_array()) {
      const object& o = v.as_object();
      r.offers.emplace_back(key_.at(std::string(o.at("agent").as_string())), instant(o.at("at")),
                            *acd::parseOfferOutcome(std::string(o.at("outcome").as_string())),
                            maybeInstant(o.at("answered")), std::chrono::milliseconds(o.at("hold_ms").as_int64()));
      r.hold += r.offers.back().hold;
    }
    for (const value& v : c.at("notes").as_array()) {
      const object& n = v.as_object();
      acd::CallNote note;
      note.author = key_.at(std::string(n.at("author").as_string()));
      note.category = n.at("category").is_null() ? "" : std::string(n.at("category").as_string());
      r.notes.push_back(note);
    }
    return r;
  }

  acd::StatsPeriod periodOf(const std::string& name) {
    if (name.rfind("range:", 0) == 0) {
      const std::string range = name.substr(6);
      const auto slash = range.find('/');
      return acd::StatsPeriod{*core::parseRfc3339(range.substr(0, slash)), *core::parseRfc3339(range.substr(slash + 1))};
    }
    auto p = statsPeriod(name, zone_, now_);
    EXPECT_TRUE(p.ok()) << name;
    return p.ok() ? *p : acd::StatsPeriod{};
  }

  object fixture_;
  std::string zone_;
  core::Duration service_level_{};
  std::map<std::string, acd::AgentKey> key_;
  std::map<acd::AgentKey, std::string> id_;
  core::Time now_{};
  std::vector<acd::CallRecord> calls_;
  std::vector<acd::AgentStateSpan> states_;
};

void expectCount(const object& want, const char* name, std::int64_t got, const std::string& where) {
  EXPECT_EQ(want.at(name).as_int64(), got) << where << " " << name << "\n" << want.at("how").as_string();
}

void expectOptional(const object& want, const char* name, const std::optional<std::int64_t>& got,
                    const std::string& where) {
  const value& w = want.at(name);
  if (w.is_null()) {
    EXPECT_FALSE(got.has_value()) << where << " " << name << " = " << got.value_or(-1) << ", expected null";
  } else {
    EXPECT_EQ(got, std::optional<std::int64_t>(w.as_int64())) << where << " " << name << "\n" << want.at("how").as_string();
  }
}

void expectRatio(const object& want, const char* name, const std::optional<double>& got, const std::string& where) {
  const value& w = want.at(name);
  if (w.is_null()) {
    EXPECT_FALSE(got.has_value()) << where << " " << name << " = " << got.value_or(-1) << ", expected null";
    return;
  }
  ASSERT_TRUE(got.has_value()) << where << " " << name;
  EXPECT_NEAR(*got, w.to_number<double>(), 5e-7) << where << " " << name << "\n" << want.at("how").as_string();
}

void expectCalls(const object& want, const acd::CallFigures& f, const std::string& where) {
  expectCount(want, "inflow", f.inflow, where);
  expectCount(want, "answered", f.answered, where);
  expectCount(want, "unconnected", f.unconnected(), where);
  expectCount(want, "abandoned", f.abandoned, where);
  expectCount(want, "callback", f.callback, where);
  expectCount(want, "no_agent", f.no_agent, where);
  expectCount(want, "other", f.other, where);
  expectRatio(want, "answer_rate", f.answerRate(), where);
  expectRatio(want, "service_level", f.serviceLevel(), where);
  expectRatio(want, "service_level_inflow", f.serviceLevelInflow(), where);
  expectOptional(want, "avg_wait_ms", f.avgWaitMs(), where);
  expectOptional(want, "max_wait_ms", f.max_wait_ms, where);
  expectOptional(want, "avg_wait_answered_ms", f.avgWaitAnsweredMs(), where);
  expectOptional(want, "max_wait_answered_ms", f.max_wait_answered_ms, where);
}

TEST_F(StatisticsFixture, EveryFigureOfEveryPeriodIsTheHandWorkedOne) {
  const object& expected = fixture_.at("expected").as_object();
  ASSERT_GE(expected.size(), 6u);
  for (const auto& [period_name, v] : expected) {
    const std::string name(period_name);
    const object& want = v.as_object();
    SCOPED_TRACE(name);
    const acd::StatsPeriod period = periodOf(name);
    EXPECT_EQ(core::toRfc3339(period.from), want.at("from").as_string()) << want.at("how").as_string();
    EXPECT_EQ(core::toRfc3339(period.to), want.at("to").as_string()) << want.at("how").as_string();
    const acd::Statistics s = acd::computeStatistics(calls_, states_, period, service_level_);

    expectCalls(want.at("org").as_object(), s.org, name + " org");
    for (const auto& [digit, m] : want.at("menus").as_object()) {
      expectCalls(m.as_object(), s.menus[static_cast<std::size_t>(digit[0] - '0')], name + " menu " + std::string(digit));
    }
    for (const auto& [agent_id, a] : want.at("agents").as_object()) {
      const std::string where = name + " agent " + std::string(agent_id);
      auto it = s.agents.find(key_.at(std::string(agent_id)));
      const acd::AgentFigures f = it == s.agents.end() ? acd::AgentFigures{} : it->second;
      const object& w = a.as_object();
      expectCount(w, "answered", f.answered, where);
      expectCount(w, "outbound", f.outbound, where);
      expectCount(w, "outbound_answered", f.outbound_answered, where);
      expectCount(w, "talk_ms", f.talk_ms, where);
      expectOptional(w, "avg_talk_ms", f.avgTalkMs(), where);
      expectCount(w, "hold_ms", f.hold_ms, where);
      expectCount(w, "acw_ms", f.acw_ms, where);
      expectCount(w, "break_ms", f.break_ms, where);
      expectCount(w, "missed", f.missed, where);
    }
    std::map<std::string, std::int64_t> want_categories;
    for (const auto& [category, n] : want.at("categories").as_object()) {
      want_categories[std::string(category)] = n.as_int64();
    }
    const std::map<std::string, std::int64_t> got_categories(s.categories.begin(), s.categories.end());
    EXPECT_EQ(got_categories, want_categories)
        << (want.contains("categories_how") ? want.at("categories_how").as_string() : "");
  }
}

// Roll-ups: every call's and state span's 15-minute buckets, summed over a period's
// buckets, give exactly what is computed over the period (local midnights are on
// quarter hours in every zone).
TEST_F(StatisticsFixture, QuarterHourBucketsAddUpToEveryPeriod) {
  const auto quarter = std::chrono::minutes(15);
  std::vector<acd::StatsBucket> buckets;
  for (const acd::CallRecord& c : calls_) {
    for (auto& b : acd::callBuckets(c, quarter, service_level_)) buckets.push_back(std::move(b));
  }
  for (const acd::AgentStateSpan& span : states_) {
    for (auto& b : acd::stateBuckets(span, quarter)) buckets.push_back(std::move(b));
  }
  ASSERT_GT(buckets.size(), calls_.size());  // calls, their offers and states span several
  for (const auto& [period_name, v] : fixture_.at("expected").as_object()) {
    const std::string name(period_name);
    SCOPED_TRACE(name);
    const acd::StatsPeriod period = periodOf(name);
    acd::Statistics summed;
    for (const acd::StatsBucket& b : buckets) {
      if (period.contains(b.start)) acd::merge(summed, b.stats);
    }
    const acd::Statistics direct = acd::computeStatistics(calls_, states_, period, service_level_);
    EXPECT_EQ(summed.org, direct.org);
    EXPECT_EQ(summed.menus, direct.menus);
    EXPECT_EQ(summed.agents, direct.agents);
    EXPECT_EQ(summed.categories, direct.categories);
  }
}

// An agent's non-zero figures by agent ID: a store may list an agent with nothing.
std::map<std::string, std::string> agentFigures(const std::unordered_map<acd::AgentKey, acd::AgentFigures>& agents,
                                                const std::map<acd::AgentKey, std::string>& id_of) {
  std::map<std::string, std::string> out;
  for (const auto& [key, f] : agents) {
    if (f == acd::AgentFigures{}) continue;
    auto it = id_of.find(key);
    out[it == id_of.end() ? "key " + std::to_string(key) : it->second] = describe(f);
  }
  return out;
}

// The store's roll-ups: the fixture's records written through the store's real write
// paths (each call closed in a batch, its notes saved apart, every agent's states
// recorded in order) and read back per period (acd::readStatistics) give exactly the
// hand-verified computation over the records.
TEST_F(StatisticsFixture, RollUpsInTheStoreGiveTheHandWorkedFigures) {
  sb::testing::TempDir dir;
  auto opened = store::SqliteStore::open(dir.path());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  store::SqliteStore& store = **opened;

  const object& fixture_org = fixture_.at("org").as_object();
  acd::OrgImport org_import;
  org_import.org.name = "Fixture";
  org_import.org.domain = "fixture.example";
  org_import.org.timezone = zone_;
  org_import.org.country_code = "82";
  org_import.org.service_level_s = static_cast<int>(fixture_org.at("service_level_s").as_int64());
  for (const value& m : fixture_org.at("menus").as_array()) {
    org_import.org.menus.push_back(
        acd::Menu{std::string(m.at("digit").as_string()), std::string(m.at("name").as_string())});
  }
  for (const value& c : fixture_org.at("categories").as_array()) {
    org_import.org.categories.emplace_back(c.as_string());
  }
  std::vector<std::string> digits;
  for (const acd::Menu& m : org_import.org.menus) digits.push_back(m.digit);
  for (const auto& [id, key] : key_) {
    acd::AgentImport a;
    a.id = id;
    a.name = "Agent " + id;
    a.menus = digits;
    org_import.agents.push_back(a);
  }
  acd::DirectoryImport import;
  import.orgs.push_back(org_import);
  auto imported = store.applyImport(import, now_);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  auto org = store.findOrg("Fixture");
  ASSERT_TRUE(org.ok()) << org.error().message;
  const acd::OrgId org_id = org->id;

  // The store keys its agents itself: fixture key -> store key, and back.
  std::map<acd::AgentKey, acd::AgentKey> stored;
  std::map<acd::AgentKey, std::string> id_of_stored;
  for (const auto& [id, key] : key_) {
    auto a = store.findAgent(org_id, id);
    ASSERT_TRUE(a.ok()) << id;
    stored[key] = a->key;
    id_of_stored[a->key] = id;
  }

  // Every menu digit the fixture's calls use is one of the org's.
  for (const acd::CallRecord& c : calls_) {
    if (!c.menu) continue;
    const std::string digit(1, static_cast<char>('0' + *c.menu));
    ASSERT_NE(std::find(digits.begin(), digits.end(), digit), digits.end()) << "call " << c.call << " menu " << digit;
  }

  for (const acd::CallRecord& c : calls_) {
    acd::CallRecord r = c;
    r.org = org_id;
    if (r.agent) r.agent = stored.at(*r.agent);
    for (acd::OfferRecord& o : r.offers) o.agent = stored.at(o.agent);
    r.notes.clear();  // saved apart, as agents do
    const std::vector<acd::CenterWrite> writes{acd::CallCloseWrite{r}};
    auto written = store.writeBatch(writes);
    ASSERT_TRUE(written.ok()) << "call " << c.call << ": " << written.error().message;
    ASSERT_EQ(written->size(), 1u);
    ASSERT_TRUE((*written)[0].ok()) << "call " << c.call << ": " << (*written)[0].error().message;
    for (const acd::CallNote& n : c.notes) {
      auto saved = store.saveNote(acd::NoteWrite{org_id, c.call, stored.at(n.author), n.category, "note", c.ended});
      EXPECT_TRUE(saved.ok()) << "call " << c.call << " note by " << id_.at(n.author) << ": "
                              << (saved.ok() ? "" : saved.error().message);
    }
  }

  // states_ holds each agent's spans in order.
  std::map<acd::AgentKey, acd::AgentState> current;
  for (const acd::AgentStateSpan& span : states_) {
    auto it = current.try_emplace(span.agent, acd::AgentState::kOffline).first;
    const acd::StateChange change{it->second, span.state, span.since, acd::StateCause::kRequest};
    auto recorded = store.recordAgentState(org_id, stored.at(span.agent), change);
    ASSERT_TRUE(recorded.ok()) << id_.at(span.agent) << " " << core::toRfc3339(span.since) << ": "
                               << recorded.error().message;
    it->second = span.state;
  }

  for (const auto& [period_name, v] : fixture_.at("expected").as_object()) {
    const std::string name(period_name);
    SCOPED_TRACE(name);
    const acd::StatsPeriod period = periodOf(name);
    const acd::Statistics want = acd::computeStatistics(calls_, states_, period, service_level_);

    if (acd::bucketStart(period.from, acd::kStatsBucket) == period.from &&
        acd::bucketStart(period.to, acd::kStatsBucket) == period.to) {
      auto rolled = store.rolledUp(org_id, period.from, period.to, now_, acd::kStatsAll, std::nullopt);
      ASSERT_TRUE(rolled.ok()) << rolled.error().message;
      EXPECT_TRUE(rolled->has_value()) << "the roll-ups were not read";
    }

    auto got = acd::readStatistics(store, {org_id, period, now_, service_level_, acd::kStatsAll, std::nullopt});
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(describe(got->org), describe(want.org)) << "org";
    for (std::size_t m = 0; m < acd::kMenuCount; ++m) {
      EXPECT_EQ(describe(got->menus[m]), describe(want.menus[m])) << "menu " << m;
    }
    EXPECT_EQ(agentFigures(got->agents, id_of_stored), agentFigures(want.agents, id_));
    EXPECT_EQ(got->categories, want.categories);
  }
}

TEST_F(StatisticsFixture, MenusAndAgentsAddUpToTheOrg) {
  for (const char* name : {"today", "yesterday", "this_week", "this_month", "last_30_days"}) {
    SCOPED_TRACE(name);
    const acd::Statistics s = acd::computeStatistics(calls_, states_, periodOf(name), service_level_);
    acd::CallFigures sum;
    for (const acd::CallFigures& m : s.menus) sum.merge(m);
    EXPECT_EQ(sum, s.org);
    std::int64_t answered = 0;
    for (const auto& [agent, f] : s.agents) answered += f.answered;
    EXPECT_EQ(answered, s.org.answered);
  }
}

}  // namespace
}  // namespace sb::api
