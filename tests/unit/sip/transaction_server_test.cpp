// Server transactions (RFC 3261 §17.2, RFC 6026, RFC 3581): matching, absorption,
// CANCEL, ACK, 2xx retransmission and the layer's own answers.
#include <gtest/gtest.h>

#include "sip/transaction.hpp"
#include "transaction_test_support.hpp"

namespace sb::sip::testing {
namespace {

using Times = std::vector<double>;

class TransactionServer : public TransactionFixture {
 protected:
  // Receives a request and returns the id the user got (0 when none).
  TransactionId open(const RequestSpec& spec, const Flow& from, double seconds) {
    size_t before = user_.count(Ev::kRequest);
    receive(request(spec), from, seconds);
    if (user_.count(Ev::kRequest) == before) return 0;
    for (auto it = user_.events.rbegin(); it != user_.events.rend(); ++it)
      if (it->kind == Ev::kRequest) return it->id;
    return 0;
  }
  // A response built by the user from the stored request.
  SipMessage answer(TransactionId id, int code, const std::string& tag = "uas") {
    return responseTo(*layer_.request(id), code, tag);
  }
};

TEST_F(TransactionServer, InviteIsAnsweredTryingAtOnceAndViaIsStamped) {
  Flow from = udpFlow("203.0.113.9", 40001);
  RequestSpec spec;
  spec.via_params = ";rport";
  spec.extra = "Timestamp: 54.2\r\nSubject: x\r\n";
  TransactionId id = open(spec, from, 0);
  ASSERT_NE(id, 0u);
  EXPECT_EQ(layer_.counts().server_invite, 1u);
  const std::string stamped =
      "SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKa1;rport=40001;received=203.0.113.9";
  EXPECT_EQ(*user_.first(Ev::kRequest)->message->header("Via"), stamped);
  EXPECT_EQ(user_.first(Ev::kRequest)->flow, from);

  ASSERT_EQ(sender_.sent.size(), 1u);
  SipMessage trying = sender_.sent[0].message();
  EXPECT_EQ(trying.statusCode(), 100);
  EXPECT_EQ(*trying.header("Via"), stamped);
  EXPECT_EQ(*trying.header("From"), "<sip:alice@example.com>;tag=f1");
  EXPECT_EQ(*trying.header("To"), "<sip:bob@example.com>");
  EXPECT_EQ(*trying.header("Call-ID"), "call-1@example.com");
  EXPECT_EQ(*trying.header("CSeq"), "1 INVITE");
  EXPECT_EQ(*trying.header("Timestamp"), "54.2");
  EXPECT_FALSE(trying.header("Subject"));
  EXPECT_EQ(sender_.sent[0].flow.remote, (NetAddress{"203.0.113.9", 40001}));
  EXPECT_EQ(*layer_.flow(id), from);
}

TEST_F(TransactionServer, ReceivedIsAlwaysSetAndRportOnlyWhenAsked) {
  Flow from = udpFlow("203.0.113.9", 40001);
  RequestSpec spec;
  spec.method = "OPTIONS";
  spec.via_params = ";received=10.9.9.9";
  std::string text = requestText(spec);
  text.insert(text.find("Max-Forwards"), "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKlower;rport\r\n");
  receive(parse(text), from, 0);
  ASSERT_EQ(user_.count(Ev::kRequest), 1u);
  const SipMessage& got = *user_.first(Ev::kRequest)->message;
  EXPECT_EQ(got.headerValues("Via"),
            (std::vector<std::string_view>{
                "SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKa1;received=203.0.113.9",
                "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKlower;rport"}));
  ASSERT_TRUE(respond(user_.first(Ev::kRequest)->id, responseTo(got, 200, "t"), 0.1));
  EXPECT_EQ(sender_.last().flow.remote, (NetAddress{"203.0.113.9", 5070}));  // no rport: Via port
  EXPECT_EQ(sender_.last().message().headerValues("Via").size(), 2u);
}

TEST_F(TransactionServer, Ipv6SourceGoesIntoReceived) {
  receive(request({.via_params = ";rport"}), udpFlow("2001:db8::7", 5999), 0);
  ASSERT_EQ(user_.count(Ev::kRequest), 1u);
  auto via = parseVia(*user_.first(Ev::kRequest)->message->header("Via"));
  ASSERT_TRUE(via.ok());
  EXPECT_EQ(via->received(), "2001:db8::7");
  EXPECT_EQ(via->rport(), 5999);
}

TEST_F(TransactionServer, RetransmittedRequestsAreAbsorbedAndTheLastResponseResent) {
  TransactionId id = open({}, udpFlow(), 0);
  receive(request({}), udpFlow(), 0.5);
  EXPECT_EQ(user_.count(Ev::kRequest), 1u);
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[1].bytes, sender_.sent[0].bytes);  // 100 again
  ASSERT_TRUE(respond(id, answer(id, 180), 1));
  receive(request({}), udpFlow(), 1.5);
  ASSERT_EQ(sender_.sent.size(), 4u);
  EXPECT_EQ(sender_.sent[3].message().statusCode(), 180);
  EXPECT_EQ(user_.count(Ev::kRequest), 1u);
  EXPECT_EQ(layer_.counts().server_invite, 1u);
}

TEST_F(TransactionServer, UdpNonSuccessIsRetransmittedOnTimerGUntilTimerH) {
  TransactionId id = open({}, udpFlow(), 0);
  ASSERT_TRUE(respond(id, answer(id, 486), 1));
  runUntil(32.999);
  EXPECT_EQ(sender_.times(), (Times{0, 1, 1.5, 2.5, 4.5, 8.5, 12.5, 16.5, 20.5, 24.5, 28.5, 32.5}));
  EXPECT_EQ(sender_.sent[5].message().statusCode(), 486);
  EXPECT_EQ(user_.count(Ev::kServerFailure), 0u);
  runUntil(33);
  ASSERT_EQ(user_.count(Ev::kServerFailure), 1u);
  EXPECT_EQ(user_.first(Ev::kServerFailure)->id, id);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionServer, AckOfNonSuccessIsAbsorbedAndTimerIEndsConfirmed) {
  TransactionId id = open({}, udpFlow(), 0);
  ASSERT_TRUE(respond(id, answer(id, 486, "t9"), 1));
  runUntil(1.9);  // G at 1.5
  receive(request({.method = "ACK", .to = "<sip:bob@example.com>;tag=t9", .cseq_method = "ACK"}),
          udpFlow(), 2);
  receive(request({.method = "ACK", .to = "<sip:bob@example.com>;tag=t9", .cseq_method = "ACK"}),
          udpFlow(), 2.1);
  receive(request({}), udpFlow(), 2.2);  // INVITE retransmission in Confirmed: absorbed
  EXPECT_EQ(user_.count(Ev::kAck), 0u);
  runUntil(6.999);
  EXPECT_EQ(sender_.times(), (Times{0, 1, 1.5}));
  EXPECT_EQ(layer_.counts().server_invite, 1u);
  runUntil(7);  // Timer I: T4 after the ACK
  EXPECT_EQ(layer_.counts().total(), 0u);
  EXPECT_EQ(user_.count(Ev::kServerFailure), 0u);
}

TEST_F(TransactionServer, StreamsHaveNoTimerGAndTimerIIsZero) {
  TransactionId id = open({.transport = "TCP"}, tcpFlow(), 0);
  ASSERT_TRUE(respond(id, answer(id, 603), 1));
  runUntil(10);
  EXPECT_EQ(sender_.times(), (Times{0, 1}));
  EXPECT_EQ(sender_.last().flow, tcpFlow());
  receive(request({.method = "ACK", .transport = "TCP", .cseq_method = "ACK"}), tcpFlow(), 11);
  EXPECT_EQ(layer_.nextDeadline(), at(11));
  runUntil(11);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionServer, TimerHAppliesOnStreamsToo) {
  TransactionId id = open({.transport = "TCP"}, tcpFlow(), 0);
  ASSERT_TRUE(respond(id, answer(id, 486), 1));
  runUntil(33);
  EXPECT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(user_.count(Ev::kServerFailure), 1u);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionServer, SuccessIsRetransmittedUntilAcknowledgedThenTimerLEnds) {
  TransactionId id = open({}, udpFlow(), 0);
  ASSERT_TRUE(respond(id, answer(id, 200), 1));
  runUntil(5);
  EXPECT_EQ(sender_.times(), (Times{0, 1, 1.5, 2.5, 4.5}));
  EXPECT_EQ(sender_.last().message().statusCode(), 200);
  setNow(at(5));
  layer_.acknowledged(id, now_);
  runUntil(32.999);
  EXPECT_EQ(sender_.sent.size(), 5u);
  EXPECT_EQ(layer_.counts().server_invite, 1u);
  runUntil(33);  // Timer L
  EXPECT_EQ(layer_.counts().total(), 0u);
  EXPECT_EQ(user_.count(Ev::kServerFailure), 0u);
}

TEST_F(TransactionServer, SuccessIsRetransmittedOnStreamsToo) {
  TransactionId id = open({.transport = "TCP"}, tcpFlow(), 0);
  ASSERT_TRUE(respond(id, answer(id, 200), 1));
  runUntil(3);
  EXPECT_EQ(sender_.times(), (Times{0, 1, 1.5, 2.5}));
  setNow(at(3));
  layer_.acknowledged(id, now_);
  runUntil(40);
  EXPECT_EQ(sender_.sent.size(), 4u);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionServer, UnacknowledgedSuccessIsAFailure) {
  TransactionId id = open({}, udpFlow(), 0);
  ASSERT_TRUE(respond(id, answer(id, 200), 1));
  runUntil(32.999);
  EXPECT_EQ(sender_.times(), (Times{0, 1, 1.5, 2.5, 4.5, 8.5, 12.5, 16.5, 20.5, 24.5, 28.5, 32.5}));
  EXPECT_EQ(user_.count(Ev::kServerFailure), 0u);
  runUntil(33);
  ASSERT_EQ(user_.count(Ev::kServerFailure), 1u);
  EXPECT_EQ(user_.first(Ev::kServerFailure)->id, id);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionServer, AcceptedPassesAcksUpAndAbsorbsInvites) {
  TransactionId id = open({}, udpFlow(), 0);
  ASSERT_TRUE(respond(id, answer(id, 200), 0.1));
  // The ACK of a 2xx has its own branch: no transaction, to the user.
  receive(request({.method = "ACK", .branch = "z9hG4bKack", .cseq_method = "ACK"}), udpFlow(), 0.2);
  // One that reuses the INVITE's branch reaches the user too (RFC 6026).
  receive(request({.method = "ACK", .cseq_method = "ACK"}), udpFlow(), 0.3);
  ASSERT_EQ(user_.count(Ev::kAck), 2u);
  EXPECT_EQ(*user_.first(Ev::kAck)->message->header("Via"),
            "SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKack;received=192.0.2.10");
  size_t sent = sender_.sent.size();
  receive(request({}), udpFlow(), 0.4);
  EXPECT_EQ(sender_.sent.size(), sent);
  EXPECT_EQ(user_.count(Ev::kRequest), 1u);
  EXPECT_FALSE(respond(id, answer(id, 200), 0.4));
  EXPECT_FALSE(respond(id, answer(id, 486), 0.4));
  EXPECT_FALSE(respond(9999, answer(id, 486), 0.4));
}

TEST_F(TransactionServer, NonInviteTrying_ProceedingAndTimerJ) {
  TransactionId id = open({.method = "OPTIONS"}, udpFlow(), 0);
  EXPECT_EQ(layer_.counts().server_non_invite, 1u);
  EXPECT_TRUE(sender_.sent.empty());  // no 100 for non-INVITE
  receive(request({.method = "OPTIONS"}), udpFlow(), 0.5);
  EXPECT_TRUE(sender_.sent.empty());  // Trying: absorbed silently
  ASSERT_TRUE(respond(id, answer(id, 183), 1));
  receive(request({.method = "OPTIONS"}), udpFlow(), 1.5);
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[1].message().statusCode(), 183);
  ASSERT_TRUE(respond(id, answer(id, 200), 2));
  receive(request({.method = "OPTIONS"}), udpFlow(), 2.5);
  ASSERT_EQ(sender_.sent.size(), 4u);
  EXPECT_EQ(sender_.sent[3].message().statusCode(), 200);
  EXPECT_EQ(user_.count(Ev::kRequest), 1u);
  EXPECT_FALSE(respond(id, answer(id, 500), 3));
  runUntil(33.999);
  EXPECT_EQ(layer_.counts().server_non_invite, 1u);
  EXPECT_EQ(sender_.sent.size(), 4u);  // no timer retransmission of non-INVITE responses
  runUntil(34);                        // Timer J
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionServer, TimerJIsZeroOnStreams) {
  TransactionId id = open({.method = "BYE", .transport = "TCP"}, tcpFlow(), 0);
  ASSERT_TRUE(respond(id, answer(id, 200), 1));
  EXPECT_EQ(layer_.nextDeadline(), at(1));
  runUntil(1);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionServer, UnansweredNonInviteGets500AfterSixtyFourT1) {
  TransactionId id = open({.method = "INFO"}, udpFlow(), 0);
  runUntil(31.999);
  EXPECT_TRUE(sender_.sent.empty());
  runUntil(32);
  ASSERT_EQ(sender_.sent.size(), 1u);
  SipMessage err = sender_.sent[0].message();
  EXPECT_EQ(err.statusCode(), 500);
  auto to = parseNameAddr(*err.header("To"));
  ASSERT_TRUE(to.ok());
  EXPECT_TRUE(to->tag());
  ASSERT_EQ(user_.count(Ev::kServerFailure), 1u);
  EXPECT_EQ(user_.first(Ev::kServerFailure)->id, id);
  EXPECT_FALSE(respond(id, answer(id, 200), 33));
  runUntil(64);  // Timer J
  EXPECT_EQ(layer_.counts().total(), 0u);
  EXPECT_EQ(user_.count(Ev::kServerFailure), 1u);
}

