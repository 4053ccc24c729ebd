#pragma once
// HTTP Digest authentication for SIP (RFC 3261 §22, RFC 7616, RFC 8760): the parser of
// `Authorization` / `Proxy-Authorization` credentials and of challenges, the writer of
// `WWW-Authenticate` challenges, the server-side DigestAuthenticator (stateless nonces,
// bounded nonce-count replay state) and the client-side response for trunks that
// challenge us. Sans-I/O: time and the key are injected. Credentials are untrusted
// input: parsers return a Result, never throw, and bound every length.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::sip {

class SipMessage;

enum class DigestAlgorithm { kMd5, kSha256 };

const char* toString(DigestAlgorithm algorithm);  // "MD5" | "SHA-256"
// Case-insensitive; the -sess variants and SHA-512-256 are not supported (nullopt).
std::optional<DigestAlgorithm> parseDigestAlgorithm(std::string_view text);

// Limits on untrusted credentials and challenges.
constexpr size_t kMaxAuthHeaderBytes = 4096;
constexpr size_t kMaxAuthParamValueBytes = 1024;
constexpr size_t kMaxAuthParams = 32;

// One `name=value` of a challenge or credentials. Names are lower-cased; quoted values
// are unquoted and unescaped.
struct AuthParam {
  std::string name;
  std::string value;
  bool quoted = false;
  bool operator==(const AuthParam&) const = default;
};

// `scheme` followed by comma-separated auth-params (RFC 7235 §2.1 / RFC 3261 §25.1).
// Duplicate parameter names are refused (RFC 7616 §3.4: each at most once).
struct AuthHeader {
  std::string scheme;  // as written; compare case-insensitively
  std::vector<AuthParam> params;

  const AuthParam* find(std::string_view name) const;  // name in any case
};
core::Result<AuthHeader> parseAuthHeader(std::string_view value);

// The Digest credentials of an Authorization / Proxy-Authorization header.
struct DigestCredentials {
  std::string username;
  std::string realm;
  std::string nonce;
  std::string uri;
  std::string response;                               // lower-case hex
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;  // absent means MD5 (RFC 7616 §3.4)
  bool algorithm_known = true;  // false: an algorithm we do not support was named
  std::optional<std::string> qop;
  std::optional<std::string> cnonce;
  std::optional<uint32_t> nc;  // parsed from exactly 8 hex digits
  std::string nc_text;         // as written: the response hashes it so
  std::optional<std::string> opaque;
};
// Requires username, realm, nonce, uri and response; nc, when present, must be 8 hex
// digits; the response must be hex. Unknown parameters are ignored.
core::Result<DigestCredentials> parseDigestCredentials(std::string_view value);

// A Digest challenge (WWW-Authenticate / Proxy-Authenticate value).
struct DigestChallenge {
  std::string realm;
  std::string nonce;
  std::optional<std::string> opaque;
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
  bool algorithm_known = true;
  std::optional<std::string> qop;  // as offered, e.g. "auth" or "auth,auth-int"
  bool stale = false;
};
core::Result<DigestChallenge> parseDigestChallenge(std::string_view value);
// `Digest realm="…", nonce="…", opaque="…", algorithm=…, qop="auth"[, stale=true]`.
std::string toString(const DigestChallenge& challenge);

// The lower-case hex response of RFC 7616 §3.4.1 (qop=auth) or, when qop is empty, of
// RFC 2069 (KD(HA1, nonce:HA2)).
std::string digestResponse(DigestAlgorithm algorithm, std::string_view username,
                           std::string_view realm, std::string_view secret, std::string_view method,
                           std::string_view uri, std::string_view nonce, std::string_view qop,
                           std::string_view nc_hex, std::string_view cnonce);

