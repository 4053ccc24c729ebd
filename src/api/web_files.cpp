#include "api/web_files.hpp"

#include <sys/stat.h>

#include <boost/beast/core/string.hpp>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "api/file_response.hpp"
#include "api/problem.hpp"
#include "api/worker.hpp"

namespace sb::api {
namespace {

namespace fs = std::filesystem;

// Vite's deepest paths are two segments (assets/name-hash.js); these bounds only keep a
// hostile path from costing more than a few syscalls.
constexpr std::size_t kMaxPathBytes = 1024;
constexpr std::size_t kMaxSegments = 32;

// What a request path names under the root, once it has passed every check.
struct WebPath {
  std::string relative;  // decoded, without the leading '/': "" for "/", "assets/a-1.js"
  bool has_extension = false;
  bool asset = false;  // under assets/, where every name carries a content hash
};

std::optional<WebPath> webPath(std::string_view raw) {
  if (raw.empty() || raw.front() != '/') return std::nullopt;
  // Decoded once: "%2e%2e" is "..", "%2f" a '/', and both are then refused below like
  // their plain forms. Decoding only once means "%252e" stays the literal name "%2e".
  auto decoded = percentDecode(raw);
  if (!decoded || decoded->size() > kMaxPathBytes) return std::nullopt;
  for (const char c : *decoded) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') return std::nullopt;  // NUL, CR/LF, Windows separators
  }
  WebPath out;
  std::string_view rest = std::string_view(*decoded).substr(1);
  if (rest.empty()) return out;
  std::size_t segments = 0;
  bool under_assets = false;
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    // Empty segments ("//", a trailing '/'), ".", ".." and dot files (.env, .git).
    if (segment.empty() || segment.front() == '.' || ++segments > kMaxSegments) return std::nullopt;
    if (segments == 1) under_assets = segment == "assets";
    if (slash == std::string_view::npos) {
      out.has_extension = segment.find('.') != std::string_view::npos;
      break;
    }
    rest.remove_prefix(slash + 1);
  }
  out.asset = under_assets && segments > 1;
  out.relative = decoded->substr(1);
  return out;
}

std::optional<fs::path> canonicalDirectory(const fs::path& dir) {
  std::error_code ec;
  fs::path canonical = fs::canonical(dir, ec);
  if (ec || !fs::is_directory(canonical, ec)) return std::nullopt;
  return canonical;
}

