// Untrusted SIP messages, as datagrams and as a byte stream: any bytes must give a
// message or an error kind, never a crash. A message that parses must serialize to
// bytes that parse again into the same message (abort otherwise, so libFuzzer reports).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/sip_message.hpp"
#include "sip/sip_uri.hpp"

namespace {

void checkStable(const sb::sip::SipMessage& first) {
  // The serializer may expand compact names and split lists, so the re-parse gets
  // room to grow; what it must not do is change the message.
  sb::sip::ParseLimits roomy{1 << 22, 1 << 16, 1 << 20};
  std::string bytes = sb::sip::serializeSipMessage(first);
  auto again = sb::sip::parseSipMessage(bytes, roomy);
  if (!again) std::abort();
  if (sb::sip::serializeSipMessage(*again) != bytes) std::abort();
  // The serializer adds a Content-Length when the datagram had none.
  size_t added = first.headerCount("Content-Length") == 0 ? 1 : 0;
  if (again->headers().size() != first.headers().size() + added) std::abort();
  if (again->body() != first.body()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  sb::sip::ParseLimits limits;
  auto message = sb::sip::parseSipMessage(input, limits);
  if (message) {
    checkStable(*message);
    for (auto via : message->headerValues("Via")) (void)sb::sip::parseVia(via);
    for (auto contact : message->headerValues("Contact")) (void)sb::sip::parseNameAddr(contact);
  } else {
    (void)sb::sip::responseStatusFor(sb::sip::parseErrorKind(message.error()));
  }

  // The same bytes on a stream, fed in uneven pieces.
  sb::sip::SipStreamFramer framer(limits);
  size_t pos = 0;
  size_t step = 1 + size % 97;
  while (pos < size) {
    framer.append(input.substr(pos, step));
    pos += step;
    while (true) {
      auto frame = framer.next();
      if (frame.status == sb::sip::SipStreamFramer::Status::kMessage) {
        (void)sb::sip::parseSipMessage(frame.bytes, limits);
        continue;
      }
      if (frame.status == sb::sip::SipStreamFramer::Status::kKeepAlive) continue;
      break;
    }
  }
  return 0;
}
