// SipEndpoint: who may send us what (trunks, authenticated devices, anyone for OPTIONS),
// the registrar, and the timers. The INVITE sessions are in sip_legs.cpp and
// sip_leg_commands.cpp.
#include "sip/sip_endpoint.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/check.hpp"
#include "core/log.hpp"
#include "sip/detail/endpoint.hpp"
#include "sip/message_builder.hpp"
#include "sip/sdp.hpp"
#include "sip/sdp_negotiation.hpp"

namespace sb::sip {
namespace {

constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER";

DigestAuthenticator::Key keyFrom(std::string_view text) {
  SB_CHECK(text.size() == DigestAuthenticator::kKeyBytes, "the digest key must have 32 bytes");
  DigestAuthenticator::Key key{};
  std::memcpy(key.data(), text.data(), key.size());
  return key;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Stacks that refuse a whole 401 when any challenge names an algorithm they do not
// know, instead of skipping it: baresip before 2.0 (libre before 2.0 answers ENOSYS to
// a SHA-256 challenge even after an MD5 one). They get the MD5 challenge alone.
bool offersOnlyMd5(std::optional<std::string_view> user_agent) {
  if (!user_agent) return false;
  return user_agent->starts_with("baresip v0.") || user_agent->starts_with("baresip v1.");
}

bool isWildcard(std::string_view ip) { return ip.empty() || ip == "0.0.0.0" || ip == "::"; }

// The host of a From/To header value, lower-cased ("" when it is not a SIP URI).
std::string hostOf(std::optional<std::string_view> value) {
  if (!value) return {};
  auto parsed = parseNameAddr(*value);
  if (!parsed || !parsed->sip) return {};
  return lower(parsed->sip->host);
}

std::string userOf(std::optional<std::string_view> value) {
  if (!value) return {};
  auto parsed = parseNameAddr(*value);
  if (!parsed || !parsed->sip || !parsed->sip->user) return {};
  return *parsed->sip->user;
}

}  // namespace

SipEndpoint::Impl::Impl(SipSender& sender_, const SipDirectory& directory_, IdSource& ids_,
                        LegListener& listener_, SipEndpointOptions options_, std::string_view digest_key)
    : sender(sender_),
      directory(directory_),
      ids(ids_),
      listener(listener_),
      options(std::move(options_)),
      layer(*this, sender_, options.timers),
      // MD5 first: sipp answers only the first challenge and knows only MD5, and
      // baresip 1.0 gives up on the first algorithm it does not know. Clients that
      // read every challenge still find SHA-256 (RFC 8760) and may prefer it.
      digest(keyFrom(digest_key), DigestOptions{.algorithms = {DigestAlgorithm::kMd5, DigestAlgorithm::kSha256}}),
      registrar(
          RegistrarOptions{
              .min_expires = std::chrono::seconds(options.min_expires),
              .max_expires = std::chrono::seconds(options.max_expires),
              .default_expires = std::chrono::seconds(options.max_expires),
              .max_bindings_per_aor = options.max_bindings_per_agent,
          },
          [this] { return ids.tag(); }, options.registrations),
      guard(SourceGuardOptions{
          .threshold = static_cast<size_t>(options.guard_threshold),
          .window = options.guard_window,
          .block_for = options.guard_block,
      }) {
  guard.setExempt(options.exempt_sources);
}

SipEndpoint::SipEndpoint(SipSender& sender, const SipDirectory& directory, IdSource& ids, LegListener& listener,
                         SipEndpointOptions options, std::string_view digest_key)
    : impl_(std::make_unique<Impl>(sender, directory, ids, listener, std::move(options), digest_key)) {}

SipEndpoint::~SipEndpoint() = default;

// ---- the edge -------------------------------------------------------------------------

void SipEndpoint::receive(std::string_view bytes, const Flow& from, core::Time now) {
  Impl& m = *impl_;
  m.now = now;
  if (m.guard.isBlocked(from.remote.ip, now)) {
    ++m.dropped_blocked;
    return;
  }
  auto parsed = parseSipMessage(bytes);
  if (!parsed) {
    // Unparseable: no Via to answer to. Dropped and counted (docs/sip.md).
    ++m.bad_messages;
    m.recordBad(from, "malformed");
    return;
  }
  m.layer.receive(std::move(*parsed), from, now);
}

void SipEndpoint::connectionClosed(ConnectionId connection, core::Time now) {
  Impl& m = *impl_;
  m.now = now;
  m.registrar.removeFlow(connection);
  if (connection != 0) m.connectionLost(connection);
}

void SipEndpoint::badInput(const Flow& from, std::string_view reason, core::Time now) {
  impl_->now = now;
  ++impl_->bad_messages;
  impl_->recordBad(from, reason);
}

bool SipEndpoint::isBlocked(std::string_view ip, core::Time now) { return impl_->guard.isBlocked(ip, now); }

std::optional<core::Time> SipEndpoint::nextDeadline() const {
  const Impl& m = *impl_;
  std::optional<core::Time> next = m.layer.nextDeadline();
  auto consider = [&next](std::optional<core::Time> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  consider(m.registrar.nextDeadline());
  if (!m.timers.empty()) consider(m.timers.begin()->first);
  return next;
}

void SipEndpoint::onTimer(core::Time now) {
  Impl& m = *impl_;
  m.now = now;
  m.layer.onTimer(now);
  m.registrar.onTimer(now);
  m.guard.onTimer(now);
  m.pruneEnded();
  while (!m.timers.empty() && m.timers.begin()->first <= now) {
    const LegId id = m.timers.begin()->second;
    if (Leg* leg = m.findLeg(id)) leg->timer.reset();
    m.timers.erase(m.timers.begin());
    m.onLegTimer(id);
  }
}

std::vector<DialBranch> SipEndpoint::contactsOf(std::string_view aor, core::Time now) const {
  std::vector<DialBranch> out;
  for (const Binding& b : impl_->registrar.lookup(aor)) {
    if (b.expires_at <= now) continue;
    Flow flow = b.flow;
    // Streams: the connection the device registered on (the only way back through NAT,
    // and for WebSocket the only way at all). UDP: the Contact's port when the Contact
    // names the address the REGISTER came from (no NAT in between; the device may send
    // from another port than it listens on); otherwise the source address, which is
    // where a NAT expects the answer (the Contact then holds a private address).
    if (flow.transport == TransportKind::kUdp && b.contact.sip) {
      std::string host = b.contact.sip->host;
      if (b.contact.sip->hostIsIpv6()) host = host.substr(1, host.size() - 2);
      if (host == flow.remote.ip) flow.remote.port = b.contact.sip->port.value_or(5060);
    }
    out.push_back(DialBranch{b.contact.uri, "<sip:" + std::string(aor) + ">", flow});
  }
  return out;
}

EndpointCounts SipEndpoint::counts() const {
  const Impl& m = *impl_;
  EndpointCounts c;
  c.transactions = m.layer.counts();
  c.legs = m.legs.size();
  for (const auto& [id, leg] : m.legs) {
    if (leg->state == LegState::kAnswered || leg->state == LegState::kConfirmed || leg->state == LegState::kOffered) {
      ++c.dialogs;
    } else {
      for (const Branch& b : leg->branches) c.dialogs += (!b.done && !b.remote_tag.empty()) ? 1 : 0;
    }
  }
  c.bindings = m.registrar.bindingCount();
  c.blocked_sources = m.guard.blockedCount(m.now);
  c.dropped_blocked = m.dropped_blocked;
  c.bad_messages = m.bad_messages;
  return c;
}

// ---- helpers --------------------------------------------------------------------------

NetAddress SipEndpoint::Impl::localAddress(const Flow& flow) const {
  if (!isWildcard(flow.local.ip) && flow.local.port != 0) return flow.local;
  return options.advertised;
}

std::string SipEndpoint::Impl::viaFor(const Flow& flow, const std::string& branch) const {
  std::string via = "SIP/2.0/";
  via += toString(flow.transport);
  via += ' ';
  via += localAddress(flow).toString();
  via += ";branch=";
  via += branch;
  via += ";rport";
  return via;
}

std::string SipEndpoint::Impl::contactFor(const Flow& flow) const {
  std::string contact = "<sip:sb@" + localAddress(flow).toString();
  if (flow.transport == TransportKind::kTcp) contact += ";transport=tcp";
  if (flow.transport == TransportKind::kWs) contact += ";transport=ws";
  contact += '>';
  return contact;
}

void SipEndpoint::Impl::addAllow(SipMessage& message) const { message.addHeader("Allow", std::string(kAllow)); }

void SipEndpoint::Impl::respond(TransactionId id, const SipMessage& request, int status, std::string_view to_tag) {
  std::optional<std::string_view> tag;
  std::string fresh;
  if (status > 100) {
    if (to_tag.empty()) {
      fresh = ids.tag();
      tag = fresh;
    } else {
      tag = to_tag;
    }
  }
  SipMessage response = makeResponse(request, status, tag);
  if (status == 405) addAllow(response);
  layer.respond(id, std::move(response), now);
}

void SipEndpoint::Impl::recordBad(const Flow& from, std::string_view reason) {
  if (guard.recordBad(from.remote.ip, reason, now)) {
    core::security("sip_source_blocked", from.remote.ip,
                   {{"reason", reason},
                    {"transport", toString(from.transport)},
                    {"seconds", static_cast<int64_t>(
                                    std::chrono::duration_cast<std::chrono::seconds>(options.guard_block).count())}});
  }
}

// ---- requests -------------------------------------------------------------------------

void SipEndpoint::Impl::onRequest(TransactionId id, const SipMessage& request, const Flow& from) {
  const std::string& method = request.method();
  auto uri = parseSipUri(request.requestUri());
  if (!uri) {
    SipMessage refused = makeResponse(request, 416, ids.tag());
    layer.respond(id, std::move(refused), now);
    return;
  }
  if (auto mf = request.header("Max-Forwards"); mf && *mf == "0" && method != "OPTIONS") {
    respond(id, request, 483);
    return;
  }
  if (auto required = request.headerValues("Require"); !required.empty()) {
    SipMessage refused = makeResponse(request, 420, ids.tag());
    for (std::string_view tag : required) refused.addHeader("Unsupported", std::string(tag));
    layer.respond(id, std::move(refused), now);
    return;
  }
  if (!toTag(request).empty()) {
    handleInDialog(id, request, from);
    return;
  }
  handleOutOfDialog(id, request, from);
}

void SipEndpoint::Impl::handleOptions(TransactionId id, const SipMessage& request) {
  SipMessage ok = makeResponse(request, 200, toTag(request).empty() ? std::optional<std::string>(ids.tag()) : std::nullopt);
  addAllow(ok);
  ok.addHeader("Accept", "application/sdp");
  ok.addHeader("Supported", "");
  ok.addHeader("User-Agent", options.user_agent);
  layer.respond(id, std::move(ok), now);
}

namespace {

// Whether an INVITE carries an offer we can take; otherwise the status to answer.
int offerStatus(const SipMessage& request, std::string* warning) {
  if (request.body().empty()) {
    *warning = "an SDP offer is required (offerless INVITE is not supported)";
    return 488;
  }
  auto type = request.header("Content-Type");
  if (!type || !equalsIgnoreCase(type->substr(0, std::min<size_t>(type->size(), 15)), "application/sdp")) {
    *warning = "the body must be application/sdp";
    return 415;
  }
  auto sdp = parseSdp(request.body());
  if (!sdp) {
    *warning = sdp.error().message;
    return 488;
  }
  auto answer = answerOffer(*sdp, LocalMedia{});
  if (!answer) {
    *warning = answer.error().message;
    return 488;
  }
  return 0;
}

std::string warningValue(std::string_view text) {
  std::string out = "399 switchboard \"";
  for (char c : text) {
    if (c == '"' || c == '\\' || c == '\r' || c == '\n') continue;
    out.push_back(c);
  }
  out += '"';
  return out;
}

}  // namespace

void SipEndpoint::Impl::handleOutOfDialog(TransactionId id, const SipMessage& request, const Flow& from) {
  const std::string& method = request.method();
  if (method == "OPTIONS") {
    handleOptions(id, request);
    return;
  }
  const std::optional<std::string> trunk = directory.trunkAt(from.remote.ip);
  if (method == "REGISTER") {
    if (trunk) {
      respond(id, request, 403);
      return;
    }
    handleRegister(id, request, from);
    return;
  }
  if (method == "BYE") {  // a BYE needs a dialog
    respond(id, request, 481);
    return;
  }
  if (method != "INVITE") {
    if (!trunk && !authenticate(id, request, from, hostOf(request.header("From")))) return;
    respond(id, request, method == "SUBSCRIBE" ? 489 : 405);
    return;
  }

  IncomingCall call;
  auto ruri = parseSipUri(request.requestUri());
  call.number = ruri && ruri->user ? *ruri->user : userOf(request.header("To"));
  call.caller = userOf(request.header("From"));
  if (auto from_value = request.header("From")) {
    if (auto parsed = parseNameAddr(*from_value)) call.caller_name = parsed->display_name;
  }
  if (trunk) {
    call.origin = LegOrigin::kTrunk;
    call.trunk = *trunk;
    if (!directory.isServedNumber(call.number)) {
      respond(id, request, 404);
      return;
    }
  } else {
    const std::string realm = hostOf(request.header("From"));
    auto aor = authenticate(id, request, from, realm);
    if (!aor) return;
    if (aor->substr(0, aor->find('@')) != call.caller) {  // a device calls as itself only
      recordBad(from, "identity");
      respond(id, request, 403);
      return;
    }
    call.origin = LegOrigin::kDevice;
    call.aor = *aor;
  }
  std::string warning;
  if (int status = offerStatus(request, &warning); status != 0) {
    SipMessage refused = makeResponse(request, status, ids.tag());
    refused.addHeader("Warning", warningValue(warning));
    if (status == 415) refused.addHeader("Accept", "application/sdp");
    layer.respond(id, std::move(refused), now);
    return;
  }
  call.sdp = request.body();
  handleInvite(id, request, from, std::move(call));
}

std::optional<std::string> SipEndpoint::Impl::authenticate(TransactionId id, const SipMessage& request,
                                                           const Flow& from, std::string_view realm) {
  const std::string realm_text(realm.empty() ? "switchboard" : realm);
  DigestSecretLookup lookup = [this](std::string_view user, std::string_view in_realm) {
    return directory.deviceSecret(in_realm, user);
  };
  DigestOutcome outcome = digest.verify(request, false, realm_text, lookup, now);
  if (outcome.verdict == DigestVerdict::kOk && !realm.empty()) return outcome.username + "@" + realm_text;

  const bool stale = outcome.verdict == DigestVerdict::kStaleNonce;
  if (outcome.verdict == DigestVerdict::kMissingCredentials || stale) {
    // A request without credentials is the normal first step (the challenge), not a
    // bad request: counting it would block an office whose phones all restart behind
    // one NAT address. Wrong credentials are what the guard counts.
    SipMessage challenge = makeResponse(request, 401, ids.tag());
    for (const std::string& value :
         digest.challenge(realm_text, stale, now, offersOnlyMd5(request.header("User-Agent")))) {
      challenge.addHeader("WWW-Authenticate", value);
    }
    layer.respond(id, std::move(challenge), now);
    return std::nullopt;
  }
  recordBad(from, outcome.verdict == DigestVerdict::kMalformed ? "malformed_credentials" : "wrong_credentials");
  respond(id, request, outcome.verdict == DigestVerdict::kMalformed ? 400 : 403);
  return std::nullopt;
}

void SipEndpoint::Impl::handleRegister(TransactionId id, const SipMessage& request, const Flow& from) {
  const std::string realm = hostOf(request.header("To"));
  auto aor = authenticate(id, request, from, realm);
  if (!aor) return;
  if (aor->substr(0, aor->find('@')) != userOf(request.header("To"))) {  // only its own AOR
    recordBad(from, "identity");
    respond(id, request, 403);
    return;
  }
  SipMessage response = registrar.handleRegister(*aor, request, from, now);
  layer.respond(id, std::move(response), now);
}

}  // namespace sb::sip
