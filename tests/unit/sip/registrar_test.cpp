#include "sip/registrar.hpp"

#include <gtest/gtest.h>

#include <map>

// Requests are described with designated initializers that leave most fields at their
// defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace sb::sip {
namespace {

using namespace std::chrono_literals;

const core::Time kT0{std::chrono::seconds{1'700'000'000}};  // Tue, 14 Nov 2023 22:13:20 GMT
constexpr std::string_view kAor = "alice@example.com";

struct Recorder : RegistrarListener {
  std::vector<std::pair<std::string, size_t>> events;
  void onBindingsChanged(std::string_view aor, size_t count) override {
    events.emplace_back(std::string(aor), count);
  }
};

struct RegisterSpec {
  std::vector<std::string> contacts;
  std::optional<std::string> expires;
  std::string call_id = "call-1";
  uint32_t cseq = 1;
  std::string to_tag;
};

SipMessage makeRegister(const RegisterSpec& spec) {
  std::string text =
      "REGISTER sip:example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa;rport\r\n"
      "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKb\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:alice@example.com>;tag=f1\r\n"
      "To: <sip:alice@example.com>" +
      (spec.to_tag.empty() ? std::string() : ";tag=" + spec.to_tag) +
      "\r\n"
      "Call-ID: " +
      spec.call_id + "\r\nCSeq: " + std::to_string(spec.cseq) +
      " REGISTER\r\nUser-Agent: test-phone/1.0\r\n";
  for (const auto& c : spec.contacts) text += "Contact: " + c + "\r\n";
  if (spec.expires) text += "Expires: " + *spec.expires + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  auto message = parseSipMessage(text);
  EXPECT_TRUE(message.ok()) << (message.ok() ? "" : message.error().message) << text;
  return *message;
}

Flow udpFlow(std::string ip = "192.0.2.1", uint16_t port = 5060) {
  Flow flow;
  flow.remote = {std::move(ip), port};
  flow.local = {"192.0.2.100", 5060};
  return flow;
}

Flow tcpFlow(ConnectionId id) {
  Flow flow = udpFlow("192.0.2.7", 40000);
  flow.transport = TransportKind::kTcp;
  flow.connection = id;
  return flow;
}

class RegistrarTest : public ::testing::Test {
 protected:
  RegistrarTest()
      : registrar_(
            options_, [this] { return "tag" + std::to_string(++tags_); }, &recorder_) {}

  SipMessage reg(const RegisterSpec& spec, core::Time now = kT0, Flow flow = udpFlow(),
                 std::string_view aor = kAor) {
    return registrar_.handleRegister(aor, makeRegister(spec), flow, now);
  }

  RegistrarOptions options_;
  int tags_ = 0;
  Recorder recorder_;
  Registrar registrar_;
};

TEST_F(RegistrarTest, RegistersAndAnswersWithEveryBinding) {
  auto response = reg({.contacts = {"<sip:alice@192.0.2.1:5060>"}});
  EXPECT_EQ(response.statusCode(), 200);
  EXPECT_EQ(response.headerValues("Via").size(), 2u);
  EXPECT_EQ(response.header("From"), "<sip:alice@example.com>;tag=f1");
  EXPECT_EQ(response.header("To"), "<sip:alice@example.com>;tag=tag1");
  EXPECT_EQ(response.header("Call-ID"), "call-1");
  EXPECT_EQ(response.header("CSeq"), "1 REGISTER");
  EXPECT_EQ(response.header("Date"), "Tue, 14 Nov 2023 22:13:20 GMT");
  ASSERT_EQ(response.headerValues("Contact").size(), 1u);
  EXPECT_EQ(response.header("Contact"), "<sip:alice@192.0.2.1:5060>;expires=3600");
  // The response serializes to a message that parses.
  EXPECT_TRUE(parseSipMessage(serializeSipMessage(response)).ok());

  auto bindings = registrar_.lookup(kAor);
  ASSERT_EQ(bindings.size(), 1u);
  EXPECT_EQ(bindings[0].flow, udpFlow());
  EXPECT_EQ(bindings[0].expires_at, kT0 + 3600s);
  EXPECT_EQ(bindings[0].call_id, "call-1");
  EXPECT_EQ(bindings[0].cseq, 1u);
  EXPECT_EQ(bindings[0].user_agent, "test-phone/1.0");
  EXPECT_EQ(registrar_.aorCount(), 1u);
  EXPECT_EQ(registrar_.bindingCount(), 1u);

  // A second contact: both listed; an existing To tag is kept.
  auto second =
      reg({.contacts = {"<sip:alice@192.0.2.2>"}, .cseq = 2, .to_tag = "keep"}, kT0 + 10s);
  EXPECT_EQ(second.header("To"), "<sip:alice@example.com>;tag=keep");
  auto contacts = second.headerValues("Contact");
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[0], "<sip:alice@192.0.2.2>;expires=3600");  // most recent first
  EXPECT_EQ(contacts[1], "<sip:alice@192.0.2.1:5060>;expires=3590");
}

TEST_F(RegistrarTest, ExpiresFromHeaderParamDefaultAndCap) {
  reg({.contacts = {"<sip:a@192.0.2.1>"}, .expires = "120"});
  reg({.contacts = {"<sip:b@192.0.2.1>;expires=300"}, .expires = "120", .call_id = "c2"});
  reg({.contacts = {"<sip:c@192.0.2.1>"}, .expires = "7200", .call_id = "c3"});
  reg({.contacts = {"<sip:d@192.0.2.1>"}, .call_id = "c4"});
  reg({.contacts = {"<sip:e@192.0.2.1>"}, .expires = "99999999999999", .call_id = "c5"});
  std::map<std::string, core::Time> by_user;
  for (const auto& b : registrar_.lookup(kAor)) by_user[*b.contact.sip->user] = b.expires_at;
  EXPECT_EQ(by_user["a"], kT0 + 120s);
  EXPECT_EQ(by_user["b"], kT0 + 300s);
  EXPECT_EQ(by_user["c"], kT0 + 3600s);  // capped to max_expires
  EXPECT_EQ(by_user["d"], kT0 + 3600s);  // default
  EXPECT_EQ(by_user["e"], kT0 + 3600s);  // huge: capped
}

TEST_F(RegistrarTest, IntervalTooBrief) {
  auto response = reg({.contacts = {"<sip:alice@192.0.2.1>;expires=30"}});
  EXPECT_EQ(response.statusCode(), 423);
  EXPECT_EQ(response.header("Min-Expires"), "60");
  EXPECT_EQ(registrar_.bindingCount(), 0u);
  EXPECT_EQ(reg({.contacts = {"<sip:alice@192.0.2.1>"}, .expires = "59"}).statusCode(), 423);
  EXPECT_EQ(reg({.contacts = {"<sip:alice@192.0.2.1>"}, .expires = "60"}).statusCode(), 200);
  // expires=0 is a removal, never too brief.
  EXPECT_EQ(reg({.contacts = {"<sip:alice@192.0.2.1>"}, .expires = "0", .cseq = 2}).statusCode(),
            200);
  EXPECT_EQ(registrar_.bindingCount(), 0u);
}

TEST_F(RegistrarTest, WildcardRemovesAllOnlyWithExpiresZero) {
  reg({.contacts = {"<sip:a@192.0.2.1>", "<sip:b@192.0.2.1>"}});
  EXPECT_EQ(registrar_.bindingCount(), 2u);
  EXPECT_EQ(reg({.contacts = {"*"}, .call_id = "other"}).statusCode(), 400);
  EXPECT_EQ(reg({.contacts = {"*"}, .expires = "10", .call_id = "other"}).statusCode(), 400);
  EXPECT_EQ(reg({.contacts = {"*", "<sip:c@192.0.2.1>"}, .expires = "0", .call_id = "other"})
                .statusCode(),
            400);
  EXPECT_EQ(registrar_.bindingCount(), 2u);
  // Same Call-ID with an old CSeq: refused like any other update.
  EXPECT_EQ(reg({.contacts = {"*"}, .expires = "0", .cseq = 1}).statusCode(), 500);
  auto response = reg({.contacts = {"*"}, .expires = "0", .cseq = 2});
  EXPECT_EQ(response.statusCode(), 200);
  EXPECT_EQ(response.headerCount("Contact"), 0u);
  EXPECT_EQ(registrar_.bindingCount(), 0u);
  EXPECT_EQ(registrar_.aorCount(), 0u);
  ASSERT_FALSE(recorder_.events.empty());
  EXPECT_EQ(recorder_.events.back(), std::make_pair(std::string(kAor), size_t{0}));
}

TEST_F(RegistrarTest, CallIdAndCSeqOrdering) {
  reg({.contacts = {"<sip:alice@192.0.2.1>"}, .cseq = 5});
  // Same Call-ID, CSeq not higher: refused with 500, nothing changes.
  EXPECT_EQ(reg({.contacts = {"<sip:alice@192.0.2.1>"}, .cseq = 5}, kT0 + 1s).statusCode(), 500);
  EXPECT_EQ(reg({.contacts = {"<sip:alice@192.0.2.1>"}, .cseq = 4}, kT0 + 1s).statusCode(), 500);
  EXPECT_EQ(registrar_.lookup(kAor)[0].expires_at, kT0 + 3600s);
  // Higher CSeq refreshes.
  EXPECT_EQ(reg({.contacts = {"<sip:alice@192.0.2.1>"}, .cseq = 6}, kT0 + 100s).statusCode(), 200);
  EXPECT_EQ(registrar_.lookup(kAor)[0].expires_at, kT0 + 3700s);
  // Another Call-ID (a rebooted phone) replaces whatever its CSeq.
  EXPECT_EQ(reg({.contacts = {"<sip:alice@192.0.2.1>"}, .call_id = "new", .cseq = 1}, kT0 + 200s)
                .statusCode(),
            200);
  auto bindings = registrar_.lookup(kAor);
  ASSERT_EQ(bindings.size(), 1u);
  EXPECT_EQ(bindings[0].call_id, "new");
  // The same contact twice in one request is not a stale CSeq.
  EXPECT_EQ(reg({.contacts = {"<sip:alice@192.0.2.1>", "<sip:alice@192.0.2.1>;expires=120"},
                 .call_id = "new",
                 .cseq = 2},
                kT0 + 300s)
                .statusCode(),
            200);
  EXPECT_EQ(registrar_.lookup(kAor)[0].expires_at, kT0 + 420s);
}

TEST_F(RegistrarTest, QueryWithoutContact) {
  auto empty = reg({});
  EXPECT_EQ(empty.statusCode(), 200);
  EXPECT_EQ(empty.headerCount("Contact"), 0u);
  reg({.contacts = {"<sip:a@192.0.2.1>"}});
  auto query = reg({.call_id = "q", .cseq = 1}, kT0 + 60s);
  EXPECT_EQ(query.statusCode(), 200);
  EXPECT_EQ(query.header("Contact"), "<sip:a@192.0.2.1>;expires=3540");
  EXPECT_EQ(registrar_.lookup(kAor)[0].expires_at, kT0 + 3600s);  // a query refreshes nothing
}

TEST_F(RegistrarTest, ExpiresZeroRemovesOneBinding) {
  reg({.contacts = {"<sip:a@192.0.2.1>", "<sip:b@192.0.2.1>"}});
  auto response = reg({.contacts = {"<sip:a@192.0.2.1>;expires=0"}, .cseq = 2});
  EXPECT_EQ(response.statusCode(), 200);
  EXPECT_EQ(response.headerValues("Contact").size(), 1u);
  EXPECT_EQ(response.header("Contact"), "<sip:b@192.0.2.1>;expires=3600");
  // Removing a contact that is not bound is fine.
  EXPECT_EQ(reg({.contacts = {"<sip:zzz@192.0.2.1>"}, .expires = "0", .cseq = 3}).statusCode(),
            200);
  EXPECT_EQ(registrar_.bindingCount(), 1u);
}

TEST_F(RegistrarTest, ContactUriComparison) {
  reg({.contacts = {"<sip:alice@Example.COM:5070;transport=tcp;ob>"}});
  // Host case, other parameters and the display name do not matter…
  reg({.contacts = {"\"Alice\" <sip:alice@example.com:5070;TRANSPORT=TCP;rinstance=1>"},
       .cseq = 2});
  EXPECT_EQ(registrar_.bindingCount(), 1u);
  // …user, port, transport and scheme do.
  reg({.contacts = {"<sip:Alice@example.com:5070;transport=tcp>"}, .cseq = 3});
  reg({.contacts = {"<sip:alice@example.com;transport=tcp>"}, .cseq = 4});
  reg({.contacts = {"<sip:alice@example.com:5070>"}, .cseq = 5});
  reg({.contacts = {"<sips:alice@example.com:5070;transport=tcp>"}, .cseq = 6});
  EXPECT_EQ(registrar_.bindingCount(), 5u);
  EXPECT_TRUE(sameContactUri(*parseNameAddr("<tel:+15551234>"), *parseNameAddr("tel:+15551234")));
}

TEST_F(RegistrarTest, InstanceAndRegIdReplaceTheFlowsBinding) {
  const char* instance =
      "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1";
  reg({.contacts = {std::string("<sip:x1@random1.invalid;transport=ws>;") + instance}}, kT0,
      tcpFlow(11));
  // The WebSocket reconnects with a new random contact: same binding, new flow.
  reg({.contacts = {std::string("<sip:x2@random2.invalid;transport=ws>;") + instance}, .cseq = 2},
      kT0 + 5s, tcpFlow(12));
  auto bindings = registrar_.lookup(kAor);
  ASSERT_EQ(bindings.size(), 1u);
  EXPECT_EQ(bindings[0].instance, "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>");
  EXPECT_EQ(bindings[0].reg_id, 1u);
  EXPECT_EQ(bindings[0].flow.connection, 12u);
  EXPECT_EQ(*bindings[0].contact.sip->user, "x2");
  EXPECT_EQ(reg({.contacts = {"<sip:a@b>;reg-id=x"}, .cseq = 3}).statusCode(), 400);
}

TEST_F(RegistrarTest, LookupOrdersByQThenRecency) {
  reg({.contacts = {"<sip:low@192.0.2.1>;q=0.1"}, .call_id = "1"}, kT0);
  reg({.contacts = {"<sip:old@192.0.2.1>"}, .call_id = "2"}, kT0 + 1s);
  reg({.contacts = {"<sip:new@192.0.2.1>;q=1.0"}, .call_id = "3"}, kT0 + 2s);
  reg({.contacts = {"<sip:mid@192.0.2.1>;q=0.5"}, .call_id = "4"}, kT0 + 3s);
  std::vector<std::string> users;
  for (const auto& b : registrar_.lookup(kAor)) users.push_back(*b.contact.sip->user);
  EXPECT_EQ(users, (std::vector<std::string>{"new", "old", "mid", "low"}));
  EXPECT_EQ(registrar_.lookup(kAor)[2].q, 500);
  for (const char* bad : {"2", "0.1234", "1.5", "x", ".5", "1.001"}) {
    EXPECT_EQ(
        reg({.contacts = {std::string("<sip:q@192.0.2.1>;q=") + bad}, .call_id = "q"}).statusCode(),
        400)
        << bad;
  }
  EXPECT_TRUE(registrar_.lookup("nobody@example.com").empty());
}

TEST_F(RegistrarTest, BindingsPerAorAreBounded) {
  for (int i = 0; i < 10; ++i) {
    auto contact = "<sip:d" + std::to_string(i) + "@192.0.2.1>";
    ASSERT_EQ(reg({.contacts = {contact}, .call_id = "c" + std::to_string(i)}).statusCode(), 200);
  }
  EXPECT_EQ(reg({.contacts = {"<sip:d10@192.0.2.1>"}, .call_id = "c10"}).statusCode(), 403);
  // All or nothing: a request adding two when one slot is free changes nothing.
  reg({.contacts = {"<sip:d0@192.0.2.1>"}, .expires = "0", .call_id = "c0", .cseq = 2});
  EXPECT_EQ(registrar_.bindingCount(), 9u);
  EXPECT_EQ(
      reg({.contacts = {"<sip:e1@192.0.2.1>", "<sip:e2@192.0.2.1>"}, .call_id = "e"}).statusCode(),
      403);
  EXPECT_EQ(registrar_.bindingCount(), 9u);
  // Refreshing existing ones is still fine, and other AORs are not affected.
  EXPECT_EQ(reg({.contacts = {"<sip:d5@192.0.2.1>"}, .call_id = "c5", .cseq = 2}).statusCode(),
            200);
  EXPECT_EQ(
      reg({.contacts = {"<sip:bob@192.0.2.1>"}}, kT0, udpFlow(), "bob@example.com").statusCode(),
      200);
}

TEST(Registrar, TotalBindingsAreBounded) {
  RegistrarOptions options;
  options.max_total_bindings = 3;
  Registrar registrar(options, [] { return std::string("t"); });
  for (int i = 0; i < 3; ++i) {
    auto request = makeRegister({.contacts = {"<sip:u@192.0.2.1>"}});
    EXPECT_EQ(
        registrar.handleRegister("aor" + std::to_string(i), request, udpFlow(), kT0).statusCode(),
        200);
  }
  auto fourth = makeRegister({.contacts = {"<sip:u@192.0.2.1>"}});
  EXPECT_EQ(registrar.handleRegister("aor3", fourth, udpFlow(), kT0).statusCode(), 503);
  // Refreshing an existing binding does not need a new slot.
  auto refresh = makeRegister({.contacts = {"<sip:u@192.0.2.1>"}, .cseq = 2});
  EXPECT_EQ(registrar.handleRegister("aor0", refresh, udpFlow(), kT0).statusCode(), 200);
  EXPECT_EQ(registrar.bindingCount(), 3u);
  EXPECT_EQ(registrar.aorCount(), 3u);
}

TEST_F(RegistrarTest, BindingsExpireOnTheClockAndTheListenerHears) {
  EXPECT_FALSE(registrar_.nextDeadline().has_value());
  reg({.contacts = {"<sip:a@192.0.2.1>"}, .expires = "120", .call_id = "a"});
  reg({.contacts = {"<sip:b@192.0.2.1>"}, .expires = "300", .call_id = "b"});
  EXPECT_EQ(recorder_.events, (std::vector<std::pair<std::string, size_t>>{
                                  {std::string(kAor), 1}, {std::string(kAor), 2}}));
  EXPECT_EQ(registrar_.nextDeadline(), kT0 + 120s);
  // A plain refresh (same flow, same contact) is not a change.
  reg({.contacts = {"<sip:b@192.0.2.1>"}, .expires = "300", .call_id = "b", .cseq = 2}, kT0 + 10s);
  EXPECT_EQ(recorder_.events.size(), 2u);
  EXPECT_EQ(registrar_.nextDeadline(), kT0 + 120s);
  // Moving to another flow is.
  reg({.contacts = {"<sip:b@192.0.2.1>"}, .expires = "300", .call_id = "b", .cseq = 3}, kT0 + 20s,
      udpFlow("198.51.100.9", 6000));
  EXPECT_EQ(recorder_.events.size(), 3u);
  registrar_.onTimer(kT0 + 119s);
  EXPECT_EQ(registrar_.bindingCount(), 2u);
  registrar_.onTimer(kT0 + 120s);
  EXPECT_EQ(registrar_.bindingCount(), 1u);
  EXPECT_EQ(recorder_.events.back(), std::make_pair(std::string(kAor), size_t{1}));
  EXPECT_EQ(registrar_.nextDeadline(), kT0 + 320s);
  registrar_.onTimer(kT0 + 1h);
  EXPECT_EQ(registrar_.bindingCount(), 0u);
  EXPECT_EQ(registrar_.aorCount(), 0u);
  EXPECT_EQ(recorder_.events.back(), std::make_pair(std::string(kAor), size_t{0}));
  EXPECT_FALSE(registrar_.nextDeadline().has_value());
  // A refused request tells nobody anything.
  size_t before = recorder_.events.size();
  reg({.contacts = {"<sip:a@192.0.2.1>;expires=1"}}, kT0 + 2h);
  EXPECT_EQ(recorder_.events.size(), before);
}

TEST_F(RegistrarTest, ClosedConnectionDropsItsBindings) {
  reg({.contacts = {"<sip:tcp@192.0.2.7;transport=tcp>"}, .call_id = "t"}, kT0, tcpFlow(42));
  reg({.contacts = {"<sip:udp@192.0.2.1>"}, .call_id = "u"});
  reg({.contacts = {"<sip:bob@192.0.2.7;transport=tcp>"}}, kT0, tcpFlow(42), "bob@example.com");
  recorder_.events.clear();
  registrar_.removeFlow(7);  // unknown connection
  registrar_.removeFlow(0);  // UDP: nothing
  EXPECT_EQ(registrar_.bindingCount(), 3u);
  registrar_.removeFlow(42);
  EXPECT_EQ(registrar_.bindingCount(), 1u);
  EXPECT_EQ(registrar_.aorCount(), 1u);
  ASSERT_EQ(registrar_.lookup(kAor).size(), 1u);
  EXPECT_EQ(*registrar_.lookup(kAor)[0].contact.sip->user, "udp");
  EXPECT_EQ(recorder_.events.size(), 2u);
  // The expiry index forgot them too.
  EXPECT_EQ(registrar_.nextDeadline(), kT0 + 3600s);
  registrar_.onTimer(kT0 + 3600s);
  EXPECT_EQ(registrar_.bindingCount(), 0u);
}

TEST_F(RegistrarTest, MalformedContactIsRefused) {
  EXPECT_EQ(reg({.contacts = {"<sip:a@192.0.2.1>"}, .expires = "abc"}).statusCode(),
            200);  // → 3600
  EXPECT_EQ(registrar_.lookup(kAor)[0].expires_at, kT0 + 3600s);
}

}  // namespace
}  // namespace sb::sip
