#pragma once
// The periods of the statistics (J2), cut at local midnight in the org's time zone
// (docs/statistics.md): today, yesterday, this_week (Monday to Monday), this_month,
// last_30_days (today and the 29 days before). A day that a DST change makes 23 or 25
// hours long is that long. Reads the zone from the system's tz database.
#include <string_view>
#include <vector>

#include "acd/statistics.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::api {

// kInvalidInput for an unknown period name, kNotFound for an unknown zone.
core::Result<acd::StatsPeriod> statsPeriod(std::string_view name, std::string_view timezone, core::Time now);

// The local hours of the day (in the zone) that contains `day_start` (a local midnight):
// 24 ranges, or 23/25 on a DST change day.
core::Result<std::vector<acd::StatsPeriod>> localHours(std::string_view timezone, core::Time day_start);

}  // namespace sb::api
