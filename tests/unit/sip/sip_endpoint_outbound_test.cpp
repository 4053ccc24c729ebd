// SipEndpoint: outbound legs (we are the UAC) that fork to several contacts: the first
// 2xx wins, the others are CANCELled (never before their provisional) or, when they
// answered too, ACKed and hung up; failures report the best status; ring timeout.
#include <gtest/gtest.h>

#include "sip/sip_endpoint.hpp"
#include "unit/sip/endpoint_test_support.hpp"

namespace sb::sip::endpoint_testing {
namespace {

const char* kAlice = "203.0.113.5";
const char* kBob = "203.0.113.6";

TEST_F(SipEndpointTest, DialWithoutBranchesIsRefused) {
  DialRequest d = twoBranches();
  d.branches.clear();
  EXPECT_EQ(endpoint->dial(d, now), 0u);
  EXPECT_EQ(sender.size(), 0u);
}

TEST_F(SipEndpointTest, DialSendsOneInvitePerBranch) {
  const LegId leg = endpoint->dial(twoBranches(), now);
  ASSERT_NE(leg, 0u);
  SipMessage a = inviteTo(kAlice);
  SipMessage b = inviteTo(kBob);
  EXPECT_EQ(a.requestUri(), "sip:alice@203.0.113.5:5062");
  EXPECT_EQ(b.requestUri(), "sip:bob@203.0.113.6:5062");
  EXPECT_EQ(a.header("To"), "<sip:alice@acme.example>");
  EXPECT_EQ(a.body(), kOffer);
  EXPECT_NE(a.header("From")->find("<sip:0612345678@acme.example>"), std::string_view::npos);
  EXPECT_EQ(fromTag(a), fromTag(b));
  EXPECT_NE(a.header("Call-ID"), b.header("Call-ID"));
  EXPECT_TRUE(a.header("Contact"));
  EXPECT_EQ(endpoint->counts().legs, 1u);
  EXPECT_EQ(endpoint->counts().transactions.client_invite, 2u);
  endpoint->hangup(leg, now);
}

TEST_F(SipEndpointTest, FirstAnswerWinsAndTheOtherBranchIsCancelled) {
  const LegId leg = endpoint->dial(twoBranches(), now);
  SipMessage a = inviteTo(kAlice);
  SipMessage b = inviteTo(kBob);
  respondFrom(kAlice, a, 180, "ta");
  respondFrom(kBob, b, 180, "tb");
  EXPECT_EQ(listener.count("ringing"), 1u);   // once for the leg
  EXPECT_EQ(endpoint->counts().dialogs, 2u);  // two early dialogs
  const size_t before = sender.size();
  respondFrom(kAlice, a, 200, "ta", kAnswer);
  ASSERT_EQ(listener.count("answered"), 1u);
  EXPECT_EQ(listener.find("answered")->leg, leg);
  EXPECT_EQ(listener.find("answered")->text, kAnswer);
  auto acks = sender.requestsTo("ACK", kAlice, before);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].requestUri(), "sip:callee@203.0.113.5:5062");
  EXPECT_EQ(toTag(acks[0]), "ta");
  EXPECT_EQ(acks[0].header("CSeq"), "1 ACK");
  auto cancels = sender.requestsTo("CANCEL", kBob, before);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(topVia(cancels[0])->branch(), topVia(b)->branch());
  EXPECT_EQ(sender.requestsTo("CANCEL", kAlice).size(), 0u);
  // Bob's side answers the CANCEL and the INVITE 487; the 487 is ACKed by the layer.
  receive(responseText(cancels[0], 200, "tb"), udpFrom(kBob, 5062));
  respondFrom(kBob, b, 487, "tb");
  EXPECT_EQ(sender.requestsTo("ACK", kBob).size(), 1u);
  EXPECT_EQ(listener.count("failed"), 0u);
  EXPECT_EQ(endpoint->counts().dialogs, 1u);
  // A retransmitted 200 from alice: the same ACK again.
  respondFrom(kAlice, a, 200, "ta", kAnswer);
  EXPECT_EQ(sender.requestsTo("ACK", kAlice).size(), 2u);
  EXPECT_EQ(listener.count("answered"), 1u);
  // Alice hangs up.
  Request bye;
  bye.method = "BYE";
  bye.uri = "sip:sb@198.51.100.1:5060";
  bye.via = "SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bKab1";
  bye.from = std::string(*a.header("To")) + ";tag=ta";
  bye.to = std::string(*a.header("From"));
  bye.call_id = std::string(*a.header("Call-ID"));
  bye.cseq = 1;
  receive(bye.text(), udpFrom(kAlice, 5062));
  EXPECT_EQ(sender.last().statusCode(), 200);
  ASSERT_EQ(listener.count("ended"), 1u);
  EXPECT_EQ(listener.find("ended")->text, "remote_hangup");
}

