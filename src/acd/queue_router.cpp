#include "acd/queue_router.hpp"

#include <iterator>
#include <tuple>

#include "core/check.hpp"

namespace sb::acd {

bool QueueRouter::WaitingKey::operator<(const WaitingKey& o) const {
  return std::tie(queued_at, arrival, call) < std::tie(o.queued_at, o.arrival, o.call);
}

bool QueueRouter::IdleKey::operator<(const IdleKey& o) const {
  return std::tie(since, agent) < std::tie(o.since, o.agent);
}

std::optional<Offer> QueueRouter::enqueue(CallId call, MenuIndex menu, core::Time queued_at) {
  if (call == 0 || menu >= kMenuCount || calls_.contains(call)) return std::nullopt;
  auto [it, inserted] = calls_.emplace(call, CallEntry{menu, queued_at, next_arrival_++, {}});
  SB_ASSERT(inserted, "call id checked above");
  waiting_[menu].insert(it->second.key(call));
  return matchCall(call, it->second);
}

std::optional<Offer> QueueRouter::agentAvailable(AgentKey agent, MenuSet menus,
                                                 core::Time available_since) {
  menus &= kAllMenus;
  if (ringing_.contains(agent)) return std::nullopt;
  agentUnavailable(agent);  // an update starts from scratch
  if (menus == 0) return std::nullopt;

  // The longest-waiting call among the agent's menus: each queue's head is its oldest.
  const WaitingKey* best = nullptr;
  for (std::size_t m = 0; m < kMenuCount; ++m) {
    if (!(menus & (1u << m)) || waiting_[m].empty()) continue;
    const WaitingKey& head = *waiting_[m].begin();
    if (best == nullptr || head < *best) best = &head;
  }
  if (best != nullptr) {
    const CallId call = best->call;
    CallEntry& entry = calls_.at(call);
    waiting_[entry.menu].erase(waiting_[entry.menu].begin());  // `best` dies here
    return offer(call, entry, agent);
  }

  agents_.emplace(agent, AgentEntry{menus, available_since});
  for (std::size_t m = 0; m < kMenuCount; ++m) {
    if (menus & (1u << m)) idle_[m].insert(IdleKey{available_since, agent});
  }
  return std::nullopt;
}

bool QueueRouter::agentUnavailable(AgentKey agent) {
  auto it = agents_.find(agent);
  if (it == agents_.end()) return false;
  dropAgent(agent, it->second);
  return true;
}

bool QueueRouter::offerAnswered(CallId call) {
  auto it = calls_.find(call);
  if (it == calls_.end() || !it->second.offered_to) return false;
  ringing_.erase(*it->second.offered_to);
  calls_.erase(it);
  return true;
}

std::optional<Offer> QueueRouter::offerFailed(CallId call) {
  auto it = calls_.find(call);
  if (it == calls_.end() || !it->second.offered_to) return std::nullopt;
  CallEntry& entry = it->second;
  ringing_.erase(*entry.offered_to);
  entry.offered_to.reset();
  waiting_[entry.menu].insert(entry.key(call));
  return matchCall(call, entry);
}

std::optional<AgentKey> QueueRouter::remove(CallId call) {
  auto it = calls_.find(call);
  if (it == calls_.end()) return std::nullopt;
  const std::optional<AgentKey> agent = it->second.offered_to;
  if (agent) {
    ringing_.erase(*agent);
  } else {
    waiting_[it->second.menu].erase(it->second.key(call));
  }
  calls_.erase(it);
  return agent;
}

std::optional<std::size_t> QueueRouter::position(CallId call) const {
  auto it = calls_.find(call);
  if (it == calls_.end() || it->second.offered_to) return std::nullopt;
  const auto& queue = waiting_[it->second.menu];
  auto at = queue.find(it->second.key(call));
  SB_ASSERT(at != queue.end(), "a waiting call is in its menu's queue");
  return static_cast<std::size_t>(std::distance(queue.begin(), at)) + 1;
}

std::size_t QueueRouter::waiting(MenuIndex menu) const {
  return menu < kMenuCount ? waiting_[menu].size() : 0;
}

std::size_t QueueRouter::waiting() const {
  return calls_.size() - ringing_.size();
}

std::size_t QueueRouter::availableAgents(MenuIndex menu) const {
  return menu < kMenuCount ? idle_[menu].size() : 0;
}

bool QueueRouter::isAvailable(AgentKey agent) const {
  return agents_.contains(agent);
}

bool QueueRouter::isWaiting(CallId call) const {
  auto it = calls_.find(call);
  return it != calls_.end() && !it->second.offered_to;
}

bool QueueRouter::isOffered(CallId call) const {
  auto it = calls_.find(call);
  return it != calls_.end() && it->second.offered_to.has_value();
}

std::optional<AgentKey> QueueRouter::offeredTo(CallId call) const {
  auto it = calls_.find(call);
  return it == calls_.end() ? std::nullopt : it->second.offered_to;
}

std::optional<CallId> QueueRouter::offerOf(AgentKey agent) const {
  auto it = ringing_.find(agent);
  if (it == ringing_.end()) return std::nullopt;
  return it->second;
}

void QueueRouter::dropAgent(AgentKey agent, const AgentEntry& entry) {
  for (std::size_t m = 0; m < kMenuCount; ++m) {
    if (entry.menus & (1u << m)) idle_[m].erase(IdleKey{entry.since, agent});
  }
  agents_.erase(agent);  // `entry` dies here
}

Offer QueueRouter::offer(CallId call, CallEntry& entry, AgentKey agent) {
  SB_ASSERT(!entry.offered_to && !ringing_.contains(agent) && !agents_.contains(agent),
            "an offer joins a waiting call and an agent that is neither available nor ringing");
  entry.offered_to = agent;
  ringing_.emplace(agent, call);
  return Offer{call, agent, entry.menu};
}

std::optional<Offer> QueueRouter::matchCall(CallId call, CallEntry& entry) {
  auto& idle = idle_[entry.menu];
  if (idle.empty()) return std::nullopt;
  // The invariant: agents idle in this menu means no other call waits in it.
  SB_ASSERT(waiting_[entry.menu].size() == 1, "idle agents and waiting calls never coexist");
  const AgentKey agent = idle.begin()->agent;
  dropAgent(agent, agents_.at(agent));
  waiting_[entry.menu].erase(entry.key(call));
  return offer(call, entry, agent);
}

}  // namespace sb::acd
