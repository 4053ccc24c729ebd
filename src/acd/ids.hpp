#pragma once
// The keys of orgs and agents, for headers that refer to them without needing the
// directory's values (directory.hpp includes this; so does content.hpp, which the
// directory's import includes).
#include <cstdint>

namespace sb::acd {

using OrgId = int64_t;
using AgentKey = int64_t;  // the agent's row key; the agent ID (a string) is what people use

}  // namespace sb::acd
