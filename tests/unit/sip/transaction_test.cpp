// Client transactions (RFC 3261 §17.1, RFC 6026), responseFlow and the layer's
// robustness. Server transactions: transaction_server_test.cpp.
#include "sip/transaction.hpp"

#include <gtest/gtest.h>

#include "transaction_test_support.hpp"

namespace sb::sip::testing {
namespace {

using Times = std::vector<double>;

class TransactionClient : public TransactionFixture {};

TEST_F(TransactionClient, UdpInviteRetransmitsOnTimerAAndTimesOutOnTimerB) {
  TransactionId id = send(request({}), udpFlow(), 0);
  ASSERT_NE(id, 0u);
  EXPECT_EQ(layer_.counts().client_invite, 1u);
  runUntil(31.9);
  EXPECT_EQ(sender_.times(), (Times{0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5}));
  EXPECT_EQ(user_.count(Ev::kClientFailure), 0u);
  runUntil(32);
  ASSERT_EQ(user_.count(Ev::kClientFailure), 1u);
  EXPECT_EQ(user_.first(Ev::kClientFailure)->id, id);
  EXPECT_FALSE(user_.first(Ev::kClientFailure)->transport_error);
  EXPECT_EQ(sender_.sent.size(), 7u);
  EXPECT_EQ(layer_.counts().total(), 0u);
  EXPECT_FALSE(layer_.nextDeadline());
  EXPECT_EQ(sender_.sent[3].bytes, sender_.sent[0].bytes);
  EXPECT_EQ(sender_.sent[3].flow, udpFlow());
}

TEST_F(TransactionClient, ReliableInviteIsNotRetransmitted) {
  TransactionId id = send(request({.transport = "TCP"}), tcpFlow(), 0);
  runUntil(31.99);
  EXPECT_EQ(sender_.sent.size(), 1u);
  EXPECT_EQ(user_.events.size(), 0u);
  runUntil(32);
  ASSERT_EQ(user_.count(Ev::kClientFailure), 1u);
  EXPECT_EQ(user_.first(Ev::kClientFailure)->id, id);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionClient, ProvisionalStopsTimerAAndTimerB) {
  TransactionId id = send(request({}), udpFlow(), 0);
  runUntil(1);  // sends at 0, 0.5
  SipMessage req = sender_.sent[0].message();
  receive(responseTo(req, 180, "t1"), udpFlow(), 1.2);
  ASSERT_EQ(user_.count(Ev::kResponse), 1u);
  EXPECT_EQ(user_.events[0].id, id);
  EXPECT_EQ(user_.events[0].message->statusCode(), 180);
  runUntil(100);
  EXPECT_EQ(sender_.times(), (Times{0, 0.5}));
  EXPECT_EQ(user_.count(Ev::kClientFailure), 0u);
  EXPECT_EQ(layer_.counts().client_invite, 1u);
  // The Proceeding bound: max_invite_pending + 64·T1 after the first provisional.
  runUntil(1.2 + 300 + 32 - 0.001);
  EXPECT_EQ(user_.count(Ev::kClientFailure), 0u);
  runUntil(1.2 + 300 + 32);
  EXPECT_EQ(user_.count(Ev::kClientFailure), 1u);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionClient, NonSuccessFinalIsAcknowledgedByTheLayer) {
  RequestSpec spec;
  spec.extra =
      "Route: <sip:proxy1.example.com;lr>\r\nRoute: <sip:proxy2.example.com;lr>\r\n"
      "Content-Type: application/sdp\r\nSubject: hello\r\n";
  spec.body = "v=0\r\n";
  spec.via_params = ";rport";
  std::string text = requestText(spec);
  // A second Via below ours (as a proxying B2BUA might have): the ACK keeps only the top.
  text.insert(text.find("Max-Forwards"), "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKlower\r\n");
  TransactionId id = send(parse(text), udpFlow(), 0);
  SipMessage req = sender_.sent[0].message();
  SipMessage busy = responseTo(req, 486, "callee-tag");
  receive(busy, udpFlow(), 0.1);
  ASSERT_EQ(user_.count(Ev::kResponse), 1u);
  EXPECT_EQ(user_.events[0].id, id);
  EXPECT_EQ(user_.events[0].message->statusCode(), 486);
  ASSERT_EQ(sender_.sent.size(), 2u);
  SipMessage ack = sender_.sent[1].message();
  EXPECT_EQ(sender_.sent[1].flow, udpFlow());
  EXPECT_TRUE(ack.isRequest());
  EXPECT_EQ(ack.method(), "ACK");
  EXPECT_EQ(ack.requestUri(), "sip:bob@example.com");
  ASSERT_EQ(ack.headerCount("Via"), 1u);
  EXPECT_EQ(*ack.header("Via"), *req.header("Via"));
  EXPECT_EQ(ack.headerValues("Route"),
            (std::vector<std::string_view>{"<sip:proxy1.example.com;lr>",
                                           "<sip:proxy2.example.com;lr>"}));
  EXPECT_EQ(*ack.header("Max-Forwards"), "70");
  EXPECT_EQ(*ack.header("From"), *req.header("From"));
  EXPECT_EQ(*ack.header("To"), "<sip:bob@example.com>;tag=callee-tag");
  EXPECT_EQ(*ack.header("Call-ID"), *req.header("Call-ID"));
  EXPECT_EQ(*ack.header("CSeq"), "1 ACK");
  EXPECT_TRUE(ack.body().empty());
  EXPECT_FALSE(ack.header("Content-Type"));
  EXPECT_FALSE(ack.header("Subject"));

  // Timer A stopped; retransmissions of the 486 are absorbed, each one acknowledged again.
  runUntil(5);
  EXPECT_EQ(sender_.sent.size(), 2u);
  receive(busy, udpFlow(), 6);
  EXPECT_EQ(user_.count(Ev::kResponse), 1u);
  ASSERT_EQ(sender_.sent.size(), 3u);
  EXPECT_EQ(sender_.sent[2].bytes, sender_.sent[1].bytes);

  // Timer D: 32 s from the 486.
  runUntil(0.1 + 32 - 0.001);
  EXPECT_EQ(layer_.counts().client_invite, 1u);
  runUntil(0.1 + 32);
  EXPECT_EQ(layer_.counts().total(), 0u);
  EXPECT_EQ(user_.count(Ev::kClientFailure), 0u);
  receive(busy, udpFlow(), 40);
  EXPECT_EQ(user_.count(Ev::kStray), 1u);
}

TEST_F(TransactionClient, TimerDIsZeroOnStreams) {
  send(request({.transport = "TCP"}), tcpFlow(), 0);
  receive(responseTo(sender_.sent[0].message(), 603, "x"), tcpFlow(), 1);
  EXPECT_EQ(sender_.sent.size(), 2u);  // the ACK
  EXPECT_EQ(layer_.nextDeadline(), at(1));
  runUntil(1);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionClient, EverySuccessInAcceptedGoesToTheUserUntilTimerM) {
  TransactionId id = send(request({}), udpFlow(), 0);
  SipMessage req = sender_.sent[0].message();
  receive(responseTo(req, 200, "fork-a"), udpFlow(), 0.2);
  receive(responseTo(req, 200, "fork-a"), udpFlow(), 0.7);  // retransmission
  receive(responseTo(req, 200, "fork-b"), udpFlow(), 1.0);  // another fork
  receive(responseTo(req, 180, "fork-c"), udpFlow(), 1.1);  // not passed in Accepted
  receive(responseTo(req, 486, "fork-c"), udpFlow(), 1.2);  // neither
  ASSERT_EQ(user_.count(Ev::kResponse), 3u);
  for (const auto& e : user_.events) {
    EXPECT_EQ(e.id, id);
    EXPECT_EQ(e.message->statusCode(), 200);
  }
  EXPECT_EQ(*user_.events[2].message->header("To"), "<sip:bob@example.com>;tag=fork-b");
  EXPECT_EQ(sender_.sent.size(), 1u);  // no ACK for a 2xx from the transaction, no retransmission
  runUntil(0.2 + 32 - 0.001);
  EXPECT_EQ(layer_.counts().client_invite, 1u);
  runUntil(0.2 + 32);
  EXPECT_EQ(layer_.counts().total(), 0u);
  receive(responseTo(req, 200, "fork-a"), udpFlow(), 33);
  EXPECT_EQ(user_.count(Ev::kStray), 1u);
  EXPECT_EQ(user_.count(Ev::kClientFailure), 0u);
}

TEST_F(TransactionClient, UdpNonInviteRetransmitsOnTimerECappedAtT2AndTimesOutOnTimerF) {
  TransactionId id = send(request({.method = "OPTIONS"}), udpFlow(), 0);
  EXPECT_EQ(layer_.counts().client_non_invite, 1u);
  runUntil(32);
  EXPECT_EQ(sender_.times(), (Times{0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5}));
  ASSERT_EQ(user_.count(Ev::kClientFailure), 1u);
  EXPECT_EQ(user_.first(Ev::kClientFailure)->id, id);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionClient, NonInviteInProceedingRetransmitsEveryT2) {
  send(request({.method = "REGISTER"}), udpFlow(), 0);
  runUntil(0.7);
  receive(responseTo(sender_.sent[0].message(), 100), udpFlow(), 0.7);
  EXPECT_EQ(user_.count(Ev::kResponse), 1u);
  runUntil(32);
  EXPECT_EQ(sender_.times(), (Times{0, 0.5, 1.5, 5.5, 9.5, 13.5, 17.5, 21.5, 25.5, 29.5}));
  EXPECT_EQ(user_.count(Ev::kClientFailure), 1u);
}

TEST_F(TransactionClient, NonInviteFinalStartsTimerK) {
  TransactionId id = send(request({.method = "BYE"}), udpFlow(), 0);
  SipMessage ok = responseTo(sender_.sent[0].message(), 200, "t");
  receive(ok, udpFlow(), 0.3);
  receive(ok, udpFlow(), 0.4);  // retransmission absorbed
  ASSERT_EQ(user_.count(Ev::kResponse), 1u);
  EXPECT_EQ(user_.events[0].id, id);
  runUntil(0.3 + 5 - 0.001);
  EXPECT_EQ(sender_.sent.size(), 1u);  // Timer E stopped
  EXPECT_EQ(layer_.counts().client_non_invite, 1u);
  runUntil(0.3 + 5);
  EXPECT_EQ(layer_.counts().total(), 0u);
  EXPECT_EQ(user_.count(Ev::kClientFailure), 0u);
}

TEST_F(TransactionClient, TimerKIsZeroOnStreams) {
  send(request({.method = "BYE", .transport = "TCP"}), tcpFlow(), 0);
  receive(responseTo(sender_.sent[0].message(), 200, "t"), tcpFlow(), 2);
  EXPECT_EQ(layer_.nextDeadline(), at(2));
  runUntil(2);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionClient, ResponsesMatchOnBranchAndCSeqMethod) {
  TransactionId invite = send(request({.branch = "z9hG4bKsame"}), udpFlow(), 0);
  TransactionId cancel = send(request({.method = "CANCEL", .branch = "z9hG4bKsame"}), udpFlow(), 0);
  ASSERT_NE(invite, cancel);
  receive(responseTo(sender_.sent[1].message(), 200, "t"), udpFlow(), 0.1);
  receive(responseTo(sender_.sent[0].message(), 487, "t"), udpFlow(), 0.2);
  ASSERT_EQ(user_.count(Ev::kResponse), 2u);
  EXPECT_EQ(user_.events[0].id, cancel);
  EXPECT_EQ(user_.events[1].id, invite);
  EXPECT_EQ(user_.events[1].message->statusCode(), 487);
  // Same branch, unknown method; unknown branch: stray.
  receive(responseTo(request({.method = "INFO", .branch = "z9hG4bKsame"}), 200), udpFlow(), 0.3);
  receive(responseTo(request({.branch = "z9hG4bKother"}), 200), udpFlow(), 0.4);
  EXPECT_EQ(user_.count(Ev::kStray), 2u);
  EXPECT_EQ(user_.count(Ev::kResponse), 2u);
}

TEST_F(TransactionClient, SendFailureIsReportedFromTheNextOnTimer) {
  sender_.fail = true;
  TransactionId id = send(request({}), udpFlow(), 0);
  ASSERT_NE(id, 0u);
  EXPECT_TRUE(user_.events.empty());
  EXPECT_EQ(layer_.nextDeadline(), at(0));
  runUntil(0);
  ASSERT_EQ(user_.count(Ev::kClientFailure), 1u);
  EXPECT_EQ(user_.first(Ev::kClientFailure)->id, id);
  EXPECT_TRUE(user_.first(Ev::kClientFailure)->transport_error);
  EXPECT_EQ(layer_.counts().total(), 0u);
  EXPECT_FALSE(layer_.nextDeadline());
}

TEST_F(TransactionClient, RetransmissionFailureIsATransportError) {
  TransactionId id = send(request({.method = "OPTIONS"}), udpFlow(), 0);
  sender_.fail = true;
  runUntil(10);
  EXPECT_EQ(sender_.times(), (Times{0, 0.5}));
  ASSERT_EQ(user_.count(Ev::kClientFailure), 1u);
  EXPECT_EQ(user_.first(Ev::kClientFailure)->id, id);
  EXPECT_TRUE(user_.first(Ev::kClientFailure)->transport_error);
  EXPECT_EQ(layer_.counts().total(), 0u);
}

TEST_F(TransactionClient, RequestsThatCannotStartATransaction) {
  EXPECT_EQ(send(request({.branch = ""}), udpFlow(), 0), 0u);
  SipMessage no_cseq = request({});
  no_cseq.removeHeader("CSeq");
  EXPECT_EQ(send(std::move(no_cseq), udpFlow(), 0), 0u);
  EXPECT_NE(send(request({.branch = "z9hG4bKdup"}), udpFlow(), 0), 0u);
  EXPECT_EQ(send(request({.branch = "z9hG4bKdup"}), udpFlow(), 0), 0u);
  EXPECT_EQ(send(request({.method = "ACK"}), udpFlow(), 0), 0u);  // sent statelessly
  EXPECT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.last().message().method(), "ACK");
  EXPECT_EQ(layer_.counts().total(), 1u);
}

TEST_F(TransactionClient, MalformedResponsesAreDropped) {
  send(request({}), udpFlow(), 0);
  SipMessage req = sender_.sent[0].message();
  SipMessage no_via = responseTo(req, 180);
  no_via.removeHeader("Via");
  SipMessage no_branch = responseTo(request({.branch = ""}), 180);
  SipMessage bad_cseq = responseTo(req, 180);
  bad_cseq.setHeader("CSeq", "x INVITE");
  SipMessage bad_code = SipMessage::response(99, "odd");
  receive(no_via, udpFlow(), 0.1);
  receive(no_branch, udpFlow(), 0.1);
  receive(bad_cseq, udpFlow(), 0.1);
  receive(bad_code, udpFlow(), 0.1);
  EXPECT_TRUE(user_.events.empty());
  EXPECT_EQ(layer_.counts().client_invite, 1u);
}

TEST_F(TransactionClient, RequestAndFlowAreKeptUntilTheEnd) {
  TransactionId id = send(request({.method = "OPTIONS"}), udpFlow(), 0);
  ASSERT_NE(layer_.request(id), nullptr);
  EXPECT_EQ(layer_.request(id)->method(), "OPTIONS");
  ASSERT_NE(layer_.flow(id), nullptr);
  EXPECT_EQ(*layer_.flow(id), udpFlow());
  runUntil(40);
  EXPECT_EQ(layer_.request(id), nullptr);
  EXPECT_EQ(layer_.flow(id), nullptr);
}

TEST_F(TransactionClient, CallbacksMayReenterTheLayer) {
  // On a timeout the user retries at once; on a response it sends a new request.
  std::vector<TransactionId> retries;
  user_.on_client_failure = [&](TransactionId id) {
    EXPECT_NE(layer_.request(id), nullptr);  // still there during the callback
    if (retries.size() < 2) {
      retries.push_back(layer_.sendRequest(
          request({.method = "OPTIONS", .branch = "z9hG4bKretry" + std::to_string(retries.size())}),
          tcpFlow(), now_));
    }
  };
  TransactionId bye = 0;
  user_.on_response = [&](TransactionId, const SipMessage& r) {
    if (r.statusCode() == 200 && bye == 0) {
      bye = layer_.sendRequest(
          request({.method = "BYE", .branch = "z9hG4bKbye", .transport = "TCP"}), tcpFlow(), now_);
    }
  };
  send(request({.method = "OPTIONS", .transport = "TCP"}), tcpFlow(), 0);
  runUntil(32);
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_EQ(layer_.counts().client_non_invite, 1u);
  EXPECT_EQ(layer_.nextDeadline(), at(64));
  runUntil(64);
  ASSERT_EQ(retries.size(), 2u);
  receive(responseTo(*layer_.request(retries[1]), 200, "x"), tcpFlow(), 65);
  ASSERT_NE(bye, 0u);
  EXPECT_EQ(layer_.counts().client_non_invite, 2u);  // the OPTIONS (K due now) and the BYE
  runUntil(200);
  EXPECT_EQ(layer_.counts().total(), 0u);
  EXPECT_FALSE(layer_.nextDeadline());
}

TEST_F(TransactionClient, ManyTimersDueAtOnceAllFire) {
  for (int i = 0; i < 5; ++i) {
    send(request({.method = "OPTIONS", .branch = "z9hG4bKm" + std::to_string(i)}), udpFlow(), 0);
  }
  setNow(at(100));
  layer_.onTimer(at(100));  // one late call
  EXPECT_EQ(user_.count(Ev::kClientFailure), 5u);
  EXPECT_EQ(sender_.sent.size(), 5u * 11u);  // the schedule is kept even when late
  EXPECT_EQ(layer_.counts().total(), 0u);
}

// --- responseFlow --------------------------------------------------------------

TEST(TransactionResponseFlow, StreamsAnswerOnTheirConnection) {
  Flow from = tcpFlow(42);
  EXPECT_EQ(TransactionLayer::responseFlow(
                request({.via_host = "10.0.0.1:5090", .transport = "TCP"}), from),
            from);
}

TEST(TransactionResponseFlow, UdpUsesSourceAddressAndViaPort) {
  Flow from = udpFlow("203.0.113.5", 34000);
  Flow to = TransactionLayer::responseFlow(request({.via_host = "10.0.0.1:5090"}), from);
  EXPECT_EQ(to.remote, (NetAddress{"203.0.113.5", 5090}));
  EXPECT_EQ(to.local, from.local);
  EXPECT_EQ(to.transport, TransportKind::kUdp);
  to = TransactionLayer::responseFlow(request({.via_host = "10.0.0.1"}), from);
  EXPECT_EQ(to.remote, (NetAddress{"203.0.113.5", 5060}));
}

TEST(TransactionResponseFlow, UdpWithRportUsesSourcePort) {
  Flow from = udpFlow("203.0.113.5", 34000);
  EXPECT_EQ(TransactionLayer::responseFlow(
                request({.via_host = "10.0.0.1:5090", .via_params = ";rport"}), from)
                .remote,
            (NetAddress{"203.0.113.5", 34000}));
  EXPECT_EQ(
      TransactionLayer::responseFlow(
          request({.via_host = "10.0.0.1:5090", .via_params = ";rport=34000;received=203.0.113.5"}),
          from)
          .remote,
      (NetAddress{"203.0.113.5", 34000}));
}

TEST(TransactionResponseFlow, WithoutUsableViaFallsBackToTheSource) {
  Flow from = udpFlow("203.0.113.5", 34000);
  SipMessage m = request({});
  m.removeHeader("Via");
  EXPECT_EQ(TransactionLayer::responseFlow(m, from), from);
}

}  // namespace
}  // namespace sb::sip::testing
