#include "media/g711.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <numbers>
#include <vector>

namespace sb::media {
namespace {

// Known values, from the decoder's definition in ITU-T G.711 (11/88):
// μ-law Table 2a: code 0xFF and 0x7F are the two zeros (+0, -0); 0x80 / 0x00 are the
// largest positive / negative outputs, 8031 in 14-bit units = 32124 left-aligned to 16.
// A-law Table 1a: the line code is the character with even bits inverted (XOR 0x55), the
// sign bit is 1 for positive. 0xD5 / 0x55 are the smallest outputs ±1 in 13-bit units
// (±8 in 16), and 0xAA / 0x2A the largest, ±4032 (±32256). Note: 0xAA is the positive
// one (0xAA ^ 0x55 = 0xFF: sign 1, segment 7, step 15).
TEST(G711Test, UlawKnownValues) {
  EXPECT_EQ(ulawToLinear(0xFF), 0);
  EXPECT_EQ(ulawToLinear(0x7F), 0);
  EXPECT_EQ(ulawToLinear(0x00), -32124);
  EXPECT_EQ(ulawToLinear(0x80), 32124);
  EXPECT_EQ(ulawToLinear(0xFE), 8);    // segment 0, step 1: 2 in 14-bit units
  EXPECT_EQ(ulawToLinear(0xEF), 132);  // segment 1, step 0: 33 in 14-bit units
  EXPECT_EQ(linearToUlaw(0), 0xFF);
  EXPECT_EQ(linearToUlaw(32767), 0x80);   // clipped
  EXPECT_EQ(linearToUlaw(-32768), 0x00);  // clipped
  EXPECT_EQ(linearToUlaw(-1), 0x7F);      // the negative zero is an encoder output
}

TEST(G711Test, AlawKnownValues) {
  EXPECT_EQ(alawToLinear(0xD5), 8);
  EXPECT_EQ(alawToLinear(0x55), -8);
  EXPECT_EQ(alawToLinear(0xAA), 32256);
  EXPECT_EQ(alawToLinear(0x2A), -32256);
  EXPECT_EQ(alawToLinear(0xC5), 264);  // segment 1, step 0: 33 in 13-bit units
  EXPECT_EQ(linearToAlaw(0), 0xD5);
  EXPECT_EQ(linearToAlaw(-1), 0x55);
  EXPECT_EQ(linearToAlaw(32767), 0xAA);
  EXPECT_EQ(linearToAlaw(-32768), 0x2A);
}

TEST(G711Test, UlawRoundTripsEveryCodeExceptNegativeZero) {
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<std::uint8_t>(c);
    const std::uint8_t expected = code == 0x7F ? 0xFF : code;
    EXPECT_EQ(linearToUlaw(ulawToLinear(code)), expected) << "code " << c;
  }
}

TEST(G711Test, AlawRoundTripsEveryCode) {
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<std::uint8_t>(c);
    EXPECT_EQ(linearToAlaw(alawToLinear(code)), code) << "code " << c;
  }
}

// Codes ordered from the most negative to the most positive output.
std::vector<std::uint8_t> ulawCodesAscending() {
  std::vector<std::uint8_t> codes;
  for (int c = 0x00; c <= 0x7F; ++c) codes.push_back(static_cast<std::uint8_t>(c));  // -32124..-0
  for (int c = 0xFF; c >= 0x80; --c) codes.push_back(static_cast<std::uint8_t>(c));  // 0..32124
  return codes;
}

std::vector<std::uint8_t> alawCodesAscending() {
  // By magnitude: negative codes are (segment|step) ^ 0x55 from the largest down,
  // positive ones ^ 0xD5 from the smallest up.
  std::vector<std::uint8_t> codes;
  for (int v = 0x7F; v >= 0; --v) codes.push_back(static_cast<std::uint8_t>(v ^ 0x55));
  for (int v = 0; v <= 0x7F; ++v) codes.push_back(static_cast<std::uint8_t>(v ^ 0xD5));
  return codes;
}

TEST(G711Test, UlawDecodeIsMonotonicAcrossSegments) {
  const auto codes = ulawCodesAscending();
  for (std::size_t i = 1; i < codes.size(); ++i) {
    const int previous = ulawToLinear(codes[i - 1]);
    const int current = ulawToLinear(codes[i]);
    if (codes[i] == 0xFF) {
      EXPECT_EQ(current, previous);  // -0 then +0
    } else {
      EXPECT_GT(current, previous) << "code " << int{codes[i]};
    }
  }
}

TEST(G711Test, AlawDecodeIsStrictlyMonotonic) {
  const auto codes = alawCodesAscending();
  for (std::size_t i = 1; i < codes.size(); ++i) {
    EXPECT_GT(alawToLinear(codes[i]), alawToLinear(codes[i - 1])) << "code " << int{codes[i]};
  }
}

