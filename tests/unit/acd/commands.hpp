#pragma once
// Picking commands of one kind out of what a CallCenter handler returned (tests only).
#include <optional>
#include <variant>
#include <vector>

#include "acd/call_center.hpp"

namespace sb::acd::testing {

template <typename T>
std::vector<T> all(const Commands& commands) {
  std::vector<T> out;
  for (const Command& c : commands) {
    if (const T* t = std::get_if<T>(&c)) out.push_back(*t);
  }
  return out;
}

template <typename T>
std::optional<T> first(const Commands& commands) {
  auto found = all<T>(commands);
  if (found.empty()) return std::nullopt;
  return found.front();
}

}  // namespace sb::acd::testing
