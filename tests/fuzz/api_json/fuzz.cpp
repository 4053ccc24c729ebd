// Untrusted JSON request bodies through the strict reader every API route uses: any
// bytes must give a value or a list of problems, never a crash, hang or exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/json_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  // The shapes of POST /sessions and POST/PATCH /admin/agents.
  auto login = sb::api::JsonInput::parse(body);
  (void)login.requiredString("org", 200);
  (void)login.requiredString("agent", 200);
  (void)login.requiredString("password", 1024, true);
  login.rejectUnknownFields();
  (void)login.describeProblems();

  auto agent = sb::api::JsonInput::parse(body);
  (void)agent.optionalString("name", 200);
  (void)agent.optionalStringArray("menus", 10, 1);
  (void)agent.optionalBool("admin");
  (void)agent.optionalBool("enabled");
  agent.rejectUnknownFields();
  (void)agent.describeProblems();

  // PUT /me/state with its nested note, and POST /calls (G3, E1).
  auto state = sb::api::JsonInput::parse(body);
  (void)state.requiredString("state", 16);
  if (auto note = state.optionalObject("note")) {
    (void)note->requiredInteger("call", 1, INT64_MAX);
    (void)note->requiredString("category", 200);
    (void)note->requiredString("text", 1024, true);
    note->rejectUnknownFields();
    state.adopt(*note);
  }
  state.rejectUnknownFields();
  (void)state.describeProblems();

  auto dial = sb::api::JsonInput::parse(body);
  (void)dial.requiredString("to", 64);
  if (dial.has("from_call")) (void)dial.requiredInteger("from_call", 1, INT64_MAX);
  dial.rejectUnknownFields();
  (void)dial.describeProblems();
  return 0;
}
