// The INVITE sessions of SipEndpoint: inbound legs (we are the UAS), outbound legs that
// fork to several contacts (we are the UAC), re-INVITEs both ways, BYE and CANCEL.
// docs/sip.md ("Legs") describes the states and their bounds.
#include <algorithm>

#include "sip/detail/endpoint.hpp"
#include "sip/message_builder.hpp"
#include "sip/sdp.hpp"

namespace sb::sip {

const char* toString(LegEnd end) {
  switch (end) {
    case LegEnd::kRemoteHangup: return "remote_hangup";
    case LegEnd::kCancelled: return "cancelled";
    case LegEnd::kTimeout: return "timeout";
    case LegEnd::kUnanswered: return "unanswered";
    case LegEnd::kConnectionLost: return "connection_lost";
  }
  return "unknown";
}

namespace {

constexpr std::string_view kSdpType = "application/sdp";

std::string nameAddrUri(std::string_view value) {
  auto parsed = parseNameAddr(value);
  if (!parsed) return {};
  return parsed->uri;
}

// The best final status of a forked call (RFC 3261 §16.7, simplified for a B2BUA that
// reports one failure upward): a global failure wins, then busy, then any other client
// error, then timeouts and server errors, and a cancellation last.
int rank(int status) {
  if (status >= 600) return 0;
  if (status == 486) return 1;
  if (status >= 400 && status < 500 && status != 408 && status != 487) return 2;
  if (status == 408) return 3;
  if (status >= 500) return 4;
  if (status == 487) return 6;
  return 5;
}

}  // namespace

std::string SipEndpoint::Impl::dialogKey(std::string_view call_id, std::string_view local_tag) {
  std::string key;
  key.reserve(call_id.size() + local_tag.size() + 1);
  key.append(call_id);
  key.push_back('\x1f');
  key.append(local_tag);
  return key;
}

Leg* SipEndpoint::Impl::findLeg(LegId id) {
  auto it = legs.find(id);
  return it == legs.end() ? nullptr : it->second.get();
}

Leg* SipEndpoint::Impl::findDialogLeg(std::string_view call_id, std::string_view local_tag) {
  if (local_tag.empty()) return nullptr;
  auto it = dialogs.find(dialogKey(call_id, local_tag));
  return it == dialogs.end() ? nullptr : findLeg(it->second);
}

void SipEndpoint::Impl::bindDialog(Leg& leg, const std::string& call_id, const std::string& local_tag) {
  dialogs[dialogKey(call_id, local_tag)] = leg.id;
}

void SipEndpoint::Impl::unbindDialog(const std::string& call_id, const std::string& local_tag) {
  dialogs.erase(dialogKey(call_id, local_tag));
}

void SipEndpoint::Impl::armLegTimer(Leg& leg, core::Time at) {
  disarmLegTimer(leg);
  leg.timer = timers.emplace(at, leg.id);
}

void SipEndpoint::Impl::disarmLegTimer(Leg& leg) {
  if (leg.timer) timers.erase(*leg.timer);
  leg.timer.reset();
}

void SipEndpoint::Impl::destroyLeg(LegId id) {
  auto it = legs.find(id);
  if (it == legs.end()) return;
  Leg& leg = *it->second;
  disarmLegTimer(leg);
  if (leg.awaiting_ack != 0) {
    layer.acknowledged(leg.awaiting_ack, now);  // stop 2xx retransmissions
    txns.erase(leg.awaiting_ack);
  }
  if (leg.reinvite_in != 0) {  // their re-INVITE still waits for answerOffer (RFC 3261 §15.1.2)
    if (const SipMessage* request = layer.request(leg.reinvite_in)) {
      layer.respond(leg.reinvite_in, makeResponse(*request, 487), now);
    }
    txns.erase(leg.reinvite_in);
  }
  unbindDialog(leg.dialog.call_id, leg.dialog.local_tag);
  if (leg.outbound && !leg.dialog.remote_tag.empty()) rememberEnded(leg.dialog.call_id, leg.dialog.local_tag);
  for (const Branch& b : leg.branches) {
    if (auto call_id = b.invite.header("Call-ID")) unbindDialog(std::string(*call_id), leg.dialog.local_tag);
  }
  legs.erase(it);
}

void SipEndpoint::Impl::endLeg(Leg& leg, std::optional<LegEnd> report) {
  const LegId id = leg.id;
  const bool notify = report.has_value() && !leg.detached;
  destroyLeg(id);
  if (notify) listener.onLegEnded(id, *report);
}

bool SipEndpoint::Impl::sendRequestOn(Leg& leg, TxnRole role, SipMessage request, const Flow& flow,
                                      size_t branch) {
  const TransactionId id = layer.sendRequest(std::move(request), flow, now);
  if (id == 0) return false;
  txns[id] = TxnRef{role, leg.id, branch};
  if (role == TxnRole::kBranchInvite && branch < leg.branches.size()) leg.branches[branch].txn = id;
  return true;
}

SipMessage SipEndpoint::Impl::inDialogRequest(Leg& leg, std::string_view method, bool new_cseq) {
  Dialog& d = leg.dialog;
  if (new_cseq) ++d.local_cseq;
  SipMessage r = SipMessage::request(std::string(method), d.remote_target);
  r.addHeader("Via", viaFor(d.flow, ids.branch()));
  r.addHeader("Max-Forwards", "70");
  r.addHeader("From", d.local_uri);
  r.addHeader("To", d.remote_uri);
  r.addHeader("Call-ID", d.call_id);
  r.addHeader("CSeq", std::to_string(d.local_cseq) + " " + std::string(method));
  for (const std::string& route : d.route_set) r.addHeader("Route", route);
  return r;
}

SipMessage SipEndpoint::Impl::ackFor(const Dialog& d, uint32_t cseq, const std::string& contact) {
  SipMessage ack = SipMessage::request("ACK", d.remote_target);
  ack.addHeader("Via", viaFor(d.flow, ids.branch()));
  ack.addHeader("Max-Forwards", "70");
  ack.addHeader("From", d.local_uri);
  ack.addHeader("To", d.remote_uri);
  ack.addHeader("Call-ID", d.call_id);
  ack.addHeader("CSeq", std::to_string(cseq) + " ACK");
  for (const std::string& route : d.route_set) ack.addHeader("Route", route);
  if (!contact.empty()) ack.addHeader("Contact", contact);
  return ack;
}

void SipEndpoint::Impl::sendBye(Leg& leg) {
  SipMessage bye = inDialogRequest(leg, "BYE");
  bye.addHeader("User-Agent", options.user_agent);
  const TransactionId id = layer.sendRequest(std::move(bye), leg.dialog.flow, now);
  if (id != 0) txns[id] = TxnRef{TxnRole::kBye, 0, 0};
}

// ---- inbound legs ---------------------------------------------------------------------

void SipEndpoint::Impl::handleInvite(TransactionId id, const SipMessage& request, const Flow& from,
                                     IncomingCall call) {
  auto owned = std::make_unique<Leg>();
  Leg& leg = *owned;
  leg.id = next_leg++;
  leg.outbound = false;
  leg.state = LegState::kOffered;
  leg.invite_txn = id;
  leg.contact = contactFor(from);
  Dialog& d = leg.dialog;
  d.call_id = std::string(request.header("Call-ID").value_or(""));
  d.local_tag = ids.tag();
  d.remote_tag = fromTag(request);
  d.local_uri = withTag(request.header("To").value_or(""), d.local_tag);
  d.remote_uri = std::string(request.header("From").value_or(""));
  auto contact = request.header("Contact");
  d.remote_target = contact ? nameAddrUri(*contact) : std::string{};
  if (d.remote_target.empty()) d.remote_target = nameAddrUri(d.remote_uri);
  for (std::string_view rr : request.headerValues("Record-Route")) d.route_set.emplace_back(rr);
  if (auto cseq = cseqOf(request)) {
    d.remote_cseq = cseq->number;
    d.remote_cseq_set = true;
  }
  d.flow = from;
  bindDialog(leg, d.call_id, d.local_tag);
  txns[id] = TxnRef{TxnRole::kInboundInvite, leg.id, 0};
  call.flow = from;
  const LegId leg_id = leg.id;
  legs.emplace(leg_id, std::move(owned));
  listener.onIncomingCall(leg_id, call);
}

void SipEndpoint::Impl::onCancel(TransactionId invite, const SipMessage&) {
  auto ref = txns.find(invite);
  if (ref == txns.end()) return;
  if (ref->second.role == TxnRole::kInboundReinvite) {  // a re-INVITE waiting for answerOffer
    Leg* leg = findLeg(ref->second.leg);
    if (leg == nullptr || leg->reinvite_in != invite) return;
    leg->reinvite_in = 0;
    txns.erase(ref);
    if (const SipMessage* request = layer.request(invite))
      layer.respond(invite, makeResponse(*request, 487), now);
    return;
  }
  if (ref->second.role != TxnRole::kInboundInvite) return;
  Leg* leg = findLeg(ref->second.leg);
  txns.erase(ref);
  if (leg == nullptr || leg->state != LegState::kOffered) return;
  if (const SipMessage* request = layer.request(invite)) {
    layer.respond(invite, makeResponse(*request, 487, leg->dialog.local_tag), now);
  }
  endLeg(*leg, LegEnd::kCancelled);
}

void SipEndpoint::Impl::onAck(const SipMessage& ack, const Flow&) {
  Leg* leg = findDialogLeg(ack.header("Call-ID").value_or(""), toTag(ack));
  if (leg == nullptr || leg->awaiting_ack == 0) return;
  auto cseq = cseqOf(ack);
  if (!cseq || cseq->number != leg->awaiting_ack_cseq) return;
  layer.acknowledged(leg->awaiting_ack, now);
  txns.erase(leg->awaiting_ack);
  leg->awaiting_ack = 0;
  if (leg->state == LegState::kAnswered) leg->state = LegState::kConfirmed;
}

void SipEndpoint::Impl::onServerFailure(TransactionId id) {
  auto ref = txns.find(id);
  if (ref == txns.end()) return;
  const TxnRef r = ref->second;
  txns.erase(ref);
  Leg* leg = findLeg(r.leg);
  if (leg == nullptr) return;
  if (leg->awaiting_ack == id) {  // our 2xx was never acknowledged (RFC 3261 §13.3.1.4)
    leg->awaiting_ack = 0;
    sendBye(*leg);
    endLeg(*leg, LegEnd::kTimeout);
    return;
  }
  if (r.role == TxnRole::kInboundInvite && leg->state == LegState::kOffered) {
    endLeg(*leg, LegEnd::kUnanswered);  // the layer answered 408 itself
  } else if (r.role == TxnRole::kInboundReinvite && leg->reinvite_in == id) {
    leg->reinvite_in = 0;
  }
}

// ---- in-dialog requests ---------------------------------------------------------------

void SipEndpoint::Impl::handleInDialog(TransactionId id, const SipMessage& request, const Flow& from) {
  Leg* leg = findDialogLeg(request.header("Call-ID").value_or(""), toTag(request));
  // The caller may also end an early dialog (our 1xx carried our tag) with a BYE (RFC 3261 §15).
  const bool early_bye = leg != nullptr && !leg->outbound && leg->state == LegState::kOffered &&
                         request.method() == "BYE";
  const bool usable =
      leg != nullptr &&
      (leg->state == LegState::kConfirmed || leg->state == LegState::kAnswered || early_bye) &&
      (leg->dialog.remote_tag.empty() || fromTag(request) == leg->dialog.remote_tag);
  if (!usable) {
    respond(id, request, 481);
    return;
  }
  auto cseq = cseqOf(request);
  if (!cseq) {
    respond(id, request, 400);
    return;
  }
  Dialog& d = leg->dialog;
  if (d.remote_cseq_set && cseq->number <= d.remote_cseq) {
    respond(id, request, 500, {});  // out of order (RFC 3261 §12.2.2)
    return;
  }
  d.remote_cseq = cseq->number;
  d.remote_cseq_set = true;
  const std::string& method = request.method();

  if (method == "BYE") {
    respond(id, request, 200);
    if (leg->state == LegState::kOffered) {  // the INVITE gets 487 (RFC 3261 §15.1.2)
      if (const SipMessage* invite = layer.request(leg->invite_txn)) {
        layer.respond(leg->invite_txn, makeResponse(*invite, 487, leg->dialog.local_tag), now);
      }
      txns.erase(leg->invite_txn);
      endLeg(*leg, LegEnd::kCancelled);
      return;
    }
    endLeg(*leg, LegEnd::kRemoteHangup);
    return;
  }
  if (method == "INVITE") {
    if (leg->state != LegState::kConfirmed || leg->reinvite_out != 0 || leg->awaiting_ack != 0) {
      respond(id, request, 491);  // glare, or the previous INVITE is not finished (RFC 3261 §14.2)
      return;
    }
    if (leg->reinvite_in != 0) {
      SipMessage busy = makeResponse(request, 500);
      busy.addHeader("Retry-After", std::to_string(ids.next() % 10));
      layer.respond(id, std::move(busy), now);
      return;
    }
    if (auto contact = request.header("Contact")) {
      std::string target = nameAddrUri(*contact);
      if (!target.empty()) d.remote_target = std::move(target);
    }
    if (request.body().empty()) {  // no offer: ours again, the answer comes in the ACK
      SipMessage ok = makeResponse(request, 200);
      ok.addHeader("Contact", leg->contact);
      addAllow(ok);
      ok.addHeader("Content-Type", std::string(kSdpType));
      ok.setBody(leg->local_sdp);
      layer.respond(id, std::move(ok), now);
      leg->awaiting_ack = id;
      leg->awaiting_ack_cseq = cseq->number;
      txns[id] = TxnRef{TxnRole::kInboundReinvite, leg->id, 0};
      return;
    }
    if (!parseSdp(request.body())) {
      respond(id, request, 488);
      return;
    }
    leg->reinvite_in = id;
    txns[id] = TxnRef{TxnRole::kInboundReinvite, leg->id, 0};
    if (leg->detached) return;
    listener.onLegOffer(leg->id, request.body());
    return;
  }
  if (method == "OPTIONS") {
    handleOptions(id, request);
    return;
  }
  if (method == "INFO") {  // DTMF by INFO is read when the media layer lands; accept it
    respond(id, request, 200);
    return;
  }
  (void)from;
  SipMessage refused = makeResponse(request, 405);
  addAllow(refused);
  layer.respond(id, std::move(refused), now);
}

// ---- outbound legs --------------------------------------------------------------------

void SipEndpoint::Impl::cancelBranch(Leg& leg, Branch& b) {
  (void)leg;
  if (b.done || b.cancelled) return;
  if (!b.provisional) {  // RFC 3261 §9.1: not before a provisional response
    b.cancel_pending = true;
    return;
  }
  b.cancel_pending = false;
  b.cancelled = true;
  SipMessage cancel = SipMessage::request("CANCEL", b.invite.requestUri());
  cancel.addHeader("Via", std::string(b.invite.header("Via").value_or("")));
  cancel.addHeader("Max-Forwards", "70");
  cancel.addHeader("From", std::string(b.invite.header("From").value_or("")));
  cancel.addHeader("To", std::string(b.invite.header("To").value_or("")));
  cancel.addHeader("Call-ID", std::string(b.invite.header("Call-ID").value_or("")));
  auto cseq = cseqOf(b.invite);
  cancel.addHeader("CSeq", std::to_string(cseq ? cseq->number : 1) + " CANCEL");
  for (std::string_view route : b.invite.headerValues("Route")) cancel.addHeader("Route", std::string(route));
  const TransactionId id = layer.sendRequest(std::move(cancel), b.flow, now);
  if (id != 0) txns[id] = TxnRef{TxnRole::kCancel, 0, 0};
}

void SipEndpoint::Impl::cancelOtherBranches(Leg& leg, size_t keep) {
  for (size_t i = 0; i < leg.branches.size(); ++i) {
    if (i != keep) cancelBranch(leg, leg.branches[i]);
  }
}

void SipEndpoint::Impl::onBranchResponse(Leg& leg, size_t index, const SipMessage& response) {
  Branch& b = leg.branches[index];
  const int code = response.statusCode();
  if (code < 200) {
    b.provisional = true;
    if (b.remote_tag.empty()) b.remote_tag = toTag(response);
    if (b.cancel_pending) {
      cancelBranch(leg, b);
      return;
    }
    if ((code == 180 || code == 183) && !leg.ringing_reported && leg.state == LegState::kCalling) {
      leg.ringing_reported = true;
      if (!leg.detached) listener.onLegRinging(leg.id);
    }
    return;
  }
  if (code >= 300) {
    branchFinished(leg, index, code);
    return;
  }
  // 2xx
  if (leg.state != LegState::kCalling || leg.detached) {
    b.done = true;
    ackAndBye(response, b.flow);
    branchFinished(leg, index, code);
    return;
  }
  b.done = true;
  b.final_status = code;
  Dialog& d = leg.dialog;
  d.call_id = std::string(b.invite.header("Call-ID").value_or(""));
  d.remote_tag = toTag(response);
  d.local_uri = std::string(b.invite.header("From").value_or(""));
  d.remote_uri = std::string(response.header("To").value_or(""));
  auto contact = response.header("Contact");
  d.remote_target = contact ? nameAddrUri(*contact) : std::string{};
  if (d.remote_target.empty()) d.remote_target = b.invite.requestUri();
  d.route_set.clear();
  auto rr = response.headerValues("Record-Route");
  for (auto it = rr.rbegin(); it != rr.rend(); ++it) d.route_set.emplace_back(*it);
  d.local_cseq = cseqOf(b.invite) ? cseqOf(b.invite)->number : 1;
  d.flow = b.flow;
  SipMessage ack = ackFor(d, d.local_cseq, {});
  leg.last_ack = serializeSipMessage(ack);
  leg.last_ack_cseq = d.local_cseq;
  sender.send(d.flow, leg.last_ack);
  leg.state = LegState::kConfirmed;
  for (size_t i = 0; i < leg.branches.size(); ++i) {
    if (i == index) continue;
    if (auto call_id = leg.branches[i].invite.header("Call-ID")) {
      unbindDialog(std::string(*call_id), d.local_tag);
    }
  }
  cancelOtherBranches(leg, index);
  armLegTimer(leg, now + options.max_call);
  listener.onLegAnswered(leg.id, response.body());
}

void SipEndpoint::Impl::branchFinished(Leg& leg, size_t index, int status) {
  Branch& b = leg.branches[index];
  b.done = true;
  if (b.final_status == 0) b.final_status = status;
  const bool all_done = std::all_of(leg.branches.begin(), leg.branches.end(), [](const Branch& x) { return x.done; });
  if (!all_done) return;
  if (leg.state == LegState::kCalling) {
    int best = 0;
    for (const Branch& x : leg.branches) {
      if (best == 0 || rank(x.final_status) < rank(best)) best = x.final_status;
    }
    const LegId id = leg.id;
    const bool notify = !leg.detached;
    destroyLeg(id);
    if (notify) listener.onLegFailed(id, best == 0 ? 480 : best);
  } else if (leg.state == LegState::kCancelling) {
    destroyLeg(leg.id);
  }
}

void SipEndpoint::Impl::onReinviteResponse(Leg& leg, const SipMessage& response) {
  const int code = response.statusCode();
  if (code < 200) return;
  leg.reinvite_out = 0;
  if (code < 300) {
    auto cseq = cseqOf(response);
    const uint32_t n = cseq ? cseq->number : leg.dialog.local_cseq;
    if (auto contact = response.header("Contact")) {
      std::string target = nameAddrUri(*contact);
      if (!target.empty()) leg.dialog.remote_target = std::move(target);
    }
    leg.last_ack = serializeSipMessage(ackFor(leg.dialog, n, {}));
    leg.last_ack_cseq = n;
    sender.send(leg.dialog.flow, leg.last_ack);
    if (!leg.detached) listener.onLegOfferAnswered(leg.id, code, response.body());
    return;
  }
  if (code == 408 || code == 481) {  // the dialog is gone (RFC 3261 §14.1)
    sendBye(leg);
    endLeg(leg, LegEnd::kTimeout);
    return;
  }
  if (!leg.detached) listener.onLegOfferAnswered(leg.id, code, {});
}

void SipEndpoint::Impl::ackAndBye(const SipMessage& response, const Flow& flow, bool hang_up) {
  auto cseq = cseqOf(response);
  auto contact = response.header("Contact");
  if (!cseq || !contact) return;
  Dialog d;
  d.call_id = std::string(response.header("Call-ID").value_or(""));
  d.local_uri = std::string(response.header("From").value_or(""));
  d.remote_uri = std::string(response.header("To").value_or(""));
  d.remote_target = nameAddrUri(*contact);
  if (d.remote_target.empty()) return;
  auto rr = response.headerValues("Record-Route");
  for (auto it = rr.rbegin(); it != rr.rend(); ++it) d.route_set.emplace_back(*it);
  d.flow = flow;
  d.local_cseq = cseq->number;
  sender.send(flow, serializeSipMessage(ackFor(d, cseq->number, {})));
  if (!hang_up) return;
  Leg temp;
  temp.dialog = std::move(d);
  SipMessage bye = inDialogRequest(temp, "BYE");
  const TransactionId id = layer.sendRequest(std::move(bye), flow, now);
  if (id != 0) txns[id] = TxnRef{TxnRole::kStrayBye, 0, 0};
}

void SipEndpoint::Impl::onLateResponse(const SipMessage& response, const Flow& from) {
  const int code = response.statusCode();
  auto cseq = cseqOf(response);
  if (code < 200 || code >= 300 || !cseq || cseq->method != "INVITE") return;
  Leg* leg = findDialogLeg(response.header("Call-ID").value_or(""), fromTag(response));
  if (leg != nullptr && leg->dialog.remote_tag == toTag(response) &&
      leg->state == LegState::kConfirmed && cseq->number <= leg->dialog.local_cseq) {
    // Our ACK was lost: the 2xx came again. This dialog is live (an older INVITE's 2xx
    // may come after a newer re-INVITE's): ACK it, never hang up.
    if (leg->last_ack_cseq == cseq->number && !leg->last_ack.empty()) {
      sender.send(leg->dialog.flow, leg->last_ack);
    } else {
      sender.send(leg->dialog.flow, serializeSipMessage(ackFor(leg->dialog, cseq->number, {})));
    }
    return;
  }
  // The dialog ended here a moment ago (we sent its BYE) and our ACK was lost: ACK the
  // retransmitted 2xx again, but do not send a second BYE.
  const bool ended = isRecentlyEnded(response.header("Call-ID").value_or(""), fromTag(response));
  ackAndBye(response, from, !ended);
}

void SipEndpoint::Impl::rememberEnded(const std::string& call_id, const std::string& local_tag) {
  std::string key = dialogKey(call_id, local_tag);
  if (!ended_dialogs.insert(key).second) return;
  ended_order.emplace_back(now + 64 * options.timers.t1, std::move(key));
  pruneEnded();
}

bool SipEndpoint::Impl::isRecentlyEnded(std::string_view call_id, std::string_view local_tag) {
  pruneEnded();
  return !local_tag.empty() && ended_dialogs.count(dialogKey(call_id, local_tag)) > 0;
}

void SipEndpoint::Impl::pruneEnded() {
  while (!ended_order.empty() && ended_order.front().first <= now) {
    ended_dialogs.erase(ended_order.front().second);
    ended_order.pop_front();
  }
}

void SipEndpoint::Impl::onResponse(TransactionId id, const SipMessage& response, const Flow& from) {
  auto ref = txns.find(id);
  if (ref == txns.end()) {
    onLateResponse(response, from);
    return;
  }
  const TxnRef r = ref->second;
  if (response.statusCode() >= 200) txns.erase(ref);
  switch (r.role) {
    case TxnRole::kBranchInvite: {
      Leg* leg = findLeg(r.leg);
      if (leg == nullptr || r.branch >= leg->branches.size()) {
        if (response.statusCode() >= 200 && response.statusCode() < 300) ackAndBye(response, from);
        return;
      }
      onBranchResponse(*leg, r.branch, response);
      return;
    }
    case TxnRole::kReinvite: {
      if (Leg* leg = findLeg(r.leg)) {
        onReinviteResponse(*leg, response);
      } else if (response.statusCode() >= 200 && response.statusCode() < 300) {
        // Hung up meanwhile (our BYE went): the 2xx still wants its ACK.
        ackAndBye(response, from, false);
      }
      return;
    }
    default:
      return;
  }
}

void SipEndpoint::Impl::onStrayResponse(const SipMessage& response, const Flow& from) {
  onLateResponse(response, from);
}

void SipEndpoint::Impl::onClientFailure(TransactionId id, bool transport_error) {
  auto ref = txns.find(id);
  if (ref == txns.end()) return;
  const TxnRef r = ref->second;
  txns.erase(ref);
  Leg* leg = findLeg(r.leg);
  if (leg == nullptr) return;
  if (r.role == TxnRole::kBranchInvite && r.branch < leg->branches.size()) {
    branchFinished(*leg, r.branch, transport_error ? 503 : 408);
  } else if (r.role == TxnRole::kReinvite) {
    leg->reinvite_out = 0;
    sendBye(*leg);
    endLeg(*leg, LegEnd::kTimeout);
  }
}

void SipEndpoint::Impl::onLegTimer(LegId id) {
  Leg* leg = findLeg(id);
  if (leg == nullptr) return;
  leg->timer.reset();
  switch (leg->state) {
    case LegState::kCalling: {  // nobody answered in time
      leg->state = LegState::kCancelling;
      const bool notify = !leg->detached;
      leg->detached = true;
      cancelOtherBranches(*leg, SIZE_MAX);
      armLegTimer(*leg, now + options.cancel_linger);
      if (notify) listener.onLegFailed(id, 408);
      return;
    }
    case LegState::kCancelling:
      destroyLeg(id);
      return;
    case LegState::kAnswered:
    case LegState::kConfirmed:
      sendBye(*leg);
      endLeg(*leg, LegEnd::kTimeout);
      return;
    case LegState::kOffered:
      return;
  }
}

void SipEndpoint::Impl::connectionLost(ConnectionId connection) {
  std::vector<LegId> ended;
  std::vector<std::pair<LegId, size_t>> failed_branches;
  for (const auto& [id, leg] : legs) {
    if (leg->state == LegState::kCalling || leg->state == LegState::kCancelling) {
      for (size_t i = 0; i < leg->branches.size(); ++i) {
        const Branch& b = leg->branches[i];
        if (!b.done && b.flow.connection == connection) failed_branches.emplace_back(id, i);
      }
    } else if (leg->dialog.flow.connection == connection) {
      ended.push_back(id);
    }
  }
  for (const auto& [id, index] : failed_branches) {
    if (Leg* leg = findLeg(id); leg != nullptr && !leg->branches[index].done) {
      txns.erase(leg->branches[index].txn);
      branchFinished(*leg, index, 503);
    }
  }
  for (LegId id : ended) {
    Leg* leg = findLeg(id);
    if (leg == nullptr) continue;
    if (leg->state == LegState::kOffered) {  // nobody to answer any more
      txns.erase(leg->invite_txn);
    }
    endLeg(*leg, LegEnd::kConnectionLost);
  }
}

}  // namespace sb::sip