TEST_F(TransactionServer, CancelOfAPendingInviteIsAnsweredAndReported) {
  TransactionId invite = open({}, udpFlow(), 0);
  ASSERT_TRUE(respond(invite, answer(invite, 180, "ring"), 0.5));
  receive(request({.method = "CANCEL"}), udpFlow(), 1);
  ASSERT_EQ(sender_.sent.size(), 3u);
  SipMessage ok = sender_.sent[2].message();
  EXPECT_EQ(ok.statusCode(), 200);
  EXPECT_EQ(*ok.header("CSeq"), "1 CANCEL");
  EXPECT_EQ(*ok.header("To"), "<sip:bob@example.com>;tag=ring");  // §9.2: the INVITE's tag
  ASSERT_EQ(user_.count(Ev::kCancel), 1u);
  EXPECT_EQ(user_.first(Ev::kCancel)->id, invite);
  EXPECT_EQ(user_.first(Ev::kCancel)->message->method(), "CANCEL");
  EXPECT_EQ(user_.count(Ev::kRequest), 1u);  // CANCEL is not an onRequest
  EXPECT_EQ(layer_.counts().server_non_invite, 1u);
  // A retransmitted CANCEL gets the 200 again, without a second report.
  receive(request({.method = "CANCEL"}), udpFlow(), 1.2);
  ASSERT_EQ(sender_.sent.size(), 4u);
  EXPECT_EQ(sender_.sent[3].bytes, sender_.sent[2].bytes);
  EXPECT_EQ(user_.count(Ev::kCancel), 1u);
  ASSERT_TRUE(respond(invite, answer(invite, 487, "ring"), 1.3));
  EXPECT_EQ(sender_.last().message().statusCode(), 487);
  receive(request({.method = "ACK", .to = "<sip:bob@example.com>;tag=ring", .cseq_method = "ACK"}),
          udpFlow(), 1.4);
  runUntil(100);
  EXPECT_EQ(layer_.counts().total(), 0u);
  EXPECT_EQ(user_.count(Ev::kServerFailure), 0u);
}

