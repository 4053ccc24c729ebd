#include "core/check.hpp"

#include <cstdio>
#include <cstdlib>

namespace sb::core {

void checkFailed(std::string_view expr, std::string_view message, std::source_location where) {
  std::fprintf(stderr, "FATAL %s:%u: check failed: %.*s: %.*s\n", where.file_name(),
               static_cast<unsigned>(where.line()), static_cast<int>(expr.size()), expr.data(),
               static_cast<int>(message.size()), message.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace sb::core
