#include "acd/simulator.hpp"

#include <cmath>
#include <functional>
#include <queue>
#include <random>
#include <unordered_set>
#include <variant>
#include <vector>

#include "acd/call_center.hpp"

namespace sb::acd {
namespace {

using core::Duration;
using core::Time;

struct Event {
  Time at;
  std::uint64_t seq;  // FIFO among events at the same time
  std::function<Commands(CallCenter&)> apply;
  bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

Duration seconds(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

}  // namespace

SimulationResult simulate(const SimulationParams& p, std::vector<CallRecord>* records) {
  Org org;
  org.id = 1;
  org.name = "Simulated";
  org.country_code = "82";
  org.menus = {Menu{"1", "Queue"}};
  org.after_login = AfterLogin::kReady;
  org.after_call = AfterCall::kReady;
  org.ring_timeout_s = 30;
  std::vector<Agent> agents;
  for (int i = 1; i <= p.agents; ++i) {
    Agent a;
    a.key = i;
    a.org = 1;
    a.id = "a" + std::to_string(i);
    a.menus = {"1"};
    agents.push_back(a);
  }
  CallCenterOptions options;
  options.announce_every = std::chrono::hours(24 * 365);  // announcements change nothing here
  CallCenter cc(org, agents, options);

  std::mt19937_64 random(p.seed);
  std::exponential_distribution<double> interarrival(p.calls_per_hour / 3600.0);
  std::exponential_distribution<double> handling(1.0 / p.mean_handling_s);
  std::exponential_distribution<double> patience(p.mean_patience_s > 0 ? 1.0 / p.mean_patience_s : 1.0);

  std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
  std::uint64_t seq = 0;
  auto schedule = [&](Time at, std::function<Commands(CallCenter&)> f) {
    events.push(Event{at, seq++, std::move(f)});
  };

  const Time start{};
  const Time arrivals_end = start + seconds(p.hours * 3600.0);
  SimulationResult result;
  double wait_sum = 0;
  double talk_sum = 0;
  std::uint64_t within = 0;
  std::unordered_set<CallId> connected;
  Time last_end = start;

  // Carries out what the CallCenter asked for, in simulated form.
  std::function<void(const Commands&, Time)> carry = [&](const Commands& commands, Time now) {
    for (const Command& command : commands) {
      if (const auto* play = std::get_if<PlayPrompts>(&command)) {
        if (!play->loop) {  // prompts take no time
          const CallId call = play->call;
          const std::uint64_t id = play->play_id;
          schedule(now, [call, id, now](CallCenter& c) { return c.promptFinished(call, id, now); });
        }
      } else if (const auto* ring = std::get_if<RingAgent>(&command)) {  // answered at once
        const CallId call = ring->call;
        const AgentKey agent = ring->agent;
        schedule(now, [call, agent, now](CallCenter& c) { return c.agentAnswered(call, agent, now); });
      } else if (const auto* connect = std::get_if<ConnectAgent>(&command)) {
        connected.insert(connect->call);
        const CallId call = connect->call;
        const Time end = now + seconds(handling(random));
        schedule(end, [call, end](CallCenter& c) { return c.customerHungUp(call, end); });
      } else if (const auto* timer = std::get_if<StartTimer>(&command)) {
        const TimerId id = timer->timer;
        const Time at = timer->at;
        schedule(at, [id, at](CallCenter& c) { return c.timerFired(id, at); });
      } else if (const auto* saved = std::get_if<SaveCallRecord>(&command)) {
        const CallRecord& r = saved->record;
        if (records != nullptr) records->push_back(r);
        ++result.calls;
        if (r.ended > last_end) last_end = r.ended;
        connected.erase(r.call);
        if (r.result == CallResult::kAnswered && r.answered) {
          ++result.answered;
          const double wait = std::chrono::duration<double>(*r.answered - r.queued.value_or(r.arrived)).count();
          wait_sum += wait;
          if (wait <= p.service_level_s) ++within;
          talk_sum += std::chrono::duration<double>(r.talk()).count();
        } else {
          ++result.abandoned;
        }
      }
    }
  };

  for (int i = 1; i <= p.agents; ++i) {
    carry(cc.agentLoggedIn(i, start), start);
    carry(cc.deviceReachable(i, true, start), start);
  }
  // Arrivals, each scheduling the next; abandonment when the caller is still waiting.
  std::function<void(Time, CallId)> arrive = [&](Time at, CallId call) {
    schedule(at, [&, at, call](CallCenter& c) {
      Commands out = c.callArrived(call, "0100000" + std::to_string(call), "0200000000", at);
      if (p.mean_patience_s > 0) {
        const Time give_up = at + seconds(patience(random));
        schedule(give_up, [call, give_up, &connected](CallCenter& cc2) {
          if (connected.count(call) != 0) return Commands{};  // answered meanwhile
          return cc2.customerHungUp(call, give_up);
        });
      }
      const Time next = at + seconds(interarrival(random));
      if (next < arrivals_end) arrive(next, call + 1);
      return out;
    });
  };
  arrive(start + seconds(interarrival(random)), 1);

  // Bounded: every call ends (handling is finite and agents answer at once).
  const std::uint64_t max_events = 200'000'000;
  for (std::uint64_t n = 0; !events.empty() && n < max_events; ++n) {
    Event e = std::move(const_cast<Event&>(events.top()));  // popped right after
    events.pop();
    // Timers set beyond the last call (announcements of a finished day) end the run.
    if (e.at > arrivals_end && cc.activeCalls() == 0) break;
    carry(e.apply(cc), e.at);
  }

  const double span = std::chrono::duration<double>(last_end - start).count();
  if (result.calls > 0) {
    result.service_level = static_cast<double>(within) / static_cast<double>(result.calls);
    result.answer_rate = static_cast<double>(result.answered) / static_cast<double>(result.calls);
  }
  if (result.answered > 0) result.asa_s = wait_sum / static_cast<double>(result.answered);
  if (span > 0) result.occupancy = talk_sum / (p.agents * span);
  return result;
}

}  // namespace sb::acd
