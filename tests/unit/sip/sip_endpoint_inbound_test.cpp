// SipEndpoint: inbound legs from the trunk (we are the UAS): offer checks, ring,
// answer and its ACK, BYE, CANCEL, the call's maximum duration, re-INVITEs from the far
// end and the dialog checks (CSeq order, glare).
#include <gtest/gtest.h>

#include "sip/sip_endpoint.hpp"
#include "unit/sip/endpoint_test_support.hpp"

namespace sb::sip::endpoint_testing {
namespace {

TEST_F(SipEndpointTest, TrunkInviteToAnUnknownNumberIs404) {
  Request r = trunkInvite();
  r.uri = "sip:0299999999@198.51.100.1";
  receive(r.text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 404);
  EXPECT_EQ(listener.calls.size(), 0u);
}

TEST_F(SipEndpointTest, TrunkInviteWithoutAUsableOfferIsRefused) {
  struct Case {
    std::string body, type;
    int status;
  };
  const Case cases[] = {{"", "application/sdp", 488},
                        {kG729Offer, "application/sdp", 488},
                        {"hello", "text/plain", 415}};
  int i = 0;
  for (const Case& c : cases) {
    Request r = trunkInvite("c" + std::to_string(i) + "@carrier", "z9hG4bKoff" + std::to_string(i));
    ++i;
    r.body = c.body;
    r.content_type = c.type;
    receive(r.text(), trunk());
    SipMessage refused = sender.last();
    EXPECT_EQ(refused.statusCode(), c.status) << c.body;
    EXPECT_TRUE(refused.header("Warning")) << c.body;
    if (c.status == 415) {
      EXPECT_EQ(refused.header("Accept"), "application/sdp");
    }
  }
  EXPECT_EQ(listener.calls.size(), 0u);
}

TEST_F(SipEndpointTest, TrunkInviteOffersACall) {
  const LegId leg = offerTrunkCall();
  ASSERT_NE(leg, 0u);
  ASSERT_EQ(listener.calls.size(), 1u);
  const IncomingCall& call = listener.calls[0];
  EXPECT_EQ(call.origin, LegOrigin::kTrunk);
  EXPECT_EQ(call.trunk, "carrier");
  EXPECT_EQ(call.number, kNumber);
  EXPECT_EQ(call.caller, "0612345678");
  EXPECT_EQ(call.caller_name, "Customer");
  EXPECT_EQ(call.sdp, kOffer);
  EXPECT_EQ(call.flow.remote.ip, kTrunkIp);
  EXPECT_EQ(endpoint->counts().legs, 1u);
  EXPECT_EQ(endpoint->counts().dialogs, 1u);
  // A retransmitted INVITE is not a second call.
  receive(trunkInvite().text(), trunk());
  EXPECT_EQ(listener.calls.size(), 1u);
  EXPECT_TRUE(endpoint->ring(leg, now));
  SipMessage ringing = sender.last();
  EXPECT_EQ(ringing.statusCode(), 180);
  EXPECT_FALSE(toTag(ringing).empty());
  EXPECT_TRUE(ringing.header("Contact"));
  endpoint->hangup(leg, now);
}

TEST_F(SipEndpointTest, AnswerIsRetransmittedUntilTheAck) {
  const LegId leg = offerTrunkCall();
  ASSERT_TRUE(endpoint->answer(leg, kAnswer, now));
  EXPECT_FALSE(endpoint->answer(leg, kAnswer, now));  // once only
  SipMessage ok = sender.last();
  ASSERT_EQ(ok.statusCode(), 200);
  EXPECT_EQ(ok.body(), kAnswer);
  EXPECT_EQ(ok.header("Content-Type"), "application/sdp");
  EXPECT_TRUE(ok.header("Contact"));
  const std::string tag = toTag(ok);
  EXPECT_FALSE(tag.empty());
  advance(at(0.5));
  advance(at(1.5));
  EXPECT_EQ(sender.responses(200).size(), 3u);
  receive(trunkInDialog("ACK", 1, "z9hG4bKack1").text(), trunk());
  advance(at(10));
  EXPECT_EQ(sender.responses(200).size(), 3u);
  EXPECT_EQ(listener.count("ended"), 0u);
  EXPECT_EQ(endpoint->counts().legs, 1u);
  // The caller hangs up.
  const size_t before = sender.size();
  receive(trunkInDialog("BYE", 2, "z9hG4bKbye1").text(), trunk());
  ASSERT_EQ(sender.size(), before + 1);
  EXPECT_EQ(sender.last().statusCode(), 200);
  ASSERT_NE(listener.find("ended"), nullptr);
  EXPECT_EQ(listener.find("ended")->leg, leg);
  EXPECT_EQ(listener.find("ended")->text, "remote_hangup");
  EXPECT_EQ(endpoint->counts().legs, 0u);
}

TEST_F(SipEndpointTest, NoAckMeansByeAndTimeout) {
  const LegId leg = offerTrunkCall();
  ASSERT_TRUE(endpoint->answer(leg, kAnswer, now));
  advance(at(31));
  EXPECT_EQ(listener.count("ended"), 0u);
  advance(at(33));
  ASSERT_EQ(listener.count("ended"), 1u);
  EXPECT_EQ(listener.find("ended")->text, "timeout");
  auto byes = sender.requestsTo("BYE", kTrunkIp);
  ASSERT_EQ(byes.size(), 1u);
  EXPECT_EQ(byes[0].requestUri(), "sip:0612345678@192.0.2.10:5060");  // the caller's Contact
  EXPECT_EQ(toTag(byes[0]), "cust1");
  const size_t oks = sender.responses(200).size();
  advance(at(60));
  EXPECT_EQ(sender.responses(200).size(), oks);  // no more 200s
}

TEST_F(SipEndpointTest, ByeBeforeTheAckEndsTheCall) {
  const LegId leg = offerTrunkCall();
  ASSERT_TRUE(endpoint->answer(leg, kAnswer, now));
  receive(trunkInDialog("BYE", 2, "z9hG4bKbye1").text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 200);
  EXPECT_EQ(listener.find("ended")->text, "remote_hangup");
  const size_t oks = sender.responses(200).size();
  advance(at(20));
  EXPECT_EQ(sender.responses(200).size(), oks);  // the 2xx retransmissions stopped
  EXPECT_EQ(sender.requests("BYE").size(), 0u);
}

TEST_F(SipEndpointTest, CancelBeforeTheAnswer) {
  const LegId leg = offerTrunkCall();
  ASSERT_TRUE(endpoint->ring(leg, now));
  Request cancel = trunkInvite();
  cancel.method = "CANCEL";
  cancel.body.clear();
  cancel.extra.clear();
  receive(cancel.text(), trunk());
  ASSERT_GE(sender.size(), 3u);
  EXPECT_EQ(sender.sent[sender.size() - 2].message().statusCode(), 200);
  EXPECT_EQ(sender.sent[sender.size() - 2].message().header("CSeq"), "1 CANCEL");
  SipMessage terminated = sender.last();
  EXPECT_EQ(terminated.statusCode(), 487);
  EXPECT_EQ(terminated.header("CSeq"), "1 INVITE");
  ASSERT_EQ(listener.count("ended"), 1u);
  EXPECT_EQ(listener.find("ended")->text, "cancelled");
  EXPECT_FALSE(endpoint->answer(leg, kAnswer, now));
  // The caller ACKs the 487 (same branch): absorbed.
  Request ack = trunkInvite();
  ack.method = "ACK";
  ack.body.clear();
  ack.to += ";tag=" + toTag(terminated);
  const size_t before = sender.size();
  receive(ack.text(), trunk());
  EXPECT_EQ(sender.size(), before);
}

TEST_F(SipEndpointTest, AnUnansweredOfferGivesUp) {
  SipEndpointOptions options;
  options.timers.max_invite_pending = 60s;
  makeEndpoint(options);
  const LegId leg = offerTrunkCall();
  ASSERT_NE(leg, 0u);
  advance(at(61));
  EXPECT_EQ(sender.last().statusCode(), 408);
  ASSERT_EQ(listener.count("ended"), 1u);
  EXPECT_EQ(listener.find("ended")->text, "unanswered");
}

TEST_F(SipEndpointTest, RejectSendsTheStatus) {
  const LegId leg = offerTrunkCall();
  EXPECT_FALSE(endpoint->reject(leg, 200, now));
  EXPECT_TRUE(endpoint->reject(leg, 486, now));
  EXPECT_EQ(sender.last().statusCode(), 486);
  EXPECT_EQ(endpoint->counts().legs, 0u);
  EXPECT_EQ(listener.count("ended"), 0u);
}

TEST_F(SipEndpointTest, ListenerMayAnswerFromInsideTheCallback) {
  listener.on_incoming = [this](LegId leg, const IncomingCall&) {
    EXPECT_TRUE(endpoint->ring(leg, now));
    EXPECT_TRUE(endpoint->answer(leg, kAnswer, now));
  };
  const LegId leg = offerTrunkCall();
  ASSERT_NE(leg, 0u);
  EXPECT_EQ(sender.responses(180).size(), 1u);
  EXPECT_EQ(sender.responses(200).size(), 1u);
  receive(trunkInDialog("ACK", 1, "z9hG4bKack1").text(), trunk());
  endpoint->hangup(leg, now);
  EXPECT_EQ(sender.requests("BYE").size(), 1u);
  EXPECT_EQ(listener.count("ended"), 0u);  // no event after hangup
}

TEST_F(SipEndpointTest, ListenerMayRejectFromInsideTheCallback) {
  listener.on_incoming = [this](LegId leg, const IncomingCall&) {
    endpoint->reject(leg, 404, now);
  };
  offerTrunkCall();
  EXPECT_EQ(sender.last().statusCode(), 404);
  EXPECT_EQ(endpoint->counts().legs, 0u);
}

TEST_F(SipEndpointTest, HangupWhileOfferedAnswers480) {
  const LegId leg = offerTrunkCall();
  endpoint->hangup(leg, now);
  EXPECT_EQ(sender.last().statusCode(), 480);
  EXPECT_EQ(endpoint->counts().legs, 0u);
  EXPECT_EQ(listener.count("ended"), 0u);
  endpoint->hangup(leg, now);  // again: nothing
  EXPECT_FALSE(endpoint->ring(leg, now));
}

TEST_F(SipEndpointTest, HangupWhileConfirmedSendsBye) {
  const LegId leg = confirmedTrunkCall();
  endpoint->hangup(leg, now);
  auto byes = sender.requests("BYE");
  ASSERT_EQ(byes.size(), 1u);
  EXPECT_EQ(fromTag(byes[0]), ourTag());
  EXPECT_EQ(toTag(byes[0]), "cust1");
  EXPECT_EQ(sender.sent.back().flow.remote.ip, kTrunkIp);
  receive(responseText(byes[0], 200, ""), trunk());
  EXPECT_EQ(endpoint->counts().legs, 0u);
  EXPECT_EQ(listener.count("ended"), 0u);
}

TEST_F(SipEndpointTest, HangupWhileWaitingForTheAckSendsBye) {
  const LegId leg = offerTrunkCall();
  ASSERT_TRUE(endpoint->answer(leg, kAnswer, now));
  endpoint->hangup(leg, now);
  EXPECT_EQ(sender.requests("BYE").size(), 1u);
  const size_t oks = sender.responses(200).size();
  advance(at(40));
  EXPECT_EQ(sender.responses(200).size(), oks);
  EXPECT_EQ(listener.count("ended"), 0u);
}

TEST_F(SipEndpointTest, TheLongestCallIsHungUp) {
  const LegId leg = confirmedTrunkCall();
  advance(kT0 + 12h - 1s);
  EXPECT_EQ(sender.requests("BYE").size(), 0u);
  advance(kT0 + 12h + 1s);
  EXPECT_EQ(sender.requests("BYE").size(), 1u);
  ASSERT_EQ(listener.count("ended"), 1u);
  EXPECT_EQ(listener.find("ended")->leg, leg);
  EXPECT_EQ(listener.find("ended")->text, "timeout");
}

TEST_F(SipEndpointTest, ReinviteFromTheFarEndIsAnswered) {
  const LegId leg = confirmedTrunkCall();
  Request reinvite = trunkInDialog("INVITE", 2, "z9hG4bKre1");
  reinvite.body = kOffer + "a=sendonly\r\n";
  reinvite.extra = "Contact: <sip:0612345678@192.0.2.10:5070>\r\n";
  receive(reinvite.text(), trunk());
  ASSERT_EQ(listener.count("offer"), 1u);
  EXPECT_EQ(listener.find("offer")->text, reinvite.body);
  EXPECT_FALSE(endpoint->reinvite(leg, kAnswer, now));  // one at a time
  ASSERT_TRUE(endpoint->answerOffer(leg, kAnswer, now));
  EXPECT_FALSE(endpoint->answerOffer(leg, kAnswer, now));
  SipMessage ok = sender.last();
  EXPECT_EQ(ok.statusCode(), 200);
  EXPECT_EQ(ok.header("CSeq"), "2 INVITE");
  EXPECT_EQ(ok.body(), kAnswer);
  advance(at(0.6));
  EXPECT_EQ(sender.responses(200).size(),
            3u);  // 200 of the INVITE, of the re-INVITE, its retransmission
  receive(trunkInDialog("ACK", 2, "z9hG4bKack2").text(), trunk());
  advance(at(5));
  EXPECT_EQ(sender.responses(200).size(), 3u);
  // The new Contact is the target of our BYE.
  endpoint->hangup(leg, now);
  auto byes = sender.requests("BYE");
  ASSERT_EQ(byes.size(), 1u);
  EXPECT_EQ(byes[0].requestUri(), "sip:0612345678@192.0.2.10:5070");
}

TEST_F(SipEndpointTest, ReinviteCanBeRejected) {
  const LegId leg = confirmedTrunkCall();
  listener.on_offer = [this](LegId id, const std::string&) {
    EXPECT_TRUE(endpoint->rejectOffer(id, 488, now));
  };
  Request reinvite = trunkInDialog("INVITE", 2, "z9hG4bKre1");
  reinvite.body = kOffer;
  receive(reinvite.text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 488);
  EXPECT_FALSE(endpoint->answerOffer(leg, kAnswer, now));
  EXPECT_EQ(endpoint->counts().legs, 1u);
}

TEST_F(SipEndpointTest, ReinviteWithoutOfferGetsOursAgain) {
  confirmedTrunkCall();
  receive(trunkInDialog("INVITE", 2, "z9hG4bKre1").text(), trunk());
  SipMessage ok = sender.last();
  EXPECT_EQ(ok.statusCode(), 200);
  EXPECT_EQ(ok.body(), kAnswer);
  EXPECT_EQ(listener.count("offer"), 0u);
  receive(trunkInDialog("ACK", 2, "z9hG4bKack2").text(), trunk());
}

TEST_F(SipEndpointTest, ReinviteFromUsIsAnswered) {
  const LegId leg = confirmedTrunkCall();
  ASSERT_TRUE(endpoint->reinvite(leg, kAnswer + "a=sendonly\r\n", now));
  EXPECT_FALSE(endpoint->reinvite(leg, kAnswer, now));
  SipMessage invite = sender.last();
  ASSERT_TRUE(invite.isRequest());
  EXPECT_EQ(invite.method(), "INVITE");
  EXPECT_EQ(invite.requestUri(), "sip:0612345678@192.0.2.10:5060");
  EXPECT_EQ(fromTag(invite), ourTag());
  EXPECT_EQ(toTag(invite), "cust1");
  receive(responseText(invite, 100, ""), trunk());
  EXPECT_EQ(listener.count("offer_answered"), 0u);
  receive(responseText(invite, 200, "", "<sip:0612345678@192.0.2.10:5060>", kOffer), trunk());
  ASSERT_EQ(listener.count("offer_answered"), 1u);
  EXPECT_EQ(listener.find("offer_answered")->status, 200);
  EXPECT_EQ(listener.find("offer_answered")->text, kOffer);
  auto acks = sender.requests("ACK");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].header("CSeq"),
            std::string(cseqOf(invite) ? std::to_string(cseqOf(invite)->number) : "") + " ACK");
  // A retransmitted 200 gets the same ACK again, no second event.
  receive(responseText(invite, 200, "", "<sip:0612345678@192.0.2.10:5060>", kOffer), trunk());
  EXPECT_EQ(sender.requests("ACK").size(), 2u);
  EXPECT_EQ(listener.count("offer_answered"), 1u);
  EXPECT_TRUE(endpoint->reinvite(leg, kAnswer, now));  // the next one may go
  receive(responseText(sender.last(), 200, "", "<sip:0612345678@192.0.2.10:5060>", kOffer),
          trunk());
}

