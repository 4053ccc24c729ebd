#include "app/provisioning_rules.hpp"

#include <arpa/inet.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <system_error>
#include <vector>

#include "core/utf8.hpp"

namespace sb::app {
namespace {

bool isAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isBase64Char(char c) {
  return isAsciiLetter(c) || isAsciiDigit(c) || c == '+' || c == '/';
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), isAsciiDigit);
}

bool isDnsLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return isAsciiLetter(c) || isAsciiDigit(c) || c == '-'; });
}

bool inetPton(int family, std::string_view address) {
  // Longer than any literal: also keeps the copy below small.
  if (address.empty() || address.size() >= 64) return false;
  const std::string z(address);  // inet_pton wants a NUL-terminated string
  std::array<unsigned char, 16> buffer{};
  return ::inet_pton(family, z.c_str(), buffer.data()) == 1;
}

bool isPort(std::string_view port) {
  if (!allDigits(port) || port.size() > 5 || port.front() == '0') return false;
  int value = 0;
  for (char c : port) value = value * 10 + (c - '0');
  return value >= 1 && value <= 65535;
}

// Consumes `digits` (1–10 of them) from the front of `s`.
bool takeNumber(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && isAsciiDigit(s[n])) ++n;
  if (n == 0 || n > 10) return false;
  s.remove_prefix(n);
  return true;
}

bool takeLiteral(std::string_view& s, std::string_view literal) {
  if (!s.starts_with(literal)) return false;
  s.remove_prefix(literal.size());
  return true;
}

bool takeBase64(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && isBase64Char(s[n])) ++n;
  if (n == 0) return false;
  s.remove_prefix(n);
  return true;
}

// Bytes a well-formed UTF-8 sequence starting with `lead` has (0: not a lead byte).
size_t sequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 0;
}

// Characters that reorder or hide text on a terminal (bidi controls).
bool isBidiControl(std::string_view seq) {
  static constexpr std::array<std::string_view, 9> kBidi = {
      "\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE",
      "\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9"};
  return std::find(kBidi.begin(), kBidi.end(), seq) != kBidi.end();
}

void appendHexByte(std::string& out, unsigned char b) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 0xF];
}

}  // namespace

std::optional<std::string> checkName(std::string_view name, size_t max_length) {
  if (name.empty()) return "must not be empty";
  const auto length = core::utf8Length(name);
  if (!length) return "must be valid UTF-8 text";
  if (core::hasControlCharacters(name)) return "must not contain control characters";
  if (*length > max_length) return "must be at most " + std::to_string(max_length) + " characters";
  if (name.front() == ' ' || name.back() == ' ') return "must not begin or end with a space";
  return std::nullopt;
}

bool isAgentId(std::string_view id) {
  return std::all_of(id.begin(), id.end(), [](char c) {
    return isAsciiLetter(c) || isAsciiDigit(c) || c == '.' || c == '_' || c == '-';
  });
}

bool isDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  while (true) {
    const size_t dot = name.find('.');
    if (!isDnsLabel(name.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    name.remove_prefix(dot + 1);
  }
}

bool isIpLiteral(std::string_view address) {
  return inetPton(AF_INET, address) || inetPton(AF_INET6, address);
}

bool isHostPort(std::string_view value) {
  std::string_view host, port;
  if (value.starts_with('[')) {
    const size_t close = value.find(']');
    if (close == std::string_view::npos || close + 1 >= value.size() || value[close + 1] != ':') {
      return false;
    }
    host = value.substr(1, close - 1);
    port = value.substr(close + 2);
    if (!inetPton(AF_INET6, host)) return false;
  } else {
    const size_t colon = value.rfind(':');
    if (colon == std::string_view::npos) return false;
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
    if (!inetPton(AF_INET, host) && !isDnsName(host)) return false;
  }
  return isPort(port);
}

bool isDialNumber(std::string_view number) {
  if (number.starts_with('+')) number.remove_prefix(1);
  return allDigits(number) && number.size() >= kMinNumberDigits &&
         number.size() <= kMaxNumberDigits;
}

bool isCountryCode(std::string_view code) {
  return allDigits(code) && code.size() <= 3 && code.front() != '0';
}

bool isMenuDigit(std::string_view digit) {
  return digit.size() == 1 && isAsciiDigit(digit[0]);
}

bool isArgon2idPhc(std::string_view phc) {
  // libsodium refuses to verify anything that does not fit its buffer.
  if (phc.size() >= crypto_pwhash_argon2id_STRBYTES) return false;
  std::string_view s = phc;
  return takeLiteral(s, "$argon2id$v=19$m=") && takeNumber(s) && takeLiteral(s, ",t=") &&
         takeNumber(s) && takeLiteral(s, ",p=") && takeNumber(s) && takeLiteral(s, "$") &&
         takeBase64(s) && takeLiteral(s, "$") && takeBase64(s) && s.empty();
}

bool isSipSecret(std::string_view secret) {
  if (secret.size() < kMinSipSecretLength || secret.size() > kMaxSipSecretLength) return false;
  return std::all_of(secret.begin(), secret.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

bool isTimezoneName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  while (true) {
    const size_t slash = name.find('/');
    const std::string_view part = name.substr(0, slash);
    if (part.empty() || part == "." || part == "..") return false;
    const bool ok = std::all_of(part.begin(), part.end(), [](char c) {
      return isAsciiLetter(c) || isAsciiDigit(c) || c == '_' || c == '+' || c == '-';
    });
    if (!ok) return false;
    if (slash == std::string_view::npos) return true;
    name.remove_prefix(slash + 1);
  }
}

bool timezoneExists(std::string_view name, const std::filesystem::path& zoneinfo_dir) {
  if (name == "UTC") return true;  // the default works even where tzdata is not installed
  if (!isTimezoneName(name)) return false;
  const std::filesystem::path path = zoneinfo_dir / std::filesystem::path(std::string(name));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  // zoneinfo also holds zone.tab, tzdata.zi, leapseconds…: only TZif files are zones.
  std::ifstream in(path, std::ios::binary);
  std::array<char, 4> magic{};
  in.read(magic.data(), magic.size());
  return in.gcount() == 4 && std::string_view(magic.data(), 4) == "TZif";
}

std::string asciiLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

std::string quoteValue(std::string_view value) {
  return "\"" + printable(value) + "\"";
}

std::string printable(std::string_view value, size_t max_chars) {
  std::string out;
  size_t shown = 0;
  for (size_t i = 0; i < value.size(); ++shown) {
    if (shown == max_chars) {
      out += "…";
      break;
    }
    const auto lead = static_cast<unsigned char>(value[i]);
    const size_t n = sequenceLength(lead);
    const std::string_view seq = value.substr(i, n == 0 ? 1 : n);
    if (n == 0 || seq.size() < n || !core::utf8Length(seq)) {
      appendHexByte(out, lead);  // malformed: show the byte, resynchronise on the next
      ++i;
      continue;
    }
    i += n;
    if (n == 1) {
      if (lead < 0x20 || lead == 0x7F) {
        appendHexByte(out, lead);
      } else {
        if (lead == '"' || lead == '\\') out += '\\';
        out += static_cast<char>(lead);
      }
    } else if (core::hasControlCharacters(seq) || isBidiControl(seq)) {
      for (char c : seq) appendHexByte(out, static_cast<unsigned char>(c));
    } else {
      out += seq;
    }
  }
  return out;
}

size_t editDistance(std::string_view a, std::string_view b) {
  if (a.size() > 64 || b.size() > 64) return std::max(a.size(), b.size());
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace sb::app
