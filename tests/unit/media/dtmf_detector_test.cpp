#include "media/dtmf_detector.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace sb::media {
namespace {

constexpr double kRate = 8000;

// Peak amplitude of a sine at `dbm0` (μ-law: a full-scale sine is +3.17 dBm0).
double peakFor(double dbm0) {
  return 32767.0 * std::pow(10.0, (dbm0 - 3.17) / 20);
}

struct Tone {
  double low;
  double high;
};

Tone tonesOf(char key) {
  const std::string keys = "123A456B789C*0#D";
  const double rows[] = {697, 770, 852, 941};
  const double cols[] = {1209, 1336, 1477, 1633};
  const auto i = keys.find(key);
  return {rows[i / 4], cols[i % 4]};
}

// Appends `ms` of a key at `low_dbm0` / `high_dbm0` per tone.
void appendKey(std::vector<std::int16_t>& out, char key, int ms, double low_dbm0 = -7,
               double high_dbm0 = -5, double deviation = 0) {
  Tone tone = tonesOf(key);
  tone.low *= 1 + deviation;
  tone.high *= 1 + deviation;
  const int n = ms * 8;
  const double a = peakFor(low_dbm0);
  const double b = peakFor(high_dbm0);
  for (int i = 0; i < n; ++i) {
    const double t = i / kRate;
    const double v = a * std::sin(2 * std::numbers::pi * tone.low * t) +
                     b * std::sin(2 * std::numbers::pi * tone.high * t + 0.3);
    out.push_back(static_cast<std::int16_t>(std::lround(v)));
  }
}

void appendSilence(std::vector<std::int16_t>& out, int samples) {
  out.insert(out.end(), static_cast<std::size_t>(samples), 0);
}

// Runs the detector over `samples` in 20 ms frames, as packets arrive.
std::string detect(const std::vector<std::int16_t>& samples,
                   DtmfDetector detector = DtmfDetector{}) {
  std::string found;
  char digits[4];
  for (std::size_t i = 0; i < samples.size(); i += 160) {
    const std::size_t n = std::min<std::size_t>(160, samples.size() - i);
    const std::size_t count = detector.process(std::span(samples.data() + i, n), digits);
    found.append(digits, count);
  }
  return found;
}

TEST(DtmfDetectorTest, DetectsEverySixteenKeys) {
  for (char key : std::string("0123456789*#ABCD")) {
    std::vector<std::int16_t> samples;
    appendSilence(samples, 100);
    appendKey(samples, key, 60);
    appendSilence(samples, 400);
    EXPECT_EQ(detect(samples), std::string(1, key)) << key;
  }
}

TEST(DtmfDetectorTest, DetectsQuietKeysAndTwistWithinLimits) {
  std::vector<std::int16_t> samples;
  appendKey(samples, '5', 60, -25, -25);  // quiet
  appendSilence(samples, 400);
  appendKey(samples, '9', 60, -14, -7);  // column 7 dB louder (normal twist)
  appendSilence(samples, 400);
  appendKey(samples, '1', 60, -7, -10);  // row 3 dB louder (reverse twist)
  appendSilence(samples, 400);
  EXPECT_EQ(detect(samples), "591");
}

TEST(DtmfDetectorTest, DetectsKeysOverLineNoise) {
  // Noise at about -35 dBm0 (rms 300), keys at -10 / -8 dBm0.
  std::vector<std::int16_t> samples;
  for (char key : std::string("0123456789*#ABCD")) {
    appendKey(samples, key, 60, -10, -8);
    appendSilence(samples, 400);
  }
  std::mt19937 random(3);
  std::normal_distribution<double> noise(0, 300);
  for (auto& sample : samples) {
    sample = static_cast<std::int16_t>(std::lround(sample + noise(random)));
  }
  EXPECT_EQ(detect(samples), "0123456789*#ABCD");
}

TEST(DtmfDetectorTest, AcceptsQ24FrequencyDeviation) {
  for (double deviation : {-0.015, 0.015}) {
    std::vector<std::int16_t> samples;
    for (char key : std::string("0123456789*#ABCD")) {
      appendKey(samples, key, 60, -7, -5, deviation);
      appendSilence(samples, 400);
    }
    EXPECT_EQ(detect(samples), "0123456789*#ABCD") << deviation;
  }
}

TEST(DtmfDetectorTest, RejectsTooMuchTwistAndTooQuietKeys) {
  std::vector<std::int16_t> samples;
  appendKey(samples, '5', 80, -20, -8);  // column 12 dB louder
  appendSilence(samples, 400);
  appendKey(samples, '6', 80, -5, -12);  // row 7 dB louder
  appendSilence(samples, 400);
  appendKey(samples, '7', 80, -40, -40);  // below -30 dBm0
  appendSilence(samples, 400);
  EXPECT_EQ(detect(samples), "");
}

TEST(DtmfDetectorTest, DetectsFortyMillisecondsAtAnyAlignment) {
  for (int offset = 0; offset < 102; offset += 7) {
    std::vector<std::int16_t> samples;
    appendSilence(samples, offset);
    appendKey(samples, '0', 40);
    appendSilence(samples, 400);
    EXPECT_EQ(detect(samples), "0") << "offset " << offset;
  }
}

TEST(DtmfDetectorTest, IgnoresTwentyMillisecondBursts) {
  for (int offset = 0; offset < 102; offset += 7) {
    std::vector<std::int16_t> samples;
    appendSilence(samples, offset);
    appendKey(samples, '8', 20);
    appendSilence(samples, 400);
    appendKey(samples, '1', 20);
    appendSilence(samples, 400);
    EXPECT_EQ(detect(samples), "") << "offset " << offset;
  }
}

TEST(DtmfDetectorTest, IgnoresASingleToneAndNoise) {
  std::vector<std::int16_t> samples;
  for (int i = 0; i < 8000; ++i) {  // 1 kHz at -10 dBm0, one second
    samples.push_back(static_cast<std::int16_t>(
        std::lround(peakFor(-10) * std::sin(2 * std::numbers::pi * 1000 * i / kRate))));
  }
  for (double f : {697.0, 1336.0}) {  // a DTMF frequency alone
    for (int i = 0; i < 4000; ++i) {
      samples.push_back(static_cast<std::int16_t>(
          std::lround(peakFor(-5) * std::sin(2 * std::numbers::pi * f * i / kRate))));
    }
  }
  std::mt19937 random(42);
  std::normal_distribution<double> noise(0, 8000);
  for (int i = 0; i < 16000; ++i) {  // two seconds of white noise
    samples.push_back(static_cast<std::int16_t>(std::lround(noise(random))));
  }
  EXPECT_EQ(detect(samples), "");
}

TEST(DtmfDetectorTest, IgnoresSpeechLikeSound) {
  // Voiced sound: a 120 Hz fundamental with falling harmonics and formant-like peaks,
  // its pitch drifting, plus some noise.
  std::vector<std::int16_t> samples;
  std::mt19937 random(7);
  std::normal_distribution<double> noise(0, 300);
  double phase = 0;
  for (int i = 0; i < 16000; ++i) {
    const double f0 = 120 + 20 * std::sin(2 * std::numbers::pi * 3 * i / kRate);
    phase += 2 * std::numbers::pi * f0 / kRate;
    double v = 0;
    for (int h = 1; h <= 30; ++h) {
      const double f = h * f0;
      const double formant = std::exp(-std::pow((f - 700) / 150, 2)) +
                             0.6 * std::exp(-std::pow((f - 1250) / 200, 2)) + 0.05;
      v += 12000.0 * formant / h * std::sin(h * phase);
    }
    samples.push_back(static_cast<std::int16_t>(std::lround(v + noise(random))));
  }
  EXPECT_EQ(detect(samples), "");
}

TEST(DtmfDetectorTest, TwoKeysWithAFiftyMillisecondGapAreTwoDigits) {
  std::vector<std::int16_t> samples;
  appendKey(samples, '4', 50);
  appendSilence(samples, 400);  // 50 ms
  appendKey(samples, '4', 50);
  appendSilence(samples, 400);
  appendKey(samples, '2', 50);
  appendSilence(samples, 400);
  EXPECT_EQ(detect(samples), "442");
}

TEST(DtmfDetectorTest, AKeyHeldHalfASecondIsOneDigit) {
  std::vector<std::int16_t> samples;
  appendKey(samples, '#', 500);
  appendSilence(samples, 800);
  EXPECT_EQ(detect(samples), "#");
}

TEST(DtmfDetectorTest, ReportsAsSoonAsEnoughToneArrived) {
  // 4 windows: 3 × 51 + 102 = 255 samples after the tone starts, found in frame 2.
  std::vector<std::int16_t> samples;
  appendKey(samples, '3', 200);
  DtmfDetector detector;
  char digits[1];
  EXPECT_EQ(detector.process(std::span(samples.data(), 160), digits), 0u);
  EXPECT_EQ(detector.process(std::span(samples.data() + 160, 160), digits), 1u);
  EXPECT_EQ(digits[0], '3');
  EXPECT_EQ(detector.process(std::span(samples.data() + 320, 160), digits), 0u);
}

}  // namespace
}  // namespace sb::media
