// Untrusted WAV files (an org's own prompts) through the parser and, when they parse,
// the resampler that converts them for calls: any bytes must give audio or an error,
// never a crash, a hang, an out-of-bounds read or an allocation the input cannot justify.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "media/resampler.hpp"
#include "media/wav.hpp"

namespace {

void fail(const char* what) {
  std::fprintf(stderr, "wav fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = sb::media::parseWav(std::span<const std::uint8_t>(data, size));
  if (!parsed.ok()) {
    if (parsed.error().message.empty()) fail("error without a message");
    return 0;
  }
  const auto& audio = parsed->audio;
  if (audio.sample_rate < sb::media::kMinWavSampleRate ||
      audio.sample_rate > sb::media::kMaxWavSampleRate) {
    fail("sample rate outside the accepted range");
  }
  if (audio.samples.size() > size) fail("more samples than input bytes");
  if (audio.sample_rate != parsed->format.sample_rate) fail("rate differs from the format");
  // Only a bounded slice through the resampler, to keep each run fast.
  const auto slice =
      std::span(audio.samples).first(std::min<std::size_t>(audio.samples.size(), 512));
  const auto out = sb::media::resample(slice, audio.sample_rate, 8000);
  if (out.size() != sb::media::resampledLength(slice.size(), audio.sample_rate, 8000)) {
    fail("resampled length differs from resampledLength");
  }
  return 0;
}
