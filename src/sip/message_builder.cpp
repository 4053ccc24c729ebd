#include "sip/message_builder.hpp"

#include <charconv>

namespace sb::sip {

const char* reasonPhrase(int code) {
  switch (code) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 423: return "Interval Too Brief";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 484: return "Address Incomplete";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 489: return "Bad Event";
    case 491: return "Request Pending";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Server Time-out";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    case 600: return "Busy Everywhere";
    case 603: return "Decline";
    case 604: return "Does Not Exist Anywhere";
    case 606: return "Not Acceptable";
    default: break;
  }
  if (code < 200) return "Trying";
  if (code < 300) return "OK";
  if (code < 400) return "Redirect";
  if (code < 500) return "Client Error";
  if (code < 600) return "Server Error";
  return "Global Failure";
}

std::string withTag(std::string_view name_addr, std::string_view tag) {
  std::string out(name_addr);
  out += ";tag=";
  out += tag;
  return out;
}

SipMessage makeResponse(const SipMessage& request, int status_code,
                        std::optional<std::string_view> to_tag, std::string_view reason) {
  SipMessage response =
      SipMessage::response(status_code, reason.empty() ? reasonPhrase(status_code) : std::string(reason));
  for (const SipHeader& h : request.headers()) {
    if (h.name == "Via" || h.name == "From" || h.name == "Call-ID" || h.name == "CSeq" ||
        h.name == "Timestamp") {
      response.addHeader(h.name, h.value);
    } else if (h.name == "To") {
      if (to_tag && toTag(request).empty()) {
        response.addHeader("To", withTag(h.value, *to_tag));
      } else {
        response.addHeader("To", h.value);
      }
    }
  }
  return response;
}

namespace {
std::string tagOf(const SipMessage& message, std::string_view header) {
  auto value = message.header(header);
  if (!value) return {};
  auto parsed = parseNameAddr(*value);
  if (!parsed) return {};
  auto tag = parsed->tag();
  return tag ? std::string(*tag) : std::string{};
}
}  // namespace

std::string fromTag(const SipMessage& message) { return tagOf(message, "From"); }
std::string toTag(const SipMessage& message) { return tagOf(message, "To"); }

std::optional<CSeq> cseqOf(const SipMessage& message) {
  auto value = message.header("CSeq");
  if (!value) return std::nullopt;
  auto parsed = parseCSeq(*value);
  if (!parsed) return std::nullopt;
  return *parsed;
}

std::optional<Via> topVia(const SipMessage& message) {
  auto value = message.header("Via");
  if (!value) return std::nullopt;
  auto parsed = parseVia(*value);
  if (!parsed) return std::nullopt;
  return *parsed;
}

std::optional<SipUri> contactUri(const SipMessage& message) {
  auto value = message.header("Contact");
  if (!value) return std::nullopt;
  auto parsed = parseNameAddr(*value);
  if (!parsed || !parsed->sip) return std::nullopt;
  return *parsed->sip;
}

std::optional<uint32_t> expiresHeader(const SipMessage& message) {
  auto value = message.header("Expires");
  if (!value) return std::nullopt;
  uint32_t n = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc{} || end != value->data() + value->size()) return std::nullopt;
  return n;
}

}  // namespace sb::sip
