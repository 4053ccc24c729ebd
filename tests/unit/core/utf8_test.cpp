#include "core/utf8.hpp"

#include <gtest/gtest.h>

namespace sb::core {
namespace {

TEST(Utf8Length, CountsCodePointsNotBytes) {
  EXPECT_EQ(utf8Length(""), 0u);
  EXPECT_EQ(utf8Length("abc"), 3u);
  EXPECT_EQ(utf8Length("상담사"), 3u);           // three Hangul syllables, 9 bytes
  EXPECT_EQ(utf8Length("\xF0\x9F\x98\x80"), 1u);  // U+1F600, 4 bytes
}

TEST(Utf8Length, RejectsMalformedSequences) {
  EXPECT_FALSE(utf8Length("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(utf8Length("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(utf8Length("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(utf8Length("\xE4\xB8"));          // truncated
  EXPECT_FALSE(utf8Length("\x80"));              // lone continuation
  EXPECT_FALSE(utf8Length("\xFF"));
}

TEST(HasControlCharacters, FindsC0C1AndDel) {
  EXPECT_FALSE(hasControlCharacters("Alice Kim 김"));
  EXPECT_TRUE(hasControlCharacters(std::string("a\0b", 3)));
  EXPECT_TRUE(hasControlCharacters("a\x1b[31m"));
  EXPECT_TRUE(hasControlCharacters("a\x7f"));
  EXPECT_TRUE(hasControlCharacters("a\xC2\x85"));  // U+0085 NEL
  EXPECT_TRUE(hasControlCharacters("line\nbreak"));
  EXPECT_FALSE(hasControlCharacters("line\nbreak\ttab", /*allow_newlines=*/true));
  EXPECT_TRUE(hasControlCharacters("\xC0\xAF"));  // malformed counts as unsafe
}

}  // namespace
}  // namespace sb::core
