#include "app/contact_center.hpp"

#include <boost/asio/post.hpp>
#include <future>
#include <type_traits>

#include "core/log.hpp"
#include "media/prompt_library.hpp"

namespace sb::app {

using core::ErrorCode;
using core::Result;

// The writes of one API request; the request answers when the last is durable, with
// the first error if any failed.
struct ContactCenter::WriteGroup {
  std::mutex mu;
  std::size_t pending = 0;
  bool sealed = false;  // every write of the request is queued
  std::optional<core::Error> error;
  std::function<void(std::optional<core::Error>)> done;

  void add() {
    std::lock_guard lock(mu);
    ++pending;
  }
  void finished(const Result<void>& r) {
    std::function<void(std::optional<core::Error>)> call;
    std::optional<core::Error> err;
    {
      std::lock_guard lock(mu);
      if (!r && !error) error = r.error();
      if (--pending == 0 && sealed) {
        call = std::move(done);
        err = error;
      }
    }
    if (call) call(err);
  }
  void seal() {
    std::function<void(std::optional<core::Error>)> call;
    std::optional<core::Error> err;
    {
      std::lock_guard lock(mu);
      sealed = true;
      if (pending == 0) {
        call = std::move(done);
        err = error;
      }
    }
    if (call) call(err);
  }
};

ContactCenter::ContactCenter(boost::asio::any_io_executor strand, acd::AgentStateStore& states,
                             acd::CenterStore& store, api::EventHub& hub, SessionCheck has_live_session,
                             const core::Clock& clock, acd::CallCenterOptions options)
    : strand_(std::move(strand)),
      states_(states),
      store_(store),
      hub_(hub),
      has_live_session_(std::move(has_live_session)),
      clock_(clock),
      options_(options),
      writer_(store),
      timer_(strand_) {}

ContactCenter::~ContactCenter() { stop(); }

void ContactCenter::stop() {
  stopped_ = true;
  timer_.cancel();
  writer_.close();
}

// ---- start -------------------------------------------------------------------------------

Result<void> ContactCenter::start(const std::vector<CenterOrg>& directory, core::Time now) {
  for (const CenterOrg& o : directory) {
    addOrg(o);
    OrgCenter& oc = orgs_.at(o.org.id);
    auto stored = states_.loadAgentStates(o.org.id);
    if (!stored) return stored.error();
    for (const acd::StoredAgentState& s : *stored) {
      acd::AgentStatus status(s.state, s.since);
      auto record = [&](const Result<acd::StateChange>& change) -> Result<void> {
        if (!change) return core::okResult();
        return states_.recordAgentState(o.org.id, s.agent, *change);
      };
      // The calls of the previous run are gone.
      if (status.state() == acd::AgentState::kRinging) {
        if (auto r = record(status.offerWithdrawn(now)); !r) return r.error();
      } else if (status.state() == acd::AgentState::kOnCall) {
        if (auto r = record(status.callEnded(o.org.after_call, now)); !r) return r.error();
      }
      if (status.state() != acd::AgentState::kOffline) {
        auto live = has_live_session_(s.agent, now);
        if (!live) return live.error();
        if (!*live) {
          if (auto change = status.logout(now)) {
            if (auto r = states_.recordAgentState(o.org.id, s.agent, *change); !r) return r.error();
          }
        }
      }
      if (oc.center->agentStatus(s.agent) == nullptr) continue;  // disabled since
      oc.center->restoreAgent(s.agent, status);
      publishStatus(s.agent, status);
    }
  }
  auto next = store_.nextCallId();
  if (!next) return next.error();
  next_call_ = *next;
  return core::okResult();
}

void ContactCenter::addOrg(const CenterOrg& o) {
  OrgCenter& oc = orgs_[o.org.id];
  oc.center = std::make_unique<acd::CallCenter>(o.org, o.agents, options_);
  for (const acd::Agent& a : o.agents) knowAgent(o.org.id, a);
  org_by_domain_[o.org.domain] = o.org.id;
}

void ContactCenter::knowAgent(acd::OrgId org, const acd::Agent& a) {
  OrgCenter* oc = findOrg(org);
  if (oc == nullptr) return;
  oc->by_id[a.id] = a.key;
  std::lock_guard lock(live_mu_);
  live_[a.key].first = AgentRef{org, a.id};
}

void ContactCenter::refresh(const std::vector<CenterOrg>& directory) {
  const core::Time now = clock_.now();
  for (const CenterOrg& o : directory) {
    OrgCenter* oc = findOrg(o.org.id);
    if (oc == nullptr) {
      addOrg(o);
      continue;
    }
    for (auto it = org_by_domain_.begin(); it != org_by_domain_.end();) {
      it = it->second == o.org.id && it->first != o.org.domain ? org_by_domain_.erase(it) : std::next(it);
    }
    org_by_domain_[o.org.domain] = o.org.id;
    for (const acd::Agent& a : o.agents) knowAgent(o.org.id, a);
    execute(o.org.id, oc->center->updateDirectory(o.org, o.agents, now));
    for (const acd::Agent& a : o.agents) {
      if (const acd::AgentStatus* st = oc->center->agentStatus(a.key)) publishStatus(a.key, *st);
    }
  }
}

std::string ContactCenter::language(acd::OrgId org) const {
  auto it = orgs_.find(org);
  return it == orgs_.end() ? std::string("en") : it->second.center->language();
}

ContactCenter::OrgCenter* ContactCenter::findOrg(acd::OrgId org) {
  auto it = orgs_.find(org);
  return it == orgs_.end() ? nullptr : &it->second;
}

acd::CallCenter* ContactCenter::centerOfCall(acd::CallId call) {
  auto it = calls_.find(call);
  if (it == calls_.end()) return nullptr;
  OrgCenter* oc = findOrg(it->second);
  return oc == nullptr ? nullptr : oc->center.get();
}

// ---- commands ----------------------------------------------------------------------------

std::string ContactCenter::agentId(acd::AgentKey agent) const {
  std::lock_guard lock(live_mu_);
  auto it = live_.find(agent);
  return it == live_.end() ? std::string() : it->second.first.id;
}

void ContactCenter::publishStatus(acd::AgentKey agent, const acd::AgentStatus& status) {
  std::lock_guard lock(live_mu_);
  live_[agent].second = status;
}

void ContactCenter::execute(acd::OrgId org, acd::Commands commands, const std::shared_ptr<WriteGroup>& group) {
  OrgCenter* oc = findOrg(org);
  for (acd::Command& command : commands) {
    std::visit(
        [&](auto& c) {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, acd::AnswerCall>) {
            if (telephony_) telephony_->answer(c.call);
          } else if constexpr (std::is_same_v<T, acd::PlayPrompts>) {
            // "number:N" → the words of N in the org's language.
            std::vector<std::string> names;
            const std::string lang = oc ? oc->center->language() : std::string("en");
            for (const std::string& p : c.prompts) {
              if (p.rfind("number:", 0) == 0) {
                for (auto& n : media::PromptLibrary::numberNames(std::atoi(p.c_str() + 7), lang)) {
                  names.push_back(std::move(n));
                }
              } else {
                names.push_back(p);
              }
            }
            if (telephony_) telephony_->play(c.call, names, c.loop, c.interruptible, c.play_id);
          } else if constexpr (std::is_same_v<T, acd::StopPlaying>) {
            if (telephony_) telephony_->stopPlaying(c.call);
          } else if constexpr (std::is_same_v<T, acd::RingAgent>) {
            RingTarget target;
            target.aor = agentId(c.agent) + "@" + (oc ? oc->center->org().domain : std::string());
            target.caller = c.caller;
            target.menu_name = c.menu_name;
            target.timeout = c.timeout;
            if (telephony_) {
              telephony_->ring(c.call, c.agent, target);
            } else {
              // Nothing can ring: the same as a refused offer (asynchronously, as a phone would).
              boost::asio::post(strand_, [this, call = c.call, agent = c.agent] { ringFailed(call, agent); });
            }
          } else if constexpr (std::is_same_v<T, acd::StopRinging>) {
            if (telephony_) telephony_->stopRinging(c.call, c.agent);
          } else if constexpr (std::is_same_v<T, acd::ConnectAgent>) {
            if (telephony_) {
              std::string path = telephony_->connect(c.call, c.agent);
              if (!path.empty()) recordings_[c.call] = std::move(path);
            }
          } else if constexpr (std::is_same_v<T, acd::HangUpCall>) {
            if (telephony_) telephony_->hangUp(c.call);
          } else if constexpr (std::is_same_v<T, acd::StartTimer>) {
            scheduleTimer(c.timer, org, c.at);
          } else if constexpr (std::is_same_v<T, acd::CancelTimer>) {
            cancelTimer(c.timer);
          } else if constexpr (std::is_same_v<T, acd::SaveAgentState>) {
            if (oc != nullptr) {
              if (const acd::AgentStatus* st = oc->center->agentStatus(c.agent)) publishStatus(c.agent, *st);
            }
            const std::string id = agentId(c.agent);
            if (group) group->add();
            writer_.write(acd::AgentStateWrite{org, c.agent, c.change},
                          [this, org, agent = c.agent, id, change = c.change, group](const Result<void>& r) {
                            // Published once stored: a client never sees a state that a
                            // crash could take back.
                            if (r) hub_.publishToAgentAndAdmins(org, agent, api::agentStateEvent(id, change));
                            if (group) group->finished(r);
                          });
          } else if constexpr (std::is_same_v<T, acd::SaveCallRecord>) {
            acd::CallRecord record = std::move(c.record);
            if (auto it = recordings_.find(record.call); it != recordings_.end()) {
              record.recording = std::move(it->second);
              recordings_.erase(it);
            }
            calls_.erase(record.call);
            core::logInfo("call record", {{"call", static_cast<int64_t>(record.call)},
                                          {"result", acd::toString(record.result)},
                                          {"ended_by", record.ended_by},
                                          {"wait_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                          record.wait()).count()}});
            writer_.write(acd::CallCloseWrite{std::move(record)});
          } else if constexpr (std::is_same_v<T, acd::SaveCallback>) {
            core::logInfo("callback requested", {{"call", static_cast<int64_t>(c.call)}, {"number", c.number}});
            writer_.write(acd::CallbackWrite{org, c.call, c.number, c.menu, c.at});
          }
        },
        command);
  }
  if (oc != nullptr) {  // kept per org so that a command batch costs O(1) here, not O(orgs)
    const std::size_t now_waiting = oc->center->router().waiting();
    waiting_total_ = waiting_total_ - oc->waiting + now_waiting;
    oc->waiting = now_waiting;
  }
  {
    std::lock_guard lock(live_mu_);
    live_calls_ = calls_.size();
    live_waiting_ = waiting_total_;
  }
  if (after_commands_) after_commands_();
}

// ---- timers --------------------------------------------------------------------------------

void ContactCenter::scheduleTimer(acd::TimerId timer, acd::OrgId org, core::Time at) {
  cancelTimer(timer);
  timers_.emplace(std::make_pair(at, timer), org);
  timer_at_[timer] = at;
  armTimer();
}

void ContactCenter::cancelTimer(acd::TimerId timer) {
  auto it = timer_at_.find(timer);
  if (it == timer_at_.end()) return;
  timers_.erase(std::make_pair(it->second, timer));
  timer_at_.erase(it);
}

// One Asio timer for the earliest deadline; it is only moved earlier, and a wake-up that
// finds nothing due re-arms for what is next.
void ContactCenter::armTimer() {
  if (stopped_ || timers_.empty()) return;
  const core::Time next = timers_.begin()->first.first;
  if (armed_ && *armed_ <= next) return;
  armed_ = next;
  timer_.expires_after(std::max(core::Duration::zero(), next - clock_.now()));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    armed_.reset();
    runDueTimers();
    armTimer();
  });
}

void ContactCenter::runDueTimers() {
  const core::Time now = clock_.now();
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    const auto [key, org] = *timers_.begin();
    timers_.erase(timers_.begin());
    timer_at_.erase(key.second);
    if (OrgCenter* oc = findOrg(org)) execute(org, oc->center->timerFired(key.second, now));
  }
}

