#include "app/ring_all_route.hpp"

#include "core/log.hpp"

namespace sb::app {

void RingAllRoute::link(sip::LegId a, sip::LegId b) {
  peer_[a] = b;
  peer_[b] = a;
}

sip::LegId RingAllRoute::unlink(sip::LegId leg) {
  auto it = peer_.find(leg);
  if (it == peer_.end()) return 0;
  const sip::LegId other = it->second;
  peer_.erase(it);
  peer_.erase(other);
  offer_waiting_.erase(leg);
  offer_waiting_.erase(other);
  return other;
}

void RingAllRoute::onIncomingCall(sip::LegId leg, const sip::IncomingCall& call) {
  const auto now = clock_.now();
  const SipDirectorySnapshot& dir = directory_.current();
  sip::DialRequest dial;
  dial.sdp = call.sdp;
  dial.from_user = call.caller;
  dial.from_name = call.caller_name;
  if (call.origin == sip::LegOrigin::kTrunk) {
    const SipOrg* org = dir.orgForNumber(call.number);
    if (org == nullptr) {
      endpoint_->reject(leg, 404, now);
      return;
    }
    for (const std::string& agent : org->agents) {
      for (sip::DialBranch& b : endpoint_->contactsOf(agent + "@" + org->domain, now)) {
        dial.branches.push_back(std::move(b));
      }
    }
    dial.timeout = std::chrono::seconds(org->ring_timeout_s);
    dial.from_domain = org->domain;
  } else {
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
    const SipOrg* org = dir.orgForDomain(call.aor.substr(call.aor.find('@') + 1));
    if (org != nullptr && !org->numbers.empty()) dial.from_user = org->numbers.front();
    dial.timeout = std::chrono::seconds(60);
  }
  if (dial.branches.empty()) {
    endpoint_->reject(leg, 480, now);  // nobody is registered
    return;
  }
  failed_while_dialing_.reset();
  const sip::LegId out = endpoint_->dial(std::move(dial), now);
  if (out == 0 || failed_while_dialing_) {  // every branch failed at once (and said so)
    endpoint_->reject(leg, failed_while_dialing_.value_or(480), now);
    return;
  }
  link(leg, out);
}

void RingAllRoute::onLegRinging(sip::LegId leg) {
  auto it = peer_.find(leg);
  if (it != peer_.end()) endpoint_->ring(it->second, clock_.now());
}

void RingAllRoute::onLegAnswered(sip::LegId leg, const std::string& sdp) {
  auto it = peer_.find(leg);
  if (it == peer_.end()) {
    endpoint_->hangup(leg, clock_.now());
    return;
  }
  if (!endpoint_->answer(it->second, sdp, clock_.now())) {
    unlink(leg);
    endpoint_->hangup(leg, clock_.now());
  }
}

void RingAllRoute::onLegFailed(sip::LegId leg, int status) {
  const sip::LegId other = unlink(leg);
  if (other == 0) {
    failed_while_dialing_ = status == 408 ? 480 : status;
    return;
  }
  // No answer (408 from the ring timeout) is "temporarily unavailable" for the caller.
  endpoint_->reject(other, status == 408 ? 480 : status, clock_.now());
}

void RingAllRoute::onLegEnded(sip::LegId leg, sip::LegEnd) {
  const sip::LegId other = unlink(leg);
  if (other != 0) endpoint_->hangup(other, clock_.now());
}

void RingAllRoute::onLegOffer(sip::LegId leg, const std::string& sdp) {
  const auto now = clock_.now();
  auto it = peer_.find(leg);
  if (it == peer_.end() || !endpoint_->reinvite(it->second, sdp, now)) {
    endpoint_->rejectOffer(leg, 491, now);  // the other side is busy with its own offer
    return;
  }
  offer_waiting_[it->second] = leg;
}

void RingAllRoute::onLegOfferAnswered(sip::LegId leg, int status, const std::string& sdp) {
  auto it = offer_waiting_.find(leg);
  if (it == offer_waiting_.end()) return;
  const sip::LegId origin = it->second;
  offer_waiting_.erase(it);
  const auto now = clock_.now();
  if (status >= 200 && status < 300) {
    endpoint_->answerOffer(origin, sdp, now);
  } else {
    endpoint_->rejectOffer(origin, status, now);
  }
}

}  // namespace sb::app
