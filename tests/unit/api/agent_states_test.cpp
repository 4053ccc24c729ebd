// AgentStates: the live agent states, recorded before they are published (C1–C4).
#include "api/agent_states.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <map>
#include <set>
#include <thread>

namespace sb::api {
namespace {

using acd::AgentState;
using acd::StateCause;
using acd::StateChange;
using core::ErrorCode;
using std::chrono::seconds;

const core::Time kT0 = core::fromUnixMillis(1'764'000'000'000);

class FakeStateStore final : public acd::AgentStateStore {
 public:
  core::Result<std::vector<acd::StoredAgentState>> loadAgentStates(acd::OrgId org) override {
    std::lock_guard lock(mutex);
    std::vector<acd::StoredAgentState> out;
    for (const auto& [key, s] : current) {
      if (orgs.at(key) == org) out.push_back(s);
    }
    return out;
  }
  core::Result<acd::StoredAgentState> loadAgentState(acd::OrgId org, acd::AgentKey agent) override {
    std::lock_guard lock(mutex);
    auto it = current.find(agent);
    if (it == current.end() || orgs.at(agent) != org)
      return core::makeError(ErrorCode::kNotFound, "no");
    return it->second;
  }
  core::Result<void> recordAgentState(acd::OrgId org, acd::AgentKey agent,
                                      const StateChange& change) override {
    std::lock_guard lock(mutex);
    if (fail) return core::makeError(ErrorCode::kStorage, "disk full");
    history.push_back({agent, change});
    orgs[agent] = org;
    current[agent] = acd::StoredAgentState{agent, ids[agent], change.to, change.at};
    return core::okResult();
  }
  std::mutex mutex;
  bool fail = false;
  std::vector<std::pair<acd::AgentKey, StateChange>> history;
  std::map<acd::AgentKey, acd::StoredAgentState> current;
  std::map<acd::AgentKey, acd::OrgId> orgs;
  std::map<acd::AgentKey, std::string> ids;
};

class FakeConnection final : public EventConnection {
 public:
  void send(std::string text) override {
    std::lock_guard lock(mutex);
    sent.push_back(std::move(text));
  }
  void close(std::string) override {}
  std::vector<std::string> messages() {
    std::lock_guard lock(mutex);
    return sent;
  }
  std::mutex mutex;
  std::vector<std::string> sent;
};

acd::Agent makeAgent(acd::OrgId org, acd::AgentKey key, std::string id) {
  acd::Agent a;
  a.org = org;
  a.key = key;
  a.id = std::move(id);
  return a;
}

class AgentStatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.ids = {{1, "alice"}, {2, "bob"}, {3, "carol"}};
    hub_.add(&bob_socket_, kAcme, bob_.key, account::TokenHash{1}, false);
    hub_.add(&admin_socket_, kAcme, alice_.key, account::TokenHash{2}, true);
    hub_.add(&other_org_admin_, kGlobex, carol_.key, account::TokenHash{3}, true);
  }

  AgentStates makeStates() {
    return AgentStates(store_, hub_, [this](acd::AgentKey agent, core::Time) -> core::Result<bool> {
      if (session_check_fails_) return core::makeError(ErrorCode::kStorage, "db gone");
      return live_.count(agent) > 0;
    });
  }

  static constexpr acd::OrgId kAcme = 10, kGlobex = 20;
  acd::Agent alice_ = makeAgent(kAcme, 1, "alice");
  acd::Agent bob_ = makeAgent(kAcme, 2, "bob");
  acd::Agent carol_ = makeAgent(kGlobex, 3, "carol");
  FakeStateStore store_;
  EventHub hub_;
  FakeConnection bob_socket_, admin_socket_, other_org_admin_;
  std::set<acd::AgentKey> live_;
  bool session_check_fails_ = false;
};

TEST_F(AgentStatesTest, AnUnknownAgentIsOffline) {
  auto states = makeStates();
  auto s = states.get(kAcme, bob_.key);
  EXPECT_EQ(s.state(), AgentState::kOffline);
  EXPECT_EQ(s.since(), core::Time{});
  EXPECT_EQ(states.request(kAcme, bob_.key, AgentState::kReady, kT0).error().code,
            ErrorCode::kForbidden);
}

TEST_F(AgentStatesTest, LoginEntersAfterLoginAndIsStoredThenPublished) {
  auto states = makeStates();
  auto s = states.login(bob_, acd::AfterLogin::kBreak, kT0);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->state(), AgentState::kBreak);
  EXPECT_EQ(states.get(kAcme, bob_.key).since(), kT0);
  ASSERT_EQ(store_.history.size(), 1u);
  EXPECT_EQ(store_.history[0].second,
            (StateChange{AgentState::kOffline, AgentState::kBreak, kT0, StateCause::kLogin}));

  // To the agent's own socket and the org's admins, not to another org.
  ASSERT_EQ(bob_socket_.messages().size(), 1u);
  ASSERT_EQ(admin_socket_.messages().size(), 1u);
  EXPECT_TRUE(other_org_admin_.messages().empty());
  auto event = boost::json::parse(bob_socket_.messages()[0]).as_object();
  EXPECT_EQ(event.at("type").as_string(), "agent.state");
  EXPECT_EQ(event.at("agent").as_string(), "bob");
  EXPECT_EQ(event.at("state").as_string(), "break");
  EXPECT_EQ(event.at("from").as_string(), "offline");
  EXPECT_EQ(event.at("cause").as_string(), "login");
  EXPECT_EQ(event.at("since").as_string(), core::toRfc3339(kT0));

  // A second login (another device) changes nothing.
  ASSERT_TRUE(states.login(bob_, acd::AfterLogin::kReady, kT0 + seconds(1)).ok());
  EXPECT_EQ(states.get(kAcme, bob_.key).state(), AgentState::kBreak);
  EXPECT_EQ(store_.history.size(), 1u);
  EXPECT_EQ(bob_socket_.messages().size(), 1u);
}

