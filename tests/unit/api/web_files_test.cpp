#include "api/web_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace sb::api {
namespace {

namespace fs = std::filesystem;

std::string header(const HttpResponse& res, std::string_view name) {
  auto it = res.find(name);
  return it == res.end() ? std::string("<absent>") : std::string(it->value());
}

constexpr std::string_view kIndex = "<!doctype html><title>Switchboard</title>";
constexpr std::string_view kSecret = "TOP-SECRET-OUTSIDE-THE-ROOT";
constexpr std::string_view kDotSecret = "DOT-FILE-SECRET";

// A small copy of what Vite writes into web/dist, inside a directory that also holds a
// secret next to it (what traversal would be after).
class WebFilesTest : public ::testing::Test {
 protected:
  WebFilesTest() {
    dir_.write("secret.txt", std::string(kSecret));
    write("index.html", kIndex);
    write("assets/index-4f2a9c1e.js", "console.log('app')");
    write("assets/index-4f2a9c1e.js.br", "BROTLI-BYTES");
    write("assets/index-4f2a9c1e.js.gz", "GZIP-BYTES");
    write("assets/index-7b1d0e33.css", "body{}");
    write("assets/index-7b1d0e33.css.gz", "GZIP-CSS");
    write("assets/index-4f2a9c1e.js.map", "{}");
    write("assets/ring-0a1b2c3d.wav", "RIFF");
    write("assets/inter-5e6f7a8b.woff2", "wOF2");
    write("assets/worker-1234abcd.mjs", "export {}");
    write("sw.js", "self.addEventListener('fetch', () => {})");
    write("manifest.webmanifest", "{\"name\":\"Switchboard\"}");
    write("icon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
    write("icon-192.png", "\x89PNG");
    write("favicon.ico", "ICO");
    write("licenses.json", "[]");
    write("robots.txt", "User-agent: *");
    write(".env", kDotSecret);
  }

  fs::path root() const { return dir_.path() / "dist"; }
  void write(const std::string& name, std::string_view content) const {
    dir_.write("dist/" + name, std::string(content));
  }

  static HttpRequest request(http::verb method, std::string_view path,
                             std::vector<std::pair<http::field, std::string>> fields = {}) {
    HttpRequest req{method, path, 11};
    for (auto& [field, value] : fields) req.set(field, value);
    return req;
  }
  HttpResponse get(std::string_view path,
                   std::vector<std::pair<http::field, std::string>> fields = {}) const {
    return web_.answer(request(http::verb::get, path, std::move(fields)), path);
  }

  // Refused: the same 404 as a missing file, and none of the secrets in it.
  void expectRefused(std::string_view path) const {
    SCOPED_TRACE(std::string(path));
    const HttpResponse res = get(path);
    EXPECT_EQ(res.result(), http::status::not_found);
    EXPECT_EQ(header(res, "Content-Type"), "application/problem+json");
    EXPECT_NE(res.body().find("/problems/not-found"), std::string::npos) << res.body();
    EXPECT_EQ(res.body().find(kSecret), std::string::npos);
    EXPECT_EQ(res.body().find(kDotSecret), std::string::npos);
    EXPECT_EQ(res.body().find(dir_.str()), std::string::npos) << res.body();
  }

  testing::TempDir dir_;
  WebFiles web_{dir_.path() / "dist"};
};

TEST_F(WebFilesTest, ContentTypesByExtension) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/", "text/html; charset=utf-8"},
      {"/index.html", "text/html; charset=utf-8"},
      {"/assets/index-4f2a9c1e.js", "text/javascript; charset=utf-8"},
      {"/assets/worker-1234abcd.mjs", "text/javascript; charset=utf-8"},
      {"/assets/index-7b1d0e33.css", "text/css; charset=utf-8"},
      {"/assets/index-4f2a9c1e.js.map", "application/json"},
      {"/licenses.json", "application/json"},
      {"/manifest.webmanifest", "application/manifest+json"},
      {"/icon.svg", "image/svg+xml"},
      {"/icon-192.png", "image/png"},
      {"/favicon.ico", "image/x-icon"},
      {"/assets/ring-0a1b2c3d.wav", "audio/wav"},
      {"/assets/inter-5e6f7a8b.woff2", "font/woff2"},
      {"/robots.txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [path, type] : cases) {
    SCOPED_TRACE(path);
    const HttpResponse res = get(path);
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(header(res, "Content-Type"), type);
    EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header(res, "Referrer-Policy"), "same-origin");
  }
  EXPECT_EQ(get("/assets/index-4f2a9c1e.js").body(), "console.log('app')");
  EXPECT_EQ(get("/").body(), kIndex);
}