// Client side: the Authorization value answering `challenge`. Answers with qop=auth when
// the challenge offers it, else in the RFC 2069 form. Fails on an unsupported algorithm
// or a qop list without "auth" (auth-int only).
core::Result<std::string> digestAuthorization(const DigestChallenge& challenge,
                                              std::string_view username, std::string_view secret,
                                              std::string_view method, std::string_view uri,
                                              std::string_view cnonce, uint32_t nc);

// Server side ------------------------------------------------------------------------

struct DigestOptions {
  core::Duration nonce_lifetime = std::chrono::minutes(5);
  // nonce → highest nc seen; entries leave with their nonce, the oldest when full.
  size_t max_tracked_nonces = 65536;
  // Offered in this order, one challenge each (RFC 8760 §2.4: preference order). See
  // the comment on DigestAuthenticator::challenge for the peers this order suits.
  std::vector<DigestAlgorithm> algorithms = {DigestAlgorithm::kSha256, DigestAlgorithm::kMd5};
};

enum class DigestVerdict {
  kOk,
  kMissingCredentials,  // no Digest credentials: challenge
  kMalformed,           // unparseable, or qop/cnonce/nc missing: 400 or challenge
  kWrong,               // bad response, unknown user, wrong realm/uri/opaque, foreign nonce
  kStaleNonce,          // our nonce, expired, response right: challenge with stale=true
  kReplayed,            // nc not above the highest seen for this nonce
};
const char* toString(DigestVerdict verdict);

struct DigestOutcome {
  DigestVerdict verdict = DigestVerdict::kMissingCredentials;
  std::string username;  // kOk (and kStaleNonce / kReplayed / kWrong when known)
  std::optional<DigestAlgorithm> algorithm;
};

// The SIP secret of `username` in `realm` (the plain shared secret that the device is
// provisioned with), or nullopt for an unknown user.
using DigestSecretLookup =
    std::function<std::optional<std::string>(std::string_view username, std::string_view realm)>;

class DigestAuthenticator {
 public:
  static constexpr size_t kKeyBytes = 32;
  using Key = std::array<uint8_t, kKeyBytes>;

  // `key` is random per process (injected): nonces of a previous run become foreign.
  explicit DigestAuthenticator(const Key& key, DigestOptions options = {});

  // One challenge value per offered algorithm, in DigestOptions::algorithms order;
  // `md5_only` offers MD5 alone (for clients that refuse a 401 naming anything else).
  std::vector<std::string> challenge(std::string_view realm, bool stale, core::Time now,
                                     bool md5_only = false) const;

  // `credentials`: every Authorization (or Proxy-Authorization) value of the request.
  // A client may answer each of our challenges (re ≥ 3 does): the Digest credentials
  // for `realm` with the most preferred offered algorithm are checked.
  DigestOutcome verify(std::string_view method, std::string_view request_uri,
                       std::span<const std::string_view> credentials, std::string_view realm,
                       const DigestSecretLookup& lookup, core::Time now);
  // Convenience: reads Authorization (or Proxy-Authorization when `proxy`).
  DigestOutcome verify(const SipMessage& request, bool proxy, std::string_view realm,
                       const DigestSecretLookup& lookup, core::Time now);

  size_t trackedNonces() const { return nonce_counts_.size(); }

 private:
  struct NonceState {
    uint32_t highest_nc = 0;
    core::Time issued;
  };

  std::string makeNonce(std::string_view realm, core::Time issued) const;
  // The issue time of a nonce we made for `realm`, or nullopt (foreign or tampered).
  std::optional<core::Time> nonceIssued(std::string_view nonce, std::string_view realm) const;
  std::string makeOpaque(std::string_view realm) const;
  void pruneNonces(core::Time now);
  bool acceptNonceCount(const std::string& nonce, core::Time issued, uint32_t nc, core::Time now);

  Key key_;
  DigestOptions options_;
  std::map<std::string, NonceState, std::less<>> nonce_counts_;
  std::set<std::pair<core::Time, std::string>> by_issue_;  // eviction and expiry order
};

}  // namespace sb::sip
