#pragma once
// SB_CHECK: an invariant that must hold in every build; a failure aborts with context.
// SB_ASSERT: the same, debug builds only. Neither is for untrusted input (use Result).
#include <source_location>
#include <string_view>

namespace sb::core {
[[noreturn]] void checkFailed(std::string_view expr, std::string_view message,
                              std::source_location where = std::source_location::current());
}

#define SB_CHECK(cond, msg)                                            \
  do {                                                                 \
    if (!(cond)) [[unlikely]] ::sb::core::checkFailed(#cond, (msg));   \
  } while (false)

#ifdef NDEBUG
#define SB_ASSERT(cond, msg) \
  do {                       \
  } while (false)
#else
#define SB_ASSERT(cond, msg) SB_CHECK(cond, msg)
#endif
