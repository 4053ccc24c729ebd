#include "media/dtmf_detector.hpp"

#include <cmath>
#include <numbers>

namespace sb::media {
namespace {

// Q.23: rows (low group) then columns (high group).
constexpr std::array<double, 8> kFrequencies{697, 770, 852, 941, 1209, 1336, 1477, 1633};
constexpr char kKeys[4][4] = {
    {'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}};

// A sine of peak 32767 (16-bit full scale) is +3.17 dBm0 in G.711 μ-law.
constexpr double kFullScaleDbm0 = 3.17;

double dbToPower(double db) {
  return std::pow(10.0, db / 10.0);
}

}  // namespace

DtmfDetector::DtmfDetector(DtmfDetectorOptions options) : options_(options) {
  for (std::size_t i = 0; i < kFrequencies.size(); ++i) {
    coefficients_[i] =
        static_cast<float>(2.0 * std::cos(2.0 * std::numbers::pi * kFrequencies[i] / kSampleRate));
  }
  // A sine of peak A carries A² N / 2 of energy over the window.
  const double peak =
      32767.0 * std::pow(10.0, (options_.min_tone_level_dbm0 - kFullScaleDbm0) / 20);
  min_tone_energy_ = peak * peak * static_cast<double>(kWindow) / 2;
  normal_twist_ = dbToPower(options_.normal_twist_db);
  reverse_twist_ = dbToPower(options_.reverse_twist_db);
  group_margin_ = dbToPower(options_.group_margin_db);
}

void DtmfDetector::reset() {
  ring_.fill(0);
  write_ = filled_ = since_ = 0;
  candidate_ = 0;
  hits_ = misses_ = 0;
  reported_ = false;
}

std::size_t DtmfDetector::process(std::span<const std::int16_t> samples, std::span<char> digits) {
  std::size_t count = 0;
  for (const std::int16_t sample : samples) {
    ring_[write_] = sample;
    write_ = (write_ + 1) % kWindow;
    if (filled_ < kWindow) ++filled_;
    if (++since_ < kHop || filled_ < kWindow) continue;
    since_ = 0;
    if (step(analyze()) && count < digits.size()) digits[count++] = candidate_;
  }
  return count;
}

// The digit this window holds, or 0.
char DtmfDetector::analyze() const {
  std::array<float, 8> s1{};
  std::array<float, 8> s2{};
  double energy = 0;
  for (std::size_t n = 0; n < kWindow; ++n) {
    const float x = ring_[(write_ + n) % kWindow];  // oldest first
    energy += static_cast<double>(x) * x;
    for (std::size_t k = 0; k < 8; ++k) {
      const float s = x + coefficients_[k] * s1[k] - s2[k];
      s2[k] = s1[k];
      s1[k] = s;
    }
  }
  // |X|² of each frequency, scaled to the energy a sine there carries: 2|X|² / N.
  std::array<double, 8> tone{};
  for (std::size_t k = 0; k < 8; ++k) {
    const double power = static_cast<double>(s1[k]) * s1[k] + static_cast<double>(s2[k]) * s2[k] -
                         static_cast<double>(coefficients_[k]) * s1[k] * s2[k];
    tone[k] = 2.0 * power / static_cast<double>(kWindow);
  }
  std::size_t row = 0;
  std::size_t col = 4;
  for (std::size_t k = 1; k < 4; ++k) {
    if (tone[k] > tone[row]) row = k;
    if (tone[k + 4] > tone[col]) col = k + 4;
  }
  const double r = tone[row];
  const double c = tone[col];
  if (r < min_tone_energy_ || c < min_tone_energy_) return 0;
  if (c > r * normal_twist_ || r > c * reverse_twist_) return 0;
  if (r + c < options_.min_energy_share * energy) return 0;
  for (std::size_t k = 0; k < 4; ++k) {
    if (k != row && tone[k] * group_margin_ > r) return 0;
    if (k + 4 != col && tone[k + 4] * group_margin_ > c) return 0;
  }
  return kKeys[row][col - 4];
}

bool DtmfDetector::step(char hit) {
  if (hit != 0 && hit == candidate_) {
    misses_ = 0;
    if (++hits_ >= options_.hits_to_report && !reported_) {
      reported_ = true;
      return true;
    }
    return false;
  }
  if (!reported_) {  // still looking: the hits must be consecutive
    candidate_ = hit;
    hits_ = hit != 0 ? 1 : 0;
    return false;
  }
  // The digit is out: silence, noise or another digit long enough is the pause.
  if (++misses_ >= options_.misses_to_release) {
    reported_ = false;
    candidate_ = 0;
    hits_ = 0;
    misses_ = 0;
  }
  return false;
}

}  // namespace sb::media
