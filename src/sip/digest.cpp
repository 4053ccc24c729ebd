#include "sip/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "sip/sip_message.hpp"
#include "sip/sip_uri.hpp"

namespace sb::sip {
namespace {

using core::ErrorCode;
using core::makeError;

core::Error malformed(std::string message) {
  return makeError(ErrorCode::kInvalidInput, std::move(message));
}

bool isLws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f');
}

// Parses the auth-params after the scheme. `pos` points after the scheme.
core::Result<std::vector<AuthParam>> parseParams(std::string_view text, size_t pos) {
  std::vector<AuthParam> params;
  auto skipLws = [&] {
    while (pos < text.size() && isLws(text[pos])) ++pos;
  };
  skipLws();
  if (pos == text.size()) return params;
  while (true) {
    size_t name_start = pos;
    while (pos < text.size() && isTokenChar(text[pos])) ++pos;
    if (pos == name_start) return malformed("auth-param name expected");
    if (pos - name_start > 64) return malformed("auth-param name too long");
    AuthParam param;
    param.name = lowered(text.substr(name_start, pos - name_start));
    skipLws();
    if (pos == text.size() || text[pos] != '=')
      return malformed("'=' expected after " + param.name);
    ++pos;
    skipLws();
    if (pos < text.size() && text[pos] == '"') {
      param.quoted = true;
      ++pos;
      bool closed = false;
      while (pos < text.size()) {
        char c = text[pos];
        if (c == '"') {
          closed = true;
          ++pos;
          break;
        }
        if (c == '\\') {
          if (++pos == text.size()) break;
          c = text[pos];
        }
        // Control characters are refused even escaped (RFC 3261 allows some in a
        // quoted-pair): nothing legitimate needs them, and the printer can then write
        // every value back as it was read.
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
          return malformed("control character in quoted string");
        }
        param.value.push_back(c);
        ++pos;
        if (param.value.size() > kMaxAuthParamValueBytes) return malformed("auth-param too long");
      }
      if (!closed) return malformed("unterminated quoted string");
    } else {
      size_t value_start = pos;
      while (pos < text.size() && isTokenChar(text[pos])) ++pos;
      if (pos == value_start) return malformed("auth-param value expected");
      if (pos - value_start > kMaxAuthParamValueBytes) return malformed("auth-param too long");
      param.value = std::string(text.substr(value_start, pos - value_start));
    }
    for (const auto& other : params) {
      if (other.name == param.name) return malformed("duplicate auth-param " + param.name);
    }
    params.push_back(std::move(param));
    if (params.size() > kMaxAuthParams) return malformed("too many auth-params");
    skipLws();
    if (pos == text.size()) return params;
    if (text[pos] != ',') return malformed("',' expected between auth-params");
    ++pos;
    skipLws();
  }
}

std::string_view paramValue(const AuthHeader& header, std::string_view name) {
  const AuthParam* p = header.find(name);
  return p ? std::string_view(p->value) : std::string_view();
}

std::optional<std::string> optionalParam(const AuthHeader& header, std::string_view name) {
  if (const AuthParam* p = header.find(name)) return p->value;
  return std::nullopt;
}

const EVP_MD* evpFor(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::kSha256 ? EVP_sha256() : EVP_md5();
}

size_t hexLength(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::kSha256 ? 64 : 32;
}

std::string toHex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xf]);
  }
  return out;
}

