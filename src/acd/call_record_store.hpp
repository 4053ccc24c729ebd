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
};

}  // namespace sb::acd
