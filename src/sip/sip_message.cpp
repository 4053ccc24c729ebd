#include "sip/sip_message.hpp"

#include <cstdint>

#include "sip/sip_uri.hpp"

namespace sb::sip {
namespace {

constexpr std::string_view kErrorPrefix = "sip/";

struct KnownHeader {
  std::string_view name;
  char compact;  // '\0' when it has none
  bool list;
};

// RFC 3261 §20 plus the extensions we meet in practice; compact forms from §7.3.3,
// RFC 3265, 3515, 3892, 4028.
constexpr KnownHeader kKnownHeaders[] = {
    {"Accept", '\0', true},
    {"Accept-Contact", 'a', true},
    {"Accept-Encoding", '\0', true},
    {"Accept-Language", '\0', true},
    {"Alert-Info", '\0', true},
    {"Allow", '\0', true},
    {"Allow-Events", 'u', true},
    {"Authentication-Info", '\0', false},
    {"Authorization", '\0', false},
    {"Call-ID", 'i', false},
    {"Call-Info", '\0', true},
    {"Contact", 'm', true},
    {"Content-Disposition", '\0', false},
    {"Content-Encoding", 'e', true},
    {"Content-Language", '\0', true},
    {"Content-Length", 'l', false},
    {"Content-Type", 'c', false},
    {"CSeq", '\0', false},
    {"Date", '\0', false},
    {"Error-Info", '\0', true},
    {"Event", 'o', false},
    {"Expires", '\0', false},
    {"From", 'f', false},
    {"Identity", 'y', false},
    {"In-Reply-To", '\0', true},
    {"Max-Forwards", '\0', false},
    {"MIME-Version", '\0', false},
    {"Min-Expires", '\0', false},
    {"Min-SE", '\0', false},
    {"Organization", '\0', false},
    {"P-Asserted-Identity", '\0', true},
    {"Path", '\0', true},
    {"Priority", '\0', false},
    {"Proxy-Authenticate", '\0', false},
    {"Proxy-Authorization", '\0', false},
    {"Proxy-Require", '\0', true},
    {"RAck", '\0', false},
    {"Reason", '\0', true},
    {"Record-Route", '\0', true},
    {"Refer-To", 'r', false},
    {"Referred-By", 'b', false},
    {"Reject-Contact", 'j', true},
    {"Reply-To", '\0', false},
    {"Request-Disposition", 'd', true},
    {"Require", '\0', true},
    {"Retry-After", '\0', false},
    {"Route", '\0', true},
    {"RSeq", '\0', false},
    {"Server", '\0', false},
    {"Service-Route", '\0', true},
    {"Session-Expires", 'x', false},
    {"Subject", 's', false},
    {"Supported", 'k', true},
    {"Timestamp", '\0', false},
    {"To", 't', false},
    {"Unsupported", '\0', true},
    {"User-Agent", '\0', false},
    {"Via", 'v', true},
};
// WWW-Authenticate and Warning are spelled in canonicalHeaderName (not compact, no pair).

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool isWsp(char c) {
  return c == ' ' || c == '\t';
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isWsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && isWsp(s.back())) s.remove_suffix(1);
  return s;
}

core::Error parseError(ParseErrorKind kind, std::string_view detail) {
  std::string message(kErrorPrefix);
  message += toString(kind);
  message += ": ";
  message += detail;
  return core::makeError(core::ErrorCode::kInvalidInput, std::move(message));
}

// "SIP/x.y": 1 for 2.0, 0 for another well-formed version, -1 for garbage.
int checkVersion(std::string_view v) {
  if (v.size() < 7 || !equalsIgnoreCase(v.substr(0, 4), "SIP/")) return -1;
  std::string_view rest = v.substr(4);
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == rest.size()) return -1;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (i != dot && !isDigit(rest[i])) return -1;
  }
  return rest == "2.0" ? 1 : 0;
}