// ---- call events (strand) ----------------------------------------------------------------

bool ContactCenter::callArrived(acd::CallId call, acd::OrgId org, const std::string& caller,
                                const std::string& number) {
  OrgCenter* oc = findOrg(org);
  if (oc == nullptr) return false;
  calls_[call] = org;
  acd::Commands commands = oc->center->callArrived(call, caller, number, clock_.now());
  // The arrival is written first, so that a crash from now on leaves a trace that the
  // next start closes as interrupted.
  acd::CallRecord open;
  open.call = call;
  open.org = org;
  open.caller = caller;
  open.called = number;
  open.arrived = clock_.now();
  writer_.write(acd::CallOpenWrite{std::move(open)});
  execute(org, std::move(commands));
  return true;
}

void ContactCenter::digit(acd::CallId call, char d) {
  if (acd::CallCenter* c = centerOfCall(call)) execute(c->org().id, c->digit(call, d, clock_.now()));
}

void ContactCenter::promptFinished(acd::CallId call, std::uint64_t play_id) {
  if (acd::CallCenter* c = centerOfCall(call)) execute(c->org().id, c->promptFinished(call, play_id, clock_.now()));
}

void ContactCenter::agentAnswered(acd::CallId call, acd::AgentKey agent) {
  if (acd::CallCenter* c = centerOfCall(call)) execute(c->org().id, c->agentAnswered(call, agent, clock_.now()));
}