TEST_F(SipEndpointTest, AnAnswerToOurReinviteAfterTheHangupIsStillAcked) {
  const LegId leg = confirmedTrunkCall();
  ASSERT_TRUE(endpoint->reinvite(leg, kAnswer, now));
  SipMessage reinvite = sender.last();
  endpoint->hangup(leg, now);
  ASSERT_EQ(sender.requests("BYE").size(), 1u);
  const size_t before = sender.size();
  receive(responseText(reinvite, 200, "", "<sip:0612345678@192.0.2.10:5060>", kOffer), trunk());
  auto acks = sender.requests("ACK", before);
  ASSERT_EQ(acks.size(), 1u);  // else the far end retransmits its 2xx and hangs up itself
  EXPECT_EQ(acks[0].header("CSeq"), std::to_string(cseqOf(reinvite)->number) + " ACK");
  EXPECT_EQ(listener.count("offer_answered"), 0u);
}

TEST_F(SipEndpointTest, GlareIsAnswered491) {
  const LegId leg = confirmedTrunkCall();
  ASSERT_TRUE(endpoint->reinvite(leg, kAnswer, now));
  SipMessage ours = sender.last();
  Request theirs = trunkInDialog("INVITE", 2, "z9hG4bKre1");
  theirs.body = kOffer;
  receive(theirs.text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 491);
  EXPECT_EQ(listener.count("offer"), 0u);
  // And ours meets their glare too.
  receive(responseText(ours, 491, ""), trunk());
  ASSERT_EQ(listener.count("offer_answered"), 1u);
  EXPECT_EQ(listener.find("offer_answered")->status, 491);
  EXPECT_EQ(endpoint->counts().legs, 1u);
}