core::Result<SipMessage> parseStartLine(std::string_view line) {
  if (line.size() >= 4 && equalsIgnoreCase(line.substr(0, 4), "SIP/")) {
    size_t sp = line.find(' ');
    int version = checkVersion(line.substr(0, sp));
    if (version < 0) return parseError(ParseErrorKind::kMalformed, "invalid status line");
    if (version == 0) return parseError(ParseErrorKind::kUnsupportedVersion, "not SIP/2.0");
    if (sp == std::string_view::npos)
      return parseError(ParseErrorKind::kMalformed, "status line without code");
    std::string_view rest = line.substr(sp + 1);
    if (rest.size() < 3 || !isDigit(rest[0]) || !isDigit(rest[1]) || !isDigit(rest[2]) ||
        (rest.size() > 3 && rest[3] != ' ')) {
      return parseError(ParseErrorKind::kMalformed, "status code is not three digits");
    }
    int code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    if (code < 100 || code > 699)
      return parseError(ParseErrorKind::kMalformed, "status code out of range");
    std::string_view reason = rest.size() > 4 ? rest.substr(4) : std::string_view();
    for (char c : reason) {
      auto b = static_cast<unsigned char>(c);
      if ((b < 0x20 && c != '\t') || b == 0x7F)
        return parseError(ParseErrorKind::kMalformed, "control in reason");
    }
    return SipMessage::response(code, std::string(reason));
  }
  // Request-Line = Method SP Request-URI SP SIP-Version, single spaces, nothing more.
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return parseError(ParseErrorKind::kMalformed,
                      "request line is not three parts separated by single spaces");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!isToken(method)) return parseError(ParseErrorKind::kMalformed, "invalid method");
  int v = checkVersion(version);
  if (v < 0) return parseError(ParseErrorKind::kMalformed, "invalid SIP version");
  if (v == 0) return parseError(ParseErrorKind::kUnsupportedVersion, "not SIP/2.0");
  if (!isAbsoluteUri(uri)) return parseError(ParseErrorKind::kMalformed, "invalid Request-URI");
  std::string_view scheme = uri.substr(0, uri.find(':'));
  if (equalsIgnoreCase(scheme, "sip") || equalsIgnoreCase(scheme, "sips")) {
    auto parsed = parseSipUri(uri);
    if (!parsed)
      return parseError(ParseErrorKind::kMalformed, "Request-URI: " + parsed.error().message);
    if (!parsed->headers.empty())
      return parseError(ParseErrorKind::kMalformed, "Request-URI with headers");
  }
  return SipMessage::request(std::string(method), std::string(uri));
}

struct Head {
  SipMessage message;
  std::optional<size_t> content_length;
  size_t body_offset = 0;
};

core::Result<size_t> parseContentLength(const SipMessage& m, const ParseLimits& limits) {
  auto values = m.headerValues("Content-Length");
  if (values.size() > 1)
    return parseError(ParseErrorKind::kBadContentLength, "several Content-Length values");
  std::string_view v = values.front();
  if (v.empty() || v.size() > 20)
    return parseError(ParseErrorKind::kBadContentLength, "invalid Content-Length");
  uint64_t n = 0;
  for (char c : v) {
    if (!isDigit(c)) return parseError(ParseErrorKind::kBadContentLength, "invalid Content-Length");
    n = n * 10 + static_cast<uint64_t>(c - '0');
    if (n > limits.max_message_bytes)
      return parseError(ParseErrorKind::kBodyTooLarge, "Content-Length over the limit");
  }
  return static_cast<size_t>(n);
}

