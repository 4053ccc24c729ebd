#pragma once
// Statistics figures as one line of text: tests compare them whole, and a failure shows
// every field.
#include <string>

#include "acd/statistics.hpp"

namespace sb::testing {

inline std::string describe(const acd::CallFigures& f) {
  return "inflow=" + std::to_string(f.inflow) + " answered=" + std::to_string(f.answered) +
         " abandoned=" + std::to_string(f.abandoned) + " callback=" + std::to_string(f.callback) +
         " no_agent=" + std::to_string(f.no_agent) + " other=" + std::to_string(f.other) +
         " within=" + std::to_string(f.within_service_level) + " wait=" + std::to_string(f.wait_ms) +
         " wait_answered=" + std::to_string(f.wait_answered_ms) + " max=" + std::to_string(f.max_wait_ms.value_or(-1)) +
         " max_answered=" + std::to_string(f.max_wait_answered_ms.value_or(-1));
}

inline std::string describe(const acd::AgentFigures& f) {
  return "answered=" + std::to_string(f.answered) + " outbound=" + std::to_string(f.outbound) + "/" +
         std::to_string(f.outbound_answered) + " talk=" + std::to_string(f.talk_ms) + "/" +
         std::to_string(f.talked_calls) + " hold=" + std::to_string(f.hold_ms) + " acw=" + std::to_string(f.acw_ms) +
         " break=" + std::to_string(f.break_ms) + " missed=" + std::to_string(f.missed);
}

}  // namespace sb::testing
