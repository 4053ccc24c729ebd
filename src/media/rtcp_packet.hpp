#pragma once
// RTCP compound packets (RFC 3550 §6): strict parsing into views over the caller's
// buffer, iteration without allocation, writers for SR/RR + SDES CNAME (+ BYE) into a
// caller buffer, and the NTP timestamp arithmetic of sender reports and round trips.
// The whole compound is validated once by parseRtcp; the views it yields can then be
// read without further checks.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/clock.hpp"
#include "media/rtp_packet.hpp"

namespace sb::media {

enum class RtcpError : uint8_t {
  kTooShort,        // fewer than 4 bytes for a header
  kBadVersion,      // a packet's version is not 2
  kBadLength,       // a length field runs past the compound
  kBadPadding,      // padding count 0 or beyond the packet
  kPaddingNotLast,  // padding on a packet that is not the last (RFC 3550 §6.4.1, A.2)
  kNotReportFirst,  // the first packet is not SR or RR (§6.1)
  kBadReport,       // SR/RR too short for its sender info and report count
  kBadSdes,         // SDES chunks do not fit or are not terminated
  kBadBye,          // BYE SSRC list or reason does not fit
  kBadApp,          // APP shorter than SSRC + name
};
const char* toString(RtcpError error);

enum class RtcpType : uint8_t { kSr = 200, kRr = 201, kSdes = 202, kBye = 203, kApp = 204 };

struct ReportBlock {
  uint32_t ssrc = 0;
  uint8_t fraction_lost = 0;      // 8-bit fixed point (lost / expected × 256)
  int32_t cumulative_lost = 0;    // 24-bit signed on the wire
  uint32_t highest_sequence = 0;  // extended highest sequence number received
  uint32_t jitter = 0;            // timestamp units
  uint32_t lsr = 0;               // middle 32 bits of the last SR's NTP time, 0 if none
  uint32_t dlsr = 0;              // delay since that SR, 1/65536 s
  bool operator==(const ReportBlock&) const = default;
};
inline constexpr size_t kRtcpReportBlockBytes = 24;
inline constexpr size_t kRtcpMaxReportBlocks = 31;

struct SenderInfo {
  uint64_t ntp_timestamp = 0;
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
  bool operator==(const SenderInfo&) const = default;
};

// Report blocks read from the wire on access.
class ReportBlocks {
 public:
  ReportBlocks() = default;
  explicit ReportBlocks(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  size_t size() const { return bytes_.size() / kRtcpReportBlockBytes; }
  bool empty() const { return bytes_.empty(); }
  ReportBlock operator[](size_t index) const;

 private:
  std::span<const uint8_t> bytes_;
};

struct SdesChunk {
  uint32_t ssrc = 0;
  std::optional<std::string_view> cname;  // the first CNAME item; others are skipped
};

// The chunks of an SDES packet, in order.
class SdesChunks {
 public:
  class Iterator {
   public:
    using value_type = SdesChunk;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    Iterator(std::span<const uint8_t> rest, size_t remaining);
    SdesChunk operator*() const { return current_; }
    Iterator& operator++();
    Iterator operator++(int) {
      Iterator copy = *this;
      ++*this;
      return copy;
    }
    bool operator==(const Iterator& other) const { return remaining_ == other.remaining_; }

   private:
    void load();
    std::span<const uint8_t> rest_;
    size_t remaining_ = 0;
    size_t chunk_bytes_ = 0;
    SdesChunk current_;
  };

  SdesChunks() = default;
  SdesChunks(std::span<const uint8_t> body, size_t count) : body_(body), count_(count) {}
  Iterator begin() const { return Iterator(body_, count_); }
  Iterator end() const { return Iterator(); }
  size_t size() const { return count_; }

