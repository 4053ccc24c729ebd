#include "sip/sdp.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace sb::sip {
namespace {

using core::ErrorCode;
using core::Result;

core::Error sdpError(std::size_t line, std::string what) {
  return core::makeError(ErrorCode::kInvalidInput,
                         "sdp line " + std::to_string(line) + ": " + std::move(what));
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Digits only, at most `max_digits`, value ≤ max. No sign, no spaces, no overflow.
std::optional<std::uint64_t> parseUnsigned(std::string_view s, std::uint64_t max,
                                           std::size_t max_digits = 20) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// Splits on runs of spaces; stops (returns false) past `max_tokens`.
bool splitTokens(std::string_view s, std::size_t max_tokens, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size()) break;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (out.size() >= max_tokens) return false;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return true;
}

bool isTokenChar(char c) {
  // RFC 8866 token-char: visible ASCII except a few separators.
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x21 || u > 0x7e) return false;
  return std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
}

bool isToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), isTokenChar);
}

std::optional<SdpAddressType> parseAddressType(std::string_view s) {
  if (s == "IP4") return SdpAddressType::kIp4;
  if (s == "IP6") return SdpAddressType::kIp6;
  return std::nullopt;
}

SdpProtocol protocolFromText(std::string_view s) {
  if (equalsIgnoreCase(s, "RTP/AVP")) return SdpProtocol::kRtpAvp;
  if (equalsIgnoreCase(s, "RTP/SAVP")) return SdpProtocol::kRtpSavp;
  if (equalsIgnoreCase(s, "RTP/SAVPF")) return SdpProtocol::kRtpSavpf;
  if (equalsIgnoreCase(s, "UDP/TLS/RTP/SAVPF")) return SdpProtocol::kUdpTlsRtpSavpf;
  return SdpProtocol::kOther;
}

Result<SdpConnection> parseConnection(std::string_view value, std::size_t line) {
  std::vector<std::string_view> t;
  if (!splitTokens(value, 3, t) || t.size() != 3) return sdpError(line, "c= needs 3 fields");
  if (t[0] != "IN") return sdpError(line, "c= network type must be IN");
  auto type = parseAddressType(t[1]);
  if (!type) return sdpError(line, "c= address type must be IP4 or IP6");
  return SdpConnection{*type, std::string(t[2])};
}

Result<SdpOrigin> parseOrigin(std::string_view value, std::size_t line) {
  std::vector<std::string_view> t;
  if (!splitTokens(value, 6, t) || t.size() != 6) return sdpError(line, "o= needs 6 fields");
  SdpOrigin o;
  o.username = std::string(t[0]);
  // sess-id is a numeric string that may exceed 64 bits: digits only, bounded length.
  if (t[1].empty() || t[1].size() > 40 ||
      !std::all_of(t[1].begin(), t[1].end(), [](char c) { return c >= '0' && c <= '9'; }))
    return sdpError(line, "o= session id must be digits");
  o.session_id = std::string(t[1]);
  auto version = parseUnsigned(t[2], UINT64_MAX);
  if (!version) return sdpError(line, "o= session version must be a 64-bit number");
  o.session_version = *version;
  if (t[3] != "IN") return sdpError(line, "o= network type must be IN");
  auto type = parseAddressType(t[4]);
  if (!type) return sdpError(line, "o= address type must be IP4 or IP6");
  o.address_type = *type;
  o.address = std::string(t[5]);
  return o;
}

Result<SdpTiming> parseTiming(std::string_view value, std::size_t line) {
  std::vector<std::string_view> t;
  if (!splitTokens(value, 2, t) || t.size() != 2) return sdpError(line, "t= needs 2 fields");
  auto start = parseUnsigned(t[0], UINT64_MAX);
  auto stop = parseUnsigned(t[1], UINT64_MAX);
  if (!start || !stop) return sdpError(line, "t= times must be numbers");
  return SdpTiming{*start, *stop, {}};
}

