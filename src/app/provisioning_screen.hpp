#pragma once
// A look at the raw text of a provisioning file before toml++ 3.3 parses it, to keep the
// parser away from input on which it has undefined behaviour or overflows its stack.
#include <optional>
#include <string>
#include <string_view>

namespace sb::app {

// Input toml++ 3.3 must not see, found by a small lexer before parsing:
// - a key with a hundred thousand dotted parts: toml++ nests a table per part and tears
//   the nesting down recursively, overflowing the stack; a line with more than
//   `max_key_dots` dots outside strings and comments bounds every key's depth;
// - non-ASCII outside strings and comments (never valid TOML), and non-ASCII after a
//   backslash in a "string" (directly or after whitespace): toml++ asks its whitespace
//   table about such characters and reaches __builtin_unreachable for many of them
//   (toml++ issues #190 and #295).
struct TomlScreenProblem {
  int line = 0;
  std::string message;
};
std::optional<TomlScreenProblem> screenToml(std::string_view text, int max_key_dots);

}  // namespace sb::app
