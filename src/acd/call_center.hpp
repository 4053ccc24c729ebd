#pragma once
// The contact center of one org as pure logic (issue 5, N1–N5, C1–C4): customer calls
// through welcome → menu → queue → agent, agent states, callbacks and call records.
// Events in (each with the time it happened), commands out: every handler returns the
// commands `app` must carry out, in order (answer, play, ring, connect, hang up, timers,
// what to store). No socket, file, thread or wall clock: the simulator drives the same
// code on a virtual clock. One instance per org, on one strand.
//
// The flow of a customer call:
//   arrived → answered, welcome (+ the menu when the org has more than one) → a digit
//   picks the menu (none or a wrong one: asked again, twice, then the first menu) → the
//   menu's queue: please-wait, hold sound, every `announce_every` its position and,
//   when the menu answered enough calls lately, the expected wait →
//   the available agent of that menu waiting longest rings (QueueRouter); no answer
//   within ring_timeout_s → that agent goes on Break and the next one rings, the
//   caller keeping their place → answered: connected and recorded → ended.
//   '*' while waiting offers a callback: '1' confirms (stored, goodbye, hung up, result
//   `callback`), anything else returns to the queue. Nobody serving the menu logged in:
//   the no-agents announcement and the callback offer at once.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "acd/agent_state.hpp"
#include "acd/directory.hpp"
#include "acd/queue_router.hpp"
#include "acd/wait_estimator.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::acd {

using TimerId = std::uint64_t;

struct CallCenterOptions {
  core::Duration menu_timeout = std::chrono::seconds(6);  // for a digit after the menu played
  int menu_attempts = 3;                                   // asked at most this often
  core::Duration announce_every = std::chrono::seconds(30);
  core::Duration callback_timeout = std::chrono::seconds(8);  // to press 1 after '*'
};

enum class CallResult { kAnswered, kUnconnected, kCallback, kNoAgent, kRejected, kFailed, kInterrupted };
const char* toString(CallResult r);  // "answered", "unconnected", "callback", "no_agent", …
std::optional<CallResult> parseCallResult(std::string_view s);

enum class CallDirection { kInbound, kOutbound, kInternal };
const char* toString(CallDirection d);  // "inbound", "outbound", "internal"
std::optional<CallDirection> parseCallDirection(std::string_view s);

// One ring of an agent for a call, and how it ended.
enum class OfferOutcome { kRinging, kAnswered, kMissed, kWithdrawn };
const char* toString(OfferOutcome o);  // "ringing" (not ended yet), "answered", "missed", "withdrawn"
std::optional<OfferOutcome> parseOfferOutcome(std::string_view s);
struct OfferRecord {
  OfferRecord() = default;
  OfferRecord(AgentKey a, core::Time ringing_at, OfferOutcome o, std::optional<core::Time> answered_at = {},
              core::Duration held = {})
      : agent(a), at(ringing_at), outcome(o), answered(answered_at), hold(held) {}
  AgentKey agent = 0;
  core::Time at{};  // when it started ringing
  OfferOutcome outcome = OfferOutcome::kRinging;
  // Answered: when this agent started talking (it talks until the next answered offer,
  // a transfer, or the end) and how long it held the customer meanwhile (statistics).
  std::optional<core::Time> answered;
  core::Duration hold{};
  bool operator==(const OfferRecord&) const = default;
};

// G1–G5: what an agent wrote about a call after it: one note per agent and call (a
// transferred call can have one from each agent who spoke with the customer).
struct CallNote {
  AgentKey author = 0;
  std::string category;  // one of the org's categories when written
  std::string text;      // at most kMaxNoteChars Unicode characters
  core::Time created{}, updated{};
  bool operator==(const CallNote&) const = default;
};
inline constexpr std::size_t kMaxNoteChars = 1024;  // G4

struct CallRecord {
  CallId call = 0;
  OrgId org = 0;
  CallDirection direction = CallDirection::kInbound;
  std::string caller;  // the customer's number
  std::string called;  // the org number dialled
  std::optional<MenuIndex> menu;
  std::vector<OfferRecord> offers;   // every agent it rang, in order
  std::optional<AgentKey> agent;     // who answered
  core::Time arrived{};
  std::optional<core::Time> queued, answered;
  core::Time ended{};
  CallResult result = CallResult::kUnconnected;
  std::string ended_by;  // "customer", "agent" or "system"
  // Why: "hangup" (BYE/CANCEL), "media_timeout", "connection_lost", "signaling_timeout",
  // "callback" (the caller asked for one), "no_agent" (an org without menus, or the
  // caller left while nobody serving the menu was logged in).
  std::string end_reason;
  core::Duration hold{};  // the agent held the customer this long in all
  std::string recording;  // the recording file (app fills it in), empty when none
  std::optional<std::int64_t> callback;  // the callback request this call was dialled for (E4, K2)
  std::optional<CallId> from_call;       // the history entry it was dialled from (E4)
  std::vector<CallNote> notes;  // read from the store; the contact center never fills it
  // The customer's number: the caller of an inbound call, the number an outbound call
  // dialled; empty for an internal (agent-to-agent) call.
  const std::string& customer() const;
  core::Duration wait() const;  // arrival → answer (or → end when unanswered)
  core::Duration talk() const;  // answer → end
};

