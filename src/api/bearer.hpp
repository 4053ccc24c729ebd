#pragma once
// The session token of `Authorization: Bearer <token>`: one reading for HTTP routes
// and the WebSocket upgrade alike.
#include <optional>
#include <string_view>
#include <strings.h>

#include "api/http_types.hpp"

namespace sb::api {

inline std::optional<std::string_view> bearerToken(const HttpRequest& req) {
  auto it = req.find(http::field::authorization);
  if (it == req.end()) return std::nullopt;
  std::string_view v = it->value();
  if (v.size() < 7 || strncasecmp(v.data(), "Bearer ", 7) != 0) return std::nullopt;
  v.remove_prefix(7);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

}  // namespace sb::api
