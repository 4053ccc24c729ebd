#include "sip/transaction.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <queue>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sip/sip_uri.hpp"

namespace sb::sip {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kMagicCookie = "z9hG4bK";
constexpr char kKeySeparator = '\x1f';  // cannot appear in a token, a host or a method

enum class Kind : uint8_t { kClientInvite, kClientNonInvite, kServerInvite, kServerNonInvite };

// One enum for the four machines. Client INVITE "Calling" and non-INVITE "Trying" are
// kTrying; a server INVITE starts in kProceeding (100 Trying sent at once).
enum class State : uint8_t { kTrying, kProceeding, kCompleted, kConfirmed, kAccepted, kTerminated };

// Every transaction has at most two live timers: one that retransmits (A, E, G, 2xx)
// and one that ends the current state (B, D, F, H, I, J, K, L, M, the unanswered-request
// bound, and the deferred report of a transport error).
enum Slot : uint8_t { kRetransmit = 0, kTimeout = 1 };

bool isClient(Kind kind) {
  return kind == Kind::kClientInvite || kind == Kind::kClientNonInvite;
}

struct Transaction {
  TransactionId id = 0;
  Kind kind = Kind::kServerNonInvite;
  State state = State::kTrying;
  bool reliable = false;
  bool acked = false;             // server INVITE in Accepted: acknowledged() was called
  bool failure_reported = false;  // onServerFailure already delivered (layer's 408/500)
  bool transport_error = false;   // kTerminated because the sender failed: report it
  std::string key;
  SipMessage request;
  Flow flow;           // client: where the request goes; server: where it came from
  Flow response_flow;  // server: where responses go
  // Bytes resent on retransmission: client: the request, then (INVITE, Completed) the
  // ACK; server: the last response sent.
  std::string out;
  std::string response_to;  // server INVITE: To of the last response (its tag)
  core::Duration interval{};
  uint64_t armed[2] = {0, 0};  // sequence number of the live timer per slot; 0: none
};

struct TimerEntry {
  core::Time when;
  uint64_t seq;
  TransactionId id;
  Slot slot;
  bool operator>(const TimerEntry& other) const {
    return when != other.when ? when > other.when : seq > other.seq;
  }
};

// §17.2.3: a branch that starts with the magic cookie is unique; anything else (no
// branch, or an RFC 2543 one) is matched on the RFC 2543 fields.
bool hasCookie(const Via& via) {
  auto branch = via.branch();
  return branch && branch->size() > kMagicCookie.size() && branch->starts_with(kMagicCookie);
}

std::string lowerCase(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> tagOf(std::optional<std::string_view> name_addr) {
  if (!name_addr) return std::nullopt;
  auto parsed = parseNameAddr(*name_addr);
  if (!parsed) return std::nullopt;
  auto tag = parsed->tag();
  if (!tag) return std::nullopt;
  return std::string(*tag);
}

// A response built by the layer itself (100, 200 to CANCEL, 481, 408, 500), with the
// headers §8.2.6 asks to copy.
SipMessage buildResponse(const SipMessage& request, int code, std::string reason,
                         std::optional<std::string_view> to_tag) {
  SipMessage response = SipMessage::response(code, std::move(reason));
  for (const auto& h : request.headers()) {
    if (h.name == "Via" || h.name == "From" || h.name == "Call-ID" || h.name == "CSeq") {
      response.addHeader(h.name, h.value);
    } else if (h.name == "To") {
      std::string to = h.value;
      // A UAS adds a To tag to every response but 100 (RFC 3261 §8.2.6.2).
      if (code > 100 && to_tag && !tagOf(to)) {
        to += ";tag=";
        to += *to_tag;
      }
      response.addHeader("To", std::move(to));
    } else if (h.name == "Timestamp" && code == 100) {
      response.addHeader("Timestamp", h.value);  // §8.2.6.1
    }
  }
  return response;
}

const char* reasonFor(int code) {
  switch (code) {
    case 100:
      return "Trying";
    case 200:
      return "OK";
    case 408:
      return "Request Timeout";
    case 481:
      return "Call/Transaction Does Not Exist";
    case 500:
      return "Server Internal Error";
  }
  return "";
}

// Replaces the top Via value, keeping the order of the Via values.
void replaceTopVia(SipMessage& message, std::string top) {
  auto values = message.headerValues("Via");
  if (values.size() <= 1) {
    message.setHeader("Via", std::move(top));
    return;
  }
  std::vector<std::string> rest;
  rest.reserve(values.size() - 1);
  for (size_t i = 1; i < values.size(); ++i) rest.emplace_back(values[i]);
  message.setHeader("Via", std::move(top));
  // SipMessage::setHeader is meant to drop the other values but today keeps those after
  // the first; re-add them only when they are gone, so both behaviours keep the order.
  if (message.headerCount("Via") == 1) {
    for (auto& value : rest) message.addHeader("Via", std::move(value));
  }
}

void setParam(Via& via, std::string_view name, std::string value) {
  for (auto& p : via.params) {
    if (equalsIgnoreCase(p.name, name)) {
      p.value = std::move(value);
      return;
    }
  }
  via.params.push_back({std::string(name), std::move(value)});
}

}  // namespace

struct TransactionLayer::Impl {
  Impl(TransactionUser& u, SipSender& s, TransactionTimers t) : user(u), sender(s), timers(t) {}

