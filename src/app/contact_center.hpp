#pragma once
// The contact center at work: one acd::CallCenter per org, driven on one strand (the
// SIP thread's), its commands carried out — telephony through CenterTelephony (the SIP
// legs and media of CallLegs), records through CenterWriter, timers on an Asio timer —
// and the live agent states served to the API (api::AgentStates).
//
// Why the strand of SIP: the events that drive routing (a call arriving, a digit, a
// phone answering or registering) start there, and the decisions take microseconds, so
// running them where they start costs no hop; everything else (the API's agent
// requests, the directory refresh) is posted to it. The store is never touched on the
// strand: writes queue to CenterWriter's thread.
//
// docs/acd.md has the flow and the reasons; docs/agents.md the agent states.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <array>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "acd/agent_state_store.hpp"
#include "acd/call_center.hpp"
#include "acd/center_store.hpp"
#include "api/agent_states.hpp"
#include "api/call_control.hpp"
#include "api/event_hub.hpp"
#include "app/center_writer.hpp"
#include "app/sip_directory.hpp"
#include "core/clock.hpp"

namespace sb::app {

// Who a ring goes to and what their phone shows.
struct RingTarget {
  std::string aor;        // "<agent id>@<org domain>": the registered contacts to ring
  std::string caller;     // the customer's number (From)
  std::string menu_name;  // the menu the customer chose (From's display name)
  core::Duration timeout{};
  bool transfer = false;  // another agent is transferring the call (F4)
};

// Where an agent's own call goes (E1, E3, N6), decided by the contact center's dial plan.
struct DialRoute {
  enum class Kind { kTrunk, kAgent } kind = Kind::kTrunk;
  std::string number;       // kTrunk: the national number for the trunk
  std::string agent_aor;    // kAgent: "<callee id>@<org domain>", whose devices ring
  std::string caller_id;    // From's user: the org's number (trunk) or the calling agent's ID
  std::string caller_name;  // From's display name: the calling agent's name (kAgent)
  std::string org_domain;   // recordings folder, From's domain towards agents
};

// The telephony half of the commands (implemented by CallLegs on the same strand). Each
// names the call by the id the contact center gave it in callArrived.
class CenterTelephony {
 public:
  virtual ~CenterTelephony() = default;
  virtual void answer(acd::CallId call) = 0;
  // Prompt names as in acd::PlayPrompts ("number:N" already expanded), in the org's
  // language; names the org has no file for are skipped (menu_<d>).
  virtual void play(acd::CallId call, const std::vector<std::string>& prompts, bool loop, bool interruptible,
                    std::uint64_t play_id) = 0;
  virtual void stopPlaying(acd::CallId call) = 0;
  virtual void ring(acd::CallId call, acd::AgentKey agent, const RingTarget& target) = 0;
  virtual void stopRinging(acd::CallId call, acd::AgentKey agent) = 0;
  // Bridge the answered agent and start recording; returns the recording's path (empty
  // when not recording). A transfer (F4): the agent who answered replaces the one
  // talking, whose leg ends; the recording goes on (the same path is returned).
  virtual std::string connect(acd::CallId call, acd::AgentKey agent, bool transfer) = 0;
  // F3/F4: the contact center holds the customer (hold sound, nothing of the agent) or
  // takes them back (unless the agent's phone holds).
  virtual void holdCustomer(acd::CallId call, bool held) = 0;
  virtual void hangUp(acd::CallId call) = 0;
  // E1 from the app: ring `agent_aor`'s devices (the agent's own phone) showing
  // `route`'s target, then, once answered, dial `route`; outcomes come back as
  // outboundAnswered / outboundEnded.
  virtual void dialOut(acd::CallId call, const std::string& agent_aor, const DialRoute& route) = 0;
};

struct ContactCenterCounts {
  std::size_t calls = 0;       // customer calls in the contact center now
  std::size_t waiting = 0;     // of them, waiting in a queue (ringing an agent included)
  std::size_t logged_in = 0;   // agents in a state other than Offline
  std::size_t writes_queued = 0;
  std::uint64_t writes_failed = 0;
};

class ContactCenter final : public api::AgentStates, public api::CallControl {
 public:
  // Whether the agent still has a session that has not expired at `now`.
  using SessionCheck = std::function<core::Result<bool>(acd::AgentKey agent, core::Time now)>;

  ContactCenter(boost::asio::any_io_executor strand, acd::AgentStateStore& states, acd::CenterStore& store,
                api::EventHub& hub, SessionCheck has_live_session, const core::Clock& clock,
                acd::CallCenterOptions options = {});
  ~ContactCenter() override;

  // Before the strand runs (blocking): a call center per org, each agent's stored state
  // restored — no call survives a restart, so Ringing becomes Ready and OnCall the org's
  // after_call state; then an agent without a live session goes Offline (all stored,
  // nothing published: nobody is connected yet) — and the first call id.
  core::Result<void> start(const std::vector<CenterOrg>& directory, core::Time now);
  void setTelephony(CenterTelephony* telephony) { telephony_ = telephony; }
  // Run on the strand after each batch of commands (SipService re-arms its SIP timers:
  // a ring started by a timer or an API request sends an INVITE).
  void setAfterCommands(std::function<void()> after) { after_commands_ = std::move(after); }
  // Stops the timer and the writer (after the strand's last work). Idempotent.
  void stop();

