#pragma once
// Time is injected: protocol and domain code ask a Clock, never the system, so every
// timer and expiry is tested on a ManualClock without sleeping.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::core {

using Duration = std::chrono::microseconds;
// Wall-clock time (UTC) at microsecond resolution; what records and tokens carry.
using Time = std::chrono::time_point<std::chrono::system_clock, Duration>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Time now() const override;
};

// A clock that moves only when told to. Thread-safe reads so tests may share it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Time start = Time{std::chrono::seconds{1'700'000'000}}) : now_(start.time_since_epoch().count()) {}
  Time now() const override { return Time{Duration{now_.load()}}; }
  void advance(Duration d) { now_ += d.count(); }
  void set(Time t) { now_ = t.time_since_epoch().count(); }

 private:
  std::atomic<int64_t> now_;
};

// Milliseconds since the Unix epoch: how times are stored and sent in JSON.
int64_t toUnixMillis(Time t);
Time fromUnixMillis(int64_t ms);
// RFC 3339 in UTC with milliseconds, e.g. "2026-11-24T03:58:20.123Z".
std::string toRfc3339(Time t);
// Reads an RFC 3339 date-time (untrusted): "YYYY-MM-DDTHH:MM:SS", optional fraction (up
// to 9 digits, kept to the millisecond, truncated), then "Z" or "±HH:MM"; "t"/"z" and a
// space for "T" are accepted. Years 1970–9999. nullopt for anything else (including
// 24:00:00, a 61st second or 30 February).
std::optional<Time> parseRfc3339(std::string_view text);

}  // namespace sb::core
