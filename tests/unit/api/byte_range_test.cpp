#include "api/byte_range.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <ostream>
#include <string>

namespace sb::api {

// Readable failures for the table below.
void PrintTo(const RangeSelection& s, std::ostream* os) {
  switch (s.outcome) {
    case RangeOutcome::kWhole:
      *os << "kWhole";
      return;
    case RangeOutcome::kUnsatisfiable:
      *os << "kUnsatisfiable";
      return;
    case RangeOutcome::kPartial:
      *os << "kPartial{" << s.range.first << "-" << s.range.last << "}";
      return;
  }
}

namespace {

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

RangeSelection whole() {
  return {};
}
RangeSelection unsatisfiable() {
  return {RangeOutcome::kUnsatisfiable, {}};
}
RangeSelection partial(std::uint64_t first, std::uint64_t last) {
  return {RangeOutcome::kPartial, {first, last}};
}

struct Case {
  const char* name;
  std::string header;
  std::uint64_t size;
  RangeSelection expected;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name << " [" << c.header << "]/" << c.size;
}

class ParseRangeTest : public ::testing::TestWithParam<Case> {};

TEST_P(ParseRangeTest, Decides) {
  const Case& c = GetParam();
  EXPECT_EQ(parseRange(c.header, c.size), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseRangeTest,
    ::testing::Values(
        // Absent, other units, malformed: the Range is ignored (200).
        Case{"absent", "", 1000, whole()}, Case{"only_spaces", "   ", 1000, whole()},
        Case{"other_unit", "items=0-1", 1000, whole()},
        Case{"no_equals", "bytes 0-1", 1000, whole()},
        Case{"unit_prefix", "bytesx=0-1", 1000, whole()},
        Case{"empty_set", "bytes=", 1000, whole()},
        Case{"only_commas", "bytes=,, ,", 1000, whole()},
        Case{"space_around_equals", "bytes = 0-1", 1000, whole()},
        Case{"space_before_equals", "bytes =0-1", 1000, whole()},
        Case{"space_after_equals", "bytes= 0-1", 1000, whole()},
        Case{"space_inside_range", "bytes=0 - 1", 1000, whole()},
        Case{"space_after_dash", "bytes=0- 1", 1000, whole()},
        Case{"no_dash", "bytes=5", 1000, whole()}, Case{"lone_dash", "bytes=-", 1000, whole()},
        Case{"double_dash", "bytes=--5", 1000, whole()},
        Case{"three_parts", "bytes=0-1-2", 1000, whole()},
        Case{"plus_sign", "bytes=+1-2", 1000, whole()},
        Case{"negative_last", "bytes=1--2", 1000, whole()},
        Case{"hex", "bytes=0x1-2", 1000, whole()}, Case{"letters", "bytes=a-b", 1000, whole()},
        Case{"last_before_first", "bytes=500-499", 1000, whole()},
        Case{"one_invalid_spoils_all", "bytes=0-1,x", 1000, whole()},
        Case{"unicode_digit", "bytes=\xd9\xa1-2", 1000, whole()},
        Case{"nul_inside", std::string("bytes=0-1\0", 10), 1000, whole()},
        // Single ranges.
        Case{"first_500", "bytes=0-499", 1000, partial(0, 499)},
        Case{"second_500", "bytes=500-999", 1000, partial(500, 999)},
        Case{"single_byte", "bytes=7-7", 1000, partial(7, 7)},
        Case{"open_ended", "bytes=500-", 1000, partial(500, 999)},
        Case{"open_from_zero", "bytes=0-", 1000, partial(0, 999)},
        Case{"last_byte_open", "bytes=999-", 1000, partial(999, 999)},
        Case{"suffix", "bytes=-500", 1000, partial(500, 999)},
        Case{"suffix_one", "bytes=-1", 1000, partial(999, 999)},
        Case{"suffix_exact", "bytes=-1000", 1000, partial(0, 999)},
        Case{"suffix_bigger_than_file", "bytes=-5000", 1000, partial(0, 999)},
        Case{"last_beyond_end_clamped", "bytes=900-5000", 1000, partial(900, 999)},
        Case{"leading_zeros", "bytes=000-0001", 1000, partial(0, 1)},
        Case{"leading_zeros_suffix", "bytes=-0010", 1000, partial(990, 999)},
        Case{"unit_case_insensitive", "Bytes=0-1", 1000, partial(0, 1)},
        Case{"unit_upper", "BYTES=0-1", 1000, partial(0, 1)},
        Case{"outer_whitespace", " \tbytes=0-1 \t", 1000, partial(0, 1)},
        // Unsatisfiable: 416.
        Case{"first_at_size", "bytes=1000-", 1000, unsatisfiable()},
        Case{"first_beyond", "bytes=1000-2000", 1000, unsatisfiable()},
        Case{"suffix_zero", "bytes=-0", 1000, unsatisfiable()},
        Case{"all_unsatisfiable", "bytes=2000-,-0", 1000, unsatisfiable()},
        // Huge numbers: exact comparison, saturation, no overflow.
        Case{"huge_last_clamped", "bytes=0-99999999999999999999999999", 1000, partial(0, 999)},
        Case{"huge_first", "bytes=99999999999999999999999999-", 1000, unsatisfiable()},
        Case{"huge_suffix", "bytes=-99999999999999999999999999", 1000, partial(0, 999)},
        Case{"huge_last_before_huge_first",
             "bytes=99999999999999999999999999-99999999999999999999999998", 1000, whole()},
        Case{"huge_equal", "bytes=99999999999999999999999999-99999999999999999999999999", 1000,
             unsatisfiable()},
        Case{"u64_max_first", "bytes=18446744073709551615-", kU64Max, unsatisfiable()},
        Case{"u64_max_minus_one", "bytes=18446744073709551614-", kU64Max,
             partial(kU64Max - 1, kU64Max - 1)},
        Case{"u64_overflow_by_one", "bytes=0-18446744073709551616", kU64Max,
             partial(0, kU64Max - 1)},
        Case{"leading_zeros_huge_compare", "bytes=0000000000000000000000000005-6", 1000,
             partial(5, 6)},
        // Several ranges: coalesced when they form one span, else the whole file.
        Case{"two_disjoint", "bytes=0-1,5-6", 1000, whole()},
        Case{"two_overlapping", "bytes=0-10,5-20", 1000, partial(0, 20)},
        Case{"two_adjacent", "bytes=0-9,10-19", 1000, partial(0, 19)},
        Case{"unsorted_overlapping", "bytes=5-20,0-10", 1000, partial(0, 20)},
        Case{"contained", "bytes=0-100,10-20", 1000, partial(0, 100)},
        Case{"same_twice", "bytes=3-4,3-4", 1000, partial(3, 4)},
        Case{"suffix_and_int_overlap", "bytes=900-950,-100", 1000, partial(900, 999)},
        Case{"unsatisfiable_dropped", "bytes=0-1,5000-6000", 1000, partial(0, 1)},
        Case{"ows_around_commas", "bytes=0-1 , 2-3,\t4-5", 1000, partial(0, 5)},
        Case{"empty_elements", "bytes=0-1,,2-3,", 1000, partial(0, 3)},
        Case{"leading_comma", "bytes=,0-1", 1000, partial(0, 1)},
        // Empty file: int-ranges unsatisfiable; a non-zero suffix selects nothing (200).
        Case{"empty_file_zero_open", "bytes=0-", 0, unsatisfiable()},
        Case{"empty_file_zero_zero", "bytes=0-0", 0, unsatisfiable()},
        Case{"empty_file_suffix", "bytes=-10", 0, whole()},
        Case{"empty_file_suffix_zero", "bytes=-0", 0, unsatisfiable()},
        Case{"empty_file_invalid", "bytes=x", 0, whole()},
        // One-byte file.
        Case{"one_byte_open", "bytes=0-", 1, partial(0, 0)},
        Case{"one_byte_suffix", "bytes=-5", 1, partial(0, 0)},
        Case{"one_byte_beyond", "bytes=1-", 1, unsatisfiable()}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(ParseRangeLimitsTest, AtMostMaxSpecsAreConsidered) {
  std::string at_limit = "bytes=0-0";
  for (std::size_t i = 1; i < kMaxRangeSpecs; ++i) at_limit += ",0-0";
  EXPECT_EQ(parseRange(at_limit, 10), partial(0, 0));
  EXPECT_EQ(parseRange(at_limit + ",0-0", 10), whole());
  // Empty elements do not count.
  EXPECT_EQ(parseRange(at_limit + ",,,", 10), partial(0, 0));
}

TEST(ParseRangeLimitsTest, ALongHeaderOfDigitsIsHandled) {
  const std::string digits(100000, '9');
  EXPECT_EQ(parseRange("bytes=0-" + digits, 10), partial(0, 9));
  EXPECT_EQ(parseRange("bytes=" + digits + "-", 10), unsatisfiable());
  EXPECT_EQ(parseRange("bytes=-" + digits, 10), partial(0, 9));
}

TEST(ContentRangeTest, FormatsRangeAndUnsatisfied) {
  EXPECT_EQ(contentRangeValue({0, 499}, 1234), "bytes 0-499/1234");
  EXPECT_EQ(contentRangeValue({kU64Max - 1, kU64Max - 1}, kU64Max),
            "bytes 18446744073709551614-18446744073709551614/18446744073709551615");
  EXPECT_EQ(unsatisfiedRangeValue(0), "bytes */0");
  EXPECT_EQ(unsatisfiedRangeValue(1234), "bytes */1234");
}

TEST(ByteRangeTest, LengthIsInclusive) {
  EXPECT_EQ((ByteRange{0, 0}.length()), 1u);
  EXPECT_EQ((ByteRange{5, 9}.length()), 5u);
}

}  // namespace
}  // namespace sb::api
