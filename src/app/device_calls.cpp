#include "app/device_calls.hpp"

#include "core/log.hpp"

namespace sb::app {

std::shared_ptr<DeviceCalls::Call> DeviceCalls::find(sip::LegId leg) const {
  auto it = calls_.find(leg);
  return it == calls_.end() ? nullptr : it->second;
}

std::shared_ptr<DeviceCalls::Call> DeviceCalls::findMedia(media::MediaLegId leg) const {
  auto it = by_media_.find(leg);
  return it == by_media_.end() ? nullptr : it->second;
}

void DeviceCalls::onIncomingCall(sip::LegId leg, const sip::IncomingCall& call) {
  const auto now = clock_.now();
  const SipDirectorySnapshot& dir = directory_.current();
  sip::DialRequest dial;
  dial.from_user = call.caller;
  dial.from_name = call.caller_name;
  std::string org_domain;
  if (call.origin != sip::LegOrigin::kDevice) {
    endpoint_->reject(leg, 500, now);  // trunk calls are the contact center's (CallLegs)
    return;
  }
  // An agent's device calls out: only ever through a trunk (never to another address).
  const SipTrunk* trunk = dir.trunks().empty() ? nullptr : &dir.trunks().front();
  if (trunk == nullptr || call.number.empty()) {
    endpoint_->reject(leg, 403, now);
    return;
  }
  const std::string at = trunk->outbound_host.find(':') != std::string::npos
                             ? "[" + trunk->outbound_host + "]:" + std::to_string(trunk->outbound_port)
                             : trunk->outbound_host + ":" + std::to_string(trunk->outbound_port);
  sip::DialBranch branch;
  branch.request_uri = "sip:" + call.number + "@" + at;
  branch.to = "<" + branch.request_uri + ">";
  branch.flow.transport = sip::TransportKind::kUdp;
  branch.flow.remote = sip::NetAddress{trunk->outbound_host, trunk->outbound_port};
  dial.branches.push_back(std::move(branch));
  org_domain = call.aor.substr(call.aor.find('@') + 1);
  const SipOrg* org = dir.orgForDomain(org_domain);
  if (org != nullptr && !org->numbers.empty()) dial.from_user = org->numbers.front();
  dial.timeout = std::chrono::seconds(60);
  if (dial.branches.empty()) {
    endpoint_->reject(leg, 480, now);  // nobody is registered
    return;
  }

  // Media: a port pair for each side, our answer to the caller (sent when the far side
  // answers) and our own offer to the far side, preferring the caller's codec so the
  // bridge need not transcode.
  auto offer = sip::parseSdp(call.sdp);
  if (!offer) {
    endpoint_->reject(leg, 488, now);
    return;
  }
  auto c = std::make_shared<Call>();
  c->id = center_.newCallId();  // unique with the contact center's calls (records, recording names)
  c->org = org_domain;
  c->media = media_.createCall();
  auto in_port = media_.openLeg(c->media);
  auto out_port = in_port ? media_.openLeg(c->media) : in_port;
  if (!in_port || !out_port) {
    core::logWarn("call refused: no media port", {{"error", (in_port ? out_port : in_port).error().message}});
    media_.closeCall(c->media);
    endpoint_->reject(leg, 503, now);
    return;
  }
  c->in.sip = leg;
  c->in.media = in_port->id;
  c->out.media = out_port->id;
  c->in.sdp.emplace(localMedia(options_.address, in_port->port, std::nullopt, ids_.next()));
  auto answer = c->in.sdp->answer(*offer, false);
  if (!answer) {
    media_.closeCall(c->media);
    endpoint_->reject(leg, 488, now);
    return;
  }
  c->in.audio = answer->audio;
  c->in_answer = std::move(*answer);
  c->out.sdp.emplace(localMedia(options_.address, out_port->port, c->in.audio->codec, ids_.next()));
  c->out_offer = c->out.sdp->offer(sip::SdpDirection::kSendRecv);
  dial.sdp = sip::serializeSdp(c->out_offer);

  failed_while_dialing_.reset();
  const std::string caller_id = dial.from_user;
  const sip::LegId out = endpoint_->dial(std::move(dial), now);
  if (out == 0 || failed_while_dialing_) {  // every branch failed at once (and said so)
    media_.closeCall(c->media);
    endpoint_->reject(leg, failed_while_dialing_.value_or(480), now);
    return;
  }
  c->out.sip = out;
  center_.outboundStarted(c->id, call.aor, caller_id, call.number);
  calls_[leg] = c;
  calls_[out] = c;
  by_media_[c->in.media] = c;
  by_media_[c->out.media] = c;
}

void DeviceCalls::onLegRinging(sip::LegId leg) {
  auto c = find(leg);
  if (c && leg == c->out.sip) endpoint_->ring(c->in.sip, clock_.now());
}

void DeviceCalls::onLegAnswered(sip::LegId leg, const std::string& sdp) {
  const auto now = clock_.now();
  auto c = find(leg);
  if (!c || leg != c->out.sip) {
    endpoint_->hangup(leg, now);
    return;
  }
  auto parsed = sip::parseSdp(sdp);
  auto audio = parsed ? sip::processAnswer(c->out_offer, *parsed)
                      : core::Result<sip::NegotiatedAudio>(parsed.error());
  if (!audio) {
    core::logWarn("answer refused", {{"error", audio.error().message}});
    endpoint_->hangup(leg, now);
    endpoint_->reject(c->in.sip, 488, now);
    end(c, "customer", "rejected");
    return;
  }
  c->out.audio = *audio;
  if (!endpoint_->answer(c->in.sip, sip::serializeSdp(c->in_answer->sdp), now)) {
    endpoint_->hangup(leg, now);
    end(c, "agent", "hangup");
    return;
  }
  configureSide(media_, c->in);
  configureSide(media_, c->out);
  media_.bridge(c->in.media, c->out.media);
  c->answered = now;
  std::string path;
  if (!options_.recordings_dir.empty()) {
    path = recordingPath(options_.recordings_dir, c->org, now, c->id);
    media_.startRecording(c->media, path, c->customer().media, c->agent().media);
    core::logInfo("call answered", {{"call", static_cast<int64_t>(c->id)}, {"recording", path}});
  }
  center_.outboundAnswered(c->id, std::move(path));
}

void DeviceCalls::onLegFailed(sip::LegId leg, int status) {
  auto c = find(leg);
  if (!c) {
    failed_while_dialing_ = status == 408 ? 480 : status;
    return;
  }
  // No answer (408 from the ring timeout) is "temporarily unavailable" for the caller.
  endpoint_->reject(c->in.sip, status == 408 ? 480 : status, clock_.now());
  end(c, "customer", status == 408 ? "no_answer" : status == 486 || status == 600 ? "busy" : "rejected");
}

void DeviceCalls::onLegEnded(sip::LegId leg, sip::LegEnd how) {
  auto c = find(leg);
  if (!c) return;
  const sip::LegId other = leg == c->in.sip ? c->out.sip : c->in.sip;
  endpoint_->hangup(other, clock_.now());
  end(c, leg == c->in.sip ? "agent" : "customer", endReason(how));
}

void DeviceCalls::end(const std::shared_ptr<Call>& c, const char* by, const char* why) {
  center_.outboundEnded(c->id, by, why);
  calls_.erase(c->in.sip);
  calls_.erase(c->out.sip);
  by_media_.erase(c->in.media);
  by_media_.erase(c->out.media);
  const auto id = static_cast<int64_t>(c->id);
  const std::string reason = why;
  closeLegLogged(media_, c->customer().media, c->id, "customer");
  closeLegLogged(media_, c->agent().media, c->id, "agent");
  closeCallLogged(media_, c->media, c->id);
  core::logInfo("call ended", {{"call", id}, {"why", reason}});
}

void DeviceCalls::startHold(Call& c) {
  if (c.agent_holds) return;
  c.agent_holds = true;
  playHoldSound(media_, prompts_, c.org, c.customer().media);
}

void DeviceCalls::stopHold(Call& c) {
  if (!c.agent_holds) return;
  c.agent_holds = false;
  media_.stopPlay(c.customer().media);
  media_.bridge(c.in.media, c.out.media);
}

void DeviceCalls::onLegOffer(sip::LegId leg, const std::string& sdp) {
  const auto now = clock_.now();
  auto c = find(leg);
  auto offer = sip::parseSdp(sdp);
  if (!c || !offer) {
    endpoint_->rejectOffer(leg, 488, now);
    return;
  }
  Side& side = leg == c->in.sip ? c->in : c->out;
  auto answer = side.sdp->answer(*offer, false);
  if (!answer) {
    endpoint_->rejectOffer(leg, 488, now);
    return;
  }
  side.audio = answer->audio;
  configureSide(media_, side);
  endpoint_->answerOffer(leg, sip::serializeSdp(answer->sdp), now);
  // The agent's phone holds: the customer hears the hold sound, not the agent.
  if (&side == &c->agent()) {
    if (answer->audio.remote_hold) {
      startHold(*c);
    } else {
      stopHold(*c);
    }
  }
}

void DeviceCalls::onLegOfferAnswered(sip::LegId, int, const std::string&) {
  // We never re-offer on this route (hold is played here, not signalled).
}

void DeviceCalls::onDigit(media::MediaLegId leg, char digit) {
  auto c = findMedia(leg);
  if (!c) return;
  const char* who = leg == c->customer().media ? "customer" : "agent";
  core::logInfo("dtmf", {{"call", static_cast<int64_t>(c->id)}, {"from", who}, {"digit", std::string(1, digit)}});
}

void DeviceCalls::onMediaTimeout(media::MediaLegId leg) {
  auto c = findMedia(leg);
  if (!c) return;
  const auto now = clock_.now();
  core::logWarn("media timeout", {{"call", static_cast<int64_t>(c->id)},
                                  {"side", leg == c->customer().media ? "customer" : "agent"}});
  endpoint_->hangup(c->in.sip, now);
  endpoint_->hangup(c->out.sip, now);
  end(c, leg == c->customer().media ? "customer" : "agent", "media_timeout");
}

void DeviceCalls::onRecordingFailed(media::MediaCallId call, const std::string& error) {
  for (const auto& [leg, c] : calls_) {
    if (c->media == call) {
      core::logError("recording failed, call goes on", {{"call", static_cast<int64_t>(c->id)}, {"error", error}});
      return;
    }
  }
}

}  // namespace sb::app

