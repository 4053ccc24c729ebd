#include "sip/sip_uri.hpp"

#include <array>
#include <charconv>
#include <cstring>

namespace sb::sip {
namespace {

core::Error invalid(std::string what) {
  return core::makeError(core::ErrorCode::kInvalidInput, std::move(what));
}

bool isAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isAlnum(char c) {
  return isAlpha(c) || isDigit(c);
}
bool isHex(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool isWsp(char c) {
  return c == ' ' || c == '\t';
}
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool isUnreserved(char c) {
  return isAlnum(c) || std::strchr("-_.!~*'()", c) != nullptr;
}
// Character sets of the URI parts (RFC 3261 §25.1), beyond unreserved and escapes.
bool isUserChar(char c) {
  return c != '\0' && (isUnreserved(c) || std::strchr("&=+$,;?/", c) != nullptr);
}
bool isPasswordChar(char c) {
  return c != '\0' && (isUnreserved(c) || std::strchr("&=+$,", c) != nullptr);
}
bool isParamChar(char c) {
  return c != '\0' && (isUnreserved(c) || std::strchr("[]/:&+$", c) != nullptr);
}
bool isHeaderChar(char c) {
  return c != '\0' && (isUnreserved(c) || std::strchr("[]/?:+$", c) != nullptr);
}

int hexValue(char c) {
  if (isDigit(c)) return c - '0';
  return lower(c) - 'a' + 10;
}

// Unescapes `text`, whose every raw character must satisfy `allowed`.
template <typename Pred>
core::Result<std::string> unescape(std::string_view text, Pred allowed, const char* part) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size() || !isHex(text[i + 1]) || !isHex(text[i + 2])) {
        return invalid(std::string("bad escape in URI ") + part);
      }
      out.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
      i += 2;
    } else if (allowed(c)) {
      out.push_back(c);
    } else {
      return invalid(std::string("character not allowed in URI ") + part);
    }
  }
  return out;
}

template <typename Pred>
void appendEscaped(std::string& out, std::string_view text, Pred allowed) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : text) {
    if (allowed(c)) {
      out.push_back(c);
    } else {
      auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    }
  }
}

std::optional<uint16_t> parsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (!isDigit(c)) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

std::string_view trimLws(std::string_view s) {
  while (!s.empty() && isWsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && isWsp(s.back())) s.remove_suffix(1);
  return s;
}

void skipLws(std::string_view s, size_t& i) {
  while (i < s.size() && isWsp(s[i])) ++i;
}

std::optional<std::string_view> findParam(const std::vector<SipParam>& params,
                                          std::string_view name) {
  for (const auto& p : params) {
    if (equalsIgnoreCase(p.name, name))
      return p.value ? std::string_view(*p.value) : std::string_view();
  }
  return std::nullopt;
}

bool isHostnameChar(char c) {
  return isAlnum(c) || c == '-' || c == '.';
}

bool isHostname(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  if (s.back() == '.') s.remove_suffix(1);  // a fully qualified name may end with '.'
  if (s.empty()) return false;
  size_t label_start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      std::string_view label = s.substr(label_start, i - label_start);
      if (label.empty() || label.front() == '-' || label.back() == '-') return false;
      label_start = i + 1;
    } else if (!isHostnameChar(s[i])) {
      return false;
    }
  }
  // The top label starts with a letter; all-numeric names are IPv4 or nothing.
  size_t last_dot = s.rfind('.');
  char top = s[last_dot == std::string_view::npos ? 0 : last_dot + 1];
  return isAlpha(top);
}

// A quoted-string starting at text[i] == '"'. On success i points past the closing
// quote and `content` holds the unescaped text.
bool readQuoted(std::string_view text, size_t& i, std::string* content) {
  ++i;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      ++i;
      return true;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return false;
      char q = text[i + 1];
      if (q == '\r' || q == '\n' || static_cast<unsigned char>(q) > 0x7F) return false;
      if (content) content->push_back(q);
      i += 2;
      continue;
    }
    auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\t') || b == 0x7F) return false;
    if (content) content->push_back(c);
    ++i;
  }
  return false;
}

