#pragma once
// Session tokens: 256 random bits, given to the client once as "sbs_" + base64url, and
// stored only as their SHA-256 (a database leak yields no usable token).
#include <optional>
#include <string>
#include <string_view>

#include "account/account_store.hpp"

namespace sb::account {

struct NewToken {
  std::string token;  // what the client sends as `Authorization: Bearer <token>`
  TokenHash hash;
};

NewToken newSessionToken();
// nullopt when `token` is not of our form (wrong prefix, length or alphabet).
std::optional<TokenHash> hashSessionToken(std::string_view token);
// Lower-case hex, for logs and tests (a hash, never a token).
std::string toHex(const TokenHash& hash);

}  // namespace sb::account
