// N1–N3, issue 5 items 2–3: the event-driven routing decision of one org.
#include "acd/queue_router.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <vector>

namespace sb::acd {
namespace {

using std::chrono::seconds;
const core::Time t0 = core::Time{} + std::chrono::hours(1000);
core::Time at(int s) {
  return t0 + seconds(s);
}

constexpr MenuSet menus(std::initializer_list<int> digits) {
  MenuSet set = 0;
  for (int d : digits) set |= menuBit(static_cast<MenuIndex>(d));
  return set;
}

TEST(QueueRouter, CallWaitsWhenNoAgentServesItsMenu) {
  QueueRouter r;
  EXPECT_EQ(r.enqueue(1, 0, at(0)), std::nullopt);
  EXPECT_TRUE(r.isWaiting(1));
  EXPECT_FALSE(r.isOffered(1));
  EXPECT_EQ(r.position(1), 1u);
  EXPECT_EQ(r.waiting(0), 1u);
  EXPECT_EQ(r.waiting(), 1u);
}

TEST(QueueRouter, LongestAvailableAgentGetsTheCall) {
  QueueRouter r;
  EXPECT_EQ(r.agentAvailable(10, menus({1}), at(5)), std::nullopt);
  EXPECT_EQ(r.agentAvailable(11, menus({1}), at(2)), std::nullopt);  // idle longest
  EXPECT_EQ(r.agentAvailable(12, menus({1}), at(9)), std::nullopt);
  EXPECT_EQ(r.availableAgents(1), 3u);

  EXPECT_EQ(r.enqueue(1, 1, at(20)), (Offer{1, 11, 1}));
  EXPECT_FALSE(r.isAvailable(11));
  EXPECT_TRUE(r.isOffered(1));
  EXPECT_EQ(r.offeredTo(1), 11);
  EXPECT_EQ(r.offerOf(11), 1u);
  EXPECT_EQ(r.position(1), std::nullopt);  // being offered: not waiting
  EXPECT_EQ(r.enqueue(2, 1, at(21)), (Offer{2, 10, 1}));
  EXPECT_EQ(r.enqueue(3, 1, at(22)), (Offer{3, 12, 1}));
  EXPECT_EQ(r.enqueue(4, 1, at(23)), std::nullopt);
  EXPECT_EQ(r.availableAgents(1), 0u);
}

TEST(QueueRouter, AvailableTieGoesToTheSmallerAgentKey) {
  QueueRouter r;
  r.agentAvailable(30, menus({0}), at(5));
  r.agentAvailable(20, menus({0}), at(5));
  r.agentAvailable(25, menus({0}), at(5));
  EXPECT_EQ(r.enqueue(1, 0, at(6))->agent, 20);
  EXPECT_EQ(r.enqueue(2, 0, at(6))->agent, 25);
  EXPECT_EQ(r.enqueue(3, 0, at(6))->agent, 30);
}

TEST(QueueRouter, UpdatingAnAvailableAgentReplacesItsTimeAndMenus) {
  QueueRouter r;
  r.agentAvailable(10, menus({0}), at(1));
  r.agentAvailable(11, menus({0}), at(2));
  EXPECT_EQ(r.agentAvailable(10, menus({0, 3}), at(3)), std::nullopt);  // now after 11
  EXPECT_EQ(r.availableAgents(0), 2u);
  EXPECT_EQ(r.availableAgents(3), 1u);
  EXPECT_EQ(r.enqueue(1, 0, at(4))->agent, 11);
  r.agentAvailable(10, menus({3}), at(3));  // no longer serves 0
  EXPECT_EQ(r.availableAgents(0), 0u);
  EXPECT_EQ(r.enqueue(2, 0, at(5)), std::nullopt);
  EXPECT_EQ(r.enqueue(3, 3, at(6)), (Offer{3, 10, 3}));
}

TEST(QueueRouter, FifoWithinAMenu) {
  QueueRouter r;
  for (CallId c = 1; c <= 5; ++c) r.enqueue(c, 2, at(static_cast<int>(c)));
  for (CallId c = 1; c <= 5; ++c) EXPECT_EQ(r.position(c), c);
  for (CallId c = 1; c <= 5; ++c) {
    EXPECT_EQ(r.agentAvailable(static_cast<AgentKey>(100 + c), menus({2}), at(10)),
              (Offer{c, static_cast<AgentKey>(100 + c), 2}));
  }
  EXPECT_EQ(r.waiting(), 0u);
}

TEST(QueueRouter, EarlierQueuedAtGoesFirstEvenIfEnqueuedLater) {
  QueueRouter r;
  r.enqueue(1, 0, at(10));
  r.enqueue(2, 0, at(5));  // e.g. a call moved between queues keeps its time
  EXPECT_EQ(r.position(2), 1u);
  EXPECT_EQ(r.position(1), 2u);
  EXPECT_EQ(r.agentAvailable(7, menus({0}), at(20))->call, 2u);
}

TEST(QueueRouter, AgentOfSeveralMenusTakesTheLongestWaitingCaller) {
  QueueRouter r;
  r.enqueue(1, 5, at(30));
  r.enqueue(2, 3, at(10));  // longest waiting among the agent's menus
  r.enqueue(3, 1, at(5));   // older, but the agent does not serve menu 1
  r.enqueue(4, 3, at(20));
  EXPECT_EQ(r.agentAvailable(7, menus({3, 5}), at(40)), (Offer{2, 7, 3}));
  EXPECT_EQ(r.agentAvailable(8, menus({3, 5}), at(40)), (Offer{4, 8, 3}));
  EXPECT_EQ(r.agentAvailable(9, menus({3, 5}), at(40)), (Offer{1, 9, 5}));
  EXPECT_EQ(r.agentAvailable(6, menus({3, 5}), at(40)), std::nullopt);
  EXPECT_TRUE(r.isWaiting(3));
}

TEST(QueueRouter, WaitingTieAcrossMenusGoesByArrivalOrderNotDigit) {
  QueueRouter r;
  r.enqueue(1, 7, at(10));  // arrived first, higher digit
  r.enqueue(2, 2, at(10));
  r.enqueue(3, 5, at(10));
  EXPECT_EQ(r.agentAvailable(50, menus({2, 5, 7}), at(11))->call, 1u);
  EXPECT_EQ(r.agentAvailable(51, menus({2, 5, 7}), at(11))->call, 2u);
  EXPECT_EQ(r.agentAvailable(52, menus({2, 5, 7}), at(11))->call, 3u);
}

TEST(QueueRouter, AgentsOfOtherMenusNeverGetACall) {
  QueueRouter r;
  r.agentAvailable(10, menus({0, 1, 2}), at(0));
  r.agentAvailable(11, menus({4}), at(0));
  EXPECT_EQ(r.enqueue(1, 3, at(1)), std::nullopt);
  EXPECT_EQ(r.enqueue(2, 9, at(1)), std::nullopt);
  EXPECT_TRUE(r.isAvailable(10));
  EXPECT_TRUE(r.isAvailable(11));
  EXPECT_EQ(r.enqueue(3, 4, at(2)), (Offer{3, 11, 4}));
  EXPECT_EQ(r.agentAvailable(12, menus({9}), at(3)), (Offer{2, 12, 9}));
}

TEST(QueueRouter, FailedOfferKeepsThePlaceAndTriesTheNextAgent) {
  QueueRouter r;
  r.agentAvailable(10, menus({0}), at(0));
  EXPECT_EQ(r.enqueue(1, 0, at(1)), (Offer{1, 10, 0}));
  EXPECT_EQ(r.enqueue(2, 0, at(2)), std::nullopt);
  EXPECT_EQ(r.enqueue(3, 0, at(3)), std::nullopt);
  EXPECT_EQ(r.position(2), 1u);

  // Ring timeout, nobody else available: call 1 is back at the head, ahead of 2 and 3.
  EXPECT_EQ(r.offerFailed(1), std::nullopt);
  EXPECT_TRUE(r.isWaiting(1));
  EXPECT_EQ(r.position(1), 1u);
  EXPECT_EQ(r.position(2), 2u);
  EXPECT_EQ(r.position(3), 3u);
  EXPECT_FALSE(r.isAvailable(10));  // the failed agent is not made available again
  EXPECT_EQ(r.offerOf(10), std::nullopt);

  // The next agent takes call 1, not the later callers.
  EXPECT_EQ(r.agentAvailable(11, menus({0}), at(4)), (Offer{1, 11, 0}));
  r.enqueue(4, 1, at(5));  // another menu, waiting less long than call 2
  EXPECT_EQ(r.agentAvailable(12, menus({0, 1}), at(6)), (Offer{2, 12, 0}));
  EXPECT_EQ(r.agentAvailable(13, menus({0}), at(7)), (Offer{3, 13, 0}));
  EXPECT_EQ(r.agentAvailable(14, menus({0}), at(8)), std::nullopt);
  EXPECT_EQ(r.offerFailed(1), (Offer{1, 14, 0}));
}

TEST(QueueRouter, FailedAgentIsNotReofferedUntilAvailableAgain) {
  QueueRouter r;
  r.agentAvailable(10, menus({0}), at(0));
  EXPECT_EQ(r.enqueue(1, 0, at(1))->agent, 10);
  EXPECT_EQ(r.offerFailed(1), std::nullopt);
  EXPECT_EQ(r.enqueue(2, 0, at(2)), std::nullopt);
  EXPECT_EQ(r.waiting(0), 2u);
  // Back from Break: the agent takes the call that has waited longest.
  EXPECT_EQ(r.agentAvailable(10, menus({0}), at(60)), (Offer{1, 10, 0}));
}

TEST(QueueRouter, AnsweredOfferLeavesTheRouter) {
  QueueRouter r;
  r.agentAvailable(10, menus({0}), at(0));
  r.enqueue(1, 0, at(1));
  EXPECT_TRUE(r.offerAnswered(1));
  EXPECT_FALSE(r.isOffered(1));
  EXPECT_FALSE(r.isWaiting(1));
  EXPECT_FALSE(r.isAvailable(10));
  EXPECT_EQ(r.offered(), 0u);
  EXPECT_FALSE(r.offerAnswered(1));
  EXPECT_EQ(r.offerFailed(1), std::nullopt);
  EXPECT_EQ(r.remove(1), std::nullopt);
  // The id may be used again once the call is gone.
  EXPECT_EQ(r.enqueue(1, 0, at(2)), std::nullopt);
  EXPECT_TRUE(r.isWaiting(1));
}

TEST(QueueRouter, RemoveWhileOfferedReturnsTheAgent) {
  QueueRouter r;
  r.agentAvailable(10, menus({0}), at(0));
  r.enqueue(1, 0, at(1));
  r.enqueue(2, 0, at(2));
  EXPECT_EQ(r.remove(1), 10);
  EXPECT_FALSE(r.isOffered(1));
  EXPECT_FALSE(r.isAvailable(10));  // the app decides (withdrawn → Ready → agentAvailable)
  EXPECT_EQ(r.offerOf(10), std::nullopt);
  EXPECT_EQ(r.agentAvailable(10, menus({0}), at(3)), (Offer{2, 10, 0}));
  EXPECT_EQ(r.remove(2), 10);
}

TEST(QueueRouter, RemoveWhileWaitingReturnsNoAgent) {
  QueueRouter r;
  r.enqueue(1, 0, at(1));
  EXPECT_EQ(r.remove(1), std::nullopt);
  EXPECT_FALSE(r.isWaiting(1));
  EXPECT_EQ(r.waiting(), 0u);
  EXPECT_EQ(r.remove(1), std::nullopt);
  EXPECT_EQ(r.remove(99), std::nullopt);
}

TEST(QueueRouter, PositionCountsAsCallersAheadLeave) {
  QueueRouter r;
  for (CallId c = 1; c <= 6; ++c) r.enqueue(c, 4, at(static_cast<int>(c)));
  r.enqueue(100, 5, at(0));  // another menu does not count
  EXPECT_EQ(r.position(6), 6u);
  r.remove(3);
  EXPECT_EQ(r.position(6), 5u);
  EXPECT_EQ(r.position(2), 2u);
  EXPECT_EQ(r.position(3), std::nullopt);
  r.agentAvailable(10, menus({4}), at(10));  // takes call 1
  EXPECT_EQ(r.position(6), 4u);
  EXPECT_EQ(r.position(2), 1u);
  r.remove(6);
  EXPECT_EQ(r.position(5), 3u);
  r.offerFailed(1);  // back ahead of everyone
  EXPECT_EQ(r.position(1), 1u);
  EXPECT_EQ(r.position(5), 4u);
  EXPECT_EQ(r.position(100), 1u);
}

TEST(QueueRouter, AgentUnavailableTakesItOutOfEveryMenu) {
  QueueRouter r;
  r.agentAvailable(10, menus({0, 1, 9}), at(0));
  EXPECT_EQ(r.availableAgents(9), 1u);
  EXPECT_TRUE(r.agentUnavailable(10));
  EXPECT_FALSE(r.agentUnavailable(10));
  EXPECT_FALSE(r.isAvailable(10));
  for (MenuIndex m = 0; m < 10; ++m) EXPECT_EQ(r.availableAgents(m), 0u);
  EXPECT_EQ(r.enqueue(1, 1, at(1)), std::nullopt);
}

TEST(QueueRouter, MisuseIsDefinedAndChangesNothing) {
  QueueRouter r;
  // A menu above 9 and call id 0 are refused.
  EXPECT_EQ(r.enqueue(1, 10, at(0)), std::nullopt);
  EXPECT_FALSE(r.isWaiting(1));
  EXPECT_EQ(r.enqueue(0, 0, at(0)), std::nullopt);
  EXPECT_FALSE(r.isWaiting(0));
  EXPECT_EQ(r.waiting(), 0u);
  EXPECT_EQ(r.waiting(200), 0u);
  EXPECT_EQ(r.availableAgents(200), 0u);

  // A duplicate enqueue keeps the first one's menu and place.
  r.enqueue(1, 0, at(5));
  r.enqueue(2, 0, at(6));
  EXPECT_EQ(r.enqueue(1, 3, at(1)), std::nullopt);
  EXPECT_EQ(r.waiting(3), 0u);
  EXPECT_EQ(r.position(1), 1u);
  EXPECT_EQ(r.waiting(), 2u);

  // An empty MenuSet (or only bits above 9) means unavailable.
  r.agentAvailable(10, menus({5}), at(0));
  EXPECT_EQ(r.agentAvailable(10, 0, at(1)), std::nullopt);
  EXPECT_FALSE(r.isAvailable(10));
  EXPECT_EQ(r.agentAvailable(10, MenuSet{0xFC00}, at(1)), std::nullopt);
  EXPECT_FALSE(r.isAvailable(10));

  // Offer operations on a waiting or unknown call.
  EXPECT_FALSE(r.offerAnswered(1));
  EXPECT_EQ(r.offerFailed(1), std::nullopt);
  EXPECT_FALSE(r.offerAnswered(77));
  EXPECT_EQ(r.offerFailed(77), std::nullopt);
  EXPECT_TRUE(r.isWaiting(1));
  EXPECT_EQ(r.position(1), 1u);

  // A ringing agent cannot be made available, nor offered twice; a duplicate enqueue of
  // the offered call changes nothing.
  EXPECT_EQ(r.agentAvailable(10, menus({0}), at(7)), (Offer{1, 10, 0}));
  EXPECT_EQ(r.agentAvailable(10, menus({0}), at(8)), std::nullopt);
  EXPECT_FALSE(r.isAvailable(10));
  EXPECT_EQ(r.enqueue(1, 0, at(9)), std::nullopt);
  EXPECT_TRUE(r.isOffered(1));
  EXPECT_FALSE(r.agentUnavailable(10));  // not available; the offer stands
  EXPECT_EQ(r.offeredTo(1), 10);
  EXPECT_EQ(r.position(2), 1u);
}

// ---------------------------------------------------------------------------------------
// The randomized check: every decision against a brute-force model built from linear scans.

class Model {
 public:
  struct Call {
    CallId id;
    MenuIndex menu;
    core::Time queued_at;
    std::uint64_t arrival;
    std::optional<AgentKey> offered_to;
  };
  struct Agent {
    MenuSet menus;
    core::Time since;
  };

