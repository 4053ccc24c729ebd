#pragma once
// The agent web app's built files (Vite's web/dist) at `/`, on the same origin as the API,
// so the app needs no CORS and one Content-Security-Policy of 'self' covers both.
//
// A request the API's routes do not take (Router::setFallback) is answered from the web
// root: a file under it by its path; a path without a file extension that names no file
// (a client-side route such as /history) with index.html; anything else 404. What a
// client may name is narrow: the path is percent-decoded once and refused (404, the same
// answer as a missing file, so nothing about the disk leaks) when it holds a control
// character, a backslash, an empty segment or a segment starting with '.' ("..", dot
// files); the file's canonical path (symlinks resolved) must lie under the root's
// canonical path and be a regular file.
//
// Caching: files under /assets/ have content-hashed names and are cached for a year
// (immutable); everything else (index.html, sw.js, manifest.webmanifest, icons) is
// `no-cache` with a strong ETag, so a deploy is seen on the next load while an
// unchanged file costs a 304. Precompressed siblings (X.br, X.gz, written by the build)
// are sent when Accept-Encoding allows them, with Content-Encoding and
// `Vary: Accept-Encoding`. HTML and SVG get the Content-Security-Policy below.
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <string_view>
#include <vector>

#include "api/http_types.hpp"
#include "api/router.hpp"

namespace sb::api {

// For an app whose scripts and styles are all files of its own origin. WebSockets (the
// events API, SIP over WebSocket) need ws:/wss: since older browsers do not count them
// as 'self'; recordings play from blob: URLs; Vite inlines small images as data: URLs
// and some components set inline styles.
inline constexpr std::string_view kWebContentSecurityPolicy =
    "default-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob:; "
    "img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

inline constexpr std::string_view kImmutableCacheControl = "public, max-age=31536000, immutable";

enum class ContentCoding { kBrotli, kGzip };

// The codings among br and gzip (x-gzip is gzip) that an Accept-Encoding value
// (RFC 9110 §12.5.3) accepts, most preferred first: q > 0, by falling q, br before gzip
// on a tie. A coding not named takes the q of "*" when present, else it is not
// acceptable; q=0 refuses it. An element with a malformed q-value is ignored, as is a
// repeat of a coding already named. An empty value accepts neither.
std::vector<ContentCoding> acceptedCodings(std::string_view accept_encoding);

class WebFiles {
 public:
  // `root` need not exist yet: each request looks again, so building the app (or
  // rebuilding it) while the server runs takes effect at once.
  explicit WebFiles(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  // Whether the root holds an index.html now (a regular file, symlinks resolved, inside it).
  bool built() const;

  // The answer to `req` for `path` (the request's path as sent: percent-encoded, no
  // query). GET and HEAD only; other methods get 405 with Allow: GET, HEAD. Without an
  // index.html every path gets 404 /problems/web-app-not-built. Never throws on bad
  // input; blocks on the file system, so call it on a worker.
  HttpResponse answer(const HttpRequest& req, std::string_view path) const;

 private:
  std::filesystem::path root_;
};

// Makes `web` the router's fallback (label "/{file...}"); the file system is read on
// `workers`. Both must outlive the server's handlers.
void addWebFilesRoute(Router& router, const WebFiles& web, boost::asio::thread_pool& workers);

}  // namespace sb::api