TEST(G711Test, EncodeIsMonotonicOverEveryInput) {
  const auto ulaw = ulawCodesAscending();
  const auto alaw = alawCodesAscending();
  std::array<int, 256> ulaw_rank{};
  std::array<int, 256> alaw_rank{};
  for (std::size_t i = 0; i < 256; ++i) {
    ulaw_rank[ulaw[i]] = static_cast<int>(i);
    alaw_rank[alaw[i]] = static_cast<int>(i);
  }
  ulaw_rank[0xFF] = ulaw_rank[0x7F];  // ±0 are equal
  for (int x = -32767; x <= 32767; ++x) {
    const auto a = static_cast<std::int16_t>(x - 1);
    const auto b = static_cast<std::int16_t>(x);
    ASSERT_LE(ulaw_rank[linearToUlaw(a)], ulaw_rank[linearToUlaw(b)]) << x;
    ASSERT_LE(alaw_rank[linearToAlaw(a)], alaw_rank[linearToAlaw(b)]) << x;
  }
}

TEST(G711Test, QuantizationErrorOfASineStaysWithinHalfAStep) {
  // Decoded values sit in the middle of their interval, so the error is at most half a
  // step: for μ-law (|x| + 132) / 32, for A-law max(8, |x| / 32) (+1 for the one's
  // complement of negative inputs).
  double signal = 0;
  double ulaw_noise = 0;
  double alaw_noise = 0;
  for (int n = 0; n < 8000; ++n) {
    const double v = 30000.0 * std::sin(2 * std::numbers::pi * 1004.0 * n / 8000.0);
    const auto x = static_cast<std::int16_t>(std::lround(v));
    const int ax = std::abs(int{x});
    const int ulaw_error = ulawToLinear(linearToUlaw(x)) - x;
    const int alaw_error = alawToLinear(linearToAlaw(x)) - x;
    ASSERT_LE(std::abs(ulaw_error), (ax + 132) / 32) << "x=" << x;
    ASSERT_LE(std::abs(alaw_error), std::max(8, ax / 32) + 1) << "x=" << x;
    signal += static_cast<double>(x) * x;
    ulaw_noise += static_cast<double>(ulaw_error) * ulaw_error;
    alaw_noise += static_cast<double>(alaw_error) * alaw_error;
  }
  // G.711 gives about 38 dB signal-to-quantization noise for a loud tone.
  EXPECT_GT(10 * std::log10(signal / ulaw_noise), 35.0);
  EXPECT_GT(10 * std::log10(signal / alaw_noise), 35.0);
}

TEST(G711Test, TranscodingTablesMatchDecodeThenEncode) {
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<std::uint8_t>(c);
    EXPECT_EQ(ulawToAlaw(code), linearToAlaw(ulawToLinear(code))) << c;
    EXPECT_EQ(alawToUlaw(code), linearToUlaw(alawToLinear(code))) << c;
    // Out and back never moves a sample by more than one step of the coarser law.
    const int back = ulawToLinear(alawToUlaw(ulawToAlaw(code)));
    const int original = ulawToLinear(code);
    EXPECT_LE(std::abs(back - original), std::max(16, std::abs(original) / 16)) << c;
  }
  static_assert(ulawToAlaw(0xFF) == 0xD5);  // +0 → the smallest positive A-law code
  static_assert(alawToUlaw(0xAA) == 0x80);  // full scale stays full scale
}

TEST(G711Test, BufferFunctionsConvertEverySample) {
  const std::array<std::int16_t, 5> linear{0, -1, 1000, -32768, 32767};
  std::array<std::uint8_t, 5> ulaw{};
  std::array<std::uint8_t, 5> alaw{};
  EXPECT_EQ(encodeUlaw(linear, ulaw), 5u);
  EXPECT_EQ(encodeAlaw(linear, alaw), 5u);
  for (std::size_t i = 0; i < linear.size(); ++i) {
    EXPECT_EQ(ulaw[i], linearToUlaw(linear[i]));
    EXPECT_EQ(alaw[i], linearToAlaw(linear[i]));
  }
  std::array<std::int16_t, 5> decoded{};
  EXPECT_EQ(decodeUlaw(ulaw, decoded), 5u);
  EXPECT_EQ(decoded, (std::array<std::int16_t, 5>{0, 0, 988, -32124, 32124}));
  EXPECT_EQ(decodeAlaw(alaw, decoded), 5u);
  EXPECT_EQ(decoded, (std::array<std::int16_t, 5>{8, -8, 1008, -32256, 32256}));

  // In place, as a bridge converts a packet's payload.
  std::array<std::uint8_t, 5> bytes = ulaw;
  EXPECT_EQ(transcodeUlawToAlaw(bytes, bytes), 5u);
  for (std::size_t i = 0; i < bytes.size(); ++i) EXPECT_EQ(bytes[i], ulawToAlaw(ulaw[i]));
  EXPECT_EQ(transcodeAlawToUlaw(bytes, bytes), 5u);
  for (std::size_t i = 0; i < bytes.size(); ++i)
    EXPECT_EQ(bytes[i], alawToUlaw(ulawToAlaw(ulaw[i])));
}

TEST(G711DeathTest, ShortOutputBufferIsABug) {
  const std::array<std::int16_t, 4> linear{};
  std::array<std::uint8_t, 3> out{};
  EXPECT_DEATH(encodeUlaw(linear, out), "shorter");
}

}  // namespace
}  // namespace sb::media
