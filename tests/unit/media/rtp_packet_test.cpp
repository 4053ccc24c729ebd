#include "media/rtp_packet.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace sb::media {
namespace {

// V=2, PT 0, seq 0x1234, ts 0xDEADBEEF, SSRC 0x01020304, payload "abcd".
std::vector<uint8_t> basicPacket() {
  return {0x80, 0x00, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF,
          0x01, 0x02, 0x03, 0x04, 'a',  'b',  'c',  'd'};
}

TEST(RtpPacket, ParsesFixedHeader) {
  auto bytes = basicPacket();
  bytes[1] = 0x80 | 8;  // marker, PCMA
  auto packet = parseRtp(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->marker);
  EXPECT_EQ(packet->payload_type, 8);
  EXPECT_EQ(packet->sequence, 0x1234);
  EXPECT_EQ(packet->timestamp, 0xDEADBEEFu);
  EXPECT_EQ(packet->ssrc, 0x01020304u);
  EXPECT_EQ(packet->csrcCount(), 0u);
  EXPECT_FALSE(packet->has_extension);
  ASSERT_EQ(packet->payload.size(), 4u);
  EXPECT_EQ(packet->payload.data(), bytes.data() + 12);  // a view, not a copy
}

TEST(RtpPacket, HeaderOnlyIsValid) {
  auto bytes = basicPacket();
  bytes.resize(12);
  auto packet = parseRtp(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->payload.empty());
}

TEST(RtpPacket, RejectsShortPacket) {
  auto bytes = basicPacket();
  auto packet = parseRtp(std::span(bytes).first(11));
  ASSERT_FALSE(packet);
  EXPECT_EQ(packet.error(), RtpError::kTooShort);
  EXPECT_EQ(parseRtp({}).error(), RtpError::kTooShort);
}

TEST(RtpPacket, RejectsOtherVersions) {
  for (uint8_t first : {0x00, 0x40, 0xC0}) {
    auto bytes = basicPacket();
    bytes[0] = first;
    auto packet = parseRtp(bytes);
    ASSERT_FALSE(packet);
    EXPECT_EQ(packet.error(), RtpError::kBadVersion);
  }
}

TEST(RtpPacket, ParsesCsrcs) {
  std::vector<uint8_t> bytes = {0x82, 0x00, 0,    1,    0,    0,    0,    2,    0,    0,  0,
                                3,    0xAA, 0xBB, 0xCC, 0xDD, 0x11, 0x22, 0x33, 0x44, 'x'};
  auto packet = parseRtp(bytes);
  ASSERT_TRUE(packet);
  ASSERT_EQ(packet->csrcCount(), 2u);
  EXPECT_EQ(packet->csrc(0), 0xAABBCCDDu);
  EXPECT_EQ(packet->csrc(1), 0x11223344u);
  EXPECT_EQ(packet->payload.size(), 1u);
}

TEST(RtpPacket, RejectsCsrcCountBeyondPacket) {
  auto bytes = basicPacket();  // 4 bytes after the fixed header: room for one CSRC
  bytes[0] = 0x81;
  EXPECT_TRUE(parseRtp(bytes));
  bytes[0] = 0x82;
  auto packet = parseRtp(bytes);
  ASSERT_FALSE(packet);
  EXPECT_EQ(packet.error(), RtpError::kBadCsrcCount);
  bytes[0] = 0x8F;
  EXPECT_EQ(parseRtp(bytes).error(), RtpError::kBadCsrcCount);
}

TEST(RtpPacket, ParsesOneByteExtension) {
  std::vector<uint8_t> bytes = {0x90, 0x00, 0,    1,    0,    0,    0,    2,    0,    0,   0,
                                3,    0xBE, 0xDE, 0x00, 0x01, 0x10, 0x7F, 0x00, 0x00, 'p', 'q'};
  auto packet = parseRtp(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->has_extension);
  EXPECT_TRUE(packet->hasOneByteExtensions());
  EXPECT_FALSE(packet->hasTwoByteExtensions());
  EXPECT_EQ(packet->extension_profile, 0xBEDE);
  ASSERT_EQ(packet->extension.size(), 4u);
  EXPECT_EQ(packet->extension[1], 0x7F);
  ASSERT_EQ(packet->payload.size(), 2u);
  EXPECT_EQ(packet->payload[0], 'p');
}

TEST(RtpPacket, ParsesTwoByteExtensionProfileAndEmptyExtension) {
  std::vector<uint8_t> bytes = {0x90, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x10, 0x03, 0x00, 0x00};
  auto packet = parseRtp(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->hasTwoByteExtensions());
  EXPECT_TRUE(packet->extension.empty());
  EXPECT_TRUE(packet->payload.empty());
}

TEST(RtpPacket, RejectsExtensionBeyondPacket) {
  // Header of the extension cut short.
  std::vector<uint8_t> bytes = {0x90, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0x00};
  EXPECT_EQ(parseRtp(bytes).error(), RtpError::kBadExtension);
  // Length says two words, one is there.
  bytes = {0x90, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0x00, 0x02, 1, 2, 3, 4};
  EXPECT_EQ(parseRtp(bytes).error(), RtpError::kBadExtension);
  // With CSRCs before it.
  bytes = {0x91, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 9, 9, 9, 9, 0xBE, 0xDE};
  EXPECT_EQ(parseRtp(bytes).error(), RtpError::kBadExtension);
}

TEST(RtpPacket, StripsPadding) {
  auto bytes = basicPacket();
  bytes[0] = 0xA0;
  bytes.insert(bytes.end(), {0, 0, 3});
  auto packet = parseRtp(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->padding, 3);
  EXPECT_EQ(packet->payload.size(), 4u);
}

TEST(RtpPacket, PaddingMayTakeTheWholePayload) {
  auto bytes = basicPacket();
  bytes[0] = 0xA0;
  bytes.back() = 4;
  auto packet = parseRtp(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->payload.empty());
}

TEST(RtpPacket, RejectsBadPadding) {
  auto bytes = basicPacket();
  bytes[0] = 0xA0;
  bytes.back() = 0;  // a count of zero
  EXPECT_EQ(parseRtp(bytes).error(), RtpError::kBadPadding);
  bytes.back() = 5;  // more than the 4 bytes after the header
  EXPECT_EQ(parseRtp(bytes).error(), RtpError::kBadPadding);
  bytes.resize(12);  // no room at all: the count byte is the SSRC's last byte
  EXPECT_EQ(parseRtp(bytes).error(), RtpError::kBadPadding);
  // Padding may not eat into the extension.
  bytes = {0xB0, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0x00, 0x01, 1, 2, 3, 1};
  EXPECT_EQ(parseRtp(bytes).error(), RtpError::kBadPadding);
}

TEST(RtpPacket, ClassifiesMuxedPackets) {
  auto rtp = basicPacket();
  EXPECT_EQ(classifyPacket(rtp), PacketKind::kRtp);
  rtp[1] = 0x80 | 96;  // marker + dynamic PT 96: still RTP
  EXPECT_EQ(classifyPacket(rtp), PacketKind::kRtp);
  rtp[1] = 63;
  EXPECT_EQ(classifyPacket(rtp), PacketKind::kRtp);
  for (uint8_t type : {192, 200, 201, 202, 203, 204, 205, 206, 223}) {
    std::array<uint8_t, 8> rtcp = {0x80, type, 0, 1, 0, 0, 0, 1};
    EXPECT_EQ(classifyPacket(rtcp), PacketKind::kRtcp) << int{type};
  }
  std::array<uint8_t, 8> rr = {0x80, 201, 0, 1, 0, 0, 0, 1};
  rr[1] = 224;  // PT 96 with the marker: RTP
  EXPECT_EQ(classifyPacket(rr), PacketKind::kRtp);
  std::array<uint8_t, 4> stun = {0x00, 0x01, 0x00, 0x00};
  EXPECT_EQ(classifyPacket(stun), PacketKind::kStun);
  stun[0] = 3;
  EXPECT_EQ(classifyPacket(stun), PacketKind::kStun);
  std::array<uint8_t, 4> dtls = {22, 0xFE, 0xFD, 0};
  EXPECT_EQ(classifyPacket(dtls), PacketKind::kDtls);
  std::array<uint8_t, 2> other = {64, 0};
  EXPECT_EQ(classifyPacket(other), PacketKind::kUnknown);
  EXPECT_EQ(classifyPacket({}), PacketKind::kUnknown);
}

TEST(RtpPacket, WritesAndParsesBack) {
  std::array<uint8_t, 4> payload = {1, 2, 3, 4};
  RtpHeaderFields fields;
  fields.payload_type = 0;
  fields.marker = true;
  fields.sequence = 65535;
  fields.timestamp = 160;
  fields.ssrc = 0xCAFEBABE;
  std::array<uint8_t, 64> out{};
  auto written = writeRtp(out, fields, payload);
  ASSERT_TRUE(written);
  ASSERT_EQ(*written, 16u);
  std::array<uint8_t, 16> expected = {0x80, 0x80, 0xFF, 0xFF, 0, 0, 0, 160,
                                      0xCA, 0xFE, 0xBA, 0xBE, 1, 2, 3, 4};
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), out.begin()));
  auto packet = parseRtp(std::span(out).first(*written));
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->marker);
  EXPECT_EQ(packet->sequence, 65535);
  EXPECT_EQ(packet->ssrc, 0xCAFEBABEu);
}

