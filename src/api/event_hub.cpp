#include "api/event_hub.hpp"

#include <vector>

namespace sb::api {

void EventHub::add(EventConnection* connection, acd::OrgId org, acd::AgentKey agent,
                   const account::TokenHash& session, bool admin) {
  std::lock_guard lock(mutex_);
  connections_[connection] = Entry{org, agent, session, admin};
}

void EventHub::remove(EventConnection* connection) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection);
}

size_t EventHub::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

void EventHub::publish(acd::OrgId org, const std::string& text, bool admins_only) {
  std::lock_guard lock(mutex_);
  for (auto& [conn, e] : connections_) {
    if (e.org == org && (!admins_only || e.admin)) conn->send(text);
  }
}

void EventHub::publishToAgent(acd::AgentKey agent, const std::string& text) {
  std::lock_guard lock(mutex_);
  for (auto& [conn, e] : connections_) {
    if (e.agent == agent) conn->send(text);
  }
}

void EventHub::publishToAgentAndAdmins(acd::OrgId org, acd::AgentKey agent,
                                       const std::string& text) {
  std::lock_guard lock(mutex_);
  for (auto& [conn, e] : connections_) {
    if (e.agent == agent || (e.org == org && e.admin)) conn->send(text);
  }
}

void EventHub::onAgentSessionsEnded(acd::AgentKey agent, std::optional<account::TokenHash> except) {
  std::lock_guard lock(mutex_);
  for (auto& [conn, e] : connections_) {
    if (e.agent == agent && (!except || e.session != *except)) conn->close("session ended");
  }
}

void EventHub::onSessionEnded(const account::TokenHash& session) {
  std::lock_guard lock(mutex_);
  for (auto& [conn, e] : connections_) {
    if (e.session == session) conn->close("session ended");
  }
}

}  // namespace sb::api
