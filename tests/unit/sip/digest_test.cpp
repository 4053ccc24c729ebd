#include "sip/digest.hpp"

#include <gtest/gtest.h>

#include <random>

#include "sip/sip_message.hpp"

namespace sb::sip {
namespace {

using namespace std::chrono_literals;

const core::Time kT0{std::chrono::seconds{1'700'000'000}};
constexpr std::string_view kRealm = "example.com";
constexpr std::string_view kUri = "sip:example.com";

DigestAuthenticator::Key testKey(uint8_t seed = 7) {
  DigestAuthenticator::Key key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(seed + i * 13);
  return key;
}

std::optional<std::string> lookupSecret(std::string_view user, std::string_view realm) {
  if (user == "alice" && realm == kRealm) return "s3cret";
  if (user == "bob" && realm == kRealm) return "hunter2";
  return std::nullopt;
}

// Answers challenge number `index` of `auth.challenge(...)` as a client would.
std::string answer(const DigestAuthenticator& auth, size_t index, core::Time issued,
                   std::string_view user = "alice", std::string_view secret = "s3cret",
                   uint32_t nc = 1, std::string_view uri = kUri, std::string_view realm = kRealm) {
  auto challenges = auth.challenge(realm, false, issued);
  auto challenge = parseDigestChallenge(challenges.at(index));
  EXPECT_TRUE(challenge.ok());
  auto value = digestAuthorization(*challenge, user, secret, "REGISTER", uri, "0a4f113b", nc);
  EXPECT_TRUE(value.ok());
  return *value;
}

DigestOutcome check(DigestAuthenticator& auth, std::string_view credentials, core::Time now,
                    std::string_view uri = kUri) {
  std::vector<std::string_view> values{credentials};
  return auth.verify("REGISTER", uri, values, kRealm, lookupSecret, now);
}

TEST(DigestParse, CredentialsWithQuotesEscapesAndTokens) {
  auto c = parseDigestCredentials(
      "Digest USERNAME=\"al\\\"ice\", Realm=\"example.com\",nonce=\"abc\" , "
      "uri=\"sip:a@b;x=\\\\y\","
      " response=\"0123456789ABCDEF0123456789abcdef\", algorithm=sha-256, qop=auth, nc=0000000A,"
      " cnonce=\"c\", opaque=\"o\", future=thing");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->username, "al\"ice");
  EXPECT_EQ(c->realm, "example.com");
  EXPECT_EQ(c->nonce, "abc");
  EXPECT_EQ(c->uri, "sip:a@b;x=\\y");
  EXPECT_EQ(c->response, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c->algorithm, DigestAlgorithm::kSha256);
  EXPECT_EQ(c->qop, "auth");
  EXPECT_EQ(c->nc, 10u);
  EXPECT_EQ(c->nc_text, "0000000A");
  EXPECT_EQ(c->cnonce, "c");
  EXPECT_EQ(c->opaque, "o");
}

TEST(DigestParse, AbsentAlgorithmIsMd5AndUnknownIsFlagged) {
  const char* base = "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"";
  auto md5 = parseDigestCredentials(base);
  ASSERT_TRUE(md5.ok());
  EXPECT_EQ(md5->algorithm, DigestAlgorithm::kMd5);
  EXPECT_TRUE(md5->algorithm_known);
  auto sess = parseDigestCredentials(std::string(base) + ", algorithm=MD5-sess");
  ASSERT_TRUE(sess.ok());
  EXPECT_FALSE(sess->algorithm_known);
}

TEST(DigestParse, RefusesMalformedCredentials) {
  const std::string ok = "username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"";
  for (const std::string& bad : std::vector<std::string>{
           std::string(""),
           std::string("Digest"),
           std::string("Basic dXNlcjpwYXNz"),
           "Digest " + ok + ", realm=\"again\"",                          // duplicate
           "Digest " + ok + ", REALM=\"again\"",                          // duplicate, other case
           "Digest " + ok + ",",                                          // trailing comma
           "Digest " + ok + ",, qop=auth",                                // empty element
           "Digest username=\"a, realm=\"r\"",                            // unterminated quote
           "Digest username=\"a\" realm=\"r\"",                           // missing comma
           "Digest username=, realm=\"r\"",                               // empty token
           "Digest =\"a\"",                                               // no name
           "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\"",  // no response
           "Digest " + ok + ", nc=1",                                     // short nc
           "Digest " + ok + ", nc=0000000g",                              // not hex
           "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"xyz\"",
           "Digest " + ok + ", x=\"a\x01\"",                           // control character
           "Digest " + ok + ", x=\"a\\",                               // escape at the end
           "Digest" + ok,                                              // no space after scheme
           "Digest " + ok + ", x=\"" + std::string(2000, 'a') + "\"",  // too long a value
       }) {
    EXPECT_FALSE(parseDigestCredentials(bad).ok()) << bad;
  }
  std::string many = "Digest " + ok;
  for (int i = 0; i < 40; ++i) many += ", p" + std::to_string(i) + "=x";
  EXPECT_FALSE(parseDigestCredentials(many).ok());
  EXPECT_FALSE(parseAuthHeader(std::string(5000, 'a')).ok());
}

TEST(DigestParse, ChallengeRoundTrip) {
  DigestChallenge ch;
  ch.realm = "a \"quoted\" realm";
  ch.nonce = "n0nce";
  ch.opaque = "op";
  ch.algorithm = DigestAlgorithm::kSha256;
  ch.qop = "auth";
  ch.stale = true;
  std::string text = toString(ch);
  EXPECT_EQ(text,
            "Digest realm=\"a \\\"quoted\\\" realm\", nonce=\"n0nce\", opaque=\"op\", "
            "algorithm=SHA-256, qop=\"auth\", stale=true");
  auto back = parseDigestChallenge(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->realm, ch.realm);
  EXPECT_EQ(back->nonce, "n0nce");
  EXPECT_EQ(back->opaque, "op");
  EXPECT_EQ(back->algorithm, DigestAlgorithm::kSha256);
  EXPECT_EQ(back->qop, "auth");
  EXPECT_TRUE(back->stale);
}

// RFC 7616 §3.9.1 (its hex responses recomputed with python hashlib).
TEST(DigestKnownAnswer, Rfc7616Example) {
  const char* nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  const char* cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  EXPECT_EQ(
      digestResponse(DigestAlgorithm::kSha256, "Mufasa", "http-auth@example.org", "Circle of Life",
                     "GET", "/dir/index.html", nonce, "auth", "00000001", cnonce),
      "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  EXPECT_EQ(
      digestResponse(DigestAlgorithm::kMd5, "Mufasa", "http-auth@example.org", "Circle of Life",
                     "GET", "/dir/index.html", nonce, "auth", "00000001", cnonce),
      "8ca523f5e9506fed4657c9700eebdbec");
  auto challenge = parseDigestChallenge(
      "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
      "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
  ASSERT_TRUE(challenge.ok());
  auto header = digestAuthorization(*challenge, "Mufasa", "Circle of Life", "GET",
                                    "/dir/index.html", cnonce, 1);
  ASSERT_TRUE(header.ok());
  auto parsed = parseDigestCredentials(*header);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->response, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  EXPECT_EQ(parsed->opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  EXPECT_EQ(parsed->nc_text, "00000001");
  EXPECT_EQ(parsed->qop, "auth");
}

// A SIP REGISTER computed by hand: python3 -c "import hashlib; m=lambda s:
// hashlib.md5(s.encode()).hexdigest(); print(m(m('alice:example.com:s3cret') +
// ':abc123:00000001:0a4f113b:auth:' + m('REGISTER:sip:example.com')))"
TEST(DigestKnownAnswer, SipRegisterMd5) {
  EXPECT_EQ(digestResponse(DigestAlgorithm::kMd5, "alice", "example.com", "s3cret", "REGISTER",
                           "sip:example.com", "abc123", "auth", "00000001", "0a4f113b"),
            "a658da3ee5e1878e7f5f055f9fe3647f");
}

TEST(DigestClient, Rfc2069FormAndRefusals) {
  DigestChallenge ch;
  ch.realm = "r";
  ch.nonce = "n";
  auto header = digestAuthorization(ch, "u", "p", "INVITE", "sip:x@y", "c", 1);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->find("qop"), std::string::npos);
  EXPECT_EQ(header->find("cnonce"), std::string::npos);
  ch.qop = "auth-int";
  EXPECT_FALSE(digestAuthorization(ch, "u", "p", "INVITE", "sip:x@y", "c", 1).ok());
  ch.qop.reset();
  ch.algorithm_known = false;
  EXPECT_FALSE(digestAuthorization(ch, "u", "p", "INVITE", "sip:x@y", "c", 1).ok());
}

TEST(DigestServer, ChallengesSha256ThenMd5) {
  DigestAuthenticator auth(testKey());
  auto challenges = auth.challenge(kRealm, false, kT0);
  ASSERT_EQ(challenges.size(), 2u);
  auto first = parseDigestChallenge(challenges[0]);
  auto second = parseDigestChallenge(challenges[1]);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->algorithm, DigestAlgorithm::kSha256);
  EXPECT_EQ(second->algorithm, DigestAlgorithm::kMd5);
  for (const auto* ch : {&*first, &*second}) {
    EXPECT_EQ(ch->realm, kRealm);
    EXPECT_EQ(ch->qop, "auth");
    EXPECT_TRUE(ch->opaque.has_value());
    EXPECT_FALSE(ch->stale);
  }
  EXPECT_NE(challenges[0].find("qop=\"auth\""), std::string::npos);
  auto stale = auth.challenge(kRealm, true, kT0);
  EXPECT_NE(stale[0].find("stale=true"), std::string::npos);
  EXPECT_NE(stale[1].find("stale=true"), std::string::npos);
  // Configurable for MD5-only peers.
  DigestOptions md5_only;
  md5_only.algorithms = {DigestAlgorithm::kMd5};
  DigestAuthenticator legacy(testKey(), md5_only);
  auto one = legacy.challenge(kRealm, false, kT0);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_NE(one[0].find("algorithm=MD5"), std::string::npos);
}

TEST(DigestServer, RoundTripSha256AndMd5) {
  DigestAuthenticator auth(testKey());
  auto sha = check(auth, answer(auth, 0, kT0), kT0 + 1s);
  EXPECT_EQ(sha.verdict, DigestVerdict::kOk);
  EXPECT_EQ(sha.username, "alice");
  EXPECT_EQ(sha.algorithm, DigestAlgorithm::kSha256);
  auto md5 = check(auth, answer(auth, 1, kT0 + 2s), kT0 + 3s);
  EXPECT_EQ(md5.verdict, DigestVerdict::kOk);
  EXPECT_EQ(md5.algorithm, DigestAlgorithm::kMd5);
}

TEST(DigestServer, VerifiesFromARequest) {
  DigestAuthenticator auth(testKey());
  std::string text =
      "REGISTER sip:example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
      "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>\r\n"
      "Call-ID: c1\r\nCSeq: 2 REGISTER\r\n"
      "Authorization: " +
      answer(auth, 0, kT0) + "\r\nContent-Length: 0\r\n\r\n";
  auto request = parseSipMessage(text);
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(auth.verify(*request, false, kRealm, lookupSecret, kT0).verdict, DigestVerdict::kOk);
  EXPECT_EQ(auth.verify(*request, true, kRealm, lookupSecret, kT0).verdict,
            DigestVerdict::kMissingCredentials);
}

TEST(DigestServer, WrongSecretAndUnknownUserLookAlike) {
  DigestAuthenticator auth(testKey());
  auto wrong = check(auth, answer(auth, 0, kT0, "alice", "guess"), kT0);
  auto unknown = check(auth, answer(auth, 0, kT0, "mallory", "guess"), kT0);
  EXPECT_EQ(wrong.verdict, DigestVerdict::kWrong);
  EXPECT_EQ(unknown.verdict, DigestVerdict::kWrong);
  EXPECT_EQ(unknown.username, "mallory");
  EXPECT_EQ(auth.trackedNonces(), 0u);  // failures leave no nc state behind
}

TEST(DigestServer, StaleNonceAfterLifetime) {
  DigestAuthenticator auth(testKey());
  std::string creds = answer(auth, 0, kT0);
  EXPECT_EQ(check(auth, creds, kT0 + 5min + 1us).verdict, DigestVerdict::kStaleNonce);
  EXPECT_EQ(check(auth, answer(auth, 0, kT0, "alice", "guess"), kT0 + 6min).verdict,
            DigestVerdict::kWrong);  // stale only when otherwise correct
  EXPECT_EQ(check(auth, creds, kT0 + 5min).verdict, DigestVerdict::kOk);  // last valid instant
  DigestOptions shorter;
  shorter.nonce_lifetime = 30s;
  DigestAuthenticator quick(testKey(), shorter);
  EXPECT_EQ(check(quick, answer(quick, 1, kT0), kT0 + 31s).verdict, DigestVerdict::kStaleNonce);
}

TEST(DigestServer, NonceCountMustIncrease) {
  DigestAuthenticator auth(testKey());
  EXPECT_EQ(check(auth, answer(auth, 0, kT0, "alice", "s3cret", 1), kT0).verdict,
            DigestVerdict::kOk);
  EXPECT_EQ(check(auth, answer(auth, 0, kT0, "alice", "s3cret", 1), kT0 + 1s).verdict,
            DigestVerdict::kReplayed);
  EXPECT_EQ(check(auth, answer(auth, 0, kT0, "alice", "s3cret", 2), kT0 + 2s).verdict,
            DigestVerdict::kOk);
  EXPECT_EQ(check(auth, answer(auth, 0, kT0, "alice", "s3cret", 5), kT0 + 3s).verdict,
            DigestVerdict::kOk);  // gaps are fine
  EXPECT_EQ(check(auth, answer(auth, 0, kT0, "alice", "s3cret", 3), kT0 + 4s).verdict,
            DigestVerdict::kReplayed);
  EXPECT_EQ(check(auth, answer(auth, 0, kT0, "alice", "s3cret", 0), kT0 + 5s).verdict,
            DigestVerdict::kReplayed);  // counts start at 1... 0 was never valid on this nonce
  EXPECT_EQ(check(auth, answer(auth, 0, kT0 + 1s, "alice", "s3cret", 0), kT0 + 5s).verdict,
            DigestVerdict::kReplayed);  // ...nor on a fresh one
  EXPECT_EQ(auth.trackedNonces(), 1u);
  // A wrong response with a huge nc does not poison the count of the real client.
  EXPECT_EQ(check(auth, answer(auth, 0, kT0, "alice", "guess", 0xffffffff), kT0 + 6s).verdict,
            DigestVerdict::kWrong);
  EXPECT_EQ(check(auth, answer(auth, 0, kT0, "alice", "s3cret", 6), kT0 + 7s).verdict,
            DigestVerdict::kOk);
}

TEST(DigestServer, NonceStateIsBoundedAndExpires) {
  DigestOptions options;
  options.max_tracked_nonces = 2;
  DigestAuthenticator auth(testKey(), options);
  for (int i = 0; i < 3; ++i) {
    auto issued = kT0 + std::chrono::seconds(i);
    EXPECT_EQ(check(auth, answer(auth, 0, issued), issued).verdict, DigestVerdict::kOk);
  }
  EXPECT_EQ(auth.trackedNonces(), 2u);
  // The newest nonce is still tracked: its nc 1 is a replay.
  EXPECT_EQ(check(auth, answer(auth, 0, kT0 + 2s), kT0 + 3s).verdict, DigestVerdict::kReplayed);
  // Past the lifetime every entry goes with its nonce.
  EXPECT_EQ(check(auth, answer(auth, 0, kT0 + 10min), kT0 + 10min).verdict, DigestVerdict::kOk);
  EXPECT_EQ(auth.trackedNonces(), 1u);
}

TEST(DigestServer, TamperedOrForeignNonceIsWrong) {
  DigestAuthenticator auth(testKey());
  auto challenge = parseDigestChallenge(auth.challenge(kRealm, false, kT0)[0]);
  ASSERT_TRUE(challenge.ok());
  std::string nonce = challenge->nonce;
  for (size_t at : {size_t{0}, nonce.size() / 2, nonce.size() - 1}) {
    DigestChallenge tampered = *challenge;
    tampered.nonce[at] = tampered.nonce[at] == 'A' ? 'B' : 'A';
    auto creds = digestAuthorization(tampered, "alice", "s3cret", "REGISTER", kUri, "c", 1);
    ASSERT_TRUE(creds.ok());
    EXPECT_EQ(check(auth, *creds, kT0).verdict, DigestVerdict::kWrong) << at;
  }
  DigestChallenge truncated = *challenge;
  truncated.nonce.pop_back();
  EXPECT_EQ(
      check(auth, *digestAuthorization(truncated, "alice", "s3cret", "REGISTER", kUri, "c", 1), kT0)
          .verdict,
      DigestVerdict::kWrong);
  DigestAuthenticator other(testKey(99));  // a previous process
  EXPECT_EQ(check(auth, answer(other, 0, kT0), kT0).verdict, DigestVerdict::kWrong);
}

TEST(DigestServer, WrongRealmUriOrOpaque) {
  DigestAuthenticator auth(testKey());
  // Credentials for another realm (with a nonce we issued for it).
  EXPECT_EQ(check(auth, answer(auth, 0, kT0, "alice", "s3cret", 1, kUri, "other.org"), kT0).verdict,
            DigestVerdict::kWrong);
  // A nonce issued for another realm, relabelled with ours.
  auto foreign = parseDigestChallenge(auth.challenge("other.org", false, kT0)[0]);
  ASSERT_TRUE(foreign.ok());
  foreign->realm = std::string(kRealm);
  foreign->opaque.reset();
  EXPECT_EQ(
      check(auth, *digestAuthorization(*foreign, "alice", "s3cret", "REGISTER", kUri, "c", 1), kT0)
          .verdict,
      DigestVerdict::kWrong);
  // The uri parameter must be the Request-URI.
  EXPECT_EQ(
      check(auth, answer(auth, 0, kT0, "alice", "s3cret", 1, "sip:other.example.com"), kT0).verdict,
      DigestVerdict::kWrong);
  // Opaque changed.
  auto ch = parseDigestChallenge(auth.challenge(kRealm, false, kT0)[0]);
  ch->opaque = "forged";
  EXPECT_EQ(check(auth, *digestAuthorization(*ch, "alice", "s3cret", "REGISTER", kUri, "c", 1), kT0)
                .verdict,
            DigestVerdict::kWrong);
  // Opaque left out is tolerated (older clients drop it).
  ch->opaque.reset();
  EXPECT_EQ(check(auth, *digestAuthorization(*ch, "alice", "s3cret", "REGISTER", kUri, "c", 2), kT0)
                .verdict,
            DigestVerdict::kOk);
}

TEST(DigestServer, MissingMalformedAndLegacyForms) {
  DigestAuthenticator auth(testKey());
  std::vector<std::string_view> none;
  EXPECT_EQ(auth.verify("REGISTER", kUri, none, kRealm, lookupSecret, kT0).verdict,
            DigestVerdict::kMissingCredentials);
  EXPECT_EQ(check(auth, "Basic YWxpY2U6czNjcmV0", kT0).verdict, DigestVerdict::kMissingCredentials);
  EXPECT_EQ(check(auth, "Digest username=\"alice\", realm=", kT0).verdict,
            DigestVerdict::kMalformed);
  // RFC 2069 (no qop): refused, we always offer qop=auth.
  auto ch = parseDigestChallenge(auth.challenge(kRealm, false, kT0)[0]);
  ch->qop.reset();
  auto legacy = digestAuthorization(*ch, "alice", "s3cret", "REGISTER", kUri, "c", 1);
  EXPECT_EQ(check(auth, *legacy, kT0).verdict, DigestVerdict::kMalformed);
  // qop=auth without cnonce or nc.
  std::string creds = answer(auth, 0, kT0);
  auto without = [&](std::string_view param) {
    auto at = creds.find(std::string(", ") + std::string(param) + "=");
    auto end = creds.find(", ", at + 2);
    return creds.substr(0, at) + (end == std::string::npos ? "" : creds.substr(end));
  };
  EXPECT_EQ(check(auth, without("cnonce"), kT0).verdict, DigestVerdict::kMalformed);
  EXPECT_EQ(check(auth, without("nc"), kT0).verdict, DigestVerdict::kMalformed);
  // An algorithm we did not offer.
  std::string sess = without("algorithm") + ", algorithm=MD5-sess";
  EXPECT_EQ(check(auth, sess, kT0).verdict, DigestVerdict::kWrong);
}

TEST(DigestServer, PicksTheBestOfSeveralCredentials) {
  // libre answers each challenge: one Authorization per algorithm, the same nonce.
  DigestAuthenticator auth(testKey());
  std::string md5 = answer(auth, 1, kT0);
  std::string sha = answer(auth, 0, kT0);
  std::vector<std::string_view> both{md5, sha};
  auto outcome = auth.verify("REGISTER", kUri, both, kRealm, lookupSecret, kT0);
  EXPECT_EQ(outcome.verdict, DigestVerdict::kOk);
  EXPECT_EQ(outcome.algorithm, DigestAlgorithm::kSha256);
  // Credentials for another realm beside ours are ignored.
  std::string elsewhere = answer(auth, 0, kT0, "alice", "s3cret", 7, kUri, "other.org");
  std::string ours = answer(auth, 1, kT0, "alice", "s3cret", 2);
  std::vector<std::string_view> mixed{elsewhere, ours};
  EXPECT_EQ(auth.verify("REGISTER", kUri, mixed, kRealm, lookupSecret, kT0).verdict,
            DigestVerdict::kOk);
}

TEST(DigestServer, GarbageNeverCrashes) {
  DigestAuthenticator auth(testKey());
  std::mt19937 random(42);
  const std::string alphabet = "Digest usernamrealmnoncuri=\",\\ \t\r\nqopauth0123456789abcdef";
  std::string valid = answer(auth, 0, kT0);
  int accepted = 0;  // a harmless mutation ("digest" for "Digest") may pass, once: nc
  for (int i = 0; i < 3000; ++i) {
    std::string input;
    if (i % 2 == 0) {
      size_t size = random() % 200;
      for (size_t j = 0; j < size; ++j) input.push_back(alphabet[random() % alphabet.size()]);
    } else {
      input = valid;
      for (int k = 0; k < 3; ++k)
        input[random() % input.size()] = static_cast<char>(random() % 256);
    }
    if (check(auth, input, kT0).verdict == DigestVerdict::kOk) ++accepted;
  }
  EXPECT_LE(accepted, 1);
}

}  // namespace
}  // namespace sb::sip

namespace sb::sip {
namespace {

TEST(DigestChallenge, Md5OnlyLeavesTheOtherAlgorithmsOut) {
  DigestAuthenticator::Key key{};
  DigestAuthenticator auth(key, DigestOptions{.algorithms = {DigestAlgorithm::kSha256, DigestAlgorithm::kMd5}});
  const core::Time t{std::chrono::seconds{1'700'000'000}};
  auto both = auth.challenge("acme.example", false, t);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_NE(both[0].find("algorithm=SHA-256"), std::string::npos);
  auto md5 = auth.challenge("acme.example", false, t, true);
  ASSERT_EQ(md5.size(), 1u);
  EXPECT_NE(md5[0].find("algorithm=MD5"), std::string::npos);
}

}  // namespace
}  // namespace sb::sip
