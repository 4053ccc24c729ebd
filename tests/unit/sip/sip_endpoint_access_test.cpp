// SipEndpoint: who may send what (OPTIONS, REGISTER and digest, trunks, the source
// guard) and the checks every request goes through (Require, Max-Forwards, dialogs).
#include <gtest/gtest.h>

#include "core/log.hpp"
#include "sip/sip_endpoint.hpp"
#include "unit/sip/endpoint_test_support.hpp"

namespace sb::sip::endpoint_testing {
namespace {

const char* kPhoneIp = "203.0.113.5";

Flow phone() {
  return udpFrom(kPhoneIp, 5062);
}

Request registerFor(const std::string& to_user, uint32_t cseq, const std::string& branch,
                    const std::string& user_agent = "Linphone/5.2") {
  Request r;
  r.method = "REGISTER";
  r.uri = std::string("sip:") + kDomain;
  r.via = std::string("SIP/2.0/UDP ") + kPhoneIp + ":5062;branch=" + branch + ";rport";
  r.from = "<sip:" + to_user + "@" + kDomain + ">;tag=reg1";
  r.to = "<sip:" + to_user + "@" + kDomain + ">";
  r.call_id = "reg-call-1";
  r.cseq = cseq;
  r.extra = std::string("Contact: <sip:alice@") + kPhoneIp +
            ":5062>\r\nExpires: 600\r\nUser-Agent: " + user_agent + "\r\n";
  return r;
}

// The Authorization value answering the first (MD5) challenge of `challenge401`.
std::string credentials(const SipMessage& challenge401, const std::string& user,
                        const std::string& secret, const std::string& method,
                        const std::string& uri, size_t index = 0) {
  auto values = challenge401.headerValues("WWW-Authenticate");
  EXPECT_GT(values.size(), index);
  if (values.size() <= index) return {};
  auto challenge = parseDigestChallenge(values[index]);
  EXPECT_TRUE(challenge.ok());
  auto value = digestAuthorization(*challenge, user, secret, method, uri, "0a4f113b", 1);
  EXPECT_TRUE(value.ok());
  return value.ok() ? *value : std::string{};
}

TEST_F(SipEndpointTest, OptionsIsAnsweredToAnyone) {
  Request r;
  r.method = "OPTIONS";
  r.uri = "sip:198.51.100.1";
  r.via = "SIP/2.0/UDP 203.0.113.99:5060;branch=z9hG4bKopt1";
  r.from = "<sip:probe@203.0.113.99>;tag=o1";
  r.to = "<sip:198.51.100.1>";
  r.call_id = "opt1";
  receive(r.text(), udpFrom("203.0.113.99"));
  ASSERT_EQ(sender.size(), 1u);
  SipMessage ok = sender.last();
  EXPECT_EQ(ok.statusCode(), 200);
  ASSERT_TRUE(ok.header("Allow"));
  EXPECT_EQ(ok.headerCount("Allow"), 7u);  // INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER
  EXPECT_EQ(ok.header("Accept"), "application/sdp");
  EXPECT_TRUE(ok.header("Supported"));
  EXPECT_FALSE(toTag(ok).empty());
  EXPECT_EQ(sender.sent.back().flow.remote.ip, "203.0.113.99");
  EXPECT_EQ(listener.events.size(), 0u);
}

TEST_F(SipEndpointTest, RegisterIsChallengedMd5FirstThenSha256) {
  receive(registerFor("alice", 1, "z9hG4bKr1").text(), phone());
  ASSERT_EQ(sender.size(), 1u);
  SipMessage challenge = sender.last();
  EXPECT_EQ(challenge.statusCode(), 401);
  auto values = challenge.headerValues("WWW-Authenticate");
  ASSERT_EQ(values.size(), 2u);
  EXPECT_NE(values[0].find("algorithm=MD5"), std::string_view::npos);
  EXPECT_NE(values[1].find("algorithm=SHA-256"), std::string_view::npos);
  EXPECT_NE(values[0].find("realm=\"acme.example\""), std::string_view::npos);
  EXPECT_EQ(endpoint->counts().bindings, 0u);
}

TEST_F(SipEndpointTest, OldBaresipGetsTheMd5ChallengeAlone) {
  receive(registerFor("alice", 1, "z9hG4bKr1", "baresip v1.0.0 (x86_64/linux)").text(), phone());
  SipMessage challenge = sender.last();
  EXPECT_EQ(challenge.statusCode(), 401);
  auto values = challenge.headerValues("WWW-Authenticate");
  ASSERT_EQ(values.size(), 1u);
  EXPECT_NE(values[0].find("algorithm=MD5"), std::string_view::npos);
}

TEST_F(SipEndpointTest, RightCredentialsRegisterAContact) {
  receive(registerFor("alice", 1, "z9hG4bKr1").text(), phone());
  for (size_t index : {0u, 1u}) {  // MD5, then SHA-256 on a second REGISTER
    SipMessage challenge = sender.responses(401).back();
    Request again =
        registerFor("alice", 2 + static_cast<uint32_t>(index), "z9hG4bKr2" + std::to_string(index));
    again.extra += "Authorization: " +
                   credentials(challenge, "alice", "alice-secret", "REGISTER", again.uri, index) +
                   "\r\n";
    receive(again.text(), phone());
    SipMessage ok = sender.last();
    EXPECT_EQ(ok.statusCode(), 200) << index;
    EXPECT_TRUE(ok.header("Contact"));
    if (index == 0) {  // a fresh challenge, a second later: a new nonce (nc 1 again)
      now = at(1);
      receive(registerFor("alice", 3, "z9hG4bKr3").text(), phone());
    }
  }
  auto contacts = endpoint->contactsOf("alice@acme.example", now);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].request_uri, "sip:alice@203.0.113.5:5062");
  EXPECT_EQ(contacts[0].flow.remote.ip, kPhoneIp);
  EXPECT_EQ(contacts[0].flow.remote.port, 5062);
  EXPECT_EQ(endpoint->counts().bindings, 1u);
  EXPECT_TRUE(endpoint->contactsOf("bob@acme.example", now).empty());
  EXPECT_TRUE(endpoint->contactsOf("alice@acme.example", now + 601s).empty());
}

