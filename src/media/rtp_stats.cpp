#include "media/rtp_stats.hpp"

namespace sb::media {
namespace {

constexpr uint32_t kSequenceMod = 1u << 16;
constexpr int64_t kMicrosPerSecond = 1'000'000;

}  // namespace

void RtpReceiveStats::initSequence(uint16_t sequence) {
  base_seq_ = sequence;
  max_seq_ = sequence;
  bad_seq_ = kSequenceMod + 1;  // so that no sequence number matches it
  cycles_ = 0;
  received_ = 0;
  received_prior_ = 0;
  expected_prior_ = 0;
  have_transit_ = false;
}

bool RtpReceiveStats::updateSequence(uint16_t sequence) {
  uint16_t delta = static_cast<uint16_t>(sequence - max_seq_);
  if (probation_ > 0) {
    if (sequence == static_cast<uint16_t>(max_seq_ + 1)) {
      --probation_;
      max_seq_ = sequence;
      if (probation_ == 0) {
        initSequence(sequence);
        ++received_;
        return true;
      }
    } else {
      probation_ = kMinSequential - 1;
      max_seq_ = sequence;
    }
    return false;
  }
  if (delta < kMaxDropout) {
    if (sequence < max_seq_) cycles_ += kSequenceMod;  // wrapped
    max_seq_ = sequence;
  } else if (delta <= kSequenceMod - kMaxMisorder) {
    // A large jump: believe it only when the next packet follows it (the source restarted).
    if (sequence == bad_seq_) {
      initSequence(sequence);
    } else {
      bad_seq_ = (uint32_t{sequence} + 1) & (kSequenceMod - 1);
      return false;
    }
  }
  // else: a duplicate or a packet reordered within kMaxMisorder
  ++received_;
  return true;
}

void RtpReceiveStats::updateJitter(uint32_t rtp_timestamp, core::Time arrival) {
  if (!have_transit_) {
    arrival_base_ = arrival;
  }
  int64_t micros = (arrival - arrival_base_).count();
  uint32_t arrival_units = static_cast<uint32_t>(micros * clock_rate_ / kMicrosPerSecond);
  uint32_t transit = arrival_units - rtp_timestamp;
  if (have_transit_) {
    int64_t d = static_cast<int32_t>(transit - transit_);
    if (d < 0) d = -d;
    int64_t next = int64_t{jitter_} + d - ((int64_t{jitter_} + 8) >> 4);
    jitter_ = static_cast<uint32_t>(next < 0 ? 0 : next);
  }
  transit_ = transit;
  have_transit_ = true;
}

bool RtpReceiveStats::onPacket(uint16_t sequence, uint32_t rtp_timestamp, core::Time arrival) {
  if (!started_) {
    started_ = true;
    initSequence(sequence);
    max_seq_ = static_cast<uint16_t>(sequence - 1);
    probation_ = kMinSequential;
  }
  if (!updateSequence(sequence)) return false;
  updateJitter(rtp_timestamp, arrival);
  return true;
}

void RtpReceiveStats::onSenderReport(uint64_t ntp_timestamp, core::Time arrival) {
  last_sr_ = ntpMiddle32(ntp_timestamp);
  last_sr_arrival_ = arrival;
}

uint32_t RtpReceiveStats::expected() const {
  if (!valid()) return 0;
  return extendedHighestSequence() - base_seq_ + 1;
}

int64_t RtpReceiveStats::lost() const {
  return int64_t{expected()} - int64_t{received_};
}

ReportBlock RtpReceiveStats::makeReportBlock(uint32_t source_ssrc, core::Time now) {
  ReportBlock block;
  block.ssrc = source_ssrc;
  int64_t lost_total = lost();
  if (lost_total > 0x7FFFFF) lost_total = 0x7FFFFF;
  if (lost_total < -0x800000) lost_total = -0x800000;
  block.cumulative_lost = static_cast<int32_t>(lost_total);

  uint32_t expected_now = expected();
  uint32_t expected_interval = expected_now - expected_prior_;
  expected_prior_ = expected_now;
  uint32_t received_interval = received_ - received_prior_;
  received_prior_ = received_;
  int64_t lost_interval = int64_t{expected_interval} - int64_t{received_interval};
  if (expected_interval != 0 && lost_interval > 0) {
    block.fraction_lost = static_cast<uint8_t>((lost_interval << 8) / expected_interval);
  }

  block.highest_sequence = valid() ? extendedHighestSequence() : 0;
  block.jitter = jitter();
  if (last_sr_ != 0) {
    block.lsr = last_sr_;
    block.dlsr = toNtpShort(now - last_sr_arrival_);
  }
  return block;
}

void RtpSendStats::onPacketSent(uint32_t rtp_timestamp, size_t payload_bytes, core::Time sent) {
  sent_any_ = true;
  ++packets_;
  octets_ += static_cast<uint32_t>(payload_bytes);  // both counts wrap (§6.4.1)
  last_timestamp_ = rtp_timestamp;
  last_sent_ = sent;
}

SenderInfo RtpSendStats::senderInfo(core::Time now) const {
  SenderInfo info;
  info.ntp_timestamp = toNtp(now);
  info.packet_count = packets_;
  info.octet_count = octets_;
  int64_t elapsed = sent_any_ ? (now - last_sent_).count() : 0;
  info.rtp_timestamp =
      last_timestamp_ + static_cast<uint32_t>(elapsed * int64_t{clock_rate_} / kMicrosPerSecond);
  return info;
}

}  // namespace sb::media
