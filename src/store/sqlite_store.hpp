#pragma once
// The directory and the account data (credentials, sessions) in SQLite. Every method
// is one Database::read or one Database::write job, so each write is one transaction
// (all or nothing) and is durable when it returns.
//
// Reading order: sqlite_store_directory.cpp (lookups, agents), sqlite_store_import.cpp
// (admin import), sqlite_store_account.cpp (logins, sessions),
// sqlite_store_agent_state.cpp (agent states and their history), sqlite_store_calls.cpp
// (call records, the writer's batches), sqlite_store_notes.cpp (notes, callbacks, the
// recording audit log), sqlite_store_stats.cpp and sqlite_store_rollups.cpp (what the
// statistics read, and the roll-ups every record write keeps), sqlite_store_content.cpp
// (notices, FAQ, inquiries), detail/rows.hpp (the row mapping they share).
#include <filesystem>
#include <memory>

#include "account/account_store.hpp"
#include "acd/agent_state_store.hpp"
#include "acd/call_record_store.hpp"
#include "acd/center_store.hpp"
#include "acd/content_store.hpp"
#include "acd/directory.hpp"
#include "acd/stats_store.hpp"
#include "store/database.hpp"

namespace sb::store {

class SqliteStore final : public acd::DirectoryStore,
                          public acd::AgentStateStore,
                          public acd::CallRecordStore,
                          public acd::CenterStore,
                          public acd::StatsStore,
                          public acd::ContentStore,
                          public account::AccountStore {
 public:
  // Uses a database someone else owns (and may share with other stores).
  explicit SqliteStore(Database& db);
  // Opens <data_dir>/switchboard.db and owns it.
  static core::Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& data_dir);

  Database& database() { return db_; }

  // ---- acd::DirectoryStore ----
  core::Result<acd::Org> findOrg(std::string_view name) override;
  core::Result<acd::Org> findOrgById(acd::OrgId id) override;
  core::Result<std::vector<acd::Org>> listOrgs() override;
  core::Result<std::optional<acd::OrgId>> findOrgByNumber(std::string_view number) override;

  core::Result<acd::Agent> findAgent(acd::OrgId org, std::string_view agent_id) override;
  core::Result<acd::Agent> findAgentByKey(acd::OrgId org, acd::AgentKey key) override;
  core::Result<std::vector<acd::Agent>> listAgents(acd::OrgId org) override;

  // A new agent starts with must_change_password false and password_changed_at = now.
  core::Result<acd::Agent> createAgent(acd::OrgId org, const acd::AgentImport& agent,
                                       core::Time now) override;
  core::Result<acd::Agent> updateAgent(acd::OrgId org, std::string_view agent_id,
                                       const acd::AgentPatch& patch, core::Time now) override;

  core::Result<std::vector<acd::Trunk>> listTrunks() override;  // by name

  // Beyond the interface's comment: a duplicate natural key inside the import itself or
  // a menu digit other than "0".."9" is kInvalidInput; an import that disables an agent
  // or changes its password hash also deletes that agent's sessions.
  core::Result<acd::ImportSummary> applyImport(const acd::DirectoryImport& import,
                                               core::Time now) override;
  core::Result<bool> isEmpty() override;

  // ---- acd::AgentStateStore ----
  // A stored state text this release does not know reads as Offline (and is logged).
  core::Result<std::vector<acd::StoredAgentState>> loadAgentStates(acd::OrgId org) override;
  core::Result<acd::StoredAgentState> loadAgentState(acd::OrgId org, acd::AgentKey agent) override;
  core::Result<void> recordAgentState(acd::OrgId org, acd::AgentKey agent,
                                      const acd::StateChange& change) override;

