#pragma once
// SIP/SIPS URIs (RFC 3261 §19.1, §25; IPv6 references per RFC 5118), the name-addr /
// addr-spec values of From, To, Contact and Route, and the Via and CSeq header values.
// Everything here parses untrusted text: it returns a Result, never throws, never
// crashes. Parsers are strict on syntax; printers write a canonical form that parses
// back to an equal value.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sb::sip {

// A `;name[=value]` parameter. In URIs, name and value are unescaped; in header
// parameters (tag, branch, q, …) the value is kept as written (a quoted value keeps
// its quotes). Names compare case-insensitively.
struct SipParam {
  std::string name;
  std::optional<std::string> value;
  bool operator==(const SipParam&) const = default;
};

struct UriHeader {
  std::string name;   // unescaped
  std::string value;  // unescaped
  bool operator==(const UriHeader&) const = default;
};

struct SipUri {
  bool secure = false;                  // sips:
  std::optional<std::string> user;      // unescaped; absent when there is no '@'
  std::optional<std::string> password;  // unescaped
  std::string host;                     // hostname, IPv4, or "[IPv6]" with brackets
  std::optional<uint16_t> port;
  std::vector<SipParam> params;
  std::vector<UriHeader> headers;

  bool hostIsIpv6() const { return !host.empty() && host.front() == '['; }
  bool hasParam(std::string_view name) const;
  // The value of a parameter (empty for a valueless one), or nullopt when absent.
  std::optional<std::string_view> param(std::string_view name) const;
  bool operator==(const SipUri&) const = default;
};

core::Result<SipUri> parseSipUri(std::string_view text);
std::string toString(const SipUri& uri);

// From/To/Contact/Route/Record-Route value: `"Display" <uri>;tag=x` or `uri;tag=x`.
struct NameAddr {
  std::string display_name;      // unquoted and unescaped; empty when absent
  std::string uri;               // the URI text as written (any scheme)
  std::optional<SipUri> sip;     // parsed when the scheme is sip or sips
  bool angle_brackets = false;   // written as name-addr (<…>) rather than addr-spec
  std::vector<SipParam> params;  // header parameters (tag, expires, q, …)

  std::optional<std::string_view> param(std::string_view name) const;
  std::optional<std::string_view> tag() const { return param("tag"); }
  bool operator==(const NameAddr&) const = default;
};

core::Result<NameAddr> parseNameAddr(std::string_view text);
std::string toString(const NameAddr& value);
// `Contact: *` (only meaningful in REGISTER).
bool isWildcardContact(std::string_view value);

struct Via {
  std::string protocol_name = "SIP";
  std::string protocol_version = "2.0";
  std::string transport;  // upper-cased: UDP, TCP, TLS, SCTP, WS, WSS, or any token
  std::string host;       // hostname, IPv4 or "[IPv6]"
  std::optional<uint16_t> port;
  std::vector<SipParam> params;

  std::optional<std::string_view> param(std::string_view name) const;
  std::optional<std::string_view> branch() const { return param("branch"); }
  std::optional<std::string_view> received() const { return param("received"); }
  std::optional<std::string_view> maddr() const { return param("maddr"); }
  bool hasRport() const { return param("rport").has_value(); }
  // The rport value, when the parameter carries one (a response fills it in).
  std::optional<uint16_t> rport() const;
  std::optional<int> ttl() const;
  bool operator==(const Via&) const = default;
};

core::Result<Via> parseVia(std::string_view text);  // one via-parm (split lists first)
std::string toString(const Via& via);

struct CSeq {
  uint32_t number = 0;  // ≤ 2^31 - 1
  std::string method;
  bool operator==(const CSeq&) const = default;
};

constexpr uint32_t kMaxCSeq = 0x7FFFFFFF;
core::Result<CSeq> parseCSeq(std::string_view text);
std::string toString(const CSeq& cseq);

// Shared lexical helpers (RFC 3261 §25.1), used by the message parser too.
bool isTokenChar(char c);
bool isToken(std::string_view text);
bool isIpv4Address(std::string_view text);
bool isIpv6Address(std::string_view text);  // without brackets
bool isValidHost(std::string_view text);    // hostname, IPv4 or "[IPv6]"
bool equalsIgnoreCase(std::string_view a, std::string_view b);
// Whether `text` is an absoluteURI-shaped scheme ":" rest with no whitespace.
bool isAbsoluteUri(std::string_view text);

}  // namespace sb::sip
