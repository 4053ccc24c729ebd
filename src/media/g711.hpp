#pragma once
// G.711 (ITU-T Rec. G.711, 11/88) μ-law and A-law: the two codecs every SIP phone
// speaks. Encoding is a handful of bit operations; decoding and μ-law ↔ A-law
// transcoding are 256-entry tables built at compile time. Everything here is on the
// per-packet path: no heap, no exceptions, no branches on tables.
//
// Linear samples are 16-bit two's complement. G.711 itself is defined on 14-bit
// (μ-law) and 13-bit (A-law) values; we use the usual left-aligned mapping, so a
// decoded μ-law value is the standard's value × 4 and an A-law value × 8.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sb::media {

namespace detail {

// μ-law (G.711 Table 2a): the magnitude plus a bias of 132 (33 in 14-bit units) has its
// highest set bit at position 7 + segment; the four bits below it are the step within
// the segment. The code is the complement of sign | segment | step.
inline constexpr int kUlawBias = 0x84;
inline constexpr int kUlawClip = 32635;  // 32767 - 132: the largest biased magnitude fits

constexpr std::int16_t decodeUlaw(std::uint8_t code) {
  const int inverted = static_cast<std::uint8_t>(~code);
  const int segment = (inverted >> 4) & 0x07;
  const int step = inverted & 0x0F;
  const int magnitude = (((step << 3) + kUlawBias) << segment) - kUlawBias;
  return static_cast<std::int16_t>((inverted & 0x80) != 0 ? -magnitude : magnitude);
}

// A-law (G.711 Table 1a): segment 0 and 1 share a step of 16 (in 16-bit units); each
// later segment doubles it. Even bits are inverted on the line (XOR 0x55); the sign
// bit is 1 for positive values.
constexpr std::int16_t decodeAlaw(std::uint8_t code) {
  const int value = code ^ 0x55;
  const int segment = (value >> 4) & 0x07;
  int magnitude = ((value & 0x0F) << 4) + 8;
  if (segment > 0) magnitude = (magnitude + 0x100) << (segment - 1);
  return static_cast<std::int16_t>((value & 0x80) != 0 ? magnitude : -magnitude);
}

constexpr std::uint8_t encodeUlaw(std::int16_t sample) {
  int magnitude = sample < 0 ? -static_cast<int>(sample) : sample;
  const int sign = sample < 0 ? 0x80 : 0x00;
  if (magnitude > kUlawClip) magnitude = kUlawClip;
  magnitude += kUlawBias;  // now 132..32767: the top bit is at 7..14
  const int segment = std::bit_width(static_cast<unsigned>(magnitude)) - 8;
  const int step = (magnitude >> (segment + 3)) & 0x0F;
  return static_cast<std::uint8_t>(~(sign | (segment << 4) | step));
}

constexpr std::uint8_t encodeAlaw(std::int16_t sample) {
  // Negative values use the one's complement (-x - 1), as the standard's 13-bit
  // decision values are symmetric around -1/2: 0 and -1 land on the two codes ±8.
  const bool negative = sample < 0;
  const int magnitude = negative ? ~static_cast<int>(sample) : sample;  // 0..32767
  const int mask = negative ? 0x55 : 0xD5;
  int segment = 0;
  int step = 0;
  if (magnitude < 0x100) {
    step = magnitude >> 4;
  } else {
    segment = std::bit_width(static_cast<unsigned>(magnitude)) - 8;  // 1..7
    step = (magnitude >> (segment + 3)) & 0x0F;
  }
  return static_cast<std::uint8_t>(((segment << 4) | step) ^ mask);
}

template <typename T, typename F>
constexpr std::array<T, 256> makeTable(F f) {
  std::array<T, 256> table{};
  for (int i = 0; i < 256; ++i)
    table[static_cast<std::size_t>(i)] = f(static_cast<std::uint8_t>(i));
  return table;
}

inline constexpr std::array<std::int16_t, 256> kUlawToLinear =
    makeTable<std::int16_t>([](std::uint8_t c) { return decodeUlaw(c); });
inline constexpr std::array<std::int16_t, 256> kAlawToLinear =
    makeTable<std::int16_t>([](std::uint8_t c) { return decodeAlaw(c); });
// Transcoding is decode then encode, folded into one lookup for bridged legs whose
// codecs differ.
inline constexpr std::array<std::uint8_t, 256> kUlawToAlaw =
    makeTable<std::uint8_t>([](std::uint8_t c) { return encodeAlaw(decodeUlaw(c)); });
inline constexpr std::array<std::uint8_t, 256> kAlawToUlaw =
    makeTable<std::uint8_t>([](std::uint8_t c) { return encodeUlaw(decodeAlaw(c)); });

}  // namespace detail

// One sample.
constexpr std::uint8_t linearToUlaw(std::int16_t sample) {
  return detail::encodeUlaw(sample);
}
constexpr std::uint8_t linearToAlaw(std::int16_t sample) {
  return detail::encodeAlaw(sample);
}
constexpr std::int16_t ulawToLinear(std::uint8_t code) {
  return detail::kUlawToLinear[code];
}
constexpr std::int16_t alawToLinear(std::uint8_t code) {
  return detail::kAlawToLinear[code];
}
constexpr std::uint8_t ulawToAlaw(std::uint8_t code) {
  return detail::kUlawToAlaw[code];
}
constexpr std::uint8_t alawToUlaw(std::uint8_t code) {
  return detail::kAlawToUlaw[code];
}

// Whole buffers: `out` must hold at least `in.size()` elements (checked; a short
// buffer is a bug of the caller). Each returns the number of elements written, which is
// `in.size()`. The transcoders may work in place (`out` the same bytes as `in`).
std::size_t encodeUlaw(std::span<const std::int16_t> in, std::span<std::uint8_t> out);
std::size_t encodeAlaw(std::span<const std::int16_t> in, std::span<std::uint8_t> out);
std::size_t decodeUlaw(std::span<const std::uint8_t> in, std::span<std::int16_t> out);
std::size_t decodeAlaw(std::span<const std::uint8_t> in, std::span<std::int16_t> out);
std::size_t transcodeUlawToAlaw(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);
std::size_t transcodeAlawToUlaw(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

}  // namespace sb::media
