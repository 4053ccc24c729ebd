// RFC 4733 telephone-event packets of one RTP stream, as a hostile or broken phone may
// send them: any sequence of payloads, timestamps, markers, sequence numbers and arrival
// times must give digits from "0123456789*#ABCD" only, never crash, and leave nothing
// pending once the receiver has been polled past its deadline.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>

#include "media/telephone_event.hpp"

namespace {

void checkDigit(char c) {
  if (std::string_view("0123456789*#ABCD").find(c) == std::string_view::npos) std::abort();
}

}  // namespace

// Each record is 12 bytes: payload (4), RTP timestamp (4), sequence (2), flags (1: bit 0
// marker, bit 1 a payload of 3 bytes, bit 2 a payload of 5), milliseconds to wait (1).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sb::media::TelephoneEventReceiver receiver;
  sb::core::Time now{std::chrono::seconds{1'700'000'000}};
  uint8_t packet[5] = {};
  for (size_t at = 0; at + 12 <= size; at += 12) {
    const uint8_t* r = data + at;
    std::memcpy(packet, r, 4);
    packet[4] = r[0];
    uint32_t timestamp;
    std::memcpy(&timestamp, r + 4, 4);
    const uint16_t sequence = static_cast<uint16_t>(r[8] | (r[9] << 8));
    const uint8_t flags = r[10];
    now += std::chrono::milliseconds(r[11]);
    const size_t length = (flags & 2) ? 3 : (flags & 4) ? 5 : 4;
    if (auto deadline = receiver.nextDeadline(); deadline && *deadline <= now) {
      if (auto digit = receiver.poll(now)) checkDigit(digit->digit);
    }
    auto digits = receiver.onPacket(std::span<const uint8_t>(packet, length), timestamp, (flags & 1) != 0,
                                    sequence, now);
    if (length != 4 && digits) std::abort();  // only 4-byte payloads are events
    if (digits) {
      if (digits->count > 2) std::abort();
      for (const auto& d : *digits) checkDigit(d.digit);
    }
  }
  if (auto deadline = receiver.nextDeadline()) {
    if (auto digit = receiver.poll(*deadline)) checkDigit(digit->digit);
    if (receiver.nextDeadline()) std::abort();  // polled past its deadline: nothing pending
  }
  return 0;
}
