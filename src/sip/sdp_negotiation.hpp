#pragma once
// RFC 3264 offer/answer for the audio a B2BUA terminates: G.711 (PCMU, PCMA) and
// telephone-event (RFC 4733). Pure functions over SessionDescription: the SIP layer
// decides when to offer and answer; this decides what.
//
// An error from answerOffer means "we cannot take this offer": the SIP layer answers
// 488 Not Acceptable Here, with the error message as the Warning text.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "sip/sdp.hpp"

namespace sb::sip {

enum class AudioCodec { kPcmu, kPcma };

const char* toString(AudioCodec codec);
int staticPayloadType(AudioCodec codec);  // 0 or 8

// What we can do and where we receive media: the parameters of every offer and answer
// we write.
struct LocalMedia {
  SdpAddressType address_type = SdpAddressType::kIp4;
  std::string address = "127.0.0.1";  // where we receive RTP (also the o= address)
  std::uint16_t rtp_port = 0;
  std::vector<AudioCodec> codecs{AudioCodec::kPcmu, AudioCodec::kPcma};  // our preference
  bool telephone_event = true;
  int telephone_event_payload_type = 101;  // used in our own offers
  std::uint32_t ptime_ms = 20;
  std::string username = "switchboard";
  std::string session_id = "1";       // digits; stable for the dialog
  std::uint64_t session_version = 1;  // incremented by each new offer/answer we make
  bool holding = false;               // we put the peer on hold
};

// The outcome of an offer/answer exchange for the one audio stream we use.
struct NegotiatedAudio {
  std::size_t media_index = 0;  // which m= line
  AudioCodec codec = AudioCodec::kPcmu;
  int payload_type = 0;  // the number both sides use for the codec
  std::optional<int> telephone_event_payload_type;
  SdpAddressType remote_address_type = SdpAddressType::kIp4;
  std::string remote_address;  // where we send RTP
  std::uint16_t remote_port = 0;
  std::uint32_t ptime_ms = 20;
  SdpDirection local_direction = SdpDirection::kSendRecv;  // what we do
  bool remote_hold = false;  // the peer holds us (sendonly/inactive or c=0.0.0.0)
  std::uint16_t remote_rtcp_port = 0;  // a=rtcp (RFC 3605); 0: remote_port + 1
  bool rtcp_mux = false;               // RTCP on the RTP port (RFC 5761)

  bool weSend() const;
  bool weReceive() const;
};

struct SdpAnswer {
  SessionDescription sdp;
  NegotiatedAudio audio;
};

// Answers a remote offer: the first audio line we can take gets the first offered codec
// we support (keeping the offer's payload numbers) and telephone-event when offered;
// every other m= line is rejected with port 0, in the same order.
core::Result<SdpAnswer> answerOffer(const SessionDescription& offer, const LocalMedia& local);

// Our own offer with one audio line (agent legs, hold and unhold re-offers).
// `direction` is what we want: sendrecv normally, sendonly to hold, inactive to hold a
// peer that holds us.
SessionDescription buildOffer(const LocalMedia& local, SdpDirection direction);

// Reads the answer to an offer we made.
core::Result<NegotiatedAudio> processAnswer(const SessionDescription& our_offer,
                                            const SessionDescription& answer);

// The direction an answerer uses for an offered one (RFC 3264 §6.1), optionally holding.
SdpDirection answerDirection(SdpDirection offered, bool holding);

// Our o= for one dialog: a stable session id and a version that grows with each new
// description we send (RFC 3264 §8), e.g. hold and unhold re-offers.
class LocalSdpSession {
 public:
  explicit LocalSdpSession(LocalMedia local) : local_(std::move(local)) {}
  // A new offer with the next version.
  SessionDescription offer(SdpDirection direction);
  // An answer to a remote offer with the next version.
  core::Result<SdpAnswer> answer(const SessionDescription& offer, bool holding);
  const LocalMedia& local() const { return local_; }
  std::uint64_t version() const { return local_.session_version; }

 private:
  LocalMedia local_;
  bool used_ = false;
  void nextVersion();
};

}  // namespace sb::sip
