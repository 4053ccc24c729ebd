#pragma once
// The registry of live event connections (WebSocket /api/v1/events). It closes a
// connection when its session ends (logout, password change or reset, agent disabled)
// and fans events out to an org's agents and admins (agent.state: AgentStates).
//
// Every event gets a sequence number per login session ("seq", from 1), and the hub
// keeps each session's recent events so that a connection that comes back with
// `since` gets exactly the ones it missed (docs/events.md). A session becomes known to
// the hub when one of its connections is added; from then on its events are buffered
// even while it has no connection, until the session ends or has had no connection for
// `idle_session_ttl`.
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "account/account_service.hpp"
#include "core/clock.hpp"

namespace sb::api {

// An immutable message text shared by a session's buffer and all its connections: one
// allocation per event and session, none per connection.
class EventText {
 public:
  EventText() = default;
  explicit EventText(std::string_view text);
  // `object`, a JSON object text ("{…}"), with "seq":seq spliced in as its first member.
  static EventText withSeq(std::string_view object, uint64_t seq);

  std::string_view view() const { return {data_.get(), size_}; }
  size_t size() const { return size_; }

 private:
  std::shared_ptr<char[]> data_;
  size_t size_ = 0;
};

// One live connection; every method may be called from any thread.
class EventConnection {
 public:
  virtual ~EventConnection() = default;
  virtual void send(std::string text) = 0;
  // How the hub sends; a connection that can keep the shared text avoids a copy.
  virtual void sendEvent(EventText text) { send(std::string(text.view())); }
  virtual void close(std::string reason) = 0;
};

struct EventHubOptions {
  // Per session: the buffer keeps at most this many events, this many bytes of text,
  // and nothing older than max_buffered_age. A replay is queued on the socket at once:
  // keep max_buffered_events well under its 1,024-message limit for slow clients.
  size_t max_buffered_events = 1000;
  size_t max_buffered_bytes = 1024 * 1024;
  std::chrono::seconds max_buffered_age{600};
  // A session with no connection for this long is forgotten (its buffer and its seq).
  std::chrono::seconds idle_session_ttl{600};
};

class EventHub final : public account::SessionListener {
 public:
  // Without a clock, the system clock.
  explicit EventHub(EventHubOptions options = {}, const core::Clock* clock = nullptr);

  // Registers a connection of `session` (which becomes known to the hub) and sends it,
  // before any event published afterwards: `hello` (unless empty; a JSON object text)
  // with "seq": the session's last seq; then, when `since` is given, every buffered
  // event with a seq above it in order, or {"type":"resync","seq":<last>} when some
  // of them are no longer buffered or `since` is above the last seq.
  void add(EventConnection* connection, acd::OrgId org, acd::AgentKey agent,
           const account::TokenHash& session, bool admin, std::string_view hello = {},
           std::optional<uint64_t> since = std::nullopt);
  void remove(EventConnection* connection);

  // `text` is a JSON object text ("{…}"); each known session that it concerns numbers
  // it, buffers it and sends it to its connections.
  // To every session of the org (admins_only: of its admins).
  void publish(acd::OrgId org, const std::string& text, bool admins_only = false);
  // To every session of one agent.
  void publishToAgent(acd::AgentKey agent, const std::string& text);
  // To every session of one agent and of the org's admins, once per session (an
  // admin's own change reaches each of its sockets once).
  void publishToAgentAndAdmins(acd::OrgId org, acd::AgentKey agent, const std::string& text);
  // The same for several agents (a call's: offered, transferred…), once per session.
  void publishToAgentsAndAdmins(acd::OrgId org, const std::vector<acd::AgentKey>& agents,
                                const std::string& text);

  // Close the sessions' connections (4001) and forget their buffers.
  void onAgentSessionsEnded(acd::AgentKey agent, std::optional<account::TokenHash> except) override;
  void onSessionEnded(const account::TokenHash& session) override;

  // Live connections.
  size_t size() const;
  // Sessions known (with or without a connection), and events buffered over all of them.
  size_t sessions() const;
  size_t bufferedEvents() const;
  // The last seq of a session; 0 when it has none or is not known.
  uint64_t lastSeq(const account::TokenHash& session) const;

 private:
  struct Buffered {
    uint64_t seq;
    core::Time at;
    EventText text;
  };
  struct Session {
    acd::OrgId org = 0;
    acd::AgentKey agent = 0;
    bool admin = false;
    uint64_t last_seq = 0;
    std::deque<Buffered> events;
    size_t bytes = 0;
    std::vector<EventConnection*> connections;
    core::Time idle_since{};  // meaningful when `connections` is empty
  };
  struct TokenHashHasher {
    size_t operator()(const account::TokenHash& h) const noexcept {
      size_t v;
      static_assert(sizeof v <= sizeof(account::TokenHash));
      std::memcpy(&v, h.data(), sizeof v);  // already uniformly random
      return v;
    }
  };
  using Sessions = std::unordered_map<account::TokenHash, Session, TokenHashHasher>;

  template <typename Concerns>
  void publishWhere(acd::OrgId org, std::string_view text, Concerns concerns);
  Sessions::iterator eraseSession(Sessions::iterator it);  // and from its org's set
  void deliver(Session& session, std::string_view text, core::Time now);
  void trim(Session& session, core::Time now) const;
  bool idleExpired(const Session& session, core::Time now) const;
  void endSession(Sessions::iterator it);

  EventHubOptions options_;
  core::SystemClock system_clock_;
  const core::Clock& clock_;
  mutable std::mutex mutex_;
  Sessions sessions_;
  std::unordered_map<acd::OrgId, std::unordered_set<account::TokenHash, TokenHashHasher>> org_sessions_;
  std::unordered_map<EventConnection*, account::TokenHash> connections_;
};

}  // namespace sb::api