TEST_F(SipEndpointTest, WrongSecretUnknownUserAndForeignAorAreForbidden) {
  struct Case {
    std::string user, secret, to_user;
  };
  const Case cases[] = {{"alice", "wrong", "alice"},
                        {"mallory", "whatever", "mallory"},
                        {"alice", "alice-secret", "bob"}};
  uint32_t cseq = 1;
  for (const Case& c : cases) {
    receive(registerFor(c.to_user, cseq, "z9hG4bKc" + std::to_string(cseq)).text(), phone());
    ++cseq;
    SipMessage challenge = sender.last();
    ASSERT_EQ(challenge.statusCode(), 401);
    Request again = registerFor(c.to_user, cseq, "z9hG4bKc" + std::to_string(cseq));
    ++cseq;
    again.extra +=
        "Authorization: " + credentials(challenge, c.user, c.secret, "REGISTER", again.uri) +
        "\r\n";
    receive(again.text(), phone());
    EXPECT_EQ(sender.last().statusCode(), 403) << c.user << " " << c.to_user;
  }
  EXPECT_EQ(endpoint->counts().bindings, 0u);
  EXPECT_TRUE(endpoint->contactsOf("bob@acme.example", now).empty());
}

TEST_F(SipEndpointTest, RequestsWithoutCredentialsAreChallengedNotCountedAsBad) {
  // Many phones behind one NAT address all restarting at once: each first request has
  // no credentials. They are challenged, and the address is not blocked for it.
  for (int i = 0; i < 40; ++i) {
    receive(registerFor("alice", static_cast<uint32_t>(i + 1), "z9hG4bKnat" + std::to_string(i)).text(), phone());
    ASSERT_EQ(sender.last().statusCode(), 401) << i;
  }
  EXPECT_FALSE(endpoint->isBlocked(kPhoneIp, now));
  EXPECT_EQ(endpoint->counts().blocked_sources, 0u);
}

