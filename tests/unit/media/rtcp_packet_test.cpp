#include "media/rtcp_packet.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace sb::media {
namespace {

// SR from SSRC 0x11111111 with one report block, then SDES with CNAME "ab@host".
std::vector<uint8_t> srCompound() {
  return {
      0x81, 200,  0x00, 0x0C,                          // SR, RC 1, 13 words
      0x11, 0x11, 0x11, 0x11,                          // sender SSRC
      0xE0, 0x00, 0xB7, 0x10, 0x80, 0x00, 0x00, 0x00,  // NTP
      0x00, 0x00, 0x03, 0x20,                          // RTP timestamp 800
      0x00, 0x00, 0x00, 0x05,                          // packets 5
      0x00, 0x00, 0x03, 0x20,                          // octets 800
      0x22, 0x22, 0x22, 0x22,                          // block: SSRC
      0x40, 0xFF, 0xFF, 0xFE,                          // fraction 64, lost -2
      0x00, 0x01, 0x00, 0x10,                          // highest seq 65552
      0x00, 0x00, 0x00, 0x21,                          // jitter 33
      0xB7, 0x05, 0x20, 0x00,                          // LSR
      0x00, 0x05, 0x40, 0x00,                          // DLSR
      0x81, 202,  0x00, 0x04,                          // SDES, SC 1, 5 words
      0x11, 0x11, 0x11, 0x11, 0x01, 0x07, 'a',  'b',  '@', 'h', 'o', 's', 't', 0x00, 0x00, 0x00,
  };
}

std::vector<uint8_t> rrAlone() {
  return {0x80, 201, 0x00, 0x01, 0, 0, 0, 9};
}

void append(std::vector<uint8_t>& to, const std::vector<uint8_t>& bytes) {
  to.insert(to.end(), bytes.begin(), bytes.end());
}

TEST(RtcpPacket, ParsesSenderReportAndSdes) {
  auto bytes = srCompound();
  auto compound = parseRtcp(bytes);
  ASSERT_TRUE(compound) << toString(compound.error());
  auto it = compound->begin();
  ASSERT_NE(it, compound->end());
  auto sr_packet = *it;
  EXPECT_EQ(sr_packet.type(), 200);
  auto sr = sr_packet.senderReport();
  EXPECT_EQ(sr.ssrc, 0x11111111u);
  EXPECT_EQ(sr.info.ntp_timestamp, 0xE000B71080000000ull);
  EXPECT_EQ(sr.info.rtp_timestamp, 800u);
  EXPECT_EQ(sr.info.packet_count, 5u);
  EXPECT_EQ(sr.info.octet_count, 800u);
  ASSERT_EQ(sr.blocks.size(), 1u);
  ReportBlock block = sr.blocks[0];
  EXPECT_EQ(block.ssrc, 0x22222222u);
  EXPECT_EQ(block.fraction_lost, 64);
  EXPECT_EQ(block.cumulative_lost, -2);
  EXPECT_EQ(block.highest_sequence, 65552u);
  EXPECT_EQ(block.jitter, 33u);
  EXPECT_EQ(block.lsr, 0xB7052000u);
  EXPECT_EQ(block.dlsr, 0x00054000u);
  ++it;
  ASSERT_NE(it, compound->end());
  EXPECT_EQ((*it).type(), 202);
  auto chunks = (*it).sdes();
  ASSERT_EQ(chunks.size(), 1u);
  auto chunk = *chunks.begin();
  EXPECT_EQ(chunk.ssrc, 0x11111111u);
  ASSERT_TRUE(chunk.cname);
  EXPECT_EQ(*chunk.cname, "ab@host");
  ++it;
  EXPECT_EQ(it, compound->end());
}

TEST(RtcpPacket, ParsesRrByeAppUnknownAndSdesWithOtherItems) {
  auto bytes = rrAlone();
  // SDES, 2 chunks: NAME then CNAME "x"; second chunk has no CNAME.
  append(bytes,
         {0x82, 202, 0x00, 0x05, 0, 0, 0, 9, 2, 1, 'N', 1, 1, 'x', 0, 0, 0, 0, 0, 8, 4, 0, 0, 0});
  append(bytes, {0x80, 210, 0x00, 0x00});                                  // unknown type
  append(bytes, {0x81, 204, 0x00, 0x02, 0, 0, 0, 9, 'N', 'A', 'M', 'E'});  // APP
  append(bytes, {0x82, 203, 0x00, 0x04, 0, 0, 0, 9, 0, 0, 0, 8, 3, 'b', 'y', 'e', 0, 0, 0, 0});
  auto compound = parseRtcp(bytes);
  ASSERT_TRUE(compound) << toString(compound.error());
  std::vector<uint8_t> types;
  for (auto packet : *compound) types.push_back(packet.type());
  EXPECT_EQ(types, (std::vector<uint8_t>{201, 202, 210, 204, 203}));
  auto it = compound->begin();
  auto rr = (*it).receiverReport();
  EXPECT_EQ(rr.ssrc, 9u);
  EXPECT_TRUE(rr.blocks.empty());
  auto chunks = (*++it).sdes();
  std::vector<SdesChunk> seen(chunks.begin(), chunks.end());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(*seen[0].cname, "x");
  EXPECT_EQ(seen[1].ssrc, 8u);
  EXPECT_FALSE(seen[1].cname);
  ++it;
  ++it;
  auto bye = (*++it).bye();
  ASSERT_EQ(bye.size(), 2u);
  EXPECT_EQ(bye.ssrc(0), 9u);
  EXPECT_EQ(bye.ssrc(1), 8u);
  EXPECT_EQ(bye.reason, "bye");
}

RtcpError errorOf(const std::vector<uint8_t>& bytes) {
  auto compound = parseRtcp(bytes);
  EXPECT_FALSE(compound);
  return compound ? RtcpError::kTooShort : compound.error();
}

TEST(RtcpPacket, RejectsShortAndBadVersion) {
  EXPECT_EQ(errorOf({}), RtcpError::kTooShort);
  EXPECT_EQ(errorOf({0x80, 201, 0}), RtcpError::kTooShort);
  auto bytes = rrAlone();
  bytes.push_back(0x80);  // a stray byte after the RR
  EXPECT_EQ(errorOf(bytes), RtcpError::kTooShort);
  bytes = rrAlone();
  bytes[0] = 0x40;
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadVersion);
  bytes = srCompound();
  bytes[52] = 0xC1;  // the SDES
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadVersion);
}