Result<SdpMedia> parseMediaLine(std::string_view value, std::size_t line) {
  std::vector<std::string_view> t;
  if (!splitTokens(value, 3 + kSdpMaxFormats, t)) return sdpError(line, "m= has too many formats");
  if (t.size() < 4) return sdpError(line, "m= needs media, port, proto and a format");
  SdpMedia m;
  if (!isToken(t[0])) return sdpError(line, "m= media is not a token");
  m.media = std::string(t[0]);
  std::string_view port = t[1];
  if (auto slash = port.find('/'); slash != std::string_view::npos) {
    auto count = parseUnsigned(port.substr(slash + 1), 65535, 5);
    if (!count || *count == 0) return sdpError(line, "m= port count is not a number");
    m.port_count = static_cast<std::uint32_t>(*count);
    port = port.substr(0, slash);
  }
  auto port_number = parseUnsigned(port, 65535, 5);
  if (!port_number) return sdpError(line, "m= port is not a number");
  m.port = static_cast<std::uint16_t>(*port_number);
  if (t[2].find_first_of("\"") != std::string_view::npos || t[2].empty())
    return sdpError(line, "m= proto is malformed");
  m.protocol_text = std::string(t[2]);
  m.protocol = protocolFromText(t[2]);
  for (std::size_t i = 3; i < t.size(); ++i) {
    if (m.isRtp() && !parseUnsigned(t[i], 127, 3))
      return sdpError(line, "m= RTP format must be 0..127");
    m.formats.emplace_back(t[i]);
  }
  return m;
}

SdpAttribute parseAttribute(std::string_view value) {
  SdpAttribute a;
  auto colon = value.find(':');
  if (colon == std::string_view::npos) {
    a.name = std::string(value);
  } else {
    a.name = std::string(value.substr(0, colon));
    a.value = std::string(value.substr(colon + 1));
    a.has_value = true;
  }
  return a;
}

