// ContactCenter: the contact center at work on a real strand (an io_context thread),
// with the stores in memory and the telephony recorded: agent states served to the API
// (recorded before they are published, C1–C4), a customer call carried through to its
// record (N1–N5), restart (interrupted states), the session sweep.
#include "app/contact_center.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <future>
#include <map>
#include <set>
#include <thread>

namespace sb::app {
namespace {

using acd::AgentState;
using acd::StateCause;
using core::ErrorCode;
using namespace std::chrono_literals;

class MemoryStore final : public acd::AgentStateStore, public acd::CenterStore {
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
    if (it == current.end() || orgs.at(agent) != org) return core::makeError(ErrorCode::kNotFound, "no");
    return it->second;
  }
  core::Result<void> recordAgentState(acd::OrgId org, acd::AgentKey agent, const acd::StateChange& change) override {
    std::lock_guard lock(mutex);
    return record(org, agent, change);
  }
  core::Result<std::vector<core::Result<void>>> writeBatch(std::span<const acd::CenterWrite> writes) override {
    std::this_thread::sleep_for(std::chrono::microseconds(300));  // a commit takes time (an fsync)
    std::lock_guard lock(mutex);
    if (fail) return core::makeError(ErrorCode::kStorage, "disk full");
    ++batches;
    std::vector<core::Result<void>> out;
    for (const acd::CenterWrite& w : writes) {
      if (const auto* s = std::get_if<acd::AgentStateWrite>(&w)) {
        if (s->note) notes.push_back(*s->note);
        out.push_back(record(s->org, s->agent, s->change));
      } else if (const auto* n = std::get_if<acd::NoteWrite>(&w)) {
        notes.push_back(*n);
        out.push_back(core::okResult());
      } else if (const auto* o = std::get_if<acd::CallOpenWrite>(&w)) {
        calls[o->record.call] = o->record;
        open.insert(o->record.call);
        out.push_back(core::okResult());
      } else if (const auto* c = std::get_if<acd::CallCloseWrite>(&w)) {
        calls[c->record.call] = c->record;
        open.erase(c->record.call);
        out.push_back(core::okResult());
      } else if (const auto* cb = std::get_if<acd::CallbackWrite>(&w)) {
        callbacks.push_back(*cb);
        out.push_back(core::okResult());
      }
    }
    return out;
  }
  core::Result<acd::CallId> nextCallId() override { return next_call; }

  core::Result<void> record(acd::OrgId org, acd::AgentKey agent, const acd::StateChange& change) {
    history.push_back({agent, change});
    orgs[agent] = org;
    current[agent] = acd::StoredAgentState{agent, ids[agent], change.to, change.at};
    return core::okResult();
  }
  std::vector<acd::StateChange> historyOf(acd::AgentKey agent) {
    std::lock_guard lock(mutex);
    std::vector<acd::StateChange> out;
    for (const auto& [key, change] : history) {
      if (key == agent) out.push_back(change);
    }
    return out;
  }

  std::mutex mutex;
  bool fail = false;
  int batches = 0;
  acd::CallId next_call = 500;
  std::vector<std::pair<acd::AgentKey, acd::StateChange>> history;
  std::map<acd::AgentKey, acd::StoredAgentState> current;
  std::map<acd::AgentKey, acd::OrgId> orgs;
  std::map<acd::AgentKey, std::string> ids;
  std::map<acd::CallId, acd::CallRecord> calls;
  std::set<acd::CallId> open;
  std::vector<acd::CallbackWrite> callbacks;
  std::vector<acd::NoteWrite> notes;
};

class FakeConnection final : public api::EventConnection {
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

// What the contact center asked of the telephony, in order (on the strand).
class RecordingTelephony final : public CenterTelephony {
 public:
  void answer(acd::CallId call) override { log.push_back("answer " + std::to_string(call)); }
  void play(acd::CallId call, const std::vector<std::string>& prompts, bool loop, bool, std::uint64_t play_id) override {
    std::string line = "play " + std::to_string(call) + (loop ? " loop" : "");
    for (const auto& p : prompts) line += " " + p;
    log.push_back(line);
    last_play[call] = play_id;
  }
  void stopPlaying(acd::CallId call) override { log.push_back("stop " + std::to_string(call)); }
  void ring(acd::CallId call, acd::AgentKey agent, const RingTarget& target) override {
    log.push_back("ring " + std::to_string(call) + " " + std::to_string(agent));
    rings.push_back(target);
  }
  void stopRinging(acd::CallId call, acd::AgentKey agent) override {
    log.push_back("stop-ring " + std::to_string(call) + " " + std::to_string(agent));
  }
  std::string connect(acd::CallId call, acd::AgentKey agent, bool transfer) override {
    log.push_back("connect " + std::to_string(call) + " " + std::to_string(agent) + (transfer ? " transfer" : ""));
    return "/rec/" + std::to_string(call) + ".wav";
  }
  void holdCustomer(acd::CallId call, bool held) override {
    log.push_back(std::string(held ? "hold " : "unhold ") + std::to_string(call));
  }
  void hangUp(acd::CallId call) override { log.push_back("hangup " + std::to_string(call)); }
  void dialOut(acd::CallId call, const std::string& agent_aor, const DialRoute& route) override {
    log.push_back("dial-out " + std::to_string(call) + " " + agent_aor + " " +
                  (route.kind == DialRoute::Kind::kTrunk ? route.number : route.agent_aor));
  }

