// A request path and an Accept-Encoding value (untrusted, any bytes) against a small web
// root with a secret beside it and symlinks leading out: the answer is never the secret
// nor a file outside the root, and the Accept-Encoding parser never crashes or repeats.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "api/web_files.hpp"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSecret = "SECRET-BESIDE-THE-ROOT";

void fail(const char* what) {
  std::fprintf(stderr, "web_files fuzz: %s\n", what);
  std::abort();
}

void write(const fs::path& file, std::string_view content) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

fs::path& siteDir() {
  static fs::path dir;
  return dir;
}

// Built once per process and removed at exit.
const sb::api::WebFiles& web() {
  static const sb::api::WebFiles files = [] {
    std::string tmpl = (fs::temp_directory_path() / "sb-fuzz-web-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) fail("mkdtemp");
    siteDir() = tmpl;
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(siteDir(), ec);
    });
    const fs::path root = siteDir() / "dist";
    write(siteDir() / "secret.txt", kSecret);
    write(root / "index.html", "<!doctype html>");
    write(root / "assets/index-1.js", "js");
    write(root / "assets/index-1.js.br", "br");
    write(root / "assets/index-1.js.gz", "gz");
    write(root / ".env", kSecret);
    fs::create_symlink(siteDir() / "secret.txt", root / "link.txt");
    fs::create_symlink(siteDir() / "secret.txt", root / "assets/index-1.css.br");
    write(root / "assets/index-1.css", "css");
    fs::create_directory_symlink(siteDir(), root / "escape");
    return sb::api::WebFiles(root);
  }();
  return files;
}

}  // namespace

// Input: the path up to the first '\n', then the Accept-Encoding value.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace http = sb::api::http;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view path = input.substr(0, newline);
  const std::string_view accept =
      newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

  const auto codings = sb::api::acceptedCodings(accept);
  if (codings.size() > 2) fail("more codings than br and gzip");
  if (codings.size() == 2 && codings[0] == codings[1]) fail("a coding twice");
  if (sb::api::acceptedCodings(accept) != codings) fail("not deterministic");

  sb::api::HttpRequest req{http::verb::get, "/", 11};
  if (newline != std::string_view::npos) {
    // Beast refuses header values with CR, LF or NUL; the server never sees those.
    if (accept.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) return 0;
    req.set(http::field::accept_encoding, accept);
  }
  const sb::api::HttpResponse res = web().answer(req, path);
  const std::string& body = res.body();
  if (body.find(kSecret) != std::string::npos) fail("served the secret");
  if (res.result() == http::status::ok) {
    if (body != "<!doctype html>" && body != "js" && body != "br" && body != "gz" &&
        body != "css") {
      fail("served something that is not a file of the root");
    }
  } else if (res.result() != http::status::not_found) {
    fail("neither 200 nor 404 for a plain GET");
  }
  return 0;
}