TEST_F(WebFilesTest, HashedAssetsAreImmutableEverythingElseRevalidates) {
  for (const char* path : {"/assets/index-4f2a9c1e.js", "/assets/index-7b1d0e33.css",
                           "/assets/inter-5e6f7a8b.woff2"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(header(get(path), "Cache-Control"), "public, max-age=31536000, immutable");
  }
  for (const char* path : {"/", "/index.html", "/history", "/sw.js", "/manifest.webmanifest",
                           "/icon.svg", "/licenses.json"}) {
    SCOPED_TRACE(path);
    const HttpResponse res = get(path);
    EXPECT_EQ(header(res, "Cache-Control"), "no-cache");
    const std::string etag = header(res, "ETag");
    ASSERT_GE(etag.size(), 3u);
    EXPECT_EQ(etag.front(), '"') << "strong, not W/";
    EXPECT_EQ(etag.back(), '"');
  }
}

TEST_F(WebFilesTest, HtmlCarriesTheContentSecurityPolicy) {
  for (const char* path : {"/", "/history", "/icon.svg"}) {
    SCOPED_TRACE(path);
    const std::string csp = header(get(path), "Content-Security-Policy");
    EXPECT_EQ(csp, kWebContentSecurityPolicy);
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
    EXPECT_NE(csp.find("script-src 'self';"), std::string::npos);
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_NE(csp.find("connect-src 'self' ws: wss:"), std::string::npos);
  }
  EXPECT_EQ(header(get("/assets/index-4f2a9c1e.js"), "Content-Security-Policy"), "<absent>");
}

TEST_F(WebFilesTest, IfNoneMatchWithTheETagIs304) {
  for (const char* path : {"/", "/sw.js", "/history"}) {
    SCOPED_TRACE(path);
    const std::string etag = header(get(path), "ETag");
    for (const std::string& value : {etag, "W/" + etag, "\"nope\", " + etag, std::string("*")}) {
      SCOPED_TRACE(value);
      const HttpResponse res = get(path, {{http::field::if_none_match, value}});
      EXPECT_EQ(res.result(), http::status::not_modified);
      EXPECT_EQ(header(res, "ETag"), etag);
      EXPECT_EQ(header(res, "Cache-Control"), "no-cache");
      EXPECT_TRUE(res.body().empty());
    }
    const HttpResponse other = get(path, {{http::field::if_none_match, "\"nope\""}});
    EXPECT_EQ(other.result(), http::status::ok);
    EXPECT_EQ(other.body(), path == std::string("/sw.js")
                                ? "self.addEventListener('fetch', () => {})"
                                : std::string(kIndex));
  }
}

TEST_F(WebFilesTest, ChangedFileGetsANewETag) {
  const std::string before = header(get("/sw.js"), "ETag");
  write("sw.js", "self.addEventListener('install', () => {})");
  const HttpResponse res = get("/sw.js", {{http::field::if_none_match, before}});
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_NE(header(res, "ETag"), before);
}

TEST_F(WebFilesTest, PrecompressedSiblingsByAcceptEncoding) {
  struct Case {
    std::string accept_encoding;  // "<absent>": no header
    std::string body;
    std::string encoding;
  };
  const std::string plain = "console.log('app')";
  const std::vector<Case> cases = {
      {"<absent>", plain, "<absent>"},
      {"", plain, "<absent>"},
      {"identity", plain, "<absent>"},
      {"gzip, deflate, br", "BROTLI-BYTES", "br"},
      {"gzip", "GZIP-BYTES", "gzip"},
      {"br;q=0, gzip", "GZIP-BYTES", "gzip"},
      {"br;q=0", plain, "<absent>"},
      {"gzip;q=0, br;q=0", plain, "<absent>"},
      {"gzip;q=0.9, br;q=0.8", "GZIP-BYTES", "gzip"},
      {"*", "BROTLI-BYTES", "br"},
      {"*;q=0", plain, "<absent>"},
      {"*, br;q=0", "GZIP-BYTES", "gzip"},
      {"BR", "BROTLI-BYTES", "br"},
      {"br;q=2", plain, "<absent>"},  // malformed q: the element is ignored
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.accept_encoding);
    std::vector<std::pair<http::field, std::string>> fields;
    if (c.accept_encoding != "<absent>")
      fields.emplace_back(http::field::accept_encoding, c.accept_encoding);
    const HttpResponse res = get("/assets/index-4f2a9c1e.js", fields);
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res.body(), c.body);
    EXPECT_EQ(header(res, "Content-Encoding"), c.encoding);
    EXPECT_EQ(header(res, "Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(header(res, "Vary"), "Accept-Encoding");
    EXPECT_EQ(header(res, "Cache-Control"), "public, max-age=31536000, immutable");
  }
  // Only a .gz sibling: br is asked for first but gzip is what there is.
  const HttpResponse css =
      get("/assets/index-7b1d0e33.css", {{http::field::accept_encoding, "br, gzip"}});
  EXPECT_EQ(css.body(), "GZIP-CSS");
  EXPECT_EQ(header(css, "Content-Encoding"), "gzip");
  // No sibling at all.
  const HttpResponse index = get("/", {{http::field::accept_encoding, "br, gzip"}});
  EXPECT_EQ(index.body(), kIndex);
  EXPECT_EQ(header(index, "Content-Encoding"), "<absent>");
  EXPECT_EQ(header(index, "Vary"), "Accept-Encoding");
}

TEST_F(WebFilesTest, EachEncodingHasItsOwnETag) {
  const std::string plain = header(get("/assets/index-4f2a9c1e.js"), "ETag");
  const std::string br =
      header(get("/assets/index-4f2a9c1e.js", {{http::field::accept_encoding, "br"}}), "ETag");
  EXPECT_NE(plain, br);
  // The br tag does not validate the identity bytes.
  const HttpResponse res = get("/assets/index-4f2a9c1e.js", {{http::field::if_none_match, br}});
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "console.log('app')");
  const HttpResponse same = get("/assets/index-4f2a9c1e.js", {{http::field::accept_encoding, "br"},
                                                              {http::field::if_none_match, br}});
  EXPECT_EQ(same.result(), http::status::not_modified);
}