TEST_F(SipEndpointTest, UnauthenticatedRequestsFromDevicesAreChallenged) {
  for (std::string method : {"INVITE", "MESSAGE", "SUBSCRIBE"}) {
    Request r;
    r.method = method;
    r.uri = std::string("sip:") + kNumber + "@198.51.100.1";
    r.via = std::string("SIP/2.0/UDP ") + kPhoneIp + ":5062;branch=z9hG4bK" + method;
    r.from = "<sip:alice@acme.example>;tag=d1";
    r.to = std::string("<sip:") + kNumber + "@198.51.100.1>";
    r.call_id = "dev-" + method;
    r.extra = "Contact: <sip:alice@203.0.113.5:5062>\r\nEvent: presence\r\n";
    if (method == "INVITE") r.body = kOffer;
    receive(r.text(), phone());
    SipMessage last = sender.last();
    EXPECT_EQ(last.statusCode(), 401) << method;
    EXPECT_EQ(last.headerCount("WWW-Authenticate"), 2u) << method;
  }
  EXPECT_EQ(listener.events.size(), 0u);
}

TEST_F(SipEndpointTest, AuthenticatedDeviceCallsOut) {
  Request r;
  r.uri = "sip:0687654321@198.51.100.1";
  r.via = std::string("SIP/2.0/UDP ") + kPhoneIp + ":5062;branch=z9hG4bKdi1";
  r.from = "\"Alice\" <sip:alice@acme.example>;tag=d1";
  r.to = "<sip:0687654321@198.51.100.1>";
  r.call_id = "dev-call";
  r.extra = "Contact: <sip:alice@203.0.113.5:5062>\r\n";
  r.body = kOffer;
  receive(r.text(), phone());
  SipMessage challenge = sender.last();
  ASSERT_EQ(challenge.statusCode(), 401);
  Request again = r;
  again.via = std::string("SIP/2.0/UDP ") + kPhoneIp + ":5062;branch=z9hG4bKdi2";
  again.cseq = 2;
  again.extra +=
      "Authorization: " + credentials(challenge, "alice", "alice-secret", "INVITE", r.uri) + "\r\n";
  receive(again.text(), phone());
  ASSERT_EQ(listener.calls.size(), 1u);
  EXPECT_EQ(listener.calls[0].origin, LegOrigin::kDevice);
  EXPECT_EQ(listener.calls[0].aor, "alice@acme.example");
  EXPECT_EQ(listener.calls[0].number, "0687654321");
  endpoint->hangup(listener.events.back().leg, now);
  EXPECT_EQ(sender.last().statusCode(), 480);
}

TEST_F(SipEndpointTest, AnExpiredNonceIsChallengedAgainAsStale) {
  receive(registerFor("alice", 1, "z9hG4bKr1").text(), phone());
  SipMessage challenge = sender.last();
  now = at(6 * 60);  // past the nonce lifetime (5 min)
  Request again = registerFor("alice", 2, "z9hG4bKr2");
  again.extra +=
      "Authorization: " + credentials(challenge, "alice", "alice-secret", "REGISTER", again.uri) +
      "\r\n";
  receive(again.text(), phone());
  SipMessage stale = sender.last();
  EXPECT_EQ(stale.statusCode(), 401);
  ASSERT_TRUE(stale.header("WWW-Authenticate"));
  EXPECT_NE(stale.header("WWW-Authenticate")->find("stale=true"), std::string_view::npos);
  EXPECT_EQ(endpoint->counts().bindings, 0u);
}

TEST_F(SipEndpointTest, TheTrunkCannotRegister) {
  Request r = registerFor("alice", 1, "z9hG4bKr1");
  receive(r.text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 403);
}