// Start line and headers, up to and including the empty line.
// A datagram may end right after its last header line: some senders (and RFC 5118's
// examples) leave out the empty line when there is no body.
core::Result<Head> parseHead(std::string_view bytes, const ParseLimits& limits, bool datagram) {
  size_t pos = 0;
  std::string_view line;
  bool found_line = false;
  auto readLine = [&]() -> core::Result<void> {
    size_t nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (bytes.size() - pos > limits.max_line_bytes)
        return parseError(ParseErrorKind::kLineTooLong, "line too long");
      found_line = false;
      return core::okResult();
    }
    line = bytes.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    if (line.size() > limits.max_line_bytes)
      return parseError(ParseErrorKind::kLineTooLong, "line too long");
    if (line.find('\r') != std::string_view::npos)
      return parseError(ParseErrorKind::kMalformed, "stray CR");
    found_line = true;
    return core::okResult();
  };
  // CRLFs before the start line are ignored (RFC 3261 §7.5).
  do {
    if (auto r = readLine(); !r) return r.error();
    if (!found_line) return parseError(ParseErrorKind::kMalformed, "no start line");
  } while (line.empty());
  auto start = parseStartLine(line);
  if (!start) return start.error();
  Head head{std::move(*start), std::nullopt, 0};

  std::vector<std::pair<std::string_view, std::string>> raw;
  while (true) {
    if (auto r = readLine(); !r) return r.error();
    if (!found_line) {
      if (datagram && pos == bytes.size() && !raw.empty()) break;
      return parseError(ParseErrorKind::kMalformed, "headers not terminated by an empty line");
    }
    if (line.empty()) break;
    if (isWsp(line.front())) {  // folded continuation (LWS)
      if (raw.empty())
        return parseError(ParseErrorKind::kMalformed, "continuation line before any header");
      std::string_view more = trim(line);
      if (!more.empty()) {
        if (!raw.back().second.empty()) raw.back().second += ' ';
        raw.back().second += more;
      }
      if (raw.back().second.size() + raw.back().first.size() + 24 > limits.max_line_bytes) {
        return parseError(ParseErrorKind::kLineTooLong, "folded header too long");
      }
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      return parseError(ParseErrorKind::kMalformed, "header line without ':'");
    std::string_view name = trim(line.substr(0, colon));
    if (!isToken(name) || isWsp(line.front()))
      return parseError(ParseErrorKind::kMalformed, "invalid header name");
    if (raw.size() >= limits.max_headers)
      return parseError(ParseErrorKind::kTooManyHeaders, "too many headers");
    raw.emplace_back(name, std::string(trim(line.substr(colon + 1))));
    if (raw.back().second.size() + name.size() + 24 > limits.max_line_bytes) {
      return parseError(ParseErrorKind::kLineTooLong, "header too long");
    }
  }
  head.body_offset = pos;
  size_t count = 0;
  for (auto& [name, value] : raw) {
    std::string canonical = canonicalHeaderName(name);
    if (isListHeader(canonical)) {
      for (auto& element : splitHeaderList(value)) {
        if (++count > limits.max_headers)
          return parseError(ParseErrorKind::kTooManyHeaders, "too many headers");
        head.message.addHeader(canonical, std::move(element));
      }
    } else {
      if (++count > limits.max_headers)
        return parseError(ParseErrorKind::kTooManyHeaders, "too many headers");
      head.message.addHeader(canonical, std::move(value));
    }
  }
  if (head.message.headerCount("Content-Length") > 0) {
    auto length = parseContentLength(head.message, limits);
    if (!length) return length.error();
    head.content_length = *length;
  }
  return head;
}

core::Result<void> requireOne(const SipMessage& m, std::string_view name) {
  size_t n = m.headerCount(name);
  if (n == 0) return parseError(ParseErrorKind::kMalformed, "missing " + std::string(name));
  if (n > 1) return parseError(ParseErrorKind::kMalformed, "more than one " + std::string(name));
  return core::okResult();
}

core::Result<void> checkNameAddrs(const SipMessage& m, std::string_view name, bool need_brackets,
                                  bool allow_star) {
  for (auto value : m.headerValues(name)) {
    if (allow_star && isWildcardContact(value)) continue;
    auto parsed = parseNameAddr(value);
    if (!parsed)
      return parseError(ParseErrorKind::kMalformed,
                        std::string(name) + ": " + parsed.error().message);
    if (need_brackets && !parsed->angle_brackets) {
      return parseError(ParseErrorKind::kMalformed, std::string(name) + " needs <uri>");
    }
  }
  return core::okResult();
}