TEST_F(WebFilesTest, ClientRoutesGetIndexMissingFilesGet404) {
  for (const char* path : {"/history", "/calls/42", "/assets", "/settings/profile"}) {
    SCOPED_TRACE(path);
    const HttpResponse res = get(path);
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res.body(), kIndex);
    EXPECT_EQ(header(res, "Content-Type"), "text/html; charset=utf-8");
  }
  for (const char* path : {"/missing.js", "/assets/index-00000000.js", "/assets/nohash",
                           "/history/x.png", "/favicon.ico.br.gz"}) {
    SCOPED_TRACE(path);
    const HttpResponse res = get(path);
    EXPECT_EQ(res.result(), http::status::not_found);
    EXPECT_EQ(header(res, "Content-Type"), "application/problem+json");
    EXPECT_NE(res.body().find("/problems/not-found"), std::string::npos);
  }
}

TEST_F(WebFilesTest, TraversalAndOddPathsAreRefused) {
  // Symlinks that lead out of the root: a file and a directory.
  fs::create_symlink(dir_.path() / "secret.txt", root() / "link.txt");
  fs::create_directory_symlink(dir_.path(), root() / "escape");
  fs::create_directory_symlink(dir_.path(), root() / "escape-route");
  for (std::string_view path : {
           "/../secret.txt",
           "/%2e%2e/secret.txt",
           "/%2E%2E/secret.txt",
           "/%2e%2e/",
           "/%2e%2e",
           "/assets/..%2f..%2fsecret.txt",
           "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
           "/..%2fsecret.txt",
           "/..%5csecret.txt",
           "/..\\secret.txt",
           "/assets\\..\\..\\secret.txt",
           "/./index.html",
           "//secret.txt",
           "/assets//index-4f2a9c1e.js",
           "/history/",
           "/.env",
           "/%2eenv",
           "/index.html%00.js",
           "/index.html%00",
           "/secret%0a.txt",
           "/link.txt",
           "/escape/secret.txt",
           "/escape/dist/.env",
           "/%zz",
           "",
           "secret.txt",
       }) {
    expectRefused(path);
  }
  // A raw NUL inside the path.
  expectRefused(std::string_view("/index.html\0.js", 15));
  // A directory symlink leading out is refused as a file; with no extension it is just a
  // client route and gets index.html, never the directory.
  const HttpResponse dir = get("/escape-route");
  EXPECT_EQ(dir.body(), kIndex);
  // Decoded once only: %252e is the literal name "%2e", which does not exist.
  expectRefused("/%252e%252e/secret.txt");
}

