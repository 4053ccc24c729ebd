#pragma once
// The SIP legs and media of contact-center calls: what ContactCenter's commands become
// on the wire, and the SIP and media events that go back to it. Runs on the SIP strand.
//
// A customer call from a trunk gets one media call with the customer's leg (our own SDP
// answer, sent when the contact center answers), prompts and the hold sound played to
// it; ringing an agent opens a second leg and dials the agent's registered devices with
// the customer's number in From, the menu as display name and an Alert-Info that phones
// can map to a distinct ring (D1); the agent's answer bridges the two legs and starts the
// recording (customer left, agent right). A re-INVITE is answered here, never passed
// on: when the agent's phone holds (or the app does: holdCustomer), the customer hears
// the hold sound and nothing of the agent until it resumes. A transfer rings a second
// agent while the first stays on the call; the second's answer replaces the first's
// leg in the bridge and in the recording.
//
// An agent's own calls (its phone's or the app's dials) go to DeviceCalls.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "app/contact_center.hpp"
#include "app/device_calls.hpp"
#include "app/sip_directory.hpp"
#include "core/clock.hpp"
#include "media/media_engine.hpp"
#include "media/prompt_library.hpp"
#include "sip/registrar.hpp"
#include "sip/sdp_negotiation.hpp"
#include "sip/sip_endpoint.hpp"
#include "sip/sip_ids.hpp"

namespace sb::app {

// What phones may match to ring distinctly for a contact-center call (RFC 7462 syntax).
inline constexpr const char* kContactCenterAlertInfo = "<urn:alert:source:external>;info=contact-center";

class CallLegs final : public sip::LegListener, public sip::RegistrarListener, public CenterTelephony {
 public:
  CallLegs(const LiveSipDirectory& directory, const core::Clock& clock, media::MediaEngine& media,
           media::PromptLibrary& prompts, sip::IdSource& ids, RouteMediaOptions options, ContactCenter& center,
           boost::asio::any_io_executor strand);
  void attach(sip::SipEndpoint& endpoint);

  // sip::LegListener
  void onIncomingCall(sip::LegId leg, const sip::IncomingCall& call) override;
  void onLegRinging(sip::LegId leg) override;
  void onLegAnswered(sip::LegId leg, const std::string& sdp) override;
  void onLegFailed(sip::LegId leg, int status) override;
  void onLegEnded(sip::LegId leg, sip::LegEnd end) override;
  void onLegOffer(sip::LegId leg, const std::string& sdp) override;
  void onLegOfferAnswered(sip::LegId leg, int status, const std::string& sdp) override;
  // sip::RegistrarListener
  void onBindingsChanged(std::string_view aor_key, size_t count) override;

  // Media events, on the SIP strand.
  void onDigit(media::MediaLegId leg, char digit);
  void onPlayFinished(media::MediaLegId leg, std::uint64_t play_id);
  void onMediaTimeout(media::MediaLegId leg);
  void onRecordingFailed(media::MediaCallId call, const std::string& error);

  // CenterTelephony
  void answer(acd::CallId call) override;
  void play(acd::CallId call, const std::vector<std::string>& prompts, bool loop, bool interruptible,
            std::uint64_t play_id) override;
  void stopPlaying(acd::CallId call) override;
  void ring(acd::CallId call, acd::AgentKey agent, const RingTarget& target) override;
  void stopRinging(acd::CallId call, acd::AgentKey agent) override;
  std::string connect(acd::CallId call, acd::AgentKey agent, bool transfer) override;
  void holdCustomer(acd::CallId call, bool held) override;
  void hangUp(acd::CallId call) override;
  void dialOut(acd::CallId call, const std::string& agent_aor, const DialRoute& route) override;

  std::size_t calls() const { return by_id_.size(); }

 private:
  using Side = CallSide;
  struct Call {
    acd::CallId id = 0;
    acd::OrgId org = 0;
    std::string domain;    // the org's (prompts and recordings folder)
    std::string language;  // of its prompts
    media::MediaCallId media = 0;
    Side customer;
    std::optional<sip::SdpAnswer> customer_answer;  // sent on answer()
    bool answered = false;
    // The agent being rung, then the connected agent.
    std::optional<acd::AgentKey> ringing;
    Side offer;
    sip::SessionDescription offer_sdp;
    // The agent whose phone just answered, until the contact center connects it.
    std::optional<acd::AgentKey> answering;
    Side answering_side;
    std::optional<acd::AgentKey> agent;  // connected
    Side agent_side;
    bool connected = false;
    bool agent_holds = false;   // the agent's phone holds (re-INVITE)
    bool center_holds = false;  // the contact center holds (the app's button, a transfer ringing)
    bool held = false;          // the customer hears the hold sound
    std::string recording;
  };

  std::shared_ptr<Call> find(sip::LegId leg) const;
  std::shared_ptr<Call> findMedia(media::MediaLegId leg) const;
  std::shared_ptr<Call> findCall(acd::CallId call) const;
  void closeSide(Call& c, Side& side, const char* who);
  void dropOffer(Call& c);
  // The hold sound while the phone or the contact center holds, else the bridge.
  void updateHold(Call& c);
  // Posts an event to the contact center after the current command finished (a
  // command's own consequences never re-enter the contact center mid-way).
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
  DeviceCalls device_calls_;  // agents' own calls
  std::unordered_map<sip::LegId, std::shared_ptr<Call>> by_leg_;
  std::unordered_map<media::MediaLegId, std::shared_ptr<Call>> by_media_;
  std::unordered_map<acd::CallId, std::shared_ptr<Call>> by_id_;
  bool dialing_ = false;
  std::optional<int> dial_failed_;
};

}  // namespace sb::app
