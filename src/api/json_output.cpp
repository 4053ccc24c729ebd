#include "api/json_output.hpp"

#include "core/clock.hpp"

namespace sb::api {
namespace {

boost::json::array strings(const std::vector<std::string>& v) {
  boost::json::array a;
  a.reserve(v.size());
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

boost::json::object agentSummaryJson(const acd::Agent& agent, const acd::Org& org) {
  return {{"id", agent.id},
          {"name", agent.name},
          {"org", org.name},
          {"admin", agent.admin},
          {"menus", strings(agent.menus)}};
}

boost::json::object agentAdminJson(const acd::Agent& agent, const acd::Org& org) {
  auto o = agentSummaryJson(agent, org);
  o["enabled"] = agent.enabled;
  o["sip_secret"] = agent.sip_secret;
  o["sip_uri"] = "sip:" + agent.id + "@" + org.domain;
  o["created_at"] = core::toRfc3339(agent.created_at);
  return o;
}

boost::json::object orgJson(const acd::Org& org) {
  boost::json::array menus;
  for (const auto& m : org.menus) menus.push_back(boost::json::object{{"digit", m.digit}, {"name", m.name}});
  return {{"name", org.name},
          {"domain", org.domain},
          {"timezone", org.timezone},
          {"country_code", org.country_code},
          {"numbers", strings(org.numbers)},
          {"categories", strings(org.categories)},
          {"menus", std::move(menus)},
          {"after_login", acd::toString(org.after_login)},
          {"after_call", acd::toString(org.after_call)},
          {"ring_timeout_s", org.ring_timeout_s},
          {"service_level_s", org.service_level_s},
          {"password_max_age_days", org.password_max_age_days}};
}

}  // namespace sb::api
