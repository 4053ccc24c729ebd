#include "app/contact_center.hpp"

#include <boost/asio/post.hpp>
#include <algorithm>
#include <future>
#include <utility>
#include <type_traits>

#include "acd/dial_plan.hpp"
#include "api/call_events.hpp"
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
      timer_(strand_),
      waiting_timer_(strand_) {}

ContactCenter::~ContactCenter() { stop(); }

void ContactCenter::stop() {
  stopped_ = true;
  timer_.cancel();
  waiting_timer_.cancel();
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
  live_[a.key].ref = AgentRef{org, a.id};
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
    for (const acd::Agent& a : o.agents) publishAgent(*oc, a.key);  // a disabled one is unreachable
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
  return it == live_.end() ? std::string() : it->second.ref.id;
}

void ContactCenter::publishStatus(acd::AgentKey agent, const acd::AgentStatus& status) {
  std::lock_guard lock(live_mu_);
  live_[agent].live.status = status;
}

void ContactCenter::publishAgent(const OrgCenter& oc, acd::AgentKey agent) {
  const acd::AgentStatus* status = oc.center->agentStatus(agent);
  if (status == nullptr) return;
  // The same flag transferRequested and the router check: the list and the transfer agree.
  const bool reachable = oc.center->reachable(agent);
  std::lock_guard lock(live_mu_);
  AgentEntry& entry = live_[agent];
  entry.live.status = *status;
  entry.live.reachable = reachable;
}

void ContactCenter::execute(acd::OrgId org, acd::Commands commands, const std::shared_ptr<WriteGroup>& group,
                            std::optional<acd::NoteWrite> note) {
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
            target.transfer = c.transfer;
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
              std::string path = telephony_->connect(c.call, c.agent, c.transfer);
              if (!path.empty()) recordings_[c.call] = std::move(path);
            }
          } else if constexpr (std::is_same_v<T, acd::HoldCustomer>) {
            if (telephony_) telephony_->holdCustomer(c.call, c.held);
          } else if constexpr (std::is_same_v<T, acd::DialOut>) {
            auto route = pending_routes_.find(c.call);
            if (telephony_ && route != pending_routes_.end()) {
              telephony_->dialOut(c.call, agentId(c.agent) + "@" + route->second.org_domain, route->second);
            } else {
              boost::asio::post(strand_, [this, call = c.call] { outboundEnded(call, "system", "failed"); });
            }
          } else if constexpr (std::is_same_v<T, acd::CallNotice>) {
            publishNotice(org, c);
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
            std::optional<acd::NoteWrite> with;
            if (note && note->author == c.agent) with = std::exchange(note, std::nullopt);
            writer_.write(acd::AgentStateWrite{org, c.agent, c.change, std::move(with)},
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
            std::string event =
                oc ? api::callbackCreatedEvent(oc->center->org(), c.call, c.number, c.menu, c.at) : std::string();
            writer_.write(acd::CallbackWrite{org, c.call, c.number, c.menu, c.at},
                          [this, org, event = std::move(event)](const Result<void>& r) {
                            if (r && !event.empty()) hub_.publish(org, event);
                          });
          }
        },
        command);
  }
  if (note) {  // no state changed (the agent asked for the state it is in): the note alone
    if (group) group->add();
    writer_.write(std::move(*note), [group](const Result<void>& r) {
      if (group) group->finished(r);
    });
  }
  if (oc != nullptr) {  // kept per org so that a command batch costs O(1) here, not O(orgs)
    const std::size_t now_waiting = oc->center->router().waiting();
    waiting_total_ = waiting_total_ - oc->waiting + now_waiting;
    oc->waiting = now_waiting;
    noteWaiting(*oc);
  }
  {
    std::lock_guard lock(live_mu_);
    live_calls_ = calls_.size();
    live_waiting_ = waiting_total_;
  }
  if (after_commands_) after_commands_();
}

// ---- events -------------------------------------------------------------------------------

void ContactCenter::publishAfterWrites(std::function<void()> publish) {
  writer_.barrier([publish = std::move(publish)](const Result<void>&) { publish(); });
}