// H(data) in lower-case hex; empty if the library refuses (MD5 under FIPS), which then
// never matches a response.
std::string hashHex(DigestAlgorithm algorithm, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out, &size, evpFor(algorithm), nullptr) != 1) return {};
  return toHex(out, size);
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  bool first = true;
  for (auto part : parts) {
    if (!first) out.push_back(':');
    out.append(part);
    first = false;
  }
  return out;
}

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const unsigned char* data, size_t size) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < size; ++i) {
    acc = (acc << 8) | data[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64Url[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kBase64Url[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::optional<std::vector<unsigned char>> base64urlDecode(std::string_view text) {
  std::vector<unsigned char> out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const char* at = std::strchr(kBase64Url, c);
    if (c == '\0' || at == nullptr) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(at - kBase64Url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<unsigned char>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical
  return out;
}

void appendQuoted(std::string& out, std::string_view value) {
  out.push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

bool offersAuth(std::string_view qop_list) {
  for (const auto& element : splitHeaderList(qop_list)) {
    if (equalsIgnoreCase(element, "auth")) return true;
  }
  return false;
}

// The leading token of a credentials value (its auth-scheme), without parsing the rest:
// another scheme may use token68 syntax.
std::string_view schemeOf(std::string_view value) {
  size_t start = 0;
  while (start < value.size() && isLws(value[start])) ++start;
  size_t end = start;
  while (end < value.size() && isTokenChar(value[end])) ++end;
  return value.substr(start, end - start);
}

constexpr size_t kStampBytes = 8;
constexpr size_t kMacBytes = 32;

}  // namespace

const char* toString(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::kSha256 ? "SHA-256" : "MD5";
}

std::optional<DigestAlgorithm> parseDigestAlgorithm(std::string_view text) {
  if (equalsIgnoreCase(text, "MD5")) return DigestAlgorithm::kMd5;
  if (equalsIgnoreCase(text, "SHA-256")) return DigestAlgorithm::kSha256;
  return std::nullopt;
}

const char* toString(DigestVerdict verdict) {
  switch (verdict) {
    case DigestVerdict::kOk:
      return "ok";
    case DigestVerdict::kMissingCredentials:
      return "missing_credentials";
    case DigestVerdict::kMalformed:
      return "malformed";
    case DigestVerdict::kWrong:
      return "wrong";
    case DigestVerdict::kStaleNonce:
      return "stale_nonce";
    case DigestVerdict::kReplayed:
      return "replayed";
  }
  return "?";
}

const AuthParam* AuthHeader::find(std::string_view name) const {
  for (const auto& p : params) {
    if (equalsIgnoreCase(p.name, name)) return &p;
  }
  return nullptr;
}

core::Result<AuthHeader> parseAuthHeader(std::string_view value) {
  if (value.size() > kMaxAuthHeaderBytes) return malformed("auth header too long");
  size_t pos = 0;
  while (pos < value.size() && isLws(value[pos])) ++pos;
  size_t scheme_start = pos;
  while (pos < value.size() && isTokenChar(value[pos])) ++pos;
  if (pos == scheme_start) return malformed("auth scheme expected");
  AuthHeader header;
  header.scheme = std::string(value.substr(scheme_start, pos - scheme_start));
  if (pos < value.size() && !isLws(value[pos])) return malformed("space expected after scheme");
  auto params = parseParams(value, pos);
  if (!params) return params.error();
  header.params = std::move(*params);
  return header;
}

core::Result<DigestCredentials> parseDigestCredentials(std::string_view value) {
  auto header = parseAuthHeader(value);
  if (!header) return header.error();
  if (!equalsIgnoreCase(header->scheme, "Digest")) return malformed("not Digest credentials");
  DigestCredentials c;
  for (std::string_view required : {"username", "realm", "nonce", "uri", "response"}) {
    if (!header->find(required)) return malformed("missing " + std::string(required));
  }
  c.username = paramValue(*header, "username");
  c.realm = paramValue(*header, "realm");
  c.nonce = paramValue(*header, "nonce");
  c.uri = paramValue(*header, "uri");
  std::string_view response = paramValue(*header, "response");
  if (response.empty() || response.size() > 128 ||
      !std::all_of(response.begin(), response.end(), isHex))
    return malformed("response is not hex");
  c.response = lowered(response);
  if (const AuthParam* algorithm = header->find("algorithm")) {
    auto known = parseDigestAlgorithm(algorithm->value);
    c.algorithm_known = known.has_value();
    if (known) c.algorithm = *known;
  }
  c.qop = optionalParam(*header, "qop");
  c.cnonce = optionalParam(*header, "cnonce");
  c.opaque = optionalParam(*header, "opaque");
  if (const AuthParam* nc = header->find("nc")) {
    if (nc->value.size() != 8 || !std::all_of(nc->value.begin(), nc->value.end(), isHex))
      return malformed("nc is not 8 hex digits");
    uint32_t n = 0;
    for (char ch : nc->value) {
      n = (n << 4) | static_cast<uint32_t>(ch <= '9' ? ch - '0' : lower(ch) - 'a' + 10);
    }
    c.nc = n;
    c.nc_text = nc->value;
  }
  return c;
}

core::Result<DigestChallenge> parseDigestChallenge(std::string_view value) {
  auto header = parseAuthHeader(value);
  if (!header) return header.error();
  if (!equalsIgnoreCase(header->scheme, "Digest")) return malformed("not a Digest challenge");
  if (!header->find("realm") || !header->find("nonce"))
    return malformed("realm and nonce required");
  DigestChallenge ch;
  ch.realm = paramValue(*header, "realm");
  ch.nonce = paramValue(*header, "nonce");
  ch.opaque = optionalParam(*header, "opaque");
  ch.qop = optionalParam(*header, "qop");
  if (const AuthParam* algorithm = header->find("algorithm")) {
    auto known = parseDigestAlgorithm(algorithm->value);
    ch.algorithm_known = known.has_value();
    if (known) ch.algorithm = *known;
  }
  ch.stale = equalsIgnoreCase(paramValue(*header, "stale"), "true");
  return ch;
}

std::string toString(const DigestChallenge& challenge) {
  std::string out = "Digest realm=";
  appendQuoted(out, challenge.realm);
  out += ", nonce=";
  appendQuoted(out, challenge.nonce);
  if (challenge.opaque) {
    out += ", opaque=";
    appendQuoted(out, *challenge.opaque);
  }
  out += ", algorithm=";
  out += toString(challenge.algorithm);
  if (challenge.qop) {
    out += ", qop=";
    appendQuoted(out, *challenge.qop);
  }
  if (challenge.stale) out += ", stale=true";
  return out;
}

std::string digestResponse(DigestAlgorithm algorithm, std::string_view username,
                           std::string_view realm, std::string_view secret, std::string_view method,
                           std::string_view uri, std::string_view nonce, std::string_view qop,
                           std::string_view nc_hex, std::string_view cnonce) {
  std::string ha1 = hashHex(algorithm, join({username, realm, secret}));
  std::string ha2 = hashHex(algorithm, join({method, uri}));
  if (qop.empty()) return hashHex(algorithm, join({ha1, nonce, ha2}));
  return hashHex(algorithm, join({ha1, nonce, nc_hex, cnonce, qop, ha2}));
}

core::Result<std::string> digestAuthorization(const DigestChallenge& challenge,
                                              std::string_view username, std::string_view secret,
                                              std::string_view method, std::string_view uri,
                                              std::string_view cnonce, uint32_t nc) {
  if (!challenge.algorithm_known) return malformed("unsupported digest algorithm");
  bool with_qop = challenge.qop.has_value();
  if (with_qop && !offersAuth(*challenge.qop)) return malformed("challenge offers no qop=auth");
  char nc_hex[9];
  std::snprintf(nc_hex, sizeof nc_hex, "%08x", nc);
  std::string response =
      digestResponse(challenge.algorithm, username, challenge.realm, secret, method, uri,
                     challenge.nonce, with_qop ? "auth" : "", nc_hex, cnonce);
  std::string out = "Digest username=";
  appendQuoted(out, username);
  out += ", realm=";
  appendQuoted(out, challenge.realm);
  out += ", nonce=";
  appendQuoted(out, challenge.nonce);
  out += ", uri=";
  appendQuoted(out, uri);
  out += ", response=";
  appendQuoted(out, response);
  out += ", algorithm=";
  out += toString(challenge.algorithm);
  if (with_qop) {
    out += ", cnonce=";
    appendQuoted(out, cnonce);
    out += ", nc=";
    out += nc_hex;
    out += ", qop=auth";
  }
  if (challenge.opaque) {
    out += ", opaque=";
    appendQuoted(out, *challenge.opaque);
  }
  return out;
}

// DigestAuthenticator --------------------------------------------------------------

DigestAuthenticator::DigestAuthenticator(const Key& key, DigestOptions options)
    : key_(key), options_(std::move(options)) {
  if (options_.algorithms.empty()) options_.algorithms = {DigestAlgorithm::kSha256};
  if (options_.max_tracked_nonces == 0) options_.max_tracked_nonces = 1;
}

// Order of the challenges. RFC 8760 §2.4 has the server list them in preference order
// and the client take the first it supports, so SHA-256 comes first. What the peers we
// test with do (read from their sources):
//  - recent sipp joins all WWW-Authenticate headers and answers the first challenge it
//    can compute (selectAuthChallenge), MD5 or SHA-256: either order works and it
//    picks SHA-256. sipp 3.6.x (Debian bookworm's sip-tester) reads each parameter at
//    its first occurrence in the joined headers and knows only MD5: with SHA-256 first
//    it gives up. Such a sipp needs `algorithms = {kMd5}` (or MD5 first).
//  - libre ≥ 3.x (baresip) answers every challenge it understands (MD5, SHA-256) with
//    one Authorization each, hence verify() picks among several credentials. libre 2.x
//    (Debian bookworm's baresip 1.0) fails the whole 401 with ENOSYS as soon as any
//    challenge is not MD5, whatever the order: it needs `algorithms = {kMd5}`.
// So the default suits current clients and the RFC; deployments with those older
// clients configure MD5 alone.
std::vector<std::string> DigestAuthenticator::challenge(std::string_view realm, bool stale,
                                                        core::Time now, bool md5_only) const {
  std::vector<std::string> out;
  std::string nonce = makeNonce(realm, now);
  std::string opaque = makeOpaque(realm);
  for (DigestAlgorithm algorithm : options_.algorithms) {
    if (md5_only && algorithm != DigestAlgorithm::kMd5) continue;
    DigestChallenge ch;
    ch.realm = std::string(realm);
    ch.nonce = nonce;
    ch.opaque = opaque;
    ch.algorithm = algorithm;
    ch.qop = "auth";
    ch.stale = stale;
    out.push_back(toString(ch));
  }
  return out;
}

std::string DigestAuthenticator::makeNonce(std::string_view realm, core::Time issued) const {
  unsigned char buffer[kStampBytes + kMacBytes];
  auto stamp = static_cast<uint64_t>(issued.time_since_epoch().count());
  for (size_t i = 0; i < kStampBytes; ++i) {
    buffer[i] = static_cast<unsigned char>(stamp >> (8 * (kStampBytes - 1 - i)));
  }
  std::string input(reinterpret_cast<const char*>(buffer), kStampBytes);
  input.append(realm);
  unsigned int size = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), buffer + kStampBytes,
       &size);
  return base64url(buffer, sizeof buffer);
}

std::optional<core::Time> DigestAuthenticator::nonceIssued(std::string_view nonce,
                                                           std::string_view realm) const {
  if (nonce.size() > 64) return std::nullopt;
  auto raw = base64urlDecode(nonce);
  if (!raw || raw->size() != kStampBytes + kMacBytes) return std::nullopt;
  uint64_t stamp = 0;
  for (size_t i = 0; i < kStampBytes; ++i) stamp = (stamp << 8) | (*raw)[i];
  core::Time issued{core::Duration{static_cast<int64_t>(stamp)}};
  std::string expected = makeNonce(realm, issued);
  if (expected.size() != nonce.size() ||
      CRYPTO_memcmp(expected.data(), nonce.data(), nonce.size()) != 0)
    return std::nullopt;
  return issued;
}

std::string DigestAuthenticator::makeOpaque(std::string_view realm) const {
  std::string input = "opaque:";
  input.append(realm);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size);
  return base64url(mac, 16);
}

void DigestAuthenticator::pruneNonces(core::Time now) {
  while (!by_issue_.empty() && by_issue_.begin()->first + options_.nonce_lifetime < now) {
    nonce_counts_.erase(by_issue_.begin()->second);
    by_issue_.erase(by_issue_.begin());
  }
}

bool DigestAuthenticator::acceptNonceCount(const std::string& nonce, core::Time issued, uint32_t nc,
                                           core::Time now) {
  pruneNonces(now);
  if (auto it = nonce_counts_.find(nonce); it != nonce_counts_.end()) {
    if (nc <= it->second.highest_nc) return false;
    it->second.highest_nc = nc;
    return true;
  }
  if (nc == 0) return false;  // counts start at 00000001
  if (nonce_counts_.size() >= options_.max_tracked_nonces) {
    // Forgetting the oldest nonce lets its next nc through once more, never an old one
    // of a newer nonce: acceptable against an attacker who can flood us with logins.
    nonce_counts_.erase(by_issue_.begin()->second);
    by_issue_.erase(by_issue_.begin());
  }
  nonce_counts_.emplace(nonce, NonceState{nc, issued});
  by_issue_.emplace(issued, nonce);
  return true;
}

DigestOutcome DigestAuthenticator::verify(const SipMessage& request, bool proxy,
                                          std::string_view realm, const DigestSecretLookup& lookup,
                                          core::Time now) {
  auto values = request.headerValues(proxy ? "Proxy-Authorization" : "Authorization");
  return verify(request.method(), request.requestUri(), values, realm, lookup, now);
}

DigestOutcome DigestAuthenticator::verify(std::string_view method, std::string_view request_uri,
                                          std::span<const std::string_view> credentials,
                                          std::string_view realm, const DigestSecretLookup& lookup,
                                          core::Time now) {
  DigestOutcome outcome;
  bool any_digest = false;
  bool any_malformed = false;
  std::optional<DigestCredentials> chosen;
  size_t chosen_rank = options_.algorithms.size();
  std::string first_username;
  for (std::string_view value : credentials) {
    if (!equalsIgnoreCase(schemeOf(value), "Digest")) continue;  // Basic, Bearer, …
    any_digest = true;
    auto parsed = parseDigestCredentials(value);
    if (!parsed) {
      any_malformed = true;
      continue;
    }
    if (first_username.empty()) first_username = parsed->username;
    if (parsed->realm != realm || !parsed->algorithm_known) continue;
    auto at = std::find(options_.algorithms.begin(), options_.algorithms.end(), parsed->algorithm);
    auto rank = static_cast<size_t>(at - options_.algorithms.begin());
    if (rank < chosen_rank) {
      chosen_rank = rank;
      chosen = std::move(*parsed);
    }
  }
  if (!any_digest) return outcome;  // kMissingCredentials
  if (!chosen) {
    // Only credentials for another realm or an algorithm we did not offer.
    outcome.verdict = any_malformed ? DigestVerdict::kMalformed : DigestVerdict::kWrong;
    outcome.username = first_username;
    return outcome;
  }
  const DigestCredentials& c = *chosen;
  outcome.username = c.username;
  outcome.algorithm = c.algorithm;
  // We always offer qop="auth": the RFC 2069 form (no qop, no cnonce, no nc) would give
  // up replay protection by nc and the client's cnonce, so it is refused.
  if (!c.qop || !equalsIgnoreCase(*c.qop, "auth") || !c.cnonce || c.cnonce->empty() || !c.nc) {
    outcome.verdict = DigestVerdict::kMalformed;
    return outcome;
  }
  bool wrong = c.response.size() != hexLength(c.algorithm);
  if (c.uri != request_uri) wrong = true;
  if (c.opaque && *c.opaque != makeOpaque(realm)) wrong = true;
  auto issued = nonceIssued(c.nonce, realm);
  if (!issued || *issued > now + options_.nonce_lifetime) wrong = true;
  // An unknown user costs the same hashing as a wrong secret and ends the same way.
  std::optional<std::string> secret = lookup ? lookup(c.username, realm) : std::nullopt;
  if (!secret) wrong = true;
  std::string expected =
      digestResponse(c.algorithm, c.username, realm, secret ? *secret : "unknown-user-secret",
                     method, c.uri, c.nonce, *c.qop, c.nc_text, *c.cnonce);
  if (expected.size() != c.response.size() ||
      CRYPTO_memcmp(expected.data(), c.response.data(), expected.size()) != 0)
    wrong = true;
  if (wrong) {
    outcome.verdict = DigestVerdict::kWrong;
    return outcome;
  }
  if (now > *issued + options_.nonce_lifetime) {
    outcome.verdict = DigestVerdict::kStaleNonce;
    return outcome;
  }
  if (!acceptNonceCount(c.nonce, *issued, *c.nc, now)) {
    outcome.verdict = DigestVerdict::kReplayed;
    return outcome;
  }
  outcome.verdict = DigestVerdict::kOk;
  return outcome;
}

}  // namespace sb::sip
