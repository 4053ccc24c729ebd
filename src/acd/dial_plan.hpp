#pragma once
// The dial plan of agents' outbound calls (E1, E3, N6): what an agent typed on the dial
// pad, or the user part of the Request-URI their SIP phone sent (percent-decoded),
// becomes a call to another agent, a domestic number for the trunk, or a refusal.
// Pure functions: no I/O, no exceptions, any bytes give an answer.
//
// Normalization (normalizeNumber) drops what people and phone apps put between digits:
// spaces, tabs, '-', '.', '/', '(', ')', and the Unicode separators phone apps insert
// (no-break and narrow spaces, hyphens and dashes, minus sign, the bidi marks iOS wraps
// copied numbers in, zero-width spaces, BOM, fullwidth punctuation); fullwidth digits
// and '+' (Korean and Japanese IMEs) count as ASCII ones. One '+' is allowed, before any
// digit. Refused: no digits, more than kMaxDialDigits digits (E.164 has 15; an access
// prefix such as 00700 adds 5), letters, control characters (NUL included), malformed
// UTF-8, any other character, and '*' / '#': star and hash codes are features of a
// carrier or a PBX, not numbers, and the trunk has nothing to do with them.
//
// Classification (classifyDial) takes the raw input, because agent IDs are
// case-sensitive and may hold '-' and '.', which normalization would strip:
// 1. Extension (N6): the input, trimmed of surrounding spaces, is one of the org's
//    agent IDs. An agent ID wins over a number ("1001" is agent 1001 even where 1001
//    is also a service number): inside the contact center, colleagues come first.
// 2. Otherwise the normalized number, by the org's country code (org.country_code):
//    - "+<org's cc><number>": domestic, converted to the national form (trunk prefix +
//      national significant number). A '0' right after the country code is dropped
//      where '0' is the trunk prefix: "+82 (0)10…" and "+82 010…" are a common habit.
//    - "+<other cc>…": refused, international (E3). E.164 country codes are prefix-free,
//      so a prefix comparison decides it.
//    - An international access prefix of the country: refused, international (E3).
//      "00" by default (ITU-T E.164 recommends it); it also covers the Korean carrier
//      prefixes 001, 002, 005, 006, 008, 00700, 00365, …. NANP (cc 1): "011", and "00"
//      (operator/international habit: nothing domestic a trunk accepts starts with it).
//      Japan (81): "010" and "00". Russia/Kazakhstan (7): "810".
//    - Trunk prefix + number: domestic; the E.164 form drops the trunk prefix.
//    - Without the trunk prefix, 3 to 8 digits: domestic short codes, service and local
//      numbers (Korea 112, 119, 114, 1588-xxxx; UK 999, 101, 118xxx). Allowed: a
//      contact center calls service numbers, and a dial plan must never block emergency
//      calls. They have no E.164 form (e164 empty); the carrier resolves them. Longer
//      numbers without the trunk prefix are invalid, which also stops an unknown
//      carrier's international prefix from passing as a domestic number.
//    The org's own numbers (org.numbers) are domestic numbers like any other: calling
//    one from an agent's phone is a legitimate test of the org's lines.
//
// Trunk prefixes (the digits a national number starts with): '0' by default (Korea,
// UK, Japan, Germany, France, …). NANP (cc 1): national is the 10 digits NXX-NXX-XXXX;
// "1" + 10 digits is accepted, N11 codes (211…911) and 988 are short codes, nothing
// else. Russia/Kazakhstan (7): '8'. Hungary (36): "06". No trunk prefix (closed
// numbering plans: the national number is the whole number, and a leading 0 belongs to
// it, e.g. Italy's 06 landlines): Italy 39, Spain 34, Portugal 351, Greece 30,
// Denmark 45, Norway 47, Poland 48, Czechia 420, Luxembourg 352, Singapore 65 (whose
// 01x codes are international prefixes, refused with 00), Hong Kong 852; there, numbers
// of 7 digits or more have an E.164 form, shorter ones are short codes.
// Limits: the plan works per country code, so NANP's Canada and Caribbean numbers are
// domestic for a US org; Japan's 00xx freephone numbers (0077, 0088) cannot be dialled.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <variant>

#include "acd/directory.hpp"
#include "core/result.hpp"

namespace sb::acd {

inline constexpr std::size_t kMaxDialDigits = 20;

// "+82 10-1234-5678" → "+821012345678"; "(02) 123.4567" → "021234567". kInvalidInput
// with a message an agent can act on (it never quotes the input).
core::Result<std::string> normalizeNumber(std::string_view typed);

// True when `agent_id` is one of the org's agent IDs (exact, case-sensitive). Called
// only with strings shaped like an agent ID (1–64 letters, digits, '.', '_', '-').
using AgentIdLookup = std::function<bool(std::string_view agent_id)>;

struct ExtensionDial {  // N6: an internal call to another agent of the org
  std::string agent_id;
  bool operator==(const ExtensionDial&) const = default;
};

struct DomesticDial {
  std::string national;  // digits only, as the trunk wants them: "01012345678"
  std::string e164;      // "+821012345678"; empty for short codes, service and local numbers
  bool operator==(const DomesticDial&) const = default;
};

enum class DialRefusal {
  kInternational,  // E3
  kNoCountryCode,  // the org's country_code is not 1–3 digits: no number can be placed
};
const char* toString(DialRefusal reason);  // "international" | "no-country-code"

struct RefusedDial {
  DialRefusal reason = DialRefusal::kInternational;
  std::string message;  // for the agent: "International calls are not allowed …"
  bool operator==(const RefusedDial&) const = default;
};

struct InvalidDial {
  std::string message;  // for the agent: what is wrong with the input
  bool operator==(const InvalidDial&) const = default;
};

using DialTarget = std::variant<ExtensionDial, DomesticDial, RefusedDial, InvalidDial>;

// `typed`: raw, as typed or as the SIP user part. `is_agent_id` may be empty (no
// extensions).
DialTarget classifyDial(const Org& org, std::string_view typed, const AgentIdLookup& is_agent_id);

}  // namespace sb::acd
