#include "sip/registrar.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <utility>

namespace sb::sip {
namespace {

constexpr size_t kMaxUserAgentBytes = 256;
constexpr uint64_t kMaxDeltaSeconds = 0xFFFFFFFFull;  // RFC 3261 §20.19: larger means this

// A response to `request` with its Via (all), From, To (tagged), Call-ID and CSeq
// (RFC 3261 §8.2.6.2). A shared helper will replace this one.
SipMessage makeResponse(const SipMessage& request, int status, std::string reason,
                        const Registrar::TagGenerator& tags) {
  SipMessage response = SipMessage::response(status, std::move(reason));
  for (auto via : request.headerValues("Via")) response.addHeader("Via", std::string(via));
  if (auto from = request.header("From")) response.addHeader("From", std::string(*from));
  if (auto to = request.header("To")) {
    std::string value(*to);
    auto parsed = parseNameAddr(value);
    if (parsed && !parsed->tag() && tags) value += ";tag=" + tags();
    response.addHeader("To", std::move(value));
  }
  if (auto call_id = request.header("Call-ID"))
    response.addHeader("Call-ID", std::string(*call_id));
  if (auto cseq = request.header("CSeq")) response.addHeader("CSeq", std::string(*cseq));
  return response;
}

// delta-seconds; nullopt when malformed. Values past 2^32-1 read as 2^32-1.
std::optional<uint64_t> parseDeltaSeconds(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min<uint64_t>(value * 10 + static_cast<uint64_t>(c - '0'), kMaxDeltaSeconds);
  }
  return value;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
std::optional<int> parseQValue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  int whole = text[0] - '0';
  if (text.size() == 1) return whole * 1000;
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  int fraction = 0;
  int scale = 100;
  for (char c : text.substr(2)) {
    if (c < '0' || c > '9') return std::nullopt;
    fraction += (c - '0') * scale;
    scale /= 10;
  }
  if (whole == 1 && fraction != 0) return std::nullopt;
  return whole * 1000 + fraction;
}

std::string unquote(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  return std::string(value);
}

std::string httpDate(core::Time now) {
  std::time_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buffer;
}

bool sameBinding(const Binding& a, const Binding& b) {
  if (!a.instance.empty() && a.instance == b.instance && a.reg_id && a.reg_id == b.reg_id)
    return true;  // RFC 5626 §6: one flow per (instance, reg-id), whatever the URI
  return sameContactUri(a.contact, b.contact);
}

// One Contact of the request, read and checked.
struct ContactUpdate {
  Binding binding;
  uint64_t expires = 0;
};

}  // namespace

// RFC 3261 §19.1.4, loosely: scheme, user (case-sensitive), host (case-insensitive), port
// (absent ≠ 5060, as the RFC says) and the transport parameter (case-insensitive, absent ≠
// udp) must agree; other URI parameters and headers are ignored, so a phone that adds or
// drops `;ob` or `;rinstance` still refreshes its binding. Non-SIP URIs compare as text.
bool sameContactUri(const NameAddr& a, const NameAddr& b) {
  if (!a.sip || !b.sip) return !a.sip && !b.sip && a.uri == b.uri;
  const SipUri& x = *a.sip;
  const SipUri& y = *b.sip;
  if (x.secure != y.secure || x.user != y.user || x.port != y.port) return false;
  if (!equalsIgnoreCase(x.host, y.host)) return false;
  auto tx = x.param("transport");
  auto ty = y.param("transport");
  if (tx.has_value() != ty.has_value()) return false;
  return !tx || equalsIgnoreCase(*tx, *ty);
}

Registrar::Registrar(RegistrarOptions options, TagGenerator tag_generator,
                     RegistrarListener* listener)
    : options_(options), tag_generator_(std::move(tag_generator)), listener_(listener) {}

