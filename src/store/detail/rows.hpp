#pragma once
// Row mapping and small queries shared by the SqliteStore files. Every function runs
// on the connection it is given, so inside a write job it sees that job's changes.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "account/account_store.hpp"
#include "acd/agent_state.hpp"
#include "acd/center_store.hpp"
#include "acd/directory.hpp"
#include "acd/statistics.hpp"
#include "core/result.hpp"
#include "store/connection.hpp"

namespace sb::store::detail {

core::Error notFound(std::string what);

core::Result<bool> orgExists(Connection& c, acd::OrgId org);
core::Result<std::optional<acd::OrgId>> findOrgId(Connection& c, std::string_view name);
// The org with its numbers (as given), categories (in order) and menus (by digit).
core::Result<acd::Org> loadOrg(Connection& c, acd::OrgId org);

// Agents are always looked up within an org: another org's agent is not found.
core::Result<acd::Agent> loadAgent(Connection& c, acd::OrgId org, std::string_view agent_id);
core::Result<acd::Agent> loadAgentByKey(Connection& c, acd::OrgId org, acd::AgentKey key);
core::Result<std::vector<acd::Agent>> loadAgents(Connection& c, acd::OrgId org);
// The agent's key when (org, agent_id) exists.
core::Result<std::optional<acd::AgentKey>> findAgentKey(Connection& c, acd::OrgId org,
                                                        std::string_view agent_id);

// Inserts a new agent (enabled unless told otherwise, no password hash: "", no SIP
// secret: "", password_changed_at = now) with its menus; returns its key. The caller
// has checked that the agent ID is free in the org.
core::Result<acd::AgentKey> insertAgent(Connection& c, acd::OrgId org,
                                        const acd::AgentImport& agent, core::Time now);

// Replaces the agent's menus; kInvalidInput (and nothing changed) when a digit is not
// a menu of `org`. Repeated digits count once.
core::Result<void> replaceAgentMenus(Connection& c, acd::OrgId org, acd::AgentKey agent,
                                     const std::vector<std::string>& digits);

core::Result<account::Credentials> loadCredentials(Connection& c, acd::AgentKey agent);
// Deletes the agent's sessions except `keep`; returns the hashes deleted.
core::Result<std::vector<account::TokenHash>> deleteSessions(
    Connection& c, acd::AgentKey agent, const std::optional<account::TokenHash>& keep);

// Appends an agent's state change and makes it current (recordAgentState's job).
core::Result<void> writeAgentState(Connection& c, acd::OrgId org, acd::AgentKey agent,
                                   const acd::StateChange& change);

// ---- calls (sqlite_store_calls.cpp, sqlite_store_notes.cpp) ----
inline constexpr std::string_view kCallColumns =
    "SELECT id, caller, called, menu, agent_key, arrived, queued, answered, ended, result, ended_by, recording, "
    "direction, hold_ms, end_reason, callback_id, from_call FROM calls ";
// The rows of a statement that selects kCallColumns, each with its offers and notes.
core::Result<std::vector<acd::CallRecord>> readCalls(Connection& c, Statement& stmt, acd::OrgId org);
// Saves an agent's note on an ended call of the org (CallRecordStore::saveNote's rules).
core::Result<acd::CallNote> writeNote(Connection& c, const acd::NoteWrite& note);
// The org's ended calls that arrived in [from, to), as readCalls gives them.
core::Result<std::vector<acd::CallRecord>> readClosedCalls(Connection& c, acd::OrgId org, core::Time from,
                                                           core::Time to);

// ---- notices and FAQ (sqlite_store_content.cpp) ----
// applyImport's part for one org: its notices and FAQ become `content`'s, matched by
// key (created, updated when they differ, the others removed), counted in `summary`.
core::Result<void> replaceContent(Connection& c, acd::OrgId org, const acd::OrgContent& content,
                                  acd::ImportSummary& summary, core::Time now);

// ---- statistics (sqlite_store_rollups.cpp) ----
core::Result<core::Duration> serviceLevelOf(Connection& c, acd::OrgId org);
// What a call that has just ended adds to the roll-ups (the org's service level now).
core::Result<void> rollUpCall(Connection& c, const acd::CallRecord& call);
// What a finished agent state span adds to the roll-ups (after-call work, breaks).
core::Result<void> rollUpSpan(Connection& c, acd::OrgId org, const acd::AgentStateSpan& span);
// Adds `delta` notes of `category` to the bucket that starts at `bucket`.
core::Result<void> addCategoryNotes(Connection& c, acd::OrgId org, core::Time bucket, const std::string& category,
                                    std::int64_t delta);
// The org's agents' state spans over [from, end) (StatsStore::stateSpans). closed_only:
// without the spans still going on (those end where each agent's current state began).
core::Result<std::vector<acd::AgentStateSpan>> readStateSpans(Connection& c, acd::OrgId org, core::Time from,
                                                              core::Time end, bool closed_only);

}  // namespace sb::store::detail
