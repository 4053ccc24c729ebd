// ApiV1: the statistics (J1–J5) and the agent's dashboard (H1–H5), as docs/statistics.md
// defines every figure. Computed from the records of the period on a worker.
#include <algorithm>

#include <boost/json/serialize.hpp>

#include "acd/statistics.hpp"
#include "acd/stats_reader.hpp"
#include "api/api_v1.hpp"
#include "api/api_v1_detail.hpp"
#include "api/problem.hpp"
#include "api/stats_periods.hpp"
#include "api/worker.hpp"

namespace sb::api {

namespace http = boost::beast::http;
using boost::asio::awaitable;
using core::ErrorCode;
using namespace detail;

namespace {

boost::json::value ratioJson(const std::optional<double>& r) {
  return r ? boost::json::value(*r) : boost::json::value(nullptr);
}

boost::json::value msJson(const std::optional<std::int64_t>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

void putCallFigures(boost::json::object& o, const acd::CallFigures& f) {
  o["inflow"] = f.inflow;
  o["answered"] = f.answered;
  o["unconnected"] = f.unconnected();
  o["abandoned"] = f.abandoned;
  o["callback"] = f.callback;
  o["no_agent"] = f.no_agent;
  o["other"] = f.other;
  o["answer_rate"] = ratioJson(f.answerRate());
  o["service_level"] = ratioJson(f.serviceLevel());
  o["service_level_inflow"] = ratioJson(f.serviceLevelInflow());
  o["avg_wait_ms"] = msJson(f.avgWaitMs());
  o["max_wait_ms"] = msJson(f.max_wait_ms);
  o["avg_wait_answered_ms"] = msJson(f.avgWaitAnsweredMs());
  o["max_wait_answered_ms"] = msJson(f.max_wait_answered_ms);
}

void putAgentFigures(boost::json::object& o, const acd::AgentFigures& f) {
  o["answered"] = f.answered;
  o["outbound"] = f.outbound;
  o["outbound_answered"] = f.outbound_answered;
  o["talk_ms"] = f.talk_ms;
  o["avg_talk_ms"] = msJson(f.avgTalkMs());
  o["hold_ms"] = f.hold_ms;
  o["acw_ms"] = f.acw_ms;
  o["break_ms"] = f.break_ms;
  o["missed"] = f.missed;
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string csvField(const boost::json::value& v) {
  std::string text;
  if (v.is_null()) return text;
  if (v.is_string()) {
    text = std::string(v.as_string());
  } else {
    text = boost::json::serialize(v);
  }
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

HttpResponse csvResponse(const boost::json::array& rows, const std::string& filename) {
  std::string body;
  if (!rows.empty()) {
    bool first = true;
    for (const auto& [key, v] : rows.front().as_object()) {
      body += (first ? "" : ",") + csvField(boost::json::value(std::string(key)));
      first = false;
    }
    body += "\r\n";
    for (const auto& row : rows) {
      first = true;
      for (const auto& [key, v] : row.as_object()) {
        body += (first ? "" : ",") + csvField(v);
        first = false;
      }
      body += "\r\n";
    }
  }
  HttpResponse r{http::status::ok, 11};
  r.set(http::field::content_type, "text/csv; charset=utf-8; header=present");
  r.set(http::field::content_disposition, "attachment; filename=\"" + filename + "\"");
  r.body() = "\xEF\xBB\xBF" + body;  // a BOM: spreadsheet programs then read the Korean right
  return r;
}

HttpResponse invalid(std::string detail) {
  return problem(http::status::unprocessable_entity, "invalid-input", "Invalid input", detail);
}

}  // namespace

awaitable<HttpResponse> ApiV1::getStats(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  const std::string by = ctx.queryParam("by").value_or("menu");
  if (by != "menu" && by != "agent" && by != "category") co_return invalid("'by' must be \"menu\", \"agent\" or \"category\".");
  const std::string format = ctx.queryParam("format").value_or("json");
  if (format != "json" && format != "csv") co_return invalid("'format' must be \"json\" or \"csv\".");
  const auto from_text = ctx.queryParam("from");
  const auto to_text = ctx.queryParam("to");
  std::optional<std::string> period_name;
  acd::StatsPeriod period;
  if (from_text || to_text) {  // an admin's own range
    if (!c.agent.admin) {
      co_return problem(http::status::forbidden, "forbidden", "Forbidden",
                        "Only administrators choose their own range; use 'period'.");
    }
    auto from = from_text ? core::parseRfc3339(*from_text) : std::nullopt;
    auto to = to_text ? core::parseRfc3339(*to_text) : std::nullopt;
    if (!from || !to || *to <= *from || *to - *from > std::chrono::hours(24 * 366)) {
      co_return invalid("'from' and 'to' must both be RFC 3339 date-times, 'from' before 'to', at most a year apart.");
    }
    period = acd::StatsPeriod{*from, *to};
    if (ctx.queryParam("period")) co_return invalid("Give either 'period' or 'from' and 'to'.");
  } else {
    period_name = ctx.queryParam("period").value_or("today");
    auto p = statsPeriod(*period_name, c.org.timezone, clock_.now());
    if (!p) {
      if (p.error().code == ErrorCode::kInvalidInput) {
        co_return invalid("'period' must be one of \"today\", \"yesterday\", \"this_week\", \"this_month\", "
                          "\"last_30_days\".");
      }
      co_return problemFromError(p.error());
    }
    period = *p;
  }
  struct Loaded {
    acd::Statistics stats;
    std::vector<acd::Agent> agents;
  };
  auto loaded = co_await onWorker(workers_, [&]() -> core::Result<Loaded> {
    acd::StatsRead read{c.org.id, period, clock_.now(), std::chrono::seconds(c.org.service_level_s), acd::kStatsMenus, std::nullopt};
    if (by == "agent") read.parts |= acd::kStatsAgents;
    if (by == "category") read.parts |= acd::kStatsCategories;
    auto stats = acd::readStatistics(stats_, read);
    if (!stats) return stats.error();
    std::vector<acd::Agent> agents;
    if (by == "agent") {
      auto listed = directory_.listAgents(c.org.id);
      if (!listed) return listed.error();
      agents = std::move(*listed);
    }
    return Loaded{std::move(*stats), std::move(agents)};
  });
  if (!loaded) co_return problemFromError(loaded.error());
  const acd::Statistics& s = loaded->stats;
  boost::json::array rows;
  if (by == "menu") {
    for (const acd::Menu& m : c.org.menus) {
      if (m.digit.size() != 1 || m.digit[0] < '0' || m.digit[0] > '9') continue;
      boost::json::object row{{"key", m.digit}, {"name", m.name}};
      putCallFigures(row, s.menus[static_cast<std::size_t>(m.digit[0] - '0')]);
      rows.push_back(std::move(row));
    }
  } else if (by == "agent") {
    for (const acd::Agent& a : loaded->agents) {
      auto it = s.agents.find(a.key);
      if (!a.enabled && it == s.agents.end()) continue;  // a disabled agent with nothing in the period
      boost::json::object row{{"key", a.id}, {"name", a.name}};
      putAgentFigures(row, it == s.agents.end() ? acd::AgentFigures{} : it->second);
      rows.push_back(std::move(row));
    }
  } else {
    std::vector<std::string> keys = c.org.categories;
    for (const auto& [category, n] : s.categories) {
      if (std::find(keys.begin(), keys.end(), category) == keys.end()) keys.push_back(category);
    }
    for (const std::string& k : keys) {
      auto it = s.categories.find(k);
      rows.push_back(boost::json::object{{"key", k}, {"name", k}, {"notes", it == s.categories.end() ? 0 : it->second}});
    }
  }
  if (format == "csv") {
    co_return csvResponse(rows, "stats-" + by + "-" + (period_name ? *period_name : std::string("range")) + ".csv");
  }
  boost::json::object total;
  putCallFigures(total, s.org);
  boost::json::object body{
      {"period", boost::json::object{{"name", period_name ? boost::json::value(*period_name) : boost::json::value(nullptr)},
                                     {"from", core::toRfc3339(period.from)},
                                     {"to", core::toRfc3339(period.to)},
                                     {"timezone", c.org.timezone}}},
      {"by", by},
      {"service_level_s", c.org.service_level_s},
      {"rows", std::move(rows)},
      {"total", std::move(total)}};
  co_return jsonResponse(http::status::ok, body);
}

awaitable<HttpResponse> ApiV1::getDashboard(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  const core::Time now = clock_.now();
  auto today = statsPeriod("today", c.org.timezone, now);
  auto yesterday = statsPeriod("yesterday", c.org.timezone, now);
  if (!today || !yesterday) co_return problemFromError((today ? yesterday : today).error());
  struct Loaded {
    acd::Statistics today;
    std::vector<acd::CallFigures> hours_yesterday, hours_today;
    std::vector<acd::StatsPeriod> yesterday_hours, today_hours;
    std::array<std::size_t, acd::kMenuCount> waiting{};
  };
  auto loaded = co_await onWorker(workers_, [&]() -> core::Result<Loaded> {
    Loaded l;
    const auto sl = std::chrono::seconds(c.org.service_level_s);
    auto stats = acd::readStatistics(
        stats_, acd::StatsRead{c.org.id, *today, now, sl, acd::kStatsMenus | acd::kStatsAgents, c.agent.key});
    if (!stats) return stats.error();
    l.today = std::move(*stats);
    auto yh = localHours(c.org.timezone, yesterday->from);
    auto th = localHours(c.org.timezone, today->from);
    if (!yh) return yh.error();
    if (!th) return th.error();
    l.yesterday_hours = std::move(*yh);
    l.today_hours = std::move(*th);
    std::vector<acd::StatsPeriod> hours = l.yesterday_hours;
    hours.insert(hours.end(), l.today_hours.begin(), l.today_hours.end());
    auto figures = acd::readHourlyFigures(stats_, c.org.id, hours, sl);
    if (!figures) return figures.error();
    const auto split = figures->begin() + static_cast<std::ptrdiff_t>(l.yesterday_hours.size());
    l.hours_yesterday.assign(figures->begin(), split);
    l.hours_today.assign(split, figures->end());
    auto waiting = control_.waitingNow(c.org.id);
    if (!waiting) return waiting.error();
    l.waiting = *waiting;
    return l;
  });
  if (!loaded) co_return problemFromError(loaded.error());
  const Loaded& l = *loaded;
  auto hourJson = [](const acd::StatsPeriod& h, std::size_t i, const acd::CallFigures& f) {
    return boost::json::object{{"hour", static_cast<std::int64_t>(i)},
                               {"from", core::toRfc3339(h.from)},
                               {"inflow", f.inflow},
                               {"answered", f.answered},
                               {"avg_wait_ms", msJson(f.avgWaitMs())},
                               {"max_wait_ms", msJson(f.max_wait_ms)}};
  };
  boost::json::array ys, ts, both;
  for (std::size_t i = 0; i < l.hours_yesterday.size(); ++i) ys.push_back(hourJson(l.yesterday_hours[i], i, l.hours_yesterday[i]));
  for (std::size_t i = 0; i < l.hours_today.size(); ++i) ts.push_back(hourJson(l.today_hours[i], i, l.hours_today[i]));
  // Both days together, hour by hour of the day (a DST day's extra hour stands alone).
  for (std::size_t i = 0; i < std::max(l.hours_yesterday.size(), l.hours_today.size()); ++i) {
    acd::CallFigures f;
    if (i < l.hours_yesterday.size()) f.merge(l.hours_yesterday[i]);
    if (i < l.hours_today.size()) f.merge(l.hours_today[i]);
    both.push_back(boost::json::object{{"hour", static_cast<std::int64_t>(i)},
                                       {"inflow", f.inflow},
                                       {"answered", f.answered},
                                       {"avg_wait_ms", msJson(f.avgWaitMs())},
                                       {"max_wait_ms", msJson(f.max_wait_ms)}});
  }
  boost::json::array menus;
  std::size_t total_waiting = 0;
  for (const acd::Menu& m : c.org.menus) {
    if (m.digit.size() != 1 || m.digit[0] < '0' || m.digit[0] > '9') continue;
    const std::size_t n = l.waiting[static_cast<std::size_t>(m.digit[0] - '0')];
    total_waiting += n;
    menus.push_back(boost::json::object{{"digit", m.digit}, {"name", m.name}, {"waiting", n}});
  }
  boost::json::object mine;
  auto it = l.today.agents.find(c.agent.key);
  putAgentFigures(mine, it == l.today.agents.end() ? acd::AgentFigures{} : it->second);
  boost::json::object body{
      {"state", stateJson(states_.get(c.org.id, c.agent.key), c.agent)},
      {"waiting", boost::json::object{{"menus", std::move(menus)}, {"total", total_waiting}}},
      {"today", boost::json::object{{"from", core::toRfc3339(today->from)},
                                    {"inflow", l.today.org.inflow},
                                    {"answered", l.today.org.answered},
                                    {"answer_rate", ratioJson(l.today.org.answerRate())}}},
      {"hourly", boost::json::object{{"yesterday", std::move(ys)}, {"today", std::move(ts)}, {"both", std::move(both)}}},
      {"mine", std::move(mine)},
      {"timezone", c.org.timezone}};
  co_return jsonResponse(http::status::ok, body);
}

}  // namespace sb::api
