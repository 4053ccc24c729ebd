#pragma once
// SB_CHECK: an invariant that must hold in every build; a failure aborts with context.
// SB_ASSERT: the same, debug builds only. Neither is for untrusted input (use Result).
#include <string_view>

namespace sb::core {
[[noreturn]] void checkFailed(std::string_view expr, std::string_view message, const char* file,
                              int line);
}

// __FILE__/__LINE__ rather than std::source_location: clang 14 (the fuzz preset) cannot
// use libstdc++ 12's source_location.
#define SB_CHECK(cond, msg)                                                        \
  do {                                                                             \
    if (!(cond)) [[unlikely]] ::sb::core::checkFailed(#cond, (msg), __FILE__, __LINE__); \
  } while (false)

#ifdef NDEBUG
#define SB_ASSERT(cond, msg) \
  do {                       \
  } while (false)
#else
#define SB_ASSERT(cond, msg) SB_CHECK(cond, msg)
#endif