TEST_F(SipEndpointTest, StreamBindingsGoWithTheirConnection) {
  Flow tcp;
  tcp.transport = TransportKind::kTcp;
  tcp.remote = {kPhoneIp, 40000};
  tcp.local = {"198.51.100.1", 5060};
  tcp.connection = 9;
  Request r = registerFor("alice", 1, "z9hG4bKr1");
  r.via = std::string("SIP/2.0/TCP ") + kPhoneIp + ":40000;branch=z9hG4bKr1";
  receive(r.text(), tcp);
  SipMessage challenge = sender.last();
  ASSERT_EQ(challenge.statusCode(), 401);
  Request again = r;
  again.via = std::string("SIP/2.0/TCP ") + kPhoneIp + ":40000;branch=z9hG4bKr2";
  again.cseq = 2;
  again.extra +=
      "Authorization: " + credentials(challenge, "alice", "alice-secret", "REGISTER", r.uri) +
      "\r\n";
  receive(again.text(), tcp);
  ASSERT_EQ(sender.last().statusCode(), 200);
  auto contacts = endpoint->contactsOf("alice@acme.example", now);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].flow.connection, 9u);  // back through the device's connection
  endpoint->connectionClosed(9, now);
  EXPECT_TRUE(endpoint->contactsOf("alice@acme.example", now).empty());
}

TEST_F(SipEndpointTest, ADeviceCallsOnlyAsItself) {
  Request r;
  r.uri = "sip:0687654321@198.51.100.1";
  r.via = std::string("SIP/2.0/UDP ") + kPhoneIp + ":5062;branch=z9hG4bKdi1";
  r.from = "<sip:bob@acme.example>;tag=d1";
  r.to = "<sip:0687654321@198.51.100.1>";
  r.call_id = "dev-call";
  r.body = kOffer;
  receive(r.text(), phone());
  SipMessage challenge = sender.last();
  ASSERT_EQ(challenge.statusCode(), 401);
  Request again = r;
  again.via = std::string("SIP/2.0/UDP ") + kPhoneIp + ":5062;branch=z9hG4bKdi2";
  again.cseq = 2;
  again.extra +=
      "Authorization: " + credentials(challenge, "alice", "alice-secret", "INVITE", r.uri) + "\r\n";
  receive(again.text(), phone());
  EXPECT_EQ(sender.last().statusCode(), 403);
  EXPECT_EQ(listener.calls.size(), 0u);
}

TEST_F(SipEndpointTest, TrunkRequestsNeedNoAuthentication) {
  Request r = trunkInvite();
  r.method = "MESSAGE";
  r.body = "hi";
  r.content_type = "text/plain";
  receive(r.text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 405);
  EXPECT_TRUE(sender.last().header("Allow"));
}

TEST_F(SipEndpointTest, RequireIsRefusedWithUnsupported) {
  Request r = trunkInvite();
  r.extra += "Require: 100rel\r\n";
  receive(r.text(), trunk());
  SipMessage refused = sender.last();
  EXPECT_EQ(refused.statusCode(), 420);
  EXPECT_EQ(refused.header("Unsupported"), "100rel");
  EXPECT_EQ(listener.calls.size(), 0u);
}

TEST_F(SipEndpointTest, MaxForwardsZeroIsTooManyHops) {
  std::string text = trunkInvite().text();
  text.replace(text.find("Max-Forwards: 70"), 16, "Max-Forwards: 0");
  receive(text, trunk());
  EXPECT_EQ(sender.last().statusCode(), 483);
  EXPECT_EQ(listener.calls.size(), 0u);
}

TEST_F(SipEndpointTest, RequestsInAnUnknownDialogGet481) {
  Request bye = trunkInvite("nobody@carrier");
  bye.method = "BYE";
  bye.to += ";tag=unknown";
  bye.body.clear();
  receive(bye.text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 481);
  Request info = bye;
  info.method = "INFO";
  info.via = std::string("SIP/2.0/UDP ") + kTrunkIp + ":5060;branch=z9hG4bKinfo";
  receive(info.text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 481);
  Request plain_bye = trunkInvite("nobody2@carrier", "z9hG4bKbye2");  // no To tag at all
  plain_bye.method = "BYE";
  plain_bye.body.clear();
  receive(plain_bye.text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 481);
}

