#pragma once
// The server's SIP endpoint: the transaction user that sits on the TransactionLayer and
// makes Switchboard a registrar and a back-to-back user agent. Sans-I/O like the rest
// of the layer: bytes and time in (receive, onTimer, commands), bytes out through the
// SipSender, events out through the LegListener.
//
//  - who may call (issue 3 item 6): requests from a trunk address are customer calls to
//    one of the orgs' numbers (else 404); everything else must come from an agent device
//    authenticated by digest (challenge 401; wrong credentials 403, the same for unknown
//    and known users); OPTIONS is answered to anyone; a source that keeps sending bad
//    requests is dropped silently for a while (SourceGuard) and logged once.
//  - registrar (REGISTER for sip:<agent>@<org domain>, Registrar).
//  - legs: an inbound leg per INVITE that opens a call, outbound legs that fork to
//    several contacts (first 2xx wins, the others are CANCELled or, if they answered too,
//    ACKed and hung up), re-INVITE in both directions with glare (491), BYE, CANCEL.
//
// Every leg has a hard bound on each state (ring timeout, answer without ACK, call
// duration, cancelling) and counts() returns to zero once everything has ended.
// Threading: one owning thread; nothing here locks.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "sip/flow.hpp"
#include "sip/registrar.hpp"
#include "sip/transaction.hpp"

namespace sb::sip {

class IdSource;

// What the endpoint needs to know about the contact center; app implements it over a
// snapshot of the directory (acd) so lookups never block.
class SipDirectory {
 public:
  virtual ~SipDirectory() = default;
  // The name of the trunk at source address `ip`, or nullopt.
  virtual std::optional<std::string> trunkAt(std::string_view ip) const = 0;
  // Whether `number` is one of an org's numbers.
  virtual bool isServedNumber(std::string_view number) const = 0;
  // The digest secret of the enabled agent `user` of the org whose SIP domain is
  // `domain` (lower case), or nullopt.
  virtual std::optional<std::string> deviceSecret(std::string_view domain, std::string_view user) const = 0;
};

using LegId = uint64_t;  // never 0, never reused

enum class LegOrigin { kTrunk, kDevice };

struct IncomingCall {
  LegOrigin origin = LegOrigin::kTrunk;
  std::string trunk;        // kTrunk: the trunk's name
  std::string aor;          // kDevice: the authenticated device's "agent@domain"
  std::string number;       // what was dialled (Request-URI user)
  std::string caller;       // From user (the customer's number for trunk calls)
  std::string caller_name;  // From display name
  std::string sdp;          // the offer (validated: audio we can take)
  Flow flow;
};

// One place an outbound leg rings: a registered contact or a trunk.
struct DialBranch {
  std::string request_uri;  // e.g. the contact URI, or sip:<number>@<trunk host:port>
  std::string to;           // To header value (without tag), e.g. <sip:alice@acme.example>
  Flow flow;                // where to send (a binding's flow, or UDP to a trunk)
};

struct DialRequest {
  std::vector<DialBranch> branches;  // rung in parallel
  std::string from_user;             // caller ID user part
  std::string from_name;             // caller ID display name (may be empty)
  std::string from_domain;           // host part of From (empty: our address)
  std::string sdp;                   // our offer
  std::string alert_info;            // Alert-Info value (a distinctive ring, RFC 7462), may be empty
  core::Duration timeout = std::chrono::seconds(30);  // no answer by then: CANCEL, failed 408
};

enum class LegEnd {
  kRemoteHangup,    // BYE from the other side
  kCancelled,       // the caller CANCELled before the answer (inbound)
  kTimeout,         // no ACK, no answer to a request, or the call's maximum duration
  kUnanswered,      // the inbound call was never answered and the layer gave up
  kConnectionLost,  // the TCP/WebSocket connection its signaling used closed
};
const char* toString(LegEnd end);

// Events of the legs. After the listener calls hangup()/reject() on a leg, it gets no
// more events for it; after onLegFailed/onLegEnded the leg no longer exists.
class LegListener {
 public:
  virtual ~LegListener() = default;
  virtual void onIncomingCall(LegId leg, const IncomingCall& call) = 0;
  virtual void onLegRinging(LegId leg) = 0;  // outbound: the first 180/183
  virtual void onLegAnswered(LegId leg, const std::string& sdp) = 0;  // outbound: 200, ACKed
  virtual void onLegFailed(LegId leg, int status) = 0;  // outbound: nobody answered
  virtual void onLegEnded(LegId leg, LegEnd end) = 0;
  // The far end sent a re-INVITE with an offer: answer with answerOffer() or rejectOffer().
  virtual void onLegOffer(LegId leg, const std::string& sdp) = 0;
  // Our reinvite() was answered: 200 with the answer, or a failure status (491 glare…).
  virtual void onLegOfferAnswered(LegId leg, int status, const std::string& sdp) = 0;
};

struct SipEndpointOptions {
  TransactionTimers timers;
  NetAddress advertised;  // our address in Via/Contact when a flow has no local address
  std::string user_agent = "Switchboard";
  core::Duration max_call = std::chrono::hours(12);        // confirmed legs are hung up after
  core::Duration max_ringing = std::chrono::minutes(5);    // cap on DialRequest::timeout
  core::Duration cancel_linger = std::chrono::seconds(32);  // a cancelled leg waits for its 487s
  uint32_t min_expires = 60;
  uint32_t max_expires = 3600;
  uint32_t max_bindings_per_agent = 10;
  int guard_threshold = 16;                                 // bad requests per window…
  core::Duration guard_window = std::chrono::seconds(2);
  core::Duration guard_block = std::chrono::minutes(5);     // …block the source this long
  std::vector<std::string> exempt_sources;                  // never blocked (trunks)
  RegistrarListener* registrations = nullptr;               // told when an agent's devices come and go
};

struct EndpointCounts {
  TransactionCounts transactions;
  size_t legs = 0;        // inbound + outbound legs alive (calls)
  size_t dialogs = 0;     // early and confirmed dialogs we track
  size_t bindings = 0;    // registered contacts
  size_t blocked_sources = 0;
  uint64_t dropped_blocked = 0;  // messages dropped from blocked sources
  uint64_t bad_messages = 0;     // unparseable datagrams/messages
};

class SipEndpoint {
 public:
  SipEndpoint(SipSender& sender, const SipDirectory& directory, IdSource& ids, LegListener& listener,
              SipEndpointOptions options, std::string_view digest_key);
  ~SipEndpoint();
  SipEndpoint(const SipEndpoint&) = delete;
  SipEndpoint& operator=(const SipEndpoint&) = delete;