TEST_F(WebFilesTest, SymlinksInsideTheRootAreFine) {
  fs::create_symlink(root() / "robots.txt", root() / "robots-alias.txt");
  const HttpResponse res = get("/robots-alias.txt");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "User-agent: *");
  // A compressed sibling that points out of the root is ignored.
  write("licenses.json", "[1]");
  fs::create_symlink(dir_.path() / "secret.txt", root() / "licenses.json.br");
  const HttpResponse json = get("/licenses.json", {{http::field::accept_encoding, "br"}});
  EXPECT_EQ(json.body(), "[1]");
  EXPECT_EQ(header(json, "Content-Encoding"), "<absent>");
}

TEST_F(WebFilesTest, TheRootMayBeASymlink) {
  fs::create_directory_symlink(root(), dir_.path() / "current");
  const WebFiles web(dir_.path() / "current");
  EXPECT_TRUE(web.built());
  const HttpRequest req = request(http::verb::get, "/assets/index-4f2a9c1e.js");
  EXPECT_EQ(web.answer(req, "/assets/index-4f2a9c1e.js").body(), "console.log('app')");
  const HttpRequest up = request(http::verb::get, "/../secret.txt");
  EXPECT_EQ(web.answer(up, "/../secret.txt").result(), http::status::not_found);
}

TEST_F(WebFilesTest, OnlyGetAndHead) {
  const HttpResponse head = web_.answer(request(http::verb::head, "/sw.js"), "/sw.js");
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(header(head, "Content-Length"), "40");
  EXPECT_EQ(header(head, "Cache-Control"), "no-cache");
  for (http::verb method : {http::verb::post, http::verb::put, http::verb::delete_,
                            http::verb::options, http::verb::patch}) {
    SCOPED_TRACE(std::string(http::to_string(method)));
    const HttpResponse res = web_.answer(request(method, "/history"), "/history");
    EXPECT_EQ(res.result(), http::status::method_not_allowed);
    EXPECT_EQ(header(res, "Allow"), "GET, HEAD");
    EXPECT_EQ(header(res, "Content-Type"), "application/problem+json");
  }
}

TEST_F(WebFilesTest, RangesWork) {
  const HttpResponse res = get("/robots.txt", {{http::field::range, "bytes=0-3"}});
  EXPECT_EQ(res.result(), http::status::partial_content);
  EXPECT_EQ(res.body(), "User");
}