TEST_F(SipEndpointTest, CancelWaitsForTheProvisional) {
  endpoint->dial(twoBranches(), now);
  SipMessage a = inviteTo(kAlice);
  SipMessage b = inviteTo(kBob);
  respondFrom(kAlice, a, 200, "ta", kAnswer);
  EXPECT_EQ(listener.count("answered"), 1u);
  EXPECT_EQ(sender.requests("CANCEL").size(), 0u);  // bob sent nothing yet
  respondFrom(kBob, b, 100, "");
  EXPECT_EQ(sender.requests("CANCEL").size(), 1u);
  respondFrom(kBob, b, 487, "tb");
}

TEST_F(SipEndpointTest, ALateAnswerIsAckedAndHungUp) {
  endpoint->dial(twoBranches(), now);
  SipMessage a = inviteTo(kAlice);
  SipMessage b = inviteTo(kBob);
  respondFrom(kAlice, a, 180, "ta");
  respondFrom(kBob, b, 180, "tb");
  respondFrom(kAlice, a, 200, "ta", kAnswer);
  const size_t before = sender.size();
  respondFrom(kBob, b, 200, "tb", kAnswer);  // crossed our CANCEL
  auto acks = sender.requestsTo("ACK", kBob, before);
  auto byes = sender.requestsTo("BYE", kBob, before);
  ASSERT_EQ(acks.size(), 1u);
  ASSERT_EQ(byes.size(), 1u);
  EXPECT_EQ(toTag(byes[0]), "tb");
  EXPECT_EQ(byes[0].header("Call-ID"), b.header("Call-ID"));
  EXPECT_EQ(byes[0].requestUri(), "sip:callee@203.0.113.6:5062");
  EXPECT_EQ(listener.count("answered"), 1u);
  EXPECT_EQ(listener.count("ended"), 0u);
  receive(responseText(byes[0], 200, ""), udpFrom(kBob, 5062));
}

TEST_F(SipEndpointTest, AllBranchesFailWithTheBestStatus) {
  struct Case {
    int a, b, expected;
  };
  const Case cases[] = {
      {408, 486, 486}, {486, 408, 486}, {503, 404, 404}, {486, 603, 603}, {487, 500, 500}};
  for (const Case& c : cases) {
    listener.events.clear();
    const size_t before = sender.size();
    const LegId leg = endpoint->dial(twoBranches(), now);
    SipMessage a = sender.requestsTo("INVITE", kAlice, before).at(0);
    SipMessage b = sender.requestsTo("INVITE", kBob, before).at(0);
    respondFrom(kAlice, a, c.a, "ta");
    EXPECT_EQ(listener.count("failed"), 0u);
    respondFrom(kBob, b, c.b, "tb");
    ASSERT_EQ(listener.count("failed"), 1u);
    EXPECT_EQ(listener.find("failed")->leg, leg);
    EXPECT_EQ(listener.find("failed")->status, c.expected) << c.a << " " << c.b;
    EXPECT_EQ(endpoint->counts().legs, 0u);
  }
}

TEST_F(SipEndpointTest, UnreachableBranchesFailWith408) {
  endpoint->dial(twoBranches(), now);
  advance(at(33));  // Timer B
  ASSERT_EQ(listener.count("failed"), 1u);
  EXPECT_EQ(listener.find("failed")->status, 408);
  EXPECT_EQ(sender.requests("CANCEL").size(), 0u);
}