void ContactCenter::ringFailed(acd::CallId call, acd::AgentKey agent) {
  if (acd::CallCenter* c = centerOfCall(call)) execute(c->org().id, c->ringFailed(call, agent, clock_.now()));
}

void ContactCenter::customerHungUp(acd::CallId call, std::string_view reason) {
  if (acd::CallCenter* c = centerOfCall(call)) execute(c->org().id, c->customerHungUp(call, clock_.now(), reason));
}

void ContactCenter::agentHungUp(acd::CallId call, std::string_view reason) {
  if (acd::CallCenter* c = centerOfCall(call)) execute(c->org().id, c->agentHungUp(call, clock_.now(), reason));
}

void ContactCenter::holdChanged(acd::CallId call, bool held) {
  if (acd::CallCenter* c = centerOfCall(call)) execute(c->org().id, c->holdChanged(call, held, clock_.now()));
}

bool ContactCenter::outboundStarted(acd::CallId call, std::string_view aor, const std::string& caller_id,
                                    const std::string& number) {
  const auto at = aor.rfind('@');
  if (at == std::string_view::npos) return false;
  auto org = org_by_domain_.find(std::string(aor.substr(at + 1)));
  if (org == org_by_domain_.end()) return false;
  OrgCenter* oc = findOrg(org->second);
  if (oc == nullptr) return false;
  auto agent = oc->by_id.find(std::string(aor.substr(0, at)));
  if (agent == oc->by_id.end()) return false;
  calls_[call] = org->second;
  acd::CallRecord open;
  open.call = call;
  open.org = org->second;
  open.direction = acd::CallDirection::kOutbound;
  open.caller = caller_id;
  open.called = number;
  open.agent = agent->second;
  open.arrived = clock_.now();
  writer_.write(acd::CallOpenWrite{std::move(open)});
  execute(org->second, oc->center->outboundStarted(call, agent->second, caller_id, number, clock_.now()));
  return true;
}

