// Untrusted SDP bodies (INVITE offers, 200 answers, re-INVITEs) through the parser, the
// serializer and offer/answer: any bytes must give a description or an error, never a
// crash, hang or exception; whatever parses must serialize to text that parses back to
// the same model, and whatever we answer must itself be valid SDP.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/sdp.hpp"
#include "sip/sdp_negotiation.hpp"

namespace {

void fail(const char* what, const std::string& text) {
  std::fprintf(stderr, "sdp fuzz: %s\n%s\n", what, text.c_str());
  std::abort();
}

void checkRoundTrip(const sb::sip::SessionDescription& sdp, const char* what) {
  const std::string text = sb::sip::serializeSdp(sdp);
  auto again = sb::sip::parseSdp(text);
  if (!again.ok()) fail(what, text + "\n" + again.error().message);
  if (!(*again == sdp)) fail(what, text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = sb::sip::parseSdp(body);
  if (!parsed.ok()) return 0;
  const sb::sip::SessionDescription& sdp = *parsed;
  checkRoundTrip(sdp, "parsed description does not round-trip");

  for (std::size_t i = 0; i < sdp.media.size(); ++i) {
    (void)sdp.isHold(i);
    (void)sdp.media[i].rtpMaps();
    (void)sdp.media[i].ptime();
    (void)sdp.media[i].rtcpPort();
  }

  sb::sip::LocalMedia local;
  local.address = "192.0.2.1";
  local.rtp_port = 40000;
  for (bool holding : {false, true}) {
    local.holding = holding;
    auto answer = sb::sip::answerOffer(sdp, local);
    if (answer.ok()) {
      if (answer->sdp.media.size() != sdp.media.size()) fail("answer changed the m= count", "");
      checkRoundTrip(answer->sdp, "our answer does not round-trip");
    }
  }
  // The same bytes as the answer to an offer of ours.
  const auto offer = sb::sip::buildOffer(local, sb::sip::SdpDirection::kSendRecv);
  (void)sb::sip::processAnswer(offer, sdp);
  return 0;
}