TEST(RtpPacket, WritesCsrcsExtensionAndPadding) {
  std::array<uint8_t, 8> csrcs = {0, 0, 0, 7, 0, 0, 0, 9};
  std::array<uint8_t, 4> extension = {0x10, 0xAB, 0, 0};
  std::array<uint8_t, 3> payload = {5, 6, 7};
  RtpHeaderFields fields{101, false, 7, 8, 9, csrcs, true, 0xBEDE, extension, 5};
  std::array<uint8_t, 64> out{};
  auto written = writeRtp(out, fields, payload);
  ASSERT_TRUE(written);
  EXPECT_EQ(*written, 12u + 8 + 8 + 3 + 5);
  auto packet = parseRtp(std::span(out).first(*written));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->payload_type, 101);
  EXPECT_EQ(packet->csrcCount(), 2u);
  EXPECT_EQ(packet->csrc(1), 9u);
  EXPECT_TRUE(packet->hasOneByteExtensions());
  EXPECT_EQ(packet->extension[1], 0xAB);
  EXPECT_EQ(packet->padding, 5);
  ASSERT_EQ(packet->payload.size(), 3u);
  EXPECT_EQ(packet->payload[2], 7);
}

TEST(RtpPacket, WritesPayloadAlreadyInPlace) {
  std::array<uint8_t, 32> out{};
  for (size_t i = 0; i < 6; ++i) out[12 + i] = static_cast<uint8_t>(i + 1);
  RtpHeaderFields fields;
  fields.sequence = 3;
  auto written = writeRtp(out, fields, std::span<const uint8_t>(out).subspan(12, 6));
  ASSERT_TRUE(written);
  auto packet = parseRtp(std::span(out).first(*written));
  ASSERT_TRUE(packet);
  ASSERT_EQ(packet->payload.size(), 6u);
  EXPECT_EQ(packet->payload[5], 6);
}

TEST(RtpPacket, WriterRefusesSmallBufferAndBadFields) {
  std::array<uint8_t, 4> payload = {1, 2, 3, 4};
  std::array<uint8_t, 15> small{};
  RtpHeaderFields fields;
  EXPECT_EQ(writeRtp(small, fields, payload).error(), RtpError::kBufferTooSmall);
  std::array<uint8_t, 64> out{};
  fields.payload_type = 128;
  EXPECT_EQ(writeRtp(out, fields, payload).error(), RtpError::kBadField);
  fields.payload_type = 0;
  std::array<uint8_t, 3> odd = {1, 2, 3};
  fields.csrc_bytes = odd;
  EXPECT_EQ(writeRtp(out, fields, payload).error(), RtpError::kBadField);
  fields.csrc_bytes = {};
  fields.has_extension = true;
  fields.extension = odd;
  EXPECT_EQ(writeRtp(out, fields, payload).error(), RtpError::kBadField);
}

}  // namespace
}  // namespace sb::media
