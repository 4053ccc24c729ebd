// SipEndpoint's commands on legs: what the call logic (app today, acd later) asks of the
// INVITE sessions in sip_legs.cpp.
#include "sip/detail/endpoint.hpp"
#include "sip/message_builder.hpp"

namespace sb::sip {

namespace {
constexpr std::string_view kSdpType = "application/sdp";

std::string quoted(std::string_view display) {
  std::string out = "\"";
  for (char c : display) {
    if (c == '\r' || c == '\n') continue;
    // The name comes from the network (an unquoted From display name): what may not
    // stand alone in a quoted-string goes as a quoted-pair (RFC 3261 §25.1).
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || byte < 0x20 || byte == 0x7f) out.push_back('\\');
    out.push_back(c);
  }
  out += "\" ";
  return out;
}
}  // namespace

// An inbound leg still without final response, and its INVITE; {nullptr, nullptr} else.
std::pair<Leg*, const SipMessage*> SipEndpoint::Impl::offeredInvite(LegId id) {
  Leg* leg = findLeg(id);
  if (leg == nullptr || leg->outbound || leg->state != LegState::kOffered) return {nullptr, nullptr};
  const SipMessage* request = layer.request(leg->invite_txn);
  if (request == nullptr) return {nullptr, nullptr};
  return {leg, request};
}

bool SipEndpoint::ring(LegId id, core::Time now) {
  Impl& m = *impl_;
  m.now = now;
  auto [leg, request] = m.offeredInvite(id);
  if (leg == nullptr) return false;
  SipMessage ringing = makeResponse(*request, 180, leg->dialog.local_tag);
  ringing.addHeader("Contact", leg->contact);
  return m.layer.respond(leg->invite_txn, std::move(ringing), now);
}

bool SipEndpoint::answer(LegId id, std::string sdp, core::Time now) {
  Impl& m = *impl_;
  m.now = now;
  auto [leg, request] = m.offeredInvite(id);
  if (leg == nullptr) return false;
  SipMessage ok = makeResponse(*request, 200, leg->dialog.local_tag);
  ok.addHeader("Contact", leg->contact);
  m.addAllow(ok);
  ok.addHeader("User-Agent", m.options.user_agent);
  ok.addHeader("Content-Type", std::string(kSdpType));
  ok.setBody(sdp);
  if (!m.layer.respond(leg->invite_txn, std::move(ok), now)) return false;
  leg->local_sdp = std::move(sdp);
  leg->state = LegState::kAnswered;
  leg->awaiting_ack = leg->invite_txn;
  leg->awaiting_ack_cseq = leg->dialog.remote_cseq;
  m.armLegTimer(*leg, now + m.options.max_call);
  return true;
}

bool SipEndpoint::reject(LegId id, int status, core::Time now) {
  Impl& m = *impl_;
  m.now = now;
  Leg* leg = m.findLeg(id);
  if (leg == nullptr || leg->outbound || leg->state != LegState::kOffered || status < 300 || status > 699) {
    return false;
  }
  if (const SipMessage* request = m.layer.request(leg->invite_txn)) {
    m.layer.respond(leg->invite_txn, makeResponse(*request, status, leg->dialog.local_tag), now);
  }
  m.txns.erase(leg->invite_txn);
  m.destroyLeg(id);
  return true;
}

LegId SipEndpoint::dial(DialRequest request, core::Time now) {
  Impl& m = *impl_;
  m.now = now;
  if (request.branches.empty()) return 0;
  auto owned = std::make_unique<Leg>();
  Leg& leg = *owned;
  leg.id = m.next_leg++;
  leg.outbound = true;
  leg.state = LegState::kCalling;
  leg.local_sdp = request.sdp;
  leg.dialog.local_tag = m.ids.tag();
  const LegId id = leg.id;
  m.legs.emplace(id, std::move(owned));

  for (size_t i = 0; i < request.branches.size(); ++i) {
    DialBranch& target = request.branches[i];
    Branch b;
    b.flow = target.flow;
    const std::string call_id = m.ids.callId();
    const std::string domain =
        request.from_domain.empty() ? m.localAddress(target.flow).uriHost() : request.from_domain;
    std::string from = request.from_name.empty() ? std::string{} : quoted(request.from_name);
    // The caller ID comes from the network (a From user, unescaped): escape it again.
    SipUri from_uri;
    if (!request.from_user.empty()) from_uri.user = request.from_user;
    from_uri.host = domain;
    from += "<" + toString(from_uri) + ">;tag=" + leg.dialog.local_tag;
    SipMessage invite = SipMessage::request("INVITE", target.request_uri);
    invite.addHeader("Via", m.viaFor(target.flow, m.ids.branch()));
    invite.addHeader("Max-Forwards", "70");
    invite.addHeader("From", from);
    invite.addHeader("To", target.to);
    invite.addHeader("Call-ID", call_id);
    invite.addHeader("CSeq", "1 INVITE");
    if (leg.contact.empty()) leg.contact = m.contactFor(target.flow);
    invite.addHeader("Contact", m.contactFor(target.flow));
    m.addAllow(invite);
    invite.addHeader("User-Agent", m.options.user_agent);
    if (!request.alert_info.empty()) invite.addHeader("Alert-Info", request.alert_info);
    if (!request.sdp.empty()) {
      invite.addHeader("Content-Type", std::string(kSdpType));
      invite.setBody(request.sdp);
    }
    b.invite = invite;
    leg.branches.push_back(std::move(b));
    m.bindDialog(leg, call_id, leg.dialog.local_tag);
  }
  // Sent after every branch exists: a synchronous failure of one must find them all.
  for (size_t i = 0; i < leg.branches.size(); ++i) {
    Leg* current = m.findLeg(id);
    if (current == nullptr) break;
    Branch& b = current->branches[i];
    if (!m.sendRequestOn(*current, TxnRole::kBranchInvite, b.invite, b.flow, i)) {
      m.branchFinished(*current, i, 503);
    }
  }
  if (Leg* current = m.findLeg(id); current != nullptr && current->state == LegState::kCalling) {
    m.armLegTimer(*current, now + std::min(request.timeout, m.options.max_ringing));
  }
  return id;
}

