#include "api/call_events.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace sb::api {

namespace {

std::int64_t millis(core::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

boost::json::value agentOrNull(const AgentIdOf& agent_id, acd::AgentKey key) {
  if (key == 0) return nullptr;
  std::string id = agent_id(key);
  if (id.empty()) return nullptr;
  return boost::json::value(std::move(id));
}

}  // namespace

boost::json::value menuJson(const acd::Org& org, std::optional<acd::MenuIndex> menu) {
  if (!menu) return nullptr;
  const std::string digit(1, static_cast<char>('0' + *menu));
  for (const acd::Menu& m : org.menus) {
    if (m.digit == digit) return boost::json::object{{"digit", m.digit}, {"name", m.name}};
  }
  return boost::json::object{{"digit", digit}, {"name", nullptr}};
}

std::string callNoticeEvent(const acd::CallNotice& n, const acd::Org& org, const AgentIdOf& agent_id) {
  const acd::CallRecord& r = n.record;
  boost::json::object e;
  auto common = [&](const char* type) {
    e["type"] = type;
    e["call"] = static_cast<std::int64_t>(r.call);
  };
  switch (n.kind) {
    case acd::CallNoticeKind::kOffered:
      common("call.offered");
      e["direction"] = acd::toString(r.direction);
      e["customer"] = r.customer();
      e["menu"] = menuJson(org, r.menu);
      e["wait_ms"] = millis(n.at - r.arrived);
      e["agent"] = agentOrNull(agent_id, n.agent);
      // A transfer: who offers it (the agent talking to the customer now).
      if (r.direction == acd::CallDirection::kInternal) {  // N6: a colleague calls
        e["from"] = agentOrNull(agent_id, n.target);
        e["transfer_from"] = nullptr;
      } else {
        e["transfer_from"] = agentOrNull(agent_id, n.target);  // set for a transfer only
      }
      break;
    case acd::CallNoticeKind::kAnswered:
      common("call.answered");
      e["agent"] = agentOrNull(agent_id, n.agent);
      e["answered_at"] = core::toRfc3339(n.at);
      break;
    case acd::CallNoticeKind::kHeld:
      common("call.held");
      e["agent"] = agentOrNull(agent_id, n.agent);
      e["at"] = core::toRfc3339(n.at);
      break;
    case acd::CallNoticeKind::kResumed:
      common("call.resumed");
      e["agent"] = agentOrNull(agent_id, n.agent);
      e["at"] = core::toRfc3339(n.at);
      e["hold_ms"] = millis(r.hold);
      break;
    case acd::CallNoticeKind::kTransferRinging:
    case acd::CallNoticeKind::kTransferAnswered:
    case acd::CallNoticeKind::kTransferReturned:
      common("call.transferred");
      e["from"] = agentOrNull(agent_id, n.agent);
      e["to"] = agentOrNull(agent_id, n.target);
      e["outcome"] = n.kind == acd::CallNoticeKind::kTransferRinging    ? "ringing"
                     : n.kind == acd::CallNoticeKind::kTransferAnswered ? "answered"
                                                                         : "returned";
      e["at"] = core::toRfc3339(n.at);
      break;
    case acd::CallNoticeKind::kEnded:
      common("call.ended");
      e["agent"] = agentOrNull(agent_id, n.agent);
      e["result"] = acd::toString(r.result);
      e["ended_at"] = core::toRfc3339(r.ended);
      e["ended_by"] = r.ended_by;
      break;
  }
  return boost::json::serialize(e);
}

std::string queueWaitingEvent(const acd::Org& org, const std::array<std::size_t, acd::kMenuCount>& waiting) {
  boost::json::array menus;
  std::size_t total = 0;
  for (const acd::Menu& m : org.menus) {
    if (m.digit.size() != 1 || m.digit[0] < '0' || m.digit[0] > '9') continue;
    const std::size_t n = waiting[static_cast<std::size_t>(m.digit[0] - '0')];
    total += n;
    menus.push_back(boost::json::object{{"digit", m.digit}, {"name", m.name}, {"waiting", n}});
  }
  return boost::json::serialize(boost::json::object{{"type", "queue.waiting"}, {"menus", std::move(menus)}, {"total", total}});
}

std::string callbackCreatedEvent(const acd::Org& org, acd::CallId call, const std::string& number,
                                 acd::MenuIndex menu, core::Time at) {
  return boost::json::serialize(boost::json::object{
      {"type", "callback.created"},
      {"callback", boost::json::object{{"id", static_cast<std::int64_t>(call)},
                                       {"call", static_cast<std::int64_t>(call)},
                                       {"number", number},
                                       {"menu", menuJson(org, menu)},
                                       {"requested_at", core::toRfc3339(at)}}}});
}

}  // namespace sb::api
