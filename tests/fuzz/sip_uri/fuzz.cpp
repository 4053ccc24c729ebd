// Untrusted URIs and header values (SIP URI, name-addr, Via, CSeq): any bytes must
// parse or fail, never crash; whatever parses must print to text that parses back to
// an equal value (abort otherwise, so libFuzzer reports it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/sip_uri.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto uri = sb::sip::parseSipUri(input)) {
    auto again = sb::sip::parseSipUri(sb::sip::toString(*uri));
    if (!again || !(*again == *uri)) std::abort();
  }
  if (auto value = sb::sip::parseNameAddr(input)) {
    auto again = sb::sip::parseNameAddr(sb::sip::toString(*value));
    if (!again || !(*again == *value)) std::abort();
  }
  if (auto via = sb::sip::parseVia(input)) {
    auto again = sb::sip::parseVia(sb::sip::toString(*via));
    if (!again || !(*again == *via)) std::abort();
  }
  if (auto cseq = sb::sip::parseCSeq(input)) {
    auto again = sb::sip::parseCSeq(sb::sip::toString(*cseq));
    if (!again || !(*again == *cseq)) std::abort();
  }
  return 0;
}
