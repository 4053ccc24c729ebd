#include "media/rtcp_packet.hpp"

#include "media/detail/byte_order.hpp"

#include <cstring>
#include <limits>

namespace sb::media {
namespace {

using detail::load16;
using detail::load32;
using detail::store16;
using detail::store32;

constexpr size_t kHeaderBytes = 4;
constexpr size_t kSenderInfoBytes = 20;
constexpr int64_t kNtpUnixOffsetSeconds = 2'208'988'800;  // 1900-01-01 to 1970-01-01
constexpr int64_t kMicrosPerSecond = 1'000'000;

size_t packetBytes(std::span<const uint8_t> header) {
  return (size_t{header[2]} << 10 | size_t{header[3]} << 2) + 4;  // (length + 1) words
}
size_t roundUp4(size_t n) {
  return (n + 3) & ~size_t{3};
}

bool validSdes(std::span<const uint8_t> body, size_t count) {
  size_t pos = 0;
  for (size_t chunk = 0; chunk < count; ++chunk) {
    if (body.size() - pos < 4) return false;
    pos += 4;  // SSRC/CSRC
    while (true) {
      if (pos >= body.size()) return false;  // the item list must be terminated
      if (body[pos] == 0) break;
      if (body.size() - pos < 2 || body.size() - pos - 2 < body[pos + 1]) return false;
      pos += 2 + body[pos + 1];
    }
    size_t next = roundUp4(pos + 1);  // the null item, then nulls to a word boundary
    if (next > body.size()) return false;
    for (; pos < next; ++pos) {
      if (body[pos] != 0) return false;
    }
  }
  return pos == body.size();
}

bool validBye(std::span<const uint8_t> body, size_t count) {
  if (body.size() < 4 * count) return false;
  size_t rest = body.size() - 4 * count;
  if (rest == 0) return true;
  return rest - 1 >= body[4 * count];
}

RtcpError checkBody(uint8_t type, size_t count, std::span<const uint8_t> body, bool* ok) {
  *ok = false;
  switch (type) {
    case static_cast<uint8_t>(RtcpType::kSr):
      if (body.size() < 4 + kSenderInfoBytes + count * kRtcpReportBlockBytes) {
        return RtcpError::kBadReport;
      }
      break;
    case static_cast<uint8_t>(RtcpType::kRr):
      if (body.size() < 4 + count * kRtcpReportBlockBytes) return RtcpError::kBadReport;
      break;
    case static_cast<uint8_t>(RtcpType::kSdes):
      if (!validSdes(body, count)) return RtcpError::kBadSdes;
      break;
    case static_cast<uint8_t>(RtcpType::kBye):
      if (!validBye(body, count)) return RtcpError::kBadBye;
      break;
    case static_cast<uint8_t>(RtcpType::kApp):
      if (body.size() < 8) return RtcpError::kBadApp;
      break;
    default:
      break;  // unknown types are skipped by length
  }
  *ok = true;
  return RtcpError::kTooShort;
}

}  // namespace

const char* toString(RtcpError error) {
  switch (error) {
    case RtcpError::kTooShort:
      return "too short";
    case RtcpError::kBadVersion:
      return "bad version";
    case RtcpError::kBadLength:
      return "bad length";
    case RtcpError::kBadPadding:
      return "bad padding";
    case RtcpError::kPaddingNotLast:
      return "padding not on the last packet";
    case RtcpError::kNotReportFirst:
      return "first packet not SR or RR";
    case RtcpError::kBadReport:
      return "bad report";
    case RtcpError::kBadSdes:
      return "bad SDES";
    case RtcpError::kBadBye:
      return "bad BYE";
    case RtcpError::kBadApp:
      return "bad APP";
  }
  return "unknown";
}

ReportBlock ReportBlocks::operator[](size_t index) const {
  const uint8_t* p = bytes_.data() + index * kRtcpReportBlockBytes;
  ReportBlock block;
  block.ssrc = load32(p);
  block.fraction_lost = p[4];
  uint32_t lost = (uint32_t{p[5]} << 16) | (uint32_t{p[6]} << 8) | p[7];
  block.cumulative_lost =
      (lost & 0x800000) != 0 ? static_cast<int32_t>(lost) - 0x1000000 : static_cast<int32_t>(lost);
  block.highest_sequence = load32(p + 8);
  block.jitter = load32(p + 12);
  block.lsr = load32(p + 16);
  block.dlsr = load32(p + 20);
  return block;
}

SdesChunks::Iterator::Iterator(std::span<const uint8_t> rest, size_t remaining)
    : rest_(rest), remaining_(remaining) {
  if (remaining_ > 0) load();
}

void SdesChunks::Iterator::load() {
  current_ = SdesChunk{load32(rest_.data()), std::nullopt};
  size_t pos = 4;
  while (rest_[pos] != 0) {
    uint8_t length = rest_[pos + 1];
    if (rest_[pos] == 1 && !current_.cname) {
      current_.cname =
          std::string_view(reinterpret_cast<const char*>(rest_.data() + pos + 2), length);
    }
    pos += 2 + length;
  }
  chunk_bytes_ = roundUp4(pos + 1);
}

SdesChunks::Iterator& SdesChunks::Iterator::operator++() {
  rest_ = rest_.subspan(chunk_bytes_);
  if (--remaining_ > 0) load();
  return *this;
}

uint32_t RtcpBye::ssrc(size_t index) const {
  return load32(ssrc_bytes.data() + 4 * index);
}

RtcpPacketView::RtcpPacketView(std::span<const uint8_t> bytes) {
  bytes_ = bytes.first(packetBytes(bytes));
  type_ = bytes_[1];
  count_ = bytes_[0] & 0x1F;
  padding_ = (bytes_[0] & 0x20) != 0 ? bytes_.back() : 0;
  body_ = bytes_.subspan(kHeaderBytes, bytes_.size() - kHeaderBytes - padding_);
}

RtcpSenderReport RtcpPacketView::senderReport() const {
  const uint8_t* p = body_.data();
  RtcpSenderReport report;
  report.ssrc = load32(p);
  report.info.ntp_timestamp = (uint64_t{load32(p + 4)} << 32) | load32(p + 8);
  report.info.rtp_timestamp = load32(p + 12);
  report.info.packet_count = load32(p + 16);
  report.info.octet_count = load32(p + 20);
  report.blocks = ReportBlocks(body_.subspan(4 + kSenderInfoBytes, count_ * kRtcpReportBlockBytes));
  return report;
}

RtcpReceiverReport RtcpPacketView::receiverReport() const {
  return RtcpReceiverReport{load32(body_.data()),
                            ReportBlocks(body_.subspan(4, count_ * kRtcpReportBlockBytes))};
}

RtcpBye RtcpPacketView::bye() const {
  RtcpBye bye;
  bye.ssrc_bytes = body_.first(4 * size_t{count_});
  if (body_.size() > bye.ssrc_bytes.size()) {
    const uint8_t* reason = body_.data() + bye.ssrc_bytes.size();
    bye.reason = std::string_view(reinterpret_cast<const char*>(reason + 1), reason[0]);
  }
  return bye;
}

RtcpCompound::Iterator& RtcpCompound::Iterator::operator++() {
  rest_ = rest_.subspan(packetBytes(rest_));
  return *this;
}

PacketResult<RtcpCompound, RtcpError> parseRtcp(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderBytes) return RtcpError::kTooShort;
  size_t pos = 0;
  bool first = true;
  while (pos < bytes.size()) {
    std::span<const uint8_t> rest = bytes.subspan(pos);
    if (rest.size() < kHeaderBytes) return RtcpError::kTooShort;
    if ((rest[0] >> 6) != 2) return RtcpError::kBadVersion;
    size_t length = packetBytes(rest);
    if (length > rest.size()) return RtcpError::kBadLength;
    uint8_t type = rest[1];
    if (first && type != static_cast<uint8_t>(RtcpType::kSr) &&
        type != static_cast<uint8_t>(RtcpType::kRr)) {
      return RtcpError::kNotReportFirst;
    }
    size_t padding = 0;
    if ((rest[0] & 0x20) != 0) {
      if (length != rest.size()) return RtcpError::kPaddingNotLast;
      padding = rest[length - 1];
      if (padding == 0 || padding > length - kHeaderBytes) return RtcpError::kBadPadding;
    }
    bool ok = false;
    RtcpError error = checkBody(type, rest[0] & 0x1F,
                                rest.subspan(kHeaderBytes, length - kHeaderBytes - padding), &ok);
    if (!ok) return error;
    pos += length;
    first = false;
  }
  return RtcpCompound(bytes);
}

