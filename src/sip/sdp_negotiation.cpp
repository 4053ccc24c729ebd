#include "sip/sdp_negotiation.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

namespace sb::sip {
namespace {

constexpr std::uint32_t kG711ClockRate = 8000;
constexpr std::string_view kTelephoneEvent = "telephone-event";
constexpr std::string_view kTelephoneEventEvents = "0-16";

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool sends(SdpDirection d) {
  return d == SdpDirection::kSendRecv || d == SdpDirection::kSendOnly;
}
bool receives(SdpDirection d) {
  return d == SdpDirection::kSendRecv || d == SdpDirection::kRecvOnly;
}

SdpDirection fromFlags(bool send, bool receive) {
  if (send && receive) return SdpDirection::kSendRecv;
  if (send) return SdpDirection::kSendOnly;
  if (receive) return SdpDirection::kRecvOnly;
  return SdpDirection::kInactive;
}

const char* encodingName(AudioCodec codec) {
  return codec == AudioCodec::kPcma ? "PCMA" : "PCMU";
}

// The codec a payload type stands for on this media line. An rtpmap wins; without one
// only the static types 0 and 8 are known (RFC 3551). Dynamic types need an rtpmap.
std::optional<AudioCodec> identifyCodec(const SdpMedia& m, int payload_type) {
  if (auto map = m.rtpMap(payload_type)) {
    if (map->clock_rate != kG711ClockRate || map->channels > 1) return std::nullopt;
    if (equalsIgnoreCase(map->encoding, "PCMU")) return AudioCodec::kPcmu;
    if (equalsIgnoreCase(map->encoding, "PCMA")) return AudioCodec::kPcma;
    return std::nullopt;
  }
  if (payload_type == 0) return AudioCodec::kPcmu;
  if (payload_type == 8) return AudioCodec::kPcma;
  return std::nullopt;
}

std::optional<int> findTelephoneEvent(const SdpMedia& m) {
  for (int pt : m.payloadTypes()) {
    auto map = m.rtpMap(pt);
    if (map && equalsIgnoreCase(map->encoding, kTelephoneEvent) &&
        map->clock_rate == kG711ClockRate)
      return pt;
  }
  return std::nullopt;
}

bool supports(const LocalMedia& local, AudioCodec codec) {
  return std::find(local.codecs.begin(), local.codecs.end(), codec) != local.codecs.end();
}

SessionDescription sessionSkeleton(const LocalMedia& local) {
  SessionDescription sdp;
  sdp.origin.username = local.username;
  sdp.origin.session_id = local.session_id;
  sdp.origin.session_version = local.session_version;
  sdp.origin.address_type = local.address_type;
  sdp.origin.address = local.address;
  sdp.session_name = "-";
  sdp.connection = SdpConnection{local.address_type, local.address};
  sdp.timings.push_back(SdpTiming{});
  return sdp;
}

SdpMedia audioMedia(const LocalMedia& local, const std::vector<std::pair<int, AudioCodec>>& codecs,
                    std::optional<int> telephone_event, SdpDirection direction) {
  SdpMedia m;
  m.media = "audio";
  m.port = local.rtp_port;
  m.protocol = SdpProtocol::kRtpAvp;
  m.protocol_text = "RTP/AVP";
  for (const auto& [pt, codec] : codecs) {
    m.formats.push_back(std::to_string(pt));
    m.attributes.push_back(
        makeRtpMapAttribute(SdpRtpMap{pt, encodingName(codec), kG711ClockRate, 0}));
  }
  if (telephone_event) {
    m.formats.push_back(std::to_string(*telephone_event));
    m.attributes.push_back(makeRtpMapAttribute(
        SdpRtpMap{*telephone_event, std::string(kTelephoneEvent), kG711ClockRate, 0}));
    m.attributes.push_back(makeAttribute(
        "fmtp", std::to_string(*telephone_event) + " " + std::string(kTelephoneEventEvents)));
  }
  m.attributes.push_back(makeAttribute("ptime", std::to_string(local.ptime_ms)));
  m.attributes.push_back(makeDirectionAttribute(direction));
  return m;
}

SdpMedia rejectedMedia(const SdpMedia& offered) {
  SdpMedia m;
  m.media = offered.media;
  m.port = 0;
  m.protocol = offered.protocol;
  m.protocol_text = offered.protocol_text;
  m.formats = offered.formats;  // RFC 3264 §6: a rejected stream still lists a format
  if (m.formats.empty()) m.formats.emplace_back("0");
  return m;
}

// What the peer does, with c=0.0.0.0 meaning "do not send to me" (RFC 2543 hold).
SdpDirection effectiveDirection(const SessionDescription& sdp, std::size_t index) {
  const auto d = sdp.directionFor(index);
  const auto* c = sdp.connectionFor(index);
  if (c && isNullConnectionAddress(c->address)) return fromFlags(sends(d), false);
  return d;
}

std::uint32_t sanePtime(std::optional<std::uint32_t> remote, std::uint32_t fallback) {
  // We packetize as the peer asks, within what G.711 endpoints commonly do.
  if (remote && *remote >= 10 && *remote <= 120 && *remote % 10 == 0) return *remote;
  return fallback;
}

}  // namespace

const char* toString(AudioCodec codec) {
  return encodingName(codec);
}

int staticPayloadType(AudioCodec codec) {
  return codec == AudioCodec::kPcma ? 8 : 0;
}

bool NegotiatedAudio::weSend() const {
  return sends(local_direction);
}
bool NegotiatedAudio::weReceive() const {
  return receives(local_direction);
}

SdpDirection answerDirection(SdpDirection offered, bool holding) {
  // We send when the peer receives; we listen when the peer sends and we do not hold.
  return fromFlags(receives(offered), sends(offered) && !holding);
}

core::Result<SdpAnswer> answerOffer(const SessionDescription& offer, const LocalMedia& local) {
  if (offer.media.empty())
    return core::makeError(core::ErrorCode::kInvalidInput, "offer has no media");
  SdpAnswer result;
  result.sdp = sessionSkeleton(local);
  bool chosen = false;
  std::string reason = "no audio stream";
  bool audio_reason = false;
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    const SdpMedia& m = offer.media[i];
    auto reject = [&](std::string why) {
      result.sdp.media.push_back(rejectedMedia(m));
      // Report why the first audio line failed: that is what the peer needs to know.
      if (!chosen && !audio_reason) {
        reason = std::move(why);
        audio_reason = m.media == "audio";
      }
    };
    if (chosen) {
      reject({});
      continue;
    }
    if (m.media != "audio") {
      reject("no audio stream");
      continue;
    }
    if (m.port == 0) {
      reject("audio stream disabled by the offer");
      continue;
    }
    if (m.protocol != SdpProtocol::kRtpAvp) {
      reject("audio profile " + m.protocol_text + " not supported");
      continue;
    }
    const SdpConnection* connection = offer.connectionFor(i);
    if (connection == nullptr) {
      reject("audio stream without a connection address");
      continue;
    }
    if (connection->address.find('/') != std::string::npos) {
      reject("multicast audio not supported");
      continue;
    }

    std::optional<std::pair<int, AudioCodec>> codec;
    for (int pt : m.payloadTypes()) {
      auto c = identifyCodec(m, pt);
      if (c && supports(local, *c)) {
        codec = std::make_pair(pt, *c);
        break;
      }
    }
    if (!codec) {
      reject("no common codec (we take PCMU and PCMA)");
      continue;
    }
    const auto telephone_event = local.telephone_event ? findTelephoneEvent(m) : std::nullopt;

    const SdpDirection offered = effectiveDirection(offer, i);
    NegotiatedAudio& audio = result.audio;
    audio.media_index = i;
    audio.codec = codec->second;
    audio.payload_type = codec->first;
    audio.telephone_event_payload_type = telephone_event;
    audio.remote_address_type = connection->address_type;
    audio.remote_address = connection->address;
    audio.remote_port = m.port;
    audio.ptime_ms = sanePtime(m.ptime(), local.ptime_ms);
    audio.local_direction = answerDirection(offered, local.holding);
    audio.remote_hold = offer.isHold(i);
    audio.remote_rtcp_port = m.rtcpPort().value_or(0);
    audio.rtcp_mux = m.rtcpMux();  // RFC 5761 §5.1.1: accepted when offered
    result.sdp.media.push_back(audioMedia(local, {*codec}, telephone_event, audio.local_direction));
    if (audio.rtcp_mux) result.sdp.media.back().attributes.push_back(makeAttribute("rtcp-mux"));
    chosen = true;
  }
  if (!chosen) return core::makeError(core::ErrorCode::kInvalidInput, "not acceptable: " + reason);
  return result;
}