void ContactCenter::publishNotice(acd::OrgId org, const acd::CallNotice& notice) {
  OrgCenter* oc = findOrg(org);
  if (oc == nullptr) return;
  std::string event =
      api::callNoticeEvent(notice, oc->center->org(), [this](acd::AgentKey key) { return agentId(key); });
  if (event.empty()) return;
  // The agents concerned (and the org's admins): for the end, every agent it rang.
  std::vector<acd::AgentKey> agents;
  auto add = [&](acd::AgentKey key) {
    if (key != 0 && std::find(agents.begin(), agents.end(), key) == agents.end()) agents.push_back(key);
  };
  add(notice.agent);
  add(notice.target);
  if (notice.kind == acd::CallNoticeKind::kEnded) {
    for (const acd::OfferRecord& o : notice.record.offers) add(o.agent);
    if (notice.record.agent) add(*notice.record.agent);
  }
  publishAfterWrites([this, org, agents = std::move(agents), event = std::move(event)] {
    hub_.publishToAgentsAndAdmins(org, agents, event);
  });
}

void ContactCenter::noteWaiting(OrgCenter& oc) {
  for (acd::MenuIndex m = 0; m < acd::kMenuCount; ++m) {
    const std::size_t n = oc.center->router().waiting(m);
    if (n != oc.menu_waiting[m]) {
      oc.menu_waiting[m] = n;
      oc.waiting_changed = true;
    }
  }
  if (!oc.waiting_changed || waiting_armed_ || stopped_) return;
  // A busy org changes its queues hundreds of times a second: its apps hear the
  // counts at most every 250 ms, never a stale one for longer.
  waiting_armed_ = true;
  waiting_timer_.expires_after(std::chrono::milliseconds(250));
  waiting_timer_.async_wait([this](boost::system::error_code ec) {
    waiting_armed_ = false;
    if (!ec) flushWaiting();
  });
}

