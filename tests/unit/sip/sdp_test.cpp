#include "sip/sdp.hpp"

#include <gtest/gtest.h>

#include "support/source_dir.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sb::sip {
namespace {

std::filesystem::path dataDir() {
  return sb::testing::sourcePath("tests/data/sdp");
}

std::string readSdp(const std::string& name) {
  std::ifstream in(dataDir() / name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

SessionDescription parseOk(const std::string& text) {
  auto result = parseSdp(text);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message) << "\n" << text;
  return result.ok() ? std::move(result).value() : SessionDescription{};
}

void expectRejected(const std::string& text, const std::string& why_contains = "") {
  auto result = parseSdp(text);
  ASSERT_FALSE(result.ok()) << text;
  EXPECT_EQ(result.error().code, core::ErrorCode::kInvalidInput);
  if (!why_contains.empty()) {
    EXPECT_NE(result.error().message.find(why_contains), std::string::npos)
        << result.error().message;
  }
}

void expectRoundTrip(const SessionDescription& sdp) {
  const std::string text = serializeSdp(sdp);
  auto again = parseSdp(text);
  ASSERT_TRUE(again.ok()) << again.error().message << "\n" << text;
  EXPECT_EQ(*again, sdp) << text;
  EXPECT_EQ(serializeSdp(*again), text);
}

const std::string kMinimal =
    "v=0\r\n"
    "o=- 1 1 IN IP4 192.0.2.1\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.1\r\n"
    "t=0 0\r\n"
    "m=audio 4000 RTP/AVP 0\r\n";

TEST(SdpParse, Minimal) {
  auto sdp = parseOk(kMinimal);
  EXPECT_EQ(sdp.origin.username, "-");
  EXPECT_EQ(sdp.origin.session_version, 1u);
  ASSERT_TRUE(sdp.connection.has_value());
  EXPECT_EQ(sdp.connection->address, "192.0.2.1");
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_EQ(sdp.media[0].port, 4000);
  EXPECT_EQ(sdp.media[0].payloadTypes(), std::vector<int>{0});
  EXPECT_FALSE(sdp.media[0].rtpMap(0).has_value());  // static type without rtpmap is fine
  EXPECT_EQ(sdp.directionFor(0), SdpDirection::kSendRecv);
  EXPECT_FALSE(sdp.isHold(0));
}

TEST(SdpParse, LfLineEndsAndTrailingBlankLine) {
  std::string text = kMinimal;
  std::string lf;
  for (char c : text)
    if (c != '\r') lf += c;
  EXPECT_EQ(parseOk(lf + "\n"), parseOk(kMinimal));
}

TEST(SdpParse, SippOffer) {
  auto sdp = parseOk(readSdp("sipp_uac_pcmu.sdp"));
  EXPECT_EQ(sdp.origin.session_id, "53655765");
  EXPECT_EQ(sdp.origin.session_version, 2353687637u);
  auto map = sdp.media.at(0).rtpMap(0);
  ASSERT_TRUE(map);
  EXPECT_EQ(map->encoding, "PCMU");
  EXPECT_EQ(map->clock_rate, 8000u);
  EXPECT_EQ(map->channels, 0u);
}

TEST(SdpParse, BaresipOffer) {
  auto sdp = parseOk(readSdp("baresip_offer.sdp"));
  const auto& m = sdp.media.at(0);
  EXPECT_EQ(m.payloadTypes(), (std::vector<int>{96, 9, 0, 8, 101}));
  EXPECT_EQ(m.rtpMap(96)->channels, 2u);
  EXPECT_EQ(m.fmtp("101")->parameters, "0-15");
  EXPECT_TRUE(m.rtcpMux());
  EXPECT_EQ(m.ptime(), 20u);
  EXPECT_EQ(m.bandwidths, std::vector<std::string>{"AS:102"});
  EXPECT_EQ(m.direction(), SdpDirection::kSendRecv);
  ASSERT_EQ(sdp.attributes.size(), 1u);
  EXPECT_EQ(sdp.attributes[0].name, "tool");
  EXPECT_EQ(sdp.attributes[0].value, "baresip 3.10.1");
  // Unknown attributes are kept verbatim and in order.
  EXPECT_EQ(m.attributes[8].name, "ssrc");
  EXPECT_EQ(m.attributes[10].name, "label");
}

TEST(SdpParse, AsteriskOffer) {
  auto sdp = parseOk(readSdp("asterisk_offer.sdp"));
  EXPECT_EQ(sdp.session_name, "Asterisk");
  const auto& m = sdp.media.at(0);
  EXPECT_EQ(m.maxPtime(), 150u);
  EXPECT_EQ(m.rtpMaps().size(), 4u);
}

TEST(SdpParse, PolycomSessionLevelDirection) {
  auto sdp = parseOk(readSdp("polycom_offer.sdp"));
  EXPECT_EQ(sdp.direction(), SdpDirection::kSendRecv);
  EXPECT_FALSE(sdp.media.at(0).direction().has_value());
  EXPECT_EQ(sdp.media.at(0).rtpMap(127)->encoding, "telephone-event");
}

TEST(SdpParse, YealinkHold) {
  auto sdp = parseOk(readSdp("yealink_hold.sdp"));
  EXPECT_EQ(sdp.directionFor(0), SdpDirection::kSendOnly);
  EXPECT_TRUE(sdp.isHold(0));
}

TEST(SdpParse, Rfc2543HoldAddress) {
  auto sdp = parseOk(readSdp("rfc2543_hold.sdp"));
  EXPECT_EQ(sdp.directionFor(0), SdpDirection::kSendRecv);
  EXPECT_TRUE(sdp.isHold(0));
}

TEST(SdpParse, Ipv6MediaLevelConnectionWithoutSessionConnection) {
  auto sdp = parseOk(readSdp("ipv6_offer.sdp"));
  EXPECT_EQ(sdp.origin.address_type, SdpAddressType::kIp6);
  EXPECT_FALSE(sdp.connection.has_value());
  ASSERT_EQ(sdp.media.size(), 2u);
  const auto* c = sdp.connectionFor(0);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->address_type, SdpAddressType::kIp6);
  EXPECT_EQ(c->address, "2001:db8::1");
}

TEST(SdpParse, AudioVideoAndNonRtpMedia) {
  auto sdp = parseOk(readSdp("audio_video_offer.sdp"));
  ASSERT_EQ(sdp.media.size(), 3u);
  EXPECT_EQ(sdp.information, "A call with video");
  EXPECT_EQ(sdp.media[1].port_count, 2u);
  EXPECT_EQ(sdp.media[1].rtcpPort(), 40003);
  EXPECT_EQ(sdp.media[2].protocol, SdpProtocol::kOther);
  EXPECT_EQ(sdp.media[2].formats, std::vector<std::string>{"*"});
  EXPECT_TRUE(sdp.media[2].payloadTypes().empty());
}

TEST(SdpParse, ChromeWebRtcOffer) {
  auto sdp = parseOk(readSdp("chrome_webrtc_offer.sdp"));
  ASSERT_EQ(sdp.media.size(), 2u);
  EXPECT_EQ(sdp.origin.session_id, "4611731400430051336");
  EXPECT_EQ(sdp.media[0].protocol, SdpProtocol::kUdpTlsRtpSavpf);
  EXPECT_EQ(sdp.media[0].rtcpPort(), 9);
  EXPECT_TRUE(sdp.media[0].rtcpMux());
  EXPECT_EQ(sdp.media[0].rtpMap(126)->encoding, "telephone-event");
  EXPECT_EQ(sdp.attributes.at(2).value, " WMS 5f9c1f2e-8a1b-4c2d-9e3f-0a1b2c3d4e5f");
}

TEST(SdpParse, SecureProfilesRecognised) {
  for (auto [text, proto] :
       {std::pair{"RTP/SAVP", SdpProtocol::kRtpSavp},
        std::pair{"RTP/SAVPF", SdpProtocol::kRtpSavpf}, std::pair{"RTP/AVP", SdpProtocol::kRtpAvp},
        std::pair{"TCP/MSRP", SdpProtocol::kOther}}) {
    std::string sdp = kMinimal;
    sdp.replace(sdp.find("RTP/AVP"), 7, text);
    EXPECT_EQ(parseOk(sdp).media.at(0).protocol, proto) << text;
  }
}

TEST(SdpParse, EveryDataFileRoundTrips) {
  for (const auto& entry : std::filesystem::directory_iterator(dataDir())) {
    SCOPED_TRACE(entry.path().filename().string());
    expectRoundTrip(parseOk(readSdp(entry.path().filename().string())));
  }
}

TEST(SdpParse, MissingConnectionIsAllowedByTheParser) {
  std::string text = kMinimal;
  text.erase(text.find("c="), std::string("c=IN IP4 192.0.2.1\r\n").size());
  auto sdp = parseOk(text);
  EXPECT_EQ(sdp.connectionFor(0), nullptr);
}

TEST(SdpRefuse, MissingOrMisplacedMandatoryLines) {
  expectRejected("", "needs v=");
  expectRejected("v=0\r\n", "needs v=");
  expectRejected("o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\ns=-\r\nt=0 0\r\n", "v=");
  expectRejected("v=0\r\ns=-\r\no=- 1 1 IN IP4 1.2.3.4\r\nt=0 0\r\n", "o=");
  expectRejected("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n", "no t=");
  expectRejected("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nm=audio 1 RTP/AVP 0\r\nt=0 0\r\n",
                 "m= before t=");
  expectRejected("v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", "v=");
}

TEST(SdpRefuse, OutOfOrderLines) {
  expectRejected("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nc=IN IP4 1.2.3.4\r\n",
                 "out of order");
  expectRejected(kMinimal + "a=sendrecv\r\nc=IN IP4 1.2.3.4\r\n", "out of order");
  expectRejected(kMinimal + "t=0 0\r\n", "not allowed in a media");
  expectRejected(
      "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n",
      "more than one");
}

TEST(SdpRefuse, MalformedFields) {
  auto replaceLine = [](const std::string& prefix, const std::string& line) {
    std::string text = kMinimal;
    auto at = text.find(prefix);
    auto end = text.find("\r\n", at);
    return text.replace(at, end - at, line);
  };
  expectRejected(replaceLine("o=", "o=- 1 1 IN IP4"), "o=");
  expectRejected(replaceLine("o=", "o=- x 1 IN IP4 1.2.3.4"), "session id");
  expectRejected(replaceLine("o=", "o=- 1 99999999999999999999999 IN IP4 1.2.3.4"), "version");
  expectRejected(replaceLine("o=", "o=- 1 1 ATM IP4 1.2.3.4"), "network type");
  expectRejected(replaceLine("c=", "c=IN IP5 1.2.3.4"), "address type");
  expectRejected(replaceLine("c=", "c=IN IP4"), "c=");
  expectRejected(replaceLine("t=", "t=0"), "t=");
  expectRejected(replaceLine("t=", "t=now later"), "t=");
  expectRejected(replaceLine("m=", "m=audio 70000 RTP/AVP 0"), "port");
  expectRejected(replaceLine("m=", "m=audio -1 RTP/AVP 0"), "port");
  expectRejected(replaceLine("m=", "m=audio 4000/0 RTP/AVP 0"), "count");
  expectRejected(replaceLine("m=", "m=audio 4000 RTP/AVP"), "m=");
  expectRejected(replaceLine("m=", "m=audio 4000 RTP/AVP 128"), "0..127");
  expectRejected(replaceLine("m=", "m=audio 4000 RTP/AVP PCMU"), "0..127");
  expectRejected(kMinimal + "a=rtpmap:0 PCMU\r\n", "rtpmap");
  expectRejected(kMinimal + "a=rtpmap:0 PCMU/0\r\n", "rtpmap");
  expectRejected(kMinimal + "a=rtpmap:200 PCMU/8000\r\n", "rtpmap");
  expectRejected(kMinimal + "a=rtpmap:8 PCMA/8000\r\n", "not on the m= line");
  expectRejected(kMinimal + "a=ptime:x\r\n", "ptime");
  expectRejected(kMinimal + "a=ptime:0\r\n", "ptime");
  expectRejected(kMinimal + "a=rtcp:port\r\n", "rtcp");
  expectRejected(kMinimal + "a=:value\r\n", "token");
  expectRejected(kMinimal + "a=fmtp:\r\n", "fmtp");
  expectRejected(kMinimal + "x=unknown\r\n");
  expectRejected(kMinimal + "garbage\r\n", "<type>=<value>");
  expectRejected(kMinimal + "\r\na=sendrecv\r\n", "empty line");
}

TEST(SdpRefuse, HostileInput) {
  expectRejected(std::string(kMinimal) + "a=x" + std::string(2000, 'y') + "\r\n", "too long");
  std::string huge = kMinimal;
  while (huge.size() <= kSdpMaxBytes) huge += "a=label:1\r\n";
  expectRejected(huge, "16 KiB");
  std::string with_nul = kMinimal;
  with_nul[5] = '\0';
  expectRejected(with_nul, "control");
  expectRejected(kMinimal +
                     "a=tool:bad\x01"
                     "\r\n",
                 "control");
  expectRejected(std::string("v=0\ro=- 1 1 IN IP4 1.2.3.4\rs=-\rt=0 0\r"), "");
  expectRejected(std::string(3000, '\n'));
  expectRejected("\xff\xfe\x00garbage");
}

TEST(SdpRefuse, CountsAreBounded) {
  std::string many_media = kMinimal;
  for (std::size_t i = 0; i < kSdpMaxMedia; ++i) many_media += "m=audio 4000 RTP/AVP 0\r\n";
  expectRejected(many_media, "too many media");

  std::string formats = "m=audio 4000 RTP/AVP";
  for (std::size_t i = 0; i <= kSdpMaxFormats; ++i) formats += " 0";
  expectRejected(kMinimal + formats + "\r\n", "formats");

  std::string attributes = kMinimal;
  for (std::size_t i = 0; i <= kSdpMaxAttributes; ++i) attributes += "a=x\r\n";
  expectRejected(attributes, "too many media attributes");

  std::string timings = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n";
  for (std::size_t i = 0; i <= kSdpMaxRepeatedLines; ++i) timings += "t=0 0\r\n";
  expectRejected(timings, "too many");
}

TEST(SdpParse, LimitsAreInclusive) {
  std::string text = kMinimal;
  for (std::size_t i = 1; i < kSdpMaxMedia; ++i) text += "m=audio 4000 RTP/AVP 0\r\n";
  for (std::size_t i = 0; i < kSdpMaxAttributes; ++i) text += "a=x\r\n";
  EXPECT_EQ(parseOk(text).media.size(), kSdpMaxMedia);
}

TEST(SdpBuild, ModelFromScratchRoundTrips) {
  SessionDescription sdp;
  sdp.origin = SdpOrigin{"switchboard", "42", 7, SdpAddressType::kIp6, "2001:db8::5"};
  sdp.connection = SdpConnection{SdpAddressType::kIp6, "2001:db8::5"};
  sdp.timings.push_back(SdpTiming{0, 0, {"604800 3600 0 90000"}});
  sdp.attributes.push_back(makeDirectionAttribute(SdpDirection::kInactive));
  SdpMedia m;
  m.media = "audio";
  m.port = 30000;
  m.formats = {"8", "101"};
  m.attributes.push_back(makeRtpMapAttribute(SdpRtpMap{8, "PCMA", 8000, 0}));
  m.attributes.push_back(makeRtpMapAttribute(SdpRtpMap{101, "telephone-event", 8000, 0}));
  m.attributes.push_back(makeAttribute("fmtp", "101 0-16"));
  m.attributes.push_back(makeAttribute("rtcp-mux"));
  m.attributes.push_back(makeAttribute("empty", ""));
  sdp.media.push_back(m);
  const std::string text = serializeSdp(sdp);
  EXPECT_NE(text.find("o=switchboard 42 7 IN IP6 2001:db8::5\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=rtpmap:101 telephone-event/8000\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=empty:\r\n"), std::string::npos);
  EXPECT_EQ(sdp.directionFor(0), SdpDirection::kInactive);
  expectRoundTrip(sdp);
}

TEST(SdpParse, MediaDirectionOverridesSession) {
  auto sdp = parseOk(kMinimal + "a=recvonly\r\n");
  EXPECT_EQ(sdp.directionFor(0), SdpDirection::kRecvOnly);
  EXPECT_FALSE(sdp.isHold(0));
  std::string session_inactive = kMinimal;
  session_inactive.insert(session_inactive.find("m="), "a=inactive\r\n");
  EXPECT_TRUE(parseOk(session_inactive).isHold(0));
  EXPECT_FALSE(parseOk(session_inactive + "a=sendrecv\r\n").isHold(0));
}

}  // namespace
}  // namespace sb::sip