std::optional<SdpRtpMap> parseRtpMap(std::string_view value) {
  auto space = value.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto pt = parseUnsigned(value.substr(0, space), 127, 3);
  if (!pt) return std::nullopt;
  std::string_view rest = value.substr(space + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  SdpRtpMap map;
  map.payload_type = static_cast<int>(*pt);
  map.encoding = std::string(rest.substr(0, slash));
  if (!isToken(map.encoding)) return std::nullopt;
  std::string_view clock = rest.substr(slash + 1);
  std::string_view channels;
  if (auto second = clock.find('/'); second != std::string_view::npos) {
    channels = clock.substr(second + 1);
    clock = clock.substr(0, second);
    auto ch = parseUnsigned(channels, 255, 3);
    if (!ch || *ch == 0) return std::nullopt;
    map.channels = static_cast<std::uint32_t>(*ch);
  }
  auto rate = parseUnsigned(clock, 10'000'000, 8);
  if (!rate || *rate == 0) return std::nullopt;
  map.clock_rate = static_cast<std::uint32_t>(*rate);
  return map;
}

std::optional<SdpFmtp> parseFmtp(std::string_view value) {
  auto space = value.find(' ');
  std::string_view format = value.substr(0, space);
  if (!isToken(format)) return std::nullopt;
  SdpFmtp f;
  f.format = std::string(format);
  if (space != std::string_view::npos) f.parameters = std::string(value.substr(space + 1));
  return f;
}

std::optional<std::uint32_t> parseMilliseconds(std::string_view value) {
  auto ms = parseUnsigned(value, 100'000, 6);
  if (!ms || *ms == 0) return std::nullopt;
  return static_cast<std::uint32_t>(*ms);
}

std::optional<std::uint16_t> parseRtcpPort(std::string_view value) {
  auto space = value.find(' ');
  auto port = parseUnsigned(value.substr(0, space), 65535, 5);
  if (!port) return std::nullopt;
  return static_cast<std::uint16_t>(*port);
}

// Attributes we rely on must be well formed; the rest only needs a token name.
std::optional<std::string> checkAttribute(const SdpAttribute& a, bool media_level,
                                          const SdpMedia* media) {
  if (!isToken(a.name)) return "attribute name is not a token";
  if (a.name == "rtpmap") {
    auto map = parseRtpMap(a.value);
    if (!map) return "malformed rtpmap";
    if (!media_level) return "rtpmap outside a media description";
    if (media && media->isRtp()) {
      const auto pts = media->payloadTypes();
      if (std::find(pts.begin(), pts.end(), map->payload_type) == pts.end())
        return "rtpmap for a payload type not on the m= line";
    }
  } else if (a.name == "fmtp") {
    if (!parseFmtp(a.value)) return "malformed fmtp";
  } else if (a.name == "ptime" || a.name == "maxptime") {
    if (!parseMilliseconds(a.value)) return "malformed " + a.name;
  } else if (a.name == "rtcp") {
    if (!parseRtcpPort(a.value)) return "malformed rtcp";
  }
  return std::nullopt;
}

// Line order ranks (RFC 8866 §5): a line may not come after one of a higher rank.
int sessionRank(char type) {
  switch (type) {
    case 'v':
      return 0;
    case 'o':
      return 1;
    case 's':
      return 2;
    case 'i':
      return 3;
    case 'u':
      return 4;
    case 'e':
      return 5;
    case 'p':
      return 6;
    case 'c':
      return 7;
    case 'b':
      return 8;
    case 't':
    case 'r':
      return 9;
    case 'z':
      return 10;
    case 'k':
      return 11;
    case 'a':
      return 12;
    default:
      return -1;
  }
}

int mediaRank(char type) {
  switch (type) {
    case 'i':
      return 1;
    case 'c':
      return 2;
    case 'b':
      return 3;
    case 'k':
      return 4;
    case 'a':
      return 5;
    default:
      return -1;
  }
}

class Parser {
 public:
  Result<SessionDescription> run(std::string_view text);

 private:
  std::optional<core::Error> sessionLine(char type, std::string_view value);
  std::optional<core::Error> mediaLine(char type, std::string_view value);
  std::optional<core::Error> once(bool already, const char* what);
  std::optional<core::Error> bounded(std::size_t size, std::size_t max, const char* what);

  SessionDescription sdp_;
  std::size_t line_ = 0;
  int rank_ = 0;
  bool in_media_ = false;
};

std::optional<core::Error> Parser::once(bool already, const char* what) {
  if (already) return sdpError(line_, std::string("more than one ") + what);
  return std::nullopt;
}

std::optional<core::Error> Parser::bounded(std::size_t size, std::size_t max, const char* what) {
  if (size >= max) return sdpError(line_, std::string("too many ") + what);
  return std::nullopt;
}

Result<SessionDescription> Parser::run(std::string_view text) {
  if (text.size() > kSdpMaxBytes) return sdpError(0, "description larger than 16 KiB");
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++line_;
    std::size_t end = text.find('\n', pos);
    std::string_view raw =
        text.substr(pos, end == std::string_view::npos ? text.size() - pos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.size() > kSdpMaxLineBytes) return sdpError(line_, "line too long");
    if (raw.empty()) {
      // Tolerate blank lines only at the very end (some stacks add a trailing CRLF).
      if (text.find_first_not_of("\r\n", pos) == std::string_view::npos) break;
      return sdpError(line_, "empty line");
    }
    for (char c : raw) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 && c != '\t') return sdpError(line_, "control character");
      if (u == 0x7f) return sdpError(line_, "control character");
    }
    if (raw.size() < 2 || raw[1] != '=' || raw[0] < 'a' || raw[0] > 'z')
      return sdpError(line_, "not a <type>=<value> line");
    const char type = raw[0];
    const std::string_view value = raw.substr(2);
    if (line_ == 1 && type != 'v') return sdpError(line_, "must start with v=");
    if (line_ == 2 && type != 'o') return sdpError(line_, "o= must follow v=");
    if (line_ == 3 && type != 's') return sdpError(line_, "s= must follow o=");
    std::optional<core::Error> error;
    if (type == 'm') {
      if (sdp_.timings.empty()) return sdpError(line_, "m= before t=");
      if (auto e = bounded(sdp_.media.size(), kSdpMaxMedia, "media descriptions")) return *e;
      auto media = parseMediaLine(value, line_);
      if (!media) return media.error();
      sdp_.media.push_back(std::move(*media));
      in_media_ = true;
      rank_ = 0;
      continue;
    }
    error = in_media_ ? mediaLine(type, value) : sessionLine(type, value);
    if (error) return *error;
  }
  if (line_ < 3) return sdpError(line_, "needs v=, o= and s=");
  if (sdp_.timings.empty()) return sdpError(line_, "no t= line");
  return std::move(sdp_);
}