  std::vector<std::string> log;
  std::vector<RingTarget> rings;
  std::map<acd::CallId, std::uint64_t> last_play;
};

acd::Agent makeAgent(acd::OrgId org, acd::AgentKey key, std::string id, std::vector<std::string> menus = {"1"}) {
  acd::Agent a;
  a.org = org;
  a.key = key;
  a.id = std::move(id);
  a.menus = std::move(menus);
  return a;
}

class ContactCenterTest : public ::testing::Test {
 protected:
  static constexpr acd::OrgId kAcme = 10, kGlobex = 20;

  ContactCenterTest() {
    acme_.id = kAcme;
    acme_.name = "Acme";
    acme_.domain = "acme.example";
    acme_.country_code = "82";
    acme_.numbers = {"0215880000"};
    acme_.menus = {{"1", "Orders"}};
    acme_.after_login = acd::AfterLogin::kReady;
    acme_.ring_timeout_s = 5;
    globex_.id = kGlobex;
    globex_.name = "Globex";
    globex_.domain = "globex.example";
    globex_.country_code = "1";
    globex_.menus = {{"1", "Sales"}};
    store_.ids = {{1, "alice"}, {2, "bob"}, {3, "alice"}};
    hub_.add(&bob_socket_, kAcme, 2, account::TokenHash{1}, false);
    hub_.add(&admin_socket_, kAcme, 1, account::TokenHash{2}, true);
    hub_.add(&globex_admin_, kGlobex, 3, account::TokenHash{3}, true);
  }
  ~ContactCenterTest() override {
    if (center_) onStrand([&] { center_->stop(); });
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }

  std::vector<CenterOrg> directory() {
    return {CenterOrg{acme_, {alice_, bob_}}, CenterOrg{globex_, {globex_alice_}}};
  }

  void start() {
    center_ = std::make_unique<ContactCenter>(
        io_.get_executor(), store_, store_, hub_,
        [this](acd::AgentKey agent, core::Time) -> core::Result<bool> {
          std::lock_guard lock(live_mutex_);
          return live_.count(agent) > 0;
        },
        clock_);
    center_->setTelephony(&telephony_);
    ASSERT_TRUE(center_->start(directory(), clock_.now()).ok());
    thread_ = std::thread([this] { io_.run(); });
  }