TEST_F(SipEndpointTest, RingTimeoutCancelsAndFails408) {
  const LegId leg = endpoint->dial(twoBranches(), now);
  respondFrom(kAlice, inviteTo(kAlice), 180, "ta");
  respondFrom(kBob, inviteTo(kBob), 180, "tb");
  advance(at(19.9));
  EXPECT_EQ(listener.count("failed"), 0u);
  advance(at(20.1));
  ASSERT_EQ(listener.count("failed"), 1u);
  EXPECT_EQ(listener.find("failed")->leg, leg);
  EXPECT_EQ(listener.find("failed")->status, 408);
  EXPECT_EQ(sender.requestsTo("CANCEL", kAlice).size(), 1u);
  EXPECT_EQ(sender.requestsTo("CANCEL", kBob).size(), 1u);
  // The 487s finish the leg without another event.
  respondFrom(kAlice, inviteTo(kAlice), 487, "ta");
  respondFrom(kBob, inviteTo(kBob), 487, "tb");
  EXPECT_EQ(endpoint->counts().legs, 0u);
  EXPECT_EQ(listener.count("failed"), 1u);
  EXPECT_EQ(listener.count("ended"), 0u);
}

TEST_F(SipEndpointTest, HangupWhileCallingCancels) {
  const LegId leg = endpoint->dial(twoBranches(), now);
  respondFrom(kAlice, inviteTo(kAlice), 183, "ta");
  endpoint->hangup(leg, now);
  EXPECT_EQ(sender.requestsTo("CANCEL", kAlice).size(), 1u);
  EXPECT_EQ(sender.requestsTo("CANCEL", kBob).size(), 0u);  // no provisional yet
  respondFrom(kBob, inviteTo(kBob), 180, "tb");
  EXPECT_EQ(sender.requestsTo("CANCEL", kBob).size(), 1u);
  // Bob answers anyway: ACK and BYE, no event.
  const size_t before = sender.size();
  respondFrom(kBob, inviteTo(kBob), 200, "tb", kAnswer);
  EXPECT_EQ(sender.requestsTo("ACK", kBob, before).size(), 1u);
  EXPECT_EQ(sender.requestsTo("BYE", kBob, before).size(), 1u);
  respondFrom(kAlice, inviteTo(kAlice), 487, "ta");
  EXPECT_EQ(listener.count("ringing"), 1u);  // the 183, before the hangup
  EXPECT_EQ(listener.count("answered") + listener.count("failed") + listener.count("ended"), 0u);
}

TEST_F(SipEndpointTest, HangupFromTheRingingCallback) {
  listener.on_ringing = [this](LegId leg) { endpoint->hangup(leg, now); };
  endpoint->dial(twoBranches(), now);
  respondFrom(kAlice, inviteTo(kAlice), 180, "ta");
  EXPECT_EQ(sender.requestsTo("CANCEL", kAlice).size(), 1u);
  respondFrom(kAlice, inviteTo(kAlice), 487, "ta");
  respondFrom(kBob, inviteTo(kBob), 480, "tb");
  EXPECT_EQ(endpoint->counts().legs, 0u);
  EXPECT_EQ(listener.count("failed"), 0u);
}

TEST_F(SipEndpointTest, HangupWhenConfirmedSendsByeToTheCallee) {
  const LegId leg = endpoint->dial(twoBranches(), now);
  SipMessage a = inviteTo(kAlice);
  respondFrom(kAlice, a, 200, "ta", kAnswer);
  respondFrom(kBob, inviteTo(kBob), 480, "tb");
  endpoint->hangup(leg, now);
  auto byes = sender.requestsTo("BYE", kAlice);
  ASSERT_EQ(byes.size(), 1u);
  EXPECT_EQ(byes[0].header("CSeq"), "2 BYE");
  EXPECT_EQ(byes[0].requestUri(), "sip:callee@203.0.113.5:5062");
  receive(responseText(byes[0], 200, ""), udpFrom(kAlice, 5062));
  EXPECT_EQ(endpoint->counts().legs, 0u);
  EXPECT_EQ(listener.count("ended"), 0u);
}

