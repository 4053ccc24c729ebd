#include "sip/sdp_negotiation.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/source_dir.hpp"

namespace sb::sip {
namespace {

std::filesystem::path findDataDir() { return sb::testing::sourcePath("tests/data/sdp"); }

SessionDescription parseText(const std::string& text) {
  auto result = parseSdp(text);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message) << "\n" << text;
  return result.ok() ? std::move(result).value() : SessionDescription{};
}

SessionDescription parseFile(const std::string& name) {
  std::ifstream in(findDataDir() / name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return parseText(s.str());
}

// An offer with one audio line: `formats` on the m= line and the given attribute lines.
SessionDescription offer(const std::string& formats, const std::string& attributes = "",
                         const std::string& address = "192.0.2.50") {
  return parseText("v=0\r\no=peer 10 20 IN IP4 " + address + "\r\ns=-\r\nc=IN IP4 " + address +
                   "\r\nt=0 0\r\nm=audio 5004 RTP/AVP " + formats + "\r\n" + attributes);
}

LocalMedia ours() {
  LocalMedia local;
  local.address = "203.0.113.1";
  local.rtp_port = 31000;
  local.session_id = "77";
  local.session_version = 5;
  return local;
}

SdpAnswer answerOk(const SessionDescription& offer_sdp, const LocalMedia& local = ours()) {
  auto result = answerOffer(offer_sdp, local);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (!result.ok()) return {};
  // Whatever we answer must be valid SDP that survives a round trip.
  auto reparsed = parseSdp(serializeSdp(result->sdp));
  EXPECT_TRUE(reparsed.ok()) << serializeSdp(result->sdp);
  if (reparsed.ok()) {
    EXPECT_EQ(*reparsed, result->sdp);
  }
  return std::move(result).value();
}

std::string refusal(const SessionDescription& offer_sdp, const LocalMedia& local = ours()) {
  auto result = answerOffer(offer_sdp, local);
  EXPECT_FALSE(result.ok());
  return result.ok() ? "" : result.error().message;
}

TEST(SdpNegotiation, PcmuOnly) {
  auto a = answerOk(offer("0"));
  EXPECT_EQ(a.audio.codec, AudioCodec::kPcmu);
  EXPECT_EQ(a.audio.payload_type, 0);
  EXPECT_FALSE(a.audio.telephone_event_payload_type);
  EXPECT_EQ(a.audio.remote_address, "192.0.2.50");
  EXPECT_EQ(a.audio.remote_port, 5004);
  EXPECT_EQ(a.audio.local_direction, SdpDirection::kSendRecv);
  const auto& m = a.sdp.media.at(0);
  EXPECT_EQ(m.port, 31000);
  EXPECT_EQ(m.formats, std::vector<std::string>{"0"});
  EXPECT_EQ(m.ptime(), 20u);
  EXPECT_EQ(a.sdp.connection->address, "203.0.113.1");
  EXPECT_EQ(a.sdp.origin.session_id, "77");
  EXPECT_EQ(a.sdp.origin.session_version, 5u);
}

TEST(SdpNegotiation, PcmaOnly) {
  auto a = answerOk(offer("8"));
  EXPECT_EQ(a.audio.codec, AudioCodec::kPcma);
  EXPECT_EQ(a.sdp.media.at(0).rtpMap(8)->encoding, "PCMA");
}

TEST(SdpNegotiation, FirstOfferedCodecWinsInEitherOrder) {
  EXPECT_EQ(answerOk(offer("0 8")).audio.codec, AudioCodec::kPcmu);
  EXPECT_EQ(answerOk(offer("8 0")).audio.codec, AudioCodec::kPcma);
  EXPECT_EQ(answerOk(offer("9 18 8 0")).audio.codec, AudioCodec::kPcma);
}

TEST(SdpNegotiation, OurCodecListRestrictsTheChoice) {
  LocalMedia pcma_only = ours();
  pcma_only.codecs = {AudioCodec::kPcma};
  EXPECT_EQ(answerOk(offer("0 8"), pcma_only).audio.codec, AudioCodec::kPcma);
  EXPECT_NE(refusal(offer("0"), pcma_only).find("no common codec"), std::string::npos);
}

TEST(SdpNegotiation, NoCommonCodecIs488) {
  auto why = refusal(offer("9 18", "a=rtpmap:9 G722/8000\r\na=rtpmap:18 G729/8000\r\n"));
  EXPECT_NE(why.find("not acceptable"), std::string::npos);
  EXPECT_NE(why.find("no common codec"), std::string::npos);
}

TEST(SdpNegotiation, DynamicPayloadTypeForG711KeepsTheOfferNumber) {
  auto a = answerOk(offer("98", "a=rtpmap:98 pcmu/8000\r\n"));
  EXPECT_EQ(a.audio.codec, AudioCodec::kPcmu);
  EXPECT_EQ(a.audio.payload_type, 98);
  EXPECT_EQ(a.sdp.media.at(0).formats, std::vector<std::string>{"98"});
}

TEST(SdpNegotiation, DynamicPayloadTypeWithoutRtpMapIsUnusable) {
  EXPECT_NE(refusal(offer("98 101")).find("no common codec"), std::string::npos);
  // …and a static type remapped to something else is not G.711.
  EXPECT_FALSE(answerOffer(offer("0", "a=rtpmap:0 opus/48000/2\r\n"), ours()).ok());
  // …and a G.711 at another clock rate is not ours either.
  EXPECT_FALSE(answerOffer(offer("99", "a=rtpmap:99 PCMU/16000\r\n"), ours()).ok());
}

TEST(SdpNegotiation, TelephoneEventKeptWithTheOfferedPayloadType) {
  for (int pt : {96, 101, 127}) {
    const auto p = std::to_string(pt);
    auto a = answerOk(
        offer("8 " + p, "a=rtpmap:" + p + " telephone-event/8000\r\na=fmtp:" + p + " 0-15\r\n"));
    EXPECT_EQ(a.audio.telephone_event_payload_type, pt);
    const auto& m = a.sdp.media.at(0);
    EXPECT_EQ(m.formats, (std::vector<std::string>{"8", p}));
    EXPECT_EQ(m.rtpMap(pt)->encoding, "telephone-event");
    EXPECT_EQ(m.fmtp(p)->parameters, "0-16");
  }
}

TEST(SdpNegotiation, TelephoneEventAbsentOrAtAnotherRateIsLeftOut) {
  EXPECT_FALSE(answerOk(offer("0")).audio.telephone_event_payload_type);
  EXPECT_FALSE(answerOk(offer("0 110", "a=rtpmap:110 telephone-event/48000\r\n"))
                   .audio.telephone_event_payload_type);
  LocalMedia no_dtmf = ours();
  no_dtmf.telephone_event = false;
  auto a = answerOk(offer("0 101", "a=rtpmap:101 telephone-event/8000\r\n"), no_dtmf);
  EXPECT_FALSE(a.audio.telephone_event_payload_type);
  EXPECT_EQ(a.sdp.media.at(0).formats, std::vector<std::string>{"0"});
}

TEST(SdpNegotiation, DirectionMirroring) {
  struct Case {
    const char* offered;
    bool holding;
    SdpDirection answered;
  };
  for (const Case& c : {Case{"sendrecv", false, SdpDirection::kSendRecv},
                        Case{"sendonly", false, SdpDirection::kRecvOnly},
                        Case{"recvonly", false, SdpDirection::kSendOnly},
                        Case{"inactive", false, SdpDirection::kInactive},
                        Case{"sendrecv", true, SdpDirection::kSendOnly},
                        Case{"sendonly", true, SdpDirection::kInactive},
                        Case{"recvonly", true, SdpDirection::kSendOnly},
                        Case{"inactive", true, SdpDirection::kInactive}}) {
    SCOPED_TRACE(std::string(c.offered) + (c.holding ? " holding" : ""));
    LocalMedia local = ours();
    local.holding = c.holding;
    auto a = answerOk(offer("0", std::string("a=") + c.offered + "\r\n"), local);
    EXPECT_EQ(a.audio.local_direction, c.answered);
    EXPECT_EQ(a.sdp.directionFor(0), c.answered);
  }
}

TEST(SdpNegotiation, HoldDetection) {
  auto held = answerOk(parseFile("yealink_hold.sdp"));
  EXPECT_TRUE(held.audio.remote_hold);
  EXPECT_EQ(held.audio.local_direction, SdpDirection::kRecvOnly);
  EXPECT_FALSE(held.audio.weSend());
  EXPECT_EQ(held.audio.telephone_event_payload_type, 101);

  auto old_style = answerOk(parseFile("rfc2543_hold.sdp"));
  EXPECT_TRUE(old_style.audio.remote_hold);
  EXPECT_FALSE(old_style.audio.weSend());  // never send to 0.0.0.0
  EXPECT_EQ(old_style.audio.local_direction, SdpDirection::kRecvOnly);

  auto resumed = answerOk(offer("0", "a=sendrecv\r\n"));
  EXPECT_FALSE(resumed.audio.remote_hold);
  EXPECT_TRUE(resumed.audio.weSend());
  EXPECT_TRUE(resumed.audio.weReceive());
}

TEST(SdpNegotiation, VideoRejectedWithPortZeroKeepingOrderAndCount) {
  auto a = answerOk(parseFile("audio_video_offer.sdp"));
  ASSERT_EQ(a.sdp.media.size(), 3u);
  EXPECT_EQ(a.sdp.media[0].media, "video");
  EXPECT_EQ(a.sdp.media[0].port, 0);
  EXPECT_EQ(a.sdp.media[0].formats, std::vector<std::string>{"96"});
  EXPECT_EQ(a.sdp.media[1].media, "audio");
  EXPECT_EQ(a.sdp.media[1].port, 31000);
  EXPECT_EQ(a.sdp.media[2].media, "application");
  EXPECT_EQ(a.sdp.media[2].port, 0);
  EXPECT_EQ(a.sdp.media[2].protocol_text, "UDP/BFCP");
  EXPECT_EQ(a.audio.media_index, 1u);
  EXPECT_EQ(a.audio.telephone_event_payload_type, 101);
}

TEST(SdpNegotiation, OnlyTheFirstUsableAudioLineIsTaken) {
  auto o =
      offer("18", "a=rtpmap:18 G729/8000\r\nm=audio 5006 RTP/AVP 0\r\nm=audio 5008 RTP/AVP 8\r\n");
  auto a = answerOk(o);
  ASSERT_EQ(a.sdp.media.size(), 3u);
  EXPECT_EQ(a.sdp.media[0].port, 0);
  EXPECT_EQ(a.sdp.media[1].port, 31000);
  EXPECT_EQ(a.sdp.media[2].port, 0);
  EXPECT_EQ(a.audio.remote_port, 5006);
}

TEST(SdpNegotiation, Ipv6NullAddressIsHold) {
  auto o = parseText(
      "v=0\r\no=- 1 1 IN IP6 2001:db8::2\r\ns=-\r\nc=IN IP6 ::\r\nt=0 0\r\n"
      "m=audio 5000 RTP/AVP 8\r\n");
  auto a = answerOk(o);
  EXPECT_TRUE(a.audio.remote_hold);
  EXPECT_EQ(a.audio.local_direction, SdpDirection::kRecvOnly);
}

TEST(SdpNegotiation, AnswerCarriesOurIpv6Address) {
  LocalMedia local = ours();
  local.address_type = SdpAddressType::kIp6;
  local.address = "2001:db8::100";
  auto a = answerOk(offer("0"), local);
  EXPECT_EQ(a.sdp.connection->address_type, SdpAddressType::kIp6);
  EXPECT_NE(serializeSdp(a.sdp).find("c=IN IP6 2001:db8::100\r\n"), std::string::npos);
}

TEST(SdpNegotiation, MediaLevelConnectionAndIpv6) {
  auto a = answerOk(parseFile("ipv6_offer.sdp"));
  EXPECT_EQ(a.audio.remote_address_type, SdpAddressType::kIp6);
  EXPECT_EQ(a.audio.remote_address, "2001:db8::1");
  EXPECT_EQ(a.audio.telephone_event_payload_type, 96);
  EXPECT_EQ(a.sdp.media.at(1).port, 0);
}

TEST(SdpNegotiation, RefusedOffers) {
  EXPECT_NE(refusal(parseFile("chrome_webrtc_offer.sdp")).find("not supported"), std::string::npos);
  auto no_connection =
      parseText("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n");
  EXPECT_NE(refusal(no_connection).find("connection"), std::string::npos);
  auto disabled = offer("0");
  disabled.media[0].port = 0;
  EXPECT_NE(refusal(disabled).find("disabled"), std::string::npos);
  auto video_only = parseText(
      "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n"
      "m=video 4000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n");
  EXPECT_NE(refusal(video_only).find("no audio"), std::string::npos);
  EXPECT_NE(refusal(offer("0", "", "224.2.1.1/127")).find("multicast"), std::string::npos);
  auto no_media = parseText("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n");
  EXPECT_FALSE(answerOffer(no_media, ours()).ok());
}

TEST(SdpNegotiation, RealWorldOffers) {
  EXPECT_EQ(answerOk(parseFile("sipp_uac_pcmu.sdp")).audio.codec, AudioCodec::kPcmu);
  auto baresip = answerOk(parseFile("baresip_offer.sdp"));
  EXPECT_EQ(baresip.audio.codec, AudioCodec::kPcmu);  // opus and G722 come first
  EXPECT_EQ(baresip.audio.telephone_event_payload_type, 101);
  auto asterisk = answerOk(parseFile("asterisk_offer.sdp"));
  EXPECT_EQ(asterisk.audio.codec, AudioCodec::kPcma);
  auto polycom = answerOk(parseFile("polycom_offer.sdp"));
  EXPECT_EQ(polycom.audio.codec, AudioCodec::kPcmu);
  EXPECT_EQ(polycom.audio.telephone_event_payload_type, 127);
}

TEST(SdpOffer, OurOfferAndItsAnswer) {
  const auto our_offer = buildOffer(ours(), SdpDirection::kSendRecv);
  const auto text = serializeSdp(our_offer);
  EXPECT_NE(text.find("m=audio 31000 RTP/AVP 0 8 101\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("a=rtpmap:101 telephone-event/8000\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=ptime:20\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=sendrecv\r\n"), std::string::npos);
  ASSERT_TRUE(parseSdp(text).ok());

  // The agent's phone answers as a peer would: it is our answerOffer on the other side.
  LocalMedia phone;
  phone.address = "10.0.0.9";
  phone.rtp_port = 4444;
  phone.codecs = {AudioCodec::kPcma};
  auto answer = answerOffer(our_offer, phone);
  ASSERT_TRUE(answer.ok());
  auto audio = processAnswer(our_offer, answer->sdp);
  ASSERT_TRUE(audio.ok()) << audio.error().message;
  EXPECT_EQ(audio->codec, AudioCodec::kPcma);
  EXPECT_EQ(audio->payload_type, 8);
  EXPECT_EQ(audio->telephone_event_payload_type, 101);
  EXPECT_EQ(audio->remote_address, "10.0.0.9");
  EXPECT_EQ(audio->remote_port, 4444);
  EXPECT_EQ(audio->local_direction, SdpDirection::kSendRecv);
  EXPECT_FALSE(audio->remote_hold);
}

TEST(SdpOffer, ProcessAnswerDirectionsAndErrors) {
  const auto hold_offer = buildOffer(ours(), SdpDirection::kSendOnly);
  auto answer = parseText(
      "v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n"
      "m=audio 4444 RTP/AVP 0\r\na=recvonly\r\n");
  auto audio = processAnswer(hold_offer, answer);
  ASSERT_TRUE(audio.ok());
  EXPECT_EQ(audio->local_direction, SdpDirection::kSendOnly);
  EXPECT_FALSE(audio->remote_hold);
  EXPECT_FALSE(audio->telephone_event_payload_type);

  const auto normal = buildOffer(ours(), SdpDirection::kSendRecv);
  auto they_hold = answer;
  they_hold.media[0].attributes = {makeDirectionAttribute(SdpDirection::kSendOnly)};
  auto held = processAnswer(normal, they_hold);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->remote_hold);
  EXPECT_EQ(held->local_direction, SdpDirection::kRecvOnly);

  auto wrong_codec = answer;
  wrong_codec.media[0].formats = {"18"};
  EXPECT_FALSE(processAnswer(normal, wrong_codec).ok());
  auto rejected = answer;
  rejected.media[0].port = 0;
  EXPECT_FALSE(processAnswer(normal, rejected).ok());
  auto extra = answer;
  extra.media.push_back(answer.media[0]);
  EXPECT_FALSE(processAnswer(normal, extra).ok());
  auto no_connection = answer;
  no_connection.connection.reset();
  EXPECT_FALSE(processAnswer(normal, no_connection).ok());
}

TEST(SdpOffer, SessionVersionGrowsWithEachReOffer) {
  LocalSdpSession session(ours());
  const auto first = session.offer(SdpDirection::kSendRecv);
  const auto hold = session.offer(SdpDirection::kSendOnly);
  const auto quiet = session.offer(SdpDirection::kInactive);
  const auto resume = session.offer(SdpDirection::kSendRecv);
  EXPECT_EQ(first.origin.session_version, 5u);
  EXPECT_EQ(hold.origin.session_version, 6u);
  EXPECT_EQ(quiet.origin.session_version, 7u);
  EXPECT_EQ(resume.origin.session_version, 8u);
  EXPECT_EQ(hold.origin.session_id, first.origin.session_id);
  EXPECT_EQ(hold.directionFor(0), SdpDirection::kSendOnly);
  EXPECT_EQ(quiet.directionFor(0), SdpDirection::kInactive);
  EXPECT_EQ(resume.directionFor(0), SdpDirection::kSendRecv);

  auto answer = session.answer(offer("0"), true);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->sdp.origin.session_version, 9u);
  EXPECT_EQ(answer->audio.local_direction, SdpDirection::kSendOnly);
}

TEST(SdpOffer, AnswerDirectionTable) {
  EXPECT_EQ(answerDirection(SdpDirection::kSendRecv, false), SdpDirection::kSendRecv);
  EXPECT_EQ(answerDirection(SdpDirection::kSendOnly, false), SdpDirection::kRecvOnly);
  EXPECT_EQ(answerDirection(SdpDirection::kRecvOnly, false), SdpDirection::kSendOnly);
  EXPECT_EQ(answerDirection(SdpDirection::kInactive, false), SdpDirection::kInactive);
  EXPECT_EQ(answerDirection(SdpDirection::kSendRecv, true), SdpDirection::kSendOnly);
}

}  // namespace
}  // namespace sb::sip

