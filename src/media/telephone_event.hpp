#pragma once
// RFC 4733 telephone-event: DTMF keys carried as RTP events instead of tones. One key
// press is one event: packets sharing one RTP timestamp (the event's start), the first
// with the marker bit, each repeating the event with a growing duration, the last three
// with the E (end) bit. Both sides here are sans-I/O: the receiver takes payloads with
// their RTP header fields and the time, the sender yields payloads and when to send them.
//
// Payload (RFC 4733 §2.3), 4 bytes, network order:
//   event (8) | E (1) R (1) volume (6) | duration (16, in RTP timestamp units)
// Several events in one packet are carried with RFC 2198 redundancy, a different
// payload type, which is unwrapped (or refused) before this code sees the payload.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::media {

inline constexpr std::size_t kTelephoneEventSize = 4;

struct TelephoneEvent {
  std::uint8_t event = 0;      // 0-9, 10 '*', 11 '#', 12-15 'A'-'D', others (RFC 4734)
  bool end = false;            // E bit
  std::uint8_t volume = 0;     // 0..63, in -dBm0 (0 is loudest)
  std::uint16_t duration = 0;  // since the event's RTP timestamp, in timestamp units
};

// Refuses any payload that is not exactly 4 bytes and a volume beyond 63 cannot occur
// (6 bits); the R bit is ignored as the RFC asks.
core::Result<TelephoneEvent> parseTelephoneEvent(std::span<const std::uint8_t> payload);
std::array<std::uint8_t, kTelephoneEventSize> serializeTelephoneEvent(const TelephoneEvent& event);

// DTMF events 0-15 ↔ the characters "0123456789*#ABCD".
std::optional<char> dtmfCharacter(std::uint8_t event);
std::optional<std::uint8_t> dtmfEvent(char digit);  // accepts 'a'-'d' too

// A key the far end pressed, reported once.
struct ReceivedDigit {
  char digit = '0';
  std::uint8_t volume = 0;  // of the last packet seen
  std::uint32_t rtp_timestamp = 0;
  std::uint16_t duration = 0;  // longest duration seen, in timestamp units
  bool ended = true;           // false: reported by timeout, no end packet arrived
};

// At most two digits come out of one packet: a previous event whose end was lost, and
// the new one if its first packet seen is already an end packet.
struct ReceivedDigits {
  std::array<ReceivedDigit, 2> items{};
  std::size_t count = 0;
  const ReceivedDigit* begin() const { return items.data(); }
  const ReceivedDigit* end() const { return items.data() + count; }
  bool empty() const { return count == 0; }
};

struct TelephoneEventReceiverOptions {
  // An event whose end packets were all lost is reported this long after its last
  // packet. Updates come every 50 ms or so, so this must be well above that.
  core::Duration end_timeout = std::chrono::milliseconds{500};
};

// Turns the telephone-event packets of one RTP stream into digits. A digit is reported
// when its event ends (E bit), when a new event starts before the old one ended, or on
// timeout (call poll() at nextDeadline()). The redundant end packets and late packets
// of an event already reported are dropped.
class TelephoneEventReceiver {
 public:
  explicit TelephoneEventReceiver(TelephoneEventReceiverOptions options = {}) : options_(options) {}

  // `payload` is the RTP payload of a packet with the negotiated telephone-event
  // payload type. A bad payload is refused (the caller counts it) and changes nothing.
  core::Result<ReceivedDigits> onPacket(std::span<const std::uint8_t> payload,
                                        std::uint32_t rtp_timestamp, bool marker,
                                        std::uint16_t sequence, core::Time now);
  // Reports an event still open after end_timeout without packets.
  std::optional<ReceivedDigit> poll(core::Time now);
  std::optional<core::Time> nextDeadline() const;

  // Forgets everything: call when the stream's SSRC changes (its sequence numbers and
  // timestamps start anew).
  void reset() { *this = TelephoneEventReceiver(options_); }

  // Packets ignored as duplicates, late or non-DTMF events (for counters and tests).
  std::uint64_t ignoredPackets() const { return ignored_; }

 private:
  struct Current {
    std::uint32_t timestamp = 0;
    std::uint8_t event = 0;
    std::uint8_t volume = 0;
    std::uint16_t duration = 0;
    bool reported = false;
    core::Time last_packet{};
  };

  TelephoneEventReceiverOptions options_;
  std::optional<Current> current_;
  std::optional<std::uint16_t> last_sequence_;
  std::uint64_t ignored_ = 0;

  ReceivedDigit report(bool ended);
};

struct TelephoneEventSenderOptions {
  std::uint32_t clock_rate = 8000;                // the negotiated rate of telephone-event
  std::chrono::milliseconds update_interval{50};  // between packets of one event
  int end_packets = 3;                            // the E packet and its repeats
  std::uint8_t volume = 10;                       // -10 dBm0
};

// One packet to send: the payload, the marker bit, the RTP timestamp (the event's start,
// the same for every packet of the event) and when to send it, counted from the start.
struct TelephoneEventPacket {
  std::array<std::uint8_t, kTelephoneEventSize> payload{};
  bool marker = false;
  std::uint32_t rtp_timestamp = 0;
  std::chrono::milliseconds send_offset{0};
};

// Produces the packets of one key press: a start packet with the marker, an update every
// update_interval with a growing duration, then end_packets end packets carrying the
// full duration, one update_interval apart (spread out so one burst of loss does not
// take them all). The caller stamps sequence numbers and SSRC.
class TelephoneEventSender {
 public:
  explicit TelephoneEventSender(TelephoneEventSenderOptions options = {});

  // Refuses an unknown digit, a duration that is not positive or does not fit the
  // 16-bit duration field (8.19 s at 8 kHz), and starting while a digit is under way.
  core::Result<void> start(char digit, std::chrono::milliseconds duration,
                           std::uint32_t rtp_timestamp);
  // The next packet, or nothing once the end packets are out.
  std::optional<TelephoneEventPacket> next();
  bool busy() const { return event_.has_value(); }

 private:
  TelephoneEventSenderOptions options_;
  std::optional<std::uint8_t> event_;
  std::uint32_t rtp_timestamp_ = 0;
  std::uint32_t total_samples_ = 0;
  std::uint32_t interval_samples_ = 0;
  int updates_sent_ = 0;
  int ends_sent_ = 0;
  std::chrono::milliseconds duration_{0};
};

}  // namespace sb::media
