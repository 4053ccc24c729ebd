#include "media/rtp_stats.hpp"

#include <gtest/gtest.h>

namespace sb::media {
namespace {

using std::chrono::milliseconds;

const core::Time kStart{std::chrono::seconds{1'700'000'000}};

TEST(RtpReceiveStats, SourceIsValidAfterTwoPacketsInOrder) {
  RtpReceiveStats stats(8000);
  EXPECT_FALSE(stats.onPacket(100, 0, kStart));
  EXPECT_FALSE(stats.valid());
  EXPECT_TRUE(stats.onPacket(101, 160, kStart));
  EXPECT_TRUE(stats.valid());
  EXPECT_TRUE(stats.onPacket(102, 320, kStart));
  EXPECT_EQ(stats.received(), 2u);  // the first packet of probation is not counted
  EXPECT_EQ(stats.expected(), 2u);
  EXPECT_EQ(stats.lost(), 0);
  EXPECT_EQ(stats.extendedHighestSequence(), 102u);
}

TEST(RtpReceiveStats, ProbationRestartsOnAGap) {
  RtpReceiveStats stats(8000);
  EXPECT_FALSE(stats.onPacket(100, 0, kStart));
  EXPECT_FALSE(stats.onPacket(105, 0, kStart));  // not 101: probation starts again
  EXPECT_FALSE(stats.valid());
  EXPECT_TRUE(stats.onPacket(106, 0, kStart));
  EXPECT_EQ(stats.received(), 1u);
  EXPECT_EQ(stats.expected(), 1u);
}

TEST(RtpReceiveStats, SequenceWrapsAt65535) {
  RtpReceiveStats stats(8000);
  EXPECT_FALSE(stats.onPacket(65534, 0, kStart));
  EXPECT_TRUE(stats.onPacket(65535, 0, kStart));
  EXPECT_TRUE(stats.onPacket(0, 0, kStart));
  EXPECT_TRUE(stats.onPacket(1, 0, kStart));
  EXPECT_EQ(stats.extendedHighestSequence(), 65537u);  // one cycle + 1
  EXPECT_EQ(stats.expected(), 3u);
  EXPECT_EQ(stats.received(), 3u);
  EXPECT_EQ(stats.makeReportBlock(7, kStart).highest_sequence, 65537u);
}

TEST(RtpReceiveStats, BigJumpResyncsOnlyAfterTwoInOrderPackets) {
  RtpReceiveStats stats(8000);
  stats.onPacket(10, 0, kStart);
  stats.onPacket(11, 0, kStart);
  stats.onPacket(12, 0, kStart);
  EXPECT_EQ(stats.received(), 2u);
  // A lone stray packet far ahead is refused and changes nothing.
  EXPECT_FALSE(stats.onPacket(9000, 0, kStart));
  EXPECT_TRUE(stats.onPacket(13, 0, kStart));
  EXPECT_EQ(stats.extendedHighestSequence(), 13u);
  EXPECT_EQ(stats.received(), 3u);
  // A restart: refused once, then the next packet in order confirms it.
  EXPECT_FALSE(stats.onPacket(5000, 0, kStart));
  EXPECT_TRUE(stats.onPacket(5001, 0, kStart));
  EXPECT_TRUE(stats.onPacket(5002, 0, kStart));
  EXPECT_EQ(stats.received(), 2u);  // counting starts again at 5001
  EXPECT_EQ(stats.expected(), 2u);
  EXPECT_EQ(stats.extendedHighestSequence(), 5002u);
}

TEST(RtpReceiveStats, LateAndDuplicatePacketsAreCounted) {
  RtpReceiveStats stats(8000);
  stats.onPacket(1, 0, kStart);
  stats.onPacket(2, 0, kStart);
  stats.onPacket(4, 0, kStart);
  EXPECT_TRUE(stats.onPacket(3, 0, kStart));  // late, within MAX_MISORDER
  EXPECT_TRUE(stats.onPacket(3, 0, kStart));  // duplicate
  EXPECT_EQ(stats.extendedHighestSequence(), 4u);
  EXPECT_EQ(stats.expected(), 3u);
  EXPECT_EQ(stats.received(), 4u);
  EXPECT_EQ(stats.lost(), -1);
}

TEST(RtpReceiveStats, LossAndFractionLostPerInterval) {
  RtpReceiveStats stats(8000);
  for (uint16_t seq : {1, 2, 3, 5, 6, 8, 9, 10}) stats.onPacket(seq, 0, kStart);
  // Counted from 2 (after probation): 9 expected, 7 received.
  EXPECT_EQ(stats.expected(), 9u);
  EXPECT_EQ(stats.received(), 7u);
  ReportBlock first = stats.makeReportBlock(0xABCD, kStart);
  EXPECT_EQ(first.ssrc, 0xABCDu);
  EXPECT_EQ(first.cumulative_lost, 2);
  EXPECT_EQ(first.fraction_lost, 56);  // 2 × 256 / 9 = 56.9
  EXPECT_EQ(first.highest_sequence, 10u);
  EXPECT_EQ(first.lsr, 0u);
  EXPECT_EQ(first.dlsr, 0u);

  for (uint16_t seq = 11; seq <= 20; ++seq) {
    if (seq != 15) stats.onPacket(seq, 0, kStart);
  }
  ReportBlock second = stats.makeReportBlock(0xABCD, kStart);
  EXPECT_EQ(second.cumulative_lost, 3);
  EXPECT_EQ(second.fraction_lost, 25);  // 1 × 256 / 10 = 25.6
  EXPECT_EQ(second.highest_sequence, 20u);

  stats.onPacket(20, 0, kStart);  // a duplicate: this interval "lost" −1
  ReportBlock third = stats.makeReportBlock(0xABCD, kStart);
  EXPECT_EQ(third.fraction_lost, 0);
  EXPECT_EQ(third.cumulative_lost, 2);
}

TEST(RtpReceiveStats, InterarrivalJitter) {
  // 8 kHz, a packet every 20 ms (160 units); arrivals deviate by known amounts.
  RtpReceiveStats stats(8000);
  stats.onPacket(1, 0, kStart);                       // probation: ignored
  stats.onPacket(2, 160, kStart + milliseconds{20});  // transit T (reference)
  EXPECT_EQ(stats.jitter(), 0u);
  stats.onPacket(3, 320, kStart + milliseconds{45});  // 5 ms late: D = 40 units
  // J = 0 + (40 − 0) / 16 = 2.5; in A.8's integer form J×16 = 40.
  EXPECT_EQ(stats.jitter(), 2u);
  stats.onPacket(4, 480, kStart + milliseconds{60});  // on time: D = 40
  // J×16 = 40 + 40 − (40 + 8) / 16 = 77 → 4.8
  EXPECT_EQ(stats.jitter(), 4u);
  stats.onPacket(5, 640, kStart + milliseconds{90});  // 10 ms late: D = 80
  // J×16 = 77 + 80 − (77 + 8) / 16 = 152 → 9.5
  EXPECT_EQ(stats.jitter(), 9u);
  EXPECT_EQ(stats.makeReportBlock(1, kStart).jitter, 9u);
}

TEST(RtpReceiveStats, ReportBlockCarriesLsrAndDlsr) {
  RtpReceiveStats stats(8000);
  stats.onPacket(1, 0, kStart);
  stats.onPacket(2, 160, kStart);
  uint64_t sr_ntp = 0xE000B71080000000ull;
  stats.onSenderReport(sr_ntp, kStart);
  ReportBlock block = stats.makeReportBlock(1, kStart + milliseconds{1500});
  EXPECT_EQ(block.lsr, 0xB7108000u);
  EXPECT_EQ(block.dlsr, 98304u);  // 1.5 × 65536
}

TEST(RtpReceiveStats, RoundTripEndToEnd) {
  // We send an SR at t0; the peer answers 1.5 s after receiving it; its RR reaches us
  // at t0 + 1.7 s, so the network took 0.2 s both ways together.
  RtpSendStats sender(8000);
  SenderInfo info = sender.senderInfo(kStart);
  RtpReceiveStats peer(8000);
  peer.onPacket(1, 0, kStart);
  peer.onPacket(2, 160, kStart);
  peer.onSenderReport(info.ntp_timestamp, kStart + milliseconds{100});
  ReportBlock block = peer.makeReportBlock(1, kStart + milliseconds{1600});
  auto rtt = roundTripTime(block, kStart + milliseconds{1700});
  ASSERT_TRUE(rtt);
  // 1.7 s is 111411.2 units of 1/65536 s, truncated to 111411; minus 98304 (DLSR)
  // gives 13107 units = 199996.9 µs.
  EXPECT_EQ(*rtt, core::Duration{199'997});
}

TEST(RtpSendStats, CountsAndExtrapolatesTimestamp) {
  RtpSendStats stats(8000);
  EXPECT_FALSE(stats.sentAny());
  stats.onPacketSent(1000, 160, kStart);
  stats.onPacketSent(1160, 160, kStart + milliseconds{20});
  SenderInfo info = stats.senderInfo(kStart + milliseconds{50});
  EXPECT_EQ(info.packet_count, 2u);
  EXPECT_EQ(info.octet_count, 320u);
  EXPECT_EQ(info.rtp_timestamp, 1160u + 240u);  // 30 ms at 8 kHz after the last packet
  EXPECT_EQ(info.ntp_timestamp, toNtp(kStart + milliseconds{50}));
}

}  // namespace
}  // namespace sb::media
