#pragma once
// The temporary call routing of issue 3, until the contact-center core (acd) decides:
// a trunk call to an org's number rings every registered device of every enabled agent
// of that org at once (the first to answer gets it), and an agent device's call goes out
// through the first trunk. Signaling only: the SDP of one side is passed to the other
// (the media relay comes with the media engine). Runs on the SIP strand.
#include <optional>
#include <unordered_map>

#include "app/sip_directory.hpp"
#include "core/clock.hpp"
#include "sip/sip_endpoint.hpp"

namespace sb::app {

class RingAllRoute final : public sip::LegListener {
 public:
  RingAllRoute(const LiveSipDirectory& directory, const core::Clock& clock)
      : directory_(directory), clock_(clock) {}
  void attach(sip::SipEndpoint& endpoint) { endpoint_ = &endpoint; }

  void onIncomingCall(sip::LegId leg, const sip::IncomingCall& call) override;
  void onLegRinging(sip::LegId leg) override;
  void onLegAnswered(sip::LegId leg, const std::string& sdp) override;
  void onLegFailed(sip::LegId leg, int status) override;
  void onLegEnded(sip::LegId leg, sip::LegEnd end) override;
  void onLegOffer(sip::LegId leg, const std::string& sdp) override;
  void onLegOfferAnswered(sip::LegId leg, int status, const std::string& sdp) override;


 private:
  void link(sip::LegId a, sip::LegId b);
  sip::LegId unlink(sip::LegId leg);  // returns the peer (0 when none)

  const LiveSipDirectory& directory_;
  const core::Clock& clock_;
  sip::SipEndpoint* endpoint_ = nullptr;
  std::unordered_map<sip::LegId, sip::LegId> peer_;          // both directions
  std::unordered_map<sip::LegId, sip::LegId> offer_waiting_;
  std::optional<int> failed_while_dialing_;  // re-INVITEd leg → leg whose offer it carries
};

}  // namespace sb::app