bool isGenValueChar(char c) {
  return isTokenChar(c) || c == ':' || c == '[' || c == ']';
}

// *( SWS ";" SWS token [ SWS "=" SWS gen-value ] ) up to the end of `text`.
core::Result<std::vector<SipParam>> parseHeaderParams(std::string_view text, size_t i) {
  std::vector<SipParam> params;
  while (true) {
    skipLws(text, i);
    if (i == text.size()) return params;
    if (text[i] != ';') return invalid("unexpected character after value");
    ++i;
    skipLws(text, i);
    size_t start = i;
    while (i < text.size() && isTokenChar(text[i])) ++i;
    if (i == start) return invalid("empty parameter name");
    SipParam param{std::string(text.substr(start, i - start)), std::nullopt};
    skipLws(text, i);
    if (i < text.size() && text[i] == '=') {
      ++i;
      skipLws(text, i);
      size_t vstart = i;
      if (i < text.size() && text[i] == '"') {
        if (!readQuoted(text, i, nullptr)) return invalid("unterminated quoted parameter value");
      } else {
        while (i < text.size() && isGenValueChar(text[i])) ++i;
      }
      if (i == vstart) return invalid("empty parameter value");
      param.value = std::string(text.substr(vstart, i - vstart));
    }
    params.push_back(std::move(param));
  }
}

void appendHeaderParams(std::string& out, const std::vector<SipParam>& params) {
  for (const auto& p : params) {
    out += ';';
    out += p.name;
    if (p.value) {
      out += '=';
      out += *p.value;
    }
  }
}

core::Result<std::vector<SipParam>> parseUriParams(std::string_view text) {
  std::vector<SipParam> params;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(pos, end - pos);
    size_t eq = item.find('=');
    auto name = unescape(item.substr(0, eq), isParamChar, "parameter");
    if (!name) return name.error();
    if (name->empty()) return invalid("empty URI parameter name");
    SipParam param{std::move(*name), std::nullopt};
    if (eq != std::string_view::npos) {
      auto value = unescape(item.substr(eq + 1), isParamChar, "parameter");
      if (!value) return value.error();
      if (value->empty()) return invalid("empty URI parameter value");
      param.value = std::move(*value);
    }
    params.push_back(std::move(param));
    pos = end + 1;
  }
  return params;
}

core::Result<std::vector<UriHeader>> parseUriHeaders(std::string_view text) {
  std::vector<UriHeader> headers;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('&', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(pos, end - pos);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) return invalid("URI header without '='");
    auto name = unescape(item.substr(0, eq), isHeaderChar, "header");
    if (!name) return name.error();
    if (name->empty()) return invalid("empty URI header name");
    auto value = unescape(item.substr(eq + 1), isHeaderChar, "header");
    if (!value) return value.error();
    headers.push_back({std::move(*name), std::move(*value)});
    pos = end + 1;
  }
  return headers;
}

}  // namespace

bool isTokenChar(char c) {
  return isAlnum(c) || (c != '\0' && std::strchr("-.!%*_+`'~", c) != nullptr);
}

bool isToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!isTokenChar(c)) return false;
  }
  return true;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool isIpv4Address(std::string_view text) {
  int parts = 0;
  size_t pos = 0;
  while (true) {
    size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && isDigit(text[pos]) && pos - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[pos] - '0');
      ++pos;
    }
    if (pos == start || value > 255) return false;
    ++parts;
    if (pos == text.size()) return parts == 4;
    if (text[pos] != '.' || parts == 4) return false;
    ++pos;
  }
}