bool SipEndpoint::reinvite(LegId id, std::string sdp, core::Time now) {
  Impl& m = *impl_;
  m.now = now;
  Leg* leg = m.findLeg(id);
  if (leg == nullptr || leg->state != LegState::kConfirmed || leg->reinvite_out != 0 || leg->reinvite_in != 0 ||
      leg->awaiting_ack != 0) {
    return false;
  }
  SipMessage invite = m.inDialogRequest(*leg, "INVITE");
  invite.addHeader("Contact", leg->contact);
  m.addAllow(invite);
  invite.addHeader("Content-Type", std::string(kSdpType));
  invite.setBody(sdp);
  const TransactionId txn = m.layer.sendRequest(std::move(invite), leg->dialog.flow, now);
  if (txn == 0) return false;
  m.txns[txn] = TxnRef{TxnRole::kReinvite, id, 0};
  // A synchronous transport failure may already have ended the leg.
  if (Leg* current = m.findLeg(id)) {
    current->reinvite_out = m.txns.count(txn) ? txn : 0;
    current->local_sdp = std::move(sdp);
  }
  return true;
}

bool SipEndpoint::answerOffer(LegId id, std::string sdp, core::Time now) {
  Impl& m = *impl_;
  m.now = now;
  Leg* leg = m.findLeg(id);
  if (leg == nullptr || leg->reinvite_in == 0) return false;
  const SipMessage* request = m.layer.request(leg->reinvite_in);
  auto cseq = request ? cseqOf(*request) : std::nullopt;
  if (!cseq) return false;
  SipMessage ok = makeResponse(*request, 200);
  ok.addHeader("Contact", leg->contact);
  m.addAllow(ok);
  ok.addHeader("Content-Type", std::string(kSdpType));
  ok.setBody(sdp);
  const TransactionId txn = leg->reinvite_in;
  leg->reinvite_in = 0;
  if (!m.layer.respond(txn, std::move(ok), now)) return false;
  leg->local_sdp = std::move(sdp);
  leg->awaiting_ack = txn;
  leg->awaiting_ack_cseq = cseq->number;
  return true;
}

bool SipEndpoint::rejectOffer(LegId id, int status, core::Time now) {
  Impl& m = *impl_;
  m.now = now;
  Leg* leg = m.findLeg(id);
  if (leg == nullptr || leg->reinvite_in == 0 || status < 300 || status > 699) return false;
  const TransactionId txn = leg->reinvite_in;
  leg->reinvite_in = 0;
  m.txns.erase(txn);
  const SipMessage* request = m.layer.request(txn);
  if (request == nullptr) return false;
  return m.layer.respond(txn, makeResponse(*request, status), now);
}

void SipEndpoint::hangup(LegId id, core::Time now) {
  Impl& m = *impl_;
  m.now = now;
  Leg* leg = m.findLeg(id);
  if (leg == nullptr) return;
  leg->detached = true;
  switch (leg->state) {
    case LegState::kOffered:
      if (const SipMessage* request = m.layer.request(leg->invite_txn)) {
        m.layer.respond(leg->invite_txn, makeResponse(*request, 480, leg->dialog.local_tag), now);
      }
      m.txns.erase(leg->invite_txn);
      m.destroyLeg(id);
      return;
    case LegState::kCalling:
      leg->state = LegState::kCancelling;
      m.cancelOtherBranches(*leg, SIZE_MAX);
      m.armLegTimer(*leg, now + m.options.cancel_linger);
      return;
    case LegState::kCancelling:
      return;
    case LegState::kAnswered:
    case LegState::kConfirmed:
      m.sendBye(*leg);
      m.destroyLeg(id);
      return;
  }
}

}  // namespace sb::sip
