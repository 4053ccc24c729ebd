#include "sip/sip_uri.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

TEST(SipUri, ParsesEveryPart) {
  auto uri = parseSipUri(
      "sips:alice:secret@[2001:db8::1]:5061;Transport=TCP;lr?Subject=hi%20there&Priority=urgent");
  ASSERT_TRUE(uri.ok()) << uri.error().message;
  EXPECT_TRUE(uri->secure);
  EXPECT_EQ(uri->user, "alice");
  EXPECT_EQ(uri->password, "secret");
  EXPECT_EQ(uri->host, "[2001:db8::1]");
  EXPECT_TRUE(uri->hostIsIpv6());
  EXPECT_EQ(uri->port, 5061);
  EXPECT_EQ(uri->param("transport"), "TCP");  // names compare case-insensitively
  EXPECT_TRUE(uri->hasParam("LR"));
  EXPECT_EQ(uri->param("lr"), "");
  ASSERT_EQ(uri->headers.size(), 2u);
  EXPECT_EQ(uri->headers[0].name, "Subject");
  EXPECT_EQ(uri->headers[0].value, "hi there");
  EXPECT_EQ(
      toString(*uri),
      "sips:alice:secret@[2001:db8::1]:5061;Transport=TCP;lr?Subject=hi%20there&Priority=urgent");
}

TEST(SipUri, HostOnlyAndTelephoneUsers) {
  auto host = parseSipUri("sip:proxy.example.com");
  ASSERT_TRUE(host.ok());
  EXPECT_FALSE(host->user.has_value());
  EXPECT_EQ(toString(*host), "sip:proxy.example.com");
  auto phone = parseSipUri("sip:+1-212-555-1212:1234@gateway.com;user=phone");
  ASSERT_TRUE(phone.ok());
  EXPECT_EQ(phone->user, "+1-212-555-1212");
  EXPECT_EQ(phone->password, "1234");
  EXPECT_EQ(phone->param("user"), "phone");
  auto ipv4 = parseSipUri("SIP:bob@192.0.2.4:5070");
  ASSERT_TRUE(ipv4.ok());
  EXPECT_EQ(ipv4->host, "192.0.2.4");
}

TEST(SipUri, EscapesAreDecodedAndReEncoded) {
  auto uri = parseSipUri("sip:%61lice%20b@example.com;n%61me=v%3Bx");
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->user, "alice b");
  EXPECT_EQ(uri->param("name"), "v;x");
  EXPECT_EQ(toString(*uri), "sip:alice%20b@example.com;name=v%3Bx");
  EXPECT_EQ(*parseSipUri(toString(*uri)), *uri);
}

TEST(SipUri, RejectsMalformedUris) {
  for (const char* bad :
       {"sip:", "sip:@example.com", "http://example.com", "sip:a@b.com:70000", "sip:a@b.com:",
        "sip:a@ex_ample.com", "sip:a@[2001:db8:::1]", "sip:a@[2001:db8::1", "sip:a@2001:db8::1",
        "sip:a%G1@b.com", "sip:a%4@b.com", "sip:a@b.com;=x", "sip:a@b.com;x=", "sip:a@b.com?h",
        "sip:a b@c.com", "sip:a@-b.com", "sip:a@1.2.3.256", "sip:a@b..com", "sip:a@b.com x"}) {
    EXPECT_FALSE(parseSipUri(bad).ok()) << bad;
  }
}

TEST(SipUri, Ipv6AddressValidation) {
  for (const char* good : {"::", "::1", "2001:db8::1", "2001:db8:0:0:0:0:0:1", "::ffff:192.0.2.1",
                           "2001:db8::192.0.2.1", "fe80::", "1:2:3:4:5:6:7::"}) {
    EXPECT_TRUE(isIpv6Address(good)) << good;
  }
  for (const char* bad :
       {"", ":", ":::", "2001:db8:::1", "1:2:3:4:5:6:7:8:9", "12345::", "2001:db8::g", "1::2::3",
        "1:2:3:4:5:6:7", "2001:db8:::192.0.2.1", "::1:", "::256.0.0.1"}) {
    EXPECT_FALSE(isIpv6Address(bad)) << bad;
  }
}

TEST(NameAddr, QuotedAndTokenDisplayNames) {
  auto quoted = parseNameAddr(
      " \"Alice \\\"A\\\" Smith\" <sip:alice@example.com;transport=tcp> ;tag=88sja8x ");
  ASSERT_TRUE(quoted.ok()) << quoted.error().message;
  EXPECT_EQ(quoted->display_name, "Alice \"A\" Smith");
  EXPECT_TRUE(quoted->angle_brackets);
  EXPECT_EQ(quoted->tag(), "88sja8x");
  ASSERT_TRUE(quoted->sip.has_value());
  EXPECT_EQ(quoted->sip->param("transport"), "tcp");
  EXPECT_EQ(toString(*quoted),
            "\"Alice \\\"A\\\" Smith\" <sip:alice@example.com;transport=tcp>;tag=88sja8x");

  auto token = parseNameAddr("Bob  Jones<sip:bob@example.com>");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->display_name, "Bob  Jones");
}

