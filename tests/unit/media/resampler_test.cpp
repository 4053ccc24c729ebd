#include "media/resampler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace sb::media {
namespace {

std::vector<std::int16_t> tone(double hz, int rate, double seconds, double amplitude) {
  std::vector<std::int16_t> s(static_cast<std::size_t>(seconds * rate));
  for (std::size_t i = 0; i < s.size(); ++i) {
    s[i] = static_cast<std::int16_t>(std::lround(
        amplitude * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / rate)));
  }
  return s;
}

// The middle half of a signal, away from the filter's start and end transients.
std::span<const std::int16_t> middle(const std::vector<std::int16_t>& s) {
  return std::span(s).subspan(s.size() / 4, s.size() / 2);
}

double rms(std::span<const std::int16_t> s) {
  double sum = 0;
  for (auto v : s) sum += static_cast<double>(v) * v;
  return std::sqrt(sum / static_cast<double>(s.size()));
}

// Frequency from the spacing of rising zero crossings (interpolated between samples).
double frequency(std::span<const std::int16_t> s, int rate) {
  double first = -1;
  double last = -1;
  int cycles = -1;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i - 1] < 0 && s[i] >= 0) {
      const double at = static_cast<double>(i - 1) +
                        static_cast<double>(-s[i - 1]) / static_cast<double>(s[i] - s[i - 1]);
      if (first < 0) first = at;
      last = at;
      ++cycles;
    }
  }
  if (cycles <= 0) return 0;
  return cycles * rate / (last - first);
}

double db(double ratio) {
  return 20 * std::log10(ratio);
}

class ResamplerToneTest : public ::testing::TestWithParam<int> {};

TEST_P(ResamplerToneTest, OneKilohertzSurvivesConversionTo8k) {
  const int rate = GetParam();
  const auto in = tone(1000, rate, 1.0, 10000);
  const auto out = resample(in, rate, 8000);
  const double exact = static_cast<double>(in.size()) * 8000 / rate;
  EXPECT_LE(std::abs(static_cast<double>(out.size()) - exact), 1.0);
  EXPECT_NEAR(frequency(middle(out), 8000), 1000, 1.0);
  EXPECT_NEAR(db(rms(middle(out)) / rms(middle(in))), 0, 0.1);
}

INSTANTIATE_TEST_SUITE_P(Rates, ResamplerToneTest,
                         ::testing::Values(11025, 16000, 22050, 32000, 44100, 48000, 96000));

TEST(ResamplerTest, AliasingIsRejected) {
  // 6 kHz cannot exist at 8 kHz; without a filter it would fold to 2 kHz at full level.
  const auto in = tone(6000, 48000, 1.0, 10000);
  const auto out = resample(in, 48000, 8000);
  EXPECT_LE(db(rms(middle(out)) / rms(middle(in))), -40.0);
  // Just above the new Nyquist frequency from 44.1 kHz as well.
  const auto in2 = tone(4500, 44100, 1.0, 10000);
  EXPECT_LE(db(rms(middle(resample(in2, 44100, 8000))) / rms(middle(in2))), -40.0);
}

TEST(ResamplerTest, TelephoneBandStaysFlat) {
  for (double hz : {300.0, 2000.0, 3400.0}) {
    const auto in = tone(hz, 48000, 0.5, 10000);
    EXPECT_NEAR(db(rms(middle(resample(in, 48000, 8000))) / rms(middle(in))), 0, 0.5) << hz;
  }
}

TEST(ResamplerTest, UpsamplingKeepsTheTone) {
  const auto in = tone(1000, 8000, 0.5, 10000);
  const auto out = resample(in, 8000, 16000);
  EXPECT_EQ(out.size(), 8000u);
  EXPECT_NEAR(frequency(middle(out), 16000), 1000, 1.0);
  EXPECT_NEAR(db(rms(middle(out)) / rms(middle(in))), 0, 0.1);
}

TEST(ResamplerTest, LengthsAndEdgeCases) {
  EXPECT_EQ(resampledLength(44100, 44100, 8000), 8000u);
  EXPECT_EQ(resampledLength(441, 44100, 8000), 80u);
  EXPECT_EQ(resampledLength(1, 48000, 8000), 0u);
  EXPECT_EQ(resampledLength(3, 48000, 8000), 1u);  // 0.5 rounds up
  EXPECT_EQ(resampledLength(0, 16000, 8000), 0u);
  EXPECT_EQ(resampledLength(std::size_t{1} << 40, 96000, 8000), (std::size_t{1} << 40) / 12);
  EXPECT_TRUE(resample({}, 16000, 8000).empty());
  const std::vector<std::int16_t> same = {1, 2, 3};
  EXPECT_EQ(resample(same, 8000, 8000), same);
  // A constant level (DC) passes with gain 1, and full scale does not wrap.
  const std::vector<std::int16_t> dc(4800, 32767);
  const auto out = resample(dc, 48000, 8000);
  ASSERT_EQ(out.size(), 800u);
  for (std::size_t i = 100; i < 700; ++i) EXPECT_NEAR(out[i], 32767, 3) << i;
  const std::vector<std::int16_t> square = {32767, -32768, 32767, -32768, 32767, -32768};
  EXPECT_EQ(resample(square, 8000, 44100).size(), 33u);
}

}  // namespace
}  // namespace sb::media
