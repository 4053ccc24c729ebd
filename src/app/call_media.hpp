#pragma once
// What the SIP side of a call tells the media engine, shared by the contact center's
// calls (CallLegs) and the agents' own calls (DeviceCalls).
#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "media/media_engine.hpp"
#include "media/prompt_library.hpp"
#include "sip/sdp_negotiation.hpp"
#include "sip/sip_endpoint.hpp"

namespace sb::app {

// One leg of a call as both sides see it: its SIP leg, its media leg, our SDP session
// with its peer and what they agreed on.
struct CallSide {
  sip::LegId sip = 0;
  media::MediaLegId media = 0;
  std::optional<sip::LocalSdpSession> sdp;
  std::optional<sip::NegotiatedAudio> audio;
};
// Tells the engine what the side's last offer/answer agreed (nothing before one did).
void configureSide(media::MediaEngine& media, const CallSide& side);
// The agent's phone holds: the customer leg `customer` is unbridged and hears the org's
// hold sound (a missing one is logged: silence).
void playHoldSound(media::MediaEngine& media, media::PromptLibrary& prompts, const std::string& org_domain,
                   media::MediaLegId customer);

struct RouteMediaOptions {
  std::string address;         // what our SDP says (the advertised media address)
  std::string recordings_dir;  // empty: calls are not recorded
};

// The negotiated audio of a leg as the engine's parameters.
media::LegMediaParams mediaParams(const sip::NegotiatedAudio& audio);
// Our side of a leg's SDP: `address`, `port`, the codec `prefer`red first (so a bridge to
// a leg that already uses it need not transcode), a fresh session id.
sip::LocalMedia localMedia(const std::string& address, std::uint16_t port, std::optional<sip::AudioCodec> prefer,
                           std::uint64_t session_id);
// <dir>/<org>/<YYYY-MM-DD>/<YYYYMMDD-HHMMSS>-<call>.wav (UTC)
std::string recordingPath(const std::string& dir, const std::string& org, core::Time now, std::uint64_t call);
// acd::CallRecord::end_reason of a SIP leg's end: "hangup", "signaling_timeout",
// "connection_lost".
const char* endReason(sip::LegEnd how);
// Closes a leg and logs its media statistics (`call media`) when it carried any.
void closeLegLogged(media::MediaEngine& media, media::MediaLegId leg, std::uint64_t call, const char* side);
// Closes the call's media and logs how its recording ended.
void closeCallLogged(media::MediaEngine& media, media::MediaCallId call, std::uint64_t id);

}  // namespace sb::app