  // Runs `f` on the strand and waits for it.
  template <class F>
  void onStrand(F f) {
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }
  std::vector<std::string> telephonyLog() {
    std::vector<std::string> out;
    onStrand([&] { out = telephony_.log; });
    return out;
  }
  void setLive(acd::AgentKey agent, bool live) {
    std::lock_guard lock(live_mutex_);
    if (live) {
      live_.insert(agent);
    } else {
      live_.erase(agent);
    }
  }
  // Waits (bounded) until `pred` holds; the writer publishes after its commit.
  template <class P>
  bool eventually(P pred) {
    for (int i = 0; i < 200; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return pred();
  }

  acd::Org acme_, globex_;
  acd::Agent alice_ = makeAgent(kAcme, 1, "alice");
  acd::Agent bob_ = makeAgent(kAcme, 2, "bob");
  acd::Agent globex_alice_ = makeAgent(kGlobex, 3, "alice");
  core::ManualClock clock_{core::fromUnixMillis(1'764'000'000'000)};
  MemoryStore store_;
  api::EventHub hub_;
  FakeConnection bob_socket_, admin_socket_, globex_admin_;
  RecordingTelephony telephony_;
  std::mutex live_mutex_;
  std::set<acd::AgentKey> live_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::thread thread_;
  std::unique_ptr<ContactCenter> center_;
};

TEST_F(ContactCenterTest, AnUnknownAgentIsOffline) {
  start();
  EXPECT_EQ(center_->get(kAcme, 99).state(), AgentState::kOffline);
  // Another org's agent is unknown too.
  EXPECT_EQ(center_->get(kGlobex, bob_.key).state(), AgentState::kOffline);
}

TEST_F(ContactCenterTest, LoginEntersAfterLoginStoredThenPublishedToTheAgentAndAdmins) {
  start();
  setLive(bob_.key, true);
  auto s = center_->login(acme_, bob_, clock_.now());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->state(), AgentState::kReady);
  EXPECT_EQ(center_->get(kAcme, bob_.key).state(), AgentState::kReady);
  // Durable when login returned.
  auto history = store_.historyOf(bob_.key);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].cause, StateCause::kLogin);
  EXPECT_EQ(history[0].to, AgentState::kReady);
  // Published to bob and Acme's admin, not to Globex.
  ASSERT_TRUE(eventually([&] { return bob_socket_.messages().size() == 1 && admin_socket_.messages().size() == 1; }));
  auto event = boost::json::parse(bob_socket_.messages()[0]).as_object();
  EXPECT_EQ(event.at("type").as_string(), "agent.state");
  EXPECT_EQ(event.at("agent").as_string(), "bob");
  EXPECT_EQ(event.at("state").as_string(), "ready");
  EXPECT_TRUE(globex_admin_.messages().empty());
}

TEST_F(ContactCenterTest, RequestsMoveTheStateAndARingingAgentCannotLeave) {
  start();
  setLive(alice_.key, true);
  ASSERT_TRUE(center_->login(acme_, alice_, clock_.now()).ok());
  clock_.advance(10s);
  auto brk = center_->request(kAcme, alice_.key, AgentState::kBreak, clock_.now());
  ASSERT_TRUE(brk.ok());
  EXPECT_EQ(brk->state(), AgentState::kBreak);
  EXPECT_EQ(brk->since(), clock_.now());
  auto invalid = center_->request(kAcme, alice_.key, AgentState::kOnCall, clock_.now());
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidInput);

  // Ready with a registered phone, a customer waits: alice rings, and may not go on Break (C3).
  ASSERT_TRUE(center_->request(kAcme, alice_.key, AgentState::kReady, clock_.now()).ok());
  onStrand([&] { center_->devicesChanged("alice@acme.example", 1); });
  acd::CallId call = 0;
  onStrand([&] {
    call = center_->newCallId();
    ASSERT_TRUE(center_->callArrived(call, kAcme, "01012345678", "0215880000"));
    center_->promptFinished(call, telephony_.last_play[call]);  // the welcome is over
  });
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kRinging);
  auto refused = center_->request(kAcme, alice_.key, AgentState::kBreak, clock_.now());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kRinging);
}

TEST_F(ContactCenterTest, ACustomerCallIsAnsweredRungConnectedAndRecorded) {
  start();
  setLive(alice_.key, true);
  ASSERT_TRUE(center_->login(acme_, alice_, clock_.now()).ok());
  onStrand([&] { center_->devicesChanged("alice@acme.example", 1); });
  acd::CallId call = 0;
  onStrand([&] {
    call = center_->newCallId();
    ASSERT_TRUE(center_->callArrived(call, kAcme, "01012345678", "0215880000"));
  });
  EXPECT_EQ(call, 500u);  // the store's next id
  clock_.advance(3s);
  onStrand([&] { center_->promptFinished(call, telephony_.last_play[call]); });
  onStrand([&] {
    ASSERT_EQ(telephony_.rings.size(), 1u);
    EXPECT_EQ(telephony_.rings[0].aor, "alice@acme.example");
    EXPECT_EQ(telephony_.rings[0].caller, "01012345678");
    EXPECT_EQ(telephony_.rings[0].menu_name, "Orders");
    EXPECT_EQ(telephony_.rings[0].timeout, 5s);
  });
  clock_.advance(2s);
  onStrand([&] { center_->agentAnswered(call, alice_.key); });
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kOnCall);
  clock_.advance(60s);
  onStrand([&] { center_->customerHungUp(call); });

  const std::string c = std::to_string(call);
  const std::vector<std::string> expected{"answer " + c, "play " + c + " welcome", "play " + c + " loop hold",
                                          "ring " + c + " 1",  "stop " + c,                 "connect " + c + " 1",
                                          "hangup " + c};
  EXPECT_EQ(telephonyLog(), expected);
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kAfterCallWork);
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(store_.mutex);
    return store_.calls.count(call) && store_.open.empty();
  }));
  std::lock_guard lock(store_.mutex);
  const acd::CallRecord& r = store_.calls.at(call);
  EXPECT_EQ(r.result, acd::CallResult::kAnswered);
  EXPECT_EQ(r.ended_by, "customer");
  EXPECT_EQ(r.agent, alice_.key);
  EXPECT_EQ(r.recording, "/rec/" + c + ".wav");
  EXPECT_EQ(r.wait(), 5s);
  EXPECT_EQ(r.talk(), 60s);
  EXPECT_EQ(r.caller, "01012345678");
}