  TransactionUser& user;
  SipSender& sender;
  TransactionTimers timers;
  TransactionId next_id = 1;
  uint64_t next_seq = 1;
  std::unordered_map<TransactionId, std::unique_ptr<Transaction>> by_id;
  // Keys are kept apart: a request we send to ourselves must not match our own client
  // transaction when it comes back in as a server request.
  std::unordered_map<std::string, Transaction*> client_keys;
  std::unordered_map<std::string, Transaction*> server_keys;
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> queue;
  TransactionCounts counts;

  core::Duration t64() const { return timers.t1 * 64; }

  // --- bookkeeping ---------------------------------------------------------------

  Transaction* find(TransactionId id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second.get();
  }

  size_t& countOf(Kind kind) {
    switch (kind) {
      case Kind::kClientInvite:
        return counts.client_invite;
      case Kind::kClientNonInvite:
        return counts.client_non_invite;
      case Kind::kServerInvite:
        return counts.server_invite;
      case Kind::kServerNonInvite:
        break;
    }
    return counts.server_non_invite;
  }

  Transaction& create(Kind kind, std::string key, SipMessage request, const Flow& flow) {
    auto txn = std::make_unique<Transaction>();
    txn->id = next_id++;
    txn->kind = kind;
    txn->key = std::move(key);
    txn->request = std::move(request);
    txn->flow = flow;
    txn->reliable = isReliable(flow.transport);
    Transaction& ref = *txn;
    (isClient(kind) ? client_keys : server_keys).emplace(ref.key, &ref);
    by_id.emplace(ref.id, std::move(txn));
    ++countOf(kind);
    return ref;
  }

  void erase(TransactionId id) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return;
    Transaction& txn = *it->second;
    auto& keys = isClient(txn.kind) ? client_keys : server_keys;
    if (auto k = keys.find(txn.key); k != keys.end() && k->second == &txn) keys.erase(k);
    --countOf(txn.kind);
    by_id.erase(it);
  }

  void arm(Transaction& txn, Slot slot, core::Time when) {
    uint64_t seq = next_seq++;
    txn.armed[slot] = seq;
    queue.push({when, seq, txn.id, slot});
  }

  void disarm(Transaction& txn, Slot slot) { txn.armed[slot] = 0; }

  bool isLive(const TimerEntry& entry) const {
    const Transaction* txn = find(entry.id);
    return txn != nullptr && txn->armed[entry.slot] == entry.seq;
  }

  // Drops cancelled timers from the top so that nextDeadline() is exact.
  void pruneTop() {
    while (!queue.empty() && !isLive(queue.top())) queue.pop();
  }

