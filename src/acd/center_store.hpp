#pragma once
// Where the contact center's running writes go (agent states, call records, callback
// requests), as one batch in the order they happened. Declared here, by its user;
// implemented by store::SqliteStore.
//
// Why a batch: a busy contact center changes several states and records per call (an
// offer, an answer, the call's end, the agent's after-call state); writing each in its
// own transaction would cost an fsync each. `app` queues them to one writer thread that
// hands whatever is waiting to writeBatch: one transaction, one fsync, in order.
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "acd/call_center.hpp"
#include "core/result.hpp"

namespace sb::acd {

// G1–G5: an agent's note on a call (created, or replacing that agent's earlier one).
struct NoteWrite {
  OrgId org = 0;
  CallId call = 0;
  AgentKey author = 0;
  std::string category;
  std::string text;
  core::Time at{};
};
struct AgentStateWrite {
  OrgId org = 0;
  AgentKey agent = 0;
  StateChange change;
  // G3: a note saved with the change, all or nothing (Ready/Break from after-call work).
  std::optional<NoteWrite> note;
};
struct CallOpenWrite {  // the call arrived (see CallRecordStore::openCall)
  CallRecord record;
};
struct CallCloseWrite {  // the call ended (see CallRecordStore::closeCall)
  CallRecord record;
};
struct CallbackWrite {
  OrgId org = 0;
  CallId call = 0;
  std::string number;
  MenuIndex menu = 0;
  core::Time at{};
};
using CenterWrite = std::variant<AgentStateWrite, CallOpenWrite, CallCloseWrite, CallbackWrite, NoteWrite>;

class CenterStore {
 public:
  virtual ~CenterStore() = default;
  // Writes `writes` in order in one transaction, durable when it returns. Each write
  // stands alone: one that fails (e.g. an agent deleted meanwhile) is undone by itself
  // and its error is at its index of the result; the others are kept. The outer error
  // is a failed commit (nothing kept).
  virtual core::Result<std::vector<core::Result<void>>> writeBatch(std::span<const CenterWrite> writes) = 0;
  // A call id no stored call has (ids are unique across orgs and restarts).
  virtual core::Result<CallId> nextCallId() = 0;
};

}  // namespace sb::acd