void ContactCenter::outboundAnswered(acd::CallId call, std::string recording) {
  acd::CallCenter* c = centerOfCall(call);
  if (c == nullptr) return;
  if (!recording.empty()) recordings_[call] = std::move(recording);
  execute(c->org().id, c->outboundAnswered(call, clock_.now()));
}

void ContactCenter::outboundEnded(acd::CallId call, std::string_view by, std::string_view reason) {
  if (acd::CallCenter* c = centerOfCall(call)) execute(c->org().id, c->outboundEnded(call, by, reason, clock_.now()));
}

void ContactCenter::devicesChanged(std::string_view aor, std::size_t count) {
  const auto at = aor.rfind('@');
  if (at == std::string_view::npos) return;
  auto org = org_by_domain_.find(std::string(aor.substr(at + 1)));
  if (org == org_by_domain_.end()) return;
  OrgCenter* oc = findOrg(org->second);
  if (oc == nullptr) return;
  auto agent = oc->by_id.find(std::string(aor.substr(0, at)));
  if (agent == oc->by_id.end()) return;
  execute(org->second, oc->center->deviceReachable(agent->second, count > 0, clock_.now()));
}

// ---- agent states (API threads) ----------------------------------------------------------

acd::AgentStatus ContactCenter::get(acd::OrgId org, acd::AgentKey agent) const {
  std::lock_guard lock(live_mu_);
  auto it = live_.find(agent);
  if (it == live_.end() || it->second.first.org != org) return {};
  return it->second.second;
}