// --- commands ---
struct AnswerCall { CallId call; };
// Prompt names as in docs/prompts.md ("welcome", "press_1", "hold", …); `menu_<d>` is an
// org's own recording of what menu d is (skipped when the org has none); "number:N" is
// N said in the org's language (the player expands it: PromptLibrary::numberNames).
struct PlayPrompts {
  CallId call;
  std::vector<std::string> prompts;
  bool loop = false;
  bool interruptible = false;
  std::uint64_t play_id = 0;  // promptFinished() names it
};
struct StopPlaying { CallId call; };
struct RingAgent {
  CallId call;
  AgentKey agent;
  std::string caller;     // for the phone's display
  std::string menu_name;  // the menu the caller chose
  core::Duration timeout;
  bool transfer = false;  // F4: the call is connected to another agent, who stays on it meanwhile
};
struct StopRinging { CallId call; AgentKey agent; };
// Bridge and start recording; for a transfer (F4) the new agent replaces the one talking,
// whose leg ends, and the recording goes on with the new agent.
struct ConnectAgent { CallId call; AgentKey agent; bool transfer = false; };
// An agent's own call as the contact center sees it (E1–E4, N6).
struct OutboundCall {
  CallDirection direction = CallDirection::kOutbound;  // or kInternal (to another agent)
  std::string caller_id;  // outbound: the org's number shown; internal: the calling agent's ID
  std::string number;     // outbound: the number dialled (national form); internal: the callee's ID
  AgentKey callee = 0;    // internal: the agent called
  std::optional<CallId> from_call;        // E4: dialled from this history entry
  std::optional<std::int64_t> callback;   // E4, K2: dialled for this callback
  bool from_app = false;  // the app asked (DialOut: the agent's own phone rings first)
};
// E1 from the app: ring the agent's own phone, and once it answers, dial `call.number`
// through the trunk (outbound) or ring the callee's phone (internal).
struct DialOut { CallId call; AgentKey agent; OutboundCall spec; };
// F3/F4: the contact center holds the connected customer (the app's hold button, or a
// transfer ringing): the customer hears the hold sound and nothing of the agent.
struct HoldCustomer { CallId call; bool held; };
struct HangUpCall { CallId call; };                     // end every leg of the call
struct StartTimer { TimerId timer; core::Time at; };
struct CancelTimer { TimerId timer; };
struct SaveAgentState { AgentKey agent; StateChange change; };
struct SaveCallRecord { CallRecord record; };
struct SaveCallback { CallId call; std::string number; MenuIndex menu; core::Time at; };

// What the agents' apps are told about a call (the events WebSocket, docs/events.md):
// `record` as it is at that moment.
enum class CallNoticeKind {
  kOffered,           // `agent`'s phone rings with the call
  kAnswered,          // `agent` took it
  kHeld,              // the customer is on hold (the app's button or the phone's)
  kResumed,           // back from hold
  kTransferRinging,   // `agent` transfers it to `target`, whose phone rings
  kTransferAnswered,  // `target` took it over; `agent` is done with it
  kTransferReturned,  // `target` did not answer: the call is `agent`'s again
  kEnded,
};
struct CallNotice {
  CallNoticeKind kind;
  CallRecord record;
  AgentKey agent = 0;   // the agent concerned (0: none, e.g. a call that ended unanswered)
  AgentKey target = 0;  // of a transfer; for kOffered of a transfer: the agent offering it
  core::Time at{};
};

using Command = std::variant<AnswerCall, PlayPrompts, StopPlaying, RingAgent, StopRinging, ConnectAgent,
                             HoldCustomer, DialOut, HangUpCall, StartTimer, CancelTimer, SaveAgentState, SaveCallRecord,
                             SaveCallback, CallNotice>;

// A call an agent is on or being offered (GET /api/v1/me/call).
struct LiveCall {
  CallRecord record;  // so far (ended and result not yet)
  enum class Stage { kRinging, kDialing, kConnected } stage = Stage::kRinging;
  bool held = false;
  std::optional<core::Time> held_since;
  AgentKey transfer_to = 0;  // a transfer rings this agent (0: none)
};
using Commands = std::vector<Command>;

