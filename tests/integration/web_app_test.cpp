// The agent web app's files at `/` of the real server, same origin as the API, which
// keeps every one of its paths.
#include <filesystem>

#include "harness.hpp"

namespace sb::testing {
namespace {

constexpr const char* kIndex = "<!doctype html><title>Switchboard</title><div id=app></div>";
constexpr const char* kApp = "import('/assets/history-9c8b7a6d.js')";
constexpr const char* kSecret = "SECRET-NEXT-TO-THE-WEB-ROOT";

// A web root with what Vite writes, and a secret beside it.
class WebAppTest : public ServerTest {
 protected:
  void SetUp() override {
    dir_.write("secret.txt", kSecret);
    dir_.write("web/index.html", kIndex);
    dir_.write("web/assets/index-4f2a9c1e.js", kApp);
    dir_.write("web/assets/index-4f2a9c1e.js.br", "BROTLI");
    dir_.write("web/assets/index-4f2a9c1e.js.gz", "GZIP");
    dir_.write("web/assets/index-7b1d0e33.css", "body{margin:0}");
    dir_.write("web/sw.js", "self.addEventListener('fetch', () => {})");
    dir_.write("web/manifest.webmanifest", "{\"name\":\"Switchboard\"}");
    std::filesystem::create_symlink(dir_.path() / "secret.txt", dir_.path() / "web/secret.txt");
    ServerTest::SetUp();
  }
  std::vector<std::string> serverArgs() const override {
    return {"--web-root", (dir_.path() / "web").string()};
  }

  Response fetch(const std::string& target, Headers headers = {}) {
    return http().request(http::verb::get, target, "", std::move(headers));
  }
};

TEST_F(WebAppTest, ServesTheAppAtTheRootWithItsHeaders) {
  auto r = fetch("/");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.body, kIndex);
  EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.header("cache-control"), "no-cache");
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.header("referrer-policy"), "same-origin");
  const std::string csp = r.header("content-security-policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_FALSE(r.header("etag").empty());

  auto js = fetch("/assets/index-4f2a9c1e.js");
  ASSERT_EQ(js.status, 200u);
  EXPECT_EQ(js.body, kApp);
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(js.header("content-security-policy"), "");

  auto manifest = fetch("/manifest.webmanifest");
  EXPECT_EQ(manifest.header("content-type"), "application/manifest+json");
  EXPECT_EQ(manifest.header("cache-control"), "no-cache");
  EXPECT_EQ(fetch("/sw.js").header("cache-control"), "no-cache");

  auto head = http().request(http::verb::head, "/sw.js");
  EXPECT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("content-length"), "40");
  EXPECT_TRUE(head.body.empty());
}

TEST_F(WebAppTest, RevalidationAnswers304) {
  auto first = fetch("/");
  const std::string etag = first.header("etag");
  ASSERT_FALSE(etag.empty());
  auto again = fetch("/", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304u);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("etag"), etag);
  EXPECT_EQ(again.header("cache-control"), "no-cache");
  // Still usable afterwards (no stray body on the kept connection).
  EXPECT_EQ(fetch("/healthz").status, 200u);

  dir_.write("web/index.html", std::string(kIndex) + "<!-- v2 -->");
  auto changed = fetch("/", {{"If-None-Match", etag}});
  EXPECT_EQ(changed.status, 200u);
  EXPECT_NE(changed.header("etag"), etag);
}

TEST_F(WebAppTest, PrecompressedFilesByAcceptEncoding) {
  auto br = fetch("/assets/index-4f2a9c1e.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(br.body, "BROTLI");
  EXPECT_EQ(br.header("content-encoding"), "br");
  EXPECT_EQ(br.header("vary"), "Accept-Encoding");
  EXPECT_EQ(br.header("content-type"), "text/javascript; charset=utf-8");
  auto gzip = fetch("/assets/index-4f2a9c1e.js", {{"Accept-Encoding", "br;q=0, gzip;q=0.8"}});
  EXPECT_EQ(gzip.body, "GZIP");
  EXPECT_EQ(gzip.header("content-encoding"), "gzip");
  auto plain = fetch("/assets/index-4f2a9c1e.js", {{"Accept-Encoding", "br;q=0"}});
  EXPECT_EQ(plain.body, kApp);
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_EQ(fetch("/assets/index-4f2a9c1e.js").body, kApp);
}

TEST_F(WebAppTest, ClientRoutesGetTheAppMissingFilesA404) {
  for (const char* path : {"/history", "/calls/42", "/history?from=2024-01-01"}) {
    SCOPED_TRACE(path);
    auto r = fetch(path);
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, kIndex);
  }
  for (const char* path : {"/missing.js", "/assets/index-00000000.js", "/assets/gone"}) {
    SCOPED_TRACE(path);
    auto r = fetch(path);
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    EXPECT_EQ(problemType(r.body), "/problems/not-found");
  }
  auto post = http().request(http::verb::post, "/history", "{}", jsonHeaders());
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.header("allow"), "GET, HEAD");
}

