#pragma once
// A file on disk as the answer to a GET or HEAD, with byte ranges (RFC 9110 §14) so that
// an audio player can seek and a download can resume. Made for call recordings; nothing
// in it is specific to them except the defaults it chooses for personal data.
//
// The body is a string (HttpResponse is Beast's string_body), so each response holds its
// whole selected content in memory until it is written: a 1-hour recording (8 kHz stereo
// 16-bit) is ~115 MB. Ranges read only their slice (one pread). A body above
// kMaxFileResponseBytes is refused with kUnavailable rather than held in memory; the
// fix, if longer recordings matter, is a streaming (file_body) response, not a larger cap.
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "api/http_types.hpp"
#include "core/result.hpp"

namespace sb::api {

// 512 MiB: about 4.6 hours of recording in one 200 or one 206.
inline constexpr std::uint64_t kMaxFileResponseBytes = std::uint64_t{512} << 20;

// The Content-Type for a file by its extension (case-insensitive): the audio of
// recordings (.wav audio/wav, .opus and .ogg audio/ogg, .mp3 audio/mpeg) and what a
// built web app holds (.html, .js/.mjs, .css, .txt with charset=utf-8; .json and .map
// application/json; .webmanifest application/manifest+json; .svg, .png, .jpg, .gif,
// .webp, .ico, .woff2, .woff, .wasm); anything else application/octet-stream.
std::string_view contentTypeByExtension(const std::filesystem::path& file);

// Answers `req` (GET or HEAD) with `file`:
// - 200 with the whole file; 206 with Content-Range and only the selected bytes (read with
//   one seek, never the whole file); 416 (problem+json) with Content-Range: bytes */size.
// - If-None-Match listing our ETag (weak comparison) or "*": 304 with the validators and
//   the headers below, evaluated before Range (RFC 9110 §13.2.2). If-Modified-Since is
//   not evaluated (a 200 is always correct; browsers send If-None-Match when they have
//   an ETag).
// - Range is honoured for GET only (RFC 9110 §14.2: GET is the only method with range
//   semantics); HEAD gets the 200's headers, Content-Length included, and an empty body.
// - If-Range: a strong ETag equal to ours, or an IMF-fixdate equal to Last-Modified when
//   the file is at least a second old (so the date is a strong validator, §8.8.2.2), keeps
//   the Range; anything else (weak tag, other date, other date format) gives the 200.
// - Always: Accept-Ranges: bytes, Content-Type (`content_type`; 416 is problem+json;
//   none on a 304), Content-Length (none on a 304), Cache-Control: private, no-store,
//   X-Content-Type-Options: nosniff, ETag (strong, from size, mtime in ns and inode) and
//   Last-Modified.
// Errors (never thrown): kNotFound when the path does not exist or is not a regular
// file; kUnavailable when it cannot be opened or read, or the body would exceed
// kMaxFileResponseBytes. Their messages never name the path (they reach the client).
core::Result<HttpResponse> fileResponse(const HttpRequest& req, const std::filesystem::path& file,
                                        std::string_view content_type);

}  // namespace sb::api
