#pragma once
// Fakes and a fixture for the SipEndpoint tests: a sender that records and parses what
// the endpoint sends, a directory with one trunk and one org, a listener that records
// events and can run commands from inside its callbacks, and peers that write SIP text
// as a trunk or a phone would.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sip/digest.hpp"
#include "sip/message_builder.hpp"
#include "sip/sip_endpoint.hpp"
#include "sip/sip_ids.hpp"
#include "sip/sip_message.hpp"

namespace sb::sip::endpoint_testing {

using namespace std::chrono_literals;

inline const core::Time kT0{std::chrono::seconds{1'700'000'000}};
inline core::Time at(double seconds) {
  return kT0 + core::Duration(static_cast<int64_t>(seconds * 1e6));
}

inline constexpr const char* kTrunkIp = "192.0.2.10";
inline constexpr const char* kNumber = "0215880000";
inline constexpr const char* kDomain = "acme.example";
inline constexpr const char* kKey = "0123456789abcdef0123456789abcdef";

inline const std::string kOffer =
    "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
inline const std::string kG729Offer =
    "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n";
inline const std::string kAnswer =
    "v=0\r\no=- 2 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

inline Flow udpFrom(std::string ip, uint16_t port = 5060) {
  Flow f;
  f.transport = TransportKind::kUdp;
  f.remote = {std::move(ip), port};
  f.local = {"198.51.100.1", 5060};
  return f;
}

inline SipMessage parsed(const std::string& bytes) {
  auto m = parseSipMessage(bytes);
  EXPECT_TRUE(m.ok()) << bytes;
  return m.ok() ? std::move(*m) : SipMessage::request("BAD", "sip:bad");
}

class FakeSender : public SipSender {
 public:
  struct Sent {
    Flow flow;
    std::string bytes;
    SipMessage message() const { return parsed(bytes); }
    bool isResponse(int code) const {
      return !message().isRequest() && message().statusCode() == code;
    }
    bool isRequest(std::string_view method) const {
      SipMessage m = message();
      return m.isRequest() && m.method() == method;
    }
  };
  bool send(const Flow& flow, std::string_view bytes) override {
    sent.push_back({flow, std::string(bytes)});
    return true;
  }
  // Messages sent from index `from` on.
  std::vector<SipMessage> since(size_t from) const {
    std::vector<SipMessage> out;
    for (size_t i = from; i < sent.size(); ++i) out.push_back(sent[i].message());
    return out;
  }
  std::vector<SipMessage> responses(int code, size_t from = 0) const {
    std::vector<SipMessage> out;
    for (auto& m : since(from)) {
      if (!m.isRequest() && m.statusCode() == code) out.push_back(m);
    }
    return out;
  }
  // Requests of `method` (from index `from`), retransmissions left out (an ACK is never
  // retransmitted by the transaction layer: each one counts).
  std::vector<SipMessage> requests(std::string_view method, size_t from = 0) const {
    return requestsTo(method, {}, from);
  }
  // The same, sent to `ip` only (empty: anywhere).
  std::vector<SipMessage> requestsTo(std::string_view method, std::string_view ip,
                                     size_t from = 0) const {
    std::vector<SipMessage> out;
    std::vector<std::string> branches;
    for (size_t i = from; i < sent.size(); ++i) {
      SipMessage m = sent[i].message();
      if (!m.isRequest() || m.method() != method || (!ip.empty() && sent[i].flow.remote.ip != ip))
        continue;
      if (method != "ACK") {
        auto via = topVia(m);
        std::string branch(via && via->branch() ? *via->branch() : std::string_view{});
        if (std::find(branches.begin(), branches.end(), branch) != branches.end()) continue;
        branches.push_back(branch);
      }
      out.push_back(m);
    }
    return out;
  }
  SipMessage last() const { return sent.back().message(); }
  size_t size() const { return sent.size(); }

  std::vector<Sent> sent;
};

class FakeDirectory : public SipDirectory {
 public:
  std::optional<std::string> trunkAt(std::string_view ip) const override {
    if (ip == kTrunkIp) return std::string("carrier");
    return std::nullopt;
  }
  bool isServedNumber(std::string_view number) const override { return number == kNumber; }
  std::optional<std::string> deviceSecret(std::string_view domain,
                                          std::string_view user) const override {
    if (domain != kDomain) return std::nullopt;
    if (user == "alice") return std::string("alice-secret");
    if (user == "bob") return std::string("bob-secret");
    return std::nullopt;
  }
};

class RecordingListener : public LegListener {
 public:
  struct Event {
    std::string kind;  // incoming, ringing, answered, failed, ended, offer, offer_answered
    LegId leg = 0;
    int status = 0;
    std::string text;  // sdp, or the LegEnd name
  };
  void onIncomingCall(LegId leg, const IncomingCall& call) override {
    calls.push_back(call);
    events.push_back({"incoming", leg, 0, call.sdp});
    if (on_incoming) on_incoming(leg, call);
  }
  void onLegRinging(LegId leg) override {
    events.push_back({"ringing", leg, 0, {}});
    if (on_ringing) on_ringing(leg);
  }
  void onLegAnswered(LegId leg, const std::string& sdp) override {
    events.push_back({"answered", leg, 0, sdp});
    if (on_answered) on_answered(leg);
  }
  void onLegFailed(LegId leg, int status) override {
    events.push_back({"failed", leg, status, {}});
  }
  void onLegEnded(LegId leg, LegEnd end) override {
    events.push_back({"ended", leg, 0, toString(end)});
  }
  void onLegOffer(LegId leg, const std::string& sdp) override {
    events.push_back({"offer", leg, 0, sdp});
    if (on_offer) on_offer(leg, sdp);
  }
  void onLegOfferAnswered(LegId leg, int status, const std::string& sdp) override {
    events.push_back({"offer_answered", leg, status, sdp});
  }
  size_t count(std::string_view kind) const {
    size_t n = 0;
    for (const Event& e : events) n += e.kind == kind ? 1 : 0;
    return n;
  }
  const Event* find(std::string_view kind) const {
    for (const Event& e : events) {
      if (e.kind == kind) return &e;
    }
    return nullptr;
  }

  std::vector<Event> events;
  std::vector<IncomingCall> calls;
  std::function<void(LegId, const IncomingCall&)> on_incoming;
  std::function<void(LegId)> on_ringing;
  std::function<void(LegId)> on_answered;
  std::function<void(LegId, const std::string&)> on_offer;
};

// The text of a request as a peer writes it.
struct Request {
  std::string method = "INVITE";
  std::string uri;
  std::string via;  // "SIP/2.0/UDP host:port;branch=…"
  std::string from;
  std::string to;
  std::string call_id;
  uint32_t cseq = 1;
  std::string extra;  // more header lines, each ending in CRLF
  std::string body;
  std::string content_type = "application/sdp";

  std::string text() const {
    std::string t = method + " " + uri + " SIP/2.0\r\nVia: " + via +
                    "\r\nMax-Forwards: 70\r\nFrom: " + from + "\r\nTo: " + to +
                    "\r\nCall-ID: " + call_id + "\r\nCSeq: " + std::to_string(cseq) + " " + method +
                    "\r\n" + extra;
    if (!body.empty()) t += "Content-Type: " + content_type + "\r\n";
    t += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return t;
  }
};

// A response to a request the endpoint sent, as the far end writes it.
inline std::string responseText(const SipMessage& request, int code, const std::string& to_tag,
                                const std::string& contact = {}, const std::string& body = {},
                                const std::string& reason = "Reason") {
  std::string t = "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n";
  for (auto v : request.headerValues("Via")) t += "Via: " + std::string(v) + "\r\n";
  t += "From: " + std::string(*request.header("From")) + "\r\n";
  std::string to(*request.header("To"));
  if (!to_tag.empty() && toTag(request).empty()) to += ";tag=" + to_tag;
  t += "To: " + to + "\r\nCall-ID: " + std::string(*request.header("Call-ID")) +
       "\r\nCSeq: " + std::string(*request.header("CSeq")) + "\r\n";
  if (!contact.empty()) t += "Contact: " + contact + "\r\n";
  if (!body.empty()) t += "Content-Type: application/sdp\r\n";
  t += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return t;
}

class SipEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override { makeEndpoint({}); }

  void makeEndpoint(SipEndpointOptions options) {
    options.advertised = {"198.51.100.1", 5060};
    options.exempt_sources = {kTrunkIp};
    endpoint = std::make_unique<SipEndpoint>(sender, directory, ids, listener, std::move(options),
                                             std::string_view(kKey));
  }

  // Every test ends with every timer run out and nothing left alive.
  void TearDown() override {
    if (!endpoint || skip_drain) return;
    drain();
    const EndpointCounts c = endpoint->counts();
    EXPECT_EQ(c.legs, 0u);
    EXPECT_EQ(c.dialogs, 0u);
    EXPECT_EQ(c.transactions.total(), 0u);
  }

  void drain() {
    const core::Time limit = now + 48h;
    for (int i = 0; i < 100000; ++i) {
      auto next = endpoint->nextDeadline();
      if (!next || *next > limit) break;
      if (*next > now) now = *next;
      endpoint->onTimer(now);
    }
  }

  // Runs the timers up to `t`.
  void advance(core::Time t) {
    for (int i = 0; i < 100000; ++i) {
      auto next = endpoint->nextDeadline();
      if (!next || *next > t) break;
      if (*next > now) now = *next;
      endpoint->onTimer(now);
    }
    now = t;
    endpoint->onTimer(now);
  }

  void receive(const std::string& text, const Flow& from) { endpoint->receive(text, from, now); }

  Flow trunk() const { return udpFrom(kTrunkIp, 5060); }

  // An INVITE from the trunk to our number.
  Request trunkInvite(const std::string& call_id = "c1@carrier",
                      const std::string& branch = "z9hG4bKtr1") const {
    Request r;
    r.uri = std::string("sip:") + kNumber + "@198.51.100.1";
    r.via = std::string("SIP/2.0/UDP ") + kTrunkIp + ":5060;branch=" + branch;
    r.from = "\"Customer\" <sip:0612345678@192.0.2.10>;tag=cust1";
    r.to = std::string("<sip:") + kNumber + "@198.51.100.1>";
    r.call_id = call_id;
    r.extra = "Contact: <sip:0612345678@192.0.2.10:5060>\r\n";
    r.body = kOffer;
    return r;
  }

  // Sends a trunk INVITE; returns the new leg (0 when none was offered).
  LegId offerTrunkCall(const Request& r) {
    const size_t before = listener.calls.size();
    receive(r.text(), trunk());
    if (listener.calls.size() == before) return 0;
    return listenerLastIncoming();  // the callback may have added events after it
  }
  LegId offerTrunkCall() { return offerTrunkCall(trunkInvite()); }
  LegId listenerLastIncoming() const {
    for (auto it = listener.events.rbegin(); it != listener.events.rend(); ++it) {
      if (it->kind == "incoming") return it->leg;
    }
    return 0;
  }

  // Our To tag on the last response to the trunk call.
  std::string ourTag() const {
    for (auto it = sender.sent.rbegin(); it != sender.sent.rend(); ++it) {
      SipMessage m = it->message();
      if (!m.isRequest() && !toTag(m).empty()) return toTag(m);
    }
    return {};
  }

  // An in-dialog request from the trunk side of an answered trunk call.
  Request trunkInDialog(const std::string& method, uint32_t cseq, const std::string& branch) const {
    Request r = trunkInvite();
    r.method = method;
    r.uri = "sip:sb@198.51.100.1:5060";  // our Contact
    r.via = std::string("SIP/2.0/UDP ") + kTrunkIp + ":5060;branch=" + branch;
    r.to += ";tag=" + ourTag();
    r.cseq = cseq;
    r.extra.clear();
    r.body.clear();
    return r;
  }

  // Answers a trunk call and acknowledges the 200: a confirmed inbound leg.
  LegId confirmedTrunkCall() {
    const LegId leg = offerTrunkCall();
    EXPECT_NE(leg, 0u);
    EXPECT_TRUE(endpoint->answer(leg, kAnswer, now));
    receive(trunkInDialog("ACK", 1, "z9hG4bKack1").text(), trunk());
    return leg;
  }

  // A dial request to alice (203.0.113.5) and bob (203.0.113.6).
  DialRequest twoBranches() const {
    DialRequest d;
    d.branches.push_back(
        {"sip:alice@203.0.113.5:5062", "<sip:alice@acme.example>", udpFrom("203.0.113.5", 5062)});
    d.branches.push_back(
        {"sip:bob@203.0.113.6:5062", "<sip:bob@acme.example>", udpFrom("203.0.113.6", 5062)});
    d.from_user = "0612345678";
    d.from_domain = kDomain;
    d.sdp = kOffer;
    d.timeout = 20s;
    return d;
  }
  // The INVITE sent to `ip` (the first one).
  SipMessage inviteTo(std::string_view ip) const {
    auto v = sender.requestsTo("INVITE", ip);
    EXPECT_FALSE(v.empty()) << ip;
    return v.empty() ? SipMessage::request("BAD", "sip:bad") : v.front();
  }
  void respondFrom(std::string_view ip, const SipMessage& request, int code, const std::string& tag,
                   const std::string& body = {}) {
    const std::string contact = "<sip:callee@" + std::string(ip) + ":5062>";
    receive(responseText(request, code, tag, code < 300 ? contact : std::string{}, body),
            udpFrom(std::string(ip), 5062));
  }

  FakeSender sender;
  FakeDirectory directory;
  SequenceIdSource ids{7};
  RecordingListener listener;
  std::unique_ptr<SipEndpoint> endpoint;
  core::Time now = kT0;
  bool skip_drain = false;
};

}  // namespace sb::sip::endpoint_testing