TEST_F(WebAppTest, TraversalIsRefusedWithoutLeaking) {
  for (const char* path :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/%2e%2e/", "/assets/..%2f..%2fsecret.txt",
        "/assets/%2E%2E%2F%2E%2E%2Fsecret.txt", "/..%5csecret.txt", "/index.html%00.js", "/%00",
        "/secret.txt", "/.%2e/secret.txt", "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd"}) {
    SCOPED_TRACE(path);
    auto r = fetch(path);
    EXPECT_TRUE(r.status == 404u || r.status == 400u) << r.status;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    EXPECT_EQ(r.body.find(kSecret), std::string::npos);
    EXPECT_EQ(r.body.find("root:"), std::string::npos);
  }
  // Raw bytes the HTTP client would not send: a backslash and a literal NUL.
  for (std::string_view target :
       {std::string_view("/..\\secret.txt"), std::string_view("/a\0b.js", 7)}) {
    std::string request = "GET ";
    request.append(target);
    request += " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    auto reply = rawExchange("127.0.0.1", server_->httpPort(), request, std::chrono::seconds{5});
    SCOPED_TRACE(reply);
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 404") || reply.starts_with("HTTP/1.1 400"));
    EXPECT_EQ(reply.find(kSecret), std::string::npos);
  }
}

TEST_F(WebAppTest, TheApiKeepsItsPaths) {
  EXPECT_EQ(fetch("/healthz").status, 200u);
  auto me = fetch("/api/v1/me");
  EXPECT_EQ(me.status, 401u);
  for (const char* path :
       {"/api/v1/nothing-here", "/api/v1/", "/api", "/api/index.html", "/healthz/x"}) {
    SCOPED_TRACE(path);
    auto r = fetch(path);
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(problemType(r.body), "/problems/not-found");
    EXPECT_EQ(r.body.find(kIndex), std::string::npos);
  }
  auto sip = fetch("/sip");
  EXPECT_EQ(sip.status, 426u);
  EXPECT_EQ(http().request(http::verb::post, "/api/v1/nothing", "{}", jsonHeaders()).status, 404u);
  EXPECT_EQ(http().request(http::verb::delete_, "/api/v1/me").status, 405u);
  auto token = login("Acme", "bob", kAcmeAgentPassword);
  EXPECT_EQ(get("/api/v1/me", token).status, 200u);
  // Metrics label the files by pattern, never by raw path.
  EXPECT_EQ(fetch("/history").status, 200u);
  const std::string metrics = fetch("/metrics").body;
  EXPECT_NE(metrics.find("route=\"/{file...}\""), std::string::npos);
  EXPECT_EQ(metrics.find("route=\"/history\""), std::string::npos);
}

class WebAppNotBuiltTest : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    std::filesystem::create_directories(dir_.path() / "empty-web");
    return {"--web-root", (dir_.path() / "empty-web").string()};
  }
};

TEST_F(WebAppNotBuiltTest, RootSaysSoWhileTheApiWorks) {
  auto r = get("/");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(problemType(r.body), "/problems/web-app-not-built");
  EXPECT_NE(r.body.find("make"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(dir_.str()), std::string::npos) << "no server path in the answer";
  EXPECT_EQ(problemType(get("/history").body), "/problems/web-app-not-built");
  EXPECT_EQ(get("/healthz").status, 200u);
  EXPECT_EQ(get("/api/v1/me").status, 401u);
  EXPECT_NE(server_->errorOutput().find("web app not built"), std::string::npos);

  // Built while the server runs: served from the next request on.
  dir_.write("empty-web/index.html", kIndex);
  auto built = get("/");
  EXPECT_EQ(built.status, 200u);
  EXPECT_EQ(built.body, kIndex);
}

}  // namespace
}  // namespace sb::testing
