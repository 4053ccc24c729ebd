#pragma once
// WAV (RIFF/WAVE) files: reading untrusted prompt files into mono 16-bit samples, and
// the 44-byte header of the 16-bit PCM files we write ourselves (recordings). Sans-I/O:
// bytes in, a Result out; the caller reads and writes the files.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace sb::media {

// Sample rates a prompt file may have; anything else is refused as absurd.
inline constexpr int kMinWavSampleRate = 8000;
inline constexpr int kMaxWavSampleRate = 96000;

// WAVE format tags (the fmt chunk's first field, or an extensible file's sub-format).
enum class WavEncoding : std::uint16_t {
  kPcm = 1,
  kIeeeFloat = 3,
  kALaw = 6,
  kMuLaw = 7,
  kExtensible = 0xFFFE,
};

// What a file said about itself, for logs and errors.
struct WavFormat {
  WavEncoding encoding = WavEncoding::kPcm;  // never kExtensible: its sub-format instead
  int channels = 0;
  int sample_rate = 0;
  int bits_per_sample = 0;
};

// Decoded audio: one channel (stereo is mixed down), 16-bit, at the file's own rate.
struct MonoAudio {
  int sample_rate = 0;
  std::vector<std::int16_t> samples;
};

struct WavFile {
  WavFormat format;
  MonoAudio audio;
  // True when the data chunk claimed more bytes than the file holds (a writer that
  // crashed before fixing its header): we kept what is there.
  bool data_truncated = false;
};

// Parses a whole WAV file. Accepts PCM 8 (unsigned), 16, 24 and 32 bit, IEEE float 32,
// A-law and μ-law, plain or WAVE_FORMAT_EXTENSIBLE; one or two channels; 8–96 kHz.
// Unknown chunks (LIST, fact, cue, …) are skipped with RIFF's word alignment. Any other
// input gives kInvalidInput with a message saying what is wrong; it never reads out of
// bounds and never allocates more than the input's size implies.
core::Result<WavFile> parseWav(std::span<const std::uint8_t> bytes);

// The canonical 44-byte header of a 16-bit PCM file (RIFF, fmt, data) whose data chunk
// holds `data_bytes` bytes. The sizes saturate at what 32-bit RIFF can express.
inline constexpr std::size_t kPcm16WavHeaderSize = 44;
std::array<std::uint8_t, kPcm16WavHeaderSize> pcm16WavHeader(int channels, int sample_rate,
                                                             std::uint64_t data_bytes);

// The largest data chunk (in bytes) a 32-bit RIFF header can describe.
inline constexpr std::uint64_t kMaxWavDataBytes = 0xFFFFFFFFull - 36;

// A complete 16-bit PCM file: header plus interleaved little-endian samples.
std::vector<std::uint8_t> encodePcm16Wav(std::span<const std::int16_t> interleaved, int channels,
                                         int sample_rate);

}  // namespace sb::media
