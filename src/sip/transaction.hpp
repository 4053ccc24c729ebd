#pragma once
// SIP transactions (RFC 3261 §17, with the INVITE fixes of RFC 6026), sans-I/O.
//
// The layer owns every client and server transaction. Messages come in through
// receive(), requests and responses go out through the SipSender, and everything the
// transaction user (the UA core: dialogs, registrar, B2BUA) must know arrives on its
// TransactionUser. Time is passed in; the owner arms one timer for nextDeadline() and
// calls onTimer(now) when it fires. Nothing here touches a socket or a clock.
//
// Timers (T1 = 500 ms, T2 = 4 s, T4 = 5 s by default):
//  client INVITE      A (retransmit, UDP, doubling from T1), B (64·T1 → timeout),
//                     D (32 s UDP, 0 streams: absorb 3xx–6xx retransmissions),
//                     M (64·T1 in Accepted: pass 2xx retransmissions to the user, RFC 6026)
//  client non-INVITE  E (retransmit, UDP, doubling to T2; T2 once Proceeding),
//                     F (64·T1 → timeout), K (T4 UDP, 0 streams)
//  server INVITE      G (retransmit 3xx–6xx, UDP, doubling to T2), H (64·T1 → no ACK),
//                     I (T4 UDP, 0 streams), L (64·T1 in Accepted, RFC 6026),
//                     and 2xx retransmission (T1 doubling to T2) until acknowledged()
//  server non-INVITE  J (64·T1 UDP, 0 streams)
// Hard bounds: a server transaction the user never answers is answered by the layer
// (INVITE: 408 after `max_invite_pending`; non-INVITE: 500 after 64·T1) and reported.
// A client INVITE in Proceeding (RFC 3261 sets no timer there) fails as a timeout
// `max_invite_pending` + 64·T1 after its first provisional.
// Transactions are destroyed only inside onTimer() (a zero timer such as D/K/I/J on a
// stream is due at once), so a message or request handed to a callback stays valid
// for the whole callback. A transport error (sender.send() false) ends the
// transaction and is reported from the next onTimer(), due at once: a caller never
// hears of an id before sendRequest() returned it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "sip/flow.hpp"
#include "sip/sip_message.hpp"

namespace sb::sip {

using TransactionId = uint64_t;  // never 0; never reused in one layer's lifetime

struct TransactionTimers {
  core::Duration t1 = std::chrono::milliseconds(500);
  core::Duration t2 = std::chrono::seconds(4);
  core::Duration t4 = std::chrono::seconds(5);
  core::Duration timer_d = std::chrono::seconds(32);            // unreliable transports only
  core::Duration max_invite_pending = std::chrono::minutes(5);  // server INVITE without final
};

// The transaction user. Callbacks run synchronously inside receive()/onTimer()/send…;
// a callback may call back into the layer (respond, sendRequest, acknowledged).
class TransactionUser {
 public:
  virtual ~TransactionUser() = default;
  // A new request (not ACK, not a retransmission) opened server transaction `id`.
  // The top Via already carries `received` (always) and `rport=<port>` (when asked).
  virtual void onRequest(TransactionId id, const SipMessage& request, const Flow& from) = 0;
  // An ACK that matched no server transaction: the ACK of a 2xx (new branch), for the
  // dialog layer to match. ACKs of 3xx–6xx are absorbed by their transaction.
  virtual void onAck(const SipMessage& ack, const Flow& from) = 0;
  // A response of client transaction `id`: every provisional, the final, and (INVITE,
  // Accepted state) every further 2xx, including 2xx retransmissions and 2xx from other
  // forks, so that the user can ACK each one.
  virtual void onResponse(TransactionId id, const SipMessage& response, const Flow& from) = 0;
  // A response that matched no client transaction (e.g. a 2xx after Timer M). RFC 3261
  // says discard; a B2BUA may still ACK + BYE a stray 2xx.
  virtual void onStrayResponse(const SipMessage& response, const Flow& from) = 0;
  // Client transaction `id` got no final response in time (Timer B / F), or the
  // transport could not send it. The user acts as for a 408 / 503.
  virtual void onClientFailure(TransactionId id, bool transport_error) = 0;
  // Server transaction `id`: the user never answered and the layer sent 408 (INVITE) or
  // 500 (non-INVITE), or a 2xx / 3xx–6xx was never acknowledged (Timer H, 2xx timeout),
  // or the transport failed while sending a response.
  virtual void onServerFailure(TransactionId id) = 0;
  // A CANCEL whose INVITE server transaction is `invite`. The layer has already answered
  // the CANCEL with 200; when the INVITE is still without final response, the user
  // should answer it 487 (the layer does not, so the user can clean up first).
  // A CANCEL that matches nothing is answered 481 by the layer and not reported.
  virtual void onCancel(TransactionId invite, const SipMessage& cancel) = 0;
};

struct TransactionCounts {
  size_t client_invite = 0, client_non_invite = 0;
  size_t server_invite = 0, server_non_invite = 0;
  size_t total() const {
    return client_invite + client_non_invite + server_invite + server_non_invite;
  }
};

class TransactionLayer {
 public:
  TransactionLayer(TransactionUser& user, SipSender& sender, TransactionTimers timers = {});
  ~TransactionLayer();
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;

  // A parsed message from the network. Requests get `received`/`rport` on their top Via;
  // retransmitted requests are absorbed (the last response is sent again); responses are
  // matched by top-Via branch + CSeq method (RFC 3261 §17.1.3); requests by branch
  // (magic cookie z9hG4bK) + sent-by + method, or by the RFC 2543 rule without cookie.
  void receive(SipMessage message, const Flow& from, core::Time now);

  // Starts a client transaction. `request` is complete: its top Via has a fresh
  // z9hG4bK branch (unique per transaction; a CANCEL reuses its INVITE's branch).
  // ACK is not a transaction: send an ACK for a 2xx with sendStateless().
  // Returns 0 (nothing started) for a request without a parseable top Via branch or
  // CSeq, or whose branch + method is already in use; an ACK is sent statelessly and
  // also returns 0.
  TransactionId sendRequest(SipMessage request, const Flow& to, core::Time now);

  // Answers server transaction `id` (any 1xx–6xx). A response to a transaction that no
  // longer exists or already has a final response is ignored (returns false); so is a
  // 2xx retransmission: the layer retransmits the 2xx itself until acknowledged().
  bool respond(TransactionId id, SipMessage response, core::Time now);

  // The dialog layer matched the ACK of the 2xx sent on INVITE server transaction `id`.
  void acknowledged(TransactionId id, core::Time now);

  // Sends without a transaction (ACK for a 2xx, a response to a request that could not
  // get a transaction). Returns what the sender returned.
  bool sendStateless(const SipMessage& message, const Flow& to);

  // The request of a transaction (e.g. to build a 487 for onCancel), or null once it
  // ended. flow(): where a client request goes / where a server request came from.
  const SipMessage* request(TransactionId id) const;
  const Flow* flow(TransactionId id) const;

  // The earliest time onTimer() must be called, or nullopt when nothing is pending.
  std::optional<core::Time> nextDeadline() const;
  void onTimer(core::Time now);

  TransactionCounts counts() const;

  // Where a response to `request` (received on `from`) goes: the connection it came on
  // for streams; for UDP the source address, with the port from rport when the request
  // asked for it (RFC 3581), else the Via sent-by port (5060 when absent).
  static Flow responseFlow(const SipMessage& request, const Flow& from);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::sip