TEST_F(ContactCenterTest, TheRingTimerPutsTheAgentOnBreakAndRingsTheNext) {
  start();
  setLive(alice_.key, true);
  setLive(bob_.key, true);
  ASSERT_TRUE(center_->login(acme_, alice_, clock_.now()).ok());
  onStrand([&] { center_->devicesChanged("alice@acme.example", 1); });
  clock_.advance(1s);
  ASSERT_TRUE(center_->login(acme_, bob_, clock_.now()).ok());
  onStrand([&] { center_->devicesChanged("bob@acme.example", 2); });
  acd::CallId call = 0;
  onStrand([&] {
    call = center_->newCallId();
    center_->callArrived(call, kAcme, "01012345678", "0215880000");
    center_->promptFinished(call, telephony_.last_play[call]);
  });
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kRinging);  // idle longest
  // The org's 5 s ring timeout, on the manual clock.
  clock_.advance(4s);
  onStrand([&] { center_->runDueTimers(); });
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kRinging);
  clock_.advance(1s);
  onStrand([&] { center_->runDueTimers(); });
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kBreak);
  EXPECT_EQ(center_->get(kAcme, bob_.key).state(), AgentState::kRinging);
  auto log = telephonyLog();
  const std::string c = std::to_string(call);
  EXPECT_NE(std::find(log.begin(), log.end(), "stop-ring " + c + " 1"), log.end());
  EXPECT_NE(std::find(log.begin(), log.end(), "ring " + c + " 2"), log.end());
}

TEST_F(ContactCenterTest, TwoOrgsWithTheSameAgentIdNeverMix) {
  start();
  setLive(alice_.key, true);
  setLive(globex_alice_.key, true);
  ASSERT_TRUE(center_->login(acme_, alice_, clock_.now()).ok());
  auto g = center_->login(globex_, globex_alice_, clock_.now());
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->state(), AgentState::kBreak);  // Globex's after_login is the default, Break
  ASSERT_TRUE(center_->request(kGlobex, globex_alice_.key, AgentState::kReady, clock_.now()).ok());
  // Only Globex's alice registered: an Acme call does not ring her.
  onStrand([&] { center_->devicesChanged("alice@globex.example", 1); });
  acd::CallId call = 0;
  onStrand([&] {
    call = center_->newCallId();
    center_->callArrived(call, kAcme, "01012345678", "0215880000");
    center_->promptFinished(call, telephony_.last_play[call]);
  });
  onStrand([&] { EXPECT_TRUE(telephony_.rings.empty()); });
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kReady);
  EXPECT_EQ(center_->get(kGlobex, globex_alice_.key).state(), AgentState::kReady);
  // Acme's alice registers: she rings, with Acme's domain.
  onStrand([&] { center_->devicesChanged("alice@acme.example", 1); });
  onStrand([&] {
    ASSERT_EQ(telephony_.rings.size(), 1u);
    EXPECT_EQ(telephony_.rings[0].aor, "alice@acme.example");
  });
}

