#include "media/call_recorder.hpp"

#include <algorithm>

#include "core/check.hpp"
#include "media/g711.hpp"

namespace sb::media {

CallRecorder::CallRecorder(CallRecorderOptions options) : options_(options) {
  SB_CHECK(options_.max_buffered_samples >= kFrameSamples,
           "a side must be able to queue at least one frame");
  // A tick then completes at most one block.
  SB_CHECK(options_.block_frames >= kFrameSamples, "a block holds at least one frame");
  for (Side& s : sides_) s.ring.assign(options_.max_buffered_samples, 0);
}

void CallRecorder::dropOldest(Side& side, std::size_t count) {
  count = std::min(count, side.size);
  side.head = (side.head + count) % side.ring.size();
  side.size -= count;
  side.dropped += count;
}

void CallRecorder::push(RecordSide which, Codec codec, std::span<const std::uint8_t> payload) {
  Side& s = side(which);
  const std::size_t capacity = s.ring.size();
  if (payload.size() > capacity) {  // only the newest part can be kept
    s.dropped += payload.size() - capacity;
    payload = payload.last(capacity);
  }
  if (s.size + payload.size() > capacity) dropOldest(s, s.size + payload.size() - capacity);
  const auto& table = codec == Codec::kPcmu ? detail::kUlawToLinear : detail::kAlawToLinear;
  // Decode in at most two runs (the ring wraps once at most): tight loops, no modulo.
  const std::size_t at = (s.head + s.size) % capacity;
  const std::size_t first = std::min(payload.size(), capacity - at);
  std::int16_t* ring = s.ring.data();
  for (std::size_t i = 0; i < first; ++i) ring[at + i] = table[payload[i]];
  for (std::size_t i = first; i < payload.size(); ++i) ring[i - first] = table[payload[i]];
  s.size += payload.size();
}

std::size_t CallRecorder::playable(Side& s) {
  if (!s.playing) {
    if (s.size >= 2 * kFrameSamples || (s.size > 0 && s.waited)) {
      s.playing = true;
    } else {
      s.waited = s.size > 0;
      return 0;
    }
  }
  const std::size_t count = std::min(s.size, kFrameSamples);
  if (count < kFrameSamples) {  // ran dry: the talk spurt ended (or a packet is late)
    s.playing = false;
    s.waited = false;
  }
  return count;
}

void CallRecorder::take(Side& s, std::size_t count, std::span<std::int16_t> out) {
  const std::size_t capacity = s.ring.size();
  const std::size_t first = std::min(count, capacity - s.head);
  std::copy_n(s.ring.data() + s.head, first, out.data());
  std::copy_n(s.ring.data(), count - first, out.data() + first);
  s.head = (s.head + count) % capacity;
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(count), out.end(), std::int16_t{0});
  s.size -= count;
}

std::optional<std::vector<std::int16_t>> CallRecorder::tick() {
  std::array<std::array<std::int16_t, kFrameSamples>, 2> frame;
  for (std::size_t channel = 0; channel < 2; ++channel) {
    Side& s = sides_[channel];
    take(s, playable(s), frame[channel]);
  }
  frames_ += kFrameSamples;

  // Interleave straight into the block (allocated once per block, at its full size).
  const std::size_t block_samples = options_.block_frames * 2;
  std::optional<std::vector<std::int16_t>> full;
  std::size_t i = 0;
  while (i < kFrameSamples) {
    if (block_.size() != block_samples) {
      block_.assign(block_samples, 0);
      filled_ = 0;
    }
    const std::size_t n = std::min(kFrameSamples - i, (block_samples - filled_) / 2);
    std::int16_t* out = block_.data() + filled_;
    for (std::size_t k = 0; k < n; ++k) {
      out[2 * k] = frame[0][i + k];
      out[2 * k + 1] = frame[1][i + k];
    }
    filled_ += 2 * n;
    i += n;
    if (filled_ == block_samples) {
      full = std::move(block_);
      block_ = {};
    }
  }
  return full;
}

std::vector<std::int16_t> CallRecorder::flush() {
  std::vector<std::int16_t> rest = std::move(block_);
  rest.resize(std::min(rest.size(), filled_));
  block_ = {};
  filled_ = 0;
  return rest;
}

std::uint64_t CallRecorder::droppedSamples(RecordSide which) const {
  return side(which).dropped;
}

std::size_t CallRecorder::queuedSamples(RecordSide which) const {
  return side(which).size;
}

}  // namespace sb::media