std::optional<core::Error> Parser::sessionLine(char type, std::string_view value) {
  const int rank = sessionRank(type);
  if (rank < 0) return sdpError(line_, std::string("unknown session line ") + type + "=");
  if (rank < rank_) return sdpError(line_, std::string(1, type) + "= out of order");
  const bool repeated = rank == rank_ && line_ > 1;
  rank_ = rank;
  switch (type) {
    case 'v':
      if (line_ != 1 || value != "0") return sdpError(line_, "v= must be the first line and 0");
      sdp_.version = 0;
      return std::nullopt;
    case 'o': {
      if (line_ != 2) return sdpError(line_, "o= must be the second line");
      auto origin = parseOrigin(value, line_);
      if (!origin) return origin.error();
      sdp_.origin = std::move(*origin);
      return std::nullopt;
    }
    case 's':
      if (line_ != 3) return sdpError(line_, "s= must be the third line");
      sdp_.session_name = std::string(value);
      return std::nullopt;
    case 'i':
      if (repeated) return once(true, "i=");
      sdp_.information = std::string(value);
      return std::nullopt;
    case 'u':
      if (repeated) return once(true, "u=");
      sdp_.uri = std::string(value);
      return std::nullopt;
    case 'e':
      if (auto e = bounded(sdp_.emails.size(), kSdpMaxRepeatedLines, "e= lines")) return e;
      sdp_.emails.emplace_back(value);
      return std::nullopt;
    case 'p':
      if (auto e = bounded(sdp_.phones.size(), kSdpMaxRepeatedLines, "p= lines")) return e;
      sdp_.phones.emplace_back(value);
      return std::nullopt;
    case 'c': {
      if (auto e = once(sdp_.connection.has_value(), "session c=")) return e;
      auto c = parseConnection(value, line_);
      if (!c) return c.error();
      sdp_.connection = std::move(*c);
      return std::nullopt;
    }
    case 'b':
      if (auto e = bounded(sdp_.bandwidths.size(), kSdpMaxRepeatedLines, "b= lines")) return e;
      sdp_.bandwidths.emplace_back(value);
      return std::nullopt;
    case 't': {
      if (auto e = bounded(sdp_.timings.size(), kSdpMaxRepeatedLines, "t= lines")) return e;
      auto t = parseTiming(value, line_);
      if (!t) return t.error();
      sdp_.timings.push_back(std::move(*t));
      return std::nullopt;
    }
    case 'r':
      if (sdp_.timings.empty()) return sdpError(line_, "r= before t=");
      if (auto e = bounded(sdp_.timings.back().repeats.size(), kSdpMaxRepeatedLines, "r= lines"))
        return e;
      sdp_.timings.back().repeats.emplace_back(value);
      return std::nullopt;
    case 'z':
      if (auto e = once(sdp_.zone.has_value(), "z=")) return e;
      sdp_.zone = std::string(value);
      return std::nullopt;
    case 'k':
      if (auto e = once(sdp_.key.has_value(), "k=")) return e;
      sdp_.key = std::string(value);
      return std::nullopt;
    case 'a': {
      if (auto e = bounded(sdp_.attributes.size(), kSdpMaxAttributes, "session attributes"))
        return e;
      auto a = parseAttribute(value);
      if (auto why = checkAttribute(a, false, nullptr)) return sdpError(line_, *why);
      sdp_.attributes.push_back(std::move(a));
      return std::nullopt;
    }
    default:
      return sdpError(line_, "unexpected line");
  }
}

std::optional<core::Error> Parser::mediaLine(char type, std::string_view value) {
  const int rank = mediaRank(type);
  if (rank < 0)
    return sdpError(line_, std::string(1, type) + "= not allowed in a media description");
  if (rank < rank_) return sdpError(line_, std::string(1, type) + "= out of order");
  rank_ = rank;
  SdpMedia& m = sdp_.media.back();
  switch (type) {
    case 'i':
      if (auto e = once(m.information.has_value(), "media i=")) return e;
      m.information = std::string(value);
      return std::nullopt;
    case 'c': {
      if (auto e = bounded(m.connections.size(), kSdpMaxRepeatedLines, "media c= lines")) return e;
      auto c = parseConnection(value, line_);
      if (!c) return c.error();
      m.connections.push_back(std::move(*c));
      return std::nullopt;
    }
    case 'b':
      if (auto e = bounded(m.bandwidths.size(), kSdpMaxRepeatedLines, "media b= lines")) return e;
      m.bandwidths.emplace_back(value);
      return std::nullopt;
    case 'k':
      if (auto e = once(m.key.has_value(), "media k=")) return e;
      m.key = std::string(value);
      return std::nullopt;
    case 'a': {
      if (auto e = bounded(m.attributes.size(), kSdpMaxAttributes, "media attributes")) return e;
      auto a = parseAttribute(value);
      if (auto why = checkAttribute(a, true, &m)) return sdpError(line_, *why);
      m.attributes.push_back(std::move(a));
      return std::nullopt;
    }
    default:
      return sdpError(line_, "unexpected line");
  }
}