// F4: the colleagues' list reads snapshot(); its `reachable` follows the phones and
// agrees with what a transfer accepts.
TEST_F(ContactCenterTest, TheSnapshotSaysWhoHasAPhoneAndATransferAgrees) {
  start();
  setLive(alice_.key, true);
  setLive(bob_.key, true);
  setLive(globex_alice_.key, true);
  ASSERT_TRUE(center_->login(acme_, alice_, clock_.now()).ok());
  ASSERT_TRUE(center_->login(acme_, bob_, clock_.now()).ok());  // Ready, no phone
  ASSERT_TRUE(center_->login(globex_, globex_alice_, clock_.now()).ok());
  onStrand([&] { center_->devicesChanged("alice@acme.example", 1); });
  onStrand([&] { center_->devicesChanged("alice@globex.example", 1); });

  auto acme = center_->snapshot(kAcme);
  ASSERT_EQ(acme.size(), 2u);  // Globex's alice is not Acme's
  EXPECT_EQ(acme.at(alice_.key).status.state(), AgentState::kReady);
  EXPECT_TRUE(acme.at(alice_.key).reachable);
  EXPECT_EQ(acme.at(bob_.key).status.state(), AgentState::kReady);
  EXPECT_FALSE(acme.at(bob_.key).reachable);
  EXPECT_EQ(acme.at(bob_.key).status.since(), center_->get(kAcme, bob_.key).since());
  EXPECT_TRUE(center_->snapshot(kGlobex).at(globex_alice_.key).reachable);
  EXPECT_TRUE(center_->snapshot(99).empty());

  // Alice takes a customer call (bob, without a phone, is never offered it).
  acd::CallId call = 0;
  onStrand([&] {
    call = center_->newCallId();
    ASSERT_TRUE(center_->callArrived(call, kAcme, "01012345678", "0215880000"));
    center_->promptFinished(call, telephony_.last_play[call]);
  });
  onStrand([&] { center_->agentAnswered(call, alice_.key); });
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kOnCall);
  EXPECT_TRUE(center_->snapshot(kAcme).at(alice_.key).reachable);  // on a call, the phone is still there

  // Bob is Ready but unreachable: the transfer is refused as the list said.
  auto refused = center_->transfer(kAcme, alice_.key, call, bob_.key);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(refused.error().message, "the agent is not Ready");
  // His phone registers: the list says reachable, and the transfer rings him.
  onStrand([&] { center_->devicesChanged("bob@acme.example", 1); });
  EXPECT_TRUE(center_->snapshot(kAcme).at(bob_.key).reachable);
  auto rung = center_->transfer(kAcme, alice_.key, call, bob_.key);
  ASSERT_TRUE(rung.ok()) << rung.error().message;
  EXPECT_EQ(center_->snapshot(kAcme).at(bob_.key).status.state(), AgentState::kRinging);

  // Alice's phone unregisters: unreachable from now.
  onStrand([&] { center_->devicesChanged("alice@acme.example", 0); });
  EXPECT_FALSE(center_->snapshot(kAcme).at(alice_.key).reachable);
}

TEST_F(ContactCenterTest, LogoutGoesOfflineOnlyWithoutAnotherLiveSession) {
  start();
  setLive(bob_.key, true);
  ASSERT_TRUE(center_->login(acme_, bob_, clock_.now()).ok());
  auto still = center_->logout(kAcme, bob_.key, clock_.now());
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->state(), AgentState::kReady);  // another session lives
  setLive(bob_.key, false);
  auto gone = center_->logout(kAcme, bob_.key, clock_.now());
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->state(), AgentState::kOffline);
  EXPECT_EQ(store_.historyOf(bob_.key).back().cause, StateCause::kLogout);
  // A request from an agent that is logged out is refused.
  auto refused = center_->request(kAcme, bob_.key, AgentState::kReady, clock_.now());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
}

TEST_F(ContactCenterTest, SweepSetsAgentsWithoutASessionOffline) {
  start();
  setLive(alice_.key, true);
  setLive(bob_.key, true);
  ASSERT_TRUE(center_->login(acme_, alice_, clock_.now()).ok());
  ASSERT_TRUE(center_->login(acme_, bob_, clock_.now()).ok());
  setLive(bob_.key, false);
  auto changed = center_->sweep(clock_.now());
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(*changed, 1);
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kReady);
  EXPECT_EQ(center_->get(kAcme, bob_.key).state(), AgentState::kOffline);
  EXPECT_EQ(center_->counts().logged_in, 1u);
}

