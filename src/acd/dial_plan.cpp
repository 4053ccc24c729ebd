#include "acd/dial_plan.hpp"

#include <array>
#include <optional>

namespace sb::acd {
namespace {

using core::ErrorCode;
using core::makeError;

// Separators make up most of a long input; past this many bytes it is not a number.
constexpr std::size_t kMaxTypedBytes = 256;
constexpr std::size_t kMaxE164Digits = 15;
// 112, 119, 999, 911.
constexpr std::size_t kMinShortCodeDigits = 3;
// 1588-xxxx, 7946 0000: service numbers and local numbers without the area code.
constexpr std::size_t kMaxLocalDigits = 8;
// After the trunk prefix; the carrier checks the rest.
constexpr std::size_t kMinSignificantDigits = 4;
// In closed numbering plans, shorter numbers are short codes.
constexpr std::size_t kMinClosedPlanE164Digits = 7;

// How a country dials, where it differs from the default (trunk prefix '0', access
// prefix "00"); the header says why each row is there.
struct CountryRule {
  std::string_view cc;
  std::string_view trunk;                         // empty: closed numbering plan
  std::array<std::string_view, 2> international;  // access prefixes; empty slots unused
  bool nanp = false;
};

constexpr CountryRule kDefaultRule{"", "0", {"00", ""}};

constexpr std::array kRules{
    CountryRule{"1", "1", {"011", "00"}, true},  // NANP: US, Canada, Caribbean
    CountryRule{"7", "8", {"810", ""}},          // Russia, Kazakhstan
    CountryRule{"36", "06", {"00", ""}},         // Hungary
    CountryRule{"81", "0", {"010", "00"}},       // Japan
    CountryRule{"30", "", {"00", ""}},           // Greece
    CountryRule{"34", "", {"00", ""}},           // Spain
    CountryRule{"39", "", {"00", ""}},           // Italy: the leading 0 is part of the number
    CountryRule{"45", "", {"00", ""}},           // Denmark
    CountryRule{"47", "", {"00", ""}},           // Norway
    CountryRule{"48", "", {"00", ""}},           // Poland
    CountryRule{"65", "", {"00", "01"}},         // Singapore: 013, 018, 019 are international
    CountryRule{"351", "", {"00", ""}},          // Portugal
    CountryRule{"352", "", {"00", ""}},          // Luxembourg
    CountryRule{"420", "", {"00", ""}},          // Czechia
    CountryRule{"852", "", {"00", ""}},          // Hong Kong
};

const CountryRule& ruleFor(std::string_view cc) {
  for (const auto& rule : kRules) {
    if (rule.cc == cc) return rule;
  }
  return kDefaultRule;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isCountryCode(std::string_view cc) {
  if (cc.empty() || cc.size() > 3 || cc[0] == '0') return false;
  for (char c : cc) {
    if (!isDigit(c)) return false;
  }
  return true;
}

// The shape AccountService enforces on agent IDs (acd may not include account).
bool looksLikeAgentId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!isDigit(c) && !isLetter(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One well-formed UTF-8 sequence at s[i] (i advanced past it), or nullopt.
std::optional<char32_t> decodeUtf8(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  char32_t cp = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, cp = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, cp = lead & 0x07;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
  } else {
    return std::nullopt;
  }
  if (s.size() - i < length) return std::nullopt;
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned char b = byte(i + k);
    if (k == 1 ? (b < low || b > high) : (b < 0x80 || b > 0xBF)) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  i += length;
  return cp;
}

// What a non-ASCII code point means in a number: a digit or '+', a separator (0), or
// nothing we accept (nullopt).
std::optional<char> meaningOf(char32_t cp) {
  // Fullwidth digits and plus, from CJK input methods.
  if (cp >= 0xFF10 && cp <= 0xFF19) return static_cast<char>('0' + (cp - 0xFF10));
  if (cp == 0xFF0B) return '+';
  const bool separator =
      cp == 0x00A0 || cp == 0x00AD ||                    // no-break space, soft hyphen
      (cp >= 0x2000 && cp <= 0x200B) ||                  // typographic and zero-width spaces
      cp == 0x200E || cp == 0x200F ||                    // LRM, RLM
      (cp >= 0x2010 && cp <= 0x2015) ||                  // hyphens and dashes
      (cp >= 0x202A && cp <= 0x202F) ||                  // bidi embeddings, narrow no-break space
      cp == 0x2060 || (cp >= 0x2066 && cp <= 0x2069) ||  // word joiner, bidi isolates
      cp == 0x2212 || cp == 0x3000 || cp == 0xFEFF ||    // minus, ideographic space, BOM
      cp == 0xFF08 || cp == 0xFF09 ||                    // fullwidth ( )
      cp == 0xFF0D || cp == 0xFF0E || cp == 0xFF0F;      // fullwidth - . /
  if (separator) return '\0';
  return std::nullopt;
}

bool isAsciiSeparator(char c) {
  return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')';
}

core::Error invalid(std::string message) {
  return makeError(ErrorCode::kInvalidInput, std::move(message));
}

std::string tooLongMessage() {
  return "The number is too long (more than " + std::to_string(kMaxDialDigits) + " digits).";
}

InvalidDial invalidDial(std::string message) {
  return InvalidDial{std::move(message)};
}

RefusedDial international(std::string_view cc) {
  return RefusedDial{DialRefusal::kInternational,
                     "International calls are not allowed: only numbers in +" + std::string(cc) +
                         " can be dialled."};
}

bool startsWith(std::string_view s, std::string_view prefix) {
  return !prefix.empty() && s.substr(0, prefix.size()) == prefix;
}

bool isNanpNumber(std::string_view ten) {
  // NXX-NXX-XXXX: area code and exchange both start with 2–9.
  return ten.size() == 10 && ten[0] >= '2' && ten[3] >= '2';
}

// A national significant number (no trunk prefix) of the org's country.
DialTarget fromSignificant(const CountryRule& rule, std::string_view cc, std::string_view nsn) {
  if (rule.nanp) {
    if (!isNanpNumber(nsn)) {
      return invalidDial(
          "A US/Canada number has 10 digits, the first and fourth 2–9 (212 555 0100).");
    }
    return DomesticDial{std::string(nsn), "+1" + std::string(nsn)};
  }
  if (nsn.size() < kMinSignificantDigits) return invalidDial("The number is too short.");
  if (rule.trunk == "0" && nsn[0] == '0') return invalidDial("The number has one '0' too many.");
  if (cc.size() + nsn.size() > kMaxE164Digits) {
    return invalidDial(
        "The number is too long for a phone number (15 digits with the country code).");
  }
  return DomesticDial{std::string(rule.trunk) + std::string(nsn),
                      "+" + std::string(cc) + std::string(nsn)};
}

DialTarget classifyNanp(const CountryRule& rule, std::string_view digits) {
  if (digits.size() == 11 && digits[0] == '1') return fromSignificant(rule, "1", digits.substr(1));
  if (digits.size() == 10) return fromSignificant(rule, "1", digits);
  if (digits.size() == 3 && ((digits[0] >= '2' && digits.substr(1) == "11") || digits == "988")) {
    return DomesticDial{std::string(digits), ""};
  }
  return invalidDial("A US/Canada number has 10 digits, or 1 and 10 digits (1 212 555 0100).");
}

DialTarget classifyNumber(const CountryRule& rule, std::string_view cc, std::string_view number) {
  if (number[0] == '+') {
    const std::string_view digits = number.substr(1);
    if (!startsWith(digits, cc)) return international(cc);
    std::string_view nsn = digits.substr(cc.size());
    if (rule.trunk == "0" && !nsn.empty() && nsn[0] == '0') nsn.remove_prefix(1);  // "+82 (0)10…"
    return fromSignificant(rule, cc, nsn);
  }
  for (std::string_view prefix : rule.international) {
    if (startsWith(number, prefix)) return international(cc);
  }
  if (rule.nanp) return classifyNanp(rule, number);
  if (startsWith(number, rule.trunk))
    return fromSignificant(rule, cc, number.substr(rule.trunk.size()));
  if (number.size() < kMinShortCodeDigits) return invalidDial("The number is too short.");
  if (rule.trunk.empty()) {  // closed plan: the whole number is national
    if (number.size() < kMinClosedPlanE164Digits) return DomesticDial{std::string(number), ""};
    return fromSignificant(rule, cc, number);
  }
  if (number.size() > kMaxLocalDigits) {
    return invalidDial("Dial the number with its leading " + std::string(rule.trunk) +
                       " and area code, or with +" + std::string(cc) + ".");
  }
  return DomesticDial{std::string(number), ""};
}

}  // namespace

const char* toString(DialRefusal reason) {
  switch (reason) {
    case DialRefusal::kInternational:
      return "international";
    case DialRefusal::kNoCountryCode:
      return "no-country-code";
  }
  return "unknown";
}

core::Result<std::string> normalizeNumber(std::string_view typed) {
  if (typed.size() > kMaxTypedBytes) return invalid(tooLongMessage());
  std::string out;
  bool plus = false;
  std::size_t digits = 0;
  for (std::size_t i = 0; i < typed.size();) {
    char c = typed[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const auto cp = decodeUtf8(typed, i);
      if (!cp) return invalid("The number is not valid UTF-8 text.");
      const auto meaning = meaningOf(*cp);
      if (!meaning)
        return invalid(
            "A phone number has only digits, spaces, '-', '.', '(', ')' and a leading '+'.");
      if (*meaning == '\0') continue;
      c = *meaning;
    } else {
      ++i;
      if (isAsciiSeparator(c)) continue;
    }
    if (isDigit(c)) {
      if (++digits > kMaxDialDigits) return invalid(tooLongMessage());
      out += c;
    } else if (c == '+') {
      if (plus || digits > 0) return invalid("'+' may only start the number, once.");
      plus = true;
      out += c;
    } else if (c == '*' || c == '#') {
      return invalid("Codes with '*' or '#' cannot be dialled.");
    } else if (isLetter(c)) {
      return invalid("A phone number cannot contain letters.");
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return invalid("The number contains a control character.");
    } else {
      return invalid(
          "A phone number has only digits, spaces, '-', '.', '(', ')' and a leading '+'.");
    }
  }
  if (digits == 0) {
    return invalid(typed.empty() || (!plus && out.empty()) ? "Enter a number to call."
                                                           : "The number has no digits.");
  }
  return out;
}

DialTarget classifyDial(const Org& org, std::string_view typed, const AgentIdLookup& is_agent_id) {
  const std::string_view trimmed = trimSpaces(typed);
  const bool agent_shaped = looksLikeAgentId(trimmed);
  if (agent_shaped && is_agent_id && is_agent_id(trimmed))
    return ExtensionDial{std::string(trimmed)};

  auto number = normalizeNumber(typed);
  if (!number) {
    bool letters = false;
    for (char c : trimmed) letters = letters || isLetter(c);
    if (agent_shaped && letters) {
      return invalidDial("No agent \"" + std::string(trimmed) +
                         "\" in this organization, and it is not a phone number.");
    }
    return invalidDial(number.error().message);
  }
  if (!isCountryCode(org.country_code)) {
    return RefusedDial{DialRefusal::kNoCountryCode,
                       "The organization has no valid country code: only agents can be called."};
  }
  return classifyNumber(ruleFor(org.country_code), org.country_code, *number);
}

}  // namespace sb::acd