bool isIpv6Address(std::string_view text) {
  // Up to eight 16-bit groups, at most one "::", optionally ending in an IPv4 address
  // that counts as two groups.
  if (text.size() < 2) return false;
  int groups = 0;
  bool compressed = false;
  size_t i = 0;
  if (text.substr(0, 2) == "::") {
    compressed = true;
    i = 2;
    if (i == text.size()) return true;
  } else if (text[0] == ':') {
    return false;
  }
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && isHex(text[i]) && i - start < 5) ++i;
    if (i < text.size() && text[i] == '.') {  // trailing IPv4 part
      if (!isIpv4Address(text.substr(start))) return false;
      groups += 2;
      i = text.size();
      break;
    }
    if (i == start || i - start > 4) return false;
    ++groups;
    if (i == text.size()) break;
    if (text[i] != ':') return false;
    ++i;
    if (i < text.size() && text[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
      if (i == text.size()) break;
    } else if (i == text.size()) {
      return false;  // a trailing single ':'
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

bool isValidHost(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    return isIpv6Address(text.substr(1, text.size() - 2));
  }
  if (!text.empty() && isDigit(text.back()) &&
      text.find_first_not_of("0123456789.") == std::string_view::npos) {
    return isIpv4Address(text);
  }
  return isHostname(text);
}

bool isAbsoluteUri(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
  if (!isAlpha(text[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = text[i];
    if (!isAlnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (size_t i = colon + 1; i < text.size(); ++i) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b <= 0x20 || b == 0x7F || b == '<' || b == '>' || b == '"') return false;
  }
  return true;
}

bool SipUri::hasParam(std::string_view name) const {
  return findParam(params, name).has_value();
}
std::optional<std::string_view> SipUri::param(std::string_view name) const {
  return findParam(params, name);
}

core::Result<SipUri> parseSipUri(std::string_view text) {
  SipUri uri;
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return invalid("URI without scheme");
  std::string_view scheme = text.substr(0, colon);
  if (equalsIgnoreCase(scheme, "sips")) {
    uri.secure = true;
  } else if (!equalsIgnoreCase(scheme, "sip")) {
    return invalid("not a sip or sips URI");
  }
  std::string_view rest = text.substr(colon + 1);
  // '@' may not appear unescaped after the userinfo, so the first one ends it.
  size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    size_t pw = userinfo.find(':');
    auto user = unescape(userinfo.substr(0, pw), isUserChar, "user");
    if (!user) return user.error();
    if (user->empty()) return invalid("empty user in URI");
    uri.user = std::move(*user);
    if (pw != std::string_view::npos) {
      auto password = unescape(userinfo.substr(pw + 1), isPasswordChar, "password");
      if (!password) return password.error();
      uri.password = std::move(*password);
    }
    rest = rest.substr(at + 1);
  }
  size_t host_end = 0;
  if (!rest.empty() && rest.front() == '[') {
    host_end = rest.find(']');
    if (host_end == std::string_view::npos) return invalid("unterminated IPv6 reference");
    ++host_end;
  } else {
    host_end = rest.find_first_of(":;?");
    if (host_end == std::string_view::npos) host_end = rest.size();
  }
  std::string_view host = rest.substr(0, host_end);
  if (!isValidHost(host)) return invalid("invalid host in URI");
  uri.host = std::string(host);
  rest = rest.substr(host_end);
  if (!rest.empty() && rest.front() == ':') {
    size_t port_end = rest.find_first_of(";?");
    if (port_end == std::string_view::npos) port_end = rest.size();
    auto port = parsePort(rest.substr(1, port_end - 1));
    if (!port) return invalid("invalid port in URI");
    uri.port = port;
    rest = rest.substr(port_end);
  }
  size_t q = rest.find('?');
  std::string_view params = rest.substr(0, q);
  if (!params.empty()) {
    if (params.front() != ';') return invalid("unexpected character after host");
    auto parsed = parseUriParams(params.substr(1));
    if (!parsed) return parsed.error();
    uri.params = std::move(*parsed);
  }
  if (q != std::string_view::npos) {
    auto headers = parseUriHeaders(rest.substr(q + 1));
    if (!headers) return headers.error();
    uri.headers = std::move(*headers);
  }
  return uri;
}

std::string toString(const SipUri& uri) {
  std::string out = uri.secure ? "sips:" : "sip:";
  if (uri.user) {
    appendEscaped(out, *uri.user, isUserChar);
    if (uri.password) {
      out += ':';
      appendEscaped(out, *uri.password, isPasswordChar);
    }
    out += '@';
  }
  out += uri.host;
  if (uri.port) {
    out += ':';
    out += std::to_string(*uri.port);
  }
  for (const auto& p : uri.params) {
    out += ';';
    appendEscaped(out, p.name, isParamChar);
    if (p.value) {
      out += '=';
      appendEscaped(out, *p.value, isParamChar);
    }
  }
  for (size_t i = 0; i < uri.headers.size(); ++i) {
    out += i == 0 ? '?' : '&';
    appendEscaped(out, uri.headers[i].name, isHeaderChar);
    out += '=';
    appendEscaped(out, uri.headers[i].value, isHeaderChar);
  }
  return out;
}

std::optional<std::string_view> NameAddr::param(std::string_view name) const {
  return findParam(params, name);
}

bool isWildcardContact(std::string_view value) {
  return trimLws(value) == "*";
}

core::Result<NameAddr> parseNameAddr(std::string_view text) {
  NameAddr out;
  size_t i = 0;
  skipLws(text, i);
  size_t uri_start = std::string_view::npos;
  if (i < text.size() && text[i] == '"') {
    if (!readQuoted(text, i, &out.display_name)) return invalid("unterminated display name");
    skipLws(text, i);
    if (i == text.size() || text[i] != '<') return invalid("display name without <uri>");
    uri_start = i;
  } else if (i < text.size() && text[i] == '<') {
    uri_start = i;
  } else {
    // Display name made of tokens, if a '<' follows them; otherwise an addr-spec.
    size_t j = i;
    while (j < text.size() && isTokenChar(text[j])) {
      while (j < text.size() && isTokenChar(text[j])) ++j;
      skipLws(text, j);
    }
    if (j > i && j < text.size() && text[j] == '<') {
      out.display_name = std::string(trimLws(text.substr(i, j - i)));
      uri_start = j;
    }
  }
  size_t params_start = 0;
  if (uri_start != std::string_view::npos) {
    size_t close = text.find('>', uri_start);
    if (close == std::string_view::npos) return invalid("missing '>'");
    out.uri = std::string(text.substr(uri_start + 1, close - uri_start - 1));
    out.angle_brackets = true;
    params_start = close + 1;
  } else {
    size_t end = i;
    while (end < text.size() && text[end] != ';' && !isWsp(text[end])) ++end;
    out.uri = std::string(text.substr(i, end - i));
    // In an addr-spec, ',', ';' and '?' would be ambiguous (RFC 3261 §20).
    if (out.uri.find_first_of(",?") != std::string::npos)
      return invalid("addr-spec with ',' or '?' must use <>");
    params_start = end;
  }
  if (!isAbsoluteUri(out.uri)) return invalid("invalid URI");
  std::string_view scheme = std::string_view(out.uri).substr(0, out.uri.find(':'));
  if (equalsIgnoreCase(scheme, "sip") || equalsIgnoreCase(scheme, "sips")) {
    auto sip = parseSipUri(out.uri);
    if (!sip) return sip.error();
    out.sip = std::move(*sip);
  }
  auto params = parseHeaderParams(text, params_start);
  if (!params) return params.error();
  out.params = std::move(*params);
  return out;
}

std::string toString(const NameAddr& value) {
  std::string out;
  bool angle = value.angle_brackets || !value.display_name.empty();
  if (!value.display_name.empty()) {
    out += '"';
    for (char c : value.display_name) {
      auto b = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\' || (b < 0x20 && c != '\t') || b == 0x7F) out += '\\';
      out += c;
    }
    out += "\" ";
  }
  if (angle) out += '<';
  out += value.uri;
  if (angle) out += '>';
  appendHeaderParams(out, value.params);
  return out;
}

std::optional<std::string_view> Via::param(std::string_view name) const {
  return findParam(params, name);
}

std::optional<uint16_t> Via::rport() const {
  auto value = param("rport");
  if (!value || value->empty()) return std::nullopt;
  return parsePort(*value);
}

std::optional<int> Via::ttl() const {
  auto value = param("ttl");
  if (!value) return std::nullopt;
  int ttl = 0;
  auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), ttl);
  if (ec != std::errc() || p != value->data() + value->size()) return std::nullopt;
  return ttl;
}