TEST_F(ContactCenterTest, RestartEndsCallsOfThePreviousRunAndLogsOutAgentsWithoutSession) {
  const core::Time before = clock_.now() - 1h;
  (void)store_.record(kAcme, alice_.key, {AgentState::kReady, AgentState::kRinging, before, StateCause::kOffer});
  (void)store_.record(kAcme, bob_.key, {AgentState::kRinging, AgentState::kOnCall, before, StateCause::kAnswered});
  (void)store_.record(kGlobex, globex_alice_.key, {AgentState::kOffline, AgentState::kBreak, before, StateCause::kLogin});
  setLive(alice_.key, true);
  setLive(bob_.key, true);  // Globex's alice has no session any more
  start();
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kReady);
  EXPECT_EQ(center_->get(kAcme, bob_.key).state(), AgentState::kAfterCallWork);
  EXPECT_EQ(center_->get(kGlobex, globex_alice_.key).state(), AgentState::kOffline);
  EXPECT_EQ(store_.historyOf(alice_.key).back().cause, StateCause::kOfferWithdrawn);
  EXPECT_EQ(store_.historyOf(bob_.key).back().cause, StateCause::kCallEnded);
  EXPECT_EQ(store_.historyOf(globex_alice_.key).back().cause, StateCause::kLogout);
  // Nobody was connected to hear those: nothing published.
  EXPECT_TRUE(bob_socket_.messages().empty());
}

TEST_F(ContactCenterTest, AStoreFailureIsReportedAndNothingIsPublished) {
  start();
  setLive(bob_.key, true);
  {
    std::lock_guard lock(store_.mutex);
    store_.fail = true;
  }
  auto s = center_->login(acme_, bob_, clock_.now());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kStorage);
  EXPECT_TRUE(bob_socket_.messages().empty());
  EXPECT_GE(center_->counts().writes_failed, 1u);
}

TEST_F(ContactCenterTest, ConcurrentRequestsOfManyAgentsAreStoredInOrderAndShareTransactions) {
  std::vector<acd::Agent> many;
  for (int i = 0; i < 40; ++i) many.push_back(makeAgent(kAcme, 100 + i, "agent" + std::to_string(i)));
  acme_.after_login = acd::AfterLogin::kBreak;
  start();
  onStrand([&] { center_->refresh({CenterOrg{acme_, many}}); });
  for (const auto& a : many) setLive(a.key, true);
  std::vector<std::thread> threads;
  for (const auto& a : many) {
    threads.emplace_back([&, a] {
      ASSERT_TRUE(center_->login(acme_, a, clock_.now()).ok());
      for (int k = 0; k < 5; ++k) {
        ASSERT_TRUE(center_->request(kAcme, a.key, k % 2 == 0 ? AgentState::kAfterCallWork : AgentState::kBreak,
                                     clock_.now())
                        .ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& a : many) {
    auto history = store_.historyOf(a.key);
    ASSERT_EQ(history.size(), 6u) << a.id;
    for (std::size_t i = 1; i < history.size(); ++i) EXPECT_EQ(history[i].from, history[i - 1].to) << a.id;
    EXPECT_EQ(center_->get(kAcme, a.key).state(), AgentState::kAfterCallWork);
  }
  std::lock_guard lock(store_.mutex);
  EXPECT_LT(store_.batches, 240);  // 240 changes: several shared a transaction
}

TEST_F(ContactCenterTest, CountsFollowCallsAndWaitingCallersAcrossOrgs) {
  globex_.numbers = {"8005550100"};
  start();
  acd::CallId a = 0, b = 0;
  onStrand([&] {
    a = center_->newCallId();
    center_->callArrived(a, kAcme, "01012345678", "0215880000");
    b = center_->newCallId();
    center_->callArrived(b, kGlobex, "2125550100", "8005550100");
  });
  EXPECT_EQ(center_->counts().calls, 2u);
  EXPECT_EQ(center_->counts().waiting, 0u);  // still hearing the welcome
  onStrand([&] {
    center_->promptFinished(a, telephony_.last_play[a]);
    center_->promptFinished(b, telephony_.last_play[b]);
  });
  EXPECT_EQ(center_->counts().waiting, 2u);  // nobody Ready in either org
  onStrand([&] { center_->customerHungUp(a); });
  EXPECT_EQ(center_->counts().calls, 1u);
  EXPECT_EQ(center_->counts().waiting, 1u);
  onStrand([&] { center_->customerHungUp(b); });
  EXPECT_EQ(center_->counts().calls, 0u);
  EXPECT_EQ(center_->counts().waiting, 0u);
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(store_.mutex);
    return store_.open.empty() && store_.calls.size() == 2;
  }));
  std::lock_guard lock(store_.mutex);
  EXPECT_EQ(store_.calls.at(a).result, acd::CallResult::kUnconnected);
  EXPECT_EQ(store_.calls.at(b).org, kGlobex);
}

}  // namespace
}  // namespace sb::app

