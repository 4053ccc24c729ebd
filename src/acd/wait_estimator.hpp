#pragma once
// The expected wait a queue announces (issue 5, N1), learned from the org's recent
// answered calls: callers of a menu are answered at some rate (the last answers tell
// it), so the caller at position p can expect about p ÷ rate. A queue that answered too
// few calls lately has no estimate (nothing is said rather than a guess).
#include <array>
#include <cstddef>
#include <optional>

#include "core/clock.hpp"

namespace sb::acd {

class WaitEstimator {
 public:
  static constexpr std::size_t kWindow = 20;      // answers remembered
  static constexpr std::size_t kMinAnswers = 5;   // before an estimate is given

  void answered(core::Time at);
  // About how long the caller at 1-based `position` still waits, or nullopt.
  std::optional<core::Duration> expectedWait(std::size_t position, core::Time now) const;

 private:
  std::array<core::Time, kWindow> answers_{};  // a ring, oldest at next_ once full
  std::size_t count_ = 0;
  std::size_t next_ = 0;
};

}  // namespace sb::acd
