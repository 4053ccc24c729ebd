#pragma once
// UTF-8 checks for untrusted text: names, notes, passwords.
#include <cstddef>
#include <optional>
#include <string_view>

namespace sb::core {

// Number of Unicode code points, or nullopt when `s` is not well-formed UTF-8
// (overlongs, surrogates and values past U+10FFFF are not well-formed).
std::optional<size_t> utf8Length(std::string_view s);

// True when `s` holds a C0/C1 control character or DEL (tab and newline included
// unless allowed).
bool hasControlCharacters(std::string_view s, bool allow_newlines = false);

}  // namespace sb::core
