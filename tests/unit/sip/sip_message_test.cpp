#include "sip/sip_message.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sip/sip_uri.hpp"

namespace sb::sip {
namespace {

// A minimal valid request; `extra` headers go before Content-Length.
std::string request(const std::string& extra = "", const std::string& body = "") {
  return "OPTIONS sip:bob@example.com SIP/2.0\r\n"
         "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK776\r\n"
         "To: <sip:bob@example.com>\r\n"
         "From: <sip:alice@example.com>;tag=1\r\n"
         "Call-ID: abc@host\r\n"
         "CSeq: 1 OPTIONS\r\n"
         "Max-Forwards: 70\r\n" +
         extra + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

ParseErrorKind kindOf(std::string_view bytes, const ParseLimits& limits = {}) {
  auto parsed = parseSipMessage(bytes, limits);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? ParseErrorKind::kIncomplete : parseErrorKind(parsed.error());
}

TEST(SipMessage, CompactFormsAreExpanded) {
  const std::pair<const char*, const char*> kForms[] = {{"i", "Call-ID"},
                                                        {"m", "Contact"},
                                                        {"e", "Content-Encoding"},
                                                        {"l", "Content-Length"},
                                                        {"c", "Content-Type"},
                                                        {"f", "From"},
                                                        {"s", "Subject"},
                                                        {"k", "Supported"},
                                                        {"t", "To"},
                                                        {"v", "Via"},
                                                        {"o", "Event"},
                                                        {"r", "Refer-To"},
                                                        {"b", "Referred-By"},
                                                        {"x", "Session-Expires"},
                                                        {"u", "Allow-Events"}};
  for (auto [compact, full] : kForms) {
    EXPECT_EQ(canonicalHeaderName(compact), full);
    std::string upper(1, static_cast<char>(compact[0] - 'a' + 'A'));
    EXPECT_EQ(canonicalHeaderName(upper), full);
  }
  EXPECT_EQ(canonicalHeaderName("q"), "q");  // not a compact form we know
}

TEST(SipMessage, HeaderNamesAreCaseInsensitive) {
  auto m = parseSipMessage(request("sUbJeCt: hi\r\nx-Custom: 1\r\n"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->header("subject"), "hi");
  EXPECT_EQ(m->header("S"), "hi");
  EXPECT_EQ(m->header("CALL-ID"), "abc@host");
  EXPECT_EQ(m->header("i"), "abc@host");
  EXPECT_EQ(m->header("X-CUSTOM"), "1");
  EXPECT_EQ(m->headers()[6].name, "Subject");   // canonical spelling kept
  EXPECT_EQ(m->headers()[7].name, "x-Custom");  // unknown names as written
  EXPECT_FALSE(m->header("Nope").has_value());
}

TEST(SipMessage, FoldedLinesAreUnfolded) {
  auto m = parseSipMessage(request("Subject: one\r\n  two\r\n\tthree\r\n"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->header("Subject"), "one two three");
}

TEST(SipMessage, ListHeadersAreSplitOutsideQuotesAndAngles) {
  auto m = parseSipMessage(request(
      "Contact: \"Doe, John \\\"JD\\\"\" <sip:j@x.example.com>;q=0.5, sip:k@y.example.com\r\n"
      "Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>\r\n"
      "Supported: timer, 100rel ,path\r\n"
      "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n"
      "WWW-Authenticate: Digest realm=\"a, b\", nonce=\"x\"\r\n"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto contacts = m->headerValues("Contact");
  ASSERT_EQ(contacts.size(), 2u);
  auto first = parseNameAddr(contacts[0]);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->display_name, "Doe, John \"JD\"");
  EXPECT_EQ(first->param("q"), "0.5");
  EXPECT_EQ(contacts[1], "sip:k@y.example.com");
  EXPECT_EQ(m->headerCount("Route"), 2u);
  EXPECT_EQ(m->headerValues("Supported"),
            (std::vector<std::string_view>{"timer", "100rel", "path"}));
  EXPECT_EQ(m->headerCount("Date"), 1u);              // not a list
  EXPECT_EQ(m->headerCount("WWW-Authenticate"), 1u);  // commas inside one challenge
}

TEST(SipMessage, SplitHeaderListEdgeCases) {
  EXPECT_EQ(splitHeaderList("a,b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(splitHeaderList("\"a,\\\"b\" <c,d>, e"),
            (std::vector<std::string>{"\"a,\\\"b\" <c,d>", "e"}));
  EXPECT_EQ(splitHeaderList("\"unterminated, x"), (std::vector<std::string>{"\"unterminated, x"}));
  EXPECT_EQ(splitHeaderList(">a,b"), (std::vector<std::string>{">a", "b"}));
  EXPECT_EQ(splitHeaderList(""), (std::vector<std::string>{""}));
}

TEST(SipMessage, ParsesAResponse) {
  auto m = parseSipMessage(
      "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP "
      "h.example.com;branch=z9hG4bK1;received=192.0.2.1;rport=5062\r\n"
      "To: <sip:b@example.com>;tag=2\r\nFrom: <sip:a@example.com>;tag=1\r\nCall-ID: c\r\nCSeq: 7 "
      "INVITE\r\n"
      "Content-Length: 0\r\n\r\n");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_FALSE(m->isRequest());
  EXPECT_EQ(m->statusCode(), 180);
  EXPECT_EQ(m->reasonPhrase(), "Ringing");
  auto via = parseVia(*m->header("Via"));
  ASSERT_TRUE(via.ok());
  EXPECT_EQ(via->rport(), 5062);
}

TEST(SipMessage, StartLineIsStrict) {
  EXPECT_EQ(kindOf("OPTIONS\tsip:a@b.com SIP/2.0\r\n\r\n"), ParseErrorKind::kMalformed);
  EXPECT_EQ(kindOf("OPTIONS sip:a@b.com SIP/3.0\r\n\r\n"), ParseErrorKind::kUnsupportedVersion);
  EXPECT_EQ(kindOf("SIP/2.0 99 Low\r\n\r\n"), ParseErrorKind::kMalformed);
  EXPECT_EQ(kindOf("SIP/2.0 1000 High\r\n\r\n"), ParseErrorKind::kMalformed);
  EXPECT_EQ(kindOf("SIP/2.1 200 OK\r\n\r\n"), ParseErrorKind::kUnsupportedVersion);
  EXPECT_EQ(kindOf("garbage\r\n\r\n"), ParseErrorKind::kMalformed);
  EXPECT_EQ(kindOf(""), ParseErrorKind::kMalformed);
  EXPECT_EQ(kindOf("\r\n\r\n"), ParseErrorKind::kMalformed);
  // CRLFs before the start line are ignored.
  EXPECT_TRUE(parseSipMessage("\r\n\r\n" + request()).ok());
}

TEST(SipMessage, RequiredHeadersAndSingletons) {
  std::string no_call_id = request();
  no_call_id.erase(no_call_id.find("Call-ID"), std::string("Call-ID: abc@host\r\n").size());
  EXPECT_EQ(kindOf(no_call_id), ParseErrorKind::kMalformed);
  EXPECT_EQ(kindOf(request("To: <sip:c@example.com>\r\n")), ParseErrorKind::kMalformed);
  EXPECT_EQ(kindOf(request("Max-Forwards: 70\r\n")), ParseErrorKind::kMalformed);
  std::string bad_cseq = request();
  bad_cseq.replace(bad_cseq.find("CSeq: 1 OPTIONS"), 15, "CSeq: 2147483648 OPTIONS");
  EXPECT_EQ(kindOf(bad_cseq), ParseErrorKind::kMalformed);
}

TEST(SipMessage, DatagramBodies) {
  // Without Content-Length a datagram's body is the rest of it.
  std::string m = request();
  m.erase(m.find("Content-Length"), std::string("Content-Length: 0\r\n").size());
  auto parsed = parseSipMessage(m + "hello");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->body(), "hello");
  // Bytes beyond Content-Length are ignored; a Content-Length beyond the data is 400.
  parsed = parseSipMessage(request("", "abc") + "zzz");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->body(), "abc");
  std::string too_long = request("", "abc");
  too_long.replace(too_long.find("Content-Length: 3"), 17, "Content-Length: 4");
  EXPECT_EQ(kindOf(too_long), ParseErrorKind::kBadContentLength);
}

TEST(SipMessage, BadContentLengths) {
  auto withLength = [](const std::string& value) {
    std::string m = request();
    m.replace(m.find("Content-Length: 0"), 17, "Content-Length: " + value);
    return m;
  };
  EXPECT_EQ(kindOf(withLength("-1")), ParseErrorKind::kBadContentLength);
  EXPECT_EQ(kindOf(withLength("")), ParseErrorKind::kBadContentLength);
  EXPECT_EQ(kindOf(withLength("1x")), ParseErrorKind::kBadContentLength);
  EXPECT_EQ(kindOf(withLength("99999999999999999999999")), ParseErrorKind::kBadContentLength);
  EXPECT_EQ(kindOf(withLength("70000")), ParseErrorKind::kBodyTooLarge);
  EXPECT_EQ(kindOf(request("l: 0\r\n")), ParseErrorKind::kBadContentLength);  // two of them
}

TEST(SipMessage, LimitsHaveTheirOwnErrorKinds) {
  ParseLimits limits;
  limits.max_message_bytes = 600;
  limits.max_headers = 10;
  limits.max_line_bytes = 100;
  EXPECT_EQ(kindOf(request("", std::string(700, 'x')), limits), ParseErrorKind::kMessageTooLarge);
  EXPECT_EQ(kindOf(request("Subject: " + std::string(120, 'y') + "\r\n"), limits),
            ParseErrorKind::kLineTooLong);
  EXPECT_EQ(kindOf(request("Subject: a\r\n " + std::string(95, 'y') + "\r\n"), limits),
            ParseErrorKind::kLineTooLong);  // folding cannot dodge the limit
  std::string many;
  for (int i = 0; i < 5; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(kindOf(request(many), limits), ParseErrorKind::kTooManyHeaders);
  EXPECT_EQ(kindOf(request("Supported: a,b,c,d,e\r\n"), limits), ParseErrorKind::kTooManyHeaders);
  std::string big_body = request();
  big_body.replace(big_body.find("Content-Length: 0"), 17, "Content-Length: 700");
  EXPECT_EQ(kindOf(big_body, limits), ParseErrorKind::kBodyTooLarge);
  EXPECT_EQ(responseStatusFor(ParseErrorKind::kMessageTooLarge), 513);
  EXPECT_EQ(responseStatusFor(ParseErrorKind::kBodyTooLarge), 413);
  EXPECT_EQ(responseStatusFor(ParseErrorKind::kUnsupportedVersion), 505);
  EXPECT_EQ(responseStatusFor(ParseErrorKind::kMalformed), 400);
  EXPECT_EQ(parseErrorKind(core::makeError(core::ErrorCode::kInvalidInput, "other")),
            ParseErrorKind::kMalformed);
}

TEST(SipMessage, SerializerWritesCanonicalNamesAndTheRightLength) {
  auto m = parseSipMessage(
      "MESSAGE sip:bob@example.com SIP/2.0\r\nv: SIP/2.0/TCP h.example.com;branch=z9hG4bK1, "
      "SIP/2.0/UDP "
      "g.example.com\r\nt: <sip:bob@example.com>\r\nf: <sip:a@example.com>;tag=9\r\ni: id1\r\n"
      "cseq: 4 MESSAGE\r\nc: text/plain\r\nl: 2\r\n\r\nhi");
  ASSERT_TRUE(m.ok()) << m.error().message;
  m->setBody("hello");
  EXPECT_EQ(serializeSipMessage(*m),
            "MESSAGE sip:bob@example.com SIP/2.0\r\n"
            "Via: SIP/2.0/TCP h.example.com;branch=z9hG4bK1\r\n"
            "Via: SIP/2.0/UDP g.example.com\r\n"
            "To: <sip:bob@example.com>\r\n"
            "From: <sip:a@example.com>;tag=9\r\n"
            "Call-ID: id1\r\n"
            "CSeq: 4 MESSAGE\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 5\r\n"
            "\r\nhello");
}

TEST(SipMessage, BuildAndEditMessages) {
  SipMessage m = SipMessage::response(200, "OK");
  m.addHeader("v", "SIP/2.0/UDP a.example.com;branch=z9hG4bK1");
  m.addHeader("Via", "SIP/2.0/UDP b.example.com;branch=z9hG4bK2");
  m.setHeader("To", "<sip:b@example.com>;tag=1");
  m.setHeader("to", "<sip:b@example.com>;tag=2");
  m.addHeader("From", "<sip:a@example.com>;tag=3");
  m.addHeader("Call-ID", "x");
  m.addHeader("CSeq", "1 INVITE");
  m.addHeader("Subject", "evil\r\nInjected: yes");
  EXPECT_EQ(m.headerCount("Via"), 2u);
  EXPECT_EQ(m.header("To"), "<sip:b@example.com>;tag=2");
  m.setHeader("Via", "SIP/2.0/UDP only.example.com;branch=z9hG4bK9");  // replaces both
  EXPECT_EQ(m.headerCount("Via"), 1u);
  EXPECT_EQ(m.header("v"), "SIP/2.0/UDP only.example.com;branch=z9hG4bK9");
  m.removeHeader("v");
  EXPECT_EQ(m.headerCount("Via"), 0u);
  m.addHeader("Via", "SIP/2.0/UDP c.example.com;branch=z9hG4bK3");
  std::string wire = serializeSipMessage(m);
  EXPECT_NE(wire.find("Content-Length: 0\r\n\r\n"), std::string::npos);
  EXPECT_EQ(wire.find("\r\nInjected"), std::string::npos);
  auto back = parseSipMessage(wire);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->statusCode(), 200);
}

// Stream framing (TCP, TLS, WebSocket).
using Status = SipStreamFramer::Status;

TEST(SipStreamFramer, AssemblesAMessageFedByteByByte) {
  std::string m = request("", "body!");
  SipStreamFramer framer;
  for (size_t i = 0; i + 1 < m.size(); ++i) {
    framer.append(m.substr(i, 1));
    ASSERT_EQ(framer.next().status, Status::kNeedMore) << i;
  }
  framer.append(m.substr(m.size() - 1));
  auto frame = framer.next();
  ASSERT_EQ(frame.status, Status::kMessage);
  EXPECT_EQ(frame.bytes, m);
  EXPECT_EQ(framer.buffered(), 0u);
  auto parsed = parseSipMessage(frame.bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->body(), "body!");
}

TEST(SipStreamFramer, SplitsPipelinedMessagesAndKeepAlives) {
  std::string a = request("", "A");
  std::string b = request("", "BB");
  SipStreamFramer framer;
  framer.append("\r\n\r\n" + a + "\r\n" + b + "\r\n\r\n");
  auto ping = framer.next();
  EXPECT_EQ(ping.status, Status::kKeepAlive);
  EXPECT_TRUE(ping.ping);
  auto first = framer.next();
  ASSERT_EQ(first.status, Status::kMessage);
  EXPECT_EQ(first.bytes, a);
  auto pong = framer.next();
  EXPECT_EQ(pong.status, Status::kKeepAlive);
  EXPECT_FALSE(pong.ping);
  auto second = framer.next();
  ASSERT_EQ(second.status, Status::kMessage);
  EXPECT_EQ(second.bytes, b);
  EXPECT_EQ(framer.next().status, Status::kKeepAlive);
  EXPECT_EQ(framer.next().status, Status::kNeedMore);
}

TEST(SipStreamFramer, ABodyStartingWithCrlfIsNotAKeepAlive) {
  std::string m = request("", "\r\n\r\nxy");
  size_t head = m.size() - 6;
  SipStreamFramer framer;
  framer.append(m.substr(0, head));
  EXPECT_EQ(framer.next().status, Status::kNeedMore);
  framer.append(m.substr(head));
  auto frame = framer.next();
  ASSERT_EQ(frame.status, Status::kMessage);
  EXPECT_EQ(frame.bytes, m);
}

TEST(SipMessage, BareLineFeedsAreTolerated) {
  std::string m = request("Subject: a\n b\n");
  for (size_t pos = m.find("\r\n"); pos != std::string::npos; pos = m.find("\r\n")) m.erase(pos, 1);
  auto parsed = parseSipMessage(m);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->header("Subject"), "a b");
  SipStreamFramer framer;
  framer.append(m);
  EXPECT_EQ(framer.next().status, Status::kMessage);
}

TEST(SipStreamFramer, AHalfKeepAliveWaits) {
  SipStreamFramer framer;
  framer.append("\r\n");
  EXPECT_EQ(framer.next().status, Status::kNeedMore);
  framer.append("\r\n");
  EXPECT_EQ(framer.next().status, Status::kKeepAlive);
}

TEST(SipStreamFramer, ContentLengthIsRequiredAndChecked) {
  std::string m = request();
  m.erase(m.find("Content-Length"), std::string("Content-Length: 0\r\n").size());
  SipStreamFramer missing;
  missing.append(m);
  auto frame = missing.next();
  EXPECT_EQ(frame.status, Status::kError);
  EXPECT_EQ(frame.error, ParseErrorKind::kBadContentLength);
  missing.append(request());
  EXPECT_EQ(missing.next().status, Status::kError);  // errors are final

  std::string negative = request();
  negative.replace(negative.find("Content-Length: 0"), 17, "Content-Length: -5");
  SipStreamFramer neg;
  neg.append(negative);
  EXPECT_EQ(neg.next().error, ParseErrorKind::kBadContentLength);

  std::string huge = request();
  huge.replace(huge.find("Content-Length: 0"), 17, "Content-Length: 1000000");
  SipStreamFramer big;
  big.append(huge);
  EXPECT_EQ(big.next().error, ParseErrorKind::kBodyTooLarge);
}

TEST(SipStreamFramer, ALargeMessageTrickledByteByByte) {
  std::string headers;
  for (int i = 0; i < 100; ++i)
    headers += "X-Filler-" + std::to_string(i) + ": " + std::string(400, 'f') + "\r\n";
  std::string m = request(headers, std::string(2000, 'b'));
  SipStreamFramer framer;
  size_t messages = 0;
  for (char c : m + m) {
    framer.append(std::string_view(&c, 1));
    auto frame = framer.next();
    ASSERT_NE(frame.status, Status::kError) << frame.detail;
    if (frame.status == Status::kMessage) {
      EXPECT_EQ(frame.bytes, m);
      ++messages;
    }
  }
  EXPECT_EQ(messages, 2u);
  EXPECT_EQ(framer.next().error, ParseErrorKind::kIncomplete);
}

TEST(SipStreamFramer, EndlessHeadersHitTheLimits) {
  ParseLimits limits;
  limits.max_message_bytes = 1000;
  limits.max_line_bytes = 200;
  SipStreamFramer line(limits);
  line.append("OPTIONS sip:a@b.com SIP/2.0\r\nSubject: " + std::string(300, 'x'));
  EXPECT_EQ(line.next().error, ParseErrorKind::kLineTooLong);
  SipStreamFramer total(limits);
  for (int i = 0; i < 20; ++i) total.append("X-Header: " + std::string(60, 'y') + "\r\n");
  EXPECT_EQ(total.next().error, ParseErrorKind::kMessageTooLarge);
}

}  // namespace
}  // namespace sb::sip
