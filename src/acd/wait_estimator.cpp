#include "acd/wait_estimator.hpp"

#include <algorithm>

namespace sb::acd {

void WaitEstimator::answered(core::Time at) {
  answers_[next_] = at;
  next_ = (next_ + 1) % kWindow;
  count_ = std::min(count_ + 1, kWindow);
}

std::optional<core::Duration> WaitEstimator::expectedWait(std::size_t position, core::Time now) const {
  if (count_ < kMinAnswers || position == 0) return std::nullopt;
  const core::Time newest = answers_[(next_ + kWindow - 1) % kWindow];
  const core::Time oldest = answers_[count_ < kWindow ? 0 : next_];
  // The answers span from the oldest to now (a queue that stopped answering shows it:
  // the rate falls as time passes without answers).
  const core::Time end = std::max(now, newest);
  const auto span = end - oldest;
  if (span <= core::Duration::zero()) return std::nullopt;
  // count_ answers in `span`: one every span ÷ count_; the caller at p waits p of them.
  return span * static_cast<std::int64_t>(position) / static_cast<std::int64_t>(count_);
}

}  // namespace sb::acd
