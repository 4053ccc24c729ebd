#include "core/check.hpp"

#include <cstdio>
#include <cstdlib>

namespace sb::core {

void checkFailed(std::string_view expr, std::string_view message, const char* file, int line) {
  std::fprintf(stderr, "FATAL %s:%d: check failed: %.*s: %.*s\n", file, line,
               static_cast<int>(expr.size()), expr.data(), static_cast<int>(message.size()),
               message.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace sb::core
