#include "media/resampler.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "core/check.hpp"

namespace sb::media {
namespace {

constexpr int kZeroCrossings = 32;   // sinc lobes on each side of the centre
constexpr int kTableSteps = 512;     // kernel table points per zero crossing
constexpr double kKaiserBeta = 8.0;  // ~80 dB stopband
constexpr double kRolloff = 0.91;    // cutoff as a fraction of the lower Nyquist frequency
constexpr int kMaxRate = 1'000'000;

// Zeroth-order modified Bessel function of the first kind (power series).
double besselI0(double x) {
  double sum = 1.0;
  double term = 1.0;
  const double q = x * x / 4.0;
  for (int k = 1; k < 60; ++k) {
    term *= q / (static_cast<double>(k) * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

// sinc(u) · kaiser(u / Z) for u = i / kTableSteps, u in [0, Z], plus one guard entry.
class KernelTable {
 public:
  KernelTable() {
    const double i0_beta = besselI0(kKaiserBeta);
    for (std::size_t i = 0; i < values_.size(); ++i) {
      const double u = static_cast<double>(i) / kTableSteps;
      const double r = u / kZeroCrossings;
      const double window =
          r >= 1.0 ? 0.0 : besselI0(kKaiserBeta * std::sqrt(1.0 - r * r)) / i0_beta;
      const double sinc = i == 0 ? 1.0 : std::sin(std::numbers::pi * u) / (std::numbers::pi * u);
      values_[i] = sinc * window;
    }
  }
  // u >= 0, in zero crossings.
  double at(double u) const {
    const double pos = u * kTableSteps;
    const auto i = static_cast<std::size_t>(pos);
    if (i + 1 >= values_.size()) return 0.0;
    const double frac = pos - static_cast<double>(i);
    return values_[i] + (values_[i + 1] - values_[i]) * frac;
  }

 private:
  std::array<double, static_cast<std::size_t>(kZeroCrossings) * kTableSteps + 2> values_{};
};

const KernelTable& kernel() {
  static const KernelTable table;  // immutable after construction (thread-safe init)
  return table;
}

}  // namespace

std::size_t resampledLength(std::size_t input_samples, int in_rate, int out_rate) {
  SB_CHECK(in_rate > 0 && in_rate <= kMaxRate && out_rate > 0 && out_rate <= kMaxRate,
           "resampler rates out of range");
  // Split so that input_samples * out_rate cannot overflow.
  const auto in = static_cast<std::uint64_t>(in_rate);
  const auto out = static_cast<std::uint64_t>(out_rate);
  const std::uint64_t whole = input_samples / in;
  const std::uint64_t rest = input_samples % in;
  return static_cast<std::size_t>(whole * out + (rest * out + in / 2) / in);
}

std::vector<std::int16_t> resample(std::span<const std::int16_t> input, int in_rate, int out_rate) {
  const std::size_t out_len = resampledLength(input.size(), in_rate, out_rate);
  if (in_rate == out_rate) return {input.begin(), input.end()};

  // Cutoff in cycles per input sample; `scale` turns input-sample distances into zero
  // crossings of the sinc, and is also the filter's gain (its integral is then 1).
  const double ratio = static_cast<double>(out_rate) / in_rate;
  const double scale = kRolloff * std::min(1.0, ratio);
  const double half_width = kZeroCrossings / scale;  // in input samples
  const KernelTable& table = kernel();
  const auto in_len = static_cast<std::int64_t>(input.size());

  std::vector<std::int16_t> out(out_len);
  for (std::size_t n = 0; n < out_len; ++n) {
    // Exact position n · in/out in input samples, kept rational so it never drifts.
    const std::uint64_t num = static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(in_rate);
    const auto base = static_cast<std::int64_t>(num / static_cast<std::uint64_t>(out_rate));
    const double frac = static_cast<double>(num % static_cast<std::uint64_t>(out_rate)) / out_rate;
    const double t = static_cast<double>(base) + frac;
    const auto first =
        std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(t - half_width)));
    const auto last =
        std::min<std::int64_t>(in_len - 1, static_cast<std::int64_t>(std::floor(t + half_width)));
    double acc = 0.0;
    for (std::int64_t k = first; k <= last; ++k) {
      const double distance = std::abs(t - static_cast<double>(k)) * scale;
      acc += input[static_cast<std::size_t>(k)] * table.at(distance);
    }
    acc *= scale;
    out[n] = static_cast<std::int16_t>(std::clamp(std::nearbyint(acc), -32768.0, 32767.0));
  }
  return out;
}

}  // namespace sb::media
