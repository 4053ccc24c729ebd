#include "media/wav.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "media/g711.hpp"

namespace sb::media {
namespace {

using core::ErrorCode;
using core::makeError;

constexpr std::size_t kChunkHeaderSize = 8;
constexpr std::size_t kMinFmtSize = 16;
constexpr std::size_t kExtensibleFmtSize = 40;
// Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID used for WAVE tags (the first two
// bytes are the format tag): 00000000-0010-0080-00AA00389B71 in the file's byte order.
constexpr std::array<std::uint8_t, 14> kSubFormatGuidTail = {
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

std::uint16_t readU16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}

std::uint32_t readU32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | (static_cast<std::uint32_t>(b[at + 1]) << 8) |
         (static_cast<std::uint32_t>(b[at + 2]) << 16) |
         (static_cast<std::uint32_t>(b[at + 3]) << 24);
}

bool hasTag(std::span<const std::uint8_t> b, std::size_t at, const char* tag) {
  return std::memcmp(b.data() + at, tag, 4) == 0;
}

// A chunk ID for messages: printable ASCII as is, anything else as '?'.
std::string chunkName(std::span<const std::uint8_t> b, std::size_t at) {
  std::string name;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto c = b[at + i];
    name += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
  }
  return name;
}

void putU16(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}

void putU32(std::uint8_t* p, std::uint32_t v) {
  putU16(p, v);
  putU16(p + 2, v >> 16);
}

// One sample at `p`, scaled to the 16-bit range (not yet clamped).
double decodeSample(const std::uint8_t* p, WavEncoding encoding, int bits) {
  switch (encoding) {
    case WavEncoding::kALaw:
      return alawToLinear(p[0]);
    case WavEncoding::kMuLaw:
      return ulawToLinear(p[0]);
    case WavEncoding::kIeeeFloat: {
      std::uint32_t raw =
          static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
          (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
      float f = 0;
      static_assert(sizeof f == sizeof raw);
      std::memcpy(&f, &raw, sizeof f);
      return std::isfinite(f) ? static_cast<double>(f) * 32768.0 : 0.0;
    }
    default:
      break;
  }
  switch (bits) {
    case 8:
      return (static_cast<int>(p[0]) - 128) * 256.0;
    case 16:
      return static_cast<std::int16_t>(p[0] | (p[1] << 8));
    case 24: {
      std::int32_t v = p[0] | (p[1] << 8) | (p[2] << 16);
      if (v & 0x800000) v -= 0x1000000;
      return v / 256.0;
    }
    default: {
      const auto raw = static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
                       (static_cast<std::uint32_t>(p[2]) << 16) |
                       (static_cast<std::uint32_t>(p[3]) << 24);
      return static_cast<std::int32_t>(raw) / 65536.0;
    }
  }
}

std::int16_t toInt16(double v) {
  const double r = std::nearbyint(v);
  return static_cast<std::int16_t>(std::clamp(r, -32768.0, 32767.0));
}

core::Result<WavFormat> parseFmt(std::span<const std::uint8_t> fmt) {
  if (fmt.size() < kMinFmtSize) return makeError(ErrorCode::kInvalidInput, "fmt chunk too short");
  WavFormat format;
  std::uint16_t tag = readU16(fmt, 0);
  format.channels = readU16(fmt, 2);
  format.sample_rate = static_cast<int>(std::min<std::uint32_t>(readU32(fmt, 4), 0x7FFFFFFF));
  const std::uint16_t block_align = readU16(fmt, 12);
  format.bits_per_sample = readU16(fmt, 14);
  if (tag == static_cast<std::uint16_t>(WavEncoding::kExtensible)) {
    if (fmt.size() < kExtensibleFmtSize || readU16(fmt, 16) < 22) {
      return makeError(ErrorCode::kInvalidInput, "extensible fmt chunk too short");
    }
    if (!std::equal(kSubFormatGuidTail.begin(), kSubFormatGuidTail.end(), fmt.begin() + 26)) {
      return makeError(ErrorCode::kInvalidInput, "unsupported extensible sub-format GUID");
    }
    tag = readU16(fmt, 24);
  }
  switch (tag) {
    case 1:
    case 3:
    case 6:
    case 7:
      format.encoding = static_cast<WavEncoding>(tag);
      break;
    default:
      return makeError(ErrorCode::kInvalidInput,
                       "unsupported WAV format tag " + std::to_string(tag));
  }
  if (format.channels < 1 || format.channels > 2) {
    return makeError(ErrorCode::kInvalidInput,
                     "unsupported channel count " + std::to_string(format.channels));
  }
  if (format.sample_rate < kMinWavSampleRate || format.sample_rate > kMaxWavSampleRate) {
    return makeError(ErrorCode::kInvalidInput,
                     "sample rate " + std::to_string(format.sample_rate) + " outside 8000-96000");
  }
  const int bits = format.bits_per_sample;
  const bool bits_ok =
      (format.encoding == WavEncoding::kPcm &&
       (bits == 8 || bits == 16 || bits == 24 || bits == 32)) ||
      (format.encoding == WavEncoding::kIeeeFloat && bits == 32) ||
      ((format.encoding == WavEncoding::kALaw || format.encoding == WavEncoding::kMuLaw) &&
       bits == 8);
  if (!bits_ok) {
    return makeError(ErrorCode::kInvalidInput, "unsupported bits per sample " +
                                                   std::to_string(bits) + " for format tag " +
                                                   std::to_string(tag));
  }
  if (block_align != format.channels * bits / 8) {
    return makeError(ErrorCode::kInvalidInput,
                     "block align " + std::to_string(block_align) + " does not match the format");
  }
  return format;
}

}  // namespace

