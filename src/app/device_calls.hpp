#pragma once
// Calls an agent's phone makes: out through the first trunk with the org's number as
// caller ID, a media B2BUA (own SDP per leg, bridge, recording, hold sound), reported to
// ContactCenter (an outbound record, the agent OnCall: E2). Issue 6 adds dialling from
// the API, the number rules (E3) and internal calls. CallLegs passes them on.
//
// A B2BUA for media too: each leg gets its own RTP port from the media engine and our
// own SDP (LocalSdpSession), the engine bridges the two legs and records the call
// (customer left, agent right). A re-INVITE is answered here, not passed on: when the
// agent's phone holds, the customer hears the hold sound and nothing of the agent until
// the phone resumes. Runs on the SIP strand; media events are posted to it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "app/call_media.hpp"
#include "app/contact_center.hpp"
#include "app/sip_directory.hpp"
#include "core/clock.hpp"
#include "media/media_engine.hpp"
#include "sip/sdp_negotiation.hpp"
#include "sip/sip_endpoint.hpp"
#include "sip/sip_ids.hpp"

namespace sb::app {

class DeviceCalls final : public sip::LegListener {
 public:
  DeviceCalls(const LiveSipDirectory& directory, const core::Clock& clock, media::MediaEngine& media,
              media::PromptLibrary& prompts, sip::IdSource& ids, RouteMediaOptions options, ContactCenter& center)
      : directory_(directory), clock_(clock), media_(media), prompts_(prompts), ids_(ids),
        options_(std::move(options)), center_(center) {}
  void attach(sip::SipEndpoint& endpoint) { endpoint_ = &endpoint; }

  void onIncomingCall(sip::LegId leg, const sip::IncomingCall& call) override;
  void onLegRinging(sip::LegId leg) override;
  void onLegAnswered(sip::LegId leg, const std::string& sdp) override;
  void onLegFailed(sip::LegId leg, int status) override;
  void onLegEnded(sip::LegId leg, sip::LegEnd end) override;
  void onLegOffer(sip::LegId leg, const std::string& sdp) override;
  void onLegOfferAnswered(sip::LegId leg, int status, const std::string& sdp) override;

  // Media events, on the SIP strand.
  void onDigit(media::MediaLegId leg, char digit);
  void onMediaTimeout(media::MediaLegId leg);
  void onRecordingFailed(media::MediaCallId call, const std::string& error);

  std::size_t calls() const { return calls_.size(); }
  // Whether the media leg is one of these calls'.
  bool ownsMedia(media::MediaLegId leg) const { return by_media_.count(leg) != 0; }

 private:
  using Side = CallSide;
  struct Call {
    std::uint64_t id = 0;
    media::MediaCallId media = 0;
    Side in, out;              // the leg that called us, the leg we dialled
    std::string org;           // org domain (recording folder)
    sip::SessionDescription out_offer;
    std::optional<sip::SdpAnswer> in_answer;  // sent when the out leg answers
    bool agent_holds = false;
    core::Time answered{};
    Side& customer() { return out; }  // the number dialled
    Side& agent() { return in; }      // the agent's phone
  };

  std::shared_ptr<Call> find(sip::LegId leg) const;
  std::shared_ptr<Call> findMedia(media::MediaLegId leg) const;
  // `by` and `reason` as acd::CallRecord's ended_by and end_reason.
  void end(const std::shared_ptr<Call>& call, const char* by, const char* reason);
  void startHold(Call& call);
  void stopHold(Call& call);

  const LiveSipDirectory& directory_;
  const core::Clock& clock_;
  media::MediaEngine& media_;
  media::PromptLibrary& prompts_;
  sip::IdSource& ids_;
  RouteMediaOptions options_;
  ContactCenter& center_;
  sip::SipEndpoint* endpoint_ = nullptr;
  std::unordered_map<sip::LegId, std::shared_ptr<Call>> calls_;  // by both SIP legs
  std::unordered_map<media::MediaLegId, std::shared_ptr<Call>> by_media_;
  std::optional<int> failed_while_dialing_;
};

}  // namespace sb::app