TEST_F(TransactionServer, CancelWithoutInviteIsAnswered481) {
  receive(request({.method = "CANCEL", .branch = "z9hG4bKnothing"}), udpFlow(), 0);
  ASSERT_EQ(sender_.sent.size(), 1u);
  SipMessage r = sender_.sent[0].message();
  EXPECT_EQ(r.statusCode(), 481);
  EXPECT_EQ(*r.header("CSeq"), "1 CANCEL");
  EXPECT_TRUE(user_.events.empty());
  runUntil(100);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionServer, CancelAfterTheFinalResponseIsAnswered200Silently) {
  TransactionId invite = open({}, udpFlow(), 0);
  ASSERT_TRUE(respond(invite, answer(invite, 486), 0.1));
  receive(request({.method = "CANCEL"}), udpFlow(), 0.2);
  EXPECT_EQ(sender_.last().message().statusCode(), 200);
  EXPECT_EQ(*sender_.last().message().header("CSeq"), "1 CANCEL");
  EXPECT_EQ(user_.count(Ev::kCancel), 0u);
}

TEST_F(TransactionServer, CancelWithAnotherSentByDoesNotMatch) {
  open({}, udpFlow(), 0);
  receive(request({.method = "CANCEL", .via_host = "192.0.2.99:5070"}), udpFlow(), 0.2);
  EXPECT_EQ(sender_.last().message().statusCode(), 481);
  EXPECT_EQ(user_.count(Ev::kCancel), 0u);
}

