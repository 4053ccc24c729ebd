#pragma once
// Small builders shared by the protocol layers: responses that copy what RFC 3261
// §8.2.6.2 says to copy, reason phrases, and reading the common header values.
#include <optional>
#include <string>
#include <string_view>

#include "sip/sip_message.hpp"
#include "sip/sip_uri.hpp"

namespace sb::sip {

// The default reason phrase of a status code ("Ringing", "Busy Here", …).
const char* reasonPhrase(int status_code);

// A response to `request`: every Via (in order), From, To, Call-ID, CSeq and Timestamp
// copied; when `to_tag` is given and To has no tag, it is added.
SipMessage makeResponse(const SipMessage& request, int status_code,
                        std::optional<std::string_view> to_tag = std::nullopt,
                        std::string_view reason = {});

// The tag parameter of the From or To header, empty when absent or unparseable.
std::string fromTag(const SipMessage& message);
std::string toTag(const SipMessage& message);
// Adds ;tag=… to a From/To header value that has none.
std::string withTag(std::string_view name_addr, std::string_view tag);
std::optional<CSeq> cseqOf(const SipMessage& message);
std::optional<Via> topVia(const SipMessage& message);
// The URI of the first Contact, when it parses as a SIP URI.
std::optional<SipUri> contactUri(const SipMessage& message);
// The value of Expires as a number (absent or malformed: nullopt).
std::optional<uint32_t> expiresHeader(const SipMessage& message);

}  // namespace sb::sip