namespace sb::app {
namespace {

std::vector<std::string> typesOf(const std::vector<std::string>& messages) {
  std::vector<std::string> out;
  for (const std::string& m : messages) {
    auto v = boost::json::parse(m).as_object();
    std::string type(v.at("type").as_string());
    if (type == "agent.state") type += ":" + std::string(v.at("state").as_string());
    out.push_back(type);
  }
  return out;
}

TEST_F(ContactCenterTest, CallEventsReachTheAppsAfterTheWritesTheyFollowInOrder) {
  start();
  setLive(alice_.key, true);
  ASSERT_TRUE(center_->login(acme_, alice_, clock_.now()).ok());
  onStrand([&] { center_->devicesChanged("alice@acme.example", 1); });
  acd::CallId call = 0;
  onStrand([&] {
    call = center_->newCallId();
    ASSERT_TRUE(center_->callArrived(call, kAcme, "01012345678", "0215880000"));
    center_->promptFinished(call, telephony_.last_play[call]);
  });
  clock_.advance(2s);
  onStrand([&] { center_->agentAnswered(call, alice_.key); });
  auto held = center_->hold(kAcme, alice_.key, call, true);
  ASSERT_TRUE(held.ok()) << held.error().message;
  clock_.advance(4s);
  ASSERT_TRUE(center_->hold(kAcme, alice_.key, call, false).ok());
  EXPECT_EQ(center_->hold(kAcme, bob_.key, call, true).error().code, ErrorCode::kNotFound);  // not bob's call
  onStrand([&] { center_->customerHungUp(call); });
  // The admin (alice's socket is the admin's here) hears it all, in the order it happened.
  const std::vector<std::string> expected{"agent.state:ready", "agent.state:ringing", "call.offered",
                                          "agent.state:on_call", "call.answered", "call.held",
                                          "call.resumed", "agent.state:acw", "call.ended"};
  ASSERT_TRUE(eventually([&] { return admin_socket_.messages().size() >= expected.size(); }));
  EXPECT_EQ(typesOf(admin_socket_.messages()), expected);
  auto resumed = boost::json::parse(admin_socket_.messages()[6]).as_object();
  EXPECT_EQ(resumed.at("hold_ms").as_int64(), 4000);
  // Each carries the session's next sequence number.
  std::uint64_t seq = 0;
  for (const std::string& m : admin_socket_.messages()) {
    const auto v = boost::json::parse(m).as_object();
    const auto n = v.at("seq").to_number<std::uint64_t>();
    EXPECT_EQ(n, seq + 1) << m;
    seq = n;
  }
  const auto log = telephonyLog();
  const std::string c = std::to_string(call);
  const std::vector<std::string> tail(log.end() - 4, log.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"connect " + c + " 1", "hold " + c, "unhold " + c, "hangup " + c}));
  EXPECT_TRUE(bob_socket_.messages().empty() ||
              typesOf(bob_socket_.messages()) == std::vector<std::string>{"queue.waiting"});  // not bob's call
}

TEST_F(ContactCenterTest, ANoteGoesWithTheStateChangeInOneWriteOrAloneWithoutOne) {
  start();
  setLive(alice_.key, true);
  ASSERT_TRUE(center_->login(acme_, alice_, clock_.now()).ok());
  acd::NoteWrite note{kAcme, 77, alice_.key, "Orders", "asked about an order", clock_.now()};
  auto brk = center_->request(kAcme, alice_.key, AgentState::kBreak, clock_.now(), note);
  ASSERT_TRUE(brk.ok());
  {
    std::lock_guard lock(store_.mutex);
    ASSERT_EQ(store_.notes.size(), 1u);  // durable when the request returned
    EXPECT_EQ(store_.notes[0].text, "asked about an order");
  }
  note.text = "edited";
  ASSERT_TRUE(center_->request(kAcme, alice_.key, AgentState::kBreak, clock_.now(), note).ok());  // no change
  std::lock_guard lock(store_.mutex);
  ASSERT_EQ(store_.notes.size(), 2u);
  EXPECT_EQ(store_.notes[1].text, "edited");
}