  std::optional<Offer> enqueue(CallId id, MenuIndex menu, core::Time t) {
    if (id == 0 || menu > 9 || find(id) != calls.end()) return std::nullopt;
    calls.push_back({id, menu, t, arrival++, {}});
    return matchCall(calls.back());
  }
  std::optional<Offer> agentAvailable(AgentKey a, MenuSet menus, core::Time t) {
    menus &= 0x3FF;
    if (ringingCall(a)) return std::nullopt;
    available.erase(a);
    if (menus == 0) return std::nullopt;
    Call* best = nullptr;
    for (Call& c : calls) {
      if (c.offered_to || !(menus & (1u << c.menu))) continue;
      if (!best || std::pair(c.queued_at, c.arrival) < std::pair(best->queued_at, best->arrival))
        best = &c;
    }
    if (best) {
      best->offered_to = a;
      return Offer{best->id, a, best->menu};
    }
    available[a] = {menus, t};
    return std::nullopt;
  }
  bool agentUnavailable(AgentKey a) { return available.erase(a) > 0; }
  bool offerAnswered(CallId id) {
    auto it = find(id);
    if (it == calls.end() || !it->offered_to) return false;
    calls.erase(it);
    return true;
  }
  std::optional<Offer> offerFailed(CallId id) {
    auto it = find(id);
    if (it == calls.end() || !it->offered_to) return std::nullopt;
    it->offered_to.reset();
    return matchCall(*it);
  }
  std::optional<AgentKey> remove(CallId id) {
    auto it = find(id);
    if (it == calls.end()) return std::nullopt;
    auto agent = it->offered_to;
    calls.erase(it);
    return agent;
  }
  std::optional<std::size_t> position(CallId id) const {
    auto it = std::find_if(calls.begin(), calls.end(), [&](const Call& c) { return c.id == id; });
    if (it == calls.end() || it->offered_to) return std::nullopt;
    std::size_t ahead = 0;
    for (const Call& c : calls) {
      if (!c.offered_to && c.menu == it->menu &&
          std::pair(c.queued_at, c.arrival) < std::pair(it->queued_at, it->arrival))
        ++ahead;
    }
    return ahead + 1;
  }
  std::size_t waiting(MenuIndex m) const {
    return static_cast<std::size_t>(std::count_if(
        calls.begin(), calls.end(), [&](const Call& c) { return !c.offered_to && c.menu == m; }));
  }
  std::size_t availableAgents(MenuIndex m) const {
    return static_cast<std::size_t>(std::count_if(available.begin(), available.end(), [&](auto& a) {
      return (a.second.menus & (1u << m)) != 0;
    }));
  }
  std::optional<CallId> ringingCall(AgentKey a) const {
    for (const Call& c : calls)
      if (c.offered_to == a) return c.id;
    return std::nullopt;
  }

