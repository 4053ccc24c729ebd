// Untrusted RTP datagrams: any bytes must give a packet view or an error, never a crash.
// A packet that parses must write back (header, CSRCs, extension, payload, padding) into
// bytes that parse again into the same fields (abort otherwise, so libFuzzer reports).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "media/rtp_packet.hpp"

namespace {

bool same(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

void checkStable(const sb::media::RtpPacketView& first, size_t size) {
  sb::media::RtpHeaderFields fields{
      first.payload_type, first.marker,     first.sequence,      first.timestamp,
      first.ssrc,         first.csrc_bytes, first.has_extension, first.extension_profile,
      first.extension,    first.padding};
  std::vector<uint8_t> out(size);
  auto written = sb::media::writeRtp(out, fields, first.payload);
  if (!written || *written != size) std::abort();
  auto again = sb::media::parseRtp(std::span<const uint8_t>(out).first(*written));
  if (!again) std::abort();
  if (again->marker != first.marker || again->payload_type != first.payload_type ||
      again->sequence != first.sequence || again->timestamp != first.timestamp ||
      again->ssrc != first.ssrc || !same(again->csrc_bytes, first.csrc_bytes) ||
      again->has_extension != first.has_extension ||
      again->extension_profile != first.extension_profile ||
      !same(again->extension, first.extension) || !same(again->payload, first.payload) ||
      again->padding != first.padding) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  (void)sb::media::classifyPacket(bytes);
  auto packet = sb::media::parseRtp(bytes);
  if (packet) {
    for (size_t i = 0; i < packet->csrcCount(); ++i) (void)packet->csrc(i);
    checkStable(*packet, size);
  } else {
    (void)sb::media::toString(packet.error());
  }
  return 0;
}