TEST_F(TransactionServer, AckWithoutTransactionGoesToTheUser) {
  Flow from = udpFlow("203.0.113.9", 40001);
  receive(request({.method = "ACK", .branch = "z9hG4bKlone", .via_params = ";rport"}), from, 0);
  ASSERT_EQ(user_.count(Ev::kAck), 1u);
  EXPECT_EQ(*user_.first(Ev::kAck)->message->header("Via"),
            "SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKlone;rport=40001;received=203.0.113.9");
  EXPECT_EQ(user_.first(Ev::kAck)->flow, from);
  EXPECT_TRUE(sender_.sent.empty());
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionServer, SameBranchFromAnotherSentByIsANewTransaction) {
  open({}, udpFlow(), 0);
  open({.via_host = "192.0.2.11:5070"}, udpFlow(), 0.1);
  open({.method = "OPTIONS"}, udpFlow(), 0.2);  // same branch, other method
  EXPECT_EQ(user_.count(Ev::kRequest), 3u);
  EXPECT_EQ(layer_.counts().server_invite, 2u);
  EXPECT_EQ(layer_.counts().server_non_invite, 1u);
}

TEST_F(TransactionServer, Rfc2543RequestsMatchOnTheirFields) {
  TransactionId id = open({.branch = ""}, udpFlow(), 0);  // no branch at all
  ASSERT_NE(id, 0u);
  receive(request({.branch = ""}), udpFlow(), 0.5);  // retransmission
  EXPECT_EQ(user_.count(Ev::kRequest), 1u);
  EXPECT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(open({.branch = "", .cseq = 2}, udpFlow(), 0.6) != 0, true);  // new CSeq: new request
  EXPECT_EQ(open({.branch = "", .from_tag = "f2"}, udpFlow(), 0.7) != 0, true);
  EXPECT_EQ(user_.count(Ev::kRequest), 3u);

  ASSERT_TRUE(respond(id, answer(id, 486, "t9"), 1));
  // An ACK with another To tag is not this transaction's: it goes to the user.
  receive(request({.method = "ACK",
                   .branch = "",
                   .to = "<sip:bob@example.com>;tag=zz",
                   .cseq_method = "ACK"}),
          udpFlow(), 1.1);
  EXPECT_EQ(user_.count(Ev::kAck), 1u);
  receive(request({.method = "ACK",
                   .branch = "",
                   .to = "<sip:bob@example.com>;tag=t9",
                   .cseq_method = "ACK"}),
          udpFlow(), 1.2);
  EXPECT_EQ(user_.count(Ev::kAck), 1u);  // absorbed: Confirmed
  size_t sent = sender_.sent.size();
  runUntil(5);
  EXPECT_EQ(sender_.sent.size(), sent);  // Timer G stopped
}

