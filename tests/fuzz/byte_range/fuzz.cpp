// The Range header of a recording download (untrusted, any bytes) against a size taken
// from the input: the parser must never crash, overflow or hang, and what it selects must
// lie inside the file.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/byte_range.hpp"

namespace {

void fail(const char* what) {
  std::fprintf(stderr, "byte_range fuzz: %s\n", what);
  std::abort();
}

}  // namespace

// Input: 8 bytes of size (little-endian; fewer mean a small size) then the header value.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sb::api::RangeOutcome;
  std::uint64_t length = 0;
  const std::size_t prefix = size < 8 ? size : 8;
  for (std::size_t i = 0; i < prefix; ++i) length |= std::uint64_t{data[i]} << (8 * i);
  const std::string_view header(reinterpret_cast<const char*>(data) + prefix, size - prefix);

  const auto selection = sb::api::parseRange(header, length);
  if (!(sb::api::parseRange(header, length) == selection)) fail("not deterministic");
  switch (selection.outcome) {
    case RangeOutcome::kPartial: {
      const auto& r = selection.range;
      if (length == 0) fail("a range of an empty file");
      if (r.first > r.last) fail("first > last");
      if (r.last >= length) fail("last outside the file");
      if (r.length() == 0 || r.length() > length) fail("length out of bounds");
      const std::string value = sb::api::contentRangeValue(r, length);
      if (value.rfind("bytes ", 0) != 0) fail("Content-Range without its unit");
      break;
    }
    case RangeOutcome::kUnsatisfiable:
    case RangeOutcome::kWhole:
      if (selection.range.first != 0 || selection.range.last != 0) fail("a range outside kPartial");
      break;
  }
  // Without "=" there is no range-set to honour.
  if (header.find('=') == std::string_view::npos && selection.outcome != RangeOutcome::kWhole) {
    fail("a selection without a range-set");
  }
  // The same header for a larger file never becomes unsatisfiable from satisfiable.
  if (length < UINT64_MAX && selection.outcome == RangeOutcome::kPartial &&
      sb::api::parseRange(header, length + 1).outcome == RangeOutcome::kUnsatisfiable) {
    fail("growing the file made a range unsatisfiable");
  }
  return 0;
}
