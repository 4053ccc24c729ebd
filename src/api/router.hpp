#pragma once
// Maps (method, path) to a handler. Patterns are split into segments once, at add(); a
// request walks a tree of segments, so matching costs O(segments) for any sane route
// set (a literal segment is tried before a parameter, and the walk backs up only when a
// literal branch dead-ends).
//
// Pattern syntax: literal segments, `{name}` (one non-empty segment) and, as the last
// segment only, `{name...}` (the rest of the path, one or more segments joined by '/').
// Paths are compared segment by segment after percent-decoding, so `/a%62c` matches
// `/abc`. A malformed %-escape makes the whole path invalid (400); a segment that decodes
// to something containing '/' or NUL, or to "." or "..", matches no parameter (404).
//
// A Router is filled before the server starts and is read-only afterwards: matching is
// then safe from any number of threads.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_types.hpp"

namespace sb::api {

using PathParams = std::vector<std::pair<std::string, std::string>>;

struct RequestContext {
  const HttpRequest& request;
  std::string_view path;   // as sent, still percent-encoded
  std::string_view query;  // as sent, without the '?'
  PathParams params;       // decoded
  std::string client_ip;
  bool client_loopback = false;
  std::string_view route;  // the pattern that matched: the label metrics use

  // The decoded path parameter, or "" when the pattern has none of that name.
  std::string param(std::string_view name) const;
  // The first query parameter of that name, percent-decoded ('+' is a space, as
  // URLSearchParams writes it); nullopt when absent or not well-formed.
  std::optional<std::string> queryParam(std::string_view name) const;
};

// What a WebSocket handler learns about the upgrade besides the request itself.
struct WebSocketContext {
  PathParams params;
  std::string client_ip;
  bool client_loopback = false;
  std::string route;

  std::string param(std::string_view name) const;
};

using Handler = std::function<boost::asio::awaitable<HttpResponse>(RequestContext&)>;
// Receives the stream before the handshake, with the upgrade request, so it can
// authenticate and pick a subprotocol, then `co_await ws.async_accept(req, ...)` itself,
// or answer with an HTTP error (`co_await http::async_write(ws.next_layer(), res, ...)`).
// HttpServer::stop() cancels the handler's pending operation (terminal cancellation).
using WebSocketHandler =
    std::function<boost::asio::awaitable<void>(WebSocket ws, HttpRequest req, WebSocketContext)>;

struct RouteMatch {
  enum class Kind {
    kFound,
    kNotFound,
    kMethodNotAllowed,  // `allow` lists the methods the path has
    kInvalidPath,       // a malformed %-escape
  };
  Kind kind = Kind::kNotFound;
  const Handler* handler = nullptr;             // kFound, HTTP routes
  const WebSocketHandler* websocket = nullptr;  // kFound, WebSocket routes
  std::string_view route;                       // the pattern, when a path matched
  PathParams params;
  std::string allow;  // e.g. "GET, HEAD, POST"
};

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registering the same method and pattern twice is a programming error (SB_CHECK),
  // as is a malformed pattern. GET routes also answer HEAD unless HEAD is added.
  void add(http::verb method, std::string pattern, Handler handler);
  void addWebSocket(std::string pattern, WebSocketHandler handler);
  // Where requests go that no route takes, for any method: the static files of the web
  // app (web_files.hpp). A path still belongs to the routes, and gets their 404 or 405,
  // when a route pattern's literal first segment is the path's first segment (so
  // `/api/v1/typo` stays a 404 of the API and `/sip` a WebSocket path), when a WebSocket
  // route matches it, or when its %-escapes are malformed. `label` is what RouteMatch::
  // route says (metrics label it so, never by raw path). Set once (SB_CHECK).
  void setFallback(std::string label, Handler handler);

  RouteMatch match(http::verb method, std::string_view path) const;
  // Only WebSocket routes; kNotFound when none matches.
  RouteMatch matchWebSocket(std::string_view path) const;

  struct Node;  // the segment tree; opaque outside router.cpp
  struct Fallback;

 private:
  std::unique_ptr<Node> root_;
  std::unique_ptr<Fallback> fallback_;
};

// Percent-decodes `in`; nullopt on a malformed escape. With `plus_is_space`, '+' is a
// space (query strings); in paths it is a plain '+'.
std::optional<std::string> percentDecode(std::string_view in, bool plus_is_space = false);

}  // namespace sb::api
