#include "api/agent_states.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/log.hpp"

namespace sb::api {

using core::ErrorCode;
using core::Result;
using StepResult = Result<std::optional<acd::StateChange>>;

std::string agentStateEvent(const std::string& agent_id, const acd::StateChange& change) {
  return boost::json::serialize(boost::json::object{{"type", "agent.state"},
                                                    {"agent", agent_id},
                                                    {"state", acd::toString(change.to)},
                                                    {"since", core::toRfc3339(change.at)},
                                                    {"from", acd::toString(change.from)},
                                                    {"cause", acd::toString(change.cause)}});
}

AgentStates::AgentStates(acd::AgentStateStore& store, EventHub& hub, SessionCheck has_live_session)
    : store_(store), hub_(hub), has_live_session_(std::move(has_live_session)) {}

std::shared_ptr<AgentStates::Entry> AgentStates::find(acd::OrgId org, acd::AgentKey agent) const {
  std::lock_guard lock(map_mutex_);
  auto it = agents_.find(agent);
  if (it == agents_.end() || it->second->org != org)
    return nullptr;  // another org's agent: unknown
  return it->second;
}

std::shared_ptr<AgentStates::Entry> AgentStates::findOrAdd(const acd::Agent& agent) {
  std::lock_guard lock(map_mutex_);
  auto& slot = agents_[agent.key];
  if (!slot) {
    slot = std::make_shared<Entry>();
    slot->org = agent.org;
    slot->id = agent.id;
  }
  return slot;
}

Result<acd::AgentStatus> AgentStates::apply(Entry& e, acd::AgentKey agent, const Step& step,
                                            bool publish) {
  std::lock_guard lock(e.change);
  acd::AgentStatus next = e.status;
  StepResult change = step(next);
  if (!change) return change.error();
  if (*change) {
    if (auto stored = store_.recordAgentState(e.org, agent, **change); !stored) {
      core::logError("agent state not stored",
                     {{"agent", e.id}, {"error", stored.error().message}});
      return stored.error();
    }
  }
  {
    std::lock_guard read(e.read);
    e.status = next;  // also keeps a change of logout_pending (no StateChange, nothing to store)
  }
  if (*change && publish)
    hub_.publishToAgentAndAdmins(e.org, agent, agentStateEvent(e.id, **change));
  return e.status;
}

acd::AgentStatus AgentStates::get(acd::OrgId org, acd::AgentKey agent) const {
  auto e = find(org, agent);
  if (!e) return {};
  std::lock_guard lock(e->read);
  return e->status;
}

size_t AgentStates::loggedIn() const {
  std::vector<std::shared_ptr<Entry>> all;
  {
    std::lock_guard lock(map_mutex_);
    for (const auto& [key, e] : agents_) all.push_back(e);
  }
  size_t n = 0;
  for (const auto& e : all) {
    std::lock_guard lock(e->read);
    if (e->status.state() != acd::AgentState::kOffline) ++n;
  }
  return n;
}

Result<acd::AgentStatus> AgentStates::login(const acd::Agent& agent, acd::AfterLogin after_login,
                                            core::Time now) {
  auto e = findOrAdd(agent);
  return apply(*e, agent.key,
               [&](acd::AgentStatus& s) -> StepResult { return s.login(after_login, now); });
}

Result<acd::AgentStatus> AgentStates::logout(acd::OrgId org, acd::AgentKey agent, core::Time now) {
  auto e = find(org, agent);
  if (!e) return acd::AgentStatus{};
  return apply(*e, agent, [&](acd::AgentStatus& s) -> StepResult {
    if (s.state() == acd::AgentState::kOffline || s.logoutPending())
      return std::optional<acd::StateChange>{};
    auto live = has_live_session_(agent, now);
    if (!live) return live.error();
    if (*live) return std::optional<acd::StateChange>{};
    return s.logout(now);
  });
}

Result<acd::AgentStatus> AgentStates::request(acd::OrgId org, acd::AgentKey agent,
                                              acd::AgentState to, core::Time now) {
  auto e = find(org, agent);
  if (!e) return core::makeError(ErrorCode::kForbidden, "the agent is logged out");
  return apply(*e, agent, [&](acd::AgentStatus& s) -> StepResult { return s.request(to, now); });
}

Result<acd::AgentStatus> AgentStates::routing(
    acd::OrgId org, acd::AgentKey agent,
    Result<acd::StateChange> (acd::AgentStatus::*fn)(core::Time), core::Time now) {
  auto e = find(org, agent);
  if (!e) return core::makeError(ErrorCode::kConflict, "the agent is offline");
  return apply(*e, agent, [&](acd::AgentStatus& s) -> StepResult {
    auto change = (s.*fn)(now);
    if (!change) return change.error();
    return std::optional<acd::StateChange>{*change};
  });
}

Result<acd::AgentStatus> AgentStates::offer(acd::OrgId org, acd::AgentKey agent, core::Time now) {
  return routing(org, agent, &acd::AgentStatus::offer, now);
}
Result<acd::AgentStatus> AgentStates::answered(acd::OrgId org, acd::AgentKey agent,
                                               core::Time now) {
  return routing(org, agent, &acd::AgentStatus::answered, now);
}
Result<acd::AgentStatus> AgentStates::offerMissed(acd::OrgId org, acd::AgentKey agent,
                                                  core::Time now) {
  return routing(org, agent, &acd::AgentStatus::offerMissed, now);
}
Result<acd::AgentStatus> AgentStates::offerWithdrawn(acd::OrgId org, acd::AgentKey agent,
                                                     core::Time now) {
  return routing(org, agent, &acd::AgentStatus::offerWithdrawn, now);
}
Result<acd::AgentStatus> AgentStates::dialed(acd::OrgId org, acd::AgentKey agent, core::Time now) {
  return routing(org, agent, &acd::AgentStatus::dialed, now);
}

Result<acd::AgentStatus> AgentStates::callEnded(acd::OrgId org, acd::AgentKey agent,
                                                acd::AfterCall after_call, core::Time now) {
  auto e = find(org, agent);
  if (!e) return core::makeError(ErrorCode::kConflict, "the agent is offline");
  return apply(*e, agent, [&](acd::AgentStatus& s) -> StepResult {
    auto change = s.callEnded(after_call, now);
    if (!change) return change.error();
    return std::optional<acd::StateChange>{*change};
  });
}

Result<int> AgentStates::sweep(core::Time now) {
  std::vector<std::pair<acd::AgentKey, std::shared_ptr<Entry>>> all;
  {
    std::lock_guard lock(map_mutex_);
    for (const auto& [key, e] : agents_) all.emplace_back(key, e);
  }
  int changed = 0;
  for (const auto& [key, e] : all) {
    acd::AgentState before;
    {
      std::lock_guard lock(e->read);
      before = e->status.state();
    }
    if (before == acd::AgentState::kOffline) continue;
    auto after = logout(e->org, key, now);
    if (!after) return after.error();
    if (after->state() != before) ++changed;
  }
  return changed;
}

Result<void> AgentStates::restore(const std::vector<acd::Org>& orgs, core::Time now) {
  for (const acd::Org& org : orgs) {
    auto stored = store_.loadAgentStates(org.id);
    if (!stored) return stored.error();
    for (const acd::StoredAgentState& s : *stored) {
      acd::Agent agent;
      agent.key = s.agent;
      agent.org = org.id;
      agent.id = s.agent_id;
      auto e = findOrAdd(agent);
      {
        std::scoped_lock lock(e->change, e->read);
        e->status = acd::AgentStatus(s.state, s.since);
      }
      // The calls of the previous run are gone.
      auto ended = apply(
          *e, s.agent,
          [&](acd::AgentStatus& st) -> StepResult {
            if (st.state() == acd::AgentState::kRinging)
              return std::optional<acd::StateChange>{*st.offerWithdrawn(now)};
            if (st.state() == acd::AgentState::kOnCall)
              return std::optional<acd::StateChange>{*st.callEnded(org.after_call, now)};
            return std::optional<acd::StateChange>{};
          },
          /*publish=*/false);
      if (!ended) return ended.error();
      auto offline = apply(
          *e, s.agent,
          [&](acd::AgentStatus& st) -> StepResult {
            if (st.state() == acd::AgentState::kOffline) return std::optional<acd::StateChange>{};
            auto live = has_live_session_(s.agent, now);
            if (!live) return live.error();
            if (*live) return std::optional<acd::StateChange>{};
            return st.logout(now);
          },
          /*publish=*/false);
      if (!offline) return offline.error();
    }
  }
  return core::okResult();
}

}  // namespace sb::api