TEST(RtcpPacket, RejectsLengthsThatDoNotAddUp) {
  auto bytes = rrAlone();
  bytes[3] = 2;  // 12 bytes claimed, 8 there
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadLength);
  bytes = srCompound();
  bytes[55] = 5;  // SDES claims one word more than there is
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadLength);
  bytes = srCompound();
  bytes.push_back(0);  // four bytes after the SDES that are not a packet
  bytes.push_back(0);
  bytes.push_back(0);
  bytes.push_back(0);
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadVersion);
}

TEST(RtcpPacket, RequiresSrOrRrFirst) {
  std::vector<uint8_t> sdes = {0x81, 202, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0};
  EXPECT_EQ(errorOf(sdes), RtcpError::kNotReportFirst);
  auto bytes = sdes;
  append(bytes, rrAlone());
  EXPECT_EQ(errorOf(bytes), RtcpError::kNotReportFirst);
  std::vector<uint8_t> bye = {0x81, 203, 0x00, 0x01, 0, 0, 0, 1};
  EXPECT_EQ(errorOf(bye), RtcpError::kNotReportFirst);
}

TEST(RtcpPacket, PaddingOnlyOnTheLastPacket) {
  auto bytes = rrAlone();
  bytes[0] = 0xA0;
  bytes[3] = 2;
  append(bytes, {0, 0, 0, 4});  // RR with 4 bytes of padding, alone: fine
  ASSERT_TRUE(parseRtcp(bytes));
  auto compound = parseRtcp(bytes);
  EXPECT_EQ((*compound->begin()).padding(), 4);
  EXPECT_EQ((*compound->begin()).body().size(), 4u);
  auto padded_first = bytes;
  append(padded_first, rrAlone());
  EXPECT_EQ(errorOf(padded_first), RtcpError::kPaddingNotLast);
  bytes.back() = 0;
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadPadding);
  bytes.back() = 9;  // more than the 8 bytes after the header
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadPadding);
  bytes.back() = 5;  // eats into the SSRC: the RR is then too short
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadReport);
}