namespace sb::sip {
namespace {

TEST(SdpNegotiationRtcp, RtcpMuxOfferedIsAcceptedAndEchoed) {
  auto answer = answerOffer(offer("0", "a=rtcp-mux\r\n"), ours());
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(answer->audio.rtcp_mux);
  ASSERT_EQ(answer->sdp.media.size(), 1u);
  EXPECT_TRUE(answer->sdp.media[0].rtcpMux());
}

TEST(SdpNegotiationRtcp, NoRtcpMuxUnlessOffered) {
  auto answer = answerOffer(offer("0"), ours());
  ASSERT_TRUE(answer.ok());
  EXPECT_FALSE(answer->audio.rtcp_mux);
  EXPECT_FALSE(answer->sdp.media[0].rtcpMux());
  EXPECT_EQ(answer->audio.remote_rtcp_port, 0);
}

TEST(SdpNegotiationRtcp, RtcpAttributePortIsKept) {
  auto answer = answerOffer(offer("0", "a=rtcp:6001\r\n"), ours());
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->audio.remote_rtcp_port, 6001);
}

TEST(SdpNegotiationRtcp, AnswerMuxCountsOnlyWhenWeOfferedIt) {
  const SessionDescription our = buildOffer(ours(), SdpDirection::kSendRecv);
  auto peer = parseText("v=0\r\no=peer 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
                        "m=audio 7000 RTP/AVP 0\r\na=rtcp-mux\r\n");
  auto audio = processAnswer(our, peer);
  ASSERT_TRUE(audio.ok());
  EXPECT_FALSE(audio->rtcp_mux);  // we never offered it: RTCP stays on port + 1
}

}  // namespace
}  // namespace sb::sip
