#include "account/session_token.hpp"

#include <sodium.h>

#include "account/password_hasher.hpp"

namespace sb::account {
namespace {

constexpr std::string_view kPrefix = "sbs_";
constexpr size_t kRawBytes = 32;
constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

TokenHash sha256(const uint8_t* data, size_t n) {
  TokenHash h{};
  crypto_hash_sha256(h.data(), data, n);
  return h;
}

}  // namespace

NewToken newSessionToken() {
  uint8_t raw[kRawBytes];
  randomBytes(raw, sizeof raw);
  char b64[sodium_base64_ENCODED_LEN(kRawBytes, kVariant)];
  sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, kVariant);
  NewToken t{std::string(kPrefix) + b64, sha256(raw, sizeof raw)};
  sodium_memzero(raw, sizeof raw);
  return t;
}

std::optional<TokenHash> hashSessionToken(std::string_view token) {
  constexpr size_t kEncodedLength = sodium_base64_ENCODED_LEN(kRawBytes, kVariant) - 1;
  if (token.size() != kPrefix.size() + kEncodedLength || token.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  std::string_view b64 = token.substr(kPrefix.size());
  uint8_t raw[kRawBytes];
  size_t len = 0;
  if (sodium_base642bin(raw, sizeof raw, b64.data(), b64.size(), nullptr, &len, nullptr, kVariant) != 0 ||
      len != kRawBytes) {
    return std::nullopt;
  }
  TokenHash h = sha256(raw, sizeof raw);
  sodium_memzero(raw, sizeof raw);
  return h;
}

std::string toHex(const TokenHash& hash) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(hash.size() * 2);
  for (uint8_t b : hash) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace sb::account