const char* addressTypeText(SdpAddressType type) {
  return type == SdpAddressType::kIp6 ? "IP6" : "IP4";
}

void appendLine(std::string& out, char type, std::string_view value) {
  out += type;
  out += '=';
  out += value;
  out += "\r\n";
}

void appendConnection(std::string& out, const SdpConnection& c) {
  appendLine(out, 'c', std::string("IN ") + addressTypeText(c.address_type) + " " + c.address);
}

void appendAttributes(std::string& out, const std::vector<SdpAttribute>& attributes) {
  for (const auto& a : attributes)
    appendLine(out, 'a', a.has_value ? a.name + ":" + a.value : a.name);
}

}  // namespace

const char* toString(SdpAddressType type) {
  return addressTypeText(type);
}

const char* toString(SdpDirection direction) {
  switch (direction) {
    case SdpDirection::kSendRecv:
      return "sendrecv";
    case SdpDirection::kSendOnly:
      return "sendonly";
    case SdpDirection::kRecvOnly:
      return "recvonly";
    case SdpDirection::kInactive:
      return "inactive";
  }
  return "sendrecv";
}

std::optional<SdpDirection> directionFromName(std::string_view name) {
  if (name == "sendrecv") return SdpDirection::kSendRecv;
  if (name == "sendonly") return SdpDirection::kSendOnly;
  if (name == "recvonly") return SdpDirection::kRecvOnly;
  if (name == "inactive") return SdpDirection::kInactive;
  return std::nullopt;
}

bool isNullConnectionAddress(std::string_view address) {
  return address == "0.0.0.0" || address.starts_with("0.0.0.0/") || address == "::";
}

namespace {
std::optional<SdpDirection> directionOf(const std::vector<SdpAttribute>& attributes) {
  std::optional<SdpDirection> found;
  for (const auto& a : attributes) {
    if (a.has_value) continue;
    if (auto d = directionFromName(a.name)) found = d;  // the last one wins
  }
  return found;
}
}  // namespace

bool SdpMedia::isRtp() const {
  return protocol != SdpProtocol::kOther;
}

std::vector<int> SdpMedia::payloadTypes() const {
  std::vector<int> out;
  if (!isRtp()) return out;
  for (const auto& f : formats) {
    if (auto pt = parseUnsigned(f, 127, 3)) out.push_back(static_cast<int>(*pt));
  }
  return out;
}

std::optional<SdpRtpMap> SdpMedia::rtpMap(int payload_type) const {
  for (const auto& a : attributes) {
    if (a.name != "rtpmap") continue;
    auto map = parseRtpMap(a.value);
    if (map && map->payload_type == payload_type) return map;
  }
  return std::nullopt;
}

std::vector<SdpRtpMap> SdpMedia::rtpMaps() const {
  std::vector<SdpRtpMap> out;
  for (const auto& a : attributes) {
    if (a.name != "rtpmap") continue;
    if (auto map = parseRtpMap(a.value)) out.push_back(std::move(*map));
  }
  return out;
}

