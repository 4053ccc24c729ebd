#include "account/password_policy.hpp"

#include <algorithm>
#include <string>
#include <unordered_set>

#include "core/utf8.hpp"

// Generated at build time from data/common-passwords.txt (cmake/Embed.cmake).
extern const char kSbCommonPasswords[];

namespace sb::account {
namespace {

std::string asciiLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  });
  return out;
}

const std::unordered_set<std::string>& commonPasswords() {
  static const std::unordered_set<std::string> set = [] {
    std::unordered_set<std::string> s;
    std::string_view all(kSbCommonPasswords);
    while (!all.empty()) {
      size_t nl = all.find('\n');
      std::string_view line = all.substr(0, nl);
      all = nl == std::string_view::npos ? std::string_view{} : all.substr(nl + 1);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
      if (line.empty() || line.front() == '#') continue;
      s.insert(asciiLower(line));
    }
    return s;
  }();
  return set;
}

bool isSuffixNoise(char c) {
  return (c >= '0' && c <= '9') || std::string_view("!@#$%^&*.?_-~+=").find(c) != std::string_view::npos;
}

// "aaaaaaaa", "12345678", "87654321", "abcdefgh": one character repeated or a run.
bool isTrivialSequence(std::string_view s) {
  if (s.size() < 2) return true;
  const int step = static_cast<unsigned char>(s[1]) - static_cast<unsigned char>(s[0]);
  if (step < -1 || step > 1) return false;
  for (size_t i = 2; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) - static_cast<unsigned char>(s[i - 1]) != step) return false;
  }
  return true;
}

// "bob", "Bob2026", "bob-bob!": the agent ID, repeated or decorated only with digits and
// punctuation, is no secret.
bool isAgentIdVariant(std::string_view password, std::string_view agent_id) {
  if (agent_id.empty()) return false;
  std::string rest = asciiLower(password);
  const std::string id = asciiLower(agent_id);
  bool found = false;
  for (size_t at = rest.find(id); at != std::string::npos; at = rest.find(id)) {
    rest.erase(at, id.size());
    found = true;
  }
  return found && std::all_of(rest.begin(), rest.end(), [](char c) { return isSuffixNoise(c); });
}

}  // namespace

bool isCommonPassword(std::string_view password) {
  const std::string lower = asciiLower(password);
  if (isTrivialSequence(lower)) return true;
  const auto& set = commonPasswords();
  if (set.contains(lower)) return true;
  std::string_view stem(lower);
  while (!stem.empty() && isSuffixNoise(stem.back())) stem.remove_suffix(1);
  if (stem.size() >= 4 && stem.size() < lower.size() && set.contains(std::string(stem))) return true;
  return false;
}

std::optional<std::string> checkNewPassword(std::string_view password, std::string_view agent_id) {
  const auto length = core::utf8Length(password);
  if (!length) return "The password is not valid UTF-8 text.";
  if (*length < kMinPasswordLength) return "The password must have at least 8 characters.";
  if (*length > kMaxPasswordLength) return "The password must have at most 128 characters.";
  if (core::hasControlCharacters(password)) return "The password must not contain control characters.";
  if (isAgentIdVariant(password, agent_id)) return "The password must not be the agent ID.";
  if (isCommonPassword(password)) return "The password is too common; choose another.";
  return std::nullopt;
}

}  // namespace sb::account
