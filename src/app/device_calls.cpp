#include "app/device_calls.hpp"

#include <boost/asio/post.hpp>

#include "core/log.hpp"

namespace sb::app {

using core::ErrorCode;

template <class F>
void DeviceCalls::later(F&& f) {
  boost::asio::post(strand_, std::forward<F>(f));
}

std::shared_ptr<DeviceCalls::Call> DeviceCalls::find(sip::LegId leg) const {
  auto it = by_leg_.find(leg);
  return it == by_leg_.end() ? nullptr : it->second;
}

std::shared_ptr<DeviceCalls::Call> DeviceCalls::findMedia(media::MediaLegId leg) const {
  auto it = by_media_.find(leg);
  return it == by_media_.end() ? nullptr : it->second;
}

std::shared_ptr<DeviceCalls::Call> DeviceCalls::findCall(acd::CallId call) const {
  auto it = by_id_.find(call);
  return it == by_id_.end() ? nullptr : it->second;
}

namespace {

// The SIP answer to a phone whose dial the contact center refused.
int statusOf(const core::Error& e) {
  switch (e.code) {
    case ErrorCode::kForbidden: return 403;     // E3: international
    case ErrorCode::kInvalidInput: return 484;  // Address Incomplete: not a number
    case ErrorCode::kConflict: return 486;      // the colleague is busy
    case ErrorCode::kNotFound: return 404;
    default: return 503;
  }
}

const char* failReason(int status) {
  if (status == 408 || status == 480) return "no_answer";
  if (status == 486 || status == 600) return "busy";
  return "rejected";
}

}  // namespace

bool DeviceCalls::openMedia(Call& c) {
  c.media = media_.createCall();
  auto agent_port = media_.openLeg(c.media);
  auto far_port = agent_port ? media_.openLeg(c.media) : agent_port;
  if (!agent_port || !far_port) {
    core::logWarn("call refused: no media port", {{"error", (agent_port ? far_port : agent_port).error().message}});
    media_.closeCall(c.media);
    c.media = 0;
    return false;
  }
  c.agent.media = agent_port->id;
  c.far.media = far_port->id;
  c.agent.sdp.emplace(localMedia(options_.address, agent_port->port, std::nullopt, ids_.next()));
  c.far_port = far_port->port;  // its SDP once the agent's codec is known (dialFar)
  return true;
}

// ---- the agent's phone dials ---------------------------------------------------------------

void DeviceCalls::onIncomingCall(sip::LegId leg, const sip::IncomingCall& call) {
  const auto now = clock_.now();
  if (call.origin != sip::LegOrigin::kDevice) {
    endpoint_->reject(leg, 500, now);  // trunk calls are the contact center's (CallLegs)
    return;
  }
  auto offer = sip::parseSdp(call.sdp);
  if (!offer) {
    endpoint_->reject(leg, 488, now);
    return;
  }
  const acd::CallId id = center_.newCallId();  // unique with the contact center's calls
  auto route = center_.deviceDialed(id, call.aor, call.number, call.flow.remote.ip);
  if (!route) {
    core::logInfo("agent dial refused", {{"aor", call.aor}, {"number", call.number}, {"why", route.error().message}});
    endpoint_->reject(leg, statusOf(route.error()), now);
    return;
  }
  auto c = std::make_shared<Call>();
  c->id = id;
  c->route = std::move(*route);
  c->agent.sip = leg;
  if (!openMedia(*c)) {
    endpoint_->reject(leg, 503, now);
    center_.outboundEnded(id, "system", "failed");
    return;
  }
  auto answer = c->agent.sdp->answer(*offer, false);
  if (!answer) {
    media_.closeCall(c->media);
    endpoint_->reject(leg, 488, now);
    center_.outboundEnded(id, "system", "failed");
    return;
  }
  c->agent.audio = answer->audio;
  c->agent_answer = std::move(*answer);
  by_leg_[leg] = c;
  by_id_[id] = c;
  by_media_[c->agent.media] = c;
  by_media_[c->far.media] = c;
  if (!dialFar(c)) {
    endpoint_->reject(leg, failed_while_dialing_.value_or(480), now);
    by_leg_.erase(leg);
    c->agent.sip = 0;
    end(c, "customer", failReason(failed_while_dialing_.value_or(480)));
  }
}

bool DeviceCalls::dialFar(const std::shared_ptr<Call>& c) {
  const auto now = clock_.now();
  const SipDirectorySnapshot& dir = directory_.current();
  sip::DialRequest dial;
  dial.from_user = c->route.caller_id;
  dial.from_name = c->route.caller_name;
  if (c->route.kind == DialRoute::Kind::kTrunk) {
    const SipTrunk* trunk = dir.trunks().empty() ? nullptr : &dir.trunks().front();
    if (trunk == nullptr) {
      failed_while_dialing_ = 503;
      return false;
    }
    const std::string at = trunk->outbound_host.find(':') != std::string::npos
                               ? "[" + trunk->outbound_host + "]:" + std::to_string(trunk->outbound_port)
                               : trunk->outbound_host + ":" + std::to_string(trunk->outbound_port);
    sip::DialBranch branch;
    branch.request_uri = "sip:" + c->route.number + "@" + at;
    branch.to = "<" + branch.request_uri + ">";
    branch.flow.transport = sip::TransportKind::kUdp;
    branch.flow.remote = sip::NetAddress{trunk->outbound_host, trunk->outbound_port};
    dial.branches.push_back(std::move(branch));
    dial.timeout = std::chrono::seconds(60);
  } else {  // N6: the colleague's registered phones
    dial.branches = endpoint_->contactsOf(c->route.agent_aor, now);
    dial.from_domain = c->route.org_domain;
    dial.timeout = std::chrono::seconds(30);
    if (dial.branches.empty()) {
      failed_while_dialing_ = 480;  // nobody is registered
      return false;
    }
  }
  // Our offer prefers the agent's codec, so that the bridge need not transcode.
  c->far.sdp.emplace(localMedia(options_.address, c->far_port,
                                c->agent.audio ? std::optional(c->agent.audio->codec) : std::nullopt, ids_.next()));
  c->far_offer = c->far.sdp->offer(sip::SdpDirection::kSendRecv);
  dial.sdp = sip::serializeSdp(c->far_offer);
  failed_while_dialing_.reset();
  dialing_ = true;
  const sip::LegId out = endpoint_->dial(std::move(dial), now);
  dialing_ = false;
  if (out == 0 || failed_while_dialing_) return false;  // every branch failed at once (and said so)
  c->far.sip = out;
  c->far_dialled = true;
  by_leg_[out] = c;
  return true;
}

// ---- the app dials (E1): the agent's phone first ----------------------------------------------

void DeviceCalls::dialOut(acd::CallId id, const std::string& agent_aor, const DialRoute& route) {
  const auto now = clock_.now();
  auto fail = [&](const char* reason) {
    core::logInfo("app dial failed", {{"call", static_cast<int64_t>(id)}, {"agent", agent_aor}, {"why", reason}});
    later([this, id, reason] { center_.outboundEnded(id, "agent", reason); });
  };
  std::vector<sip::DialBranch> branches = endpoint_->contactsOf(agent_aor, now);
  if (branches.empty()) {
    fail("no_device");
    return;
  }
  auto c = std::make_shared<Call>();
  c->id = id;
  c->route = route;
  c->from_app = true;
  if (!openMedia(*c)) {
    fail("failed");
    return;
  }
  c->agent_offer = c->agent.sdp->offer(sip::SdpDirection::kSendRecv);
  sip::DialRequest dial;
  dial.branches = std::move(branches);
  // The agent's phone shows whom it is about to call.
  dial.from_user = route.kind == DialRoute::Kind::kTrunk ? route.number : route.agent_aor.substr(0, route.agent_aor.find('@'));
  dial.from_domain = route.org_domain;
  dial.sdp = sip::serializeSdp(c->agent_offer);
  dial.timeout = std::chrono::seconds(30);
  failed_while_dialing_.reset();
  dialing_ = true;
  const sip::LegId leg = endpoint_->dial(std::move(dial), now);
  dialing_ = false;
  if (leg == 0 || failed_while_dialing_) {
    media_.closeCall(c->media);
    fail(failReason(failed_while_dialing_.value_or(480)));
    return;
  }
  c->agent.sip = leg;
  by_leg_[leg] = c;
  by_id_[id] = c;
  by_media_[c->agent.media] = c;
  by_media_[c->far.media] = c;
  core::logInfo("app dial: ringing the agent", {{"call", static_cast<int64_t>(id)}, {"agent", agent_aor}});
}

// ---- both ---------------------------------------------------------------------------------------

void DeviceCalls::onLegRinging(sip::LegId leg) {
  auto c = find(leg);
  if (!c || leg != c->far.sip) return;
  if (!c->from_app) {
    endpoint_->ring(c->agent.sip, clock_.now());  // the phone plays its own ringback
  } else if (!c->ringback) {
    // The agent's phone answered already (the app dialled): it hears our ringback tone
    // until the far side answers.
    c->ringback = true;
    if (auto tone = prompts_.sound(c->route.org_domain, "ringback")) {
      media_.play(c->agent.media, {*tone}, true, false, 0);
    } else {
      core::logWarn("no ringback tone", {{"error", tone.error().message}});
    }
  }
}

void DeviceCalls::onLegAnswered(sip::LegId leg, const std::string& sdp) {
  const auto now = clock_.now();
  auto c = find(leg);
  if (!c) {
    endpoint_->hangup(leg, now);
    return;
  }
  auto parsed = sip::parseSdp(sdp);
  if (leg == c->agent.sip && c->from_app) {  // the agent took its own call: now the other side
    auto audio = parsed ? sip::processAnswer(c->agent_offer, *parsed) : core::Result<sip::NegotiatedAudio>(parsed.error());
    if (!audio) {
      core::logWarn("agent answer refused", {{"call", static_cast<int64_t>(c->id)}, {"error", audio.error().message}});
      endpoint_->hangup(leg, now);
      by_leg_.erase(leg);
      c->agent.sip = 0;
      end(c, "agent", "rejected");
      return;
    }
    c->agent.audio = *audio;
    configureSide(media_, c->agent);
    if (!dialFar(c)) {
      const int status = failed_while_dialing_.value_or(480);
      endpoint_->hangup(c->agent.sip, now);
      end(c, "customer", failReason(status));
    }
    return;
  }
  if (leg != c->far.sip) {
    endpoint_->hangup(leg, now);
    return;
  }
  auto audio = parsed ? sip::processAnswer(c->far_offer, *parsed) : core::Result<sip::NegotiatedAudio>(parsed.error());
  if (!audio) {
    core::logWarn("answer refused", {{"error", audio.error().message}});
    endpoint_->hangup(leg, now);
    if (c->from_app) {
      endpoint_->hangup(c->agent.sip, now);
    } else {
      endpoint_->reject(c->agent.sip, 488, now);
    }
    end(c, "customer", "rejected");
    return;
  }
  c->far.audio = *audio;
  if (!c->from_app && !endpoint_->answer(c->agent.sip, sip::serializeSdp(c->agent_answer->sdp), now)) {
    endpoint_->hangup(leg, now);
    end(c, "agent", "hangup");
    return;
  }
  configureSide(media_, c->agent);
  configureSide(media_, c->far);
  if (c->ringback) media_.stopPlay(c->agent.media);
  media_.bridge(c->agent.media, c->far.media);
  std::string path;
  if (!options_.recordings_dir.empty()) {
    path = recordingPath(options_.recordings_dir, c->route.org_domain, now, c->id);
    media_.startRecording(c->media, path, c->far.media, c->agent.media);
    core::logInfo("call answered", {{"call", static_cast<int64_t>(c->id)}, {"recording", path}});
  }
  center_.outboundAnswered(c->id, std::move(path));
}

void DeviceCalls::onLegFailed(sip::LegId leg, int status) {
  auto c = find(leg);
  if (!c) {
    if (dialing_) failed_while_dialing_ = status == 408 ? 480 : status;
    return;
  }
  const auto now = clock_.now();
  by_leg_.erase(leg);
  if (leg == c->agent.sip) {  // from the app: the agent's own phone did not take it
    c->agent.sip = 0;
    end(c, "agent", failReason(status));
    return;
  }
  c->far.sip = 0;
  // No answer (408 from the ring timeout) is "temporarily unavailable" for the caller.
  if (c->from_app) {
    endpoint_->hangup(c->agent.sip, now);
  } else {
    endpoint_->reject(c->agent.sip, status == 408 ? 480 : status, now);
  }
  end(c, "customer", failReason(status));
}

void DeviceCalls::onLegEnded(sip::LegId leg, sip::LegEnd how) {
  auto c = find(leg);
  if (!c) return;
  const bool agent = leg == c->agent.sip;
  by_leg_.erase(leg);
  (agent ? c->agent : c->far).sip = 0;
  const sip::LegId other = agent ? c->far.sip : c->agent.sip;
  if (other != 0) endpoint_->hangup(other, clock_.now());
  end(c, agent ? "agent" : "customer", endReason(how));
}

void DeviceCalls::end(const std::shared_ptr<Call>& c, const char* by, const char* why) {
  if (by_id_.erase(c->id) == 0) return;  // ended already
  by_leg_.erase(c->agent.sip);
  by_leg_.erase(c->far.sip);
  by_media_.erase(c->agent.media);
  by_media_.erase(c->far.media);
  center_.outboundEnded(c->id, by, why);
  if (c->media != 0) {
    closeLegLogged(media_, c->far.media, c->id, "customer");
    closeLegLogged(media_, c->agent.media, c->id, "agent");
    closeCallLogged(media_, c->media, c->id);
  }
  core::logInfo("call ended", {{"call", static_cast<int64_t>(c->id)}, {"why", std::string(why)}});
}

bool DeviceCalls::hangUp(acd::CallId call) {
  auto c = findCall(call);
  if (!c) return false;
  const auto now = clock_.now();
  if (c->far.sip != 0) endpoint_->hangup(c->far.sip, now);
  if (c->agent.sip != 0) endpoint_->hangup(c->agent.sip, now);
  end(c, "agent", "hangup");
  return true;
}

void DeviceCalls::updateHold(Call& c) {
  const bool held = c.agent_holds || c.center_holds;
  if (held == c.held) return;
  c.held = held;
  if (held) {
    playHoldSound(media_, prompts_, c.route.org_domain, c.far.media);
  } else {
    media_.stopPlay(c.far.media);
    media_.bridge(c.agent.media, c.far.media);
  }
}

bool DeviceCalls::holdCustomer(acd::CallId call, bool held) {
  auto c = findCall(call);
  if (!c) return false;
  c->center_holds = held;
  updateHold(*c);
  return true;
}

void DeviceCalls::onLegOffer(sip::LegId leg, const std::string& sdp) {
  const auto now = clock_.now();
  auto c = find(leg);
  auto offer = sip::parseSdp(sdp);
  if (!c || !offer) {
    endpoint_->rejectOffer(leg, 488, now);
    return;
  }
  Side& side = leg == c->agent.sip ? c->agent : c->far;
  auto answer = side.sdp->answer(*offer, false);
  if (!answer) {
    endpoint_->rejectOffer(leg, 488, now);
    return;
  }
  side.audio = answer->audio;
  configureSide(media_, side);
  endpoint_->answerOffer(leg, sip::serializeSdp(answer->sdp), now);
  // The agent's phone holds: the other side hears the hold sound, not the agent.
  if (&side == &c->agent && c->agent_holds != answer->audio.remote_hold) {
    c->agent_holds = answer->audio.remote_hold;
    center_.holdChanged(c->id, c->agent_holds);  // hold time (the app's hold is the center's own)
    updateHold(*c);
  }
}

void DeviceCalls::onLegOfferAnswered(sip::LegId, int, const std::string&) {
  // We never re-offer on this route (hold is played here, not signalled).
}

void DeviceCalls::onDigit(media::MediaLegId leg, char digit) {
  auto c = findMedia(leg);
  if (!c) return;
  const char* who = leg == c->far.media ? "customer" : "agent";
  core::logInfo("dtmf", {{"call", static_cast<int64_t>(c->id)}, {"from", who}, {"digit", std::string(1, digit)}});
}

void DeviceCalls::onMediaTimeout(media::MediaLegId leg) {
  auto c = findMedia(leg);
  if (!c) return;
  const auto now = clock_.now();
  const bool far = leg == c->far.media;
  core::logWarn("media timeout", {{"call", static_cast<int64_t>(c->id)}, {"side", far ? "customer" : "agent"}});
  if (c->agent.sip != 0) endpoint_->hangup(c->agent.sip, now);
  if (c->far.sip != 0) endpoint_->hangup(c->far.sip, now);
  end(c, far ? "customer" : "agent", "media_timeout");
}

void DeviceCalls::onRecordingFailed(media::MediaCallId call, const std::string& error) {
  for (const auto& [id, c] : by_id_) {
    if (c->media == call) {
      core::logError("recording failed, call goes on", {{"call", static_cast<int64_t>(id)}, {"error", error}});
      return;
    }
  }
}

}  // namespace sb::app