  // Nothing is destroyed outside onTimer(): a terminated transaction gets a timer due
  // now, so references handed to a callback stay valid until the callback returns.
  void terminate(Transaction& txn, core::Time now) {
    txn.state = State::kTerminated;
    disarm(txn, kRetransmit);
    arm(txn, kTimeout, now);
  }

  void endAfter(Transaction& txn, core::Duration wait, core::Time now) {
    disarm(txn, kRetransmit);
    if (wait <= core::Duration::zero()) {
      terminate(txn, now);
    } else {
      arm(txn, kTimeout, now + wait);
    }
  }

  // Sends `bytes`; a transport error ends the transaction and is reported from the next
  // onTimer() (due at once), never from inside the call that caused it.
  bool send(Transaction& txn, const Flow& to, std::string_view bytes, core::Time now) {
    if (sender.send(to, bytes)) return true;
    txn.transport_error = true;
    terminate(txn, now);
    return false;
  }

  // --- server side ---------------------------------------------------------------

  // §17.2.3: branch (with cookie) + sent-by + method; otherwise the RFC 2543 fields.
  // `method` is the method of the transaction looked for (INVITE for an ACK).
  static std::string serverKey(const SipMessage& request, const Via& via, std::string_view method) {
    std::string key;
    if (hasCookie(via)) {
      auto branch = via.branch();
      key.reserve(branch->size() + via.host.size() + method.size() + 10);
      key.append(*branch).push_back(kKeySeparator);
      key.append(lowerCase(via.host));
      if (via.port) key.append(":").append(std::to_string(*via.port));
      key.push_back(kKeySeparator);
      key.append(method);
      return key;
    }
    // RFC 2543: Request-URI, From tag, Call-ID, CSeq number and the top Via. The To tag
    // is left out so that an ACK (which carries the response's tag) and a CANCEL find
    // the INVITE; ACK checks the tag separately.
    auto cseq = parseCSeq(request.header("CSeq").value_or(""sv));
    key = "2543";
    key.push_back(kKeySeparator);
    key.append(request.requestUri()).push_back(kKeySeparator);
    key.append(tagOf(request.header("From")).value_or("")).push_back(kKeySeparator);
    key.append(request.header("Call-ID").value_or(""sv)).push_back(kKeySeparator);
    key.append(std::to_string(cseq ? cseq->number : 0)).push_back(kKeySeparator);
    key.append(toString(via)).push_back(kKeySeparator);
    key.append(method);
    return key;
  }

  static std::string generatedTag(const Transaction& txn) {
    size_t h = std::hash<std::string>{}(txn.key) ^ (txn.id * 0x9E3779B97F4A7C15ULL);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string tag = "sb";
    for (int i = 0; i < 12; ++i) tag.push_back(kHex[(h >> (i * 4)) & 0xF]);
    return tag;
  }

  // The tag the layer puts on its own final responses: the one the user already used
  // for this transaction (a provisional with a tag), else a generated one.
  static std::string ownTag(const Transaction& txn) {
    if (!txn.response_to.empty()) {
      if (auto tag = tagOf(txn.response_to)) return *tag;
    }
    return generatedTag(txn);
  }