TEST_F(SipEndpointTest, ABadSourceIsBlockedAndLoggedOnce) {
  std::string log;
  core::setLogCapture(&log);
  const char* attacker = "203.0.113.66";
  auto attempt = [&](int i) {
    Request r;
    r.method = "INVITE";
    r.uri = std::string("sip:") + kNumber + "@198.51.100.1";
    r.via = std::string("SIP/2.0/UDP ") + attacker + ":5060;branch=z9hG4bKatk" + std::to_string(i);
    r.from = "<sip:alice@acme.example>;tag=a" + std::to_string(i);
    r.to = std::string("<sip:") + kNumber + "@198.51.100.1>";
    r.call_id = "atk" + std::to_string(i);
    // Guessing: credentials that do not verify (a nonce we never issued).
    r.extra = "Authorization: Digest username=\"alice\", realm=\"acme.example\", nonce=\"guess\", uri=\"" +
              r.uri + "\", response=\"00000000000000000000000000000000\", qop=auth, nc=00000001, cnonce=\"c\"\r\n";
    r.body = kOffer;
    receive(r.text(), udpFrom(attacker));
  };
  for (int i = 0; i < 16; ++i) {
    now = at(i * 0.1);
    attempt(i);
  }
  EXPECT_FALSE(endpoint->isBlocked(attacker, now));
  now = at(1.9);
  attempt(16);  // the 17th bad request within 2 s
  EXPECT_TRUE(endpoint->isBlocked(attacker, now));
  EXPECT_EQ(endpoint->counts().blocked_sources, 1u);
  const size_t sent = sender.size();
  for (int i = 17; i < 20; ++i) attempt(i);
  EXPECT_EQ(sender.size(), sent);  // dropped silently
  EXPECT_EQ(endpoint->counts().dropped_blocked, 3u);
  core::setLogCapture(nullptr);
  size_t lines = 0;
  for (size_t pos = log.find("sip_source_blocked"); pos != std::string::npos;
       pos = log.find("sip_source_blocked", pos + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << log;
  EXPECT_NE(log.find("SECURITY"), std::string::npos) << log;
  EXPECT_NE(log.find("event=sip_source_blocked"), std::string::npos) << log;
  EXPECT_NE(log.find(attacker), std::string::npos) << log;
  // Other sources still get through; the block ends after five minutes.
  receive(registerFor("alice", 1, "z9hG4bKok").text(), phone());
  EXPECT_EQ(sender.last().statusCode(), 401);
  now = at(1.9 + 301);
  endpoint->onTimer(now);
  EXPECT_FALSE(endpoint->isBlocked(attacker, now));
}

TEST_F(SipEndpointTest, TrunksAreNeverBlocked) {
  for (int i = 0; i < 40; ++i) {
    now = at(i * 0.01);
    receive("garbage that is not SIP\r\n\r\n", trunk());
  }
  EXPECT_EQ(endpoint->counts().bad_messages, 40u);
  EXPECT_FALSE(endpoint->isBlocked(kTrunkIp, now));
  EXPECT_NE(offerTrunkCall(), 0u);
  EXPECT_EQ(endpoint->counts().dropped_blocked, 0u);
}

TEST_F(SipEndpointTest, GarbageFromADeviceCountsTowardsTheBlock) {
  for (int i = 0; i < 17; ++i) receive("\x01\x02 not sip", phone());
  EXPECT_TRUE(endpoint->isBlocked(kPhoneIp, now));
  receive(registerFor("alice", 1, "z9hG4bKr1").text(), phone());
  EXPECT_EQ(sender.size(), 0u);
  EXPECT_EQ(endpoint->counts().dropped_blocked, 1u);
}

}  // namespace
}  // namespace sb::sip::endpoint_testing
