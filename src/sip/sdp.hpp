#pragma once
// SDP (RFC 8866, formerly RFC 4566): a session description model, a strict bounded
// parser for untrusted text and a serializer. Sans-I/O: text in, model out, and back.
//
// The model keeps every line we understand in a typed field and every attribute in
// the order it came, verbatim (name and value), so a parsed description serializes to
// text that parses back to the same model. Attributes we rely on (rtpmap, fmtp,
// ptime, maxptime, rtcp) are validated at parse time and read through the accessors
// below; anything else is kept as it came.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sb::sip {

// Bounds for untrusted input: past them the description is refused, not truncated.
inline constexpr std::size_t kSdpMaxBytes = 16 * 1024;
inline constexpr std::size_t kSdpMaxLineBytes = 1024;
inline constexpr std::size_t kSdpMaxMedia = 16;
inline constexpr std::size_t kSdpMaxFormats = 32;
inline constexpr std::size_t kSdpMaxAttributes = 128;    // per session or media level
inline constexpr std::size_t kSdpMaxRepeatedLines = 16;  // e=, p=, b=, t=, r=, media c=

enum class SdpAddressType { kIp4, kIp6 };
enum class SdpDirection { kSendRecv, kSendOnly, kRecvOnly, kInactive };
enum class SdpProtocol { kRtpAvp, kRtpSavp, kRtpSavpf, kUdpTlsRtpSavpf, kOther };

const char* toString(SdpAddressType type);
const char* toString(SdpDirection direction);

// o=<username> <sess-id> <sess-version> IN <addrtype> <address>
struct SdpOrigin {
  std::string username = "-";
  std::string session_id = "0";  // digits; kept as text (peers use more than 64 bits)
  std::uint64_t session_version = 0;
  SdpAddressType address_type = SdpAddressType::kIp4;
  std::string address = "0.0.0.0";
  bool operator==(const SdpOrigin&) const = default;
};

// c=IN <addrtype> <address>; the address keeps any multicast /ttl/count suffix.
struct SdpConnection {
  SdpAddressType address_type = SdpAddressType::kIp4;
  std::string address;
  bool operator==(const SdpConnection&) const = default;
};

// t=<start> <stop> and the r= lines that belong to it (verbatim).
struct SdpTiming {
  std::uint64_t start = 0;
  std::uint64_t stop = 0;
  std::vector<std::string> repeats;
  bool operator==(const SdpTiming&) const = default;
};

// a=<name>[:<value>]; has_value distinguishes "a=x" from "a=x:".
struct SdpAttribute {
  std::string name;
  std::string value;
  bool has_value = false;
  bool operator==(const SdpAttribute&) const = default;
};

struct SdpRtpMap {
  int payload_type = 0;
  std::string encoding;  // as written, e.g. "PCMU", "telephone-event"
  std::uint32_t clock_rate = 0;
  std::uint32_t channels = 0;  // 0: not given (means 1 for audio)
  bool operator==(const SdpRtpMap&) const = default;
};

struct SdpFmtp {
  std::string format;
  std::string parameters;
  bool operator==(const SdpFmtp&) const = default;
};

struct SdpMedia {
  std::string media;  // "audio", "video", "application", …
  std::uint16_t port = 0;
  std::optional<std::uint32_t> port_count;  // m=audio 49170/2 …
  SdpProtocol protocol = SdpProtocol::kRtpAvp;
  std::string protocol_text = "RTP/AVP";   // as written; decides `protocol`
  std::vector<std::string> formats;        // payload type numbers for RTP protocols
  std::optional<std::string> information;  // i=
  std::vector<SdpConnection> connections;  // c= (more than one only for multicast)
  std::vector<std::string> bandwidths;     // b= verbatim
  std::optional<std::string> key;          // k= verbatim
  std::vector<SdpAttribute> attributes;
  bool operator==(const SdpMedia&) const = default;

  bool isRtp() const;
  // Formats as RTP payload types (validated 0..127 for RTP protocols at parse time).
  std::vector<int> payloadTypes() const;
  std::optional<SdpRtpMap> rtpMap(int payload_type) const;
  std::vector<SdpRtpMap> rtpMaps() const;
  std::optional<SdpFmtp> fmtp(std::string_view format) const;
  std::optional<std::uint32_t> ptime() const;
  std::optional<std::uint32_t> maxPtime() const;
  std::optional<SdpDirection> direction() const;  // only if this level says so
  std::optional<std::uint16_t> rtcpPort() const;
  bool rtcpMux() const;
  const SdpAttribute* findAttribute(std::string_view name) const;
};

struct SessionDescription {
  int version = 0;
  SdpOrigin origin;
  std::string session_name = "-";
  std::optional<std::string> information;  // i=
  std::optional<std::string> uri;          // u=
  std::vector<std::string> emails;         // e=
  std::vector<std::string> phones;         // p=
  std::optional<SdpConnection> connection;
  std::vector<std::string> bandwidths;
  std::vector<SdpTiming> timings;   // at least one
  std::optional<std::string> zone;  // z= verbatim
  std::optional<std::string> key;   // k= verbatim
  std::vector<SdpAttribute> attributes;
  std::vector<SdpMedia> media;
  bool operator==(const SessionDescription&) const = default;

  std::optional<SdpDirection> direction() const;  // only if the session level says so
  // The connection that applies to media line `index`: its own, else the session's.
  const SdpConnection* connectionFor(std::size_t index) const;
  // Media level beats session level; sendrecv when neither says.
  SdpDirection directionFor(std::size_t index) const;
  // Hold as a peer signals it: c=0.0.0.0 (RFC 2543 style) or sendonly/inactive.
  bool isHold(std::size_t index) const;
};

// Parses untrusted text (LF or CRLF line ends). Never throws; errors say what and where.
core::Result<SessionDescription> parseSdp(std::string_view text);

// CRLF-terminated text. The model should be valid (e.g. from parseSdp or our builders).
std::string serializeSdp(const SessionDescription& sdp);

// Attribute builders for descriptions we write ourselves.
SdpAttribute makeAttribute(std::string name);
SdpAttribute makeAttribute(std::string name, std::string value);
SdpAttribute makeRtpMapAttribute(const SdpRtpMap& map);
SdpAttribute makeDirectionAttribute(SdpDirection direction);

std::optional<SdpDirection> directionFromName(std::string_view name);
// A connection address that means "do not send to me" (RFC 2543 hold).
bool isNullConnectionAddress(std::string_view address);

}  // namespace sb::sip
