#pragma once
// Where call records and callback requests are kept (N4, N5, K1, I1–I3). Declared here,
// by its user; implemented by store::SqliteStore.
//
// A call is written twice: when it arrives (result "in_progress"), so that a crash
// leaves a trace, and when it ends, with everything. At start, closeInterrupted() turns
// what a crash left open into "interrupted" records. Writes are durable when they
// return (a record the API reports is on disk). Call ids are unique across orgs (the
// server hands them out).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "acd/call_center.hpp"
#include "acd/center_store.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::acd {

struct StoredCallback {
  std::int64_t id = 0;
  OrgId org = 0;
  CallId call = 0;  // the call that asked for it
  std::string number;
  MenuIndex menu = 0;
  core::Time requested{};
  std::optional<core::Time> done;  // K2: when an agent completed it
  std::optional<AgentKey> done_by;
  std::optional<CallId> done_call;  // the call whose note completed it
  std::optional<core::Time> deleted;  // K1: an agent removed it (kept for the record)
  std::optional<AgentKey> deleted_by;
};

enum class CallbackStatus { kPending, kDone };

struct CallbackCursor {  // the last callback of the previous page
  core::Time at{};  // requested (pending) or done (done)
  std::int64_t id = 0;
};

// I4: one access to a call's recording (who, when, from where, which bytes).
struct RecordingAccess {
  OrgId org = 0;
  CallId call = 0;
  AgentKey agent = 0;
  core::Time at{};
  std::string client_ip;
  std::string range;  // the Range header as sent; empty for the whole file
};

// I1–I3: the history tabs. `mine`: the calls the agent took or made; `unconnected`: the
// org's customer calls nobody answered (abandoned, callback requests, no agent); `all`:
// the org's calls. Extension (internal) calls are in neither `mine` nor `all` (I3).
enum class HistoryTab { kMine, kUnconnected, kAll };

struct HistoryCursor {  // the last call of the previous page
  core::Time arrived{};
  CallId call = 0;
};

struct HistoryQuery {
  HistoryTab tab = HistoryTab::kAll;
  AgentKey agent = 0;                   // for kMine
  std::optional<HistoryCursor> before;  // none: the newest
  std::size_t limit = 50;               // 1..1000
};

class CallRecordStore {
 public:
  virtual ~CallRecordStore() = default;

  // The call arrived: a row with result "in_progress" (kConflict if the id is taken).
  virtual core::Result<void> openCall(const CallRecord& record) = 0;
  // The call ended: its whole record (inserted if openCall never ran).
  virtual core::Result<void> closeCall(const CallRecord& record) = 0;
  // Calls a crash left open: ended at `now` with result "interrupted"; returns how many.
  virtual core::Result<std::size_t> closeInterrupted(core::Time now) = 0;
  // The org's ended calls that arrived in [from, to), newest first, at most `limit`.
  virtual core::Result<std::vector<CallRecord>> listCalls(OrgId org, core::Time from, core::Time to,
                                                          std::size_t limit) = 0;

  // A page of ended calls, newest first (by arrival, then id).
  virtual core::Result<std::vector<CallRecord>> callHistory(OrgId org, const HistoryQuery& query) = 0;
  // One ended call of the org; kNotFound for another org's, an unknown or a running one.
  virtual core::Result<CallRecord> findCall(OrgId org, CallId call) = 0;

  // K1: a callback request; returns its id.
  virtual core::Result<std::int64_t> saveCallback(OrgId org, CallId call, const std::string& number,
                                                  MenuIndex menu, core::Time at) = 0;
  // K1: the org's pending callbacks, oldest first.
  virtual core::Result<std::vector<StoredCallback>> pendingCallbacks(OrgId org) = 0;

  // G1–G5: the author's note on an ended call of the org, created or replacing the
  // author's earlier one; returns it as stored. kNotFound: no such ended call in the org;
  // kForbidden: the author neither answered, took over nor made the call. A note on an
  // answered call that was dialled for a callback marks that callback done (K2).
  virtual core::Result<CallNote> saveNote(const NoteWrite& note) = 0;
  // D2: the org's ended calls with `customer` (CallRecord::customer), newest first,
  // before `before` when given.
  virtual core::Result<std::vector<CallRecord>> customerCalls(OrgId org, const std::string& customer,
                                                              std::optional<HistoryCursor> before,
                                                              std::size_t limit) = 0;
  // I4: the audit log of recordings.
  virtual core::Result<void> logRecordingAccess(const RecordingAccess& access) = 0;

  // K1/K2: pending callbacks oldest first, done ones newest first; deleted ones never.
  virtual core::Result<std::vector<StoredCallback>> listCallbacks(OrgId org, CallbackStatus status,
                                                                  std::optional<CallbackCursor> after,
                                                                  std::size_t limit) = 0;
  // One callback of the org (deleted ones too); kNotFound for another org's or unknown.
  virtual core::Result<StoredCallback> findCallback(OrgId org, std::int64_t id) = 0;
  // K1: removes a callback from the lists, kept as deleted; kNotFound when it is not the
  // org's or already deleted.
  virtual core::Result<StoredCallback> deleteCallback(OrgId org, std::int64_t id, AgentKey by, core::Time now) = 0;
};

}  // namespace sb::acd
