#pragma once
// JSON shapes of the directory for API responses (docs/openapi.yaml).
#include <boost/json/value.hpp>

#include "acd/directory.hpp"

namespace sb::api {

// {id, name, org, admin, menus}
boost::json::object agentSummaryJson(const acd::Agent& agent, const acd::Org& org);
// Admin view: the summary plus enabled, sip_secret, sip_uri, created_at.
boost::json::object agentAdminJson(const acd::Agent& agent, const acd::Org& org);
// {name, domain, timezone, country_code, numbers, categories, menus:[{digit,name}], …}
boost::json::object orgJson(const acd::Org& org);

}  // namespace sb::api
