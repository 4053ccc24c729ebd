#include "api/file_response.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <utility>

#include "api/byte_range.hpp"
#include "api/problem.hpp"

namespace sb::api {
namespace {

using core::ErrorCode;

// Closes the descriptor on every path out.
class FileHandle {
 public:
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// What the validators and the range decision need, taken from one fstat of the open
// file so that they describe the bytes we then read.
struct FileFacts {
  std::uint64_t size = 0;
  std::int64_t mtime_seconds = 0;
  std::string etag;
  std::string last_modified;
};

std::string hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

// IMF-fixdate (RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string imfFixdate(std::int64_t unix_seconds) {
  const auto seconds = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&seconds, &tm) == nullptr) return {};
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

FileFacts factsOf(const struct stat& st) {
  FileFacts f;
  f.size = static_cast<std::uint64_t>(st.st_size);
  f.mtime_seconds = static_cast<std::int64_t>(st.st_mtim.tv_sec);
  const auto mtime_ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000u +
                        static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
  // Strong: a finished recording is never rewritten in place, and any write changes the
  // mtime (ns) or size; the inode tells a replaced file (rename over it) from the old one.
  f.etag = "\"" + hex(f.size) + "-" + hex(mtime_ns) + "-" +
           hex(static_cast<std::uint64_t>(st.st_ino)) + "\"";
  f.last_modified = imfFixdate(f.mtime_seconds);
  return f;
}

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 §13.1.5. An entity tag matches by strong comparison (a weak one never does).
// A date matches when it equals Last-Modified and that date is a strong validator: the
// file has not changed during the last second, so it cannot have changed twice within
// the second the date names. IMF-fixdate is case-sensitive and fixed-width, so equal
// seconds mean equal strings; the obsolete date formats never match and fall back to a
// 200, which is always a correct answer.
bool ifRangeHolds(std::string_view value, const FileFacts& facts) {
  value = trimOws(value);
  if (value.empty()) return false;
  if (value.front() == '"' || value.starts_with("W/")) return value == facts.etag;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return value == facts.last_modified && facts.mtime_seconds + 1 <= now;
}

// RFC 9110 §13.1.2: true when the field lists our entity tag (weak comparison, so a
// W/ prefix on either side is ignored) or is "*". Tags are parsed one by one, since an
// opaque tag may itself hold a comma; a malformed list matches nothing (a 200 is always
// a correct answer).
bool ifNoneMatchHolds(std::string_view value, std::string_view etag) {
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  value = trimOws(value);
  if (value == "*") return true;
  auto isListSpace = [](char c) { return c == ',' || c == ' ' || c == '\t'; };
  while (true) {
    while (!value.empty() && isListSpace(value.front())) value.remove_prefix(1);
    if (value.empty()) return false;
    if (value.starts_with("W/")) value.remove_prefix(2);
    if (value.empty() || value.front() != '"') return false;
    const size_t close = value.find('"', 1);
    if (close == std::string_view::npos) return false;
    if (value.substr(0, close + 1) == etag) return true;
    value = trimOws(value.substr(close + 1));
    if (!value.empty() && value.front() != ',') return false;
  }
}

// Reads exactly `length` bytes at `offset`: one positioned read (repeated only for
// short reads), so a range never touches the rest of the file.
core::Result<std::string> readSlice(int fd, std::uint64_t offset, std::uint64_t length) {
  std::string out;
  out.resize(static_cast<std::size_t>(length));
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n =
        ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::makeError(ErrorCode::kUnavailable, std::string("The file could not be read: ") +
                                                          std::strerror(errno) + ".");
    }
    if (n == 0) {
      return core::makeError(ErrorCode::kUnavailable, "The file became shorter while it was read.");
    }
    done += static_cast<std::size_t>(n);
  }
  return out;
}

core::Error tooLarge(std::uint64_t length) {
  return core::makeError(ErrorCode::kUnavailable, "The content (" + std::to_string(length) +
                                                      " bytes) is larger than " +
                                                      std::to_string(kMaxFileResponseBytes) +
                                                      " bytes; request it in byte ranges.");
}