// The canonical path of `candidate` when it is a regular file inside `root` (itself
// canonical): a symlink may point anywhere under the root, never out of it.
std::optional<fs::path> regularFileUnder(const fs::path& root, const fs::path& candidate) {
  std::error_code ec;
  fs::path canonical = fs::canonical(candidate, ec);
  if (ec) return std::nullopt;
  const std::string& r = root.native();
  const std::string& f = canonical.native();
  const bool inside = f.size() > r.size() && f.compare(0, r.size(), r) == 0 &&
                      (r.back() == '/' || f[r.size()] == '/');
  if (!inside) return std::nullopt;
  // Only regular files: opening a FIFO someone left in the root would block a worker.
  struct stat st {};
  if (::stat(canonical.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return canonical;
}

HttpResponse notFound() {
  return problem(http::status::not_found, "not-found", "Not found",
                 "There is no resource at this path.");
}

HttpResponse notBuilt() {
  return problem(http::status::not_found, "web-app-not-built", "Web app not built",
                 "The agent web app has not been built: run `make web` (or `make build`) in "
                 "the source tree, which builds web/dist, or set web_root to a built copy. "
                 "The API works meanwhile.");
}

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
std::optional<int> parseQValue(std::string_view s) {
  if (s.empty() || s.size() > 5 || (s[0] != '0' && s[0] != '1')) return std::nullopt;
  const int whole = s[0] - '0';
  if (s.size() == 1) return whole * 1000;
  if (s[1] != '.') return std::nullopt;
  int fraction = 0;
  int digits = 0;
  for (const char c : s.substr(2)) {
    if (c < '0' || c > '9') return std::nullopt;
    fraction = fraction * 10 + (c - '0');
    ++digits;
  }
  for (; digits < 3; ++digits) fraction *= 10;
  if (whole == 1 && fraction != 0) return std::nullopt;
  return whole * 1000 + fraction;
}

// The q of one Accept-Encoding element's parameters ("; q=0.5"); nullopt when malformed.
// Parameters other than q are ignored.
std::optional<int> elementWeight(std::string_view params) {
  int q = 1000;
  while (!params.empty()) {
    const std::size_t semi = params.find(';');
    const std::string_view param = trimOws(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    const std::size_t eq = param.find('=');
    if (!boost::beast::iequals(trimOws(param.substr(0, eq)), "q")) continue;
    // `weight = OWS ";" OWS "q=" qvalue`: no space around '=' ("q = 1" is malformed).
    const auto v = eq == 1 ? parseQValue(param.substr(2)) : std::nullopt;
    if (!v) return std::nullopt;
    q = *v;
  }
  return q;
}

struct Encoded {
  fs::path file;
  std::string_view coding;  // "" for identity
};

// The precompressed sibling the client accepts best, or the file itself.
Encoded chooseEncoding(const HttpRequest& req, const fs::path& root, const fs::path& requested,
                       const fs::path& file) {
  auto field = req.find(http::field::accept_encoding);
  if (field == req.end()) return {file, {}};
  for (const ContentCoding coding : acceptedCodings(field->value())) {
    const bool br = coding == ContentCoding::kBrotli;
    if (auto sibling =
            regularFileUnder(root, fs::path(requested.native() + (br ? ".br" : ".gz")))) {
      return {std::move(*sibling), br ? "br" : "gzip"};
    }
  }
  return {file, {}};
}

// `requested` is root/relative as asked (siblings are looked up next to it), `file` its
// canonical path.
HttpResponse serveFile(const HttpRequest& req, const fs::path& root, const fs::path& requested,
                       const fs::path& file, bool immutable) {
  const std::string_view type = contentTypeByExtension(file);
  const Encoded chosen = chooseEncoding(req, root, requested, file);
  auto served = fileResponse(req, chosen.file, type);
  if (!served) {
    // Gone between the check and the open (a rebuild): as if it had never been there.
    if (served.error().code == core::ErrorCode::kNotFound) return notFound();
    return problemFromError(served.error());
  }
  HttpResponse res = std::move(*served);
  const auto status = res.result();
  const bool representation = status == http::status::ok ||
                              status == http::status::partial_content ||
                              status == http::status::not_modified;
  // The answer depends on Accept-Encoding whenever a sibling might exist: caches must
  // not hand the br bytes to a client that asked for none.
  res.set(http::field::vary, "Accept-Encoding");
  if (representation) {
    res.set(http::field::cache_control, immutable ? kImmutableCacheControl : "no-cache");
    if (!chosen.coding.empty() && status != http::status::not_modified) {
      res.set(http::field::content_encoding, chosen.coding);
    }
  }
  res.set("Referrer-Policy", "same-origin");
  // SVG is a document too when opened on its own, and may hold scripts.
  if (type.starts_with("text/html") || type.starts_with("image/svg+xml")) {
    res.set("Content-Security-Policy", kWebContentSecurityPolicy);
  }
  return res;
}

}  // namespace

std::vector<ContentCoding> acceptedCodings(std::string_view accept_encoding) {
  std::optional<int> br, gzip, any;
  std::string_view rest = accept_encoding;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view element = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const std::size_t semi = element.find(';');
    const std::string_view name = trimOws(element.substr(0, semi));
    if (name.empty()) continue;
    const auto q = elementWeight(semi == std::string_view::npos ? std::string_view{}
                                                                : element.substr(semi + 1));
    if (!q) continue;
    std::optional<int>* slot = nullptr;
    if (boost::beast::iequals(name, "br")) {
      slot = &br;
    } else if (boost::beast::iequals(name, "gzip") || boost::beast::iequals(name, "x-gzip")) {
      slot = &gzip;
    } else if (name == "*") {
      slot = &any;
    }
    if (slot != nullptr && !slot->has_value()) *slot = *q;
  }
  const int q_br = br.value_or(any.value_or(0));
  const int q_gzip = gzip.value_or(any.value_or(0));
  std::vector<ContentCoding> out;
  if (q_br > 0) out.push_back(ContentCoding::kBrotli);
  if (q_gzip > 0) {
    if (q_gzip > q_br) {
      out.insert(out.begin(), ContentCoding::kGzip);
    } else {
      out.push_back(ContentCoding::kGzip);
    }
  }
  return out;
}

WebFiles::WebFiles(std::filesystem::path root) : root_(std::move(root)) {}

bool WebFiles::built() const {
  const auto root = canonicalDirectory(root_);
  return root && regularFileUnder(*root, *root / "index.html");
}

HttpResponse WebFiles::answer(const HttpRequest& req, std::string_view path) const {
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    HttpResponse res = problem(http::status::method_not_allowed, "method-not-allowed",
                               "Method not allowed", "The web app's files are only read.");
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  const auto wanted = webPath(path);
  if (!wanted) return notFound();
  const auto root = canonicalDirectory(root_);
  if (!root) return notBuilt();
  const fs::path index_requested = *root / "index.html";
  const auto index = regularFileUnder(*root, index_requested);
  if (!index) return notBuilt();
  if (!wanted->relative.empty()) {
    const fs::path requested = *root / wanted->relative;
    if (auto file = regularFileUnder(*root, requested)) {
      return serveFile(req, *root, requested, *file, wanted->asset);
    }
    // A missing script or style must fail as one, not arrive as HTML; so must anything
    // under assets/, which the app only ever names by its hashed file name.
    if (wanted->has_extension || wanted->asset) return notFound();
  }
  // "/" and client-side routes (/history) are the app's entry page.
  return serveFile(req, *root, index_requested, *index, false);
}

void addWebFilesRoute(Router& router, const WebFiles& web, boost::asio::thread_pool& workers) {
  router.setFallback(
      "/{file...}", [&web, &workers](RequestContext& ctx) -> boost::asio::awaitable<HttpResponse> {
        co_return co_await onWorker(workers, [&] { return web.answer(ctx.request, ctx.path); });
      });
}

}  // namespace sb::api