SipMessage Registrar::handleRegister(std::string_view aor_key, const SipMessage& request,
                                     const Flow& flow, core::Time now) {
  auto fail = [&](int status, const char* reason) {
    return makeResponse(request, status, reason, tag_generator_);
  };
  const std::string aor(aor_key);
  auto call_id = request.header("Call-ID");
  auto cseq_text = request.header("CSeq");
  auto cseq = cseq_text ? parseCSeq(*cseq_text) : core::Result<CSeq>(core::Error{});
  if (!call_id || !cseq) return fail(400, "Bad Request");

  // A malformed Expires reads as the default (RFC 3261 §20.19 says 3600).
  std::optional<uint64_t> header_expires;
  if (auto text = request.header("Expires")) {
    header_expires = parseDeltaSeconds(*text);
    if (!header_expires) header_expires = static_cast<uint64_t>(options_.default_expires.count());
  }
  auto contacts = request.headerValues("Contact");
  std::vector<Binding> current;
  if (auto it = aors_.find(aor); it != aors_.end()) current = it->second;

  // §10.3 step 6: `Contact: *` removes everything, only alone and with Expires: 0.
  bool wildcard = std::any_of(contacts.begin(), contacts.end(), isWildcardContact);
  if (wildcard) {
    if (contacts.size() != 1 || header_expires != 0u) return fail(400, "Bad Request");
    for (const auto& b : current) {
      if (b.call_id == *call_id && cseq->number <= b.cseq)
        return fail(500, "Server Internal Error");
    }
    if (eraseBindings(aor, [](const Binding&) { return true; })) notify(aor);
    SipMessage response = fail(200, "OK");  // no bindings left to list
    response.addHeader("Date", httpDate(now));
    return response;
  }

  // Read every contact before touching anything: the update is all or nothing.
  std::vector<ContactUpdate> updates;
  std::string user_agent(request.header("User-Agent").value_or(""));
  if (user_agent.size() > kMaxUserAgentBytes) user_agent.resize(kMaxUserAgentBytes);
  for (std::string_view text : contacts) {
    auto contact = parseNameAddr(text);
    if (!contact) return fail(400, "Bad Request");
    ContactUpdate update;
    update.expires = static_cast<uint64_t>(options_.default_expires.count());
    if (header_expires) update.expires = *header_expires;
    if (auto param = contact->param("expires")) {
      update.expires = parseDeltaSeconds(*param).value_or(options_.default_expires.count());
    }
    if (auto q = contact->param("q")) {
      auto value = parseQValue(*q);
      if (!value) return fail(400, "Bad Request");
      update.binding.q = *value;
    }
    if (update.expires != 0 &&
        update.expires < static_cast<uint64_t>(options_.min_expires.count())) {
      SipMessage response = fail(423, "Interval Too Brief");
      response.addHeader("Min-Expires", std::to_string(options_.min_expires.count()));
      return response;
    }
    update.expires = std::min<uint64_t>(update.expires, options_.max_expires.count());
    if (auto instance = contact->param("+sip.instance"))
      update.binding.instance = unquote(*instance);
    if (auto reg_id = contact->param("reg-id")) {
      auto value = parseDeltaSeconds(*reg_id);
      if (!value || *value == 0 || *value >= kMaxDeltaSeconds) return fail(400, "Bad Request");
      update.binding.reg_id = static_cast<uint32_t>(*value);
    }
    std::erase_if(contact->params,
                  [](const SipParam& p) { return equalsIgnoreCase(p.name, "expires"); });
    update.binding.contact = std::move(*contact);
    update.binding.flow = flow;
    update.binding.call_id = std::string(*call_id);
    update.binding.cseq = cseq->number;
    update.binding.user_agent = user_agent;
    update.binding.updated_at = now;
    update.binding.expires_at = now + std::chrono::seconds(update.expires);
    updates.push_back(std::move(update));
  }

  // §10.3 step 7 on a working copy.
  std::vector<Binding> working = current;
  std::vector<uint64_t> touched;  // bindings this request already wrote
  for (auto& update : updates) {
    auto match = std::find_if(working.begin(), working.end(),
                              [&](const Binding& b) { return sameBinding(b, update.binding); });
    if (match != working.end()) {
      bool already = std::find(touched.begin(), touched.end(), match->id) != touched.end();
      // Same Call-ID and a CSeq not above the stored one: an old request that arrived late
      // (retransmissions stay in the transaction layer). The RFC says the request fails;
      // we answer 500 as most registrars do, and change nothing.
      if (!already && match->call_id == update.binding.call_id &&
          update.binding.cseq <= match->cseq)
        return fail(500, "Server Internal Error");
      if (update.expires == 0) {
        working.erase(match);
        continue;
      }
      update.binding.id = match->id;
      *match = update.binding;
      touched.push_back(match->id);
      continue;
    }
    if (update.expires == 0) continue;  // removing what is not there
    if (working.size() >= options_.max_bindings_per_aor) return fail(403, "Forbidden");
    if (total_bindings_ - current.size() + working.size() >= options_.max_total_bindings)
      return fail(503, "Service Unavailable");
    update.binding.id = next_id_++;
    touched.push_back(update.binding.id);
    working.push_back(update.binding);
  }

  // Commit. A change worth telling: a binding came or went, or moved flow or contact.
  bool changed = working.size() != current.size();
  for (const auto& b : working) {
    auto old = std::find_if(current.begin(), current.end(),
                            [&](const Binding& o) { return o.id == b.id; });
    if (old == current.end() || old->flow != b.flow || old->contact != b.contact) changed = true;
  }
  eraseBindings(aor, [](const Binding&) { return true; });
  if (!working.empty()) {
    for (const auto& b : working) insertIndexes(aor, b);
    total_bindings_ += working.size();
    aors_[aor] = std::move(working);
  }
  if (changed) notify(aor);

  SipMessage response = fail(200, "OK");
  for (const auto& b : lookup(aor)) {
    auto left = std::chrono::ceil<std::chrono::seconds>(b.expires_at - now).count();
    response.addHeader(
        "Contact", toString(b.contact) + ";expires=" + std::to_string(std::max<int64_t>(left, 0)));
  }
  response.addHeader("Date", httpDate(now));
  return response;
}

