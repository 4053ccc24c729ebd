#pragma once
// The value rules of a provisioning file (docs/provisioning.md), one predicate each, so
// that the parser reads as a list of rules and each rule is tested on its own.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sb::app {

inline constexpr size_t kMaxNameLength = 200;  // Unicode characters
inline constexpr size_t kMaxAgentIdLength = 64;
inline constexpr size_t kMinSipSecretLength = 12;
inline constexpr size_t kMaxSipSecretLength = 128;
inline constexpr size_t kMinNumberDigits = 3;
inline constexpr size_t kMaxNumberDigits = 20;

// nullopt when `name` is a good display/login name, otherwise what is wrong with it,
// as a phrase that follows the field's name ("must not be empty").
std::optional<std::string> checkName(std::string_view name, size_t max_length = kMaxNameLength);

// Letters, digits, '.', '_', '-': agent IDs become SIP user parts (sip:alice@acme.example).
bool isAgentId(std::string_view id);
// Host name syntax (RFC 1123): dot-separated labels of letters, digits and inner hyphens,
// each 1–63 characters, 253 in all; no trailing dot.
bool isDnsName(std::string_view name);
bool isIpLiteral(std::string_view address);  // IPv4 or IPv6, without brackets
// "host:port" or "[v6]:port"; host is an IPv4 literal or a DNS name, port 1–65535.
bool isHostPort(std::string_view value);
// Digits with an optional leading '+', kMinNumberDigits–kMaxNumberDigits digits.
bool isDialNumber(std::string_view number);
bool isCountryCode(std::string_view code);  // 1–3 digits, no leading zero
bool isMenuDigit(std::string_view digit);   // exactly one of "0".."9"
// "$argon2id$v=19$m=…,t=…,p=…$salt$hash", short enough for libsodium to verify.
bool isArgon2idPhc(std::string_view phc);
bool isSipSecret(std::string_view secret);  // printable ASCII, no spaces, 12–128 chars

// A zone name that is safe to look up under the zoneinfo directory: relative, made of
// [A-Za-z0-9_+-] components, no "." or ".." component.
bool isTimezoneName(std::string_view name);
// True when `name` is safe and names a TZif file under `zoneinfo_dir` ("UTC" always is).
bool timezoneExists(std::string_view name, const std::filesystem::path& zoneinfo_dir);

std::string asciiLower(std::string_view s);
// Text made safe for an error message: control and bidi characters and malformed bytes
// escaped, long text cut, so a hostile file cannot drive the admin's terminal.
std::string printable(std::string_view text, size_t max_chars = 60);
// printable() in double quotes, with quotes and backslashes escaped.
std::string quoteValue(std::string_view value);
// Edit distance, small strings only: suggests the key a typo meant.
size_t editDistance(std::string_view a, std::string_view b);

}  // namespace sb::app
