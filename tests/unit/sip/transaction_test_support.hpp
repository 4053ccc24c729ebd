#pragma once
// Fakes and message builders shared by the transaction tests.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sip/sip_message.hpp"
#include "sip/sip_uri.hpp"
#include "sip/transaction.hpp"

// The tests name only the RequestSpec fields they change (designated initializers);
// GCC's -Wextra would flag every field left to its default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace sb::sip::testing {

inline const core::Time kStart{std::chrono::seconds(1'000)};

inline core::Time at(double seconds) {
  return kStart + core::Duration(static_cast<int64_t>(std::llround(seconds * 1e6)));
}
inline double secondsOf(core::Time t) {
  return std::chrono::duration<double>(t - kStart).count();
}

inline Flow udpFlow(std::string ip = "192.0.2.10", uint16_t port = 5070) {
  Flow f;
  f.transport = TransportKind::kUdp;
  f.remote = {std::move(ip), port};
  f.local = {"198.51.100.1", 5060};
  return f;
}

inline Flow tcpFlow(ConnectionId connection = 7) {
  Flow f;
  f.transport = TransportKind::kTcp;
  f.remote = {"192.0.2.20", 40000};
  f.local = {"198.51.100.1", 5060};
  f.connection = connection;
  return f;
}

inline SipMessage parse(const std::string& text) {
  auto parsed = parseSipMessage(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message) << "\n" << text;
  return parsed.ok() ? std::move(*parsed) : SipMessage::request("BAD", "sip:bad");
}

struct RequestSpec {
  std::string method = "INVITE";
  std::string branch = "z9hG4bKa1";
  std::string via_host = "192.0.2.10:5070";
  std::string via_params;  // e.g. ";rport"
  std::string transport = "UDP";
  std::string to = "<sip:bob@example.com>";
  std::string from_tag = "f1";
  std::string call_id = "call-1@example.com";
  uint32_t cseq = 1;
  std::string cseq_method;  // defaults to method
  std::string extra;        // more header lines, each ending in CRLF
  std::string body;
};

inline std::string requestText(const RequestSpec& s) {
  std::string via = "Via: SIP/2.0/" + s.transport + " " + s.via_host;
  if (!s.branch.empty()) via += ";branch=" + s.branch;
  via += s.via_params + "\r\n";
  return s.method + " sip:bob@example.com SIP/2.0\r\n" + via + "Max-Forwards: 70\r\nTo: " + s.to +
         "\r\nFrom: <sip:alice@example.com>;tag=" + s.from_tag + "\r\nCall-ID: " + s.call_id +
         "\r\nCSeq: " + std::to_string(s.cseq) + " " +
         (s.cseq_method.empty() ? s.method : s.cseq_method) + "\r\n" + s.extra +
         "Content-Length: " + std::to_string(s.body.size()) + "\r\n\r\n" + s.body;
}

inline SipMessage request(const RequestSpec& s) {
  return parse(requestText(s));
}

// A response to `req` as a peer would write it: Via, From, Call-ID, CSeq copied, To
// with `to_tag` when given.
inline SipMessage responseTo(const SipMessage& req, int code, const std::string& to_tag = "") {
  SipMessage r = SipMessage::response(code, "Reason");
  for (auto v : req.headerValues("Via")) r.addHeader("Via", std::string(v));
  r.addHeader("From", std::string(*req.header("From")));
  std::string to(*req.header("To"));
  if (!to_tag.empty()) to += ";tag=" + to_tag;
  r.addHeader("To", to);
  r.addHeader("Call-ID", std::string(*req.header("Call-ID")));
  r.addHeader("CSeq", std::string(*req.header("CSeq")));
  return r;
}

class FakeSender : public SipSender {
 public:
  struct Sent {
    Flow flow;
    std::string bytes;
    core::Time when;
    SipMessage message() const { return parse(bytes); }
  };

  bool send(const Flow& flow, std::string_view bytes) override {
    sent.push_back({flow, std::string(bytes), now});
    return !fail;
  }
  std::vector<double> times() const {
    std::vector<double> out;
    for (const auto& s : sent) out.push_back(secondsOf(s.when));
    return out;
  }
  const Sent& last() const { return sent.back(); }

  std::vector<Sent> sent;
  bool fail = false;
  core::Time now = kStart;  // set by the test driver before each call
};

class FakeUser : public TransactionUser {
 public:
  enum class Kind { kRequest, kAck, kResponse, kStray, kClientFailure, kServerFailure, kCancel };
  struct Event {
    Kind kind;
    TransactionId id = 0;
    std::optional<SipMessage> message;
    Flow flow;
    bool transport_error = false;
  };

  void onRequest(TransactionId id, const SipMessage& request, const Flow& from) override {
    events.push_back({Kind::kRequest, id, request, from});
    if (on_request) on_request(id, request);
  }
  void onAck(const SipMessage& ack, const Flow& from) override {
    events.push_back({Kind::kAck, 0, ack, from});
  }
  void onResponse(TransactionId id, const SipMessage& response, const Flow& from) override {
    events.push_back({Kind::kResponse, id, response, from});
    if (on_response) on_response(id, response);
  }
  void onStrayResponse(const SipMessage& response, const Flow& from) override {
    events.push_back({Kind::kStray, 0, response, from});
  }
  void onClientFailure(TransactionId id, bool transport_error) override {
    events.push_back({Kind::kClientFailure, id, std::nullopt, {}, transport_error});
    if (on_client_failure) on_client_failure(id);
  }
  void onServerFailure(TransactionId id) override {
    events.push_back({Kind::kServerFailure, id, std::nullopt, {}});
  }
  void onCancel(TransactionId invite, const SipMessage& cancel) override {
    events.push_back({Kind::kCancel, invite, cancel, {}});
  }

  size_t count(Kind kind) const {
    size_t n = 0;
    for (const auto& e : events) n += e.kind == kind ? 1 : 0;
    return n;
  }
  const Event* first(Kind kind) const {
    for (const auto& e : events)
      if (e.kind == kind) return &e;
    return nullptr;
  }

  std::vector<Event> events;
  std::function<void(TransactionId, const SipMessage&)> on_request;
  std::function<void(TransactionId, const SipMessage&)> on_response;
  std::function<void(TransactionId)> on_client_failure;
};

// A layer with its fakes and a virtual clock.
class TransactionFixture : public ::testing::Test {
 protected:
  explicit TransactionFixture(TransactionTimers timers = {}) : layer_(user_, sender_, timers) {}

  void setNow(core::Time t) {
    now_ = t;
    sender_.now = t;
  }
  // Fires every timer due up to `until`, each at its own deadline.
  void runUntil(double seconds) {
    core::Time until = at(seconds);
    while (auto next = layer_.nextDeadline()) {
      if (*next > until) break;
      setNow(*next);
      layer_.onTimer(*next);
    }
    setNow(until);
  }
  void receive(SipMessage m, const Flow& from, double seconds) {
    setNow(at(seconds));
    layer_.receive(std::move(m), from, now_);
  }
  TransactionId send(SipMessage m, const Flow& to, double seconds) {
    setNow(at(seconds));
    return layer_.sendRequest(std::move(m), to, now_);
  }
  bool respond(TransactionId id, SipMessage m, double seconds) {
    setNow(at(seconds));
    return layer_.respond(id, std::move(m), now_);
  }

  FakeUser user_;
  FakeSender sender_;
  TransactionLayer layer_;
  core::Time now_ = kStart;
};

using Ev = FakeUser::Kind;

}  // namespace sb::sip::testing
