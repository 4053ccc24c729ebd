#include "api/event_hub.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

namespace sb::api {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class FakeConnection final : public EventConnection {
 public:
  void send(std::string text) override {
    std::lock_guard lock(mutex_);
    sent_.push_back(std::move(text));
  }
  void close(std::string reason) override {
    std::lock_guard lock(mutex_);
    closed_ = std::move(reason);
  }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }
  std::optional<std::string> closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  // The (type, seq) of every message received.
  std::vector<std::pair<std::string, uint64_t>> typed() const {
    std::vector<std::pair<std::string, uint64_t>> out;
    for (const auto& m : messages()) {
      auto v = boost::json::parse(m).as_object();
      out.emplace_back(std::string(v.at("type").as_string()), v.at("seq").to_number<uint64_t>());
    }
    return out;
  }
  std::vector<uint64_t> eventSeqs() const {
    std::vector<uint64_t> out;
    for (const auto& [type, seq] : typed()) {
      if (type == "e") out.push_back(seq);
    }
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> sent_;
  std::optional<std::string> closed_;
};

account::TokenHash token(uint8_t n) {
  account::TokenHash h{};
  h[0] = n;
  h[9] = 0x5a;
  return h;
}

constexpr acd::OrgId kAcme = 1;
constexpr acd::OrgId kGlobex = 2;
constexpr acd::AgentKey kAlice = 1;  // Acme admin
constexpr acd::AgentKey kBob = 2;
constexpr acd::AgentKey kGlobexAdmin = 3;
constexpr const char* kHello = R"({"type":"hello"})";
constexpr const char* kEvent = R"({"type":"e"})";

std::vector<uint64_t> range(uint64_t from, uint64_t to) {
  std::vector<uint64_t> v;
  for (uint64_t i = from; i <= to; ++i) v.push_back(i);
  return v;
}

class EventHubTest : public ::testing::Test {
 protected:
  EventHubTest() : hub_(options(), &clock_) {}
  static EventHubOptions options() {
    EventHubOptions o;
    o.max_buffered_events = 5;
    o.max_buffered_bytes = 4096;
    o.max_buffered_age = minutes{10};
    o.idle_session_ttl = minutes{10};
    return o;
  }
  void publishEvents(int n) {
    for (int i = 0; i < n; ++i) hub_.publishToAgentAndAdmins(kAcme, kBob, kEvent);
  }