TEST_F(AgentStatesTest, AnAdminGetsItsOwnChangeOncePerSocket) {
  auto states = makeStates();
  ASSERT_TRUE(states.login(alice_, acd::AfterLogin::kReady, kT0).ok());
  EXPECT_EQ(admin_socket_.messages().size(), 1u);
  EXPECT_TRUE(bob_socket_.messages().empty());
}

TEST_F(AgentStatesTest, RequestsMoveTheStateAndItsStart) {
  auto states = makeStates();
  ASSERT_TRUE(states.login(bob_, acd::AfterLogin::kBreak, kT0).ok());
  auto ready = states.request(kAcme, bob_.key, AgentState::kReady, kT0 + seconds(3));
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->state(), AgentState::kReady);
  EXPECT_EQ(ready->since(), kT0 + seconds(3));
  auto same = states.request(kAcme, bob_.key, AgentState::kReady, kT0 + seconds(4));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->since(), kT0 + seconds(3));  // no change, the start stays
  EXPECT_EQ(store_.history.size(), 2u);
  EXPECT_EQ(states.request(kAcme, bob_.key, AgentState::kOnCall, kT0).error().code,
            ErrorCode::kInvalidInput);
  // Another org's view of the same key: unknown.
  EXPECT_EQ(states.get(kGlobex, bob_.key).state(), AgentState::kOffline);
  EXPECT_FALSE(states.request(kGlobex, bob_.key, AgentState::kBreak, kT0).ok());
}

TEST_F(AgentStatesTest, NoChangeWhileRingingOrOnCall) {
  auto states = makeStates();
  ASSERT_TRUE(states.login(bob_, acd::AfterLogin::kReady, kT0).ok());
  ASSERT_TRUE(states.offer(kAcme, bob_.key, kT0 + seconds(1)).ok());
  EXPECT_EQ(states.get(kAcme, bob_.key).state(), AgentState::kRinging);
  auto refused = states.request(kAcme, bob_.key, AgentState::kBreak, kT0 + seconds(2));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);  // the API's 409
  ASSERT_TRUE(states.answered(kAcme, bob_.key, kT0 + seconds(3)).ok());
  EXPECT_EQ(states.request(kAcme, bob_.key, AgentState::kReady, kT0 + seconds(4)).error().code,
            ErrorCode::kConflict);
  auto ended = states.callEnded(kAcme, bob_.key, acd::AfterCall::kAfterCallWork, kT0 + seconds(5));
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ended->state(), AgentState::kAfterCallWork);
  EXPECT_EQ(store_.history.size(), 4u);
  EXPECT_EQ(bob_socket_.messages().size(), 4u);
}

TEST_F(AgentStatesTest, LogoutGoesOfflineOnlyWithoutAnotherLiveSession) {
  auto states = makeStates();
  ASSERT_TRUE(states.login(bob_, acd::AfterLogin::kReady, kT0).ok());
  live_.insert(bob_.key);  // still logged in on another device
  ASSERT_TRUE(states.logout(kAcme, bob_.key, kT0 + seconds(1)).ok());
  EXPECT_EQ(states.get(kAcme, bob_.key).state(), AgentState::kReady);
  live_.clear();
  auto out = states.logout(kAcme, bob_.key, kT0 + seconds(2));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->state(), AgentState::kOffline);
  EXPECT_EQ(store_.history.back().second.cause, StateCause::kLogout);
  // Logging out an agent never seen is harmless.
  EXPECT_TRUE(states.logout(kAcme, 99, kT0).ok());
}

TEST_F(AgentStatesTest, LogoutDuringACallTakesEffectWhenItEnds) {
  auto states = makeStates();
  ASSERT_TRUE(states.login(bob_, acd::AfterLogin::kReady, kT0).ok());
  ASSERT_TRUE(states.dialed(kAcme, bob_.key, kT0 + seconds(1)).ok());
  ASSERT_TRUE(states.logout(kAcme, bob_.key, kT0 + seconds(2)).ok());
  EXPECT_EQ(states.get(kAcme, bob_.key).state(), AgentState::kOnCall);
  EXPECT_TRUE(states.get(kAcme, bob_.key).logoutPending());
  auto ended = states.callEnded(kAcme, bob_.key, acd::AfterCall::kReady, kT0 + seconds(9));
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ended->state(), AgentState::kOffline);
  EXPECT_EQ(ended->since(), kT0 + seconds(9));
}