  void receiveRequest(SipMessage message, const Flow& from, core::Time now) {
    auto top = message.header("Via");
    if (!top) return;
    auto via = parseVia(*top);
    if (!via) return;
    if (!parseCSeq(message.header("CSeq").value_or(""sv))) return;

    const std::string& method = message.method();
    bool is_ack = method == "ACK";
    bool is_cancel = method == "CANCEL";
    bool rfc2543 = !hasCookie(*via);
    std::string key = serverKey(message, *via, is_ack ? "INVITE"sv : std::string_view(method));
    std::string invite_key = is_cancel ? serverKey(message, *via, "INVITE") : std::string();

    // RFC 3261 §18.2.1 and RFC 3581 §4.
    setParam(*via, "received", from.remote.ip);
    if (via->hasRport() && !via->rport()) setParam(*via, "rport", std::to_string(from.remote.port));
    replaceTopVia(message, toString(*via));

    auto it = server_keys.find(key);
    Transaction* txn = it == server_keys.end() ? nullptr : it->second;

    if (is_ack) {
      receiveAck(txn, std::move(message), from, now, rfc2543);
      return;
    }
    if (txn != nullptr) {
      absorb(*txn, now);
      return;
    }

    Kind kind = method == "INVITE" ? Kind::kServerInvite : Kind::kServerNonInvite;
    Transaction& created = create(kind, std::move(key), std::move(message), from);
    created.response_flow = TransactionLayer::responseFlow(created.request, from);
    if (is_cancel) {
      receiveCancel(created, invite_key, now);
      return;
    }
    TransactionId id = created.id;
    if (kind == Kind::kServerInvite) {
      created.state = State::kProceeding;
      arm(created, kTimeout, now + timers.max_invite_pending);
      sendOwnResponse(created, 100, now);
    } else {
      created.state = State::kTrying;
      arm(created, kTimeout, now + t64());
    }
    // The stored request outlives the callback (erasure happens only in onTimer()).
    user.onRequest(id, created.request, from);
  }

  // A retransmitted request: send the last response again (RFC 3261 §17.2.1, §17.2.2).
  void absorb(Transaction& txn, core::Time now) {
    if (txn.state != State::kProceeding && txn.state != State::kCompleted) return;
    if (txn.out.empty()) return;
    send(txn, txn.response_flow, txn.out, now);
  }

  void receiveAck(Transaction* invite, SipMessage ack, const Flow& from, core::Time now,
                  bool rfc2543) {
    if (invite == nullptr || invite->kind != Kind::kServerInvite) {
      user.onAck(ack, from);
      return;
    }
    if (rfc2543) {
      // §17.2.3: the ACK's To tag must be the tag of the response we sent.
      auto ack_tag = tagOf(ack.header("To"));
      auto our_tag = invite->response_to.empty() ? std::nullopt : tagOf(invite->response_to);
      if (ack_tag != our_tag) {
        user.onAck(ack, from);
        return;
      }
    }
    switch (invite->state) {
      case State::kCompleted:
        invite->state = State::kConfirmed;
        endAfter(*invite, invite->reliable ? core::Duration::zero() : timers.t4, now);  // Timer I
        return;
      case State::kAccepted:
        user.onAck(ack, from);  // RFC 6026 §8.7: ACKs in Accepted go to the TU
        return;
      default:
        return;  // Confirmed: absorbed; Proceeding/Terminated: meaningless, dropped
    }
  }

  void receiveCancel(Transaction& cancel, const std::string& invite_key, core::Time now) {
    cancel.state = State::kTrying;
    auto it = server_keys.find(invite_key);
    Transaction* invite = it == server_keys.end() ? nullptr : it->second;
    if (invite == nullptr || invite->kind != Kind::kServerInvite) {
      respondWith(cancel, buildResponse(cancel.request, 481, reasonFor(481), generatedTag(cancel)),
                  now);
      return;
    }
    // §9.2: the CANCEL's 200 carries the To tag of the INVITE's response.
    std::string tag = ownTag(*invite);
    bool pending = invite->state == State::kProceeding;
    TransactionId invite_id = invite->id;
    respondWith(cancel, buildResponse(cancel.request, 200, reasonFor(200), tag), now);
    if (pending) user.onCancel(invite_id, cancel.request);
  }

  void sendOwnResponse(Transaction& txn, int code, core::Time now) {
    std::string tag = ownTag(txn);
    respondWith(txn, buildResponse(txn.request, code, reasonFor(code), tag), now);
  }

