#pragma once
// RTP packets (RFC 3550 §5.1, §5.3.1; RFC 8285 extensions kept opaque) and the
// demultiplexing of one UDP port shared by RTP, RTCP, STUN and DTLS (RFC 5761 §4,
// RFC 7983). Hot path: parsing gives views into the caller's buffer, writing fills the
// caller's buffer; nothing allocates and nothing throws. Errors are small enums so that
// a dropped packet costs a counter, not a string.
#include <cstddef>
#include <cstdint>
#include <span>

namespace sb::media {

// A value or a small error code; the packet layer's Result (core::Result carries a
// std::string, which would allocate for every bad packet of a flood).
template <typename T, typename E>
class [[nodiscard]] PacketResult {
 public:
  PacketResult(T value) : value_(value), ok_(true) {}   // NOLINT: implicit on purpose
  PacketResult(E error) : error_(error), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const T& value() const { return value_; }
  const T& operator*() const { return value_; }
  const T* operator->() const { return &value_; }
  E error() const { return error_; }

 private:
  T value_{};
  E error_{};
  bool ok_ = false;
};

enum class RtpError : uint8_t {
  kTooShort,        // under the 12-byte fixed header
  kBadVersion,      // version is not 2
  kBadCsrcCount,    // the CSRC list runs past the packet
  kBadExtension,    // the extension header or its length runs past the packet
  kBadPadding,      // padding count 0 or larger than the space after the headers
  kBufferTooSmall,  // writer: the output buffer cannot hold the packet
  kBadField,        // writer: a field out of range (payload type > 127, > 15 CSRCs, …)
};
const char* toString(RtpError error);

inline constexpr size_t kRtpHeaderBytes = 12;
inline constexpr size_t kRtpMaxCsrcs = 15;
inline constexpr uint16_t kRtpOneByteExtensionProfile = 0xBEDE;  // RFC 8285 §4.2

struct RtpPacketView {
  bool marker = false;
  uint8_t payload_type = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  std::span<const uint8_t> csrc_bytes;  // 4 bytes per CSRC, network order
  bool has_extension = false;
  uint16_t extension_profile = 0;      // "defined by profile" (0xBEDE, 0x100x, …)
  std::span<const uint8_t> extension;  // extension data after its 4-byte header
  std::span<const uint8_t> payload;    // without padding
  uint8_t padding = 0;                 // padding bytes, the count byte included

  size_t csrcCount() const { return csrc_bytes.size() / 4; }
  uint32_t csrc(size_t index) const;
  bool hasOneByteExtensions() const {
    return has_extension && extension_profile == kRtpOneByteExtensionProfile;
  }
  bool hasTwoByteExtensions() const {  // RFC 8285 §4.3: 0x100 + 4-bit appbits
    return has_extension && (extension_profile & 0xFFF0) == 0x1000;
  }
};

// Validates everything RFC 3550 lets a receiver check on one packet.
PacketResult<RtpPacketView, RtpError> parseRtp(std::span<const uint8_t> bytes);

// What arrived on a port shared by several protocols. RTCP is told from RTP by the
// second byte (packet types 192–223 ↔ payload types 64–95 with the marker bit, which
// RFC 5761 §4 keeps free for RTP); STUN starts with 0–3, DTLS with 20–63 (RFC 7983).
enum class PacketKind : uint8_t { kRtp, kRtcp, kStun, kDtls, kUnknown };
PacketKind classifyPacket(std::span<const uint8_t> bytes);

struct RtpHeaderFields {
  uint8_t payload_type = 0;
  bool marker = false;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  std::span<const uint8_t> csrc_bytes;  // optional, 4 bytes per CSRC, network order
  bool has_extension = false;
  uint16_t extension_profile = 0;
  std::span<const uint8_t> extension;  // a multiple of 4 bytes
  uint8_t padding = 0;                 // 0, or padding bytes to add (count byte included)
};

// Bytes taken by the header (fixed part, CSRCs, extension).
size_t rtpHeaderSize(const RtpHeaderFields& fields);

// Writes header, payload and padding into `out`; returns the packet's size. `payload`
// may already sit at out[rtpHeaderSize(fields)] (encode in place, then write the header).
PacketResult<size_t, RtpError> writeRtp(std::span<uint8_t> out, const RtpHeaderFields& fields,
                                        std::span<const uint8_t> payload);

}  // namespace sb::media
