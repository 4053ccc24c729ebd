#include "support/source_dir.hpp"

#include <fstream>
#include <iterator>

namespace sb::testing {

std::filesystem::path sourcePath(std::string_view relative) {
  return std::filesystem::path(SB_SOURCE_DIR) / relative;
}

std::string readSourceFile(std::string_view relative) {
  std::ifstream in(sourcePath(relative), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace sb::testing