uint8_t* RtcpWriter::reserve(size_t bytes) {
  if (out_.size() - size_ < bytes) return nullptr;
  uint8_t* p = out_.data() + size_;
  std::memset(p, 0, bytes);
  size_ += bytes;
  return p;
}

bool RtcpWriter::addReport(RtcpType type, uint32_t ssrc, const SenderInfo* info,
                           std::span<const ReportBlock> blocks) {
  if (blocks.size() > kRtcpMaxReportBlocks) return false;
  for (const auto& block : blocks) {
    if (block.cumulative_lost > 0x7FFFFF || block.cumulative_lost < -0x800000) return false;
  }
  size_t bytes =
      kHeaderBytes + 4 + (info ? kSenderInfoBytes : 0) + blocks.size() * kRtcpReportBlockBytes;
  uint8_t* p = reserve(bytes);
  if (p == nullptr) return false;
  p[0] = static_cast<uint8_t>(0x80 | blocks.size());
  p[1] = static_cast<uint8_t>(type);
  store16(p + 2, static_cast<uint16_t>(bytes / 4 - 1));
  store32(p + 4, ssrc);
  p += 8;
  if (info != nullptr) {
    store32(p, static_cast<uint32_t>(info->ntp_timestamp >> 32));
    store32(p + 4, static_cast<uint32_t>(info->ntp_timestamp));
    store32(p + 8, info->rtp_timestamp);
    store32(p + 12, info->packet_count);
    store32(p + 16, info->octet_count);
    p += kSenderInfoBytes;
  }
  for (const auto& block : blocks) {
    store32(p, block.ssrc);
    uint32_t lost = static_cast<uint32_t>(block.cumulative_lost) & 0xFFFFFF;
    store32(p + 4, (uint32_t{block.fraction_lost} << 24) | lost);
    store32(p + 8, block.highest_sequence);
    store32(p + 12, block.jitter);
    store32(p + 16, block.lsr);
    store32(p + 20, block.dlsr);
    p += kRtcpReportBlockBytes;
  }
  return true;
}