std::optional<SdpFmtp> SdpMedia::fmtp(std::string_view format) const {
  for (const auto& a : attributes) {
    if (a.name != "fmtp") continue;
    auto f = parseFmtp(a.value);
    if (f && f->format == format) return f;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> SdpMedia::ptime() const {
  const auto* a = findAttribute("ptime");
  return a ? parseMilliseconds(a->value) : std::nullopt;
}

std::optional<std::uint32_t> SdpMedia::maxPtime() const {
  const auto* a = findAttribute("maxptime");
  return a ? parseMilliseconds(a->value) : std::nullopt;
}

std::optional<SdpDirection> SdpMedia::direction() const {
  return directionOf(attributes);
}

std::optional<std::uint16_t> SdpMedia::rtcpPort() const {
  const auto* a = findAttribute("rtcp");
  return a ? parseRtcpPort(a->value) : std::nullopt;
}

bool SdpMedia::rtcpMux() const {
  return findAttribute("rtcp-mux") != nullptr;
}

const SdpAttribute* SdpMedia::findAttribute(std::string_view name) const {
  for (const auto& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::optional<SdpDirection> SessionDescription::direction() const {
  return directionOf(attributes);
}

const SdpConnection* SessionDescription::connectionFor(std::size_t index) const {
  if (index < media.size() && !media[index].connections.empty())
    return &media[index].connections.front();
  return connection ? &*connection : nullptr;
}

SdpDirection SessionDescription::directionFor(std::size_t index) const {
  if (index < media.size()) {
    if (auto d = media[index].direction()) return *d;
  }
  return direction().value_or(SdpDirection::kSendRecv);
}

bool SessionDescription::isHold(std::size_t index) const {
  const auto d = directionFor(index);
  if (d == SdpDirection::kSendOnly || d == SdpDirection::kInactive) return true;
  const auto* c = connectionFor(index);
  return c && isNullConnectionAddress(c->address);
}

core::Result<SessionDescription> parseSdp(std::string_view text) {
  return Parser().run(text);
}

std::string serializeSdp(const SessionDescription& sdp) {
  std::string out;
  out.reserve(512);
  appendLine(out, 'v', std::to_string(sdp.version));
  const auto& o = sdp.origin;
  appendLine(out, 'o',
             o.username + " " + o.session_id + " " + std::to_string(o.session_version) + " IN " +
                 addressTypeText(o.address_type) + " " + o.address);
  appendLine(out, 's', sdp.session_name);
  if (sdp.information) appendLine(out, 'i', *sdp.information);
  if (sdp.uri) appendLine(out, 'u', *sdp.uri);
  for (const auto& e : sdp.emails) appendLine(out, 'e', e);
  for (const auto& p : sdp.phones) appendLine(out, 'p', p);
  if (sdp.connection) appendConnection(out, *sdp.connection);
  for (const auto& b : sdp.bandwidths) appendLine(out, 'b', b);
  for (const auto& t : sdp.timings) {
    appendLine(out, 't', std::to_string(t.start) + " " + std::to_string(t.stop));
    for (const auto& r : t.repeats) appendLine(out, 'r', r);
  }
  if (sdp.zone) appendLine(out, 'z', *sdp.zone);
  if (sdp.key) appendLine(out, 'k', *sdp.key);
  appendAttributes(out, sdp.attributes);
  for (const auto& m : sdp.media) {
    std::string line = m.media + " " + std::to_string(m.port);
    if (m.port_count) line += "/" + std::to_string(*m.port_count);
    line += " " + m.protocol_text;
    for (const auto& f : m.formats) line += " " + f;
    appendLine(out, 'm', line);
    if (m.information) appendLine(out, 'i', *m.information);
    for (const auto& c : m.connections) appendConnection(out, c);
    for (const auto& b : m.bandwidths) appendLine(out, 'b', b);
    if (m.key) appendLine(out, 'k', *m.key);
    appendAttributes(out, m.attributes);
  }
  return out;
}

SdpAttribute makeAttribute(std::string name) {
  return SdpAttribute{std::move(name), {}, false};
}

SdpAttribute makeAttribute(std::string name, std::string value) {
  return SdpAttribute{std::move(name), std::move(value), true};
}

SdpAttribute makeRtpMapAttribute(const SdpRtpMap& map) {
  std::string value =
      std::to_string(map.payload_type) + " " + map.encoding + "/" + std::to_string(map.clock_rate);
  if (map.channels != 0) value += "/" + std::to_string(map.channels);
  return makeAttribute("rtpmap", std::move(value));
}

SdpAttribute makeDirectionAttribute(SdpDirection direction) {
  return makeAttribute(toString(direction));
}

}  // namespace sb::sip
