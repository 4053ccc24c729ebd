// Issue 7: GET /api/v1/stats and GET /api/v1/dashboard through the real server: the
// shapes, an empty period's nulls, the admin's own range, CSV, and bad queries refused.
#include "harness.hpp"

namespace sb::testing {
namespace {

using StatsTest = ServerTest;

TEST_F(StatsTest, AnEmptyPeriodHasZeroCountsAndNullRatios) {
  const std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  auto r = get("/api/v1/stats?by=menu&period=this_month", bob);
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto body = r.json().as_object();
  EXPECT_EQ(body.at("by").as_string(), "menu");
  EXPECT_EQ(body.at("period").at("name").as_string(), "this_month");
  EXPECT_EQ(body.at("period").at("timezone").as_string(), "Asia/Seoul");
  // Local midnight in Seoul is 15:00 UTC.
  EXPECT_NE(std::string(body.at("period").at("from").as_string()).find("T15:00:00.000Z"), std::string::npos);
  const auto& rows = body.at("rows").as_array();
  ASSERT_EQ(rows.size(), 2u);  // Orders, Support
  EXPECT_EQ(rows[0].at("key").as_string(), "1");
  EXPECT_EQ(rows[0].at("name").as_string(), "Orders");
  EXPECT_EQ(rows[0].at("inflow").as_int64(), 0);
  EXPECT_TRUE(rows[0].at("answer_rate").is_null());  // never 0 % or 100 % without inflow
  EXPECT_TRUE(rows[0].at("service_level").is_null());
  EXPECT_TRUE(rows[0].at("avg_wait_ms").is_null());
  EXPECT_TRUE(body.at("total").at("answer_rate").is_null());

  auto agents = get("/api/v1/stats?by=agent&period=last_30_days", bob);
  ASSERT_EQ(agents.status, 200u) << agents.body;
  EXPECT_EQ(agents.json().at("rows").as_array().size(), 2u);  // alice and bob, with zeros
  auto categories = get("/api/v1/stats?by=category", bob);
  ASSERT_EQ(categories.status, 200u) << categories.body;
  EXPECT_EQ(categories.json().at("rows").as_array().at(0).at("key").as_string(), "Orders");
  EXPECT_EQ(categories.json().at("rows").as_array().at(0).at("notes").as_int64(), 0);
}

TEST_F(StatsTest, CsvHasAHeaderRowAndOneLinePerMenu) {
  const std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  auto r = get("/api/v1/stats?by=menu&period=today&format=csv", bob);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_NE(r.header("content-type").find("text/csv"), std::string::npos);
  EXPECT_NE(r.header("content-disposition").find("stats-menu-today.csv"), std::string::npos);
  const std::string body = r.body.substr(3);  // after the BOM
  EXPECT_EQ(r.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(body.substr(0, body.find("\r\n")), "key,name,inflow,answered,unconnected,abandoned,callback,no_agent,other,"
                                               "answer_rate,service_level,service_level_inflow,avg_wait_ms,max_wait_ms,"
                                               "avg_wait_answered_ms,max_wait_answered_ms");
  EXPECT_NE(body.find("\r\n1,Orders,0,0,0,0,0,0,0,,,,,,,\r\n"), std::string::npos) << body;
}

TEST_F(StatsTest, OnlyAdminsChooseTheirOwnRangeAndBadQueriesAreRefused) {
  const std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  const std::string alice = login("Acme", "alice", kAcmeAdminPassword);
  const std::string range = "/api/v1/stats?from=2026-11-01T00:00:00%2B09:00&to=2026-11-08T00:00:00%2B09:00";
  EXPECT_EQ(get(range, bob).status, 403u);
  auto r = get(range, alice);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("period").at("from").as_string(), "2026-10-31T15:00:00.000Z");
  EXPECT_TRUE(r.json().at("period").at("name").is_null());
  for (const char* bad : {"/api/v1/stats?period=last_week", "/api/v1/stats?by=hour", "/api/v1/stats?format=xml",
                          "/api/v1/stats?from=2026-11-08T00:00:00Z&to=2026-11-01T00:00:00Z",
                          "/api/v1/stats?from=yesterday&to=today", "/api/v1/stats?from=2026-11-01T00:00:00Z"}) {
    auto refused = get(bad, alice);
    EXPECT_EQ(refused.status, 422u) << bad << " " << refused.body;
  }
  EXPECT_EQ(get("/api/v1/stats").status, 401u);
}

TEST_F(StatsTest, TheDashboardShowsTheAgentsStateQueuesAndTodaysFigures) {
  const std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  auto r = get("/api/v1/dashboard", bob);
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto body = r.json().as_object();
  EXPECT_TRUE(body.at("state").at("state").is_string());
  EXPECT_EQ(body.at("waiting").at("total").as_int64(), 0);
  EXPECT_EQ(body.at("waiting").at("menus").as_array().size(), 2u);
  EXPECT_TRUE(body.at("today").at("answer_rate").is_null());
  EXPECT_EQ(body.at("hourly").at("yesterday").as_array().size(), 24u);  // Seoul has no DST
  EXPECT_EQ(body.at("hourly").at("today").as_array().size(), 24u);
  EXPECT_EQ(body.at("hourly").at("both").as_array().size(), 24u);
  EXPECT_EQ(body.at("mine").at("answered").as_int64(), 0);
  EXPECT_TRUE(body.at("mine").at("avg_talk_ms").is_null());
}

}  // namespace
}  // namespace sb::testing