  // ---- acd::CallRecordStore ----
  core::Result<void> openCall(const acd::CallRecord& record) override;
  core::Result<void> closeCall(const acd::CallRecord& record) override;
  core::Result<std::size_t> closeInterrupted(core::Time now) override;
  core::Result<std::vector<acd::CallRecord>> listCalls(acd::OrgId org, core::Time from, core::Time to,
                                                       std::size_t limit) override;
  core::Result<std::vector<acd::CallRecord>> callHistory(acd::OrgId org, const acd::HistoryQuery& query) override;
  core::Result<acd::CallRecord> findCall(acd::OrgId org, acd::CallId call) override;
  core::Result<std::int64_t> saveCallback(acd::OrgId org, acd::CallId call, const std::string& number,
                                          acd::MenuIndex menu, core::Time at) override;
  core::Result<std::vector<acd::StoredCallback>> pendingCallbacks(acd::OrgId org) override;
  core::Result<acd::CallNote> saveNote(const acd::NoteWrite& note) override;
  core::Result<std::vector<acd::CallRecord>> customerCalls(acd::OrgId org, const std::string& customer,
                                                           std::optional<acd::HistoryCursor> before,
                                                           std::size_t limit) override;
  core::Result<void> logRecordingAccess(const acd::RecordingAccess& access) override;
  core::Result<std::vector<acd::StoredCallback>> listCallbacks(acd::OrgId org, acd::CallbackStatus status,
                                                               std::optional<acd::CallbackCursor> after,
                                                               std::size_t limit) override;
  core::Result<acd::StoredCallback> findCallback(acd::OrgId org, std::int64_t id) override;
  core::Result<acd::StoredCallback> deleteCallback(acd::OrgId org, std::int64_t id, acd::AgentKey by,
                                                   core::Time now) override;

  // ---- acd::StatsStore (sqlite_store_stats.cpp) ----
  core::Result<std::vector<acd::CallRecord>> statsCalls(acd::OrgId org, core::Time from, core::Time to) override;
  core::Result<std::vector<acd::AgentStateSpan>> stateSpans(acd::OrgId org, core::Time from, core::Time to,
                                                            core::Time now) override;
  // (sqlite_store_rollups.cpp)
  core::Result<std::optional<acd::Statistics>> rolledUp(acd::OrgId org, core::Time from, core::Time to,
                                                         core::Time now, unsigned parts,
                                                         std::optional<acd::AgentKey> agent) override;
  core::Result<std::optional<std::vector<std::pair<core::Time, acd::CallFigures>>>> rolledUpBuckets(
      acd::OrgId org, core::Time from, core::Time to) override;
  // One step of recounting the roll-ups of an org that needs it (after the migration
  // that added them, or a change of its service level): six hours of its buckets, in
  // one write. false when no org needs it (any more).
  core::Result<bool> rebuildRollupsStep(core::Time now);

  // ---- acd::ContentStore (sqlite_store_content.cpp) ----
  core::Result<std::vector<acd::Notice>> listNotices(acd::OrgId org, core::Time now,
                                                     std::optional<acd::NoticeCursor> after,
                                                     std::size_t limit) override;
  core::Result<acd::Notice> findNotice(acd::OrgId org, std::int64_t id, core::Time now) override;
  core::Result<std::vector<acd::FaqEntry>> listFaq(acd::OrgId org) override;
  core::Result<acd::Inquiry> saveInquiry(const acd::Inquiry& inquiry, const acd::InquiryLimit& limit) override;
  core::Result<std::vector<acd::Inquiry>> listInquiries(acd::OrgId org, std::optional<acd::AgentKey> agent,
                                                        std::optional<acd::InquiryCursor> before,
                                                        std::size_t limit) override;

  // ---- acd::CenterStore ----
  core::Result<std::vector<core::Result<void>>> writeBatch(std::span<const acd::CenterWrite> writes) override;
  core::Result<acd::CallId> nextCallId() override;

  // ---- account::AccountStore ----
  core::Result<account::LoginRecord> findLogin(std::string_view org_name,
                                               std::string_view agent_id) override;
  core::Result<account::Credentials> findCredentials(acd::AgentKey agent) override;
  core::Result<void> setPassword(acd::AgentKey agent, const account::Credentials& credentials,
                                 std::optional<account::TokenHash> keep) override;

  // kNotFound when the agent does not exist in session.org; kConflict for a token
  // hash already stored.
  core::Result<void> createSession(const account::SessionRecord& session) override;
  core::Result<account::SessionRecord> findSession(const account::TokenHash& token_hash) override;
  // Deleting a session that does not exist succeeds: logging out twice is harmless.
  core::Result<void> deleteSession(const account::TokenHash& token_hash) override;
  core::Result<std::vector<account::TokenHash>> deleteSessionsOf(
      acd::AgentKey agent, std::optional<account::TokenHash> keep) override;
  // A session of the agent with expires_at > now.
  core::Result<bool> hasLiveSession(acd::AgentKey agent, core::Time now) override;
  // Deletes sessions with expires_at <= now; returns how many.
  core::Result<int> deleteExpiredSessions(core::Time now) override;

 private:
  explicit SqliteStore(std::unique_ptr<Database> owned);

  std::unique_ptr<Database> owned_;  // null when the database belongs to someone else
  Database& db_;
};

}  // namespace sb::store