TEST_F(TransactionServer, Rfc2543BranchWithoutCookieAndCancel) {
  TransactionId id = open({.branch = "1234old"}, udpFlow(), 0);
  receive(request({.branch = "1234old"}), udpFlow(), 0.5);
  EXPECT_EQ(user_.count(Ev::kRequest), 1u);
  receive(request({.method = "CANCEL", .branch = "1234old"}), udpFlow(), 1);
  ASSERT_EQ(user_.count(Ev::kCancel), 1u);
  EXPECT_EQ(user_.first(Ev::kCancel)->id, id);
  EXPECT_EQ(sender_.last().message().statusCode(), 200);
}

TEST_F(TransactionServer, MalformedRequestsAreDropped) {
  SipMessage no_via = request({});
  no_via.removeHeader("Via");
  SipMessage bad_via = request({});
  bad_via.setHeader("Via", "garbage here");
  SipMessage bad_cseq = request({});
  bad_cseq.setHeader("CSeq", "one INVITE");
  SipMessage no_cseq = request({});
  no_cseq.removeHeader("CSeq");
  for (auto* m : {&no_via, &bad_via, &bad_cseq, &no_cseq}) receive(*m, udpFlow(), 0);
  EXPECT_TRUE(user_.events.empty());
  EXPECT_TRUE(sender_.sent.empty());
  EXPECT_EQ(layer_.counts().total(), 0u);
  EXPECT_FALSE(layer_.nextDeadline());
}

