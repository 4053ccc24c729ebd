#pragma once
// Rules for a new password (B4, B3, provisioning): 8–128 Unicode characters, no control
// characters, not the agent ID, not on the list of common passwords shipped in
// data/common-passwords.txt (compiled in).
#include <optional>
#include <string>
#include <string_view>

namespace sb::account {

inline constexpr size_t kMinPasswordLength = 8;
inline constexpr size_t kMaxPasswordLength = 128;

// nullopt when acceptable, otherwise a sentence for the user saying what is wrong
// (never echoing the password).
std::optional<std::string> checkNewPassword(std::string_view password, std::string_view agent_id);

bool isCommonPassword(std::string_view password);

}  // namespace sb::account