TEST_F(SipEndpointTest, OutboundReinviteAndItsAnswer) {
  const LegId leg = endpoint->dial(twoBranches(), now);
  SipMessage a = inviteTo(kAlice);
  respondFrom(kAlice, a, 200, "ta", kAnswer);
  respondFrom(kBob, inviteTo(kBob), 486, "tb");
  ASSERT_TRUE(endpoint->reinvite(leg, kOffer + "a=sendonly\r\n", now));
  SipMessage reinvite = sender.last();
  ASSERT_TRUE(reinvite.isRequest());
  EXPECT_EQ(reinvite.method(), "INVITE");
  EXPECT_EQ(reinvite.header("CSeq"), "2 INVITE");
  EXPECT_EQ(toTag(reinvite), "ta");
  EXPECT_EQ(reinvite.requestUri(), "sip:callee@203.0.113.5:5062");
  respondFrom(kAlice, reinvite, 200, "ta", kAnswer);
  ASSERT_EQ(listener.count("offer_answered"), 1u);
  EXPECT_EQ(listener.find("offer_answered")->status, 200);
  EXPECT_EQ(sender.requestsTo("ACK", kAlice).back().header("CSeq"), "2 ACK");
  // And the callee re-INVITEs us.
  Request theirs;
  theirs.uri = "sip:sb@198.51.100.1:5060";
  theirs.via = "SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bKar1";
  theirs.from = std::string(*a.header("To")) + ";tag=ta";
  theirs.to = std::string(*a.header("From"));
  theirs.call_id = std::string(*a.header("Call-ID"));
  theirs.cseq = 10;
  theirs.body = kOffer;
  listener.on_offer = [this](LegId id, const std::string&) {
    EXPECT_TRUE(endpoint->answerOffer(id, kAnswer, now));
  };
  receive(theirs.text(), udpFrom(kAlice, 5062));
  EXPECT_EQ(listener.count("offer"), 1u);
  EXPECT_EQ(sender.last().statusCode(), 200);
  Request ack = theirs;
  ack.method = "ACK";
  ack.via = "SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bKar2";
  ack.body.clear();
  receive(ack.text(), udpFrom(kAlice, 5062));
  endpoint->hangup(leg, now);
}

TEST_F(SipEndpointTest, AnOldAnswerRetransmittedInTheDialogIsAckedNotHungUp) {
  const LegId leg = endpoint->dial(twoBranches(), now);
  SipMessage a = inviteTo(kAlice);
  respondFrom(kAlice, a, 200, "ta", kAnswer);
  respondFrom(kBob, inviteTo(kBob), 486, "tb");
  ASSERT_TRUE(endpoint->reinvite(leg, kOffer, now));
  respondFrom(kAlice, sender.last(), 200, "ta", kAnswer);
  ASSERT_EQ(listener.count("offer_answered"), 1u);
  // Alice's 200 to the first INVITE comes again (our first ACK was lost): ACK it, the
  // call goes on.
  const size_t before = sender.size();
  respondFrom(kAlice, a, 200, "ta", kAnswer);
  auto acks = sender.requestsTo("ACK", kAlice, before);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].header("CSeq"), "1 ACK");
  EXPECT_EQ(sender.requests("BYE", before).size(), 0u);
  EXPECT_EQ(endpoint->counts().legs, 1u);
  EXPECT_TRUE(endpoint->reinvite(leg, kOffer, now));
  respondFrom(kAlice, sender.last(), 200, "ta", kAnswer);
}

TEST_F(SipEndpointTest, ACallerIdFromTheNetworkCannotBreakOurInvite) {
  // The trunk's From user is unescaped into IncomingCall::caller; the app dials with it.
  Request r = trunkInvite();
  r.from = "\"Eve \\\"x\\\" \\\x01\xc3\xa9\" <sip:06%3E%0D%0AX-Evil%3A%20yes@192.0.2.10>;tag=cust1";
  const LegId in = offerTrunkCall(r);
  ASSERT_NE(in, 0u);
  const IncomingCall call = listener.calls.at(0);
  EXPECT_EQ(call.caller, "06>\r\nX-Evil: yes");
  DialRequest d = twoBranches();
  d.from_user = call.caller;
  d.from_name = call.caller_name;
  const LegId out = endpoint->dial(d, now);
  ASSERT_NE(out, 0u);
  for (const auto& sent : sender.sent) {
    auto message = parseSipMessage(sent.bytes);
    ASSERT_TRUE(message.ok()) << sent.bytes;
    if (!message->isRequest()) continue;
    EXPECT_FALSE(message->header("X-Evil")) << sent.bytes;
    auto from = parseNameAddr(*message->header("From"));
    ASSERT_TRUE(from.ok()) << sent.bytes;
    ASSERT_TRUE(from->sip && from->sip->user);
    EXPECT_EQ(*from->sip->user, call.caller);
    EXPECT_EQ(from->display_name, call.caller_name);
  }
  endpoint->hangup(out, now);
  endpoint->hangup(in, now);
}

