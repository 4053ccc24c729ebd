#include "api/stats_periods.hpp"

#include <date/tz.h>

namespace sb::api {

namespace {

using Days = date::days;

core::Result<const date::time_zone*> zoneOf(std::string_view timezone) {
  try {
    return date::locate_zone(std::string(timezone));
  } catch (const std::exception&) {
    return core::makeError(core::ErrorCode::kNotFound, "unknown time zone");
  }
}

// The instant of local midnight of `day` in `zone` (the earliest, should the day have
// two midnights; the first instant after a skipped one).
core::Time midnight(const date::time_zone* zone, date::local_days day) {
  const auto info = zone->get_info(date::local_seconds(day));
  std::chrono::sys_seconds at;
  if (info.result == date::local_info::nonexistent) {
    at = info.first.end;
  } else {
    at = std::chrono::sys_seconds(std::chrono::seconds(
        (date::local_seconds(day) - info.first.offset).time_since_epoch().count()));
  }
  return core::Time(std::chrono::duration_cast<core::Duration>(at.time_since_epoch()));
}

}  // namespace

core::Result<acd::StatsPeriod> statsPeriod(std::string_view name, std::string_view timezone, core::Time now) {
  auto zone = zoneOf(timezone);
  if (!zone) return zone.error();
  const std::chrono::sys_seconds now_s =
      std::chrono::floor<std::chrono::seconds>(std::chrono::sys_time<core::Duration>(now.time_since_epoch()));
  const auto local = (*zone)->to_local(date::sys_seconds(now_s.time_since_epoch()));
  const date::local_days today = date::floor<Days>(local);
  const date::local_days tomorrow = today + Days(1);
  if (name == "today") return acd::StatsPeriod{midnight(*zone, today), midnight(*zone, tomorrow)};
  if (name == "yesterday") return acd::StatsPeriod{midnight(*zone, today - Days(1)), midnight(*zone, today)};
  if (name == "this_week") {
    const date::weekday wd{today};
    const date::local_days monday = today - (wd - date::Monday);
    return acd::StatsPeriod{midnight(*zone, monday), midnight(*zone, monday + Days(7))};
  }
  if (name == "this_month") {
    const date::year_month_day ymd{today};
    const date::local_days first{ymd.year() / ymd.month() / 1};
    const date::local_days next{(ymd.year() / ymd.month() + date::months(1)) / 1};
    return acd::StatsPeriod{midnight(*zone, first), midnight(*zone, next)};
  }
  if (name == "last_30_days") return acd::StatsPeriod{midnight(*zone, today - Days(29)), midnight(*zone, tomorrow)};
  return core::makeError(core::ErrorCode::kInvalidInput, "unknown period");
}

core::Result<std::vector<acd::StatsPeriod>> localHours(std::string_view timezone, core::Time day_start) {
  auto zone = zoneOf(timezone);
  if (!zone) return zone.error();
  const auto start_s =
      std::chrono::floor<std::chrono::seconds>(std::chrono::sys_time<core::Duration>(day_start.time_since_epoch()));
  const date::local_days day = date::floor<Days>((*zone)->to_local(date::sys_seconds(start_s.time_since_epoch())));
  const core::Time end = midnight(*zone, day + Days(1));
  std::vector<acd::StatsPeriod> hours;
  // Hours are cut on the UTC clock from the day's start: every zone's offset is a whole
  // number of hours except a few (India +5:30, Nepal +5:45): their local hours begin at
  // the same minute past the UTC hour, which this keeps.
  for (core::Time t = midnight(*zone, day); t < end; t += std::chrono::hours(1)) {
    hours.push_back(acd::StatsPeriod{t, std::min(t + std::chrono::hours(1), end)});
  }
  return hours;
}

}  // namespace sb::api