bool RtcpWriter::addSenderReport(uint32_t ssrc, const SenderInfo& info,
                                 std::span<const ReportBlock> blocks) {
  return addReport(RtcpType::kSr, ssrc, &info, blocks);
}

bool RtcpWriter::addReceiverReport(uint32_t ssrc, std::span<const ReportBlock> blocks) {
  return addReport(RtcpType::kRr, ssrc, nullptr, blocks);
}

bool RtcpWriter::addSdesCname(uint32_t ssrc, std::string_view cname) {
  if (cname.size() > 255) return false;
  size_t bytes = kHeaderBytes + roundUp4(4 + 2 + cname.size() + 1);
  uint8_t* p = reserve(bytes);
  if (p == nullptr) return false;
  p[0] = 0x81;
  p[1] = static_cast<uint8_t>(RtcpType::kSdes);
  store16(p + 2, static_cast<uint16_t>(bytes / 4 - 1));
  store32(p + 4, ssrc);
  p[8] = 1;  // CNAME
  p[9] = static_cast<uint8_t>(cname.size());
  if (!cname.empty()) std::memcpy(p + 10, cname.data(), cname.size());
  return true;
}

bool RtcpWriter::addBye(std::span<const uint32_t> ssrcs, std::string_view reason) {
  if (ssrcs.size() > 31 || reason.size() > 255) return false;
  size_t bytes =
      kHeaderBytes + 4 * ssrcs.size() + (reason.empty() ? 0 : roundUp4(1 + reason.size()));
  uint8_t* p = reserve(bytes);
  if (p == nullptr) return false;
  p[0] = static_cast<uint8_t>(0x80 | ssrcs.size());
  p[1] = static_cast<uint8_t>(RtcpType::kBye);
  store16(p + 2, static_cast<uint16_t>(bytes / 4 - 1));
  p += kHeaderBytes;
  for (uint32_t ssrc : ssrcs) {
    store32(p, ssrc);
    p += 4;
  }
  if (!reason.empty()) {
    p[0] = static_cast<uint8_t>(reason.size());
    std::memcpy(p + 1, reason.data(), reason.size());
  }
  return true;
}

uint64_t toNtp(core::Time time) {
  int64_t micros = time.time_since_epoch().count();
  int64_t seconds = micros / kMicrosPerSecond;
  int64_t rest = micros % kMicrosPerSecond;
  if (rest < 0) {
    rest += kMicrosPerSecond;
    --seconds;
  }
  uint64_t ntp_seconds = static_cast<uint32_t>(seconds + kNtpUnixOffsetSeconds);
  uint64_t fraction = (static_cast<uint64_t>(rest) << 32) / kMicrosPerSecond;
  return (ntp_seconds << 32) | fraction;
}

core::Time fromNtp(uint64_t ntp) {
  int64_t seconds = static_cast<int64_t>(ntp >> 32);
  if ((seconds & 0x80000000) == 0) seconds += int64_t{1} << 32;  // era 1 (2036–2104)
  seconds -= kNtpUnixOffsetSeconds;
  int64_t fraction = static_cast<int64_t>(ntp & 0xFFFFFFFF);
  int64_t micros = (fraction * kMicrosPerSecond + (int64_t{1} << 31)) >> 32;
  return core::Time{core::Duration{seconds * kMicrosPerSecond + micros}};
}

uint32_t toNtpShort(core::Duration duration) {
  int64_t micros = duration.count();
  if (micros <= 0) return 0;
  if (micros >= (int64_t{1} << 16) * kMicrosPerSecond) return std::numeric_limits<uint32_t>::max();
  uint64_t units =
      (static_cast<uint64_t>(micros) * 65536 + kMicrosPerSecond / 2) / kMicrosPerSecond;
  return units > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max()
                                                      : static_cast<uint32_t>(units);
}

core::Duration fromNtpShort(uint32_t units) {
  return core::Duration{static_cast<int64_t>((uint64_t{units} * kMicrosPerSecond + 32768) >> 16)};
}

std::optional<core::Duration> roundTripTime(const ReportBlock& block, core::Time arrival) {
  if (block.lsr == 0) return std::nullopt;
  uint32_t rtt = ntpMiddle32(toNtp(arrival)) - block.lsr - block.dlsr;
  if (static_cast<int32_t>(rtt) < 0) return std::nullopt;
  return fromNtpShort(rtt);
}

}  // namespace sb::media