  // From the socket edge: one datagram or one framed stream message.
  void receive(std::string_view bytes, const Flow& from, core::Time now);
  // A stream connection closed: its registrations go away.
  void connectionClosed(ConnectionId connection, core::Time now);
  // The edge saw garbage it could not even frame (counted against the source).
  void badInput(const Flow& from, std::string_view reason, core::Time now);
  bool isBlocked(std::string_view ip, core::Time now);

  std::optional<core::Time> nextDeadline() const;
  void onTimer(core::Time now);

  // --- inbound legs ---
  bool ring(LegId leg, core::Time now);                       // 180 Ringing
  bool answer(LegId leg, std::string sdp, core::Time now);    // 200 with our answer
  bool reject(LegId leg, int status, core::Time now);         // a final failure (≥ 300)
  // --- outbound legs ---
  LegId dial(DialRequest request, core::Time now);  // 0 when there is no branch
  // --- both ---
  bool reinvite(LegId leg, std::string sdp, core::Time now);  // false while one is pending
  bool answerOffer(LegId leg, std::string sdp, core::Time now);
  bool rejectOffer(LegId leg, int status, core::Time now);
  // Ends the leg whatever its state (BYE, CANCEL or a 480 answer). No more events.
  void hangup(LegId leg, core::Time now);

  // The registered contacts of "agent@domain", best first.
  std::vector<DialBranch> contactsOf(std::string_view aor, core::Time now) const;
  EndpointCounts counts() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::sip