TEST(RtcpPacket, RejectsReportCountBeyondPacket) {
  auto bytes = rrAlone();
  bytes[0] = 0x81;  // one block announced, none there
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadReport);
  bytes = srCompound();
  bytes[0] = 0x82;
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadReport);
  std::vector<uint8_t> short_sr = {0x80, 200, 0x00, 0x04, 0, 0, 0, 1, 0, 0,
                                   0,    0,   0,    0,    0, 0, 0, 0, 0, 0};
  EXPECT_EQ(errorOf(short_sr), RtcpError::kBadReport);  // sender info cut short
}

TEST(RtcpPacket, RejectsBadSdes) {
  auto bytes = srCompound();
  bytes[52] = 0x82;  // two chunks announced
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadSdes);
  bytes = srCompound();
  bytes[61] = 12;  // the CNAME item runs past the packet
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadSdes);
  bytes = srCompound();
  bytes[69] = 'X';  // no null item ends the list
  bytes[70] = 0;
  bytes[71] = 'Y';
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadSdes);
  bytes = rrAlone();
  append(bytes, {0x80, 202, 0x00, 0x01, 0, 0, 0, 0});  // bytes but no chunk
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadSdes);
}

TEST(RtcpPacket, RejectsBadByeAndApp) {
  auto bytes = rrAlone();
  append(bytes, {0x82, 203, 0x00, 0x01, 0, 0, 0, 1});  // two SSRCs announced, one there
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadBye);
  bytes = rrAlone();
  append(bytes, {0x81, 203, 0x00, 0x02, 0, 0, 0, 1, 5, 'a', 'b', 'c'});  // reason too long
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadBye);
  bytes = rrAlone();
  append(bytes, {0x80, 204, 0x00, 0x01, 0, 0, 0, 1});  // APP without a name
  EXPECT_EQ(errorOf(bytes), RtcpError::kBadApp);
}

TEST(RtcpPacket, WritesSrSdesByeCompound) {
  std::array<uint8_t, 256> out{};
  RtcpWriter writer(out);
  SenderInfo info{0xE000B71080000000ull, 800, 5, 800};
  ReportBlock block{0x22222222, 64, -2, 65552, 33, 0xB7052000, 0x00054000};
  ASSERT_TRUE(writer.addSenderReport(0x11111111, info, std::span(&block, 1)));
  ASSERT_TRUE(writer.addSdesCname(0x11111111, "ab@host"));
  auto expected = srCompound();
  ASSERT_EQ(writer.size(), expected.size());
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), writer.bytes().begin()));
  std::array<uint32_t, 1> ssrcs = {0x11111111};
  ASSERT_TRUE(writer.addBye(ssrcs, "hang up"));
  auto compound = parseRtcp(writer.bytes());
  ASSERT_TRUE(compound) << toString(compound.error());
  std::vector<RtcpPacketView> packets(compound->begin(), compound->end());
  ASSERT_EQ(packets.size(), 3u);
  EXPECT_EQ(packets[0].senderReport().info, info);
  EXPECT_EQ(packets[0].senderReport().blocks[0], block);
  EXPECT_EQ(packets[2].bye().reason, "hang up");
  EXPECT_EQ(packets[2].bye().ssrc(0), 0x11111111u);
}

