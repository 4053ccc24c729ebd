#include "media/rtp_packet.hpp"

#include "media/detail/byte_order.hpp"

#include <cstring>

namespace sb::media {
namespace {

using detail::load16;
using detail::load32;
using detail::store16;
using detail::store32;

}  // namespace

const char* toString(RtpError error) {
  switch (error) {
    case RtpError::kTooShort:
      return "too short";
    case RtpError::kBadVersion:
      return "bad version";
    case RtpError::kBadCsrcCount:
      return "bad CSRC count";
    case RtpError::kBadExtension:
      return "bad extension";
    case RtpError::kBadPadding:
      return "bad padding";
    case RtpError::kBufferTooSmall:
      return "buffer too small";
    case RtpError::kBadField:
      return "bad field";
  }
  return "unknown";
}

uint32_t RtpPacketView::csrc(size_t index) const {
  return load32(csrc_bytes.data() + 4 * index);
}

PacketResult<RtpPacketView, RtpError> parseRtp(std::span<const uint8_t> bytes) {
  if (bytes.size() < kRtpHeaderBytes) return RtpError::kTooShort;
  const uint8_t* p = bytes.data();
  if ((p[0] >> 6) != 2) return RtpError::kBadVersion;
  bool padded = (p[0] & 0x20) != 0;
  bool extended = (p[0] & 0x10) != 0;
  size_t csrc_count = p[0] & 0x0F;

  RtpPacketView view;
  view.marker = (p[1] & 0x80) != 0;
  view.payload_type = p[1] & 0x7F;
  view.sequence = load16(p + 2);
  view.timestamp = load32(p + 4);
  view.ssrc = load32(p + 8);

  size_t pos = kRtpHeaderBytes;
  if (bytes.size() - pos < 4 * csrc_count) return RtpError::kBadCsrcCount;
  view.csrc_bytes = bytes.subspan(pos, 4 * csrc_count);
  pos += 4 * csrc_count;

  if (extended) {
    if (bytes.size() - pos < 4) return RtpError::kBadExtension;
    view.has_extension = true;
    view.extension_profile = load16(p + pos);
    size_t length = size_t{load16(p + pos + 2)} * 4;
    pos += 4;
    if (bytes.size() - pos < length) return RtpError::kBadExtension;
    view.extension = bytes.subspan(pos, length);
    pos += length;
  }

  size_t end = bytes.size();
  if (padded) {
    uint8_t count = bytes.back();
    if (count == 0 || count > end - pos) return RtpError::kBadPadding;
    view.padding = count;
    end -= count;
  }
  view.payload = bytes.subspan(pos, end - pos);
  return view;
}

PacketKind classifyPacket(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return PacketKind::kUnknown;
  uint8_t first = bytes[0];
  if (first <= 3) return PacketKind::kStun;
  if (first >= 20 && first <= 63) return PacketKind::kDtls;
  if (first >= 128 && first <= 191 && bytes.size() >= 2) {
    uint8_t type = bytes[1] & 0x7F;
    return (type >= 64 && type <= 95) ? PacketKind::kRtcp : PacketKind::kRtp;
  }
  return PacketKind::kUnknown;
}

size_t rtpHeaderSize(const RtpHeaderFields& fields) {
  size_t size = kRtpHeaderBytes + fields.csrc_bytes.size();
  if (fields.has_extension) size += 4 + fields.extension.size();
  return size;
}

PacketResult<size_t, RtpError> writeRtp(std::span<uint8_t> out, const RtpHeaderFields& fields,
                                        std::span<const uint8_t> payload) {
  if (fields.payload_type > 127 || fields.csrc_bytes.size() % 4 != 0 ||
      fields.csrc_bytes.size() > 4 * kRtpMaxCsrcs || fields.extension.size() % 4 != 0 ||
      fields.extension.size() > 4 * size_t{0xFFFF}) {
    return RtpError::kBadField;
  }
  size_t header = rtpHeaderSize(fields);
  size_t total = header + payload.size() + fields.padding;
  if (out.size() < total) return RtpError::kBufferTooSmall;

  uint8_t* p = out.data();
  // The payload first: it may overlap the output when encoded in place.
  if (!payload.empty()) std::memmove(p + header, payload.data(), payload.size());
  p[0] = static_cast<uint8_t>(0x80 | (fields.padding != 0 ? 0x20 : 0) |
                              (fields.has_extension ? 0x10 : 0) | (fields.csrc_bytes.size() / 4));
  p[1] = static_cast<uint8_t>((fields.marker ? 0x80 : 0) | fields.payload_type);
  store16(p + 2, fields.sequence);
  store32(p + 4, fields.timestamp);
  store32(p + 8, fields.ssrc);
  size_t pos = kRtpHeaderBytes;
  if (!fields.csrc_bytes.empty()) {
    std::memcpy(p + pos, fields.csrc_bytes.data(), fields.csrc_bytes.size());
    pos += fields.csrc_bytes.size();
  }
  if (fields.has_extension) {
    store16(p + pos, fields.extension_profile);
    store16(p + pos + 2, static_cast<uint16_t>(fields.extension.size() / 4));
    pos += 4;
    if (!fields.extension.empty()) {
      std::memcpy(p + pos, fields.extension.data(), fields.extension.size());
    }
  }
  if (fields.padding != 0) {
    uint8_t* pad = p + header + payload.size();
    std::memset(pad, 0, fields.padding - 1u);
    pad[fields.padding - 1] = fields.padding;
  }
  return total;
}

}  // namespace sb::media