class CallCenter {
 public:
  CallCenter(Org org, const std::vector<Agent>& agents, CallCenterOptions options = {});

  // --- customer calls ---
  Commands callArrived(CallId call, std::string caller, std::string number, core::Time now);
  Commands digit(CallId call, char digit, core::Time now);
  Commands promptFinished(CallId call, std::uint64_t play_id, core::Time now);
  Commands agentAnswered(CallId call, AgentKey agent, core::Time now);
  // The agent's device refused or could not be reached (busy, 480, no device): the same as
  // no answer, without waiting for the ring timeout.
  Commands ringFailed(CallId call, AgentKey agent, core::Time now);
  // `reason` as CallRecord::end_reason ("hangup", "media_timeout", …).
  Commands customerHungUp(CallId call, core::Time now, std::string_view reason = "hangup");
  Commands agentHungUp(CallId call, core::Time now, std::string_view reason = "hangup");
  // The agent put the connected customer on hold or took them back (F3): hold time.
  Commands holdChanged(CallId call, bool held, core::Time now);

  // --- what an agent does with its connected call from the app ---
  // F3: hold or take back. kNotFound: not a call `agent` is talking on; kConflict: not
  // connected yet, or a transfer is ringing.
  core::Result<Commands> holdRequested(CallId call, AgentKey agent, bool held, core::Time now);
  // F4: ring `target` (Ready, with a reachable device, not ringing: kConflict otherwise)
  // while the customer hears the hold sound; on answer the target takes the call over
  // (same record, same recording) and `agent` goes to the after-call state; no answer
  // within the ring timeout (or refused) → the target goes on Break and the call is
  // `agent`'s again. If `agent` hangs up meanwhile the transfer goes on (blind); if it
  // then fails, the call ends. kNotFound: not a call `agent` is talking on.
  core::Result<Commands> transferRequested(CallId call, AgentKey agent, AgentKey target, core::Time now);
  // D3: the agent hangs up from the app (as agentHungUp, for the agent's own call only).
  core::Result<Commands> hangUpRequested(CallId call, AgentKey agent, core::Time now);
  // The call `agent` is on or being offered, if any.
  std::optional<LiveCall> liveCallOf(AgentKey agent) const;
  Commands timerFired(TimerId timer, core::Time now);

  // --- an agent's own calls (E2): its phone dials a number (out through the trunk) ---
  // The agent is OnCall from now (when logged in) and offered nothing until it ends; the
  // record is direction outbound, caller = the org number shown, called = `number`.
  Commands outboundStarted(CallId call, AgentKey agent, std::string caller_id, std::string number, core::Time now);
  // The general form (E1–E4, N6). From the app (spec.from_call) the agent must be logged
  // in and neither Ringing nor OnCall (kConflict), and the commands start with DialOut.
  // Internal: the callee must be an agent of the org (kNotFound) that is neither Ringing
  // nor OnCall (kConflict "the agent is busy"); a Ready callee goes Ringing (no customer
  // call is offered to it meanwhile), and any logged-in callee goes OnCall when it
  // answers and to the after-call state when it ends; a callee that does not answer is
  // left as it was (a Ready one is Ready again).
  core::Result<Commands> dialStarted(CallId call, AgentKey agent, OutboundCall spec, core::Time now);
  Commands outboundAnswered(CallId call, core::Time now);
  // `by`: "agent" or "customer" (the far end); unanswered calls end as unconnected.
  Commands outboundEnded(CallId call, std::string_view by, std::string_view reason, core::Time now);

  // --- agents ---
  Commands agentLoggedIn(AgentKey agent, core::Time now);
  Commands agentLoggedOut(AgentKey agent, core::Time now);
  // C1/C3: an error (nothing changed) or the commands of the change.
  core::Result<Commands> agentRequested(AgentKey agent, AgentState state, core::Time now);
  // Whether the agent has a registered device calls can ring.
  Commands deviceReachable(AgentKey agent, bool reachable, core::Time now);

  // At start: the agent's state as restored from storage (no call survives a restart,
  // so never Ringing or OnCall). Unknown agents are ignored.
  void restoreAgent(AgentKey agent, AgentStatus status);
  // The org's settings or agents changed (an admin import, a PATCH): menus, ring timeout
  // and after-call state apply from now on; a new agent is known (Offline); an agent's
  // new menus take effect at once, keeping their place among the idle; an agent disabled
  // is logged out (a call in progress is not cut) and never offered again. Agents not
  // in `agents` are left as they are (the directory may predate them).
  Commands updateDirectory(Org org, const std::vector<Agent>& agents, core::Time now);
  // One agent of the org as the directory has it now (as updateDirectory, for one).
  Commands updateAgent(const Agent& agent, core::Time now);

