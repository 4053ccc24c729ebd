#pragma once
// Helpers the ApiV1 handler files share (api_v1.cpp, api_calls.cpp, api_stats.cpp,
// api_content.cpp); not for other users.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "acd/agent_state.hpp"
#include "acd/call_center.hpp"
#include "acd/directory.hpp"
#include "api/http_types.hpp"
#include "api/json_input.hpp"
#include "api/router.hpp"
#include "core/result.hpp"

namespace sb::api::detail {

// ---- reading the org's agents along with what names them (api_calls.cpp) ----
using AgentsByKey = std::unordered_map<acd::AgentKey, const acd::Agent*>;
AgentsByKey byKey(const std::vector<acd::Agent>& agents);
// {id, name}, or null for an agent no longer in the org.
boost::json::value agentJson(const AgentsByKey& agents, acd::AgentKey key);

// What a handler read on a worker, with the org's agents to name in the answer.
template <class T>
struct WithAgents {
  T value;
  std::vector<acd::Agent> agents;
};
template <class T>
core::Result<WithAgents<T>> withAgents(core::Result<T> value, acd::DirectoryStore& directory, acd::OrgId org) {
  if (!value) return value.error();
  auto agents = directory.listAgents(org);
  if (!agents) return agents.error();
  return WithAgents<T>{std::move(*value), std::move(*agents)};
}

// ---- paging and ids in paths (api_calls.cpp) ----
// A page's next_cursor: "<ms>.<id>" of its last item (parseCursor reads it back;
// nullopt when malformed).
std::string cursorOf(core::Time at, std::int64_t id);
std::optional<std::pair<core::Time, std::int64_t>> parseCursor(std::string_view text);
// A positive id from a path segment; nullopt for anything else (answered 404).
std::optional<std::uint64_t> parseId(std::string_view text);
// ?limit=1..200 (default 50); nullopt and `bad` set when malformed.
std::optional<std::size_t> pageLimit(const RequestContext& ctx, HttpResponse& bad);
// 422: a cursor this server did not give out.
HttpResponse badCursor();

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