TEST(WebFilesNotBuiltTest, WithoutIndexEveryPathSaysSo) {
  testing::TempDir dir;
  dir.write("empty/assets/index-4f2a9c1e.js", "console.log('app')");
  fs::create_directories(dir.path() / "index-is-a-dir/index.html");
  for (const fs::path& root :
       {dir.path() / "missing", dir.path() / "empty", dir.path() / "index-is-a-dir"}) {
    SCOPED_TRACE(root.string());
    const WebFiles web(root);
    EXPECT_FALSE(web.built());
    for (const char* path : {"/", "/history", "/assets/index-4f2a9c1e.js"}) {
      SCOPED_TRACE(path);
      const HttpResponse res = web.answer(HttpRequest{http::verb::get, path, 11}, path);
      EXPECT_EQ(res.result(), http::status::not_found);
      EXPECT_EQ(header(res, "Content-Type"), "application/problem+json");
      EXPECT_NE(res.body().find("/problems/web-app-not-built"), std::string::npos) << res.body();
      EXPECT_NE(res.body().find("make"), std::string::npos) << res.body();
      EXPECT_EQ(res.body().find(dir.str()), std::string::npos) << "no path leaks";
    }
  }
  // Built later, served at once.
  dir.write("empty/index.html", "<!doctype html>");
  const WebFiles web(dir.path() / "empty");
  EXPECT_TRUE(web.built());
  EXPECT_EQ(web.answer(HttpRequest{http::verb::get, "/", 11}, "/").result(), http::status::ok);
}

TEST(AcceptedCodingsTest, ParsesQValues) {
  using C = ContentCoding;
  using V = std::vector<ContentCoding>;
  EXPECT_EQ(acceptedCodings(""), V{});
  EXPECT_EQ(acceptedCodings("identity"), V{});
  EXPECT_EQ(acceptedCodings("br"), (V{C::kBrotli}));
  EXPECT_EQ(acceptedCodings("gzip"), (V{C::kGzip}));
  EXPECT_EQ(acceptedCodings("x-gzip"), (V{C::kGzip}));
  EXPECT_EQ(acceptedCodings("gzip, br"), (V{C::kBrotli, C::kGzip}));
  EXPECT_EQ(acceptedCodings("gzip, deflate, br, zstd"), (V{C::kBrotli, C::kGzip}));
  EXPECT_EQ(acceptedCodings("br;q=0.5, gzip"), (V{C::kGzip, C::kBrotli}));
  EXPECT_EQ(acceptedCodings("br;q=0.500, gzip;q=0.5"), (V{C::kBrotli, C::kGzip}));
  EXPECT_EQ(acceptedCodings("br ; q=0.001 ,gzip;q=0"), (V{C::kBrotli}));
  EXPECT_EQ(acceptedCodings("BR;Q=1.000"), (V{C::kBrotli}));
  EXPECT_EQ(acceptedCodings("br;q=0"), V{});
  EXPECT_EQ(acceptedCodings("br;q=0.0"), V{});
  EXPECT_EQ(acceptedCodings("br;q=0.000, gzip;q=0.000"), V{});
  EXPECT_EQ(acceptedCodings("*"), (V{C::kBrotli, C::kGzip}));
  EXPECT_EQ(acceptedCodings("*;q=0"), V{});
  EXPECT_EQ(acceptedCodings("*;q=0.2, gzip"), (V{C::kGzip, C::kBrotli}));
  EXPECT_EQ(acceptedCodings("gzip;q=0, *"), (V{C::kBrotli}));
  EXPECT_EQ(acceptedCodings("br;q=1., gzip;q=0.9"), (V{C::kBrotli, C::kGzip}));
  // Malformed q-values drop their element: not a reason to accept it.
  for (const char* bad : {"br;q=1.5", "br;q=2", "br;q=-1", "br;q=0.0001", "br;q=", "br;q=abc",
                          "br;q = 0.5", "br;q=.5", "br;q=1.001"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(acceptedCodings(bad), V{});
  }
  // Other parameters are ignored; the first mention of a coding counts.
  EXPECT_EQ(acceptedCodings("br;level=5"), (V{C::kBrotli}));
  EXPECT_EQ(acceptedCodings("br;q=0, br"), V{});
  EXPECT_EQ(acceptedCodings(" , ,br,,"), (V{C::kBrotli}));
  EXPECT_EQ(acceptedCodings("brotli, gzipped"), V{});
}

}  // namespace
}  // namespace sb::api