  // ---- on the strand: events of calls and devices ----
  // An id for a new call (unique across orgs and restarts).
  acd::CallId newCallId() { return next_call_++; }
  // A trunk call to one of the org's numbers, under an id from newCallId(); false for an
  // org the contact center does not know (nothing happened).
  bool callArrived(acd::CallId call, acd::OrgId org, const std::string& caller, const std::string& number);
  void digit(acd::CallId call, char digit);
  void promptFinished(acd::CallId call, std::uint64_t play_id);
  void agentAnswered(acd::CallId call, acd::AgentKey agent);
  void ringFailed(acd::CallId call, acd::AgentKey agent);
  // `reason` as acd::CallRecord::end_reason.
  void customerHungUp(acd::CallId call, std::string_view reason = "hangup");
  void agentHungUp(acd::CallId call, std::string_view reason = "hangup");
  void holdChanged(acd::CallId call, bool held);
  // An agent's phone (`aor` "<agent id>@<org domain>") dials `number` with the org's
  // `caller_id` under an id from newCallId(): recorded as outbound, the agent OnCall
  // (E2). False when the aor is no agent the contact center knows (nothing happened).
  bool outboundStarted(acd::CallId call, std::string_view aor, const std::string& caller_id,
                       const std::string& number);
  // An agent's phone (`aor`) dialled `typed` (the Request-URI's user part) under an id
  // from newCallId(): the dial plan decides (E3: an international number is refused,
  // with a security log line; N6: another agent's ID is an internal call) and the call
  // is the contact center's from now (the agent OnCall). Errors: kForbidden
  // (international: the message says so), kInvalidInput (not a number), kConflict (the
  // colleague is busy), kNotFound (no such agent aor), kUnavailable (no org number to
  // call from). Nothing happened on an error.
  // `source`: the phone's address, for the security log.
  core::Result<DialRoute> deviceDialed(acd::CallId call, std::string_view aor, const std::string& typed,
                                       std::string_view source = {});
  void outboundAnswered(acd::CallId call, std::string recording);
  // `by`: "agent" or "customer"; `reason` as acd::CallRecord::end_reason.
  void outboundEnded(acd::CallId call, std::string_view by, std::string_view reason);
  // The registered devices of "<agent id>@<org domain>" changed: `count` remain.
  void devicesChanged(std::string_view aor, std::size_t count);
  // The directory was read again: settings, menus and agents apply from now.
  void refresh(const std::vector<CenterOrg>& directory);
  // Fires the timers due by the clock now (the Asio timer does this on its own; a test
  // that moves a manual clock calls it).
  void runDueTimers();
  // The language of the org's prompts ("ko", "en").
  std::string language(acd::OrgId org) const;

  // ---- api::AgentStates (any thread but the strand; blocks until durable) ----
  acd::AgentStatus get(acd::OrgId org, acd::AgentKey agent) const override;
  std::unordered_map<acd::AgentKey, LiveAgent> snapshot(acd::OrgId org) const override;
  core::Result<acd::AgentStatus> login(const acd::Org& org, const acd::Agent& agent, core::Time now) override;
  core::Result<acd::AgentStatus> logout(acd::OrgId org, acd::AgentKey agent, core::Time now) override;
  core::Result<acd::AgentStatus> request(acd::OrgId org, acd::AgentKey agent, acd::AgentState to,
                                         core::Time now, std::optional<acd::NoteWrite> note = std::nullopt) override;

  // ---- api::CallControl (any thread but the strand; blocks until durable) ----
  core::Result<std::optional<acd::LiveCall>> liveCall(acd::OrgId org, acd::AgentKey agent) override;
  core::Result<void> hold(acd::OrgId org, acd::AgentKey agent, acd::CallId call, bool held) override;
  core::Result<void> transfer(acd::OrgId org, acd::AgentKey agent, acd::CallId call,
                              acd::AgentKey target) override;
  core::Result<void> hangUp(acd::OrgId org, acd::AgentKey agent, acd::CallId call) override;
  core::Result<acd::CallId> dial(acd::OrgId org, acd::AgentKey agent, const DialRequest& request) override;
  core::Result<void> recordsWritten() override;
  core::Result<std::array<std::size_t, acd::kMenuCount>> waitingNow(acd::OrgId org) override;
  // The session sweep: every logged-in agent without a live session goes Offline (as
  // logout()). Returns how many changed; the first error stops it.
  core::Result<int> sweep(core::Time now);

  ContactCenterCounts counts() const;  // any thread

