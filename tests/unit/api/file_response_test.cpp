#include "api/file_response.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>

#include "support/temp_dir.hpp"

namespace sb::api {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;

std::string header(const HttpResponse& res, http::field f) {
  auto it = res.find(f);
  return it == res.end() ? std::string("<absent>") : std::string(it->value());
}

std::string header(const HttpResponse& res, std::string_view name) {
  auto it = res.find(name);
  return it == res.end() ? std::string("<absent>") : std::string(it->value());
}

class FileResponseTest : public ::testing::Test {
 protected:
  HttpRequest get(std::string range = {}, std::string if_range = {}) const {
    HttpRequest req{http::verb::get, "/api/v1/calls/1/recording", 11};
    if (!range.empty()) req.set(http::field::range, range);
    if (!if_range.empty()) req.set(http::field::if_range, if_range);
    return req;
  }

  HttpResponse answer(const HttpRequest& req, const fs::path& file) const {
    auto res = fileResponse(req, file, "audio/wav");
    EXPECT_TRUE(res.ok()) << (res.ok() ? "" : res.error().message);
    return res.ok() ? std::move(*res) : HttpResponse{};
  }

  // Sets the file's mtime an hour back, so that its Last-Modified is a strong validator.
  static void age(const fs::path& file) {
    fs::last_write_time(file, fs::file_time_type::clock::now() - std::chrono::hours(1));
  }

  testing::TempDir dir_;
  const std::string content_ = "0123456789abcdefghijklmnopqrstuvwxyz";  // 36 bytes
  fs::path file_ = dir_.write("call.wav", content_);
};

TEST_F(FileResponseTest, WholeFileIs200WithEveryHeader) {
  HttpResponse res = answer(get(), file_);
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), content_);
  EXPECT_EQ(header(res, http::field::content_length), "36");
  EXPECT_EQ(header(res, http::field::content_type), "audio/wav");
  EXPECT_EQ(header(res, http::field::accept_ranges), "bytes");
  EXPECT_EQ(header(res, http::field::cache_control), "private, no-store");
  EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(res, http::field::content_range), "<absent>");
  const std::string etag = header(res, http::field::etag);
  ASSERT_GE(etag.size(), 2u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  const std::string last_modified = header(res, http::field::last_modified);
  EXPECT_EQ(last_modified.size(), 29u) << last_modified;  // IMF-fixdate
  EXPECT_TRUE(last_modified.ends_with(" GMT")) << last_modified;
}

TEST_F(FileResponseTest, LastModifiedIsTheMtimeInImfFixdate) {
  // 1994-11-06T08:49:37Z, RFC 9110's own example.
  fs::last_write_time(file_, fs::file_time_type::clock::from_sys(
                                 std::chrono::sys_seconds{std::chrono::seconds{784111777}}));
  EXPECT_EQ(header(answer(get(), file_), http::field::last_modified),
            "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST_F(FileResponseTest, RangesAtStartMiddleAndEndAre206) {
  struct Expect {
    std::string range;
    std::string body;
    std::string content_range;
  };
  for (const Expect& e : {Expect{"bytes=0-4", "01234", "bytes 0-4/36"},
                          Expect{"bytes=10-15", "abcdef", "bytes 10-15/36"},
                          Expect{"bytes=30-35", "uvwxyz", "bytes 30-35/36"},
                          Expect{"bytes=30-", "uvwxyz", "bytes 30-35/36"},
                          Expect{"bytes=30-1000", "uvwxyz", "bytes 30-35/36"},
                          Expect{"bytes=-3", "xyz", "bytes 33-35/36"},
                          Expect{"bytes=-100", content_, "bytes 0-35/36"},
                          Expect{"bytes=0-", content_, "bytes 0-35/36"}}) {
    SCOPED_TRACE(e.range);
    HttpResponse res = answer(get(e.range), file_);
    EXPECT_EQ(res.result(), http::status::partial_content);
    EXPECT_EQ(res.body(), e.body);
    EXPECT_EQ(header(res, http::field::content_range), e.content_range);
    EXPECT_EQ(header(res, http::field::content_length), std::to_string(e.body.size()));
    EXPECT_EQ(header(res, http::field::content_type), "audio/wav");
    EXPECT_EQ(header(res, http::field::accept_ranges), "bytes");
    EXPECT_EQ(header(res, http::field::cache_control), "private, no-store");
  }
}

TEST_F(FileResponseTest, DisjointRangesGetTheWholeFile) {
  HttpResponse res = answer(get("bytes=0-1,5-6"), file_);
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), content_);
}

TEST_F(FileResponseTest, InvalidRangeIsIgnored) {
  HttpResponse res = answer(get("bytes = 0-1"), file_);
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), content_);
}