// The rules of RFC 3261 that a transaction layer relies on (§8.1.1, §20).
core::Result<void> validate(const SipMessage& m) {
  for (std::string_view name : {"To", "From", "Call-ID", "CSeq"}) {
    if (auto r = requireOne(m, name); !r) return r;
  }
  for (std::string_view name : {"Max-Forwards", "Content-Type"}) {
    if (m.headerCount(name) > 1)
      return parseError(ParseErrorKind::kMalformed, "more than one " + std::string(name));
  }
  if (m.headerCount("Via") == 0) return parseError(ParseErrorKind::kMalformed, "missing Via");
  for (auto value : m.headerValues("Via")) {
    if (auto via = parseVia(value); !via)
      return parseError(ParseErrorKind::kMalformed, "Via: " + via.error().message);
  }
  auto cseq = parseCSeq(*m.header("CSeq"));
  if (!cseq) return parseError(ParseErrorKind::kMalformed, cseq.error().message);
  if (m.isRequest() && cseq->method != m.method()) {
    return parseError(ParseErrorKind::kMalformed, "CSeq method differs from the request method");
  }
  std::string_view call_id = *m.header("Call-ID");
  if (call_id.empty() || call_id.find_first_of(" \t") != std::string_view::npos) {
    return parseError(ParseErrorKind::kMalformed, "invalid Call-ID");
  }
  if (auto r = checkNameAddrs(m, "To", false, false); !r) return r;
  if (auto r = checkNameAddrs(m, "From", false, false); !r) return r;
  if (auto r = checkNameAddrs(m, "Contact", false, true); !r) return r;
  if (auto r = checkNameAddrs(m, "Route", true, false); !r) return r;
  if (auto r = checkNameAddrs(m, "Record-Route", true, false); !r) return r;
  if (auto mf = m.header("Max-Forwards")) {
    if (mf->empty() || mf->size() > 10)
      return parseError(ParseErrorKind::kMalformed, "invalid Max-Forwards");
    uint64_t n = 0;
    for (char c : *mf) {
      if (!isDigit(c)) return parseError(ParseErrorKind::kMalformed, "invalid Max-Forwards");
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (n > 255) return parseError(ParseErrorKind::kMalformed, "Max-Forwards above 255");
  }
  if (auto date = m.header("Date")) {  // rfc1123-date is always in GMT
    if (date->size() < 4 || date->substr(date->size() - 4) != " GMT") {
      return parseError(ParseErrorKind::kMalformed, "Date not in GMT");
    }
  }
  return core::okResult();
}

}  // namespace

const char* toString(ParseErrorKind kind) {
  switch (kind) {
    case ParseErrorKind::kMalformed:
      return "malformed";
    case ParseErrorKind::kUnsupportedVersion:
      return "unsupported-version";
    case ParseErrorKind::kMessageTooLarge:
      return "message-too-large";
    case ParseErrorKind::kBodyTooLarge:
      return "body-too-large";
    case ParseErrorKind::kTooManyHeaders:
      return "too-many-headers";
    case ParseErrorKind::kLineTooLong:
      return "line-too-long";
    case ParseErrorKind::kBadContentLength:
      return "bad-content-length";
    case ParseErrorKind::kIncomplete:
      return "incomplete";
  }
  return "malformed";
}

ParseErrorKind parseErrorKind(const core::Error& error) {
  std::string_view message = error.message;
  if (message.substr(0, kErrorPrefix.size()) != kErrorPrefix) return ParseErrorKind::kMalformed;
  message.remove_prefix(kErrorPrefix.size());
  std::string_view token = message.substr(0, message.find(':'));
  for (auto kind : {ParseErrorKind::kUnsupportedVersion, ParseErrorKind::kMessageTooLarge,
                    ParseErrorKind::kBodyTooLarge, ParseErrorKind::kTooManyHeaders,
                    ParseErrorKind::kLineTooLong, ParseErrorKind::kBadContentLength,
                    ParseErrorKind::kIncomplete}) {
    if (token == toString(kind)) return kind;
  }
  return ParseErrorKind::kMalformed;
}

int responseStatusFor(ParseErrorKind kind) {
  switch (kind) {
    case ParseErrorKind::kUnsupportedVersion:
      return 505;
    case ParseErrorKind::kMessageTooLarge:
      return 513;
    case ParseErrorKind::kBodyTooLarge:
      return 413;
    case ParseErrorKind::kIncomplete:
      return 0;
    default:
      return 400;
  }
}

namespace {
// The canonical spelling as a view into the table, or `name` itself when unknown: no
// allocation, so every header lookup can afford it.
std::string_view canonicalView(std::string_view name) {
  if (name.size() == 1) {
    char c = lower(name[0]);
    for (const auto& h : kKnownHeaders) {
      if (h.compact == c) return h.name;
    }
    return name;
  }
  for (const auto& h : kKnownHeaders) {
    if (h.name.size() == name.size() && equalsIgnoreCase(h.name, name)) return h.name;
  }
  for (std::string_view extra : {std::string_view("WWW-Authenticate"), std::string_view("Warning")}) {
    if (equalsIgnoreCase(extra, name)) return extra;
  }
  return name;
}

// Stored names are canonical for known headers, as written for others: an exact match
// is the common case, case-insensitive the rule.
bool sameName(std::string_view stored, std::string_view canonical) {
  return stored.size() == canonical.size() && (stored == canonical || equalsIgnoreCase(stored, canonical));
}
}  // namespace