TEST(NameAddr, AddrSpecParametersBelongToTheHeader) {
  auto spec = parseNameAddr("sip:carol@example.com;tag=5;expires=60");
  ASSERT_TRUE(spec.ok());
  EXPECT_FALSE(spec->angle_brackets);
  EXPECT_EQ(spec->uri, "sip:carol@example.com");
  EXPECT_TRUE(spec->sip->params.empty());
  EXPECT_EQ(spec->param("expires"), "60");
  EXPECT_EQ(toString(*spec), "sip:carol@example.com;tag=5;expires=60");
}

TEST(NameAddr, OtherSchemesAndWildcard) {
  auto tel = parseNameAddr("<tel:+15551234567>;tag=x");
  ASSERT_TRUE(tel.ok());
  EXPECT_FALSE(tel->sip.has_value());
  EXPECT_EQ(tel->uri, "tel:+15551234567");
  EXPECT_TRUE(isWildcardContact(" * "));
  EXPECT_FALSE(isWildcardContact("<*>"));
}

TEST(NameAddr, RejectsMalformedValues) {
  for (const char* bad :
       {"", "\"unterminated <sip:a@b.com>", "<sip:a@b.com", "< sip:a@b.com>",
        "Bell, A <sip:a@b.com>", "sip:a@b.com?x=y", "<sip:a@b.com>;", "<sip:a@b.com>;tag=\"x",
        "<sip:a@b.com> junk", "<notauri>", "\"x\" sip:a@b.com", "<sip:@b.com>"}) {
    EXPECT_FALSE(parseNameAddr(bad).ok()) << bad;
  }
}

TEST(Via, ParsesProtocolSentByAndParameters) {
  auto via = parseVia(
      "SIP / 2.0 / udp [2001:db8::5] : 5062 ; branch=z9hG4bK74b "
      ";rport;received=192.0.2.9;maddr=224.2.0.1;ttl=16");
  ASSERT_TRUE(via.ok()) << via.error().message;
  EXPECT_EQ(via->transport, "UDP");
  EXPECT_EQ(via->host, "[2001:db8::5]");
  EXPECT_EQ(via->port, 5062);
  EXPECT_EQ(via->branch(), "z9hG4bK74b");
  EXPECT_TRUE(via->hasRport());
  EXPECT_FALSE(via->rport().has_value());
  EXPECT_EQ(via->received(), "192.0.2.9");
  EXPECT_EQ(via->maddr(), "224.2.0.1");
  EXPECT_EQ(via->ttl(), 16);
  EXPECT_EQ(toString(*via),
            "SIP/2.0/UDP "
            "[2001:db8::5]:5062;branch=z9hG4bK74b;rport;received=192.0.2.9;maddr=224.2.0.1;ttl=16");
  auto with_rport = parseVia("SIP/2.0/TCP h.example.com;rport=5070;received=2001:db8::1");
  ASSERT_TRUE(with_rport.ok());
  EXPECT_EQ(with_rport->rport(), 5070);
  EXPECT_FALSE(with_rport->port.has_value());
}

TEST(Via, RejectsMalformedValues) {
  for (const char* bad :
       {"", "SIP/2.0", "SIP/2.0/UDP", "SIP/3.0/UDP h.com", "SIP/2.0/UDP h.com:99999",
        "SIP/2.0/UDP h.com;ttl=256", "SIP/2.0/UDP h.com;received=h.com",
        "SIP/2.0/UDP h.com;rport=x", "SIP/2.0/UDP 2001:db8::1", "SIP/2.0/UDP h.com;;",
        "SIP/2.0/UDP h.com;branch=\"q\"", "SIP/2.0/UDP h.com junk"}) {
    EXPECT_FALSE(parseVia(bad).ok()) << bad;
  }
}

TEST(CSeq, NumberAndMethod) {
  auto cseq = parseCSeq("  0002147483647   INVITE ");
  ASSERT_TRUE(cseq.ok());
  EXPECT_EQ(cseq->number, kMaxCSeq);
  EXPECT_EQ(cseq->method, "INVITE");
  EXPECT_EQ(toString(*cseq), "2147483647 INVITE");
  for (const char* bad :
       {"", "INVITE", "1", "1INVITE", "2147483648 INVITE", "-1 INVITE", "1 INV ITE", "1 <x>"}) {
    EXPECT_FALSE(parseCSeq(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace sb::sip
