#pragma once
// Receive and send statistics of one RTP source (RFC 3550 Appendix A.1, A.3, A.8, §6.4):
// sequence validation with probation, loss, interarrival jitter and the report block we
// send about the source; packet and octet counts for our own sender reports. Sans-I/O:
// every call is given the time it refers to.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/clock.hpp"
#include "media/rtcp_packet.hpp"

namespace sb::media {

class RtpReceiveStats {
 public:
  static constexpr uint16_t kMinSequential = 2;  // packets in order before a source counts
  static constexpr uint32_t kMaxDropout = 3000;
  static constexpr uint32_t kMaxMisorder = 100;

  explicit RtpReceiveStats(uint32_t clock_rate) : clock_rate_(clock_rate) {}

  // One packet from the source. Returns false while the source is on probation and for a
  // packet after a large jump that is not yet confirmed (A.1): the caller should not
  // play it. Duplicates and late packets within kMaxMisorder return true.
  bool onPacket(uint16_t sequence, uint32_t rtp_timestamp, core::Time arrival);

  // An SR from the source arrived: its LSR/DLSR go into our next report block.
  void onSenderReport(uint64_t ntp_timestamp, core::Time arrival);

  // The report block for our next SR/RR (A.3); starts a new interval for fraction lost.
  ReportBlock makeReportBlock(uint32_t source_ssrc, core::Time now);

  bool valid() const { return probation_ == 0 && started_; }  // out of probation
  uint32_t received() const { return received_; }
  uint32_t extendedHighestSequence() const { return cycles_ + max_seq_; }
  uint32_t expected() const;
  int64_t lost() const;                             // may be negative with duplicates
  uint32_t jitter() const { return jitter_ >> 4; }  // timestamp units

 private:
  void initSequence(uint16_t sequence);
  bool updateSequence(uint16_t sequence);
  void updateJitter(uint32_t rtp_timestamp, core::Time arrival);

  uint32_t clock_rate_;
  bool started_ = false;
  uint16_t max_seq_ = 0;
  uint32_t cycles_ = 0;  // shifted count of sequence number cycles
  uint32_t base_seq_ = 0;
  uint32_t bad_seq_ = 0;
  uint16_t probation_ = 0;
  uint32_t received_ = 0;
  uint32_t expected_prior_ = 0;
  uint32_t received_prior_ = 0;

  bool have_transit_ = false;
  core::Time arrival_base_{};
  uint32_t transit_ = 0;
  uint32_t jitter_ = 0;  // × 16, as in A.8

  uint32_t last_sr_ = 0;  // middle 32 bits of the last SR's NTP time
  core::Time last_sr_arrival_{};
};

// What we sent, for our sender reports (§6.4.1).
class RtpSendStats {
 public:
  explicit RtpSendStats(uint32_t clock_rate) : clock_rate_(clock_rate) {}
  void onPacketSent(uint32_t rtp_timestamp, size_t payload_bytes, core::Time sent);
  bool sentAny() const { return sent_any_; }
  uint32_t packetCount() const { return packets_; }
  uint32_t octetCount() const { return octets_; }
  // Sender info for an SR made at `now`: the RTP timestamp is extrapolated from the last
  // packet sent at the clock rate, so it matches the NTP time (§6.4.1).
  SenderInfo senderInfo(core::Time now) const;

 private:
  uint32_t clock_rate_;
  bool sent_any_ = false;
  uint32_t packets_ = 0;
  uint32_t octets_ = 0;
  uint32_t last_timestamp_ = 0;
  core::Time last_sent_{};
};

}  // namespace sb::media
