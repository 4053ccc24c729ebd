#include "app/provisioning_screen.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace sb::app {
namespace {

// What screenToml's lexer expects next in code, after toml++'s grammar.
enum class Expect {
  kKey,    // a key (line start, after '{' or ',' in an inline table) or a table header
  kValue,  // a value (after '=', '[' or ',' in an array)
  kBare,   // inside a bare value (number, date, boolean or garbage) up to a terminator
  kAfter,  // after a value
};

bool isBareKeyCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

}  // namespace

std::optional<TomlScreenProblem> screenToml(std::string_view text, int max_key_dots) {
  static constexpr std::string_view kBadEscape =
      "a backslash in a string must not be followed by a non-ASCII character, not even "
      "after spaces or a line break (a limitation of the TOML parser)";
  // Where the lexer is unsure it reads code, which is stricter: a quote opens a string
  // only where a string may start, because toml++ reads a malformed bare value such as
  // +['''"§" up to the next space, asking its whitespace table about every character.
  enum class State { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  State state = State::kCode;
  Expect expect = Expect::kKey;
  bool segment_start = true;  // in a key: a quoted segment may start here
  bool key_string = false;    // the open string is a key segment
  std::vector<char> nesting;  // open '[' arrays and '{' inline tables
  int line = 1;
  int dots = 0;
  const auto at = [&](size_t i, std::string_view s) { return text.substr(i, s.size()) == s; };
  const auto isBlank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  const auto innermost = [&] { return nesting.empty() ? '\0' : nesting.back(); };
  const auto closeString = [&] {
    state = State::kCode;
    expect = key_string ? Expect::kKey : Expect::kAfter;
    segment_start = false;
  };
  // Opens a string at text[i] if one may start there; false when it may not.
  const auto openString = [&](size_t& i, bool key) {
    key_string = key;
    if (at(i, "\"\"\"")) {
      state = State::kMultiBasic;
      i += 2;
    } else if (at(i, "'''")) {
      state = State::kMultiLiteral;
      i += 2;
    } else {
      state = text[i] == '"' ? State::kBasic : State::kLiteral;
    }
  };
  // After a value or a key: what separators and closers do.
  const auto afterValue = [&](char c) {
    if (c == ',' && innermost() == '[') {
      expect = Expect::kValue;
    } else if (c == ',' && innermost() == '{') {
      expect = Expect::kKey;
      segment_start = true;
    } else if ((c == ']' && innermost() == '[') || (c == '}' && innermost() == '{')) {
      nesting.pop_back();
      expect = Expect::kAfter;
    } else if (c == ']' && nesting.empty()) {
      expect = Expect::kAfter;  // the second bracket of a [[header]]
    } else {
      expect = Expect::kBare;
    }
  };

  const size_t start = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // editors' byte order mark
  for (size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      dots = 0;
      if (state == State::kMultiBasic || state == State::kMultiLiteral) continue;
      if (state != State::kCode && state != State::kComment) closeString();  // unterminated
      state = State::kCode;
      if (nesting.empty()) {
        expect = Expect::kKey;  // arrays may span lines; nothing else may
        segment_start = true;
      } else if (expect == Expect::kBare) {
        expect = Expect::kAfter;
      }
      continue;
    }
    switch (state) {
      case State::kCode:
        if (static_cast<unsigned char>(c) >= 0x80) {
          return TomlScreenProblem{line,
                                   "invalid TOML: a non-ASCII character outside a string "
                                   "(quote keys that are not plain ASCII)"};
        }
        if (c == '.' && ++dots > max_key_dots) {
          return TomlScreenProblem{line, "keys nested too deeply (more than " +
                                             std::to_string(max_key_dots) + " dots on one line)"};
        }
        if (isBlank(c) || c == '#') {
          if (expect == Expect::kBare) expect = Expect::kAfter;
          if (c == '#') state = State::kComment;
          break;
        }
        switch (expect) {
          case Expect::kKey:
            if ((c == '"' || c == '\'') && segment_start) {
              openString(i, true);
            } else if (isBareKeyCharacter(c)) {
              segment_start = false;
            } else if (c == '.') {
              segment_start = true;
            } else if (c == '=') {
              expect = Expect::kValue;
            } else if (c == '[' && segment_start) {
              // a [table] or [[array of tables]] header
            } else if (c == ']' || c == '}') {
              afterValue(c);  // a header's end, or an empty inline table
            } else {
              expect = Expect::kBare;
            }
            break;
          case Expect::kValue:
            if (c == '"' || c == '\'') {
              openString(i, false);
            } else if (c == '[') {
              nesting.push_back('[');
            } else if (c == '{') {
              nesting.push_back('{');
              expect = Expect::kKey;
              segment_start = true;
            } else if (c == ']') {
              afterValue(c);  // an empty array, or a trailing comma
            } else {
              expect = Expect::kBare;
            }
            break;
          case Expect::kBare:
            if (c == ',' || c == ']' || c == '}') afterValue(c);
            break;
          case Expect::kAfter:
            afterValue(c);
            break;
        }
        break;
      case State::kComment:
        break;
      case State::kBasic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          // toml++ asks its whitespace table about what follows a backslash.
          size_t k = i + 1;
          while (k < text.size() && isBlank(text[k])) ++k;
          if (k < text.size() && static_cast<unsigned char>(text[k]) >= 0x80) {
            return TomlScreenProblem{line, std::string(kBadEscape)};
          }
          ++i;  // the escaped character cannot end the string
        } else if (c == '"') {
          closeString();
        }
        break;
      case State::kMultiBasic:
        if (c == '\\') {
          // toml++ trims whitespace after a backslash (a line ending one, or a malformed
          // one), asking its whitespace table about each character and the first after.
          size_t k = i + 1;
          while (k < text.size() && (isBlank(text[k]) || text[k] == '\n')) ++k;
          if (k < text.size() && static_cast<unsigned char>(text[k]) >= 0x80) {
            const auto skipped = std::count(text.begin() + static_cast<std::ptrdiff_t>(i),
                                            text.begin() + static_cast<std::ptrdiff_t>(k), '\n');
            return TomlScreenProblem{line + static_cast<int>(skipped), std::string(kBadEscape)};
          }
          if (k == i + 1 && i + 1 < text.size()) ++i;  // the escaped character cannot end it
        } else if (at(i, "\"\"\"")) {
          // Up to two more quotes belong to the string: """a""""" ends after all five.
          while (i + 1 < text.size() && text[i + 1] == '"') ++i;
          closeString();
        }
        break;
      case State::kLiteral:
        if (c == '\'') closeString();
        break;
      case State::kMultiLiteral:
        if (at(i, "'''")) {
          while (i + 1 < text.size() && text[i + 1] == '\'') ++i;
          closeString();
        }
        break;
    }
  }
  return std::nullopt;
}

}  // namespace sb::app
