#include "app/call_legs.hpp"

#include <boost/asio/post.hpp>

#include "core/log.hpp"

namespace sb::app {

CallLegs::CallLegs(const LiveSipDirectory& directory, const core::Clock& clock, media::MediaEngine& media,
                   media::PromptLibrary& prompts, sip::IdSource& ids, RouteMediaOptions options,
                   ContactCenter& center, boost::asio::any_io_executor strand)
    : directory_(directory),
      clock_(clock),
      media_(media),
      prompts_(prompts),
      ids_(ids),
      options_(options),
      center_(center),
      strand_(std::move(strand)),
      device_calls_(directory, clock, media, prompts, ids, std::move(options), center, strand_) {}

void CallLegs::attach(sip::SipEndpoint& endpoint) {
  endpoint_ = &endpoint;
  device_calls_.attach(endpoint);
}

template <class F>
void CallLegs::later(F&& f) {
  boost::asio::post(strand_, std::forward<F>(f));
}

std::shared_ptr<CallLegs::Call> CallLegs::find(sip::LegId leg) const {
  auto it = by_leg_.find(leg);
  return it == by_leg_.end() ? nullptr : it->second;
}

std::shared_ptr<CallLegs::Call> CallLegs::findMedia(media::MediaLegId leg) const {
  auto it = by_media_.find(leg);
  return it == by_media_.end() ? nullptr : it->second;
}

std::shared_ptr<CallLegs::Call> CallLegs::findCall(acd::CallId call) const {
  auto it = by_id_.find(call);
  return it == by_id_.end() ? nullptr : it->second;
}

// ---- a customer calls ------------------------------------------------------------------

void CallLegs::onIncomingCall(sip::LegId leg, const sip::IncomingCall& call) {
  if (call.origin != sip::LegOrigin::kTrunk) {
    device_calls_.onIncomingCall(leg, call);
    return;
  }
  const auto now = clock_.now();
  const SipOrg* org = directory_.current().orgForNumber(call.number);
  if (org == nullptr) {
    endpoint_->reject(leg, 404, now);
    return;
  }
  auto offer = sip::parseSdp(call.sdp);
  if (!offer) {
    endpoint_->reject(leg, 488, now);
    return;
  }
  auto c = std::make_shared<Call>();
  c->org = org->id;
  c->domain = org->domain;
  c->language = center_.language(org->id);
  c->media = media_.createCall();
  auto port = media_.openLeg(c->media);
  if (!port) {
    core::logWarn("call refused: no media port", {{"error", port.error().message}});
    media_.closeCall(c->media);
    endpoint_->reject(leg, 503, now);
    return;
  }
  c->customer.sip = leg;
  c->customer.media = port->id;
  c->customer.sdp.emplace(localMedia(options_.address, port->port, std::nullopt, ids_.next()));
  auto answer = c->customer.sdp->answer(*offer, false);
  if (!answer) {
    media_.closeCall(c->media);
    endpoint_->reject(leg, 488, now);
    return;
  }
  c->customer.audio = answer->audio;
  c->customer_answer = std::move(*answer);
  c->id = center_.newCallId();
  by_leg_[leg] = c;
  by_media_[c->customer.media] = c;
  by_id_[c->id] = c;
  core::logInfo("call arrived", {{"call", static_cast<int64_t>(c->id)}, {"org", c->domain},
                                 {"caller", call.caller}, {"number", call.number}});
  if (!center_.callArrived(c->id, org->id, call.caller, call.number)) {
    endpoint_->reject(leg, 404, now);  // the contact center has not seen the org yet
    hangUp(c->id);
  }
}

void CallLegs::answer(acd::CallId id) {
  auto c = findCall(id);
  if (!c || c->answered) return;
  c->answered = true;
  if (!endpoint_->answer(c->customer.sip, sip::serializeSdp(c->customer_answer->sdp), clock_.now())) {
    later([this, id] { center_.customerHungUp(id); });  // the caller is gone already
    return;
  }
  configureSide(media_, c->customer);
}

void CallLegs::play(acd::CallId id, const std::vector<std::string>& names, bool loop, bool interruptible,
                    std::uint64_t play_id) {
  auto c = findCall(id);
  if (!c) return;
  std::vector<media::PromptRef> sequence;
  sequence.reserve(names.size());
  for (const std::string& name : names) {
    auto prompt = name == "hold" ? prompts_.hold(c->domain) : prompts_.get(c->domain, c->language, name);
    if (prompt) {
      sequence.push_back(std::move(*prompt));
    } else if (name.rfind("menu_", 0) != 0) {  // an org's own menu recordings are optional
      core::logWarn("prompt missing", {{"call", static_cast<int64_t>(id)}, {"error", prompt.error().message}});
    }
  }
  if (sequence.empty()) {  // nothing to play: it is over at once
    if (!loop) later([this, id, play_id] { center_.promptFinished(id, play_id); });
    return;
  }
  media_.play(c->customer.media, std::move(sequence), loop, interruptible, play_id);
}

void CallLegs::stopPlaying(acd::CallId id) {
  if (auto c = findCall(id)) media_.stopPlay(c->customer.media);
}

void CallLegs::onPlayFinished(media::MediaLegId leg, std::uint64_t play_id) {
  auto c = findMedia(leg);
  if (!c || leg != c->customer.media) return;
  center_.promptFinished(c->id, play_id);
}

void CallLegs::onDigit(media::MediaLegId leg, char digit) {
  if (device_calls_.ownsMedia(leg)) {
    device_calls_.onDigit(leg, digit);
    return;
  }
  auto c = findMedia(leg);
  if (!c) return;
  const bool customer = leg == c->customer.media;
  core::logInfo("dtmf", {{"call", static_cast<int64_t>(c->id)},
                         {"from", customer ? "customer" : "agent"},
                         {"digit", std::string(1, digit)}});
  if (customer) center_.digit(c->id, digit);
}

// ---- ringing an agent ------------------------------------------------------------------

void CallLegs::ring(acd::CallId id, acd::AgentKey agent, const RingTarget& target) {
  const auto now = clock_.now();
  auto c = findCall(id);
  if (!c) return;
  auto fail = [&](const char* why) {
    core::logInfo("ring failed", {{"call", static_cast<int64_t>(id)}, {"agent", target.aor}, {"why", why}});
    later([this, id, agent] { center_.ringFailed(id, agent); });
  };
  if (c->ringing) dropOffer(*c);
  std::vector<sip::DialBranch> branches = endpoint_->contactsOf(target.aor, now);
  if (branches.empty()) {
    fail("no registered device");
    return;
  }
  auto port = media_.openLeg(c->media);
  if (!port) {
    fail("no media port");
    return;
  }
  c->ringing = agent;
  c->offer = Side{};
  c->offer.media = port->id;
  c->offer.sdp.emplace(localMedia(options_.address, port->port,
                                  c->customer.audio ? std::optional(c->customer.audio->codec) : std::nullopt,
                                  ids_.next()));
  c->offer_sdp = c->offer.sdp->offer(sip::SdpDirection::kSendRecv);
  sip::DialRequest dial;
  dial.branches = std::move(branches);
  dial.from_user = target.caller;
  dial.from_name = target.menu_name;
  dial.from_domain = c->domain;
  dial.sdp = sip::serializeSdp(c->offer_sdp);
  dial.alert_info = kContactCenterAlertInfo;
  // The contact center's own ring timer decides; this is only the backstop.
  dial.timeout = target.timeout + std::chrono::seconds(5);
  dialing_ = true;
  dial_failed_.reset();
  const sip::LegId out = endpoint_->dial(std::move(dial), now);
  dialing_ = false;
  if (out == 0 || dial_failed_) {
    closeLegLogged(media_, c->offer.media, c->id, "agent");
    c->offer = Side{};
    c->ringing.reset();
    fail("every device refused at once");
    return;
  }
  c->offer.sip = out;
  by_leg_[out] = c;
  by_media_[c->offer.media] = c;
  core::logInfo("ringing agent", {{"call", static_cast<int64_t>(id)}, {"agent", target.aor},
                                  {"timeout_s", std::chrono::duration_cast<std::chrono::seconds>(target.timeout).count()}});
}

// Ends the offer's leg (CANCEL) and frees its port.
void CallLegs::dropOffer(Call& c) {
  if (!c.ringing) return;
  if (c.offer.sip != 0) {
    by_leg_.erase(c.offer.sip);
    endpoint_->hangup(c.offer.sip, clock_.now());
  }
  if (c.offer.media != 0) {
    by_media_.erase(c.offer.media);
    closeLegLogged(media_, c.offer.media, c.id, "agent");
  }
  c.offer = Side{};
  c.ringing.reset();
}

void CallLegs::stopRinging(acd::CallId id, acd::AgentKey agent) {
  auto c = findCall(id);
  if (c && c->ringing == agent) dropOffer(*c);
}

void CallLegs::onLegRinging(sip::LegId leg) {
  if (!find(leg)) device_calls_.onLegRinging(leg);
}

void CallLegs::onLegAnswered(sip::LegId leg, const std::string& sdp) {
  auto c = find(leg);
  if (!c) {
    device_calls_.onLegAnswered(leg, sdp);
    return;
  }
  const auto now = clock_.now();
  if (!c->ringing || leg != c->offer.sip) {  // not an offer (cannot happen): end it
    by_leg_.erase(leg);
    endpoint_->hangup(leg, now);
    return;
  }
  const acd::AgentKey agent = *c->ringing;
  auto parsed = sip::parseSdp(sdp);
  auto audio = parsed ? sip::processAnswer(c->offer_sdp, *parsed) : core::Result<sip::NegotiatedAudio>(parsed.error());
  if (!audio) {
    core::logWarn("agent answer refused", {{"call", static_cast<int64_t>(c->id)}, {"error", audio.error().message}});
    dropOffer(*c);
    center_.ringFailed(c->id, agent);
    return;
  }
  // The contact center decides whether it connects (connect() takes the side over).
  c->answering_side = std::move(c->offer);
  c->answering_side.audio = *audio;
  c->answering = agent;
  c->offer = Side{};
  c->ringing.reset();
  configureSide(media_, c->answering_side);
  center_.agentAnswered(c->id, agent);
  if (c->answering && findCall(c->id) == c) {
    // The call moved on meanwhile (the customer left, the offer was withdrawn): the
    // phone that answered late is hung up.
    closeSide(*c, c->answering_side, "agent");
    c->answering.reset();
  }
}

std::string CallLegs::connect(acd::CallId id, acd::AgentKey agent, bool transfer) {
  auto c = findCall(id);
  if (!c || c->answering != agent || c->answering_side.media == 0) return {};
  if (transfer) {  // the agent who transferred it leaves; the new one takes its place
    closeSide(*c, c->agent_side, "agent");
    c->agent_holds = false;
  }
  c->agent_side = std::move(c->answering_side);
  c->answering_side = Side{};
  c->answering.reset();
  c->agent = agent;
  c->connected = true;
  if (transfer) {
    // The customer hears the transfer's hold sound until the contact center lets go
    // (HoldCustomer false), then the new agent.
    updateHold(*c);
    if (!c->recording.empty()) media_.recordAgentLeg(c->media, c->agent_side.media);
    core::logInfo("call transferred", {{"call", static_cast<int64_t>(id)}});
    return c->recording;
  }
  media_.stopPlay(c->customer.media);
  media_.bridge(c->customer.media, c->agent_side.media);
  if (options_.recordings_dir.empty()) return {};
  c->recording = recordingPath(options_.recordings_dir, c->domain, clock_.now(), c->id);
  media_.startRecording(c->media, c->recording, c->customer.media, c->agent_side.media);
  core::logInfo("call answered", {{"call", static_cast<int64_t>(id)}, {"recording", c->recording}});
  return c->recording;
}

void CallLegs::dialOut(acd::CallId call, const std::string& agent_aor, const DialRoute& route) {
  device_calls_.dialOut(call, agent_aor, route);
}

void CallLegs::holdCustomer(acd::CallId id, bool held) {
  auto c = findCall(id);
  if (!c) {
    device_calls_.holdCustomer(id, held);
    return;
  }
  c->center_holds = held;
  updateHold(*c);
}

void CallLegs::onLegFailed(sip::LegId leg, int status) {
  auto c = find(leg);
  if (!c) {
    if (dialing_) {
      dial_failed_ = status;
    } else {
      device_calls_.onLegFailed(leg, status);
    }
    return;
  }
  if (c->ringing && leg == c->offer.sip) {
    const acd::AgentKey agent = *c->ringing;
    by_leg_.erase(leg);
    c->offer.sip = 0;  // gone already: nothing to cancel
    dropOffer(*c);
    core::logInfo("agent did not answer", {{"call", static_cast<int64_t>(c->id)}, {"status", status}});
    center_.ringFailed(c->id, agent);
  }
}

void CallLegs::onLegEnded(sip::LegId leg, sip::LegEnd how) {
  auto c = find(leg);
  if (!c) {
    device_calls_.onLegEnded(leg, how);
    return;
  }
  by_leg_.erase(leg);
  if (leg == c->customer.sip) {
    c->customer.sip = 0;  // ended: nothing to hang up
    center_.customerHungUp(c->id, endReason(how));
    if (findCall(c->id) == c) hangUp(c->id);  // whatever the contact center did, the call is over
  } else if (leg == c->agent_side.sip) {
    c->agent_side.sip = 0;
    center_.agentHungUp(c->id, endReason(how));
    // A blind transfer goes on without this agent: its media leg ends now.
    if (findCall(c->id) == c && c->agent_side.sip == 0 && c->agent_side.media != 0) {
      closeSide(*c, c->agent_side, "agent");
      c->agent_holds = false;
    }
  } else if (leg == c->offer.sip && c->ringing) {
    const acd::AgentKey agent = *c->ringing;
    c->offer.sip = 0;
    dropOffer(*c);
    center_.ringFailed(c->id, agent);
  }
}

void CallLegs::closeSide(Call& c, Side& side, const char* who) {
  if (side.sip != 0) {
    by_leg_.erase(side.sip);
    endpoint_->hangup(side.sip, clock_.now());
  }
  if (side.media != 0) {
    by_media_.erase(side.media);
    closeLegLogged(media_, side.media, c.id, who);
  }
  side = Side{};
}

void CallLegs::hangUp(acd::CallId id) {
  auto c = findCall(id);
  if (!c) {
    device_calls_.hangUp(id);
    return;
  }
  dropOffer(*c);
  closeSide(*c, c->customer, "customer");  // an unanswered customer gets 480 (hangup)
  closeSide(*c, c->agent_side, "agent");
  closeSide(*c, c->answering_side, "agent");
  closeCallLogged(media_, c->media, c->id);
  by_id_.erase(id);
  core::logInfo("call ended", {{"call", static_cast<int64_t>(id)}});
}

void CallLegs::onMediaTimeout(media::MediaLegId leg) {
  if (device_calls_.ownsMedia(leg)) {
    device_calls_.onMediaTimeout(leg);
    return;
  }
  auto c = findMedia(leg);
  if (!c) return;
  const bool customer = leg == c->customer.media;
  core::logWarn("media timeout", {{"call", static_cast<int64_t>(c->id)}, {"side", customer ? "customer" : "agent"}});
  if (customer) {
    if (c->customer.sip != 0) {
      by_leg_.erase(c->customer.sip);
      endpoint_->hangup(c->customer.sip, clock_.now());
      c->customer.sip = 0;
    }
    center_.customerHungUp(c->id, "media_timeout");
    if (findCall(c->id) == c) hangUp(c->id);
  } else if (leg == c->agent_side.media) {
    if (c->agent_side.sip != 0) {
      by_leg_.erase(c->agent_side.sip);
      endpoint_->hangup(c->agent_side.sip, clock_.now());
      c->agent_side.sip = 0;
    }
    center_.agentHungUp(c->id, "media_timeout");
  }
}

void CallLegs::onRecordingFailed(media::MediaCallId call, const std::string& error) {
  for (const auto& [id, c] : by_id_) {
    if (c->media == call) {
      core::logError("recording failed, call goes on", {{"call", static_cast<int64_t>(id)}, {"error", error}});
      return;
    }
  }
  device_calls_.onRecordingFailed(call, error);
}

void CallLegs::onBindingsChanged(std::string_view aor_key, size_t count) {
  center_.devicesChanged(aor_key, count);
}

// ---- re-INVITEs: answered here -----------------------------------------------------------

void CallLegs::updateHold(Call& c) {
  const bool held = c.agent_holds || c.center_holds || c.agent_side.media == 0;
  if (held == c.held) return;
  c.held = held;
  if (held) {
    playHoldSound(media_, prompts_, c.domain, c.customer.media);
  } else {
    media_.stopPlay(c.customer.media);
    media_.bridge(c.customer.media, c.agent_side.media);
  }
}

void CallLegs::onLegOffer(sip::LegId leg, const std::string& sdp) {
  auto c = find(leg);
  if (!c) {
    device_calls_.onLegOffer(leg, sdp);
    return;
  }
  const auto now = clock_.now();
  Side* side = leg == c->customer.sip ? &c->customer : leg == c->agent_side.sip ? &c->agent_side : nullptr;
  auto offer = sip::parseSdp(sdp);
  if (side == nullptr || !side->sdp || !offer) {
    endpoint_->rejectOffer(leg, 488, now);
    return;
  }
  auto answer = side->sdp->answer(*offer, false);
  if (!answer) {
    endpoint_->rejectOffer(leg, 488, now);
    return;
  }
  side->audio = answer->audio;
  configureSide(media_, *side);
  endpoint_->answerOffer(leg, sip::serializeSdp(answer->sdp), now);
  // The agent's phone holds: the customer hears the hold sound, not the agent.
  if (side == &c->agent_side && c->connected && c->agent_holds != answer->audio.remote_hold) {
    c->agent_holds = answer->audio.remote_hold;
    center_.holdChanged(c->id, c->agent_holds);  // hold time and the held/resumed events
    updateHold(*c);
  }
}

void CallLegs::onLegOfferAnswered(sip::LegId leg, int status, const std::string& sdp) {
  if (!find(leg)) device_calls_.onLegOfferAnswered(leg, status, sdp);
}

}  // namespace sb::app