  // Sends a response on a server transaction that has no final response yet.
  bool respondWith(Transaction& txn, SipMessage response, core::Time now) {
    int code = response.statusCode();
    txn.out = serializeSipMessage(response);
    if (txn.kind == Kind::kServerInvite) {
      if (auto to = response.header("To")) txn.response_to.assign(*to);
    }
    bool sent = send(txn, txn.response_flow, txn.out, now);
    if (!sent) return false;
    if (code < 200) {
      txn.state = State::kProceeding;
      return true;
    }
    if (txn.kind == Kind::kServerNonInvite) {
      txn.state = State::kCompleted;
      endAfter(txn, txn.reliable ? core::Duration::zero() : t64(), now);  // Timer J
      return true;
    }
    if (code < 300) {
      // RFC 6026 Accepted; the UAS core's 2xx retransmission (§13.3.1.4) is done here,
      // on every transport, until acknowledged().
      txn.state = State::kAccepted;
      txn.interval = timers.t1;
      arm(txn, kRetransmit, now + txn.interval);
      arm(txn, kTimeout, now + t64());  // Timer L, and the 2xx-without-ACK timeout
      return true;
    }
    txn.state = State::kCompleted;
    txn.interval = timers.t1;
    if (txn.reliable) {
      disarm(txn, kRetransmit);
    } else {
      arm(txn, kRetransmit, now + txn.interval);  // Timer G
    }
    arm(txn, kTimeout, now + t64());  // Timer H
    return true;
  }

  // --- client side ---------------------------------------------------------------

  static std::optional<std::string> clientKey(const SipMessage& message) {
    auto top = message.header("Via");
    if (!top) return std::nullopt;
    auto via = parseVia(*top);
    if (!via) return std::nullopt;
    auto branch = via->branch();
    if (!branch || branch->empty()) return std::nullopt;
    auto cseq = parseCSeq(message.header("CSeq").value_or(""sv));
    if (!cseq) return std::nullopt;
    std::string key;
    key.reserve(branch->size() + cseq->method.size() + 1);
    key.append(*branch).push_back(kKeySeparator);
    key.append(cseq->method);
    return key;
  }

  TransactionId sendRequest(SipMessage request, const Flow& to, core::Time now) {
    if (!request.isRequest() || request.method() == "ACK") {
      sender.send(to, serializeSipMessage(request));
      return 0;
    }
    auto key = clientKey(request);
    if (!key || client_keys.contains(*key)) return 0;
    bool invite = request.method() == "INVITE";
    Transaction& txn = create(invite ? Kind::kClientInvite : Kind::kClientNonInvite,
                              std::move(*key), std::move(request), to);
    txn.state = State::kTrying;
    txn.out = serializeSipMessage(txn.request);
    TransactionId id = txn.id;
    if (!send(txn, txn.flow, txn.out, now)) return id;
    txn.interval = timers.t1;
    if (!txn.reliable) arm(txn, kRetransmit, now + txn.interval);  // Timer A / E
    arm(txn, kTimeout, now + t64());                               // Timer B / F
    return id;
  }

  // §17.1.1.3: the ACK of a 3xx–6xx, built by the transaction.
  static SipMessage buildAck(const SipMessage& request, const SipMessage& response) {
    SipMessage ack = SipMessage::request("ACK", request.requestUri());
    if (auto via = request.header("Via")) ack.addHeader("Via", std::string(*via));
    for (auto route : request.headerValues("Route")) ack.addHeader("Route", std::string(route));
    ack.addHeader("Max-Forwards", "70");
    if (auto from = request.header("From")) ack.addHeader("From", std::string(*from));
    if (auto to = response.header("To")) ack.addHeader("To", std::string(*to));
    if (auto call_id = request.header("Call-ID")) ack.addHeader("Call-ID", std::string(*call_id));
    auto cseq = parseCSeq(request.header("CSeq").value_or(""sv));
    ack.addHeader("CSeq", std::to_string(cseq ? cseq->number : 0) + " ACK");
    return ack;
  }

  void receiveResponse(SipMessage response, const Flow& from, core::Time now) {
    int code = response.statusCode();
    if (code < 100 || code > 699) return;
    auto key = clientKey(response);
    if (!key) return;
    auto it = client_keys.find(*key);
    if (it == client_keys.end()) {
      user.onStrayResponse(response, from);
      return;
    }
    Transaction& txn = *it->second;
    TransactionId id = txn.id;
    bool deliver = txn.kind == Kind::kClientInvite ? inviteResponse(txn, response, now)
                                                   : nonInviteResponse(txn, code, now);
    if (deliver) user.onResponse(id, response, from);
  }

