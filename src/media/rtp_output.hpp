#pragma once
// Our RTP stream towards one phone. Whatever feeds it — the other leg of a bridge, a
// prompt, hold sound, a new agent after a transfer — the phone sees one source: our
// SSRC, sequence numbers that go up by one, timestamps that follow the sampling clock.
// A relayed source keeps its own spacing (a gap from loss stays a gap, reordering stays
// reordering, so the phone's jitter buffer sees the truth), shifted onto our numbering;
// when the source changes, the new one continues right after what the phone last got,
// with the marker bit set (RFC 3550 §5.1: the start of a talkspurt), so phones do not
// glitch or drop packets as "too old". Sans-I/O; one per leg, on the leg's thread.
#include <cstdint>

#include "core/clock.hpp"

namespace sb::media {

struct RtpOutHeader {
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  bool marker = false;
};

class RtpOutput {
 public:
  RtpOutput(std::uint32_t ssrc, std::uint16_t first_sequence, std::uint32_t first_timestamp)
      : ssrc_(ssrc), next_sequence_(first_sequence), next_timestamp_(first_timestamp) {}

  std::uint32_t ssrc() const { return ssrc_; }

  // A packet we make ourselves (prompt, hold sound) carrying `samples` samples.
  RtpOutHeader own(std::uint32_t samples, core::Time now, bool new_talkspurt = false);

  // RFC 4733 events we send: every packet of one event carries the timestamp of its
  // start (eventStart), with new sequence numbers.
  std::uint32_t eventStart(core::Time now) const { return continuation(now); }
  RtpOutHeader event(std::uint32_t timestamp, std::uint32_t duration, bool marker, core::Time now);

  // A packet of the relayed source `source` (any key naming the leg + SSRC it comes
  // from) with its own sequence and timestamp. Keeps the source's spacing.
  RtpOutHeader relay(std::uint64_t source, std::uint16_t sequence, std::uint32_t timestamp,
                     std::uint32_t samples, bool marker, core::Time now);

  // The next packet starts a new source even if the key is the same (re-INVITE).
  void restart() { source_valid_ = false; }

 private:
  // The timestamp a new source or own packet starts at: right after the last packet, or
  // later by the wall time that passed (a pause stays a pause).
  std::uint32_t continuation(core::Time now) const;
  void sent(std::uint16_t sequence, std::uint32_t timestamp, std::uint32_t samples, core::Time now);

  std::uint32_t ssrc_;
  std::uint16_t next_sequence_;   // after the highest sequence sent
  std::uint32_t next_timestamp_;  // after the newest packet's samples
  std::uint32_t last_timestamp_ = 0;  // of the newest packet
  bool any_sent_ = false;
  core::Time last_sent_{};
  bool own_last_ = false;  // the last packet was ours (not relayed)

  bool source_valid_ = false;
  std::uint64_t source_ = 0;
  std::uint16_t sequence_offset_ = 0;
  std::uint32_t timestamp_offset_ = 0;
};

}  // namespace sb::media