core::Result<WavFile> parseWav(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 12 || !hasTag(bytes, 0, "RIFF") || !hasTag(bytes, 8, "WAVE")) {
    return makeError(ErrorCode::kInvalidInput, "not a RIFF/WAVE file");
  }
  // The RIFF size is not trusted: a crashed writer leaves it stale; the chunks and the
  // real length decide.
  const std::uint64_t end = bytes.size();
  std::uint64_t at = 12;
  std::span<const std::uint8_t> fmt_body;
  std::span<const std::uint8_t> data_body;
  bool have_fmt = false;
  bool have_data = false;
  bool data_truncated = false;
  while (at + kChunkHeaderSize <= end) {
    const std::uint64_t chunk_size = readU32(bytes, at + 4);
    const std::uint64_t body = at + kChunkHeaderSize;
    const bool fits = body + chunk_size <= end;
    if (hasTag(bytes, at, "fmt ")) {
      if (have_fmt) return makeError(ErrorCode::kInvalidInput, "two fmt chunks");
      if (!fits) return makeError(ErrorCode::kInvalidInput, "fmt chunk extends past end of file");
      fmt_body = bytes.subspan(body, chunk_size);
      have_fmt = true;
    } else if (hasTag(bytes, at, "data")) {
      if (have_data) break;  // the first data chunk is the audio; ignore anything after
      have_data = true;
      data_truncated = !fits;
      data_body = bytes.subspan(body, std::min(chunk_size, end - body));
      if (!fits) break;
    } else if (!fits) {
      if (have_fmt && have_data) break;  // trailing junk after the audio
      return makeError(ErrorCode::kInvalidInput, "chunk '" + chunkName(bytes, at) + "' size " +
                                                     std::to_string(chunk_size) +
                                                     " extends past end of file");
    }
    at = body + chunk_size + (chunk_size & 1);  // chunks are word aligned
    if (have_fmt && have_data) break;
  }
  if (!have_fmt) return makeError(ErrorCode::kInvalidInput, "no fmt chunk");
  if (!have_data) return makeError(ErrorCode::kInvalidInput, "no data chunk");
  auto format = parseFmt(fmt_body);
  if (!format.ok()) return format.error();

  WavFile file;
  file.format = *format;
  file.data_truncated = data_truncated;
  file.audio.sample_rate = format->sample_rate;
  const std::size_t sample_bytes = static_cast<std::size_t>(format->bits_per_sample / 8);
  const std::size_t frame_bytes = sample_bytes * static_cast<std::size_t>(format->channels);
  const std::size_t frames = data_body.size() / frame_bytes;  // a partial frame is dropped
  file.audio.samples.resize(frames);
  const std::uint8_t* p = data_body.data();
  for (std::size_t i = 0; i < frames; ++i, p += frame_bytes) {
    double sum = 0;
    for (int c = 0; c < format->channels; ++c) {
      sum += decodeSample(p + static_cast<std::size_t>(c) * sample_bytes, format->encoding,
                          format->bits_per_sample);
    }
    file.audio.samples[i] = toInt16(sum / format->channels);
  }
  return file;
}

std::array<std::uint8_t, kPcm16WavHeaderSize> pcm16WavHeader(int channels, int sample_rate,
                                                             std::uint64_t data_bytes) {
  const auto data = static_cast<std::uint32_t>(std::min(data_bytes, kMaxWavDataBytes));
  const auto ch = static_cast<std::uint32_t>(channels);
  const auto rate = static_cast<std::uint32_t>(sample_rate);
  std::array<std::uint8_t, kPcm16WavHeaderSize> h{};
  std::memcpy(h.data(), "RIFF", 4);
  putU32(h.data() + 4, 36 + data);
  std::memcpy(h.data() + 8, "WAVEfmt ", 8);
  putU32(h.data() + 16, 16);
  putU16(h.data() + 20, 1);
  putU16(h.data() + 22, ch);
  putU32(h.data() + 24, rate);
  putU32(h.data() + 28, rate * ch * 2);
  putU16(h.data() + 32, ch * 2);
  putU16(h.data() + 34, 16);
  std::memcpy(h.data() + 36, "data", 4);
  putU32(h.data() + 40, data);
  return h;
}

std::vector<std::uint8_t> encodePcm16Wav(std::span<const std::int16_t> interleaved, int channels,
                                         int sample_rate) {
  const std::uint64_t data_bytes = interleaved.size() * 2;
  const auto header = pcm16WavHeader(channels, sample_rate, data_bytes);
  std::vector<std::uint8_t> out(header.begin(), header.end());
  out.reserve(out.size() + data_bytes);
  for (std::int16_t s : interleaved) {
    const auto u = static_cast<std::uint16_t>(s);
    out.push_back(static_cast<std::uint8_t>(u));
    out.push_back(static_cast<std::uint8_t>(u >> 8));
  }
  return out;
}

}  // namespace sb::media