TEST_F(FileResponseTest, UnsatisfiableRangeIs416WithTheSize) {
  HttpResponse res = answer(get("bytes=36-"), file_);
  EXPECT_EQ(res.result(), http::status::range_not_satisfiable);
  EXPECT_EQ(header(res, http::field::content_range), "bytes */36");
  EXPECT_EQ(header(res, http::field::content_type), "application/problem+json");
  EXPECT_NE(res.body().find("/problems/range-not-satisfiable"), std::string::npos) << res.body();
  EXPECT_EQ(header(res, http::field::content_length), std::to_string(res.body().size()));
  EXPECT_EQ(header(res, http::field::accept_ranges), "bytes");
  EXPECT_EQ(header(res, http::field::cache_control), "private, no-store");
}

TEST_F(FileResponseTest, IfNoneMatchWithOurETagIs304BeforeAnyRange) {
  const std::string etag = header(answer(get(), file_), http::field::etag);
  for (const std::string& value :
       {etag, "W/" + etag, "\"a\", " + etag, "\"a,b\"," + etag + ", \"c\"", std::string("*"),
        " " + etag + " "}) {
    SCOPED_TRACE(value);
    HttpRequest req = get("bytes=0-4");
    req.set(http::field::if_none_match, value);
    HttpResponse res = answer(req, file_);
    EXPECT_EQ(res.result(), http::status::not_modified);
    EXPECT_TRUE(res.body().empty());
    EXPECT_EQ(header(res, http::field::etag), etag);
    EXPECT_EQ(header(res, http::field::cache_control), "private, no-store");
    EXPECT_EQ(header(res, http::field::content_type), "<absent>");
  }
  HttpRequest head = get();
  head.method(http::verb::head);
  head.set(http::field::if_none_match, etag);
  EXPECT_EQ(answer(head, file_).result(), http::status::not_modified);
  // Another tag, a tag cut short, or garbage: the 200.
  for (const std::string& value :
       {std::string("\"other\""), etag.substr(0, etag.size() - 1), std::string("garbage"),
        std::string("\"a\" " + etag), std::string("")}) {
    SCOPED_TRACE(value);
    HttpRequest req = get();
    req.set(http::field::if_none_match, value);
    HttpResponse res = answer(req, file_);
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res.body(), content_);
  }
}

TEST_F(FileResponseTest, IfRangeWithOurETagKeepsTheRange) {
  const std::string etag = header(answer(get(), file_), http::field::etag);
  HttpResponse res = answer(get("bytes=0-4", etag), file_);
  EXPECT_EQ(res.result(), http::status::partial_content);
  EXPECT_EQ(res.body(), "01234");
}

TEST_F(FileResponseTest, IfRangeWithAnotherETagSendsTheWholeFile) {
  for (const std::string if_range : {"\"other\"", "W/\"other\"", "garbage", ""}) {
    SCOPED_TRACE(if_range);
    HttpRequest req = get("bytes=0-4");
    req.set(http::field::if_range, if_range);
    HttpResponse res = answer(req, file_);
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res.body(), content_);
  }
}

TEST_F(FileResponseTest, IfRangeWithOurETagMarkedWeakNeverMatches) {
  const std::string etag = header(answer(get(), file_), http::field::etag);
  HttpResponse res = answer(get("bytes=0-4", "W/" + etag), file_);
  EXPECT_EQ(res.result(), http::status::ok);
}

TEST_F(FileResponseTest, IfRangeWithAStaleETagAfterTheFileChangedSendsTheWholeFile) {
  const std::string etag = header(answer(get(), file_), http::field::etag);
  dir_.write("call.wav", content_ + "more");
  HttpResponse res = answer(get("bytes=0-4", etag), file_);
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), content_ + "more");
  EXPECT_NE(header(res, http::field::etag), etag);
}

TEST_F(FileResponseTest, ETagIsStableWhileTheFileIsUnchanged) {
  EXPECT_EQ(header(answer(get(), file_), http::field::etag),
            header(answer(get("bytes=0-1"), file_), http::field::etag));
}

TEST_F(FileResponseTest, IfRangeWithTheLastModifiedDateOfAnOldFileKeepsTheRange) {
  age(file_);
  const std::string date = header(answer(get(), file_), http::field::last_modified);
  HttpResponse res = answer(get("bytes=5-9", date), file_);
  EXPECT_EQ(res.result(), http::status::partial_content);
  EXPECT_EQ(res.body(), "56789");
}

TEST_F(FileResponseTest, IfRangeWithAnotherDateSendsTheWholeFile) {
  age(file_);
  HttpResponse res = answer(get("bytes=5-9", "Sun, 06 Nov 1994 08:49:37 GMT"), file_);
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), content_);
}

