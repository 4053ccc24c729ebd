#pragma once
// Sample-rate conversion for prompts and hold sound: files of any rate become 8 kHz once
// and are cached, so this favours quality over speed.
//
// Quality choice: band-limited interpolation with a Kaiser-windowed sinc (beta 8, about
// 80 dB stopband) spanning 32 zero crossings on each side. The cutoff sits at 91 % of
// the lower Nyquist frequency (3.64 kHz for 8 kHz output), so telephone-band speech
// passes flat while everything that would fold back is removed. The kernel is tabulated
// finely once and linearly interpolated, so any ratio (44.1 kHz → 8 kHz included) works
// without a per-ratio filter bank.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sb::media {

// The number of output samples for `input_samples` at `in_rate` played at `out_rate`,
// rounded to the nearest sample.
std::size_t resampledLength(std::size_t input_samples, int in_rate, int out_rate);

// Converts one whole mono signal from `in_rate` to `out_rate` (both 1 Hz … 1 MHz;
// other rates are a caller bug). Samples before the start and after the end count as
// silence. Equal rates return a copy.
std::vector<std::int16_t> resample(std::span<const std::int16_t> input, int in_rate, int out_rate);

}  // namespace sb::media
