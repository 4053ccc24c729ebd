#include "app/call_media.hpp"

#include <ctime>

#include "core/log.hpp"

namespace sb::app {

media::LegMediaParams mediaParams(const sip::NegotiatedAudio& audio) {
  media::LegMediaParams p;
  p.codec = audio.codec == sip::AudioCodec::kPcma ? media::Codec::kPcma : media::Codec::kPcmu;
  p.payload_type = static_cast<std::uint8_t>(audio.payload_type);
  if (audio.telephone_event_payload_type) {
    p.telephone_event_payload_type = static_cast<std::uint8_t>(*audio.telephone_event_payload_type);
  }
  p.remote_address = audio.remote_address;
  p.remote_port = audio.remote_port;
  p.remote_rtcp_port = audio.remote_rtcp_port;
  p.rtcp_mux = audio.rtcp_mux;
  p.send = audio.weSend();
  p.receive = audio.weReceive() && !audio.remote_hold;
  p.ptime_ms = audio.ptime_ms;
  return p;
}

sip::LocalMedia localMedia(const std::string& address, std::uint16_t port, std::optional<sip::AudioCodec> prefer,
                           std::uint64_t session_id) {
  sip::LocalMedia local;
  local.address = address;
  local.address_type = address.find(':') != std::string::npos ? sip::SdpAddressType::kIp6 : sip::SdpAddressType::kIp4;
  local.rtp_port = port;
  if (prefer == sip::AudioCodec::kPcma) local.codecs = {sip::AudioCodec::kPcma, sip::AudioCodec::kPcmu};
  local.session_id = std::to_string(session_id >> 1);
  return local;
}

std::string recordingPath(const std::string& dir, const std::string& org, core::Time now, std::uint64_t call) {
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char day[16];
  char stamp[32];
  std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  return dir + "/" + (org.empty() ? std::string("unknown") : org) + "/" + day + "/" + stamp + "-" +
         std::to_string(call) + ".wav";
}

void configureSide(media::MediaEngine& media, const CallSide& side) {
  if (side.audio && side.media != 0) media.configure(side.media, mediaParams(*side.audio));
}

void playHoldSound(media::MediaEngine& media, media::PromptLibrary& prompts, const std::string& org_domain,
                   media::MediaLegId customer) {
  media.unbridge(customer);
  auto hold = prompts.hold(org_domain);
  if (!hold) {
    core::logWarn("no hold sound", {{"error", hold.error().message}});
    return;
  }
  media.play(customer, {*hold}, true, false, 0);
}

const char* endReason(sip::LegEnd how) {
  switch (how) {
    case sip::LegEnd::kRemoteHangup:
    case sip::LegEnd::kCancelled:
    case sip::LegEnd::kUnanswered: return "hangup";
    case sip::LegEnd::kTimeout: return "signaling_timeout";
    case sip::LegEnd::kConnectionLost: return "connection_lost";
  }
  return "hangup";
}

void closeLegLogged(media::MediaEngine& media, media::MediaLegId leg, std::uint64_t call, const char* side) {
  if (leg == 0) return;
  const auto id = static_cast<int64_t>(call);
  media.closeLeg(leg, [id, side](media::LegMediaStats st) {
    if (st.packets_received == 0 && st.packets_sent == 0) return;
    core::logInfo("call media", {{"call", id}, {"side", side},
                                 {"received", st.packets_received}, {"sent", st.packets_sent},
                                 {"lost", st.packets_lost}, {"jitter_ms", st.jitter_ms},
                                 {"rtt_ms", st.rtt_ms.value_or(-1.0)}, {"bad", st.bad_packets},
                                 {"timed_out", st.timed_out}});
  });
}

void closeCallLogged(media::MediaEngine& media, media::MediaCallId call, std::uint64_t id) {
  const auto call_id = static_cast<int64_t>(id);
  media.closeCall(call, [call_id](media::RecordingDone done) {
    if (done.path.empty()) return;  // was not recording
    if (done.ok) {
      core::logInfo("recording done", {{"call", call_id}, {"path", done.path},
                                       {"seconds", static_cast<double>(done.frames) / media::kSampleRate}});
    } else {
      core::logWarn("recording failed", {{"call", call_id}, {"path", done.path}, {"error", done.error}});
    }
  });
}

}  // namespace sb::app
