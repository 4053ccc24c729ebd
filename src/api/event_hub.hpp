#pragma once
// The registry of live event connections (WebSocket /api/v1/events). It closes a
// connection when its session ends (logout, password change or reset, agent disabled)
// and fans events out to an org's agents and admins (agent.state: AgentStates).
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "account/account_service.hpp"

namespace sb::api {

// One live connection; both methods may be called from any thread.
class EventConnection {
 public:
  virtual ~EventConnection() = default;
  virtual void send(std::string text) = 0;
  virtual void close(std::string reason) = 0;
};

class EventHub final : public account::SessionListener {
 public:
  void add(EventConnection* connection, acd::OrgId org, acd::AgentKey agent,
           const account::TokenHash& session, bool admin);
  void remove(EventConnection* connection);

  // To every connection of the org (admins_only: to its admins).
  void publish(acd::OrgId org, const std::string& text, bool admins_only = false);
  // To every connection of one agent.
  void publishToAgent(acd::AgentKey agent, const std::string& text);
  // To every connection of one agent and of the org's admins, once per connection
  // (an admin's own change reaches each of its sockets once).
  void publishToAgentAndAdmins(acd::OrgId org, acd::AgentKey agent, const std::string& text);

  void onAgentSessionsEnded(acd::AgentKey agent, std::optional<account::TokenHash> except) override;
  void onSessionEnded(const account::TokenHash& session) override;

  size_t size() const;

 private:
  struct Entry {
    acd::OrgId org;
    acd::AgentKey agent;
    account::TokenHash session;
    bool admin;
  };
  mutable std::mutex mutex_;
  std::unordered_map<EventConnection*, Entry> connections_;
};

}  // namespace sb::api