  // Returns whether the response goes to the user.
  bool inviteResponse(Transaction& txn, const SipMessage& response, core::Time now) {
    int code = response.statusCode();
    switch (txn.state) {
      case State::kTrying:
      case State::kProceeding:
        if (code < 200) {
          if (txn.state == State::kTrying) {
            txn.state = State::kProceeding;
            disarm(txn, kRetransmit);
            // RFC 3261 has no timer in Proceeding; bound it past the server's own limit.
            arm(txn, kTimeout, now + timers.max_invite_pending + t64());
          }
          return true;
        }
        if (code < 300) {
          txn.state = State::kAccepted;
          endAfter(txn, t64(), now);  // Timer M
          return true;
        }
        txn.state = State::kCompleted;
        txn.out = serializeSipMessage(buildAck(txn.request, response));
        if (!send(txn, txn.flow, txn.out, now)) return true;
        endAfter(txn, txn.reliable ? core::Duration::zero() : timers.timer_d, now);  // Timer D
        return true;
      case State::kCompleted:
        if (code >= 300) send(txn, txn.flow, txn.out, now);  // the ACK again
        return false;
      case State::kAccepted:
        return code >= 200 && code < 300;  // RFC 6026: every 2xx, for the user to ACK
      default:
        return false;
    }
  }

  bool nonInviteResponse(Transaction& txn, int code, core::Time now) {
    if (txn.state != State::kTrying && txn.state != State::kProceeding) return false;
    if (code < 200) {
      txn.state = State::kProceeding;  // Timer E continues, at T2 from its next firing
      return true;
    }
    txn.state = State::kCompleted;
    endAfter(txn, txn.reliable ? core::Duration::zero() : timers.t4, now);  // Timer K
    return true;
  }

  // --- timers --------------------------------------------------------------------

  void onTimer(core::Time now) {
    while (!queue.empty() && queue.top().when <= now) {
      TimerEntry entry = queue.top();
      queue.pop();
      if (!isLive(entry)) continue;
      Transaction& txn = *find(entry.id);
      txn.armed[entry.slot] = 0;
      if (entry.slot == kRetransmit) {
        retransmit(txn, entry.when);
      } else {
        timeout(txn, entry.when);
      }
    }
    pruneTop();
  }

  // Timers fire at their own deadline, so a late onTimer() keeps the schedule.
  void retransmit(Transaction& txn, core::Time at) {
    if (!send(txn, isClient(txn.kind) ? txn.flow : txn.response_flow, txn.out, at)) return;
    if (txn.kind == Kind::kClientInvite) {
      txn.interval *= 2;  // Timer A doubles without bound; B ends it
    } else if (txn.kind == Kind::kClientNonInvite && txn.state == State::kProceeding) {
      txn.interval = timers.t2;
    } else {
      txn.interval = std::min(txn.interval * 2, timers.t2);
    }
    arm(txn, kRetransmit, at + txn.interval);
  }

  void timeout(Transaction& txn, core::Time at) {
    TransactionId id = txn.id;
    switch (txn.state) {
      case State::kTerminated:
        if (txn.transport_error) {
          txn.transport_error = false;
          if (isClient(txn.kind)) {
            user.onClientFailure(id, true);
          } else if (!txn.failure_reported) {
            txn.failure_reported = true;
            user.onServerFailure(id);
          }
        }
        erase(id);
        return;
      case State::kTrying:
      case State::kProceeding:
        if (isClient(txn.kind)) {
          fail(txn, [&] { user.onClientFailure(id, false); });  // Timer B / F
          return;
        }
        // Unanswered: the layer answers (408 INVITE, 500 otherwise) and reports it.
        txn.failure_reported = true;
        sendOwnResponse(txn, txn.kind == Kind::kServerInvite ? 408 : 500, at);
        user.onServerFailure(id);
        return;
      case State::kCompleted:
        if (txn.kind == Kind::kServerInvite && !txn.failure_reported) {
          fail(txn, [&] { user.onServerFailure(id); });  // Timer H
          return;
        }
        erase(id);  // Timers D, K, J (and H after the layer's own 408)
        return;
      case State::kAccepted:
        if (txn.kind == Kind::kServerInvite && !txn.acked && !txn.failure_reported) {
          fail(txn, [&] { user.onServerFailure(id); });  // 2xx never acknowledged
          return;
        }
        erase(id);  // Timers L, M
        return;
      case State::kConfirmed:
        erase(id);  // Timer I
        return;
    }
  }