TEST_F(TransactionServer, ResponseSendFailureIsReportedFromTheNextOnTimer) {
  TransactionId id = open({}, udpFlow(), 0);
  sender_.fail = true;
  EXPECT_FALSE(respond(id, answer(id, 486), 1));
  EXPECT_EQ(user_.count(Ev::kServerFailure), 0u);
  EXPECT_EQ(layer_.nextDeadline(), at(1));
  runUntil(1);
  ASSERT_EQ(user_.count(Ev::kServerFailure), 1u);
  EXPECT_EQ(user_.first(Ev::kServerFailure)->id, id);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionServer, RetransmissionFailureIsReported) {
  TransactionId id = open({}, udpFlow(), 0);
  ASSERT_TRUE(respond(id, answer(id, 200), 1));
  sender_.fail = true;
  runUntil(2);
  ASSERT_EQ(user_.count(Ev::kServerFailure), 1u);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionServer, OwnRequestLoopedBackOpensAServerTransaction) {
  TransactionId client = send(request({.method = "OPTIONS"}), udpFlow(), 0);
  receive(sender_.sent[0].message(), udpFlow(), 0.1);
  ASSERT_EQ(user_.count(Ev::kRequest), 1u);
  EXPECT_NE(user_.first(Ev::kRequest)->id, client);
  EXPECT_EQ(layer_.counts().client_non_invite, 1u);
  EXPECT_EQ(layer_.counts().server_non_invite, 1u);
}