SessionDescription buildOffer(const LocalMedia& local, SdpDirection direction) {
  SessionDescription sdp = sessionSkeleton(local);
  std::vector<std::pair<int, AudioCodec>> codecs;
  for (AudioCodec c : local.codecs) {
    const int pt = staticPayloadType(c);
    if (std::none_of(codecs.begin(), codecs.end(), [&](const auto& p) { return p.first == pt; }))
      codecs.emplace_back(pt, c);
  }
  std::optional<int> telephone_event;
  if (local.telephone_event) telephone_event = local.telephone_event_payload_type;
  sdp.media.push_back(audioMedia(local, codecs, telephone_event, direction));
  return sdp;
}

core::Result<NegotiatedAudio> processAnswer(const SessionDescription& our_offer,
                                            const SessionDescription& answer) {
  using core::ErrorCode;
  if (answer.media.size() != our_offer.media.size())
    return core::makeError(ErrorCode::kInvalidInput, "answer has a different number of m= lines");
  for (std::size_t i = 0; i < answer.media.size(); ++i) {
    const SdpMedia& m = answer.media[i];
    const SdpMedia& offered = our_offer.media[i];
    if (m.media != offered.media)
      return core::makeError(ErrorCode::kInvalidInput, "answer changes the media of an m= line");
    if (m.port == 0 || m.media != "audio" || !m.isRtp()) continue;
    const auto offered_pts = offered.payloadTypes();
    std::optional<std::pair<int, AudioCodec>> codec;
    for (int pt : m.payloadTypes()) {
      if (std::find(offered_pts.begin(), offered_pts.end(), pt) == offered_pts.end()) continue;
      auto c = identifyCodec(m, pt);
      if (!c) c = identifyCodec(offered, pt);
      if (c) {
        codec = std::make_pair(pt, *c);
        break;
      }
    }
    if (!codec)
      return core::makeError(ErrorCode::kInvalidInput, "answer chose no codec we offered");
    const SdpConnection* connection = answer.connectionFor(i);
    if (connection == nullptr)
      return core::makeError(ErrorCode::kInvalidInput, "answer has no connection address");

    NegotiatedAudio audio;
    audio.media_index = i;
    audio.codec = codec->second;
    audio.payload_type = codec->first;
    auto te = findTelephoneEvent(m);
    if (te && std::find(offered_pts.begin(), offered_pts.end(), *te) != offered_pts.end())
      audio.telephone_event_payload_type = te;
    audio.remote_address_type = connection->address_type;
    audio.remote_address = connection->address;
    audio.remote_port = m.port;
    audio.ptime_ms = sanePtime(m.ptime(), sanePtime(offered.ptime(), 20));
    audio.remote_rtcp_port = m.rtcpPort().value_or(0);
    audio.rtcp_mux = m.rtcpMux() && offered.rtcpMux();
    const SdpDirection ours = our_offer.directionFor(i);
    const SdpDirection theirs = effectiveDirection(answer, i);
    audio.local_direction =
        fromFlags(sends(ours) && receives(theirs), receives(ours) && sends(theirs));
    audio.remote_hold = sends(ours) && !receives(theirs);
    return audio;
  }
  return core::makeError(ErrorCode::kInvalidInput, "answer accepts no audio stream");
}

void LocalSdpSession::nextVersion() {
  if (used_ && local_.session_version < std::numeric_limits<std::uint64_t>::max())
    ++local_.session_version;
  used_ = true;
}

SessionDescription LocalSdpSession::offer(SdpDirection direction) {
  nextVersion();
  local_.holding = !receives(direction);
  return buildOffer(local_, direction);
}

core::Result<SdpAnswer> LocalSdpSession::answer(const SessionDescription& offer, bool holding) {
  nextVersion();
  local_.holding = holding;
  return answerOffer(offer, local_);
}

}  // namespace sb::sip
