#pragma once
// The call, queue and callback events of the events WebSocket, as sent (docs/events.md):
// `call.offered`, `call.answered`, `call.held`, `call.resumed`, `call.transferred`,
// `call.ended`, `queue.waiting`, `callback.created`. Agents are named by their agent ID
// (as in `agent.state`).
#include <array>
#include <cstddef>
#include <functional>
#include <string>

#include <boost/json/value.hpp>

#include "acd/call_center.hpp"
#include "acd/directory.hpp"

namespace sb::api {

using AgentIdOf = std::function<std::string(acd::AgentKey)>;

// The menu of a call as {digit, name} (null when none; name null for a menu since removed).
boost::json::value menuJson(const acd::Org& org, std::optional<acd::MenuIndex> menu);

// The event of a notice; empty for a kind the app is not told about.
std::string callNoticeEvent(const acd::CallNotice& notice, const acd::Org& org, const AgentIdOf& agent_id);
// H2: customers waiting now in each of the org's menus and in all.
std::string queueWaitingEvent(const acd::Org& org, const std::array<std::size_t, acd::kMenuCount>& waiting);
// K1: a customer asked to be called back (the callback's id is its call's id).
std::string callbackCreatedEvent(const acd::Org& org, acd::CallId call, const std::string& number,
                                 acd::MenuIndex menu, core::Time at);

}  // namespace sb::api