TEST_F(FileResponseTest, IfRangeDateOfAFileChangedWithinTheSecondIsWeakAndIgnored) {
  // Just written: it may change again within the second its Last-Modified names.
  const std::string date = header(answer(get(), file_), http::field::last_modified);
  HttpResponse res = answer(get("bytes=5-9", date), file_);
  EXPECT_EQ(res.result(), http::status::ok);
}

TEST_F(FileResponseTest, IfRangeWithoutRangeIsA200) {
  HttpRequest req = get();
  req.set(http::field::if_range, header(answer(get(), file_), http::field::etag));
  EXPECT_EQ(answer(req, file_).result(), http::status::ok);
}

TEST_F(FileResponseTest, HeadHasTheGetLengthAndNoBody) {
  HttpRequest req = get();
  req.method(http::verb::head);
  HttpResponse res = answer(req, file_);
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_TRUE(res.body().empty());
  EXPECT_EQ(header(res, http::field::content_length), "36");
  EXPECT_EQ(header(res, http::field::content_type), "audio/wav");
  EXPECT_EQ(header(res, http::field::accept_ranges), "bytes");
  EXPECT_EQ(header(res, http::field::etag), header(answer(get(), file_), http::field::etag));
}

TEST_F(FileResponseTest, HeadIgnoresRangeAsOnlyGetHasRangeSemantics) {
  HttpRequest req = get("bytes=0-4");
  req.method(http::verb::head);
  HttpResponse res = answer(req, file_);
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(header(res, http::field::content_length), "36");
  EXPECT_EQ(header(res, http::field::content_range), "<absent>");
}

TEST_F(FileResponseTest, KeepsTheRequestVersion) {
  HttpRequest req = get("bytes=0-1");
  req.version(10);
  EXPECT_EQ(answer(req, file_).version(), 10u);
}

TEST_F(FileResponseTest, MissingFileIsNotFound) {
  auto res = fileResponse(get(), dir_.path() / "nope.wav", "audio/wav");
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(res.error().message.find(dir_.str()), std::string::npos);
  auto under_file = fileResponse(get(), file_ / "x.wav", "audio/wav");
  ASSERT_FALSE(under_file.ok());
  EXPECT_EQ(under_file.error().code, ErrorCode::kNotFound);
}

TEST_F(FileResponseTest, DirectoryIsNotFound) {
  auto res = fileResponse(get(), dir_.path(), "audio/wav");
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kNotFound);
}

TEST_F(FileResponseTest, UnreadableFileIsUnavailable) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  ASSERT_EQ(::chmod(file_.c_str(), 0), 0);
  auto res = fileResponse(get(), file_, "audio/wav");
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(res.error().message.find(dir_.str()), std::string::npos) << res.error().message;
}

TEST_F(FileResponseTest, EmptyFile) {
  const fs::path empty = dir_.write("empty.wav", "");
  HttpResponse whole = answer(get(), empty);
  EXPECT_EQ(whole.result(), http::status::ok);
  EXPECT_EQ(header(whole, http::field::content_length), "0");
  EXPECT_TRUE(whole.body().empty());

  for (const char* range : {"bytes=0-", "bytes=0-0", "bytes=-0"}) {
    SCOPED_TRACE(range);
    HttpResponse res = answer(get(range), empty);
    EXPECT_EQ(res.result(), http::status::range_not_satisfiable);
    EXPECT_EQ(header(res, http::field::content_range), "bytes */0");
  }
  // A non-zero suffix is satisfiable (RFC 9110 §14.1.3) but selects nothing: a 200.
  HttpResponse suffix = answer(get("bytes=-10"), empty);
  EXPECT_EQ(suffix.result(), http::status::ok);
  EXPECT_EQ(header(suffix, http::field::content_length), "0");
}