  core::ManualClock clock_;
  EventHub hub_;
};

TEST(EventTextTest, SplicesSeqAsTheFirstMember) {
  EXPECT_EQ(EventText::withSeq(R"({"type":"e","a":1})", 42).view(),
            R"({"seq":42,"type":"e","a":1})");
  EXPECT_EQ(EventText::withSeq("{}", 7).view(), R"({"seq":7})");
  EXPECT_EQ(EventText::withSeq("{}", 18446744073709551615u).view(),
            R"({"seq":18446744073709551615})");
  EXPECT_EQ(EventText("plain").view(), "plain");
  EXPECT_EQ(EventText("").size(), 0u);
}

TEST_F(EventHubTest, SeqCountsUpPerSessionFromOne) {
  FakeConnection bob, alice, globex;
  hub_.add(&bob, kAcme, kBob, token(1), false);
  hub_.add(&alice, kAcme, kAlice, token(2), true);
  hub_.add(&globex, kGlobex, kGlobexAdmin, token(3), true);
  publishEvents(3);
  hub_.publishToAgent(kBob, kEvent);                  // Bob only
  hub_.publish(kAcme, kEvent, /*admins_only=*/true);  // Alice only
  hub_.publish(kAcme, kEvent);                        // both
  EXPECT_EQ(bob.eventSeqs(), range(1, 5));
  EXPECT_EQ(alice.eventSeqs(), range(1, 5));
  EXPECT_TRUE(globex.messages().empty());
  EXPECT_EQ(bob.messages()[0], R"({"seq":1,"type":"e"})");
  EXPECT_EQ(hub_.lastSeq(token(1)), 5u);
  EXPECT_EQ(hub_.lastSeq(token(3)), 0u);
}

TEST_F(EventHubTest, SeveralAgentsAndAdminsOncePerSession) {
  FakeConnection bob, alice, carol, globex;
  hub_.add(&bob, kAcme, kBob, token(1), false);
  hub_.add(&alice, kAcme, kAlice, token(2), true);
  hub_.add(&carol, kAcme, 4, token(4), false);
  hub_.add(&globex, kGlobex, kGlobexAdmin, token(3), true);
  hub_.publishToAgentsAndAdmins(kAcme, {kBob, kAlice}, kEvent);
  EXPECT_EQ(bob.eventSeqs(), range(1, 1));
  EXPECT_EQ(alice.eventSeqs(), range(1, 1));  // admin and named: once
  EXPECT_TRUE(carol.messages().empty());
  EXPECT_TRUE(globex.messages().empty());
}

TEST_F(EventHubTest, ConnectionsOfOneSessionSeeTheSameSeq) {
  FakeConnection tab1, tab2;
  hub_.add(&tab1, kAcme, kBob, token(1), false);
  publishEvents(2);
  hub_.add(&tab2, kAcme, kBob, token(1), false, kHello);
  publishEvents(2);
  EXPECT_EQ(tab1.eventSeqs(), range(1, 4));
  EXPECT_EQ(tab2.typed(),
            (std::vector<std::pair<std::string, uint64_t>>{{"hello", 2}, {"e", 3}, {"e", 4}}));
  EXPECT_EQ(hub_.size(), 2u);
  EXPECT_EQ(hub_.sessions(), 1u);
}

TEST_F(EventHubTest, HelloAndPongConsumeNoSeq) {
  FakeConnection c;
  hub_.add(&c, kAcme, kBob, token(1), false, kHello);
  c.send(R"({"type":"pong"})");  // what the socket sends by itself
  publishEvents(1);
  EXPECT_EQ(c.messages(),
            (std::vector<std::string>{R"({"seq":0,"type":"hello"})", R"({"type":"pong"})",
                                      R"({"seq":1,"type":"e"})"}));
}

TEST_F(EventHubTest, ReconnectWithSinceReplaysTheMissedEventsInOrder) {
  FakeConnection first, second;
  hub_.add(&first, kAcme, kBob, token(1), false, kHello);
  publishEvents(2);
  hub_.remove(&first);
  publishEvents(2);  // buffered while the session has no connection
  hub_.add(&second, kAcme, kBob, token(1), false, kHello, 2);
  publishEvents(1);
  EXPECT_EQ(first.eventSeqs(), range(1, 2));
  EXPECT_EQ(second.typed(), (std::vector<std::pair<std::string, uint64_t>>{
                                {"hello", 4}, {"e", 3}, {"e", 4}, {"e", 5}}));
}

TEST_F(EventHubTest, SinceAtTheLastSeqReplaysNothing) {
  FakeConnection first, second;
  hub_.add(&first, kAcme, kBob, token(1), false);
  publishEvents(3);
  hub_.remove(&first);
  hub_.add(&second, kAcme, kBob, token(1), false, kHello, 3);
  EXPECT_EQ(second.typed(), (std::vector<std::pair<std::string, uint64_t>>{{"hello", 3}}));
}

TEST_F(EventHubTest, SinceZeroReplaysTheWholeBuffer) {
  FakeConnection first, second;
  hub_.add(&first, kAcme, kBob, token(1), false);
  publishEvents(4);
  hub_.remove(&first);
  hub_.add(&second, kAcme, kBob, token(1), false, kHello, 0);
  EXPECT_EQ(second.eventSeqs(), range(1, 4));
}

TEST_F(EventHubTest, ResyncWhenTheMissedEventsAreNoLongerBuffered) {
  FakeConnection first, old, recent;
  hub_.add(&first, kAcme, kBob, token(1), false);
  publishEvents(10);  // the buffer keeps 6..10
  hub_.remove(&first);
  hub_.add(&old, kAcme, kBob, token(1), false, kHello, 4);
  EXPECT_EQ(old.typed(),
            (std::vector<std::pair<std::string, uint64_t>>{{"hello", 10}, {"resync", 10}}));
  EXPECT_EQ(old.messages()[1], R"({"seq":10,"type":"resync"})");
  hub_.add(&recent, kAcme, kBob, token(1), false, kHello, 5);  // 6.. is all there
  EXPECT_EQ(recent.eventSeqs(), range(6, 10));
  // Then both go on live.
  publishEvents(1);
  EXPECT_EQ(old.typed().back(), (std::pair<std::string, uint64_t>{"e", 11}));
  EXPECT_EQ(recent.typed().back(), (std::pair<std::string, uint64_t>{"e", 11}));
}

TEST_F(EventHubTest, ResyncWhenSinceIsAboveTheLastSeqOrTheSessionIsNew) {
  FakeConnection a, b, c;
  hub_.add(&a, kAcme, kBob, token(1), false);
  publishEvents(2);
  hub_.add(&b, kAcme, kBob, token(1), false, kHello, 3);
  EXPECT_EQ(b.typed(),
            (std::vector<std::pair<std::string, uint64_t>>{{"hello", 2}, {"resync", 2}}));
  hub_.add(&c, kAcme, kAlice, token(2), true, kHello, 9);  // never seen: e.g. after a restart
  EXPECT_EQ(c.typed(),
            (std::vector<std::pair<std::string, uint64_t>>{{"hello", 0}, {"resync", 0}}));
}

TEST_F(EventHubTest, EventsOlderThanTheAgeLimitAreDropped) {
  FakeConnection first, second;
  hub_.add(&first, kAcme, kBob, token(1), false);
  publishEvents(2);
  clock_.advance(minutes{6});
  publishEvents(1);
  hub_.remove(&first);
  clock_.advance(minutes{5});  // 1 and 2 are now 11 minutes old, 3 is 5
  hub_.add(&second, kAcme, kBob, token(1), false, kHello, 1);
  EXPECT_EQ(second.typed().back(), (std::pair<std::string, uint64_t>{"resync", 3}));
  FakeConnection third;
  hub_.add(&third, kAcme, kBob, token(1), false, kHello, 2);
  EXPECT_EQ(third.eventSeqs(), range(3, 3));
}

TEST_F(EventHubTest, MemoryStaysBoundedForASessionThatNeverComesBack) {
  FakeConnection c;
  hub_.add(&c, kAcme, kBob, token(1), false);
  hub_.remove(&c);
  publishEvents(1000);
  EXPECT_EQ(hub_.bufferedEvents(), 5u);
  EXPECT_EQ(hub_.lastSeq(token(1)), 1000u);
  // Big events: the byte bound keeps fewer.
  const std::string big = R"({"type":"e","pad":")" + std::string(1500, 'x') + R"("})";
  for (int i = 0; i < 10; ++i) hub_.publishToAgent(kBob, big);
  EXPECT_EQ(hub_.bufferedEvents(), 2u);
  // And the session itself is forgotten once idle for long enough.
  clock_.advance(minutes{10});
  publishEvents(1);
  EXPECT_EQ(hub_.sessions(), 0u);
  EXPECT_EQ(hub_.bufferedEvents(), 0u);
  EXPECT_EQ(hub_.lastSeq(token(1)), 0u);
}

TEST_F(EventHubTest, IdleSessionsAreForgottenOnAddToo) {
  FakeConnection a, b;
  hub_.add(&a, kAcme, kBob, token(1), false);
  hub_.remove(&a);
  clock_.advance(minutes{9});
  EXPECT_EQ(hub_.sessions(), 1u);
  clock_.advance(minutes{1});
  hub_.add(&b, kAcme, kAlice, token(2), true);
  EXPECT_EQ(hub_.sessions(), 1u);
  EXPECT_EQ(hub_.lastSeq(token(1)), 0u);
}

TEST_F(EventHubTest, AConnectedSessionIsNeverForgotten) {
  FakeConnection c;
  hub_.add(&c, kAcme, kBob, token(1), false);
  publishEvents(1);
  clock_.advance(minutes{60});
  publishEvents(1);
  EXPECT_EQ(c.eventSeqs(), range(1, 2));
}

TEST_F(EventHubTest, PublishingToAnAgentWithNoKnownSessionDoesNothing) {
  hub_.publishToAgent(kBob, kEvent);
  hub_.publish(kAcme, kEvent);
  EXPECT_EQ(hub_.sessions(), 0u);
  EXPECT_EQ(hub_.bufferedEvents(), 0u);
}

TEST_F(EventHubTest, SessionEndClosesItsConnectionsAndDropsItsBuffer) {
  FakeConnection bob, alice;
  hub_.add(&bob, kAcme, kBob, token(1), false);
  hub_.add(&alice, kAcme, kAlice, token(2), true);
  publishEvents(3);
  hub_.onSessionEnded(token(1));
  EXPECT_EQ(bob.closed(), "session ended");
  EXPECT_FALSE(alice.closed());
  EXPECT_EQ(hub_.lastSeq(token(1)), 0u);
  EXPECT_EQ(hub_.sessions(), 1u);
  publishEvents(1);  // the closing connection gets nothing more
  EXPECT_EQ(bob.eventSeqs(), range(1, 3));
  hub_.remove(&bob);
  EXPECT_EQ(hub_.size(), 1u);
}

TEST_F(EventHubTest, AgentSessionsEndedSparesTheExceptedSession) {
  FakeConnection kept, ended;
  hub_.add(&kept, kAcme, kBob, token(1), false);
  hub_.add(&ended, kAcme, kBob, token(4), false);
  publishEvents(2);
  hub_.remove(&ended);  // buffered, no connection: dropped as well
  hub_.onAgentSessionsEnded(kBob, token(1));
  EXPECT_FALSE(kept.closed());
  EXPECT_EQ(hub_.lastSeq(token(1)), 2u);
  EXPECT_EQ(hub_.lastSeq(token(4)), 0u);
  hub_.onAgentSessionsEnded(kBob, std::nullopt);
  EXPECT_EQ(kept.closed(), "session ended");
  EXPECT_EQ(hub_.sessions(), 0u);
}

// One thread publishes while another keeps reconnecting with `since` = the last seq its
// previous connection saw: every connection gets a gapless run, and together they cover
// every event exactly once.
TEST(EventHubConcurrencyTest, PublishRacingWithAddLosesAndRepeatsNothing) {
  EventHubOptions o;
  o.max_buffered_events = 100000;
  EventHub hub(o);
  constexpr int kEvents = 3000;
  FakeConnection anchor;  // keeps the admin session known from the start
  hub.add(&anchor, kAcme, kAlice, token(2), true);
  std::atomic<bool> done{false};
  std::thread publisher([&] {
    for (int i = 0; i < kEvents; ++i) hub.publishToAgentAndAdmins(kAcme, kBob, kEvent);
    done = true;
  });

  std::vector<std::unique_ptr<FakeConnection>> connections;
  uint64_t since = 0;
  std::vector<uint64_t> all;
  for (int round = 0; round < 10000; ++round) {
    const bool last = done.load();
    auto c = std::make_unique<FakeConnection>();
    hub.add(c.get(), kAcme, kAlice, token(2), true, kHello, since);
    std::this_thread::yield();
    hub.remove(c.get());
    auto typed = c->typed();
    ASSERT_FALSE(typed.empty());
    ASSERT_EQ(typed[0].first, "hello");
    for (size_t i = 1; i < typed.size(); ++i) {
      ASSERT_EQ(typed[i].first, "e");
      ASSERT_EQ(typed[i].second, since + 1) << "round " << round;
      since = typed[i].second;
      all.push_back(since);
    }
    connections.push_back(std::move(c));
    if (last) break;
  }
  publisher.join();
  EXPECT_EQ(all, range(1, kEvents));
  EXPECT_EQ(anchor.eventSeqs(), range(1, kEvents));
}

}  // namespace
}  // namespace sb::api
