#include "media/rtp_output.hpp"

namespace sb::media {
namespace {

// "a is newer than b" in 16-bit sequence arithmetic (RFC 3550 A.1).
bool sequenceNewer(std::uint16_t a, std::uint16_t b) {
  return a != b && static_cast<std::uint16_t>(a - b) < 0x8000;
}

}  // namespace

std::uint32_t RtpOutput::continuation(core::Time now) const {
  if (!any_sent_) return next_timestamp_;
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_sent_).count();
  // More than two frames of silence: the pause shows in the timestamps (8 samples/ms).
  if (elapsed > 40) {
    const auto gap = static_cast<std::uint32_t>(std::min<std::int64_t>(elapsed, 3'600'000) * 8);
    const std::uint32_t by_clock = last_timestamp_ + gap;
    if (static_cast<std::int32_t>(by_clock - next_timestamp_) > 0) return by_clock;
  }
  return next_timestamp_;
}

void RtpOutput::sent(std::uint16_t sequence, std::uint32_t timestamp, std::uint32_t samples, core::Time now) {
  const std::uint16_t after = static_cast<std::uint16_t>(sequence + 1);
  if (!any_sent_ || sequenceNewer(after, next_sequence_) || after == next_sequence_) {
    next_sequence_ = after;
    const std::uint32_t end = timestamp + samples;
    if (!any_sent_ || static_cast<std::int32_t>(end - next_timestamp_) > 0) next_timestamp_ = end;
    last_timestamp_ = timestamp;
    last_sent_ = now;
  }
  any_sent_ = true;
}

RtpOutHeader RtpOutput::own(std::uint32_t samples, core::Time now, bool new_talkspurt) {
  RtpOutHeader h;
  const bool switching = !own_last_ || !any_sent_;
  h.sequence = next_sequence_;
  h.timestamp = continuation(now);
  h.marker = switching || new_talkspurt;
  own_last_ = true;
  source_valid_ = false;
  sent(h.sequence, h.timestamp, samples, now);
  return h;
}

RtpOutHeader RtpOutput::event(std::uint32_t timestamp, std::uint32_t duration, bool marker, core::Time now) {
  RtpOutHeader h;
  h.sequence = next_sequence_;
  h.timestamp = timestamp;
  h.marker = marker;
  own_last_ = true;
  source_valid_ = false;
  sent(h.sequence, h.timestamp, duration, now);
  return h;
}

RtpOutHeader RtpOutput::relay(std::uint64_t source, std::uint16_t sequence, std::uint32_t timestamp,
                              std::uint32_t samples, bool marker, core::Time now) {
  RtpOutHeader h;
  if (!source_valid_ || source != source_) {
    // A new source continues right after what the phone last got.
    sequence_offset_ = static_cast<std::uint16_t>(next_sequence_ - sequence);
    timestamp_offset_ = continuation(now) - timestamp;
    source_ = source;
    source_valid_ = true;
    marker = true;
  }
  own_last_ = false;
  h.sequence = static_cast<std::uint16_t>(sequence + sequence_offset_);
  h.timestamp = timestamp + timestamp_offset_;
  h.marker = marker;
  sent(h.sequence, h.timestamp, samples, now);
  return h;
}

}  // namespace sb::media