Result<acd::AgentStatus> ContactCenter::changeOnStrand(
    acd::OrgId org, acd::AgentKey agent,
    std::function<Result<acd::Commands>(acd::CallCenter&, core::Time)> step) {
  auto promise = std::make_shared<std::promise<Result<acd::AgentStatus>>>();
  auto future = promise->get_future();
  boost::asio::post(strand_, [this, org, agent, step = std::move(step), promise] {
    OrgCenter* oc = findOrg(org);
    if (oc == nullptr || oc->center->agentStatus(agent) == nullptr) {
      promise->set_value(core::makeError(ErrorCode::kNotFound, "no such agent"));
      return;
    }
    auto commands = step(*oc->center, clock_.now());
    if (!commands) {
      promise->set_value(commands.error());
      return;
    }
    const acd::AgentStatus after = *oc->center->agentStatus(agent);
    publishStatus(agent, after);
    auto group = std::make_shared<WriteGroup>();
    group->done = [promise, after](std::optional<core::Error> error) {
      if (error) {
        promise->set_value(*error);
      } else {
        promise->set_value(after);
      }
    };
    execute(org, std::move(*commands), group);
    group->seal();
  });
  // The strand answers in microseconds and the writer within a commit; a server that
  // cannot do either in this long is stopping or stuck, and the caller hears so.
  if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    return core::makeError(ErrorCode::kUnavailable, "The contact center did not answer in time.");
  }
  try {
    return future.get();
  } catch (const std::future_error&) {  // the strand stopped before it ran
    return core::makeError(ErrorCode::kUnavailable, "The server is stopping.");
  }
}

Result<acd::AgentStatus> ContactCenter::login(const acd::Org& org, const acd::Agent& agent, core::Time) {
  std::lock_guard session(sessionMutex(agent.key));
  // An org or agent created since the last directory refresh is learnt here.
  boost::asio::post(strand_, [this, org, agent] {
    if (findOrg(org.id) == nullptr) addOrg(CenterOrg{org, {agent}});
    knowAgent(org.id, agent);
    if (OrgCenter* oc = findOrg(org.id)) execute(org.id, oc->center->updateAgent(agent, clock_.now()));
  });
  return changeOnStrand(agent.org, agent.key, [key = agent.key](acd::CallCenter& c, core::Time now) {
    return Result<acd::Commands>(c.agentLoggedIn(key, now));
  });
}

Result<acd::AgentStatus> ContactCenter::logout(acd::OrgId org, acd::AgentKey agent, core::Time now) {
  std::lock_guard session(sessionMutex(agent));
  const acd::AgentStatus current = get(org, agent);
  if (current.state() == acd::AgentState::kOffline || current.logoutPending()) return current;
  // Checked under the agent's session mutex: a login racing with this waits, so it is
  // never undone by a logout that looked before the new session existed.
  auto live = has_live_session_(agent, now);
  if (!live) return live.error();
  if (*live) return current;
  return changeOnStrand(org, agent, [agent](acd::CallCenter& c, core::Time at) {
    return Result<acd::Commands>(c.agentLoggedOut(agent, at));
  });
}

Result<acd::AgentStatus> ContactCenter::request(acd::OrgId org, acd::AgentKey agent, acd::AgentState to,
                                                core::Time) {
  if (get(org, agent).state() == acd::AgentState::kOffline) {
    return core::makeError(ErrorCode::kForbidden, "the agent is logged out");
  }
  return changeOnStrand(org, agent, [agent, to](acd::CallCenter& c, core::Time now) {
    return c.agentRequested(agent, to, now);
  });
}

Result<int> ContactCenter::sweep(core::Time now) {
  std::vector<std::pair<acd::OrgId, acd::AgentKey>> logged_in;
  {
    std::lock_guard lock(live_mu_);
    for (const auto& [key, entry] : live_) {
      if (entry.second.state() != acd::AgentState::kOffline && !entry.second.logoutPending()) {
        logged_in.emplace_back(entry.first.org, key);
      }
    }
  }
  int changed = 0;
  for (const auto& [org, agent] : logged_in) {
    const acd::AgentState before = get(org, agent).state();
    auto after = logout(org, agent, now);
    if (!after) return after.error();
    if (after->state() != before) ++changed;
  }
  return changed;
}

ContactCenterCounts ContactCenter::counts() const {
  ContactCenterCounts c;
  {
    std::lock_guard lock(live_mu_);
    c.calls = live_calls_;
    c.waiting = live_waiting_;
    for (const auto& [key, entry] : live_) {
      if (entry.second.state() != acd::AgentState::kOffline) ++c.logged_in;
    }
  }
  c.writes_queued = writer_.queued();
  c.writes_failed = writer_.failed();
  return c;
}

}  // namespace sb::app
