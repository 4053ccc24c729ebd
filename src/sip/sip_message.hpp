#pragma once
// The SIP message model, parser, stream framer and serializer (RFC 3261 §7, §20, §25).
// Sans-I/O: bytes in, a SipMessage or an error kind out. Untrusted input never throws
// and never crashes; every limit has its own error kind so that the transport can
// answer 400/413/505/513 or drop (see docs/sip.md).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sb::sip {

struct ParseLimits {
  size_t max_message_bytes = 64 * 1024;  // start line + headers + body
  size_t max_headers = 128;              // header field values, after splitting lists
  size_t max_line_bytes = 8 * 1024;      // one physical line, and one unfolded header
};

enum class ParseErrorKind {
  kMalformed,           // syntax or a broken rule of RFC 3261: 400 (requests) / drop
  kUnsupportedVersion,  // not SIP/2.0: 505
  kMessageTooLarge,     // over max_message_bytes: 513
  kBodyTooLarge,        // Content-Length over the limit: 413
  kTooManyHeaders,      // over max_headers: 400 (or drop)
  kLineTooLong,         // over max_line_bytes: 400 (or drop)
  kBadContentLength,    // missing on a stream, negative, non-numeric, or beyond the data: 400
  kIncomplete,          // a stream needs more bytes (the framer's kNeedMore)
};

const char* toString(ParseErrorKind kind);
// The kind of an error returned by parseSipMessage (kMalformed for any other error).
ParseErrorKind parseErrorKind(const core::Error& error);
// The status a server answers a bad request with; 0 means drop (close a stream).
int responseStatusFor(ParseErrorKind kind);

struct SipHeader {
  std::string name;   // canonical spelling for known headers ("Call-ID", "CSeq", …)
  std::string value;  // unfolded and trimmed; one element of a comma-separated list
  bool operator==(const SipHeader&) const = default;
};

// The canonical name of a header: compact forms expanded (v → Via), known names
// spelled as in RFC 3261 whatever their case, unknown names unchanged.
std::string canonicalHeaderName(std::string_view name);
// Whether the header's value is a comma-separated list that is split into elements.
bool isListHeader(std::string_view canonical_name);
// Splits a list value on commas that are outside quotes and <…>; elements are trimmed.
std::vector<std::string> splitHeaderList(std::string_view value);

class SipMessage {
 public:
  static SipMessage request(std::string method, std::string request_uri);
  static SipMessage response(int status_code, std::string reason_phrase);

  bool isRequest() const { return is_request_; }
  const std::string& method() const { return method_; }
  const std::string& requestUri() const { return request_uri_; }
  int statusCode() const { return status_code_; }
  const std::string& reasonPhrase() const { return reason_phrase_; }

  const std::vector<SipHeader>& headers() const { return headers_; }
  // The first value of a header (name in any case or compact form).
  std::optional<std::string_view> header(std::string_view name) const;
  std::vector<std::string_view> headerValues(std::string_view name) const;
  size_t headerCount(std::string_view name) const;
  void addHeader(std::string_view name, std::string value);
  void setHeader(std::string_view name, std::string value);  // replaces every value
  void removeHeader(std::string_view name);

  const std::string& body() const { return body_; }
  void setBody(std::string body) { body_ = std::move(body); }

  bool operator==(const SipMessage&) const = default;

 private:
  bool is_request_ = true;
  std::string method_;
  std::string request_uri_;
  int status_code_ = 0;
  std::string reason_phrase_;
  std::vector<SipHeader> headers_;
  std::string body_;
};

// One datagram (UDP) or one framed stream message. A missing Content-Length means
// "the rest of the datagram"; bytes beyond Content-Length are ignored (RFC 3261 §18.3).
core::Result<SipMessage> parseSipMessage(std::string_view bytes, const ParseLimits& limits = {});

// Writes the message with canonical header names, one line per list element, and a
// Content-Length equal to the body size.
std::string serializeSipMessage(const SipMessage& message);

// Finds message boundaries on a TCP/TLS/WebSocket byte stream. Content-Length is
// required; CRLF keep-alives (RFC 5626 §4.4.1) between messages are consumed and
// reported. After an error the stream cannot be resynchronised: close it.
class SipStreamFramer {
 public:
  enum class Status { kMessage, kKeepAlive, kNeedMore, kError };
  struct Frame {
    Status status = Status::kNeedMore;
    std::string bytes;  // kMessage: exactly one message
    bool ping = false;  // kKeepAlive: a double CRLF ping that wants a CRLF pong
    ParseErrorKind error = ParseErrorKind::kIncomplete;  // kError (kIncomplete while kNeedMore)
    std::string detail;                                  // kError
  };

  explicit SipStreamFramer(ParseLimits limits = {}) : limits_(limits) {}
  void append(std::string_view bytes) { buffer_.append(bytes); }
  Frame next();
  size_t buffered() const { return buffer_.size(); }

 private:
  Frame fail(ParseErrorKind kind, std::string detail);
  void consume(size_t bytes);

  ParseLimits limits_;
  std::string buffer_;
  size_t scanned_ = 0;        // bytes already searched for the end of the headers
  size_t line_start_ = 0;     // start of the line still open at scanned_
  size_t pending_total_ = 0;  // size of the message whose body is still arriving
  bool failed_ = false;
  Frame failure_;
};

}  // namespace sb::sip