std::string canonicalHeaderName(std::string_view name) { return std::string(canonicalView(name)); }

bool isListHeader(std::string_view canonical_name) {
  if (canonical_name == "Warning") return true;
  for (const auto& h : kKnownHeaders) {
    if (h.name == canonical_name) return h.list;
  }
  return false;
}

std::vector<std::string> splitHeaderList(std::string_view value) {
  std::vector<std::string> out;
  bool quoted = false;
  int angle = 0;
  size_t start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (quoted) {
      if (c == '\\' && i + 1 < value.size()) {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      ++angle;
    } else if (c == '>' && angle > 0) {
      --angle;
    } else if (c == ',' && angle == 0) {
      out.emplace_back(trim(value.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.emplace_back(trim(value.substr(start)));
  return out;
}

SipMessage SipMessage::request(std::string method, std::string request_uri) {
  SipMessage m;
  m.is_request_ = true;
  m.method_ = std::move(method);
  m.request_uri_ = std::move(request_uri);
  return m;
}

SipMessage SipMessage::response(int status_code, std::string reason_phrase) {
  SipMessage m;
  m.is_request_ = false;
  m.status_code_ = status_code;
  m.reason_phrase_ = std::move(reason_phrase);
  return m;
}

std::optional<std::string_view> SipMessage::header(std::string_view name) const {
  const std::string_view canonical = canonicalView(name);
  for (const auto& h : headers_) {
    if (sameName(h.name, canonical)) return std::string_view(h.value);
  }
  return std::nullopt;
}

std::vector<std::string_view> SipMessage::headerValues(std::string_view name) const {
  const std::string_view canonical = canonicalView(name);
  std::vector<std::string_view> out;
  for (const auto& h : headers_) {
    if (sameName(h.name, canonical)) out.emplace_back(h.value);
  }
  return out;
}

size_t SipMessage::headerCount(std::string_view name) const {
  const std::string_view canonical = canonicalView(name);
  size_t n = 0;
  for (const auto& h : headers_) {
    if (sameName(h.name, canonical)) ++n;
  }
  return n;
}

void SipMessage::addHeader(std::string_view name, std::string value) {
  headers_.push_back({canonicalHeaderName(name), std::move(value)});
}

void SipMessage::setHeader(std::string_view name, std::string value) {
  std::string canonical = canonicalHeaderName(name);
  std::vector<SipHeader> kept;
  bool placed = false;
  for (auto& h : headers_) {
    if (!equalsIgnoreCase(h.name, canonical)) {
      kept.push_back(std::move(h));
    } else if (!placed) {
      kept.push_back({canonical, std::move(value)});  // canonical is compared again below
      placed = true;
    }
  }
  if (!placed) kept.push_back({std::move(canonical), std::move(value)});
  headers_ = std::move(kept);
}

void SipMessage::removeHeader(std::string_view name) {
  std::string canonical = canonicalHeaderName(name);
  std::erase_if(headers_, [&](const SipHeader& h) { return equalsIgnoreCase(h.name, canonical); });
}

core::Result<SipMessage> parseSipMessage(std::string_view bytes, const ParseLimits& limits) {
  if (bytes.size() > limits.max_message_bytes) {
    return parseError(ParseErrorKind::kMessageTooLarge, "message over the size limit");
  }
  auto head = parseHead(bytes, limits, true);
  if (!head) return head.error();
  std::string_view rest = bytes.substr(head->body_offset);
  if (head->content_length) {
    if (*head->content_length > rest.size()) {
      return parseError(ParseErrorKind::kBadContentLength,
                        "Content-Length beyond the end of the message");
    }
    rest = rest.substr(0, *head->content_length);
  }
  if (auto r = validate(head->message); !r) return r.error();
  head->message.setBody(std::string(rest));
  return std::move(head->message);
}

std::string serializeSipMessage(const SipMessage& message) {
  std::string out;
  out.reserve(256 + message.body().size());
  if (message.isRequest()) {
    out += message.method() + " " + message.requestUri() + " SIP/2.0\r\n";
  } else {
    out +=
        "SIP/2.0 " + std::to_string(message.statusCode()) + " " + message.reasonPhrase() + "\r\n";
  }
  bool wrote_length = false;
  auto appendSafe = [&out](std::string_view text) {  // no header injection through values
    for (char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
  };
  for (const auto& h : message.headers()) {
    if (h.name == "Content-Length") {
      if (wrote_length) continue;
      out += "Content-Length: " + std::to_string(message.body().size()) + "\r\n";
      wrote_length = true;
      continue;
    }
    appendSafe(h.name);
    out += ": ";
    appendSafe(h.value);
    out += "\r\n";
  }
  if (!wrote_length) out += "Content-Length: " + std::to_string(message.body().size()) + "\r\n";
  out += "\r\n";
  out += message.body();
  return out;
}

SipStreamFramer::Frame SipStreamFramer::fail(ParseErrorKind kind, std::string detail) {
  failed_ = true;
  failure_ = Frame{Status::kError, {}, false, kind, std::move(detail)};
  buffer_.clear();
  return failure_;
}

void SipStreamFramer::consume(size_t bytes) {
  buffer_.erase(0, bytes);
  scanned_ = 0;
  pending_total_ = 0;
  line_start_ = 0;
}

SipStreamFramer::Frame SipStreamFramer::next() {
  if (failed_) return failure_;
  std::string_view buf = buffer_;
  if (pending_total_ != 0) {  // headers already parsed; waiting for the body
    if (buf.size() < pending_total_) return Frame{};
    size_t total = pending_total_;
    Frame frame{
        Status::kMessage, std::string(buf.substr(0, total)), false, ParseErrorKind::kMalformed, {}};
    consume(total);
    return frame;
  }
  if (buf.substr(0, 4) == "\r\n\r\n") {
    consume(4);
    return Frame{Status::kKeepAlive, {}, true, ParseErrorKind::kMalformed, {}};
  }
  if (buf.substr(0, 2) == "\r\n") {
    if (buf.size() < 4 && (buf.size() == 2 || buf[2] == '\r')) return Frame{};  // maybe a ping
    consume(2);
    return Frame{Status::kKeepAlive, {}, false, ParseErrorKind::kMalformed, {}};
  }
  // Resume the search where the last call stopped, so that a peer trickling bytes
  // cannot make us rescan the buffer for every byte.
  size_t from = scanned_ > 3 ? scanned_ - 3 : 0;
  size_t crlf = buf.find("\r\n\r\n", from);
  size_t lf = buf.find("\n\n", from);
  size_t head_end = std::string_view::npos;
  if (crlf != std::string_view::npos) head_end = crlf + 4;
  if (lf != std::string_view::npos && (head_end == std::string_view::npos || lf + 2 < head_end))
    head_end = lf + 2;
  if (head_end == std::string_view::npos) {
    if (buf.size() > limits_.max_message_bytes)
      return fail(ParseErrorKind::kMessageTooLarge, "headers over the limit");
    size_t last_nl = buf.substr(from).rfind('\n');
    if (last_nl != std::string_view::npos) line_start_ = from + last_nl + 1;
    if (buf.size() - line_start_ > limits_.max_line_bytes)
      return fail(ParseErrorKind::kLineTooLong, "line too long");
    scanned_ = buf.size();
    return Frame{};
  }
  if (head_end > limits_.max_message_bytes)
    return fail(ParseErrorKind::kMessageTooLarge, "headers over the limit");
  auto head = parseHead(buf.substr(0, head_end), limits_, false);
  if (!head) return fail(parseErrorKind(head.error()), head.error().message);
  if (!head->content_length)
    return fail(ParseErrorKind::kBadContentLength, "Content-Length is required on streams");
  size_t total = head->body_offset + *head->content_length;
  if (total > limits_.max_message_bytes)
    return fail(ParseErrorKind::kMessageTooLarge, "message over the limit");
  if (buf.size() < total) {
    pending_total_ = total;
    return Frame{};
  }
  Frame frame{
      Status::kMessage, std::string(buf.substr(0, total)), false, ParseErrorKind::kMalformed, {}};
  consume(total);
  return frame;
}

}  // namespace sb::sip
