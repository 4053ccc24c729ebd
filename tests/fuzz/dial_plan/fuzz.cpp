// The dial plan: any bytes, as typed on a dial pad or sent as a SIP user part, must
// normalize or be refused and classify for a Korean (82) and a US (1) org, never crash,
// and keep what the trunk relies on (abort otherwise, so libFuzzer reports): a domestic
// number is digits only and never starts with the country's international prefix, an
// E.164 form is '+', the org's country code and at most 15 digits, a refusal or an
// invalid input says why, and classifying the normalized number gives the same answer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "acd/dial_plan.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

bool allDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool isAgent(std::string_view id) {
  return id == "1001" || id == "bob" || id == "Bob.K" || id == "10-01";
}

sb::acd::Org orgIn(std::string cc) {
  sb::acd::Org org;
  org.country_code = std::move(cc);
  return org;
}

void checkNormalized(std::string_view typed) {
  const auto number = sb::acd::normalizeNumber(typed);
  if (!number) {
    require(number.error().code == sb::core::ErrorCode::kInvalidInput &&
            !number.error().message.empty());
    return;
  }
  const std::string_view digits =
      (*number)[0] == '+' ? std::string_view(*number).substr(1) : *number;
  require(!digits.empty() && digits.size() <= sb::acd::kMaxDialDigits && allDigits(digits));
  const auto again = sb::acd::normalizeNumber(*number);
  require(again.ok() && *again == *number);
}

void checkClassified(const sb::acd::Org& org, std::string_view international,
                     std::string_view typed) {
  using namespace sb::acd;
  const AgentIdLookup lookup = isAgent;
  const DialTarget target = classifyDial(org, typed, lookup);
  if (const auto* extension = std::get_if<ExtensionDial>(&target)) {
    require(isAgent(extension->agent_id));
    return;
  }
  if (const auto* domestic = std::get_if<DomesticDial>(&target)) {
    require(!domestic->national.empty() && allDigits(domestic->national));
    require(domestic->national.substr(0, international.size()) != international);
    if (!domestic->e164.empty()) {
      const std::string prefix = "+" + org.country_code;
      require(domestic->e164.starts_with(prefix) && domestic->e164.size() <= 16);
      require(allDigits(std::string_view(domestic->e164).substr(1)));
    }
  } else if (const auto* refused = std::get_if<RefusedDial>(&target)) {
    require(refused->reason == DialRefusal::kInternational && !refused->message.empty());
  } else {
    require(!std::get<InvalidDial>(target).message.empty());
  }
  // A number means the same however it was written (unless, written plainly, it is an
  // agent ID: "10.01" is a number, "1001" agent 1001).
  if (const auto number = normalizeNumber(typed); number && !isAgent(*number)) {
    const DialTarget normalized = classifyDial(org, *number, lookup);
    require(normalized.index() == target.index());
    if (std::holds_alternative<DomesticDial>(target)) require(normalized == target);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sb::acd::Org korea = orgIn("82");
  static const sb::acd::Org us = orgIn("1");
  const std::string_view typed(reinterpret_cast<const char*>(data), size);
  checkNormalized(typed);
  checkClassified(korea, "00", typed);
  checkClassified(us, "011", typed);
  return 0;
}
