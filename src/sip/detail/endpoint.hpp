#pragma once
// Private to the sip layer: the state behind SipEndpoint, shared by sip_endpoint.cpp
// (requests, authentication, registrar, timers) and sip_legs.cpp (the INVITE sessions).
#include <deque>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sip/digest.hpp"
#include "sip/registrar.hpp"
#include "sip/sip_endpoint.hpp"
#include "sip/sip_ids.hpp"
#include "sip/sip_message.hpp"
#include "sip/source_guard.hpp"
#include "sip/transaction.hpp"

namespace sb::sip {

// The state of one dialog as one side sees it (RFC 3261 §12).
struct Dialog {
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;
  std::string local_uri;   // our From/To value, with our tag
  std::string remote_uri;  // theirs, with their tag (once known)
  std::string remote_target;
  std::vector<std::string> route_set;
  uint32_t local_cseq = 1;
  uint32_t remote_cseq = 0;
  bool remote_cseq_set = false;
  Flow flow;  // in-dialog requests go here (symmetric: where the dialog was set up)
};

struct Branch {  // one INVITE of an outbound leg
  TransactionId txn = 0;
  SipMessage invite;
  Flow flow;
  std::string remote_tag;
  bool provisional = false;  // a 1xx came: CANCEL may be sent
  bool cancel_pending = false;
  bool cancelled = false;
  bool done = false;
  int final_status = 0;
};

enum class LegState {
  kOffered,      // inbound INVITE without final response
  kCalling,      // outbound, branches ringing
  kAnswered,     // inbound: 2xx sent, waiting for the ACK
  kConfirmed,
  kCancelling,   // outbound, hung up or timed out before the answer: waiting for 487s
};

struct Leg {
  LegId id = 0;
  bool outbound = false;
  LegState state = LegState::kOffered;
  bool detached = false;  // the listener hung up: no more events
  Dialog dialog;
  // inbound
  TransactionId invite_txn = 0;
  // outbound
  std::vector<Branch> branches;
  bool ringing_reported = false;
  std::string contact;  // our Contact value for this leg
  // re-INVITE
  TransactionId reinvite_in = 0;    // server transaction waiting for answerOffer
  TransactionId reinvite_out = 0;   // client transaction waiting for a final response
  TransactionId awaiting_ack = 0;   // server transaction whose 2xx waits for its ACK
  uint32_t awaiting_ack_cseq = 0;
  std::string last_ack;             // the ACK we sent for the last 2xx (resent on retransmissions)
  uint32_t last_ack_cseq = 0;
  std::string local_sdp;
  // the one timer of the leg's current state (ring timeout, linger, call duration)
  std::optional<std::multimap<core::Time, LegId>::iterator> timer;
};

enum class TxnRole { kInboundInvite, kInboundReinvite, kBranchInvite, kCancel, kBye, kReinvite, kStrayBye };
struct TxnRef {
  TxnRole role;
  LegId leg = 0;
  size_t branch = 0;
};

struct SipEndpoint::Impl : TransactionUser {
  Impl(SipSender& sender, const SipDirectory& directory, IdSource& ids, LegListener& listener,
       SipEndpointOptions options, std::string_view digest_key);

  // TransactionUser
  void onRequest(TransactionId id, const SipMessage& request, const Flow& from) override;
  void onAck(const SipMessage& ack, const Flow& from) override;
  void onResponse(TransactionId id, const SipMessage& response, const Flow& from) override;
  void onStrayResponse(const SipMessage& response, const Flow& from) override;
  void onClientFailure(TransactionId id, bool transport_error) override;
  void onServerFailure(TransactionId id) override;
  void onCancel(TransactionId invite, const SipMessage& cancel) override;

  // sip_endpoint.cpp
  void respond(TransactionId id, const SipMessage& request, int status, std::string_view to_tag = {});
  void handleOutOfDialog(TransactionId id, const SipMessage& request, const Flow& from);
  void handleRegister(TransactionId id, const SipMessage& request, const Flow& from);
  void handleOptions(TransactionId id, const SipMessage& request);
  // The authenticated "user@realm", or nullopt after answering 401/403 itself.
  std::optional<std::string> authenticate(TransactionId id, const SipMessage& request, const Flow& from,
                                          std::string_view realm);
  void recordBad(const Flow& from, std::string_view reason);
  void addAllow(SipMessage& message) const;
  std::string viaFor(const Flow& flow, const std::string& branch) const;
  std::string contactFor(const Flow& flow) const;
  NetAddress localAddress(const Flow& flow) const;

  // sip_legs.cpp
  void handleInvite(TransactionId id, const SipMessage& request, const Flow& from, IncomingCall call);
  void handleInDialog(TransactionId id, const SipMessage& request, const Flow& from);
  void onBranchResponse(Leg& leg, size_t index, const SipMessage& response);
  void onReinviteResponse(Leg& leg, const SipMessage& response);
  void branchFinished(Leg& leg, size_t index, int status);
  void cancelBranch(Leg& leg, Branch& branch);
  void cancelOtherBranches(Leg& leg, size_t keep);
  void ackAndBye(const SipMessage& response, const Flow& flow, bool hang_up = true);
  SipMessage inDialogRequest(Leg& leg, std::string_view method, bool new_cseq = true);
  SipMessage ackFor(const Dialog& dialog, uint32_t cseq, const std::string& contact);
  void sendBye(Leg& leg);
  void endLeg(Leg& leg, std::optional<LegEnd> report);  // removes it
  void destroyLeg(LegId id);
  void armLegTimer(Leg& leg, core::Time at);
  void disarmLegTimer(Leg& leg);
  void onLateResponse(const SipMessage& response, const Flow& from);
  // Outbound dialogs we ended (BYE sent) in the last 64·T1: a retransmitted 2xx for one
  // is ACKed again, never hung up a second time.
  void rememberEnded(const std::string& call_id, const std::string& local_tag);
  bool isRecentlyEnded(std::string_view call_id, std::string_view local_tag);
  void pruneEnded();
  void onLegTimer(LegId id);
  // A stream connection closed: the legs whose signaling went over it cannot be reached.
  void connectionLost(ConnectionId connection);
  Leg* findLeg(LegId id);
  std::pair<Leg*, const SipMessage*> offeredInvite(LegId id);
  Leg* findDialogLeg(std::string_view call_id, std::string_view local_tag);
  void bindDialog(Leg& leg, const std::string& call_id, const std::string& local_tag);
  void unbindDialog(const std::string& call_id, const std::string& local_tag);
  static std::string dialogKey(std::string_view call_id, std::string_view local_tag);
  bool sendRequestOn(Leg& leg, TxnRole role, SipMessage request, const Flow& flow, size_t branch = 0);

  SipSender& sender;
  const SipDirectory& directory;
  IdSource& ids;
  LegListener& listener;
  SipEndpointOptions options;
  TransactionLayer layer;
  DigestAuthenticator digest;
  Registrar registrar;
  SourceGuard guard;
  core::Time now{};

  LegId next_leg = 1;
  std::unordered_map<LegId, std::unique_ptr<Leg>> legs;
  std::unordered_map<std::string, LegId> dialogs;  // call-id \x1f local tag → leg
  std::unordered_map<TransactionId, TxnRef> txns;
  std::multimap<core::Time, LegId> timers;
  std::unordered_set<std::string> ended_dialogs;
  std::deque<std::pair<core::Time, std::string>> ended_order;  // by expiry
  uint64_t dropped_blocked = 0;
  uint64_t bad_messages = 0;
};

}  // namespace sb::sip
