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
  // when not recording).
  virtual std::string connect(acd::CallId call, acd::AgentKey agent) = 0;
  virtual void hangUp(acd::CallId call) = 0;
};

struct ContactCenterCounts {
  std::size_t calls = 0;       // customer calls in the contact center now
  std::size_t waiting = 0;     // of them, waiting in a queue (ringing an agent included)
  std::size_t logged_in = 0;   // agents in a state other than Offline
  std::size_t writes_queued = 0;
  std::uint64_t writes_failed = 0;
};

class ContactCenter final : public api::AgentStates {
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
  core::Result<acd::AgentStatus> login(const acd::Org& org, const acd::Agent& agent, core::Time now) override;
  core::Result<acd::AgentStatus> logout(acd::OrgId org, acd::AgentKey agent, core::Time now) override;
  core::Result<acd::AgentStatus> request(acd::OrgId org, acd::AgentKey agent, acd::AgentState to,
                                         core::Time now) override;
  // The session sweep: every logged-in agent without a live session goes Offline (as
  // logout()). Returns how many changed; the first error stops it.
  core::Result<int> sweep(core::Time now);

  ContactCenterCounts counts() const;  // any thread

 private:
  struct OrgCenter {
    std::unique_ptr<acd::CallCenter> center;
    std::unordered_map<std::string, acd::AgentKey> by_id;  // agent ID → key
    std::size_t waiting = 0;  // callers in its queues after the last command batch
  };
  struct AgentRef {
    acd::OrgId org = 0;
    std::string id;
  };
  // Writes of one API request: it answers when the last is durable.
  struct WriteGroup;

  OrgCenter* findOrg(acd::OrgId org);
  acd::CallCenter* centerOfCall(acd::CallId call);
  void addOrg(const CenterOrg& org);
  void knowAgent(acd::OrgId org, const acd::Agent& agent);  // its ID and key, for lookups
  void execute(acd::OrgId org, acd::Commands commands, const std::shared_ptr<WriteGroup>& group = nullptr);
  void publishStatus(acd::AgentKey agent, const acd::AgentStatus& status);
  std::string agentId(acd::AgentKey agent) const;  // the ID people use; empty when unknown
  void scheduleTimer(acd::TimerId timer, acd::OrgId org, core::Time at);
  void cancelTimer(acd::TimerId timer);
  void armTimer();
  // Runs `step` on the strand and waits for its writes; `step` returns the agent's
  // status after the change or an error (nothing written).
  core::Result<acd::AgentStatus> changeOnStrand(
      acd::OrgId org, acd::AgentKey agent,
      std::function<core::Result<acd::Commands>(acd::CallCenter&, core::Time)> step);
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
  std::map<std::pair<core::Time, acd::TimerId>, acd::OrgId> timers_;
  std::unordered_map<acd::TimerId, core::Time> timer_at_;
  boost::asio::steady_timer timer_;
  std::optional<core::Time> armed_;
  acd::CallId next_call_ = 1;
  std::size_t waiting_total_ = 0;
  bool stopped_ = false;

  // Read from any thread: each agent's status as the strand last left it.
  mutable std::mutex live_mu_;
  std::unordered_map<acd::AgentKey, std::pair<AgentRef, acd::AgentStatus>> live_;
  std::size_t live_calls_ = 0, live_waiting_ = 0;
  // login and logout of one agent, one at a time (the session check and the change).
  std::array<std::mutex, 64> session_mutexes_;
};

}  // namespace sb::app
