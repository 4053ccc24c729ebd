#pragma once
// A fixed-size histogram of delays in microseconds with four buckets per doubling
// (≤ 19 % relative error), for the media threads' relay delay: recording a value is a
// few instructions and never allocates. Windows are merged by adding bucket counts.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace sb::media {

class DelayHistogram {
 public:
  static constexpr std::size_t kSubBuckets = 4;
  static constexpr std::size_t kOctaves = 24;  // up to ~16 s
  static constexpr std::size_t kBuckets = kSubBuckets * kOctaves;

  void record(std::uint64_t us) {
    ++counts_[index(us)];
    ++total_;
    if (us > max_) max_ = us;
  }
  void add(const DelayHistogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    if (other.max_ > max_) max_ = other.max_;
  }
  void clear() { *this = DelayHistogram{}; }
  std::uint64_t count() const { return total_; }
  std::uint64_t max() const { return max_; }

  // The upper bound of the bucket holding the q-quantile (0 < q ≤ 1); 0 when empty.
  std::uint64_t quantile(double q) const {
    if (total_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return upper(i) < max_ ? upper(i) : max_;
    }
    return max_;
  }

  // Bucket i covers [lower(i), upper(i)).
  static std::size_t index(std::uint64_t us) {
    if (us < kSubBuckets) return static_cast<std::size_t>(us);
    const auto octave = static_cast<std::size_t>(std::bit_width(us) - 1);  // ≥ 2
    const auto sub = static_cast<std::size_t>((us >> (octave - 2)) & (kSubBuckets - 1));
    const std::size_t i = (octave - 1) * kSubBuckets + sub;
    return i < kBuckets ? i : kBuckets - 1;
  }
  static std::uint64_t upper(std::size_t i) {
    if (i < kSubBuckets) return i + 1;
    const std::size_t octave = i / kSubBuckets + 1;
    const std::size_t sub = i % kSubBuckets;
    return (std::uint64_t{kSubBuckets + sub + 1}) << (octave - 2);
  }

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace sb::media