  std::vector<Call> calls;
  std::map<AgentKey, Agent> available;

 private:
  std::vector<Call>::iterator find(CallId id) {
    return std::find_if(calls.begin(), calls.end(), [&](const Call& c) { return c.id == id; });
  }
  std::optional<Offer> matchCall(Call& call) {
    std::optional<AgentKey> best;
    for (auto& [key, a] : available) {
      if (!(a.menus & (1u << call.menu))) continue;
      if (!best || std::pair(a.since, key) < std::pair(available[*best].since, *best)) best = key;
    }
    if (!best) return std::nullopt;
    available.erase(*best);
    call.offered_to = *best;
    return Offer{call.id, *best, call.menu};
  }
  std::uint64_t arrival = 0;
};

void expectSameState(const QueueRouter& r, const Model& m, AgentKey max_agent) {
  std::size_t total = 0;
  for (MenuIndex d = 0; d < 10; ++d) {
    ASSERT_EQ(r.waiting(d), m.waiting(d)) << "menu " << int(d);
    ASSERT_EQ(r.availableAgents(d), m.availableAgents(d)) << "menu " << int(d);
    total += m.waiting(d);
    // The invariant: never idle agents and waiting calls in the same menu.
    ASSERT_TRUE(r.waiting(d) == 0 || r.availableAgents(d) == 0) << "menu " << int(d);
  }
  ASSERT_EQ(r.waiting(), total);
  ASSERT_EQ(r.offered(), m.calls.size() - total);  // with the loop below: no extra calls
  ASSERT_EQ(r.availableAgents(), m.available.size());
  for (const Model::Call& c : m.calls) {
    ASSERT_EQ(r.isWaiting(c.id), !c.offered_to) << "call " << c.id;
    ASSERT_EQ(r.isOffered(c.id), c.offered_to.has_value()) << "call " << c.id;
    ASSERT_EQ(r.offeredTo(c.id), c.offered_to) << "call " << c.id;
    ASSERT_EQ(r.position(c.id), m.position(c.id)) << "call " << c.id;
  }
  for (AgentKey a = 0; a <= max_agent; ++a) {
    ASSERT_EQ(r.isAvailable(a), m.available.contains(a)) << "agent " << a;
    ASSERT_EQ(r.offerOf(a), m.ringingCall(a)) << "agent " << a;
  }
}

TEST(QueueRouter, RandomOperationsMatchABruteForceModel) {
  constexpr AgentKey kAgents = 25;
  std::mt19937_64 rng(20240605);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };

  for (int round = 0; round < 4; ++round) {
    QueueRouter r;
    Model m;
    CallId next_call = 1;
    int now = 0;
    // A pool of menus this round uses, so that menus both starve and overflow.
    const int menu_span = 2 + round * 3;  // 2, 5, 8, 11 (11: some enqueues refused)
    auto randomMenu = [&] { return static_cast<MenuIndex>(pick(menu_span)); };
    auto randomMenus = [&] {
      MenuSet s = 0;
      const int n = pick(4);  // 0 = an empty set now and then
      for (int i = 0; i < n; ++i) s |= static_cast<MenuSet>(1u << pick(std::min(menu_span, 10)));
      if (pick(20) == 0) s |= 0x8000;  // stray high bit, ignored
      return s;
    };
    auto someCall = [&]() -> CallId {  // mostly a known call, sometimes anything
      if (!m.calls.empty() && pick(5) != 0)
        return m.calls[pick(static_cast<int>(m.calls.size()))].id;
      return static_cast<CallId>(pick(static_cast<int>(next_call) + 2));
    };
    auto someOffered = [&]() -> CallId {
      std::vector<CallId> offered;
      for (auto& c : m.calls)
        if (c.offered_to) offered.push_back(c.id);
      if (offered.empty() || pick(6) == 0) return someCall();
      return offered[pick(static_cast<int>(offered.size()))];
    };

    for (int step = 0; step < 3000; ++step) {
      now += pick(3);  // 0 often: many equal times, so the tie rules are exercised
      const core::Time t = at(now);
      const int op = pick(100);
      SCOPED_TRACE(testing::Message() << "round " << round << " step " << step << " op " << op);
      if (op < 25) {
        // Mostly a new call; sometimes a duplicate id; queued_at may lie in the past.
        const CallId id = pick(10) == 0 ? someCall() : next_call++;
        const core::Time q = pick(8) == 0 ? at(std::max(0, now - pick(20))) : t;
        const MenuIndex menu = randomMenu();
        ASSERT_EQ(r.enqueue(id, menu, q), m.enqueue(id, menu, q));
      } else if (op < 50) {
        const AgentKey a = pick(static_cast<int>(kAgents));
        const MenuSet s = randomMenus();
        const core::Time since = pick(4) == 0 ? at(std::max(0, now - pick(30))) : t;
        ASSERT_EQ(r.agentAvailable(a, s, since), m.agentAvailable(a, s, since));
      } else if (op < 58) {
        const AgentKey a = pick(static_cast<int>(kAgents));
        ASSERT_EQ(r.agentUnavailable(a), m.agentUnavailable(a));
      } else if (op < 70) {
        const CallId c = someOffered();
        ASSERT_EQ(r.offerAnswered(c), m.offerAnswered(c));
      } else if (op < 85) {
        const CallId c = someOffered();
        ASSERT_EQ(r.offerFailed(c), m.offerFailed(c));
      } else {
        const CallId c = someCall();
        ASSERT_EQ(r.remove(c), m.remove(c));
      }
      ASSERT_NO_FATAL_FAILURE(expectSameState(r, m, kAgents));
    }
  }
}

// 10,000 agents and 5,000 waiting callers in one router (the bench load is 50
// orgs of 10 menus; one org's router holding all of it is the harder case). Not timed
// here: it only has to finish quickly; bench/ gives the figures.
TEST(QueueRouter, TenThousandAgentsAndFiveThousandCallers) {
  QueueRouter r;
  std::mt19937_64 rng(7);
  int now = 0;
  CallId next_call = 1;
  // 5,000 callers waiting, nobody available.
  for (; next_call <= 5000; ++next_call)
    r.enqueue(next_call, static_cast<MenuIndex>(rng() % 10), at(now++));
  EXPECT_EQ(r.waiting(), 5000u);
  // 10,000 agents arrive; the first ones drain the queues, the others stay available.
  std::size_t offers = 0;
  for (AgentKey a = 1; a <= 10000; ++a) {
    const MenuSet s = static_cast<MenuSet>((rng() % kAllMenus) + 1);
    if (r.agentAvailable(a, s, at(now++))) ++offers;
  }
  EXPECT_EQ(offers, 5000u);
  EXPECT_EQ(r.waiting(), 0u);
  EXPECT_EQ(r.offered(), 5000u);
  // Churn: answers, new callers, agents coming back, 20,000 decisions.
  for (int i = 0; i < 20000; ++i) {
    const CallId c = 1 + rng() % (next_call - 1);
    if (auto agent = r.offeredTo(c)) {
      if (rng() % 4 == 0) {
        r.offerFailed(c);
      } else {
        r.offerAnswered(c);
      }
      r.agentAvailable(*agent, static_cast<MenuSet>((rng() % kAllMenus) + 1), at(now++));
    }
    r.enqueue(next_call++, static_cast<MenuIndex>(rng() % 10), at(now++));
  }
  EXPECT_EQ(r.offered() + r.availableAgents(), 10000u);
  for (MenuIndex d = 0; d < 10; ++d) EXPECT_TRUE(r.waiting(d) == 0 || r.availableAgents(d) == 0);
}

}  // namespace
}  // namespace sb::acd