TEST_F(SipEndpointTest, OurReinviteTimingOutEndsTheCall) {
  const LegId leg = confirmedTrunkCall();
  ASSERT_TRUE(endpoint->reinvite(leg, kAnswer, now));
  advance(at(40));
  ASSERT_EQ(listener.count("ended"), 1u);
  EXPECT_EQ(listener.find("ended")->text, "timeout");
  EXPECT_EQ(sender.requests("BYE").size(), 1u);
}

TEST_F(SipEndpointTest, ByeWhileTheirReinviteIsPendingTerminatesIt) {
  const LegId leg = confirmedTrunkCall();
  Request reinvite = trunkInDialog("INVITE", 2, "z9hG4bKre1");
  reinvite.body = kOffer;
  receive(reinvite.text(), trunk());
  ASSERT_EQ(listener.count("offer"), 1u);
  receive(trunkInDialog("BYE", 3, "z9hG4bKbye1").text(), trunk());
  auto terminated = sender.responses(487);
  ASSERT_EQ(terminated.size(), 1u);  // RFC 3261 §15.1.2, at once (not a 408 minutes later)
  EXPECT_EQ(terminated[0].header("CSeq"), "2 INVITE");
  EXPECT_EQ(listener.find("ended")->text, "remote_hangup");
  EXPECT_FALSE(endpoint->answerOffer(leg, kAnswer, now));
}

