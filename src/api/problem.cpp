#include "api/problem.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "core/log.hpp"

namespace sb::api {
namespace {

struct ProblemKind {
  http::status status;
  std::string_view slug;
  std::string_view title;
};

ProblemKind kindOf(core::ErrorCode code) {
  using core::ErrorCode;
  switch (code) {
    case ErrorCode::kInvalidInput:
      return {http::status::unprocessable_entity, "invalid-input", "Invalid input"};
    case ErrorCode::kNotFound:
      return {http::status::not_found, "not-found", "Not found"};
    case ErrorCode::kConflict:
      return {http::status::conflict, "conflict", "Conflict"};
    case ErrorCode::kUnauthenticated:
      return {http::status::unauthorized, "unauthenticated", "Not authenticated"};
    case ErrorCode::kForbidden:
      return {http::status::forbidden, "forbidden", "Forbidden"};
    case ErrorCode::kTooManyRequests:
      return {http::status::too_many_requests, "too-many-requests", "Too many requests"};
    case ErrorCode::kUnavailable:
      return {http::status::service_unavailable, "unavailable", "Service unavailable"};
    case ErrorCode::kStorage:
    case ErrorCode::kInternal:
      break;
  }
  return {http::status::internal_server_error, "internal", "Internal server error"};
}

}  // namespace

HttpResponse problem(http::status status, std::string_view slug, std::string_view title,
                     std::string_view detail) {
  boost::json::object body;
  body["type"] = std::string("/problems/").append(slug);
  body["title"] = title;
  body["status"] = static_cast<unsigned>(status);
  body["detail"] = detail;
  HttpResponse res{status, 11};
  res.set(http::field::content_type, kProblemContentType);
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

HttpResponse problemFromError(const core::Error& error) {
  const ProblemKind kind = kindOf(error.code);
  if (kind.status == http::status::internal_server_error) {
    core::logError("request failed",
                   {{"code", core::toString(error.code)}, {"error", error.message}});
    return problem(kind.status, kind.slug, kind.title,
                   "The server could not complete the request. It has been logged.");
  }
  HttpResponse res = problem(kind.status, kind.slug, kind.title, error.message);
  if (error.retry_after.count() > 0 && (kind.status == http::status::too_many_requests ||
                                        kind.status == http::status::service_unavailable)) {
    res.set(http::field::retry_after, std::to_string(error.retry_after.count()));
  }
  return res;
}

HttpResponse jsonResponse(http::status status, const boost::json::value& body) {
  HttpResponse res{status, 11};
  res.set(http::field::content_type, kJsonContentType);
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

HttpResponse noContent() {
  return HttpResponse{http::status::no_content, 11};
}

}  // namespace sb::api
