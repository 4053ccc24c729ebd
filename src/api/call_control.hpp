#pragma once
// What the API needs of the live calls (D2–D3, F3–F4, G3): the call an agent is on, and
// the agent's actions on it. The contact center owns the calls (app::ContactCenter, on
// the strand where routing decides), so an action is decided against the same view that
// rings and connects. Thread-safe; the actions block until what they changed is durable
// (call them from a worker).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "acd/call_center.hpp"
#include "acd/dial_plan.hpp"
#include "core/result.hpp"

namespace sb::api {

class CallControl {
 public:
  virtual ~CallControl() = default;

  // The call the agent is on, dialling or being offered; nullopt when none.
  virtual core::Result<std::optional<acd::LiveCall>> liveCall(acd::OrgId org, acd::AgentKey agent) = 0;
  // F3. Errors: kNotFound (not a call the agent is talking on), kConflict (not connected,
  // or a transfer is ringing).
  virtual core::Result<void> hold(acd::OrgId org, acd::AgentKey agent, acd::CallId call, bool held) = 0;
  // F4. Errors: kNotFound (not the agent's call, or no such target), kConflict (the
  // target is not Ready, or a transfer is ringing), kInvalidInput (to itself).
  virtual core::Result<void> transfer(acd::OrgId org, acd::AgentKey agent, acd::CallId call,
                                      acd::AgentKey target) = 0;
  // E1–E4, N6 from the app: ring the agent's own phone, then the number (through the
  // trunk, the org's number as caller ID) or the colleague (`target` as classified by
  // acd::classifyDial: an ExtensionDial or a DomesticDial). Returns the new call's id.
  // Errors: kForbidden (logged out), kConflict (the agent is on a call, or the colleague
  // is busy), kNotFound (no such colleague), kUnavailable (no trunk or no org number to
  // call from), kInvalidInput (a target that is neither).
  struct DialRequest {
    acd::DialTarget target;
    std::optional<acd::CallId> from_call;
    std::optional<std::int64_t> callback;
  };
  virtual core::Result<acd::CallId> dial(acd::OrgId org, acd::AgentKey agent, const DialRequest& request) = 0;
  // D3. kNotFound: not the agent's call.
  virtual core::Result<void> hangUp(acd::OrgId org, acd::AgentKey agent, acd::CallId call) = 0;
  // H2: the customers waiting now in each menu's queue (index = the menu's digit).
  virtual core::Result<std::array<std::size_t, acd::kMenuCount>> waitingNow(acd::OrgId org) = 0;
  // Returns once every record of a call that ended before now is durable (a note on a
  // call that just ended then finds it).
  virtual core::Result<void> recordsWritten() = 0;
};

}  // namespace sb::api