 private:
  struct OrgCenter {
    std::unique_ptr<acd::CallCenter> center;
    std::unordered_map<std::string, acd::AgentKey> by_id;  // agent ID → key
    std::size_t waiting = 0;  // callers in its queues after the last command batch
    std::array<std::size_t, acd::kMenuCount> menu_waiting{};  // as last told (queue.waiting)
    bool waiting_changed = false;  // since it was last told
  };
  struct AgentRef {
    acd::OrgId org = 0;
    std::string id;
  };
  // An agent as the API threads read it (live_).
  struct AgentEntry {
    AgentRef ref;
    LiveAgent live;
  };
  // Writes of one API request: it answers when the last is durable.
  struct WriteGroup;

  OrgCenter* findOrg(acd::OrgId org);
  acd::CallCenter* centerOfCall(acd::CallId call);
  void addOrg(const CenterOrg& org);
  void knowAgent(acd::OrgId org, const acd::Agent& agent);  // its ID and key, for lookups
  // The org and agent of "<agent id>@<org domain>"; nullopt when unknown.
  std::optional<std::pair<acd::OrgId, acd::AgentKey>> agentOfAor(std::string_view aor);
  // Starts an agent's own call on the strand: the route, the open record, the commands.
  core::Result<DialRoute> startDial(acd::OrgId org, acd::AgentKey agent, acd::CallId call,
                                    const acd::DialTarget& target, bool from_app,
                                    std::optional<acd::CallId> from_call, std::optional<std::int64_t> callback);
  // `note` (G3) is written with the first state change of its author, or alone.
  void execute(acd::OrgId org, acd::Commands commands, const std::shared_ptr<WriteGroup>& group = nullptr,
               std::optional<acd::NoteWrite> note = std::nullopt);
  void publishStatus(acd::AgentKey agent, const acd::AgentStatus& status);
  // The agent's status and reachability as the org's call center has them now.
  void publishAgent(const OrgCenter& oc, acd::AgentKey agent);
  std::string agentId(acd::AgentKey agent) const;  // the ID people use; empty when unknown
  void scheduleTimer(acd::TimerId timer, acd::OrgId org, core::Time at);
  void cancelTimer(acd::TimerId timer);
  void armTimer();
  // Runs `step` on the strand and waits for its writes; `step` returns the agent's
  // status after the change or an error (nothing written).
  core::Result<acd::AgentStatus> changeOnStrand(
      acd::OrgId org, acd::AgentKey agent,
      std::function<core::Result<acd::Commands>(acd::CallCenter&, core::Time)> step,
      std::optional<acd::NoteWrite> note = std::nullopt);
  template <class T>
  core::Result<T> awaitStrand(std::future<core::Result<T>>& future);
  // Runs `step` on the org's call center and waits until its writes are durable.
  core::Result<void> commandOnStrand(acd::OrgId org,
                                     std::function<core::Result<acd::Commands>(acd::CallCenter&, core::Time)> step);
  // Publishes an event once everything queued to the writer before it is durable (the
  // events reach the apps in the order things happened, and never before they are kept).
  void publishAfterWrites(std::function<void()> publish);
  void publishNotice(acd::OrgId org, const acd::CallNotice& notice);
  // H2: queue.waiting to the org, at most every kWaitingEvery per org.
  void noteWaiting(OrgCenter& oc);
  void flushWaiting();
  std::mutex& sessionMutex(acd::AgentKey agent) { return session_mutexes_[static_cast<std::size_t>(agent) % 64]; }

  boost::asio::any_io_executor strand_;
  acd::AgentStateStore& states_;
  acd::CenterStore& store_;
  api::EventHub& hub_;
  SessionCheck has_live_session_;
  const core::Clock& clock_;
  acd::CallCenterOptions options_;
  CenterWriter writer_;
  CenterTelephony* telephony_ = nullptr;
  std::function<void()> after_commands_;

  // On the strand only.
  std::unordered_map<acd::OrgId, OrgCenter> orgs_;
  std::unordered_map<std::string, acd::OrgId> org_by_domain_;
  std::unordered_map<acd::CallId, acd::OrgId> calls_;
  std::unordered_map<acd::CallId, std::string> recordings_;  // of connected calls
  std::unordered_map<acd::CallId, DialRoute> pending_routes_;  // while startDial runs its commands
  std::map<std::pair<core::Time, acd::TimerId>, acd::OrgId> timers_;
  std::unordered_map<acd::TimerId, core::Time> timer_at_;
  boost::asio::steady_timer timer_;
  std::optional<core::Time> armed_;
  boost::asio::steady_timer waiting_timer_;
  bool waiting_armed_ = false;
  acd::CallId next_call_ = 1;
  std::size_t waiting_total_ = 0;
  bool stopped_ = false;

  // Read from any thread: each agent's status and reachability as the strand last left them.
  mutable std::mutex live_mu_;
  std::unordered_map<acd::AgentKey, AgentEntry> live_;
  std::size_t live_calls_ = 0, live_waiting_ = 0;
  // login and logout of one agent, one at a time (the session check and the change).
  std::array<std::mutex, 64> session_mutexes_;
};

}  // namespace sb::app
