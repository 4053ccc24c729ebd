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
  AgentKey agent = 0;
  core::Time at{};  // when it started ringing
  OfferOutcome outcome = OfferOutcome::kRinging;
  bool operator==(const OfferRecord&) const = default;
};

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
  // "callback" (the caller asked for one), "no_agent" (an org without menus).
  std::string end_reason;
  core::Duration hold{};  // the agent held the customer this long in all
  std::string recording;  // the recording file (app fills it in), empty when none
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
};
struct StopRinging { CallId call; AgentKey agent; };
struct ConnectAgent { CallId call; AgentKey agent; };  // bridge and start recording
struct HangUpCall { CallId call; };                     // end every leg of the call
struct StartTimer { TimerId timer; core::Time at; };
struct CancelTimer { TimerId timer; };
struct SaveAgentState { AgentKey agent; StateChange change; };
struct SaveCallRecord { CallRecord record; };
struct SaveCallback { CallId call; std::string number; MenuIndex menu; core::Time at; };

using Command = std::variant<AnswerCall, PlayPrompts, StopPlaying, RingAgent, StopRinging, ConnectAgent,
                             HangUpCall, StartTimer, CancelTimer, SaveAgentState, SaveCallRecord, SaveCallback>;
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
  Commands timerFired(TimerId timer, core::Time now);

  // --- an agent's own calls (E2): its phone dials a number (out through the trunk) ---
  // The agent is OnCall from now (when logged in) and offered nothing until it ends; the
  // record is direction outbound, caller = the org number shown, called = `number`.
  Commands outboundStarted(CallId call, AgentKey agent, std::string caller_id, std::string number, core::Time now);
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
    std::optional<core::Time> held_since;
    bool agent_on_call = false;  // the agent's state is OnCall for this call
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