 private:
  std::span<const uint8_t> body_;
  size_t count_ = 0;
};

struct RtcpSenderReport {
  uint32_t ssrc = 0;
  SenderInfo info;
  ReportBlocks blocks;
};

struct RtcpReceiverReport {
  uint32_t ssrc = 0;
  ReportBlocks blocks;
};

struct RtcpBye {
  std::span<const uint8_t> ssrc_bytes;
  std::string_view reason;  // empty when absent
  size_t size() const { return ssrc_bytes.size() / 4; }
  uint32_t ssrc(size_t index) const;
};

// One packet of a validated compound. Accessors for another type than type() are a bug.
class RtcpPacketView {
 public:
  RtcpPacketView() = default;
  explicit RtcpPacketView(std::span<const uint8_t> bytes);
  uint8_t type() const { return type_; }
  uint8_t count() const { return count_; }                   // RC / SC / APP subtype
  std::span<const uint8_t> bytes() const { return bytes_; }  // header to padding
  std::span<const uint8_t> body() const { return body_; }    // after the header, no padding
  uint8_t padding() const { return padding_; }

  RtcpSenderReport senderReport() const;
  RtcpReceiverReport receiverReport() const;
  SdesChunks sdes() const { return SdesChunks(body_, count_); }
  RtcpBye bye() const;

 private:
  std::span<const uint8_t> bytes_;
  std::span<const uint8_t> body_;
  uint8_t type_ = 0;
  uint8_t count_ = 0;
  uint8_t padding_ = 0;
};

// A validated compound packet; iterating it yields RtcpPacketView.
class RtcpCompound {
 public:
  class Iterator {
   public:
    using value_type = RtcpPacketView;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    explicit Iterator(std::span<const uint8_t> rest) : rest_(rest) {}
    RtcpPacketView operator*() const { return RtcpPacketView(rest_); }
    Iterator& operator++();
    Iterator operator++(int) {
      Iterator copy = *this;
      ++*this;
      return copy;
    }
    bool operator==(const Iterator& other) const { return rest_.size() == other.rest_.size(); }

   private:
    std::span<const uint8_t> rest_;
  };

  RtcpCompound() = default;
  explicit RtcpCompound(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  Iterator begin() const { return Iterator(bytes_); }
  Iterator end() const { return Iterator(); }
  std::span<const uint8_t> bytes() const { return bytes_; }

 private:
  std::span<const uint8_t> bytes_;
};

PacketResult<RtcpCompound, RtcpError> parseRtcp(std::span<const uint8_t> bytes);

// Builds one compound packet in a caller buffer. Each add returns false (and leaves the
// buffer as it was) when the packet would not fit or a field is out of range.
class RtcpWriter {
 public:
  explicit RtcpWriter(std::span<uint8_t> out) : out_(out) {}
  bool addSenderReport(uint32_t ssrc, const SenderInfo& info, std::span<const ReportBlock> blocks);
  bool addReceiverReport(uint32_t ssrc, std::span<const ReportBlock> blocks);
  bool addSdesCname(uint32_t ssrc, std::string_view cname);  // one chunk, CNAME ≤ 255 bytes
  bool addBye(std::span<const uint32_t> ssrcs, std::string_view reason = {});
  size_t size() const { return size_; }
  std::span<const uint8_t> bytes() const { return out_.first(size_); }

 private:
  uint8_t* reserve(size_t bytes);
  bool addReport(RtcpType type, uint32_t ssrc, const SenderInfo* info,
                 std::span<const ReportBlock> blocks);

  std::span<uint8_t> out_;
  size_t size_ = 0;
};

// NTP timestamps (RFC 3550 §4): seconds since 1900 in the high 32 bits, fraction in the
// low 32. Times from 2036 on use NTP era 1 (seconds wrap; RFC 4330 §3's MSB rule).
uint64_t toNtp(core::Time time);
core::Time fromNtp(uint64_t ntp);
inline uint32_t ntpMiddle32(uint64_t ntp) {
  return static_cast<uint32_t>(ntp >> 16);
}
// A duration in 1/65536 s (DLSR) and back.
uint32_t toNtpShort(core::Duration duration);
core::Duration fromNtpShort(uint32_t units);

// Round trip from a report block about our stream (§6.4.1): arrival − LSR − DLSR.
// nullopt when the peer has not seen an SR from us (LSR 0) or the result is negative.
std::optional<core::Duration> roundTripTime(const ReportBlock& block, core::Time arrival);

}  // namespace sb::media
