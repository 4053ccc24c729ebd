#pragma once
// Helpers the ApiV1 handler files share (api_v1.cpp, api_calls.cpp); not for other users.
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "acd/agent_state.hpp"
#include "acd/call_center.hpp"
#include "acd/directory.hpp"
#include "api/http_types.hpp"
#include "api/json_input.hpp"
#include "api/router.hpp"
#include "core/result.hpp"

namespace sb::api::detail {

// 415 unless the body says it is JSON.
std::optional<HttpResponse> requireJson(const RequestContext& ctx);
// 400 (not JSON) or 422 (fields) with every problem of `in`.
HttpResponse invalidBody(const JsonInput& in);
HttpResponse unauthenticated(std::string_view detail);
// {state, since}.
boost::json::object stateJson(const acd::AgentStatus& status, const acd::Agent& agent);
// The errors of a state change (409 state-locked, …).
HttpResponse stateProblem(const core::Error& e);

// G1/G4: a note's category and text as the client sent them ({category, text} in `in`):
// the category one of the org's (optional when the org has none), the text at most
// acd::kMaxNoteChars characters (newlines allowed). Problems go to `in`.
struct NoteInput {
  std::string category;
  std::string text;
};
std::optional<NoteInput> readNote(JsonInput& in, const acd::Org& org);

// G5: only an agent who spoke with the customer (answered it, took it over, made it)
// writes the call's note; kForbidden otherwise.
core::Result<void> noteAuthorCheck(const acd::CallRecord& call, acd::AgentKey agent);

// The errors of saving a note (404, 403 not-your-call, 409 call-in-progress).
HttpResponse noteProblem(const core::Error& e);

}  // namespace sb::api::detail