  // Reports a failure while the transaction still exists (the user may look at it),
  // then erases it.
  template <typename Report>
  void fail(Transaction& txn, Report report) {
    TransactionId id = txn.id;
    txn.state = State::kTerminated;
    txn.failure_reported = true;
    disarm(txn, kRetransmit);
    disarm(txn, kTimeout);
    report();
    erase(id);
  }
};

TransactionLayer::TransactionLayer(TransactionUser& user, SipSender& sender,
                                   TransactionTimers timers)
    : impl_(std::make_unique<Impl>(user, sender, timers)) {}

TransactionLayer::~TransactionLayer() = default;

void TransactionLayer::receive(SipMessage message, const Flow& from, core::Time now) {
  if (message.isRequest()) {
    impl_->receiveRequest(std::move(message), from, now);
  } else {
    impl_->receiveResponse(std::move(message), from, now);
  }
  impl_->pruneTop();
}

TransactionId TransactionLayer::sendRequest(SipMessage request, const Flow& to, core::Time now) {
  TransactionId id = impl_->sendRequest(std::move(request), to, now);
  impl_->pruneTop();
  return id;
}

bool TransactionLayer::respond(TransactionId id, SipMessage response, core::Time now) {
  Transaction* txn = impl_->find(id);
  if (txn == nullptr || isClient(txn->kind) || response.isRequest()) return false;
  if (txn->state != State::kTrying && txn->state != State::kProceeding) return false;
  int code = response.statusCode();
  if (code < 100 || code > 699) return false;
  bool sent = impl_->respondWith(*txn, std::move(response), now);
  impl_->pruneTop();
  return sent;
}

void TransactionLayer::acknowledged(TransactionId id, core::Time /*now*/) {
  Transaction* txn = impl_->find(id);
  if (txn == nullptr || txn->kind != Kind::kServerInvite || txn->state != State::kAccepted) return;
  txn->acked = true;
  impl_->disarm(*txn, kRetransmit);  // Timer L keeps running to absorb retransmissions
  impl_->pruneTop();
}

bool TransactionLayer::sendStateless(const SipMessage& message, const Flow& to) {
  return impl_->sender.send(to, serializeSipMessage(message));
}

const SipMessage* TransactionLayer::request(TransactionId id) const {
  const Transaction* txn = impl_->find(id);
  return txn == nullptr ? nullptr : &txn->request;
}

const Flow* TransactionLayer::flow(TransactionId id) const {
  const Transaction* txn = impl_->find(id);
  return txn == nullptr ? nullptr : &txn->flow;
}

std::optional<core::Time> TransactionLayer::nextDeadline() const {
  if (impl_->queue.empty()) return std::nullopt;
  return impl_->queue.top().when;
}

void TransactionLayer::onTimer(core::Time now) {
  impl_->onTimer(now);
}

TransactionCounts TransactionLayer::counts() const {
  return impl_->counts;
}

Flow TransactionLayer::responseFlow(const SipMessage& request, const Flow& from) {
  if (isReliable(from.transport)) return from;
  Flow out = from;
  auto top = request.header("Via");
  if (!top) return out;
  auto via = parseVia(*top);
  if (!via) return out;
  if (via->hasRport()) return out;  // RFC 3581: back to the source port
  out.remote.port = via->port.value_or(5060);
  return out;
}

}  // namespace sb::sip
