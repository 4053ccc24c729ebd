// screenToml: the text toml++ must not see, and the text it may.
#include "app/provisioning_screen.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sb::app {
namespace {

std::optional<int> screenedLine(std::string_view text, int max_key_dots = 64) {
  auto problem = screenToml(text, max_key_dots);
  return problem ? std::optional<int>(problem->line) : std::nullopt;
}

TEST(ProvisioningRules, ScreeningBoundsKeyDepthCountingOnlyKeyDots) {
  EXPECT_EQ(screenedLine("a.b.c = 1\n", 1), 1);
  EXPECT_EQ(screenedLine("a.b = 1\n", 2), std::nullopt);
  EXPECT_EQ(screenedLine("x = 1\n[a.b.c]\n", 1), 2);
  EXPECT_EQ(screenedLine("x = \"a.b.c\" # d.e.f\n", 0), std::nullopt);
  EXPECT_EQ(screenedLine("x = 'a.b.c'\n", 0), std::nullopt);
  EXPECT_EQ(screenedLine("x = \"\\\".\\\"\"\n", 0), std::nullopt);
  EXPECT_EQ(screenedLine("x = \"\"\"\n.\n.\\\"\"\".\n\"\"\"\ny.z = 1\n", 0), 5);
  EXPECT_EQ(screenedLine("x = '''\n...\n'''\n", 0), std::nullopt);
  // A multi-line string may end with up to two extra quotes that belong to it.
  EXPECT_EQ(screenedLine("x = \"\"\"a\"\"\"\"\"\ny.z = 1\n", 0), 2);
  EXPECT_EQ(screenedLine("x = '''a'''''\ny.z = 1\n", 0), 2);
  EXPECT_THAT(screenToml("a.b.c = 1\n", 1)->message, ::testing::HasSubstr("nested too deeply"));
}

TEST(ProvisioningRules, ScreeningKeepsNonAsciiInsideStringsAndComments) {
  EXPECT_EQ(screenedLine("name = \"상담 센터\" # 주석\n\"키\" = '값'\nm = \"\"\"\n줄\n\"\"\"\n"),
            std::nullopt);
  EXPECT_EQ(screenedLine("\xEF\xBB\xBFname = \"x\"\n"), std::nullopt);  // a byte order mark
  EXPECT_EQ(screenedLine("x = 1\n상담 = 1\n"), 2);
  EXPECT_EQ(screenedLine("x = 1\xC2\xA0\n"), 1);  // no-break space is not TOML whitespace
  EXPECT_EQ(screenedLine("a.a\xC8\x9E = 1\n"), 1);
  EXPECT_EQ(screenedLine("x = \"a\" \xD1\xA2\n"), 1);
  // A quote inside a malformed bare value opens no string: toml++ reads on as code.
  EXPECT_EQ(screenedLine("e =+['''\"\xEF\xBB\xBB\"u\n"), 1);
  EXPECT_EQ(screenedLine("x = 0.a'a.\xD2\x9E'\n"), 1);
  EXPECT_EQ(screenedLine("a\"\xEC\x83\x81\" = 1\n"), 1);
  // Strings where TOML lets them start, even across the lines of an array.
  EXPECT_EQ(
      screenedLine("x = [\n \"상\",\n '담', # 주석\n\"\"\"c\"\"\"]\ny = {z = '§', w = [\"담\"]}\n"
                   "\"상담\".'b' = 1\na.\"상\" = 1\n[a.\"상\"]\n[[a.'담']]\nz = []\n"),
      std::nullopt);
  // toml++ trims after a line-ending backslash and must not meet non-ASCII there.
  EXPECT_EQ(screenedLine("s = \"\"\"\\\n\xC2\xA7\"\"\"\n"), 2);
  EXPECT_EQ(screenedLine("s = \"\"\"\\  \n\n   \xC2\xA7\"\"\"\n"), 3);
  EXPECT_EQ(screenedLine("s = \"\"\"\\\n  a\xC2\xA7\"\"\"\n"), std::nullopt);
  EXPECT_EQ(screenedLine("s = \"\"\"z  \\   \xC2\xA7\"\"\"\n"), 1);  // not even at a line end
  EXPECT_EQ(screenedLine("s = \"\"\"z\\\xEF\xB3\xBF\"\"\"\n"), 1);   // nor right after it
  EXPECT_EQ(screenedLine("s = \"z\\\xEF\xB3\xBF\"\n"), 1);
  EXPECT_EQ(screenedLine("s = \"z\\ \xEF\xB3\xBF\"\n"), 1);
  EXPECT_EQ(screenedLine("s = \"\\\\\xEF\xB3\xBF\"\n"), std::nullopt);  // "\\" is a backslash
  EXPECT_THAT(screenToml("s = \"z\\\xEF\xB3\xBF\"\n", 64)->message,
              ::testing::HasSubstr("backslash in a string must not be followed by a non-ASCII"));
  EXPECT_EQ(screenedLine("s = \"\"\"\\\\\n\xC2\xA7\"\"\"\n"), std::nullopt);  // "\\" then a newline
}

}  // namespace
}  // namespace sb::app
