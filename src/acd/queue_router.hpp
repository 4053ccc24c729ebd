#pragma once
// The routing decision of one org (N1–N3, issue 5 items 2–3): which waiting caller rings
// which available agent. Event-driven, never polling: each event that can make a match
// (a caller enters a queue, an agent becomes available, an offer fails) returns the offer
// to make right away, so a caller never waits while an agent of its menu is idle.
//
// Consequence (an invariant the code keeps): for every menu, its queue of waiting calls
// or its set of available agents is empty — never both non-empty.
//
// Order rules:
//  - A call goes to the available agent of its menu that has been available longest:
//    smallest `available_since`, ties by the smaller AgentKey.
//  - An agent takes the longest-waiting call among all the menus it serves: smallest
//    `queued_at`, ties by arrival order (the order in which this router accepted the
//    enqueue calls, across all menus). The menu digit never breaks a tie.
//  - A call whose offer failed keeps its original place (queued_at and arrival order).
//
// The router knows nothing of agent states or devices: the app tells it when an agent
// becomes available (Ready, reachable registered device, not ringing, not on a call) and
// when it stops being so. Making an offer takes both the call and the agent out of the
// available sets; the app then rings the agent's device and reports how the offer ended.
//
// Pure logic: no clock, no I/O, no threads. One instance per org, used on the org's strand.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>

#include "acd/directory.hpp"
#include "core/clock.hpp"

namespace sb::acd {

using CallId = std::uint64_t;    // never 0
using MenuIndex = std::uint8_t;  // 0..9: the menu's digit
using MenuSet = std::uint16_t;   // bit d set: serves the menu with digit d

inline constexpr std::size_t kMenuCount = 10;
inline constexpr MenuSet kAllMenus = (1u << kMenuCount) - 1;  // bits 0..9

constexpr MenuSet menuBit(MenuIndex menu) {
  return menu < kMenuCount ? static_cast<MenuSet>(1u << menu) : MenuSet{0};
}

// Ring `agent` with `call`, which waits in the queue of `menu`.
struct Offer {
  CallId call = 0;
  AgentKey agent = 0;
  MenuIndex menu = 0;
  bool operator==(const Offer&) const = default;
};

// Complexities: n = calls waiting in one menu or agents available in one menu, m = the
// number of menus an agent serves (<= 10).
//
// Misuse is defined, never undefined: unknown ids, a call id that is already known, call
// id 0, a menu above 9 and an agent that is ringing are refused with nullopt/false and
// change nothing (listed per function).
class QueueRouter {
 public:
  // A caller enters the queue of `menu` at `queued_at`. Returns the offer to make now if
  // an available agent serves that menu (the one available longest), else nullopt and
  // the call waits. Refused (nullopt, nothing changes, isWaiting() stays false for a new
  // id): call 0, menu > 9, a call id already waiting or offered.
  // O(log n) when it waits; O(m·log n) when it is offered.
  std::optional<Offer> enqueue(CallId call, MenuIndex menu, core::Time queued_at);

  // The agent became available at `available_since` (the end of its last call or the
  // moment it became Ready: the app decides) serving `menus` (bits above 9 are ignored).
  // Returns the offer for the longest-waiting caller among those menus, else nullopt and
  // the agent is kept as available. Called again for an available agent, it replaces the
  // agent's menus and time. An empty MenuSet means unavailable (as agentUnavailable).
  // Refused (nullopt, nothing changes) while the agent has an outstanding offer: end
  // that offer first (offerAnswered / offerFailed / remove). O(m·log n).
  std::optional<Offer> agentAvailable(AgentKey agent, MenuSet menus, core::Time available_since);

  // The agent is no longer available (Break, logged out, device gone, on another call).
  // Returns whether it was available. An outstanding offer to it is not touched (the app
  // ends it with offerFailed or remove). O(m·log n).
  bool agentUnavailable(AgentKey agent);

  // The offered call was answered: the call leaves the router; the agent stays
  // unavailable (it is on the call now). Returns false (nothing changes) when `call` is
  // not being offered (unknown or waiting). O(1).
  bool offerAnswered(CallId call);

  // The offer was not answered (ring timeout, rejected, device failure): the call goes
  // back to its queue with its original place; the agent is NOT made available again
  // (the app decides its state and calls agentAvailable later). Returns the next offer
  // for that call if another agent of its menu is available. nullopt and no change when
  // `call` is not being offered. O(log n + m·log n).
  std::optional<Offer> offerFailed(CallId call);

  // The caller left (hung up, chose a callback) while waiting or while being offered.
  // Returns the agent that was being offered the call, if any: the app stops its ringing;
  // this does not make that agent available again. Unknown call: nullopt. O(log n).
  std::optional<AgentKey> remove(CallId call);

  // Queries for announcements and the dashboard.
  // 1-based place in its menu's queue; nullopt unless the call is waiting. O(position).
  std::optional<std::size_t> position(CallId call) const;
  std::size_t waiting(MenuIndex menu) const;          // calls waiting in that menu (0 for menu > 9)
  std::size_t waiting() const;                        // calls waiting in all menus
  std::size_t availableAgents(MenuIndex menu) const;  // 0 for menu > 9
  std::size_t availableAgents() const { return agents_.size(); }
  std::size_t offered() const { return ringing_.size(); }  // outstanding offers
  bool isAvailable(AgentKey agent) const;
  bool isWaiting(CallId call) const;
  bool isOffered(CallId call) const;
  std::optional<AgentKey> offeredTo(CallId call) const;  // the agent ringing for `call`
  std::optional<CallId> offerOf(AgentKey agent) const;   // the call ringing `agent`

 private:
  // Keys of the ordered sets; the last member makes each key unique.
  struct WaitingKey {
    core::Time queued_at;
    std::uint64_t arrival;  // router-wide arrival order: queue order across menus
    CallId call;
    bool operator<(const WaitingKey& o) const;
  };
  struct IdleKey {
    core::Time since;
    AgentKey agent;
    bool operator<(const IdleKey& o) const;
  };
  struct CallEntry {
    MenuIndex menu;
    core::Time queued_at;
    std::uint64_t arrival;
    std::optional<AgentKey> offered_to;  // set while an agent is ringing for it
    WaitingKey key(CallId call) const { return {queued_at, arrival, call}; }
  };
  struct AgentEntry {
    MenuSet menus;
    core::Time since;
  };

  // Removes an available agent from every idle set it is in and from agents_.
  void dropAgent(AgentKey agent, const AgentEntry& entry);
  // Offers the waiting call (already out of its waiting set) to `agent` (already out of
  // the available sets).
  Offer offer(CallId call, CallEntry& entry, AgentKey agent);
  // If an agent of the waiting call's menu is available, takes both out and offers.
  std::optional<Offer> matchCall(CallId call, CallEntry& entry);

  std::array<std::set<WaitingKey>, kMenuCount> waiting_;
  std::array<std::set<IdleKey>, kMenuCount> idle_;
  std::unordered_map<CallId, CallEntry> calls_;      // waiting and offered calls
  std::unordered_map<AgentKey, AgentEntry> agents_;  // available agents
  std::unordered_map<AgentKey, CallId> ringing_;     // agents with an outstanding offer
  std::uint64_t next_arrival_ = 0;
};

}  // namespace sb::acd
