// J2: the statistics periods, cut at local midnight in the org's zone.
#include "api/stats_periods.hpp"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

core::Time at(const char* rfc3339) {
  auto t = core::parseRfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(core::Time{});
}

std::pair<std::string, std::string> bounds(const char* name, const char* zone, const char* now) {
  auto p = statsPeriod(name, zone, at(now));
  EXPECT_TRUE(p.ok()) << name;
  if (!p.ok()) return {};
  return {core::toRfc3339(p->from), core::toRfc3339(p->to)};
}

using B = std::pair<std::string, std::string>;

TEST(StatsPeriods, SeoulCutsDaysAt1500Utc) {
  // Tuesday 1 December 2026, 23:59:59 in Seoul (UTC+9).
  const char* now = "2026-12-01T14:59:59.000Z";
  EXPECT_EQ(bounds("today", "Asia/Seoul", now), (B{"2026-11-30T15:00:00.000Z", "2026-12-01T15:00:00.000Z"}));
  EXPECT_EQ(bounds("yesterday", "Asia/Seoul", now), (B{"2026-11-29T15:00:00.000Z", "2026-11-30T15:00:00.000Z"}));
  // Monday 30 November to Monday 7 December.
  EXPECT_EQ(bounds("this_week", "Asia/Seoul", now), (B{"2026-11-29T15:00:00.000Z", "2026-12-06T15:00:00.000Z"}));
  EXPECT_EQ(bounds("this_month", "Asia/Seoul", now), (B{"2026-11-30T15:00:00.000Z", "2026-12-31T15:00:00.000Z"}));
  // Today and the 29 days before: 2 November to 1 December, local.
  EXPECT_EQ(bounds("last_30_days", "Asia/Seoul", now), (B{"2026-11-01T15:00:00.000Z", "2026-12-01T15:00:00.000Z"}));
  // One second later it is Wednesday the 2nd there.
  EXPECT_EQ(bounds("today", "Asia/Seoul", "2026-12-01T15:00:00.000Z"),
            (B{"2026-12-01T15:00:00.000Z", "2026-12-02T15:00:00.000Z"}));
}

TEST(StatsPeriods, AWeekBeginsOnMondayEvenOnASunday) {
  // Sunday 6 December 2026 at noon in Seoul: still the week of Monday 30 November.
  EXPECT_EQ(bounds("this_week", "Asia/Seoul", "2026-12-06T03:00:00.000Z"),
            (B{"2026-11-29T15:00:00.000Z", "2026-12-06T15:00:00.000Z"}));
  // Monday 7 December 00:00 local: a new week.
  EXPECT_EQ(bounds("this_week", "Asia/Seoul", "2026-12-06T15:00:00.000Z"),
            (B{"2026-12-06T15:00:00.000Z", "2026-12-13T15:00:00.000Z"}));
}

TEST(StatsPeriods, ADstDayIs23Or25HoursLong) {
  // New York springs forward on Sunday 8 March 2026 (EST -5 → EDT -4).
  EXPECT_EQ(bounds("today", "America/New_York", "2026-03-08T17:00:00.000Z"),
            (B{"2026-03-08T05:00:00.000Z", "2026-03-09T04:00:00.000Z"}));
  auto spring = localHours("America/New_York", at("2026-03-08T05:00:00.000Z"));
  ASSERT_TRUE(spring.ok());
  EXPECT_EQ(spring->size(), 23u);
  // …and falls back on Sunday 1 November 2026.
  EXPECT_EQ(bounds("today", "America/New_York", "2026-11-01T17:00:00.000Z"),
            (B{"2026-11-01T04:00:00.000Z", "2026-11-02T05:00:00.000Z"}));
  auto fall = localHours("America/New_York", at("2026-11-01T04:00:00.000Z"));
  ASSERT_TRUE(fall.ok());
  EXPECT_EQ(fall->size(), 25u);
  auto seoul = localHours("Asia/Seoul", at("2026-11-30T15:00:00.000Z"));
  ASSERT_TRUE(seoul.ok());
  ASSERT_EQ(seoul->size(), 24u);
  EXPECT_EQ(core::toRfc3339(seoul->front().from), "2026-11-30T15:00:00.000Z");
  EXPECT_EQ(core::toRfc3339(seoul->back().to), "2026-12-01T15:00:00.000Z");
}

TEST(StatsPeriods, UnknownNamesAndZonesAreRefused) {
  EXPECT_EQ(statsPeriod("last_week", "Asia/Seoul", at("2026-12-01T00:00:00.000Z")).error().code,
            core::ErrorCode::kInvalidInput);
  EXPECT_EQ(statsPeriod("today", "Mars/Olympus", at("2026-12-01T00:00:00.000Z")).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(localHours("Nowhere", at("2026-12-01T00:00:00.000Z")).error().code, core::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace sb::api