void setCommonHeaders(HttpResponse& res, const FileFacts& facts) {
  res.set(http::field::accept_ranges, "bytes");
  // Recordings are personal data (a customer's voice): no browser or shared cache may keep
  // a copy on disk, where it would outlive the session and any deletion of the recording.
  res.set(http::field::cache_control, "private, no-store");
  // Some files are named .wav but hold other bytes: a browser must not sniff them into
  // something it would render or run.
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::etag, facts.etag);
  if (!facts.last_modified.empty()) res.set(http::field::last_modified, facts.last_modified);
}

}  // namespace

std::string_view contentTypeByExtension(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  // Text types name their charset: Vite writes UTF-8, and a browser guessing otherwise
  // would garble every non-ASCII label of the app.
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".wav", "audio/wav"},
      {".opus", "audio/ogg"},
      {".ogg", "audio/ogg"},
      {".mp3", "audio/mpeg"},
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".wasm", "application/wasm"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (ext == extension) return type;
  }
  return "application/octet-stream";
}

core::Result<HttpResponse> fileResponse(const HttpRequest& req, const std::filesystem::path& file,
                                        std::string_view content_type) {
  FileHandle fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return core::makeError(ErrorCode::kNotFound, "The file does not exist.");
    }
    return core::makeError(ErrorCode::kUnavailable, std::string("The file could not be opened: ") +
                                                        std::strerror(errno) + ".");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return core::makeError(
        ErrorCode::kUnavailable,
        std::string("The file could not be examined: ") + std::strerror(errno) + ".");
  }
  if (!S_ISREG(st.st_mode))
    return core::makeError(ErrorCode::kNotFound, "The file does not exist.");
  const FileFacts facts = factsOf(st);

  // §13.2.2: If-None-Match is evaluated before Range; a match on GET or HEAD is a 304
  // carrying the validators and cache headers the 200 would have had.
  if (auto inm = req.find(http::field::if_none_match);
      inm != req.end() && ifNoneMatchHolds(inm->value(), facts.etag)) {
    HttpResponse res{http::status::not_modified, req.version()};
    setCommonHeaders(res, facts);
    return res;
  }

  RangeSelection selection;
  if (req.method() == http::verb::get) {
    if (auto range = req.find(http::field::range); range != req.end()) {
      const auto if_range = req.find(http::field::if_range);
      if (if_range == req.end() || ifRangeHolds(if_range->value(), facts)) {
        selection = parseRange(range->value(), facts.size);
      }
    }
  }

  if (selection.outcome == RangeOutcome::kUnsatisfiable) {
    HttpResponse res = problem(http::status::range_not_satisfiable, "range-not-satisfiable",
                               "Range not satisfiable",
                               "The file has " + std::to_string(facts.size) +
                                   " bytes; no requested range starts inside it.");
    setCommonHeaders(res, facts);
    res.set(http::field::content_range, unsatisfiedRangeValue(facts.size));
    res.version(req.version());
    return res;
  }

  const bool partial = selection.outcome == RangeOutcome::kPartial;
  const ByteRange range =
      partial ? selection.range : ByteRange{0, facts.size == 0 ? 0 : facts.size - 1};
  const std::uint64_t length = partial ? range.length() : facts.size;
  if (length > kMaxFileResponseBytes) return tooLarge(length);

  HttpResponse res{partial ? http::status::partial_content : http::status::ok, req.version()};
  setCommonHeaders(res, facts);
  res.set(http::field::content_type, content_type);
  if (partial) res.set(http::field::content_range, contentRangeValue(range, facts.size));
  if (req.method() == http::verb::head) {
    // No body, but the length the GET would send (RFC 9110 §9.3.2).
    res.content_length(length);
    return res;
  }
  if (length > 0) {
    auto body = readSlice(fd.get(), range.first, length);
    if (!body) return body.error();
    res.body() = std::move(*body);
  }
  res.prepare_payload();
  return res;
}

}  // namespace sb::api