TEST_F(AgentStatesTest, AStoreFailureChangesNothingAndPublishesNothing) {
  auto states = makeStates();
  ASSERT_TRUE(states.login(bob_, acd::AfterLogin::kBreak, kT0).ok());
  store_.fail = true;
  auto r = states.request(kAcme, bob_.key, AgentState::kReady, kT0 + seconds(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kStorage);
  EXPECT_EQ(states.get(kAcme, bob_.key).state(), AgentState::kBreak);
  EXPECT_EQ(states.get(kAcme, bob_.key).since(), kT0);
  EXPECT_EQ(bob_socket_.messages().size(), 1u);
  session_check_fails_ = true;
  store_.fail = false;
  EXPECT_FALSE(states.logout(kAcme, bob_.key, kT0 + seconds(2)).ok());
  EXPECT_EQ(states.get(kAcme, bob_.key).state(), AgentState::kBreak);
}

TEST_F(AgentStatesTest, SweepSetsAgentsWithoutASessionOffline) {
  auto states = makeStates();
  ASSERT_TRUE(states.login(bob_, acd::AfterLogin::kReady, kT0).ok());
  ASSERT_TRUE(states.login(alice_, acd::AfterLogin::kReady, kT0).ok());
  live_.insert(alice_.key);
  EXPECT_EQ(states.loggedIn(), 2u);
  auto n = states.sweep(kT0 + seconds(60));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(states.get(kAcme, bob_.key).state(), AgentState::kOffline);
  EXPECT_EQ(states.get(kAcme, alice_.key).state(), AgentState::kReady);
  EXPECT_EQ(states.loggedIn(), 1u);
}

TEST_F(AgentStatesTest, RestoreEndsCallsOfThePreviousRunAndLogsOutAgentsWithoutSession) {
  // The previous run: bob on a call, alice ringing, carol (Globex) ready; only alice and
  // carol still have sessions.
  store_.orgs = {{1, kAcme}, {2, kAcme}, {3, kGlobex}};
  store_.current[1] = {1, "alice", AgentState::kRinging, kT0};
  store_.current[2] = {2, "bob", AgentState::kOnCall, kT0};
  store_.current[3] = {3, "carol", AgentState::kReady, kT0};
  live_ = {1, 3};
  acd::Org acme, globex;
  acme.id = kAcme;
  acme.after_call = acd::AfterCall::kAfterCallWork;
  globex.id = kGlobex;
  auto states = makeStates();
  const core::Time start = kT0 + seconds(100);
  ASSERT_TRUE(states.restore({acme, globex}, start).ok());

  EXPECT_EQ(states.get(kAcme, 1).state(), AgentState::kReady);  // the offer was withdrawn
  EXPECT_EQ(states.get(kAcme, 1).since(), start);
  EXPECT_EQ(states.get(kAcme, 2).state(), AgentState::kOffline);  // call ended, then no session
  EXPECT_EQ(states.get(kGlobex, 3).state(), AgentState::kReady);
  EXPECT_EQ(states.get(kGlobex, 3).since(), kT0);  // unchanged: keeps its start

  std::vector<std::string> changes;
  for (const auto& [agent, c] : store_.history) {
    changes.push_back(std::to_string(agent) + ":" + acd::toString(c.from) + ">" +
                      acd::toString(c.to) + ":" + acd::toString(c.cause));
  }
  EXPECT_EQ(changes,
            (std::vector<std::string>{"1:ringing>ready:offer_withdrawn", "2:on_call>acw:call_ended",
                                      "2:acw>offline:logout"}));
  // Nothing published: nobody could be connected yet.
  EXPECT_TRUE(bob_socket_.messages().empty());
  EXPECT_TRUE(admin_socket_.messages().empty());
}

TEST_F(AgentStatesTest, ConcurrentRequestsOfManyAgentsAreAllStoredInOrder) {
  auto states = makeStates();
  constexpr int kAgents = 8, kChanges = 50;
  for (int a = 0; a < kAgents; ++a) {
    store_.ids[100 + a] = "a" + std::to_string(a);
    ASSERT_TRUE(
        states
            .login(makeAgent(kAcme, 100 + a, "a" + std::to_string(a)), acd::AfterLogin::kReady, kT0)
            .ok());
  }
  std::vector<std::thread> threads;
  for (int a = 0; a < kAgents; ++a) {
    threads.emplace_back([&, a] {
      for (int i = 1; i <= kChanges; ++i) {
        auto to = i % 2 ? AgentState::kBreak : AgentState::kReady;
        EXPECT_TRUE(states.request(kAcme, 100 + a, to, kT0 + seconds(i)).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store_.history.size(), static_cast<size_t>(kAgents * (kChanges + 1)));
  for (int a = 0; a < kAgents; ++a) {
    EXPECT_EQ(store_.current[100 + a].state, AgentState::kReady);
    EXPECT_EQ(states.get(kAcme, 100 + a).since(), kT0 + seconds(kChanges));
  }
}

}  // namespace
}  // namespace sb::api
