#pragma once
// An agent's own calls (E1–E4, N6): its phone dials (an INVITE from the authenticated
// device), or the app does (ContactCenter's DialOut: the agent's phone rings first and,
// once answered, the other side is dialled). The contact center's dial plan decides
// where each goes (DialRoute): a number out through the first trunk with the org's
// number as caller ID, or another agent's registered phones (an internal call); an
// international number is refused (403 to the phone, E3). Outcomes go back to
// ContactCenter (outboundAnswered / outboundEnded: the record, the agents' states).
//
// A B2BUA for media too: each leg gets its own RTP port from the media engine and our
// own SDP (LocalSdpSession), the engine bridges the two legs and records the call (the
// other side left, the agent right). A re-INVITE is answered here, not passed on: when
// the agent's phone holds (or the app does: holdCustomer), the other side hears the hold
// sound and nothing of the agent until it resumes. Runs on the SIP strand; media events
// are posted to it. CallLegs passes these calls' events on.
#include <boost/asio/any_io_executor.hpp>
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
              media::PromptLibrary& prompts, sip::IdSource& ids, RouteMediaOptions options, ContactCenter& center,
              boost::asio::any_io_executor strand)
      : directory_(directory), clock_(clock), media_(media), prompts_(prompts), ids_(ids),
        options_(std::move(options)), center_(center), strand_(std::move(strand)) {}
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

  // The contact center's commands for these calls (CallLegs passes on what is not its
  // own): dial from the app (E1), hold from the app (F3), hang up (D3); false when the
  // call is not one of these.
  void dialOut(acd::CallId call, const std::string& agent_aor, const DialRoute& route);
  bool holdCustomer(acd::CallId call, bool held);
  bool hangUp(acd::CallId call);

  std::size_t calls() const { return by_id_.size(); }
  // Whether the media leg is one of these calls'.
  bool ownsMedia(media::MediaLegId leg) const { return by_media_.count(leg) != 0; }

 private:
  using Side = CallSide;
  struct Call {
    acd::CallId id = 0;
    media::MediaCallId media = 0;
    DialRoute route;
    bool from_app = false;  // we rang the agent's phone (else it called us)
    Side agent;             // the agent's phone
    Side far;               // the number through the trunk, or the colleague's phone
    std::uint16_t far_port = 0;
    sip::SessionDescription agent_offer;          // from_app: ours, to the agent's phone
    std::optional<sip::SdpAnswer> agent_answer;   // the phone called: ours, sent when the far side answers
    sip::SessionDescription far_offer;
    bool far_dialled = false;
    bool ringback = false;  // from_app: the agent hears the ringback tone
    bool agent_holds = false;   // the agent's phone holds
    bool center_holds = false;  // the app holds
    bool held = false;          // the hold sound plays
  };

  std::shared_ptr<Call> find(sip::LegId leg) const;
  std::shared_ptr<Call> findMedia(media::MediaLegId leg) const;
  std::shared_ptr<Call> findCall(acd::CallId call) const;
  // Opens the call's media and its two ports; false (nothing left open) when none is free.
  bool openMedia(Call& c);
  // Dials the other side with our offer (the agent's codec first); false when it failed at once.
  bool dialFar(const std::shared_ptr<Call>& c);
  // The call is over: the contact center hears why, every leg and port is released.
  // `by` and `reason` as acd::CallRecord's ended_by and end_reason.
  void end(const std::shared_ptr<Call>& call, const char* by, const char* reason);
  // Hold sound while the phone or the app holds.
  void updateHold(Call& call);
  template <class F>
  void later(F&& f);

  const LiveSipDirectory& directory_;
  const core::Clock& clock_;
  media::MediaEngine& media_;
  media::PromptLibrary& prompts_;
  sip::IdSource& ids_;
  RouteMediaOptions options_;
  ContactCenter& center_;
  boost::asio::any_io_executor strand_;
  sip::SipEndpoint* endpoint_ = nullptr;
  std::unordered_map<sip::LegId, std::shared_ptr<Call>> by_leg_;  // by both SIP legs
  std::unordered_map<media::MediaLegId, std::shared_ptr<Call>> by_media_;
  std::unordered_map<acd::CallId, std::shared_ptr<Call>> by_id_;
  std::optional<int> failed_while_dialing_;
  bool dialing_ = false;
};

}  // namespace sb::app