std::vector<Binding> Registrar::lookup(std::string_view aor_key) const {
  auto it = aors_.find(std::string(aor_key));
  if (it == aors_.end()) return {};
  std::vector<Binding> out = it->second;
  std::stable_sort(out.begin(), out.end(), [](const Binding& a, const Binding& b) {
    if (a.q != b.q) return a.q > b.q;
    if (a.updated_at != b.updated_at) return a.updated_at > b.updated_at;
    return a.id > b.id;
  });
  return out;
}

void Registrar::onTimer(core::Time now) {
  while (!expiry_.empty() && std::get<0>(*expiry_.begin()) <= now) {
    std::string aor = std::get<1>(*expiry_.begin());
    if (eraseBindings(aor, [&](const Binding& b) { return b.expires_at <= now; })) notify(aor);
  }
}

std::optional<core::Time> Registrar::nextDeadline() const {
  if (expiry_.empty()) return std::nullopt;
  return std::get<0>(*expiry_.begin());
}

void Registrar::removeFlow(ConnectionId connection) {
  if (connection == 0) return;  // UDP bindings have no connection to lose
  auto it = by_connection_.find(connection);
  if (it == by_connection_.end()) return;
  auto entries = it->second;  // eraseBindings edits the index
  std::set<std::string> aors;
  for (const auto& entry : entries) aors.insert(entry.first);
  for (const auto& aor : aors) {
    if (eraseBindings(aor, [&](const Binding& b) { return b.flow.connection == connection; }))
      notify(aor);
  }
}

void Registrar::insertIndexes(const std::string& aor, const Binding& binding) {
  expiry_.emplace(binding.expires_at, aor, binding.id);
  if (binding.flow.connection != 0)
    by_connection_[binding.flow.connection].emplace(aor, binding.id);
}

void Registrar::eraseIndexes(const std::string& aor, const Binding& binding) {
  expiry_.erase(ExpiryKey{binding.expires_at, aor, binding.id});
  if (binding.flow.connection == 0) return;
  auto it = by_connection_.find(binding.flow.connection);
  if (it == by_connection_.end()) return;
  it->second.erase({aor, binding.id});
  if (it->second.empty()) by_connection_.erase(it);
}

bool Registrar::eraseBindings(const std::string& aor,
                              const std::function<bool(const Binding&)>& drop) {
  auto it = aors_.find(aor);
  if (it == aors_.end()) return false;
  auto& bindings = it->second;
  size_t before = bindings.size();
  std::erase_if(bindings, [&](const Binding& b) {
    if (!drop(b)) return false;
    eraseIndexes(aor, b);
    return true;
  });
  size_t removed = before - bindings.size();
  total_bindings_ -= removed;
  if (bindings.empty()) aors_.erase(it);
  return removed > 0;
}

void Registrar::notify(const std::string& aor) {
  if (!listener_) return;
  auto it = aors_.find(aor);
  listener_->onBindingsChanged(aor, it == aors_.end() ? 0 : it->second.size());
}

}  // namespace sb::sip
