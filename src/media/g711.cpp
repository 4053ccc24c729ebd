#include "media/g711.hpp"

#include "core/check.hpp"

namespace sb::media {
namespace {

template <typename In, typename Out, typename F>
std::size_t convert(std::span<const In> in, std::span<Out> out, F f) {
  SB_CHECK(out.size() >= in.size(), "G.711 output buffer shorter than its input");
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = f(in[i]);
  return in.size();
}

}  // namespace

std::size_t encodeUlaw(std::span<const std::int16_t> in, std::span<std::uint8_t> out) {
  return convert(in, out, linearToUlaw);
}

std::size_t encodeAlaw(std::span<const std::int16_t> in, std::span<std::uint8_t> out) {
  return convert(in, out, linearToAlaw);
}

std::size_t decodeUlaw(std::span<const std::uint8_t> in, std::span<std::int16_t> out) {
  return convert(in, out, ulawToLinear);
}

std::size_t decodeAlaw(std::span<const std::uint8_t> in, std::span<std::int16_t> out) {
  return convert(in, out, alawToLinear);
}

std::size_t transcodeUlawToAlaw(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  return convert(in, out, ulawToAlaw);
}

std::size_t transcodeAlawToUlaw(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  return convert(in, out, alawToUlaw);
}

}  // namespace sb::media