  const AgentStatus* agentStatus(AgentKey agent) const;
  // Whether the agent has a device calls can ring now (as deviceReachable last said;
  // false for an unknown or removed agent). An offer and a transfer (F4) need it, with
  // the state Ready.
  bool reachable(AgentKey agent) const;
  const Agent* agent(AgentKey agent) const;  // as the directory last had it
  const Org& org() const { return org_; }
  const QueueRouter& router() const { return router_; }
  const std::string& language() const { return language_; }
  std::size_t activeCalls() const { return calls_.size(); }

  static TimerId timerId(CallId call, int kind) { return call * 4 + static_cast<TimerId>(kind); }

 private:
  enum class Stage { kMenu, kQueued, kCallbackConfirm, kOffered, kConnected, kClosing, kDialing };
  enum TimerKind { kMenuTimer = 0, kAnnounceTimer = 1, kRingTimer = 2, kCallbackTimer = 3 };
  struct Call {
    CallRecord record;
    Stage stage = Stage::kMenu;
    int menu_attempts = 0;
    std::uint64_t play_id = 0;          // of what plays now
    std::uint64_t hold_after_play = 0;  // when this play ends, the hold sound resumes
    std::optional<AgentKey> ringing;
    std::optional<AgentKey> talking;      // the agent connected now (a transfer changes it)
    std::optional<AgentKey> transfer_to;  // a transfer rings this agent
    bool phone_held = false;              // the agent's phone holds (re-INVITE)
    bool app_held = false;                // the app's hold button
    std::optional<core::Time> held_since;
    bool agent_on_call = false;  // the agent's state is OnCall for this call
    AgentKey callee = 0;         // an internal call's callee
    bool callee_ringing = false;  // its state is Ringing for this call
    bool callee_on_call = false;  // its state is OnCall for this call
    std::optional<core::Time> timers[4];
  };
  struct AgentInfo {
    Agent agent;
    MenuSet menus = 0;
    AgentStatus status;
    bool reachable = false;
    bool removed = false;  // disabled or deleted since: never offered again
    core::Time available_since{};
  };

  Call* find(CallId call);
  AgentInfo* findAgent(AgentKey agent);
  std::uint64_t play(Commands& out, Call& c, std::vector<std::string> prompts, bool interruptible,
                     bool loop = false);
  void startTimer(Commands& out, Call& c, int kind, core::Time at);
  void cancelTimer(Commands& out, Call& c, int kind);
  void playMenu(Commands& out, Call& c, const char* first);  // first: a prompt before the menu
  void chooseMenu(Commands& out, Call& c, MenuIndex menu, core::Time now);
  void hold(Commands& out, Call& c);
  void ring(Commands& out, const Offer& offer, core::Time now);
  void offerCallback(Commands& out, Call& c, core::Time now);
  void backToQueue(Commands& out, Call& c, core::Time now);
  // The ringing agent did not answer: Break, and the caller goes to the next agent.
  void offerMissed(Commands& out, Call& c, core::Time now);
  // The caller leaves the queue (hung up, or deciding on a callback); a ringing offer is
  // withdrawn and its agent is Ready again.
  void leaveQueue(Commands& out, Call& c, core::Time now);
  void finish(Commands& out, Call& c, CallResult result, const char* by, std::string_view reason, core::Time now);
  void endOffer(Call& c, OfferOutcome outcome);
  // Held = the phone or the app holds; hold time and the held/resumed notices follow it.
  void updateHold(Commands& out, Call& c, core::Time now);
  // The transfer's target did not answer (or the call ends): its offer ends as `outcome`.
  void endTransfer(Commands& out, Call& c, OfferOutcome outcome, core::Time now);
  Call* talkingCall(CallId call, AgentKey agent);  // a connected call `agent` is talking on
  OfferRecord* talkingOffer(Call& c);               // the answered offer of the agent talking now
  void notify(Commands& out, CallNoticeKind kind, const Call& c, AgentKey agent, core::Time now,
              AgentKey target = 0);
  void changeState(Commands& out, AgentInfo& a, const StateChange& change);
  void updateAvailability(Commands& out, AgentInfo& a, core::Time now);
  bool anyoneLoggedIn(MenuIndex menu) const;
  std::vector<std::string> announcement(MenuIndex menu, std::size_t position, core::Time now) const;
  std::string menuName(MenuIndex menu) const;

  Org org_;
  CallCenterOptions options_;
  std::string language_ = "ko";  // of the org's prompts (by its country code)
  QueueRouter router_;
  std::array<WaitEstimator, kMenuCount> waits_;  // per menu, from its recent answers
  std::unordered_map<CallId, Call> calls_;
  std::unordered_map<AgentKey, AgentInfo> agents_;
  std::uint64_t next_play_ = 1;
};

}  // namespace sb::acd