TEST_F(SipEndpointTest, CommandsOnUnknownLegsAreRefused) {
  EXPECT_FALSE(endpoint->ring(42, now));
  EXPECT_FALSE(endpoint->answer(42, kAnswer, now));
  EXPECT_FALSE(endpoint->reject(42, 486, now));
  EXPECT_FALSE(endpoint->reinvite(42, kAnswer, now));
  EXPECT_FALSE(endpoint->answerOffer(42, kAnswer, now));
  EXPECT_FALSE(endpoint->rejectOffer(42, 488, now));
  endpoint->hangup(42, now);
  const LegId out = endpoint->dial(twoBranches(), now);
  EXPECT_FALSE(endpoint->ring(out, now));  // inbound commands on an outbound leg
  EXPECT_FALSE(endpoint->answer(out, kAnswer, now));
  EXPECT_FALSE(endpoint->reinvite(out, kAnswer, now));  // not confirmed yet
  EXPECT_EQ(sender.size(), 2u);
}

}  // namespace
}  // namespace sb::sip::endpoint_testing

namespace sb::sip::endpoint_testing {
namespace {

DialRequest overTcp(DialRequest d, ConnectionId alice, ConnectionId bob) {
  d.branches[0].flow.transport = TransportKind::kTcp;
  d.branches[0].flow.connection = alice;
  d.branches[1].flow.transport = TransportKind::kTcp;
  d.branches[1].flow.connection = bob;
  return d;
}

TEST_F(SipEndpointTest, ARingingBranchWhoseConnectionClosesFails) {
  const LegId leg = endpoint->dial(overTcp(twoBranches(), 11, 12), now);
  respondFrom(kAlice, inviteTo(kAlice), 180, "ta");
  endpoint->connectionClosed(11, now);  // alice's phone is gone; bob still rings
  EXPECT_EQ(listener.count("failed"), 0u);
  endpoint->connectionClosed(12, now);
  ASSERT_EQ(listener.count("failed"), 1u);
  EXPECT_EQ(listener.find("failed")->leg, leg);
  EXPECT_EQ(listener.find("failed")->status, 503);
  EXPECT_EQ(endpoint->counts().legs, 0u);
}

TEST_F(SipEndpointTest, ACallWhoseConnectionClosesEnds) {
  const LegId leg = endpoint->dial(overTcp(twoBranches(), 11, 12), now);
  respondFrom(kAlice, inviteTo(kAlice), 200, "ta", kAnswer);
  ASSERT_EQ(listener.count("answered"), 1u);
  endpoint->connectionClosed(12, now);  // the cancelled branch's connection: no effect
  EXPECT_EQ(listener.count("ended"), 0u);
  endpoint->connectionClosed(11, now);
  ASSERT_EQ(listener.count("ended"), 1u);
  EXPECT_EQ(listener.find("ended")->leg, leg);
  EXPECT_EQ(listener.find("ended")->text, "connection_lost");
  EXPECT_EQ(endpoint->counts().legs, 0u);
}

}  // namespace
}  // namespace sb::sip::endpoint_testing

namespace sb::sip::endpoint_testing {
namespace {

TEST_F(SipEndpointTest, AnAnswerRetransmittedAfterOurByeIsAckedNotHungUpAgain) {
  const LegId leg = endpoint->dial(twoBranches(), now);
  SipMessage a = inviteTo(kAlice);
  respondFrom(kAlice, a, 200, "ta", kAnswer);
  ASSERT_EQ(listener.count("answered"), 1u);
  endpoint->hangup(leg, now);
  ASSERT_EQ(sender.requestsTo("BYE", kAlice).size(), 1u);
  // The phone never got our ACK: its 200 comes again after our BYE.
  const size_t before = sender.size();
  respondFrom(kAlice, a, 200, "ta", kAnswer);
  EXPECT_EQ(sender.requestsTo("ACK", kAlice, before).size(), 1u);
  EXPECT_EQ(sender.requestsTo("BYE", kAlice).size(), 1u);  // still the one BYE
  // A 2xx of a dialog we never had is still ACKed and hung up.
  SipMessage b = inviteTo(kBob);
  respondFrom(kBob, b, 200, "tb", kAnswer);
  EXPECT_EQ(sender.requestsTo("BYE", kBob).size(), 1u);
}

}  // namespace
}  // namespace sb::sip::endpoint_testing
