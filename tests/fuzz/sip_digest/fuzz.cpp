// Untrusted Authorization / WWW-Authenticate values: any bytes must parse or fail, never
// crash; a challenge that parses must print to text that parses back to the same
// values; and verify() must answer every input against a fixed request without
// crashing. The seeds hold credentials that verify, so mutations reach the hashing,
// nonce and nc paths (the key and the clock are fixed for that).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sip/digest.hpp"

namespace {

const sb::core::Time kNow{std::chrono::seconds{1'700'000'010}};

sb::sip::DigestAuthenticator& authenticator() {
  static sb::sip::DigestAuthenticator auth = [] {
    sb::sip::DigestAuthenticator::Key key{};
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
    return sb::sip::DigestAuthenticator(key);
  }();
  return auth;
}

std::optional<std::string> lookup(std::string_view user, std::string_view) {
  if (user == "alice") return "s3cret";
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)sb::sip::parseDigestCredentials(input);
  if (auto challenge = sb::sip::parseDigestChallenge(input)) {
    auto again = sb::sip::parseDigestChallenge(sb::sip::toString(*challenge));
    if (!again || again->realm != challenge->realm || again->nonce != challenge->nonce ||
        again->opaque != challenge->opaque || again->qop != challenge->qop ||
        again->stale != challenge->stale)
      std::abort();
  }
  // One value, and the input split on newlines as several Authorization values.
  std::vector<std::string_view> one{input};
  auto& auth = authenticator();
  (void)auth.verify("REGISTER", "sip:example.com", one, "example.com", lookup, kNow);
  std::vector<std::string_view> many;
  size_t start = 0;
  while (start <= input.size() && many.size() < 8) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    many.push_back(input.substr(start, end - start));
    start = end + 1;
  }
  (void)auth.verify("REGISTER", "sip:example.com", many, "example.com", lookup, kNow);
  return 0;
}
