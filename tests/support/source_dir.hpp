#pragma once
// Files of the repository (tests/data, examples) for tests: the build tells where the
// source tree is, so tests do not search for it.
#include <filesystem>
#include <string>
#include <string_view>

namespace sb::testing {

// <source dir>/<relative>
std::filesystem::path sourcePath(std::string_view relative);
// The whole file, bytes as they are ("" when it cannot be read).
std::string readSourceFile(std::string_view relative);

}  // namespace sb::testing