TEST_F(SipEndpointTest, HangupWhileTheirReinviteIsPendingTerminatesIt) {
  const LegId leg = confirmedTrunkCall();
  Request reinvite = trunkInDialog("INVITE", 2, "z9hG4bKre1");
  reinvite.body = kOffer;
  receive(reinvite.text(), trunk());
  endpoint->hangup(leg, now);
  EXPECT_EQ(sender.responses(487).size(), 1u);
  EXPECT_EQ(sender.requests("BYE").size(), 1u);
}

TEST_F(SipEndpointTest, CancelOfAPendingReinvite) {
  const LegId leg = confirmedTrunkCall();
  Request reinvite = trunkInDialog("INVITE", 2, "z9hG4bKre1");
  reinvite.body = kOffer;
  receive(reinvite.text(), trunk());
  ASSERT_EQ(listener.count("offer"), 1u);
  Request cancel = reinvite;
  cancel.method = "CANCEL";
  cancel.body.clear();
  receive(cancel.text(), trunk());
  EXPECT_EQ(sender.responses(200).back().header("CSeq"), "2 CANCEL");
  auto terminated = sender.responses(487);
  ASSERT_EQ(terminated.size(), 1u);
  EXPECT_EQ(terminated[0].header("CSeq"), "2 INVITE");
  EXPECT_FALSE(endpoint->answerOffer(leg, kAnswer, now));
  EXPECT_EQ(endpoint->counts().legs, 1u);
  EXPECT_TRUE(endpoint->reinvite(leg, kAnswer, now));  // the leg goes on
}

