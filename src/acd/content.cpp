#include "acd/content.hpp"

#include <algorithm>

namespace sb::acd {
namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Support answers by hand, so the check only has to catch what cannot be an address or
// a number (a typo, a name, a sentence), not implement RFC 5322.
bool isEmail(std::string_view s) {
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 ||
      s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view local = s.substr(0, at);
  const std::string_view domain = s.substr(at + 1);
  const bool local_ok = std::all_of(local.begin(), local.end(), [](char c) {
    return isLetter(c) || isDigit(c) ||
           std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
  });
  if (!local_ok || local.front() == '.' || local.back() == '.') return false;
  // A DNS name with at least two labels, each of letters, digits and inner hyphens.
  if (domain.empty() || domain.size() > 253 || domain.find('.') == std::string_view::npos)
    return false;
  for (std::string_view rest = domain;;) {
    const auto dot = rest.find('.');
    const std::string_view label = rest.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    if (!std::all_of(label.begin(), label.end(),
                     [](char c) { return isLetter(c) || isDigit(c) || c == '-'; })) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    rest.remove_prefix(dot + 1);
  }
}

bool isPhone(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || !(isDigit(s.front()) || s.front() == '(') || !isDigit(s.back())) return false;
  std::size_t digits = 0;
  for (char c : s) {
    if (isDigit(c)) {
      ++digits;
    } else if (std::string_view(" -.()").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return digits >= 3 && digits <= 20;
}

}  // namespace

std::optional<std::string> checkInquiryContact(std::string_view contact) {
  if (contact.size() > kMaxInquiryContactChars) {
    return "must have at most " + std::to_string(kMaxInquiryContactChars) + " characters";
  }
  if (isEmail(contact) || isPhone(contact)) return std::nullopt;
  return "must be an e-mail address (name@example.com) or a phone number (3 to 20 digits, "
         "an optional leading '+')";
}

}  // namespace sb::acd