void ContactCenter::flushWaiting() {
  for (auto& [id, oc] : orgs_) {
    if (!oc.waiting_changed) continue;
    oc.waiting_changed = false;
    hub_.publish(id, api::queueWaitingEvent(oc.center->org(), oc.menu_waiting));
  }
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

std::optional<std::pair<acd::OrgId, acd::AgentKey>> ContactCenter::agentOfAor(std::string_view aor) {
  const auto at = aor.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  auto org = org_by_domain_.find(std::string(aor.substr(at + 1)));
  if (org == org_by_domain_.end()) return std::nullopt;
  OrgCenter* oc = findOrg(org->second);
  if (oc == nullptr) return std::nullopt;
  auto agent = oc->by_id.find(std::string(aor.substr(0, at)));
  if (agent == oc->by_id.end()) return std::nullopt;
  return std::make_pair(org->second, agent->second);
}

Result<DialRoute> ContactCenter::startDial(acd::OrgId org, acd::AgentKey agent, acd::CallId call,
                                           const acd::DialTarget& target, bool from_app,
                                           std::optional<acd::CallId> from_call, std::optional<std::int64_t> callback) {
  OrgCenter* oc = findOrg(org);
  if (oc == nullptr) return core::makeError(ErrorCode::kNotFound, "no such org");
  const acd::Org& o = oc->center->org();
  const acd::Agent* caller = oc->center->agent(agent);
  if (caller == nullptr) return core::makeError(ErrorCode::kNotFound, "no such agent");
  DialRoute route;
  route.org_domain = o.domain;
  acd::OutboundCall spec;
  spec.from_app = from_app;
  spec.from_call = from_call;
  spec.callback = callback;
  if (const auto* ext = std::get_if<acd::ExtensionDial>(&target)) {
    auto callee = oc->by_id.find(ext->agent_id);
    if (callee == oc->by_id.end()) return core::makeError(ErrorCode::kNotFound, "no such agent");
    spec.direction = acd::CallDirection::kInternal;
    spec.caller_id = caller->id;
    spec.number = ext->agent_id;
    spec.callee = callee->second;
    route.kind = DialRoute::Kind::kAgent;
    route.agent_aor = ext->agent_id + "@" + o.domain;
    route.caller_id = caller->id;
    route.caller_name = caller->name;
  } else if (const auto* number = std::get_if<acd::DomesticDial>(&target)) {
    if (o.numbers.empty()) {
      return core::makeError(ErrorCode::kUnavailable, "The organization has no number to call from.");
    }
    spec.caller_id = o.numbers.front();
    spec.number = number->national;
    route.kind = DialRoute::Kind::kTrunk;
    route.number = number->national;
    route.caller_id = o.numbers.front();
  } else {
    return core::makeError(ErrorCode::kInvalidInput, "not a number or an agent");
  }
  const core::Time now = clock_.now();
  auto commands = oc->center->dialStarted(call, agent, spec, now);
  if (!commands) return commands.error();
  calls_[call] = org;
  acd::CallRecord open;
  open.call = call;
  open.org = org;
  open.direction = spec.direction;
  open.caller = spec.caller_id;
  open.called = spec.number;
  open.agent = agent;
  open.arrived = now;
  open.from_call = from_call;
  open.callback = callback;
  writer_.write(acd::CallOpenWrite{std::move(open)});
  pending_routes_[call] = route;  // for DialOut, when the commands run
  execute(org, std::move(*commands));
  pending_routes_.erase(call);
  return route;
}

Result<DialRoute> ContactCenter::deviceDialed(acd::CallId call, std::string_view aor, const std::string& typed,
                                              std::string_view source) {
  auto who = agentOfAor(aor);
  if (!who) return core::makeError(ErrorCode::kNotFound, "no such agent");
  OrgCenter* oc = findOrg(who->first);
  const acd::DialTarget target = acd::classifyDial(
      oc->center->org(), typed, [oc](std::string_view id) { return oc->by_id.count(std::string(id)) != 0; });
  if (const auto* refused = std::get_if<acd::RefusedDial>(&target)) {
    // E3: a security event, for whoever audits the org's calls.
    core::security("dial_refused", source, {{"org", oc->center->org().name}, {"agent", std::string(aor)},
                                            {"via", "phone"}, {"number", typed},
                                            {"reason", acd::toString(refused->reason)}});
    return core::makeError(ErrorCode::kForbidden, refused->message);
  }
  if (const auto* invalid = std::get_if<acd::InvalidDial>(&target)) {
    return core::makeError(ErrorCode::kInvalidInput, invalid->message);
  }
  return startDial(who->first, who->second, call, target, false, std::nullopt, std::nullopt);
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
  publishAgent(*oc, agent->second);
}

// ---- agent states (API threads) ----------------------------------------------------------

acd::AgentStatus ContactCenter::get(acd::OrgId org, acd::AgentKey agent) const {
  std::lock_guard lock(live_mu_);
  auto it = live_.find(agent);
  if (it == live_.end() || it->second.ref.org != org) return {};
  return it->second.live.status;
}

std::unordered_map<acd::AgentKey, api::AgentStates::LiveAgent> ContactCenter::snapshot(acd::OrgId org) const {
  std::unordered_map<acd::AgentKey, LiveAgent> out;
  std::lock_guard lock(live_mu_);
  for (const auto& [key, entry] : live_) {
    if (entry.ref.org == org) out.emplace(key, entry.live);
  }
  return out;
}

Result<acd::AgentStatus> ContactCenter::changeOnStrand(
    acd::OrgId org, acd::AgentKey agent,
    std::function<Result<acd::Commands>(acd::CallCenter&, core::Time)> step, std::optional<acd::NoteWrite> note) {
  auto promise = std::make_shared<std::promise<Result<acd::AgentStatus>>>();
  auto future = promise->get_future();
  boost::asio::post(strand_, [this, org, agent, step = std::move(step), promise, note = std::move(note)]() mutable {
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
    execute(org, std::move(*commands), group, std::move(note));
    group->seal();
  });
  return awaitStrand(future);
}

template <class T>
Result<T> ContactCenter::awaitStrand(std::future<Result<T>>& future) {
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

Result<void> ContactCenter::commandOnStrand(acd::OrgId org,
                                            std::function<Result<acd::Commands>(acd::CallCenter&, core::Time)> step) {
  auto promise = std::make_shared<std::promise<Result<void>>>();
  auto future = promise->get_future();
  boost::asio::post(strand_, [this, org, step = std::move(step), promise] {
    OrgCenter* oc = findOrg(org);
    if (oc == nullptr) {
      promise->set_value(core::makeError(ErrorCode::kNotFound, "no such org"));
      return;
    }
    auto commands = step(*oc->center, clock_.now());
    if (!commands) {
      promise->set_value(commands.error());
      return;
    }
    auto group = std::make_shared<WriteGroup>();
    group->done = [promise](std::optional<core::Error> error) {
      if (error) {
        promise->set_value(*error);
      } else {
        promise->set_value(core::okResult());
      }
    };
    execute(org, std::move(*commands), group);
    group->seal();
  });
  return awaitStrand(future);
}

Result<std::optional<acd::LiveCall>> ContactCenter::liveCall(acd::OrgId org, acd::AgentKey agent) {
  auto promise = std::make_shared<std::promise<Result<std::optional<acd::LiveCall>>>>();
  auto future = promise->get_future();
  boost::asio::post(strand_, [this, org, agent, promise] {
    OrgCenter* oc = findOrg(org);
    if (oc == nullptr) {
      promise->set_value(std::optional<acd::LiveCall>());
      return;
    }
    promise->set_value(oc->center->liveCallOf(agent));
  });
  return awaitStrand(future);
}

Result<void> ContactCenter::hold(acd::OrgId org, acd::AgentKey agent, acd::CallId call, bool held) {
  return commandOnStrand(org, [=](acd::CallCenter& c, core::Time now) { return c.holdRequested(call, agent, held, now); });
}

Result<void> ContactCenter::transfer(acd::OrgId org, acd::AgentKey agent, acd::CallId call, acd::AgentKey target) {
  return commandOnStrand(
      org, [=](acd::CallCenter& c, core::Time now) { return c.transferRequested(call, agent, target, now); });
}

Result<void> ContactCenter::hangUp(acd::OrgId org, acd::AgentKey agent, acd::CallId call) {
  return commandOnStrand(org, [=](acd::CallCenter& c, core::Time now) { return c.hangUpRequested(call, agent, now); });
}

Result<acd::CallId> ContactCenter::dial(acd::OrgId org, acd::AgentKey agent, const DialRequest& request) {
  auto promise = std::make_shared<std::promise<Result<acd::CallId>>>();
  auto future = promise->get_future();
  boost::asio::post(strand_, [this, org, agent, request, promise] {
    const acd::CallId call = newCallId();
    auto route = startDial(org, agent, call, request.target, true, request.from_call, request.callback);
    if (!route) {
      promise->set_value(route.error());
      return;
    }
    // The open record is queued before anything else of the call: answer once it is kept.
    writer_.barrier([promise, call](const Result<void>& r) {
      if (r) {
        promise->set_value(call);
      } else {
        promise->set_value(r.error());
      }
    });
  });
  return awaitStrand(future);
}

Result<std::array<std::size_t, acd::kMenuCount>> ContactCenter::waitingNow(acd::OrgId org) {
  using Counts = std::array<std::size_t, acd::kMenuCount>;
  auto promise = std::make_shared<std::promise<Result<Counts>>>();
  auto future = promise->get_future();
  boost::asio::post(strand_, [this, org, promise] {
    Counts counts{};
    if (OrgCenter* oc = findOrg(org)) {
      for (acd::MenuIndex m = 0; m < acd::kMenuCount; ++m) counts[m] = oc->center->router().waiting(m);
    }
    promise->set_value(counts);
  });
  return awaitStrand(future);
}

Result<void> ContactCenter::recordsWritten() {
  // Through the strand first: a call that ended there has queued its record by then.
  auto promise = std::make_shared<std::promise<Result<void>>>();
  auto future = promise->get_future();
  boost::asio::post(strand_, [this, promise] {
    writer_.barrier([promise](const Result<void>& r) { promise->set_value(r); });
  });
  return awaitStrand(future);
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
                                                core::Time, std::optional<acd::NoteWrite> note) {
  if (get(org, agent).state() == acd::AgentState::kOffline) {
    return core::makeError(ErrorCode::kForbidden, "the agent is logged out");
  }
  return changeOnStrand(
      org, agent, [agent, to](acd::CallCenter& c, core::Time now) { return c.agentRequested(agent, to, now); },
      std::move(note));
}

Result<int> ContactCenter::sweep(core::Time now) {
  std::vector<std::pair<acd::OrgId, acd::AgentKey>> logged_in;
  {
    std::lock_guard lock(live_mu_);
    for (const auto& [key, entry] : live_) {
      if (entry.live.status.state() != acd::AgentState::kOffline && !entry.live.status.logoutPending()) {
        logged_in.emplace_back(entry.ref.org, key);
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
      if (entry.live.status.state() != acd::AgentState::kOffline) ++c.logged_in;
    }
  }
  c.writes_queued = writer_.queued();
  c.writes_failed = writer_.failed();
  return c;
}

}  // namespace sb::app
