#include "api/byte_range.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>

namespace sb::api {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

bool isOws(char c) {
  return c == ' ' || c == '\t';
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && isOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && isOws(s.back())) s.remove_suffix(1);
  return s;
}

// A decimal number of any length: its digits without leading zeros (exact comparisons)
// and its value saturated at 2^64 - 1 (comparisons with a size, which never exceeds that).
struct Decimal {
  std::string_view digits;
  std::uint64_t value = 0;
};

std::optional<Decimal> parseDecimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (!isDigit(c)) return std::nullopt;
  }
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  Decimal out{s, 0};
  for (char c : s) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (out.value > (kMax - d) / 10) {
      out.value = kMax;
      break;
    }
    out.value = out.value * 10 + d;
  }
  return out;
}

bool lessThan(const Decimal& a, const Decimal& b) {
  if (a.digits.size() != b.digits.size()) return a.digits.size() < b.digits.size();
  return a.digits < b.digits;
}

// One range-spec: an int-range "first-[last]" or a suffix-range "-length".
struct RangeSpec {
  bool suffix = false;
  Decimal first;                // int-range
  std::optional<Decimal> last;  // int-range, when given
  Decimal suffix_length;        // suffix-range
};

std::optional<RangeSpec> parseSpec(std::string_view s) {
  const auto dash = s.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  RangeSpec spec;
  if (dash == 0) {
    auto length = parseDecimal(s.substr(1));
    if (!length) return std::nullopt;
    spec.suffix = true;
    spec.suffix_length = *length;
    return spec;
  }
  auto first = parseDecimal(s.substr(0, dash));
  if (!first) return std::nullopt;
  spec.first = *first;
  const std::string_view rest = s.substr(dash + 1);
  if (!rest.empty()) {
    spec.last = parseDecimal(rest);
    // RFC 9110 §14.1.1: last-pos below first-pos makes the whole range-set invalid.
    if (!spec.last || lessThan(*spec.last, spec.first)) return std::nullopt;
  }
  return spec;
}

// The bytes a satisfiable spec selects in a representation of `size` > 0 bytes.
std::optional<ByteRange> resolve(const RangeSpec& spec, std::uint64_t size) {
  if (spec.suffix) {
    if (spec.suffix_length.value == 0) return std::nullopt;
    return ByteRange{size - std::min(spec.suffix_length.value, size), size - 1};
  }
  if (spec.first.value >= size) return std::nullopt;
  const std::uint64_t last = spec.last ? std::min(spec.last->value, size - 1) : size - 1;
  return ByteRange{spec.first.value, last};
}

bool unitIsBytes(std::string_view unit) {
  constexpr std::string_view kBytes = "bytes";
  if (unit.size() != kBytes.size()) return false;
  for (std::size_t i = 0; i < unit.size(); ++i) {
    const char c =
        unit[i] >= 'A' && unit[i] <= 'Z' ? static_cast<char>(unit[i] - 'A' + 'a') : unit[i];
    if (c != kBytes[i]) return false;
  }
  return true;
}

}  // namespace

RangeSelection parseRange(std::string_view header, std::uint64_t size) {
  const RangeSelection whole{};
  header = trimOws(header);
  const auto eq = header.find('=');
  if (eq == std::string_view::npos || !unitIsBytes(header.substr(0, eq))) return whole;
  std::string_view set = header.substr(eq + 1);
  // The list grammar allows whitespace around commas only: "bytes= 0-1" is invalid.
  if (set.empty() || isOws(set.front())) return whole;

  std::array<RangeSpec, kMaxRangeSpecs> specs;
  std::size_t count = 0;
  while (true) {
    const auto comma = set.find(',');
    // RFC 9110 §5.6.1.2: recipients accept empty list elements ("0-1,,5-6").
    if (const std::string_view item = trimOws(set.substr(0, comma)); !item.empty()) {
      if (count == kMaxRangeSpecs) return whole;
      auto spec = parseSpec(item);
      if (!spec) return whole;
      specs[count++] = *spec;
    }
    if (comma == std::string_view::npos) break;
    set.remove_prefix(comma + 1);
  }
  if (count == 0) return whole;

  if (size == 0) {
    const bool any_suffix =
        std::any_of(specs.begin(), specs.begin() + count,
                    [](const RangeSpec& s) { return s.suffix && s.suffix_length.value > 0; });
    return any_suffix ? whole : RangeSelection{RangeOutcome::kUnsatisfiable, {}};
  }

  std::array<ByteRange, kMaxRangeSpecs> ranges;
  std::size_t satisfiable = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (auto r = resolve(specs[i], size)) ranges[satisfiable++] = *r;
  }
  if (satisfiable == 0) return RangeSelection{RangeOutcome::kUnsatisfiable, {}};

  std::sort(ranges.begin(), ranges.begin() + satisfiable,
            [](const ByteRange& a, const ByteRange& b) { return a.first < b.first; });
  ByteRange merged = ranges[0];
  for (std::size_t i = 1; i < satisfiable; ++i) {
    // last < size <= 2^64 - 1, so last + 1 does not wrap.
    if (ranges[i].first > merged.last + 1) return whole;  // disjoint: no multipart
    merged.last = std::max(merged.last, ranges[i].last);
  }
  return RangeSelection{RangeOutcome::kPartial, merged};
}

std::string contentRangeValue(ByteRange range, std::uint64_t size) {
  return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
         std::to_string(size);
}

std::string unsatisfiedRangeValue(std::uint64_t size) {
  return "bytes */" + std::to_string(size);
}

}  // namespace sb::api
