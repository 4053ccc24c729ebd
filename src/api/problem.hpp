#pragma once
// Error responses as RFC 9457 problem details. The `type` is a relative URI reference,
// "/problems/<slug>", stable per kind of error so that clients switch on it; `title` is
// the same for every instance of a type and `detail` explains this occurrence.
#include <boost/json/fwd.hpp>
#include <string_view>

#include "api/http_types.hpp"
#include "core/result.hpp"

namespace sb::api {

inline constexpr std::string_view kProblemContentType = "application/problem+json";
inline constexpr std::string_view kJsonContentType = "application/json";

HttpResponse problem(http::status status, std::string_view slug, std::string_view title,
                     std::string_view detail);

// The problem for an expected failure reported by a lower layer. 4xx codes carry the
// error's message (written for the caller); kStorage and kInternal carry a generic detail
// and the message goes to the log instead, since it may name tables, paths or queries.
// kTooManyRequests and kUnavailable add Retry-After when the error knows it.
HttpResponse problemFromError(const core::Error& error);

HttpResponse jsonResponse(http::status status, const boost::json::value& body);
// 204: no body and no Content-Type.
HttpResponse noContent();

}  // namespace sb::api
