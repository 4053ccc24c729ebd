#include "acd/directory.hpp"

namespace sb::acd {

const char* toString(AfterLogin s) { return s == AfterLogin::kReady ? "ready" : "break"; }

const char* toString(AfterCall s) {
  switch (s) {
    case AfterCall::kReady: return "ready";
    case AfterCall::kBreak: return "break";
    case AfterCall::kAfterCallWork: return "acw";
  }
  return "acw";
}

std::optional<AfterLogin> parseAfterLogin(std::string_view s) {
  if (s == "ready") return AfterLogin::kReady;
  if (s == "break") return AfterLogin::kBreak;
  return std::nullopt;
}

std::optional<AfterCall> parseAfterCall(std::string_view s) {
  if (s == "ready") return AfterCall::kReady;
  if (s == "break") return AfterCall::kBreak;
  if (s == "acw") return AfterCall::kAfterCallWork;
  return std::nullopt;
}

}  // namespace sb::acd
