#pragma once
// The Range request header (RFC 9110 §14.1–14.2) for one representation of a known size.
// Sans-I/O: a header value and a size in, a decision out; file_response.hpp applies it.
//
// Only the "bytes" unit exists. We never send multipart/byteranges, so a request for
// several ranges gets one range when its satisfiable ranges overlap or touch (RFC 9110
// §14.2 lets a server coalesce them), and otherwise the whole representation as a 200
// (the server MAY ignore Range). Invalid syntax is ignored as the RFC asks: a 200.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb::api {

// More range specs than this in one header are ignored (a 200): a player asks for one,
// and sorting thousands of them per request buys nothing.
inline constexpr std::size_t kMaxRangeSpecs = 64;

// An inclusive span of bytes: first <= last < size of the representation.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t length() const { return last - first + 1; }
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

enum class RangeOutcome {
  kWhole,          // no Range, another unit, invalid syntax or disjoint ranges: 200
  kPartial,        // `range` is to be sent as a 206
  kUnsatisfiable,  // 416 with Content-Range: bytes */size
};

struct RangeSelection {
  RangeOutcome outcome = RangeOutcome::kWhole;
  ByteRange range;  // set for kPartial only
  friend bool operator==(const RangeSelection&, const RangeSelection&) = default;
};

// `header` is the Range field's value (empty when absent); `size` the representation's
// length in bytes. Accepts `bytes=0-499`, `bytes=500-`, `bytes=-500`, leading zeros, a
// case-insensitive unit, optional whitespace around the commas of a list and at either
// end. Refuses (kWhole) whitespace around '=' or inside a range, last < first, signs,
// and empty lists. Numbers of any length are compared exactly (a number past 2^64 is
// simply larger than the size), so there is no overflow. A last-pos past the end is
// clamped to size - 1 and a suffix longer than the file selects all of it.
//
// Size 0: no int-range is satisfiable (kUnsatisfiable). A non-zero suffix is satisfiable
// by RFC 9110 §14.1.3 but selects nothing, which Content-Range cannot express, so it is
// answered kWhole (an empty 200).
RangeSelection parseRange(std::string_view header, std::uint64_t size);

// "bytes first-last/size" for a 206.
std::string contentRangeValue(ByteRange range, std::uint64_t size);
// "bytes */size" for a 416.
std::string unsatisfiedRangeValue(std::uint64_t size);

}  // namespace sb::api