TEST_F(FileResponseTest, RandomRangesOfAMegabyteMatchTheFile) {
  std::mt19937_64 rng(20240607);
  std::string bytes(1 << 20, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  const fs::path big = dir_.write("big.wav", bytes);
  const auto size = static_cast<std::uint64_t>(bytes.size());
  std::uniform_int_distribution<std::uint64_t> pos(0, size - 1);
  for (int i = 0; i < 50; ++i) {
    std::uint64_t a = pos(rng), b = pos(rng);
    if (a > b) std::swap(a, b);
    std::string range = "bytes=" + std::to_string(a) + "-" + std::to_string(b);
    std::uint64_t first = a, last = b;
    if (i % 5 == 3) {  // every fifth a suffix
      const std::uint64_t n = b - a + 1;
      range = "bytes=-" + std::to_string(n);
      first = size - n;
      last = size - 1;
    } else if (i % 5 == 4) {  // and every fifth open-ended
      range = "bytes=" + std::to_string(a) + "-";
      last = size - 1;
    }
    SCOPED_TRACE(range);
    HttpResponse res = answer(get(range), big);
    ASSERT_EQ(res.result(), http::status::partial_content);
    EXPECT_EQ(
        header(res, http::field::content_range),
        "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size));
    ASSERT_EQ(res.body().size(), last - first + 1);
    EXPECT_TRUE(res.body() == bytes.substr(first, last - first + 1));
  }
}

TEST_F(FileResponseTest, ARangeOfAHugeFileReadsOnlyItsSlice) {
  // Sparse: 2 GiB on paper, nothing on disk. Reading it whole would be refused.
  const fs::path huge = dir_.write("huge.wav", "RIFF");
  fs::resize_file(huge, std::uint64_t{2} << 30);
  HttpResponse res = answer(get("bytes=0-3"), huge);
  EXPECT_EQ(res.result(), http::status::partial_content);
  EXPECT_EQ(res.body(), "RIFF");
  EXPECT_EQ(header(res, http::field::content_range), "bytes 0-3/2147483648");

  HttpResponse tail = answer(get("bytes=-2"), huge);
  EXPECT_EQ(tail.body(), std::string(2, '\0'));
}

TEST_F(FileResponseTest, ABodyOverTheCapIsRefused) {
  const fs::path huge = dir_.write("huge.wav", "RIFF");
  fs::resize_file(huge, kMaxFileResponseBytes + 1);
  auto whole = fileResponse(get(), huge, "audio/wav");
  ASSERT_FALSE(whole.ok());
  EXPECT_EQ(whole.error().code, ErrorCode::kUnavailable);
  auto open_ended = fileResponse(get("bytes=0-"), huge, "audio/wav");
  ASSERT_FALSE(open_ended.ok());
  EXPECT_EQ(open_ended.error().code, ErrorCode::kUnavailable);
  // HEAD reads nothing but describes the 200 a GET would get, which is refused too.
  HttpRequest head = get();
  head.method(http::verb::head);
  auto described = fileResponse(head, huge, "audio/wav");
  ASSERT_FALSE(described.ok());
  EXPECT_EQ(described.error().code, ErrorCode::kUnavailable);
  // A range of it below the cap is served.
  HttpResponse slice = answer(get("bytes=-4"), huge);
  EXPECT_EQ(slice.result(), http::status::partial_content);
  EXPECT_EQ(slice.body().size(), 4u);
}

TEST(ContentTypeByExtensionTest, MapsKnownExtensions) {
  EXPECT_EQ(contentTypeByExtension("/r/1.wav"), "audio/wav");
  EXPECT_EQ(contentTypeByExtension("/r/1.WAV"), "audio/wav");
  EXPECT_EQ(contentTypeByExtension("/r/1.opus"), "audio/ogg");
  EXPECT_EQ(contentTypeByExtension("/r/1.ogg"), "audio/ogg");
  EXPECT_EQ(contentTypeByExtension("/r/1.mp3"), "audio/mpeg");
  EXPECT_EQ(contentTypeByExtension("/r/1.bin"), "application/octet-stream");
  EXPECT_EQ(contentTypeByExtension("/r/wav"), "application/octet-stream");
  EXPECT_EQ(contentTypeByExtension("/r/1.wav.bak"), "application/octet-stream");
  EXPECT_EQ(contentTypeByExtension("/r/1.js.br"), "application/octet-stream");
  // A built web app's files (web_files.hpp).
  EXPECT_EQ(contentTypeByExtension("/w/index.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(contentTypeByExtension("/w/a.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(contentTypeByExtension("/w/a.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(contentTypeByExtension("/w/a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(contentTypeByExtension("/w/a.json"), "application/json");
  EXPECT_EQ(contentTypeByExtension("/w/a.js.map"), "application/json");
  EXPECT_EQ(contentTypeByExtension("/w/manifest.webmanifest"), "application/manifest+json");
  EXPECT_EQ(contentTypeByExtension("/w/a.svg"), "image/svg+xml");
  EXPECT_EQ(contentTypeByExtension("/w/a.png"), "image/png");
  EXPECT_EQ(contentTypeByExtension("/w/favicon.ico"), "image/x-icon");
  EXPECT_EQ(contentTypeByExtension("/w/a.woff2"), "font/woff2");
  EXPECT_EQ(contentTypeByExtension("/w/a.txt"), "text/plain; charset=utf-8");
}

}  // namespace
}  // namespace sb::api