TEST(RtcpPacket, WritesReceiverReportWithBlocks) {
  std::array<uint8_t, 128> out{};
  RtcpWriter writer(out);
  std::array<ReportBlock, 2> blocks = {ReportBlock{1, 0, 0x7FFFFF, 2, 3, 4, 5},
                                       ReportBlock{6, 255, -0x800000, 7, 8, 9, 10}};
  ASSERT_TRUE(writer.addReceiverReport(42, blocks));
  ASSERT_TRUE(writer.addSdesCname(42, ""));
  auto compound = parseRtcp(writer.bytes());
  ASSERT_TRUE(compound);
  auto rr = (*compound->begin()).receiverReport();
  EXPECT_EQ(rr.ssrc, 42u);
  ASSERT_EQ(rr.blocks.size(), 2u);
  EXPECT_EQ(rr.blocks[0], blocks[0]);
  EXPECT_EQ(rr.blocks[1], blocks[1]);
}

TEST(RtcpPacket, WriterRefusesWhatDoesNotFit) {
  std::array<uint8_t, 20> out{};
  RtcpWriter writer(out);
  ReportBlock block;
  EXPECT_FALSE(writer.addReceiverReport(1, std::span(&block, 1)));  // 32 bytes
  EXPECT_EQ(writer.size(), 0u);
  EXPECT_TRUE(writer.addReceiverReport(1, {}));
  EXPECT_FALSE(writer.addSdesCname(1, "a-long-cname"));
  EXPECT_EQ(writer.size(), 8u);
  std::array<ReportBlock, 32> many{};
  std::array<uint8_t, 1024> big{};
  RtcpWriter roomy(big);
  EXPECT_FALSE(roomy.addReceiverReport(1, many));
  block.cumulative_lost = 0x800000;
  EXPECT_FALSE(roomy.addReceiverReport(1, std::span(&block, 1)));
  EXPECT_FALSE(roomy.addSdesCname(1, std::string(256, 'c')));
}

TEST(Ntp, ConvertsTimes) {
  // 1970-01-01 is NTP 2208988800; half a second is fraction 0x80000000.
  core::Time epoch{core::Duration{500'000}};
  EXPECT_EQ(toNtp(epoch), (uint64_t{2208988800u} << 32) | 0x80000000u);
  core::Time now{core::Duration{1'700'000'000'123'456}};
  EXPECT_EQ(fromNtp(toNtp(now)), now);
  // After 2036-02-07 the seconds wrap (era 1) and still convert back.
  core::Time later{std::chrono::seconds{2'100'000'000} + core::Duration{999'999}};
  EXPECT_EQ(toNtp(later) >> 32, uint64_t{2'100'000'000} + 2208988800u - (uint64_t{1} << 32));
  EXPECT_EQ(fromNtp(toNtp(later)), later);
  EXPECT_EQ(ntpMiddle32(0xE000B71080000000ull), 0xB7108000u);
  EXPECT_EQ(toNtpShort(std::chrono::milliseconds{5250}), 0x00054000u);
  EXPECT_EQ(fromNtpShort(0x00062000u), std::chrono::milliseconds{6125});
  EXPECT_EQ(toNtpShort(core::Duration{-5}), 0u);
  EXPECT_EQ(toNtpShort(std::chrono::hours{24 * 365 * 10}), 0xFFFFFFFFu);
}

TEST(Ntp, RoundTripFromReportBlock) {
  // RFC 3550 §6.4.1's example: A = 46864.500, LSR = 46853.125, DLSR = 5.250 → 6.125 s.
  uint64_t arrival_ntp = 0xE000B71080000000ull;
  core::Time arrival = fromNtp(arrival_ntp);
  ReportBlock block;
  block.lsr = 0xB7052000;
  block.dlsr = 0x00054000;
  auto rtt = roundTripTime(block, arrival);
  ASSERT_TRUE(rtt);
  EXPECT_EQ(*rtt, std::chrono::milliseconds{6125});
  block.lsr = 0;
  EXPECT_FALSE(roundTripTime(block, arrival));
  block.lsr = 0xB7108000;  // the peer claims a delay longer than the time since our SR
  EXPECT_FALSE(roundTripTime(block, arrival));
}

}  // namespace
}  // namespace sb::media