TEST_F(SipEndpointTest, ByeInTheEarlyDialogEndsTheOffer) {
  const LegId leg = offerTrunkCall();
  ASSERT_TRUE(endpoint->ring(leg, now));
  receive(trunkInDialog("BYE", 2, "z9hG4bKbye1").text(), trunk());  // RFC 3261 §15
  ASSERT_EQ(sender.responses(200).size(), 1u);
  EXPECT_EQ(sender.responses(200)[0].header("CSeq"), "2 BYE");
  auto terminated = sender.responses(487);
  ASSERT_EQ(terminated.size(), 1u);
  EXPECT_EQ(terminated[0].header("CSeq"), "1 INVITE");
  ASSERT_EQ(listener.count("ended"), 1u);
  EXPECT_EQ(listener.find("ended")->text, "cancelled");
  EXPECT_FALSE(endpoint->answer(leg, kAnswer, now));
}

TEST_F(SipEndpointTest, OtherRequestsInTheEarlyDialogAre481) {
  const LegId leg = offerTrunkCall();
  ASSERT_TRUE(endpoint->ring(leg, now));
  receive(trunkInDialog("INFO", 2, "z9hG4bKinfo1").text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 481);
  EXPECT_EQ(listener.count("ended"), 0u);
  endpoint->hangup(leg, now);
}

