#include "media/telephone_event.hpp"

#include <algorithm>

#include "core/check.hpp"

namespace sb::media {
namespace {

constexpr char kDtmfCharacters[] = "0123456789*#ABCD";

// RFC 3550 serial-number comparison: true when `a` comes after `b`.
bool sequenceAfter(std::uint16_t a, std::uint16_t b) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(a - b)) > 0;
}

bool timestampBefore(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) < 0;
}

}  // namespace

core::Result<TelephoneEvent> parseTelephoneEvent(std::span<const std::uint8_t> payload) {
  if (payload.size() != kTelephoneEventSize) {
    return core::makeError(core::ErrorCode::kInvalidInput,
                           "telephone-event payload is not 4 bytes");
  }
  TelephoneEvent event;
  event.event = payload[0];
  event.end = (payload[1] & 0x80) != 0;
  event.volume = payload[1] & 0x3F;
  event.duration = static_cast<std::uint16_t>((payload[2] << 8) | payload[3]);
  return event;
}

std::array<std::uint8_t, kTelephoneEventSize> serializeTelephoneEvent(const TelephoneEvent& event) {
  return {event.event, static_cast<std::uint8_t>((event.end ? 0x80 : 0x00) | (event.volume & 0x3F)),
          static_cast<std::uint8_t>(event.duration >> 8),
          static_cast<std::uint8_t>(event.duration & 0xFF)};
}

std::optional<char> dtmfCharacter(std::uint8_t event) {
  if (event >= 16) return std::nullopt;
  return kDtmfCharacters[event];
}

std::optional<std::uint8_t> dtmfEvent(char digit) {
  if (digit >= 'a' && digit <= 'd') digit = static_cast<char>(digit - 'a' + 'A');
  for (std::uint8_t i = 0; i < 16; ++i) {
    if (kDtmfCharacters[i] == digit) return i;
  }
  return std::nullopt;
}

// ---- receiver ----

ReceivedDigit TelephoneEventReceiver::report(bool ended) {
  current_->reported = true;
  ReceivedDigit digit;
  digit.digit = *dtmfCharacter(current_->event);
  digit.volume = current_->volume;
  digit.rtp_timestamp = current_->timestamp;
  digit.duration = current_->duration;
  digit.ended = ended;
  return digit;
}

core::Result<ReceivedDigits> TelephoneEventReceiver::onPacket(std::span<const std::uint8_t> payload,
                                                              std::uint32_t rtp_timestamp,
                                                              bool marker, std::uint16_t sequence,
                                                              core::Time now) {
  auto parsed = parseTelephoneEvent(payload);
  if (!parsed) return parsed.error();
  const TelephoneEvent& event = *parsed;
  ReceivedDigits out;
  if (!dtmfCharacter(event.event)) {  // flash, tones of RFC 4734: not keys
    ++ignored_;
    return out;
  }
  const bool late = last_sequence_ && !sequenceAfter(sequence, *last_sequence_);
  if (!late) last_sequence_ = sequence;

  if (current_ && rtp_timestamp == current_->timestamp) {
    if (current_->reported) {  // the repeated end packets, or a straggler
      ++ignored_;
      return out;
    }
    current_->duration = std::max(current_->duration, event.duration);
    current_->volume = event.volume;
    current_->last_packet = now;
    if (event.end) out.items[out.count++] = report(true);
    return out;
  }
  // A packet of another event: only a newer one counts; a reordered packet of an
  // earlier event must not bring that event back.
  if (late || (current_ && timestampBefore(rtp_timestamp, current_->timestamp))) {
    ++ignored_;
    return out;
  }
  // The marker normally starts an event, but the first packet may be lost: any packet
  // with a new timestamp starts one.
  (void)marker;
  if (current_ && !current_->reported) out.items[out.count++] = report(false);
  current_ = Current{rtp_timestamp, event.event, event.volume, event.duration, false, now};
  if (event.end) out.items[out.count++] = report(true);
  return out;
}

std::optional<ReceivedDigit> TelephoneEventReceiver::poll(core::Time now) {
  const auto deadline = nextDeadline();
  if (!deadline || now < *deadline) return std::nullopt;
  return report(false);
}

std::optional<core::Time> TelephoneEventReceiver::nextDeadline() const {
  if (!current_ || current_->reported) return std::nullopt;
  return current_->last_packet + options_.end_timeout;
}

// ---- sender ----

TelephoneEventSender::TelephoneEventSender(TelephoneEventSenderOptions options)
    : options_(options) {
  SB_CHECK(options_.clock_rate >= 1000, "telephone-event clock rate too low");
  SB_CHECK(options_.update_interval.count() > 0, "telephone-event update interval not positive");
  SB_CHECK(options_.end_packets >= 1, "telephone-event needs at least one end packet");
  SB_CHECK(options_.volume <= 63, "telephone-event volume beyond 63");
  interval_samples_ =
      static_cast<std::uint32_t>(options_.update_interval.count()) * options_.clock_rate / 1000;
}

core::Result<void> TelephoneEventSender::start(char digit, std::chrono::milliseconds duration,
                                               std::uint32_t rtp_timestamp) {
  if (event_) return core::makeError(core::ErrorCode::kConflict, "a digit is being sent");
  const auto event = dtmfEvent(digit);
  if (!event) return core::makeError(core::ErrorCode::kInvalidInput, "not a DTMF digit");
  if (duration.count() <= 0) {
    return core::makeError(core::ErrorCode::kInvalidInput, "digit duration not positive");
  }
  const auto samples = static_cast<std::uint64_t>(duration.count()) * options_.clock_rate / 1000;
  if (samples > 0xFFFF) {
    return core::makeError(core::ErrorCode::kInvalidInput, "digit duration too long");
  }
  event_ = *event;
  rtp_timestamp_ = rtp_timestamp;
  total_samples_ = static_cast<std::uint32_t>(samples);
  duration_ = duration;
  updates_sent_ = 0;
  ends_sent_ = 0;
  return core::okResult();
}

std::optional<TelephoneEventPacket> TelephoneEventSender::next() {
  if (!event_) return std::nullopt;
  TelephoneEventPacket packet;
  packet.rtp_timestamp = rtp_timestamp_;
  TelephoneEvent event;
  event.event = *event_;
  event.volume = options_.volume;
  const auto update_offset = options_.update_interval * updates_sent_;
  if (update_offset < duration_) {
    // Each update covers the event up to the end of its interval.
    const auto so_far = static_cast<std::uint64_t>(updates_sent_ + 1) * interval_samples_;
    event.duration = static_cast<std::uint16_t>(std::min<std::uint64_t>(so_far, total_samples_));
    packet.marker = updates_sent_ == 0;
    packet.send_offset = update_offset;
    ++updates_sent_;
  } else {
    event.end = true;
    event.duration = static_cast<std::uint16_t>(total_samples_);
    packet.send_offset = duration_ + options_.update_interval * ends_sent_;
    if (++ends_sent_ == options_.end_packets) event_.reset();
  }
  packet.payload = serializeTelephoneEvent(event);
  return packet;
}

}  // namespace sb::media