TEST_F(TransactionServer, UserMayRespondFromInsideOnRequest) {
  user_.on_request = [&](TransactionId id, const SipMessage& req) {
    EXPECT_TRUE(layer_.respond(id, responseTo(req, 200, "in"), now_));
    // The request handed to the callback stays valid after the transaction completed.
    EXPECT_EQ(req.method(), "BYE");
    EXPECT_NE(
        layer_.sendRequest(request({.method = "NOTIFY", .branch = "z9hG4bKn"}), tcpFlow(), now_),
        0u);
  };
  open({.method = "BYE", .transport = "TCP"}, tcpFlow(), 0);
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[0].message().statusCode(), 200);
  EXPECT_EQ(sender_.sent[1].message().method(), "NOTIFY");
  EXPECT_EQ(layer_.counts().server_non_invite, 1u);
  runUntil(0);
  EXPECT_EQ(layer_.counts().server_non_invite, 0u);
  EXPECT_EQ(layer_.counts().client_non_invite, 1u);
}

TEST_F(TransactionServer, CountsReturnToZeroAfterAMixedScenario) {
  TransactionId a = open({.branch = "z9hG4bK1"}, udpFlow(), 0);
  TransactionId b = open({.branch = "z9hG4bK2"}, udpFlow(), 0);
  open({.method = "OPTIONS", .branch = "z9hG4bK3"}, udpFlow(), 0);
  open({.branch = "z9hG4bK4", .transport = "TCP"}, tcpFlow(), 0);  // never answered: 408
  receive(request({.method = "CANCEL", .branch = "z9hG4bK2"}), udpFlow(), 0.1);
  ASSERT_TRUE(respond(a, answer(a, 200), 0.2));
  ASSERT_TRUE(respond(b, answer(b, 487), 0.2));
  send(request({.branch = "z9hG4bKc1"}), udpFlow(), 0.3);
  send(request({.method = "REGISTER", .branch = "z9hG4bKc2"}), udpFlow(), 0.3);
  EXPECT_EQ(layer_.counts().total(), 7u);
  runUntil(2000);
  EXPECT_EQ(layer_.counts().total(), 0u);
  EXPECT_FALSE(layer_.nextDeadline());
}

class TransactionServerPending : public TransactionFixture {
 protected:
  static TransactionTimers shortPending() {
    TransactionTimers t;
    t.max_invite_pending = std::chrono::seconds(10);
    return t;
  }
  TransactionServerPending() : TransactionFixture(shortPending()) {}
};

TEST_F(TransactionServerPending, UnansweredInviteGets408AfterMaxInvitePending) {
  receive(request({}), udpFlow(), 0);
  TransactionId id = user_.first(Ev::kRequest)->id;
  ASSERT_TRUE(respond(id, responseTo(*layer_.request(id), 180, "ring"), 1));
  runUntil(9.999);
  EXPECT_EQ(sender_.sent.size(), 2u);
  runUntil(10);
  ASSERT_EQ(sender_.sent.size(), 3u);
  SipMessage timeout = sender_.sent[2].message();
  EXPECT_EQ(timeout.statusCode(), 408);
  EXPECT_EQ(*timeout.header("To"), "<sip:bob@example.com>;tag=ring");
  ASSERT_EQ(user_.count(Ev::kServerFailure), 1u);
  EXPECT_EQ(user_.first(Ev::kServerFailure)->id, id);
  EXPECT_FALSE(respond(id, responseTo(*layer_.request(id), 200, "ring"), 10.1));
  runUntil(10.5);
  EXPECT_EQ(sender_.sent.size(), 4u);  // Timer G retransmits the 408
  runUntil(100);                       // no ACK: Timer H, not reported twice
  EXPECT_EQ(user_.count(Ev::kServerFailure), 1u);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionServerPending, LayerFinalResponsesGetAToTag) {
  receive(request({}), udpFlow(), 0);
  runUntil(10);
  EXPECT_EQ(sender_.last().message().statusCode(), 408);
  auto to = parseNameAddr(*sender_.last().message().header("To"));
  ASSERT_TRUE(to.ok());
  ASSERT_TRUE(to->tag());
  EXPECT_FALSE(to->tag()->empty());
}

}  // namespace
}  // namespace sb::sip::testing