TEST_F(SipEndpointTest, CSeqOutOfOrderIs500) {
  confirmedTrunkCall();
  receive(trunkInDialog("INFO", 5, "z9hG4bKinfo1").text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 200);
  receive(trunkInDialog("INFO", 4, "z9hG4bKinfo2").text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 500);
  receive(trunkInDialog("BYE", 5, "z9hG4bKbye1").text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 500);
  EXPECT_EQ(listener.count("ended"), 0u);
  receive(trunkInDialog("BYE", 6, "z9hG4bKbye2").text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 200);
  EXPECT_EQ(listener.count("ended"), 1u);
}

TEST_F(SipEndpointTest, InDialogRequestWithAForeignFromTagIs481) {
  confirmedTrunkCall();
  Request bye = trunkInDialog("BYE", 2, "z9hG4bKbye1");
  bye.from = "<sip:0612345678@192.0.2.10>;tag=someone-else";
  receive(bye.text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 481);
  EXPECT_EQ(listener.count("ended"), 0u);
}

TEST_F(SipEndpointTest, InDialogRequireAndUnknownMethods) {
  confirmedTrunkCall();
  Request update = trunkInDialog("UPDATE", 2, "z9hG4bKup1");
  receive(update.text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 405);
  Request bye = trunkInDialog("BYE", 3, "z9hG4bKbye1");
  bye.extra = "Require: timer\r\n";
  receive(bye.text(), trunk());
  EXPECT_EQ(sender.last().statusCode(), 420);
  EXPECT_EQ(listener.count("ended"), 0u);
}

}  // namespace
}  // namespace sb::sip::endpoint_testing
