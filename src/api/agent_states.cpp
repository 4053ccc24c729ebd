#include "api/agent_states.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace sb::api {

std::string agentStateEvent(const std::string& agent_id, const acd::StateChange& change) {
  return boost::json::serialize(boost::json::object{{"type", "agent.state"},
                                                    {"agent", agent_id},
                                                    {"state", acd::toString(change.to)},
                                                    {"since", core::toRfc3339(change.at)},
                                                    {"from", acd::toString(change.from)},
                                                    {"cause", acd::toString(change.cause)}});
}

}  // namespace sb::api
