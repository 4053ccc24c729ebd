#include "acd/call_center.hpp"

#include <algorithm>

namespace sb::acd {
namespace {

std::optional<MenuIndex> menuOfDigit(char d) {
  if (d < '0' || d > '9') return std::nullopt;
  return static_cast<MenuIndex>(d - '0');
}

MenuSet menuSetOf(const std::vector<std::string>& digits) {
  MenuSet set = 0;
  for (const std::string& d : digits) {
    if (d.size() == 1) {
      if (auto m = menuOfDigit(d[0])) set |= menuBit(*m);
    }
  }
  return set;
}

}  // namespace

const char* toString(CallResult r) {
  switch (r) {
    case CallResult::kAnswered: return "answered";
    case CallResult::kUnconnected: return "unconnected";
    case CallResult::kCallback: return "callback";
    case CallResult::kNoAgent: return "no_agent";
    case CallResult::kRejected: return "rejected";
    case CallResult::kFailed: return "failed";
    case CallResult::kInterrupted: return "interrupted";
  }
  return "failed";
}

std::optional<CallResult> parseCallResult(std::string_view s) {
  for (CallResult r : {CallResult::kAnswered, CallResult::kUnconnected, CallResult::kCallback, CallResult::kNoAgent,
                       CallResult::kRejected, CallResult::kFailed, CallResult::kInterrupted}) {
    if (s == toString(r)) return r;
  }
  return std::nullopt;
}

const char* toString(CallDirection d) {
  switch (d) {
    case CallDirection::kInbound: return "inbound";
    case CallDirection::kOutbound: return "outbound";
    case CallDirection::kInternal: return "internal";
  }
  return "inbound";
}

std::optional<CallDirection> parseCallDirection(std::string_view s) {
  for (CallDirection d : {CallDirection::kInbound, CallDirection::kOutbound, CallDirection::kInternal}) {
    if (s == toString(d)) return d;
  }
  return std::nullopt;
}

const char* toString(OfferOutcome o) {
  switch (o) {
    case OfferOutcome::kRinging: return "ringing";
    case OfferOutcome::kAnswered: return "answered";
    case OfferOutcome::kMissed: return "missed";
    case OfferOutcome::kWithdrawn: return "withdrawn";
  }
  return "ringing";
}

std::optional<OfferOutcome> parseOfferOutcome(std::string_view s) {
  for (OfferOutcome o : {OfferOutcome::kRinging, OfferOutcome::kAnswered, OfferOutcome::kMissed,
                         OfferOutcome::kWithdrawn}) {
    if (s == toString(o)) return o;
  }
  return std::nullopt;
}

const std::string& CallRecord::customer() const {
  static const std::string kNone;
  switch (direction) {
    case CallDirection::kInbound: return caller;
    case CallDirection::kOutbound: return called;
    case CallDirection::kInternal: return kNone;
  }
  return kNone;
}

core::Duration CallRecord::wait() const {
  return (answered ? *answered : ended) - arrived;
}

core::Duration CallRecord::talk() const {
  return answered ? ended - *answered : core::Duration::zero();
}

CallCenter::CallCenter(Org org, const std::vector<Agent>& agents, CallCenterOptions options)
    : org_(std::move(org)), options_(options), language_(org_.country_code == "82" ? "ko" : "en") {
  for (const Agent& a : agents) {
    if (a.org != org_.id || !a.enabled) continue;
    AgentInfo info;
    info.agent = a;
    info.menus = menuSetOf(a.menus);
    agents_.emplace(a.key, std::move(info));
  }
}

void CallCenter::restoreAgent(AgentKey agent, AgentStatus status) {
  if (AgentInfo* a = findAgent(agent)) a->status = status;
}

Commands CallCenter::updateAgent(const Agent& agent, core::Time now) {
  Commands out;
  if (agent.org != org_.id) return out;
  auto it = agents_.find(agent.key);
  if (!agent.enabled) {
    if (it == agents_.end() || it->second.removed) return out;
    AgentInfo& info = it->second;
    out = agentLoggedOut(agent.key, now);
    info.removed = true;
    info.menus = 0;
    router_.agentUnavailable(agent.key);
    return out;
  }
  if (it == agents_.end()) {  // a new agent: Offline until they log in
    AgentInfo info;
    info.agent = agent;
    info.menus = menuSetOf(agent.menus);
    agents_.emplace(agent.key, std::move(info));
    return out;
  }
  AgentInfo& info = it->second;
  const MenuSet menus = menuSetOf(agent.menus);
  const bool was_removed = info.removed;
  info.agent = agent;
  info.removed = false;
  if (menus != info.menus) {
    info.menus = menus;
    if (router_.isAvailable(agent.key)) {  // keeps its place among the idle
      router_.agentUnavailable(agent.key);
      if (auto offer = router_.agentAvailable(agent.key, info.menus, info.available_since)) ring(out, *offer, now);
    }
  }
  if (was_removed) updateAvailability(out, info, now);
  return out;
}

Commands CallCenter::updateDirectory(Org org, const std::vector<Agent>& agents, core::Time now) {
  Commands out;
  if (org.id != org_.id) return out;
  org_ = std::move(org);
  language_ = org_.country_code == "82" ? "ko" : "en";
  auto append = [&](Commands more) {
    out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  };
  // Agents are disabled, never deleted; one missing from `agents` is one the directory
  // did not have yet when it was read (a login may have taught us of it since): left alone.
  for (const Agent& a : agents) {
    if (a.org == org_.id) append(updateAgent(a, now));
  }
  return out;
}

CallCenter::Call* CallCenter::find(CallId call) {
  auto it = calls_.find(call);
  return it == calls_.end() ? nullptr : &it->second;
}

CallCenter::AgentInfo* CallCenter::findAgent(AgentKey agent) {
  auto it = agents_.find(agent);
  return it == agents_.end() ? nullptr : &it->second;
}

const Agent* CallCenter::agent(AgentKey agent) const {
  auto it = agents_.find(agent);
  return it == agents_.end() ? nullptr : &it->second.agent;
}

const AgentStatus* CallCenter::agentStatus(AgentKey agent) const {
  auto it = agents_.find(agent);
  return it == agents_.end() ? nullptr : &it->second.status;
}

bool CallCenter::reachable(AgentKey agent) const {
  auto it = agents_.find(agent);
  return it != agents_.end() && it->second.reachable && !it->second.removed;
}

std::string CallCenter::menuName(MenuIndex menu) const {
  for (const Menu& m : org_.menus) {
    if (m.digit.size() == 1 && m.digit[0] == static_cast<char>('0' + menu)) return m.name;
  }
  return {};
}

std::uint64_t CallCenter::play(Commands& out, Call& c, std::vector<std::string> prompts, bool interruptible,
                               bool loop) {
  c.play_id = next_play_++;
  out.push_back(PlayPrompts{c.record.call, std::move(prompts), loop, interruptible, c.play_id});
  return c.play_id;
}

void CallCenter::startTimer(Commands& out, Call& c, int kind, core::Time at) {
  c.timers[kind] = at;
  out.push_back(StartTimer{timerId(c.record.call, kind), at});
}

void CallCenter::cancelTimer(Commands& out, Call& c, int kind) {
  if (!c.timers[kind]) return;
  c.timers[kind].reset();
  out.push_back(CancelTimer{timerId(c.record.call, kind)});
}

bool CallCenter::anyoneLoggedIn(MenuIndex menu) const {
  return std::any_of(agents_.begin(), agents_.end(), [&](const auto& entry) {
    return (entry.second.menus & menuBit(menu)) != 0 && entry.second.status.loggedIn();
  });
}

// "You are number N in the queue. The expected waiting time is about M minutes."
std::vector<std::string> CallCenter::announcement(MenuIndex menu, std::size_t position, core::Time now) const {
  std::vector<std::string> prompts{"position_intro", "number:" + std::to_string(position), "position_outro"};
  if (menu < kMenuCount) {
    if (auto wait = waits_[menu].expectedWait(position, now)) {
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(*wait).count();
      const long long minutes = std::clamp<long long>((seconds + 30) / 60, 1, 99);  // "about": nearest
      prompts.emplace_back("expected_wait");
      prompts.push_back("number:" + std::to_string(minutes));
      prompts.emplace_back("minutes");
    }
  }
  return prompts;
}

// --- customer calls -----------------------------------------------------------------

Commands CallCenter::callArrived(CallId call, std::string caller, std::string number, core::Time now) {
  Commands out;
  if (call == 0 || calls_.count(call) != 0) return out;  // not a new call: ignored
  Call& c = calls_[call];
  c.record.call = call;
  c.record.org = org_.id;
  c.record.caller = std::move(caller);
  c.record.called = std::move(number);
  c.record.arrived = now;
  out.push_back(AnswerCall{call});
  std::vector<MenuIndex> menus;
  for (const Menu& m : org_.menus) {
    if (m.digit.size() == 1) {
      if (auto d = menuOfDigit(m.digit[0])) menus.push_back(*d);
    }
  }
  if (menus.empty()) {  // nothing to queue for: an org without menus takes no calls
    play(out, c, {"welcome", "no_agents", "goodbye"}, false);
    c.stage = Stage::kClosing;
    return out;
  }
  if (menus.size() == 1) {  // one menu: no question
    play(out, c, {"welcome"}, false);
    c.record.menu = menus.front();
    c.stage = Stage::kMenu;
    c.menu_attempts = options_.menu_attempts;  // the welcome's end queues the call
    return out;
  }
  playMenu(out, c, "welcome");
  return out;
}

void CallCenter::playMenu(Commands& out, Call& c, const char* first) {
  std::vector<std::string> prompts;
  if (first != nullptr) prompts.emplace_back(first);
  prompts.emplace_back("menu_intro");
  for (const Menu& m : org_.menus) {
    prompts.push_back("menu_" + m.digit);  // the org's recording of the option's name
    prompts.push_back("press_" + m.digit);
  }
  c.stage = Stage::kMenu;
  ++c.menu_attempts;
  play(out, c, std::move(prompts), true);
}

Commands CallCenter::digit(CallId call, char d, core::Time now) {
  Commands out;
  Call* c = find(call);
  if (c == nullptr) return out;
  switch (c->stage) {
    case Stage::kMenu: {
      if (c->record.menu) return out;  // a one-menu org asks nothing
      auto menu = menuOfDigit(d);
      if (menu && !menuName(*menu).empty()) {
        cancelTimer(out, *c, kMenuTimer);
        out.push_back(StopPlaying{call});
        chooseMenu(out, *c, *menu, now);
      } else {
        cancelTimer(out, *c, kMenuTimer);
        out.push_back(StopPlaying{call});
        if (c->menu_attempts >= options_.menu_attempts) {
          chooseMenu(out, *c, *menuOfDigit(org_.menus.front().digit[0]), now);
        } else {
          playMenu(out, *c, "invalid_choice");
        }
      }
      return out;
    }
    case Stage::kQueued:
    case Stage::kOffered:
      if (d == '*') offerCallback(out, *c, now);
      return out;
    case Stage::kCallbackConfirm:
      cancelTimer(out, *c, kCallbackTimer);
      if (d == '1') {
        out.push_back(StopPlaying{call});
        out.push_back(SaveCallback{call, c->record.caller, c->record.menu.value_or(0), now});
        c->record.result = CallResult::kCallback;
        c->stage = Stage::kClosing;
        play(out, *c, {"callback_confirm", "goodbye"}, false);
      } else {
        backToQueue(out, *c, now);
      }
      return out;
    case Stage::kConnected:
    case Stage::kClosing:
    case Stage::kDialing:
      return out;
  }
  return out;
}

void CallCenter::chooseMenu(Commands& out, Call& c, MenuIndex menu, core::Time now) {
  c.record.menu = menu;
  c.record.queued = now;
  c.stage = Stage::kQueued;
  const bool staffed = anyoneLoggedIn(menu);
  if (auto offer = router_.enqueue(c.record.call, menu, now)) {
    hold(out, c);
    ring(out, *offer, now);
    return;
  }
  // Waiting: please-wait (or, with nobody of the menu logged in, the no-agents
  // announcement with the callback offer), then the hold sound.
  if (staffed) {
    c.hold_after_play = play(out, c, {"please_wait", "callback_offer"}, true);
  } else {
    c.hold_after_play = play(out, c, {"no_agents", "callback_offer"}, true);
  }
  startTimer(out, c, kAnnounceTimer, now + options_.announce_every);
}

void CallCenter::hold(Commands& out, Call& c) {
  c.hold_after_play = 0;
  play(out, c, {"hold"}, true, true);
}

Commands CallCenter::promptFinished(CallId call, std::uint64_t play_id, core::Time now) {
  Commands out;
  Call* c = find(call);
  if (c == nullptr || play_id != c->play_id) return out;  // an older play, replaced
  switch (c->stage) {
    case Stage::kMenu:
      if (c->record.menu) {  // one-menu org: the welcome is over
        chooseMenu(out, *c, *c->record.menu, now);
      } else {
        startTimer(out, *c, kMenuTimer, now + options_.menu_timeout);
      }
      break;
    case Stage::kQueued:
    case Stage::kOffered:
      if (c->hold_after_play == play_id) hold(out, *c);
      break;
    case Stage::kCallbackConfirm:
      startTimer(out, *c, kCallbackTimer, now + options_.callback_timeout);
      break;
    case Stage::kClosing:
      if (c->record.result == CallResult::kCallback) {
        finish(out, *c, CallResult::kCallback, "system", "callback", now);
      } else {
        finish(out, *c, CallResult::kNoAgent, "system", "no_agent", now);
      }
      break;
    case Stage::kConnected:
    case Stage::kDialing:
      break;
  }
  return out;
}

void CallCenter::ring(Commands& out, const Offer& offer, core::Time now) {
  Call* c = find(offer.call);
  AgentInfo* a = findAgent(offer.agent);
  if (c == nullptr || a == nullptr) return;
  auto change = a->status.offer(now);
  if (!change) {  // cannot happen while the router and the states agree; keep them so
    router_.agentUnavailable(offer.agent);
    if (auto next = router_.offerFailed(offer.call)) ring(out, *next, now);
    return;
  }
  changeState(out, *a, *change);
  c->stage = Stage::kOffered;
  c->ringing = offer.agent;
  c->record.offers.push_back(OfferRecord{offer.agent, now, OfferOutcome::kRinging});
  const auto timeout = std::chrono::seconds(std::max(1, org_.ring_timeout_s));
  out.push_back(RingAgent{offer.call, offer.agent, c->record.caller, menuName(offer.menu), timeout});
  startTimer(out, *c, kRingTimer, now + timeout);
  notify(out, CallNoticeKind::kOffered, *c, offer.agent, now);
}

void CallCenter::notify(Commands& out, CallNoticeKind kind, const Call& c, AgentKey agent, core::Time now,
                        AgentKey target) {
  out.push_back(CallNotice{kind, c.record, agent, target, now});
}

void CallCenter::offerCallback(Commands& out, Call& c, core::Time now) {
  leaveQueue(out, c, now);  // while the caller decides
  cancelTimer(out, c, kAnnounceTimer);
  c.stage = Stage::kCallbackConfirm;
  out.push_back(StopPlaying{c.record.call});
  play(out, c, {"callback_question"}, true);
}

void CallCenter::backToQueue(Commands& out, Call& c, core::Time now) {
  c.stage = Stage::kQueued;
  // The caller keeps their place: the original queue time orders them.
  auto offer = router_.enqueue(c.record.call, c.record.menu.value_or(0), c.record.queued.value_or(now));
  hold(out, c);
  startTimer(out, c, kAnnounceTimer, now + options_.announce_every);
  if (offer) ring(out, *offer, now);
}

void CallCenter::endOffer(Call& c, OfferOutcome outcome) {
  if (!c.record.offers.empty() && c.record.offers.back().outcome == OfferOutcome::kRinging) {
    c.record.offers.back().outcome = outcome;
  }
}

Commands CallCenter::agentAnswered(CallId call, AgentKey agent, core::Time now) {
  Commands out;
  Call* c = find(call);
  AgentInfo* a = findAgent(agent);
  if (c != nullptr && a != nullptr && c->stage == Stage::kConnected && c->transfer_to == agent) {
    // F4: the target takes the call over; the agent who transferred it is done with it.
    auto change = a->status.answered(now);
    if (!change) return out;
    changeState(out, *a, *change);
    cancelTimer(out, *c, kRingTimer);
    // The hold so far was the first agent's: closed on its segment before the change.
    if (c->held_since) {
      const core::Duration held = now - *c->held_since;
      c->record.hold += held;
      if (OfferRecord* o = talkingOffer(*c)) o->hold += held;
      c->held_since.reset();
    }
    endOffer(*c, OfferOutcome::kAnswered);
    c->record.offers.back().answered = now;
    c->transfer_to.reset();
    const AgentKey from = c->talking.value_or(0);
    if (c->talking) {
      if (AgentInfo* first = findAgent(*c->talking)) {
        if (auto ended = first->status.callEnded(org_.after_call, now)) {
          changeState(out, *first, *ended);
          updateAvailability(out, *first, now);
        }
      }
    }
    c->talking = agent;
    c->phone_held = false;  // the new agent's phone is not holding
    c->app_held = false;
    out.push_back(ConnectAgent{call, agent, true});
    out.push_back(HoldCustomer{call, false});
    updateHold(out, *c, now);
    notify(out, CallNoticeKind::kTransferAnswered, *c, from, now, agent);
    return out;
  }
  if (c == nullptr || a == nullptr || c->stage != Stage::kOffered || c->ringing != agent) return out;
  auto change = a->status.answered(now);
  if (!change) return out;
  changeState(out, *a, *change);
  router_.offerAnswered(call);
  cancelTimer(out, *c, kRingTimer);
  cancelTimer(out, *c, kAnnounceTimer);
  c->ringing.reset();
  endOffer(*c, OfferOutcome::kAnswered);
  c->record.offers.back().answered = now;
  c->stage = Stage::kConnected;
  c->record.agent = agent;
  c->talking = agent;
  c->record.answered = now;
  if (c->record.menu && *c->record.menu < kMenuCount) waits_[*c->record.menu].answered(now);
  out.push_back(StopPlaying{call});
  out.push_back(ConnectAgent{call, agent});
  notify(out, CallNoticeKind::kAnswered, *c, agent, now);
  return out;
}

void CallCenter::offerMissed(Commands& out, Call& c, core::Time now) {
  if (!c.ringing) return;
  const AgentKey agent = *c.ringing;
  c.ringing.reset();
  endOffer(c, OfferOutcome::kMissed);
  cancelTimer(out, c, kRingTimer);
  out.push_back(StopRinging{c.record.call, agent});
  if (AgentInfo* a = findAgent(agent)) {
    if (auto change = a->status.offerMissed(now)) changeState(out, *a, *change);
  }
  c.stage = Stage::kQueued;
  // The caller keeps their place; the next available agent rings at once.
  if (auto next = router_.offerFailed(c.record.call)) ring(out, *next, now);
}

void CallCenter::leaveQueue(Commands& out, Call& c, core::Time now) {
  router_.remove(c.record.call);
  if (!c.ringing) return;
  // The offer is withdrawn: the agent did nothing wrong and is Ready again.
  const AgentKey agent = *c.ringing;
  c.ringing.reset();
  endOffer(c, OfferOutcome::kWithdrawn);
  cancelTimer(out, c, kRingTimer);
  out.push_back(StopRinging{c.record.call, agent});
  if (AgentInfo* a = findAgent(agent)) {
    if (auto change = a->status.offerWithdrawn(now)) changeState(out, *a, *change);
    updateAvailability(out, *a, now);
  }
}

Commands CallCenter::ringFailed(CallId call, AgentKey agent, core::Time now) {
  Commands out;
  Call* c = find(call);
  if (c != nullptr && c->transfer_to == agent) {
    endTransfer(out, *c, OfferOutcome::kMissed, now);
    return out;
  }
  if (c == nullptr || c->ringing != agent) return out;
  offerMissed(out, *c, now);
  return out;
}

Commands CallCenter::customerHungUp(CallId call, core::Time now, std::string_view reason) {
  Commands out;
  Call* c = find(call);
  if (c == nullptr) return out;
  if (c->stage == Stage::kConnected) {
    finish(out, *c, CallResult::kAnswered, "customer", reason, now);
    return out;
  }
  leaveQueue(out, *c, now);
  // A callback confirmed before the hang-up stays a callback; a caller who leaves a
  // queue nobody serving its menu is logged in to is counted apart (statistics).
  const bool callback = c->record.result == CallResult::kCallback;
  const bool unserved = c->record.queued && c->record.menu && !anyoneLoggedIn(*c->record.menu) && reason == "hangup";
  finish(out, *c, callback ? CallResult::kCallback : CallResult::kUnconnected, "customer",
         callback ? std::string_view("callback") : unserved ? std::string_view("no_agent") : reason, now);
  return out;
}

Commands CallCenter::agentHungUp(CallId call, core::Time now, std::string_view reason) {
  Commands out;
  Call* c = find(call);
  if (c == nullptr || c->stage != Stage::kConnected) return out;
  if (c->transfer_to && c->talking) {
    // A blind transfer: the agent leaves, the target's phone keeps ringing.
    if (AgentInfo* a = findAgent(*c->talking)) {
      if (auto ended = a->status.callEnded(org_.after_call, now)) {
        changeState(out, *a, *ended);
        updateAvailability(out, *a, now);
      }
    }
    c->talking.reset();
    c->phone_held = false;
    c->app_held = false;
    updateHold(out, *c, now);
    return out;
  }
  finish(out, *c, CallResult::kAnswered, "agent", reason, now);
  return out;
}

OfferRecord* CallCenter::talkingOffer(Call& c) {
  if (!c.talking) return nullptr;
  for (auto it = c.record.offers.rbegin(); it != c.record.offers.rend(); ++it) {
    if (it->agent == *c.talking && it->outcome == OfferOutcome::kAnswered) return &*it;
  }
  return nullptr;  // an agent's own call: no offer
}

CallCenter::Call* CallCenter::talkingCall(CallId call, AgentKey agent) {
  Call* c = find(call);
  if (c == nullptr || c->talking != agent) return nullptr;
  return c;
}

core::Result<Commands> CallCenter::holdRequested(CallId call, AgentKey agent, bool held, core::Time now) {
  Call* c = talkingCall(call, agent);
  if (c == nullptr) return core::makeError(core::ErrorCode::kNotFound, "not a call of this agent");
  if (c->stage != Stage::kConnected) return core::makeError(core::ErrorCode::kConflict, "the call is not connected yet");
  if (c->transfer_to) return core::makeError(core::ErrorCode::kConflict, "a transfer of the call is ringing");
  Commands out;
  if (c->app_held == held) return out;
  c->app_held = held;
  out.push_back(HoldCustomer{call, held});
  updateHold(out, *c, now);
  return out;
}

void CallCenter::updateHold(Commands& out, Call& c, core::Time now) {
  const bool held = c.phone_held || c.app_held;
  if (held && !c.held_since) {
    c.held_since = now;
    notify(out, CallNoticeKind::kHeld, c, c.talking.value_or(0), now);
  } else if (!held && c.held_since) {
    const core::Duration d = now - *c.held_since;
    c.record.hold += d;
    if (OfferRecord* o = talkingOffer(c)) o->hold += d;
    c.held_since.reset();
    notify(out, CallNoticeKind::kResumed, c, c.talking.value_or(0), now);
  }
}

core::Result<Commands> CallCenter::transferRequested(CallId call, AgentKey agent, AgentKey target, core::Time now) {
  Call* c = talkingCall(call, agent);
  if (c == nullptr) return core::makeError(core::ErrorCode::kNotFound, "not a call of this agent");
  if (c->stage != Stage::kConnected || c->record.direction == CallDirection::kInternal) {
    return core::makeError(core::ErrorCode::kConflict, "only a connected customer call can be transferred");
  }
  if (c->transfer_to) return core::makeError(core::ErrorCode::kConflict, "a transfer of the call is ringing already");
  if (target == agent) return core::makeError(core::ErrorCode::kInvalidInput, "an agent cannot transfer a call to itself");
  AgentInfo* t = findAgent(target);
  if (t == nullptr || t->removed) return core::makeError(core::ErrorCode::kNotFound, "no such agent");
  if (t->status.state() != AgentState::kReady || !reachable(target) || t->status.logoutPending() ||
      !router_.isAvailable(target)) {
    return core::makeError(core::ErrorCode::kConflict, "the agent is not Ready");
  }
  auto change = t->status.offer(now);
  if (!change) return change.error();
  Commands out;
  changeState(out, *t, *change);
  router_.agentUnavailable(target);
  c->transfer_to = target;
  c->record.offers.push_back(OfferRecord{target, now, OfferOutcome::kRinging});
  if (!c->app_held) out.push_back(HoldCustomer{call, true});
  const auto timeout = std::chrono::seconds(std::max(1, org_.ring_timeout_s));
  out.push_back(RingAgent{call, target, c->record.customer(),
                          c->record.menu ? menuName(*c->record.menu) : std::string(), timeout, true});
  startTimer(out, *c, kRingTimer, now + timeout);
  notify(out, CallNoticeKind::kTransferRinging, *c, agent, now, target);
  notify(out, CallNoticeKind::kOffered, *c, target, now, agent);
  return out;
}

void CallCenter::endTransfer(Commands& out, Call& c, OfferOutcome outcome, core::Time now) {
  if (!c.transfer_to) return;
  const AgentKey target = *c.transfer_to;
  c.transfer_to.reset();
  endOffer(c, outcome);
  cancelTimer(out, c, kRingTimer);
  out.push_back(StopRinging{c.record.call, target});
  if (AgentInfo* t = findAgent(target)) {
    auto change = outcome == OfferOutcome::kMissed ? t->status.offerMissed(now) : t->status.offerWithdrawn(now);
    if (change) changeState(out, *t, *change);
    updateAvailability(out, *t, now);
  }
  if (outcome == OfferOutcome::kWithdrawn) return;  // the call ends
  if (!c.talking) {  // a blind transfer nobody took: nobody is left to talk to
    finish(out, c, CallResult::kAnswered, "agent", "transfer_failed", now);
    return;
  }
  if (!c.app_held) out.push_back(HoldCustomer{c.record.call, false});
  notify(out, CallNoticeKind::kTransferReturned, c, *c.talking, now, target);
}

core::Result<Commands> CallCenter::hangUpRequested(CallId call, AgentKey agent, core::Time now) {
  Call* c = find(call);
  if (c == nullptr || (c->talking != agent && !(c->callee == agent && c->callee_on_call))) {
    return core::makeError(core::ErrorCode::kNotFound, "not a call of this agent");
  }
  Commands out;
  if (c->stage == Stage::kDialing) {
    finish(out, *c, CallResult::kUnconnected, "agent", "hangup", now);
  } else if (c->record.direction != CallDirection::kInbound) {
    finish(out, *c, CallResult::kAnswered, "agent", "hangup", now);
  } else {
    out = agentHungUp(call, now, "hangup");
  }
  return out;
}

std::optional<LiveCall> CallCenter::liveCallOf(AgentKey agent) const {
  for (const auto& [id, c] : calls_) {
    LiveCall live;
    if (c.ringing == agent || c.transfer_to == agent || (c.callee == agent && !c.callee_on_call)) {
      live.stage = LiveCall::Stage::kRinging;
    } else if (c.talking == agent || c.callee == agent) {
      live.stage = c.stage == Stage::kDialing ? LiveCall::Stage::kDialing : LiveCall::Stage::kConnected;
    } else {
      continue;
    }
    live.record = c.record;
    live.held = c.held_since.has_value();
    live.held_since = c.held_since;
    live.transfer_to = c.transfer_to.value_or(0);
    return live;
  }
  return std::nullopt;
}

Commands CallCenter::outboundStarted(CallId call, AgentKey agent, std::string caller_id, std::string number,
                                     core::Time now) {
  OutboundCall spec;
  spec.caller_id = std::move(caller_id);
  spec.number = std::move(number);
  auto out = dialStarted(call, agent, std::move(spec), now);
  return out ? std::move(*out) : Commands{};
}

core::Result<Commands> CallCenter::dialStarted(CallId call, AgentKey agent, OutboundCall spec, core::Time now) {
  if (call == 0 || calls_.count(call) != 0) return core::makeError(core::ErrorCode::kConflict, "not a new call");
  AgentInfo* a = findAgent(agent);
  if (spec.from_app) {
    if (a == nullptr || !a->status.loggedIn()) return core::makeError(core::ErrorCode::kForbidden, "the agent is logged out");
    if (a->status.busy()) return core::makeError(core::ErrorCode::kConflict, "the agent is on a call");
  }
  AgentInfo* callee = nullptr;
  if (spec.direction == CallDirection::kInternal) {
    callee = findAgent(spec.callee);
    if (callee == nullptr || callee->removed || spec.callee == agent) {
      return core::makeError(core::ErrorCode::kNotFound, "no such agent");
    }
    if (callee->status.busy()) return core::makeError(core::ErrorCode::kConflict, "the agent is busy");
  }
  Commands out;
  Call& c = calls_[call];
  c.stage = Stage::kDialing;
  c.record.call = call;
  c.record.org = org_.id;
  c.record.direction = spec.direction;
  c.record.caller = spec.caller_id;
  c.record.called = spec.number;
  c.record.agent = agent;
  c.record.from_call = spec.from_call;
  c.record.callback = spec.callback;
  c.talking = agent;
  c.record.arrived = now;
  if (spec.from_app) out.push_back(DialOut{call, agent, spec});
  if (a != nullptr && a->status.loggedIn()) {
    // Ready, Break or AfterCallWork → OnCall; an agent already Ringing or OnCall (a
    // second line of its phone) keeps its state.
    if (auto change = a->status.dialed(now)) {
      c.agent_on_call = true;
      changeState(out, *a, *change);
      updateAvailability(out, *a, now);
    }
  }
  if (callee != nullptr) {
    c.callee = spec.callee;
    notify(out, CallNoticeKind::kOffered, c, spec.callee, now, agent);
    if (callee->status.state() == AgentState::kReady) {
      if (auto change = callee->status.offer(now)) {  // offered no customer call meanwhile
        c.callee_ringing = true;
        changeState(out, *callee, *change);
        router_.agentUnavailable(spec.callee);
      }
    }
  }
  return out;
}

Commands CallCenter::outboundAnswered(CallId call, core::Time now) {
  Commands out;
  Call* c = find(call);
  if (c == nullptr || c->stage != Stage::kDialing || c->record.answered) return out;
  c->record.answered = now;
  c->stage = Stage::kConnected;
  if (AgentInfo* callee = c->callee ? findAgent(c->callee) : nullptr) {
    auto change = c->callee_ringing ? callee->status.answered(now)
                                    : callee->status.loggedIn() ? callee->status.dialed(now)
                                                                : core::Result<StateChange>(core::makeError(
                                                                      core::ErrorCode::kConflict, "logged out"));
    c->callee_ringing = false;
    if (change) {
      c->callee_on_call = true;
      changeState(out, *callee, *change);
      updateAvailability(out, *callee, now);
    }
  }
  notify(out, CallNoticeKind::kAnswered, *c, c->record.agent.value_or(0), now);
  return out;
}

Commands CallCenter::outboundEnded(CallId call, std::string_view by, std::string_view reason, core::Time now) {
  Commands out;
  Call* c = find(call);
  if (c == nullptr || c->record.direction == CallDirection::kInbound) return out;
  finish(out, *c, c->record.answered ? CallResult::kAnswered : CallResult::kUnconnected,
         by == "agent" ? "agent" : "customer", reason, now);
  return out;
}

Commands CallCenter::holdChanged(CallId call, bool held, core::Time now) {
  Commands out;
  Call* c = find(call);
  if (c == nullptr || c->stage != Stage::kConnected || !c->talking) return out;
  c->phone_held = held;
  updateHold(out, *c, now);
  return out;
}

void CallCenter::finish(Commands& out, Call& c, CallResult result, const char* by, std::string_view reason,
                        core::Time now) {
  endTransfer(out, c, OfferOutcome::kWithdrawn, now);
  for (int kind = 0; kind < 4; ++kind) cancelTimer(out, c, kind);
  if (c.held_since) {  // ended while held: the hold lasted to the end
    const core::Duration d = now - *c.held_since;
    c.record.hold += d;
    if (OfferRecord* o = talkingOffer(c)) o->hold += d;
    c.held_since.reset();
  }
  c.record.result = result;
  c.record.ended = now;
  c.record.ended_by = by;
  c.record.end_reason = std::string(reason);
  out.push_back(HangUpCall{c.record.call});
  // The agent talking at the end (after a transfer: the one who took it over).
  if (c.talking && (result == CallResult::kAnswered || c.agent_on_call)) {
    if (AgentInfo* a = findAgent(*c.talking)) {
      if (auto change = a->status.callEnded(org_.after_call, now)) {
        changeState(out, *a, *change);
        updateAvailability(out, *a, now);
      }
    }
  }
  if (AgentInfo* callee = c.callee ? findAgent(c.callee) : nullptr) {  // an internal call's other agent
    if (c.callee_ringing) {
      if (auto change = callee->status.offerWithdrawn(now)) changeState(out, *callee, *change);
    } else if (c.callee_on_call) {
      if (auto change = callee->status.callEnded(org_.after_call, now)) changeState(out, *callee, *change);
    }
    updateAvailability(out, *callee, now);
  }
  out.push_back(SaveCallRecord{c.record});
  notify(out, CallNoticeKind::kEnded, c, c.talking.value_or(0), now, c.callee);
  calls_.erase(c.record.call);
}

Commands CallCenter::timerFired(TimerId timer, core::Time now) {
  Commands out;
  const CallId call = timer / 4;
  const int kind = static_cast<int>(timer % 4);
  Call* c = find(call);
  if (c == nullptr || !c->timers[kind] || now < *c->timers[kind]) return out;  // stale
  c->timers[kind].reset();
  switch (kind) {
    case kMenuTimer:
      if (c->stage != Stage::kMenu) break;
      if (c->menu_attempts >= options_.menu_attempts) {
        chooseMenu(out, *c, *menuOfDigit(org_.menus.front().digit[0]), now);
      } else {
        playMenu(out, *c, nullptr);
      }
      break;
    case kAnnounceTimer:
      if (c->stage != Stage::kQueued && c->stage != Stage::kOffered) break;
      if (auto position = router_.position(call)) {
        c->hold_after_play = play(out, *c, announcement(c->record.menu.value_or(0), *position, now), true);
      }
      startTimer(out, *c, kAnnounceTimer, now + options_.announce_every);
      break;
    case kRingTimer:
      if (c->stage == Stage::kOffered) offerMissed(out, *c, now);
      if (c->stage == Stage::kConnected) endTransfer(out, *c, OfferOutcome::kMissed, now);
      break;
    case kCallbackTimer:
      if (c->stage == Stage::kCallbackConfirm) backToQueue(out, *c, now);
      break;
  }
  return out;
}

// --- agents -------------------------------------------------------------------------

void CallCenter::changeState(Commands& out, AgentInfo& a, const StateChange& change) {
  out.push_back(SaveAgentState{a.agent.key, change});
}

// Available = Ready with a reachable device and not already ringing; the router keeps the
// available ones by how long they have waited since their last call.
void CallCenter::updateAvailability(Commands& out, AgentInfo& a, core::Time now) {
  const bool available =
      a.status.state() == AgentState::kReady && a.reachable && !a.removed && !a.status.logoutPending();
  if (!available) {
    router_.agentUnavailable(a.agent.key);
    return;
  }
  if (router_.isAvailable(a.agent.key)) return;
  a.available_since = now;
  if (auto offer = router_.agentAvailable(a.agent.key, a.menus, a.available_since)) ring(out, *offer, now);
}

Commands CallCenter::agentLoggedIn(AgentKey agent, core::Time now) {
  Commands out;
  AgentInfo* a = findAgent(agent);
  if (a == nullptr) return out;
  if (auto change = a->status.login(org_.after_login, now)) changeState(out, *a, *change);
  updateAvailability(out, *a, now);
  return out;
}

Commands CallCenter::agentLoggedOut(AgentKey agent, core::Time now) {
  Commands out;
  AgentInfo* a = findAgent(agent);
  if (a == nullptr) return out;
  // A ringing offer goes to the next agent (a ringing transfer returns to the agent who
  // made it); a call in progress is not cut.
  std::optional<CallId> transfer;
  for (const auto& [id, c] : calls_) {
    if (c.transfer_to == agent) transfer = id;
  }
  if (transfer) {
    Call& c = calls_.at(*transfer);
    endTransfer(out, c, OfferOutcome::kWithdrawn, now);
    if (c.talking) {
      if (!c.app_held) out.push_back(HoldCustomer{*transfer, false});
      notify(out, CallNoticeKind::kTransferReturned, c, *c.talking, now, agent);
    } else {
      finish(out, c, CallResult::kAnswered, "agent", "transfer_failed", now);
    }
  }
  std::optional<CallId> ringing = router_.offerOf(agent);
  if (auto change = a->status.logout(now)) changeState(out, *a, *change);
  router_.agentUnavailable(agent);
  if (ringing) {
    if (Call* c = find(*ringing)) {
      c->ringing.reset();
      endOffer(*c, OfferOutcome::kWithdrawn);
      cancelTimer(out, *c, kRingTimer);
      out.push_back(StopRinging{*ringing, agent});
      c->stage = Stage::kQueued;
      if (auto next = router_.offerFailed(*ringing)) ring(out, *next, now);
    }
  }
  return out;
}

core::Result<Commands> CallCenter::agentRequested(AgentKey agent, AgentState state, core::Time now) {
  AgentInfo* a = findAgent(agent);
  if (a == nullptr) return core::makeError(core::ErrorCode::kNotFound, "no such agent");
  auto change = a->status.request(state, now);
  if (!change) return change.error();
  Commands out;
  if (*change) changeState(out, *a, **change);
  updateAvailability(out, *a, now);
  return out;
}

Commands CallCenter::deviceReachable(AgentKey agent, bool reachable, core::Time now) {
  Commands out;
  AgentInfo* a = findAgent(agent);
  if (a == nullptr || a->reachable == reachable) return out;
  a->reachable = reachable;
  updateAvailability(out, *a, now);
  return out;
}

}  // namespace sb::acd