TEST_F(ContactCenterTest, TheOrgHearsHowManyCustomersWait) {  // H2
  start();
  onStrand([&] {
    acd::CallId call = center_->newCallId();
    ASSERT_TRUE(center_->callArrived(call, kAcme, "01012345678", "0215880000"));
    center_->promptFinished(call, telephony_.last_play[call]);  // queued: nobody is Ready
  });
  ASSERT_TRUE(eventually([&] {
    for (const std::string& m : bob_socket_.messages()) {
      if (m.find("queue.waiting") != std::string::npos) return true;
    }
    return false;
  }));
  for (const std::string& m : bob_socket_.messages()) {
    auto v = boost::json::parse(m).as_object();
    if (v.at("type").as_string() != "queue.waiting") continue;
    EXPECT_EQ(v.at("total").as_int64(), 1);
    EXPECT_EQ(v.at("menus").as_array()[0].at("waiting").as_int64(), 1);
  }
  EXPECT_TRUE(globex_admin_.messages().empty());
}

TEST_F(ContactCenterTest, ACallbackRequestIsToldToTheOrgOnceStored) {  // K1
  start();
  acd::CallId call = 0;
  onStrand([&] {
    call = center_->newCallId();
    ASSERT_TRUE(center_->callArrived(call, kAcme, "01012345678", "0215880000"));
    center_->promptFinished(call, telephony_.last_play[call]);  // queued: nobody is Ready
    center_->digit(call, '*');
    center_->promptFinished(call, telephony_.last_play[call]);  // the question was asked
    center_->digit(call, '1');
  });
  auto created = [&]() -> std::optional<boost::json::object> {
    for (const std::string& m : bob_socket_.messages()) {
      auto v = boost::json::parse(m).as_object();
      if (v.at("type").as_string() == "callback.created") return v;
    }
    return std::nullopt;
  };
  ASSERT_TRUE(eventually([&] { return created().has_value(); }));
  {
    std::lock_guard lock(store_.mutex);
    ASSERT_EQ(store_.callbacks.size(), 1u);  // stored before it was told
  }
  const auto cb = created()->at("callback").as_object();
  EXPECT_EQ(cb.at("id").as_int64(), static_cast<std::int64_t>(call));
  EXPECT_EQ(cb.at("number").as_string(), "01012345678");
  EXPECT_EQ(cb.at("menu").at("name").as_string(), "Orders");
  EXPECT_TRUE(globex_admin_.messages().empty());
}

TEST_F(ContactCenterTest, AnAgentsDialGoesThroughTheDialPlan) {  // E1, E3, N6
  start();
  setLive(alice_.key, true);
  ASSERT_TRUE(center_->login(acme_, alice_, clock_.now()).ok());
  acd::CallId intl = 0;
  core::Result<DialRoute> refused = core::makeError(ErrorCode::kInternal, "");
  onStrand([&] {
    intl = center_->newCallId();
    refused = center_->deviceDialed(intl, "alice@acme.example", "001-1-212-555-0100");
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kReady);  // nothing happened
  core::Result<DialRoute> internal = core::makeError(ErrorCode::kInternal, "");
  onStrand([&] { internal = center_->deviceDialed(center_->newCallId(), "alice@acme.example", "bob"); });
  ASSERT_TRUE(internal.ok()) << internal.error().message;
  EXPECT_EQ(internal->kind, DialRoute::Kind::kAgent);
  EXPECT_EQ(internal->agent_aor, "bob@acme.example");
  EXPECT_EQ(internal->caller_id, "alice");
  EXPECT_EQ(center_->get(kAcme, alice_.key).state(), AgentState::kOnCall);
  // From the app: the agent's phone first (DialOut), the national number for the trunk.
  setLive(bob_.key, true);
  ASSERT_TRUE(center_->login(acme_, bob_, clock_.now()).ok());
  auto dialled = center_->dial(kAcme, bob_.key, {acd::DomesticDial{"01012345678", "+821012345678"}, 5, std::nullopt});
  ASSERT_TRUE(dialled.ok()) << dialled.error().message;
  const auto log = telephonyLog();
  EXPECT_EQ(log.back(), "dial-out " + std::to_string(*dialled) + " bob@acme.example 01012345678");
  std::lock_guard lock(store_.mutex);
  ASSERT_TRUE(store_.calls.count(*dialled));  // the open record is durable when dial returns
  EXPECT_EQ(store_.calls.at(*dialled).from_call, 5u);
  EXPECT_EQ(store_.calls.at(*dialled).direction, acd::CallDirection::kOutbound);
}

}  // namespace
}  // namespace sb::app
