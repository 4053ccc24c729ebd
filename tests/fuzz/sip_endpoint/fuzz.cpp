// A sequence of untrusted messages into a SipEndpoint with fake collaborators: the input
// is cut into messages on NUL bytes; the first byte of each piece picks the source, how
// far the fake clock advances before it and a command run on the newest leg (ring,
// answer, hangup, reinvite, …); the rest is the message. So that mutations get past
// digest authentication and into dialogs, a few placeholders are filled in from what the
// endpoint sent last: $AUTH (credentials of alice answering the last challenge), $VIA,
// $CALLID, $FROM, $TO (of the last request we sent), $TAG (our last tag). Nothing may
// crash, and once every timer ran out no leg, dialog or transaction may remain.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.hpp"
#include "sip/digest.hpp"
#include "sip/message_builder.hpp"
#include "sip/sip_endpoint.hpp"
#include "sip/sip_ids.hpp"
#include "sip/sip_message.hpp"

namespace {

using namespace sb::sip;
using sb::core::Duration;
using sb::core::Time;

const Time kStart{std::chrono::seconds{1'700'000'000}};
constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";
const std::string kSdp =
    "v=0\r\no=- 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

struct Sender : SipSender {
  bool send(const Flow&, std::string_view bytes) override {
    auto parsed = parseSipMessage(bytes);
    if (!parsed) std::abort();  // we must only ever send what we can parse
    static const bool trace = std::getenv("SB_FUZZ_TRACE") != nullptr;  // to check what seeds reach
    if (trace)
      std::fprintf(stderr, "sent: %.*s\n", static_cast<int>(bytes.find('\r')), bytes.data());
    if (parsed->isRequest()) {
      if (parsed->method() != "ACK") last_request = *parsed;
      if (std::string tag = fromTag(*parsed); !tag.empty()) our_tag = tag;
    } else {
      if (std::string tag = toTag(*parsed); !tag.empty()) our_tag = tag;
      if (parsed->statusCode() == 401) {
        if (auto value = parsed->header("WWW-Authenticate")) challenge = std::string(*value);
      }
    }
    return fail_next ? (fail_next = false) : true;
  }
  std::optional<SipMessage> last_request;
  std::string our_tag;
  std::string challenge;
  bool fail_next = false;
};

struct Directory : SipDirectory {
  std::optional<std::string> trunkAt(std::string_view ip) const override {
    if (ip == "192.0.2.10") return std::string("carrier");
    return std::nullopt;
  }
  bool isServedNumber(std::string_view number) const override { return number == "0215880000"; }
  std::optional<std::string> deviceSecret(std::string_view domain,
                                          std::string_view user) const override {
    if (domain == "acme.example" && user == "alice") return std::string("alice-secret");
    return std::nullopt;
  }
};

struct Listener : LegListener {
  void onIncomingCall(LegId leg, const IncomingCall& call) override {
    legs.push_back(leg);
    caller = call.caller;  // dialled out again, as the app does: network text into our From
    caller_name = call.caller_name;
  }
  void onLegRinging(LegId) override {}
  void onLegAnswered(LegId, const std::string&) override {}
  void onLegFailed(LegId, int) override {}
  void onLegEnded(LegId, LegEnd) override {}
  void onLegOffer(LegId leg, const std::string&) override { offers.push_back(leg); }
  void onLegOfferAnswered(LegId, int, const std::string&) override {}
  std::vector<LegId> legs;
  std::vector<LegId> offers;
  std::string caller = "0612345678";
  std::string caller_name;
};

Flow flowFor(uint8_t which) {
  Flow f;
  f.local = {"198.51.100.1", 5060};
  switch (which & 3) {
    case 0:
      f.remote = {"192.0.2.10", 5060};
      break;
    case 1:
      f.remote = {"203.0.113.5", 5062};
      break;
    case 2:
      f.remote = {"203.0.113.66", 5060};
      break;
    default:
      f.transport = TransportKind::kTcp;
      f.remote = {"203.0.113.5", 40000};
      f.connection = 7;
      break;
  }
  return f;
}

const Duration kSteps[8] = {Duration{0},
                            std::chrono::milliseconds(10),
                            std::chrono::milliseconds(500),
                            std::chrono::seconds(1),
                            std::chrono::seconds(4),
                            std::chrono::seconds(32),
                            std::chrono::minutes(5),
                            std::chrono::hours(13)};

void replaceAll(std::string& text, std::string_view what, std::string_view with) {
  for (size_t pos = text.find(what); pos != std::string::npos;
       pos = text.find(what, pos + with.size())) {
    text.replace(pos, what.size(), with);
  }
}

std::string header(const Sender& s, std::string_view name) {
  if (!s.last_request) return {};
  return std::string(s.last_request->header(name).value_or(""));
}

std::string authorization(const Sender& s, const std::string& message) {
  auto challenge = parseDigestChallenge(s.challenge);
  if (!challenge) return "Digest";
  const size_t sp1 = message.find(' ');
  const size_t sp2 = sp1 == std::string::npos ? sp1 : message.find(' ', sp1 + 1);
  if (sp2 == std::string::npos) return "Digest";
  auto value = digestAuthorization(*challenge, "alice", "alice-secret", message.substr(0, sp1),
                                   message.substr(sp1 + 1, sp2 - sp1 - 1), "cafe", 1);
  return value ? *value : std::string("Digest");
}

std::string fillIn(const Sender& s, std::string message) {
  if (message.find('$') == std::string::npos) return message;
  replaceAll(message, "$VIA", header(s, "Via"));
  replaceAll(message, "$CALLID", header(s, "Call-ID"));
  replaceAll(message, "$FROM", header(s, "From"));
  replaceAll(message, "$TO", header(s, "To"));
  replaceAll(message, "$CSEQ", header(s, "CSeq"));
  replaceAll(message, "$TAG", s.our_tag);
  if (message.find("$AUTH") != std::string::npos)
    replaceAll(message, "$AUTH", authorization(s, message));
  return message;
}

void command(SipEndpoint& ep, Listener& listener, uint8_t which, Time now) {
  const LegId leg = listener.legs.empty() ? 1 : listener.legs.back();
  switch (which & 7) {
    case 0:
      break;
    case 1:
      ep.ring(leg, now);
      break;
    case 2:
      ep.answer(leg, kSdp, now);
      break;
    case 3:
      ep.hangup(leg, now);
      break;
    case 4:
      ep.reinvite(leg, kSdp, now);
      break;
    case 5:
      if (!listener.offers.empty()) ep.answerOffer(listener.offers.back(), kSdp, now);
      ep.rejectOffer(leg, 488, now);
      break;
    case 6:
      ep.reject(leg, 486, now);
      break;
    default: {
      DialRequest d;
      d.branches.push_back({"sip:alice@203.0.113.5:5062", "<sip:alice@acme.example>", flowFor(1)});
      d.branches.push_back({"sip:bob@203.0.113.6:5062", "<sip:bob@acme.example>", flowFor(3)});
      d.from_user = listener.caller;
      d.from_name = listener.caller_name;
      d.sdp = kSdp;
      d.timeout = std::chrono::seconds(20);
      if (LegId id = ep.dial(std::move(d), now)) listener.legs.push_back(id);
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Sender sender;
  Directory directory;
  SequenceIdSource ids(3);
  Listener listener;
  SipEndpointOptions options;
  options.advertised = {"198.51.100.1", 5060};
  options.exempt_sources = {"192.0.2.10"};
  options.guard_threshold = 4;  // reach the block quickly
  SipEndpoint ep(sender, directory, ids, listener, options, kKey);
  static std::string log;  // security lines of blocked sources: kept off the console
  log.clear();
  sb::core::setLogCapture(&log);
  Time now = kStart;

  size_t start = 0;
  int pieces = 0;
  while (start < input.size() && pieces++ < 64) {
    size_t end = input.find('\0', start);
    if (end == std::string_view::npos) end = input.size();
    std::string_view piece = input.substr(start, end - start);
    start = end + 1;
    if (piece.empty()) continue;
    const uint8_t control = static_cast<uint8_t>(piece[0]);
    now += kSteps[(control >> 2) & 7];
    ep.onTimer(now);
    if (piece.size() > 1) {
      sender.fail_next =
          (control & 0x80) && (control & 0x40) && (control & 0x20) && (control & 0x10);
      ep.receive(fillIn(sender, std::string(piece.substr(1))), flowFor(control), now);
      sender.fail_next = false;
    }
    command(ep, listener, static_cast<uint8_t>(control >> 5), now);
    if (control == 0x7f) ep.connectionClosed(7, now);
  }
  // Every leg, dialog and transaction has a hard bound.
  for (int i = 0; i < 100000; ++i) {
    auto next = ep.nextDeadline();
    if (!next || *next > now + std::chrono::hours(48)) break;
    if (*next > now) now = *next;
    ep.onTimer(now);
  }
  const EndpointCounts c = ep.counts();
  if (c.legs != 0 || c.dialogs != 0 || c.transactions.total() != 0) std::abort();
  return 0;
}