core::Result<Via> parseVia(std::string_view text) {
  Via via;
  size_t i = 0;
  auto readToken = [&](std::string& into) {
    skipLws(text, i);
    size_t start = i;
    while (i < text.size() && isTokenChar(text[i])) ++i;
    into = std::string(text.substr(start, i - start));
    skipLws(text, i);
    return !into.empty();
  };
  auto expect = [&](char c) {
    if (i >= text.size() || text[i] != c) return false;
    ++i;
    return true;
  };
  if (!readToken(via.protocol_name) || !expect('/') || !readToken(via.protocol_version) ||
      !expect('/')) {
    return invalid("invalid Via sent-protocol");
  }
  if (!readToken(via.transport)) return invalid("invalid Via transport");
  if (!equalsIgnoreCase(via.protocol_name, "SIP") || via.protocol_version != "2.0") {
    return invalid("unsupported Via protocol");
  }
  via.protocol_name = "SIP";
  for (auto& c : via.transport) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  size_t host_start = i;
  if (i < text.size() && text[i] == '[') {
    size_t close = text.find(']', i);
    if (close == std::string_view::npos) return invalid("unterminated IPv6 reference in Via");
    i = close + 1;
  } else {
    while (i < text.size() && isHostnameChar(text[i])) ++i;
  }
  via.host = std::string(text.substr(host_start, i - host_start));
  if (!isValidHost(via.host)) return invalid("invalid Via sent-by host");
  size_t after_host = i;
  skipLws(text, i);
  if (i < text.size() && text[i] == ':') {
    ++i;
    skipLws(text, i);
    size_t start = i;
    while (i < text.size() && isDigit(text[i])) ++i;
    via.port = parsePort(text.substr(start, i - start));
    if (!via.port) return invalid("invalid Via port");
  } else {
    i = after_host;
  }
  auto params = parseHeaderParams(text, i);
  if (!params) return params.error();
  via.params = std::move(*params);
  for (const auto& p : via.params) {
    std::string_view v = p.value ? std::string_view(*p.value) : std::string_view();
    if (equalsIgnoreCase(p.name, "ttl")) {
      auto ttl = parsePort(v);
      if (!ttl || *ttl > 255) return invalid("invalid Via ttl");
    } else if (equalsIgnoreCase(p.name, "received")) {
      bool bracketed = v.size() > 2 && v.front() == '[' && v.back() == ']';
      if (!isIpv4Address(v) && !isIpv6Address(v) &&
          !(bracketed && isIpv6Address(v.substr(1, v.size() - 2)))) {
        return invalid("invalid Via received");
      }
    } else if (equalsIgnoreCase(p.name, "rport")) {
      if (p.value && !parsePort(v)) return invalid("invalid Via rport");
    } else if (equalsIgnoreCase(p.name, "maddr")) {
      if (!isValidHost(v)) return invalid("invalid Via maddr");
    } else if (equalsIgnoreCase(p.name, "branch")) {
      if (!isToken(v)) return invalid("invalid Via branch");
    }
  }
  return via;
}

std::string toString(const Via& via) {
  std::string out =
      via.protocol_name + "/" + via.protocol_version + "/" + via.transport + " " + via.host;
  if (via.port) {
    out += ':';
    out += std::to_string(*via.port);
  }
  appendHeaderParams(out, via.params);
  return out;
}

core::Result<CSeq> parseCSeq(std::string_view text) {
  text = trimLws(text);
  size_t i = 0;
  uint64_t number = 0;
  while (i < text.size() && isDigit(text[i])) {
    number = number * 10 + static_cast<uint64_t>(text[i] - '0');
    if (number > kMaxCSeq) return invalid("CSeq number above 2^31-1");
    ++i;
  }
  if (i == 0) return invalid("CSeq without number");
  size_t gap = i;
  skipLws(text, i);
  if (i == gap) return invalid("CSeq without method");
  std::string_view method = text.substr(i);
  if (!isToken(method)) return invalid("invalid CSeq method");
  return CSeq{static_cast<uint32_t>(number), std::string(method)};
}

std::string toString(const CSeq& cseq) {
  return std::to_string(cseq.number) + " " + cseq.method;
}

}  // namespace sb::sip
