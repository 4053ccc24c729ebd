#pragma once
// The HTTP API under /api/v1 (docs/openapi.yaml): sessions, the agent's own account and
// state, calls and what agents do with them (api_calls.cpp), statistics (api_stats.cpp),
// notices, FAQ and inquiries (api_content.cpp), agent administration, the events
// WebSocket, plus /healthz and /metrics.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "account/account_service.hpp"
#include "acd/call_record_store.hpp"
#include "acd/content_store.hpp"
#include "acd/directory.hpp"
#include "acd/stats_store.hpp"
#include "api/agent_states.hpp"
#include "api/call_control.hpp"
#include "api/event_hub.hpp"
#include "api/http_types.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"
#include "core/clock.hpp"

namespace sb::api {

struct ApiOptions {
  bool metrics_public = false;  // false: /metrics answers loopback clients only
  std::chrono::seconds ws_auth_timeout{10};
  std::chrono::seconds ws_idle_timeout{60};  // a ping goes out at half of it
  std::chrono::seconds ws_session_recheck{30};  // sessions ended by another process
};

class ApiV1 {
 public:
  ApiV1(account::AccountService& accounts, acd::DirectoryStore& directory, acd::CallRecordStore& calls,
        acd::StatsStore& stats, acd::ContentStore& content, AgentStates& states, CallControl& control,
        EventHub& hub, Metrics& metrics, boost::asio::thread_pool& workers,
        const core::Clock& clock, ApiOptions options = {});
  void registerRoutes(Router& router);

 private:
  using Response = boost::asio::awaitable<HttpResponse>;
  struct Caller {
    account::Session session;
    acd::Agent agent;
    acd::Org org;
  };
  // Authenticates the bearer token and loads the caller's agent and org; on failure
  // `problem` holds the response to send.
  struct AuthResult {
    std::optional<Caller> caller;
    HttpResponse problem;
  };
  boost::asio::awaitable<AuthResult> authenticate(const RequestContext& ctx, bool admin_only);
  // The session of a bearer token with its agent and org (blocking parts on a worker).
  boost::asio::awaitable<core::Result<Caller>> loadCaller(std::string token);

  Response healthz(RequestContext& ctx);
  Response metrics(RequestContext& ctx);
  Response createSession(RequestContext& ctx);
  Response deleteSession(RequestContext& ctx);
  Response getMe(RequestContext& ctx);
  Response changePassword(RequestContext& ctx);
  Response getMyState(RequestContext& ctx);
  Response putMyState(RequestContext& ctx);
  Response listAgents(RequestContext& ctx);
  Response createAgent(RequestContext& ctx);
  Response patchAgent(RequestContext& ctx);
  Response resetPassword(RequestContext& ctx);
  // api_calls.cpp
  Response listCalls(RequestContext& ctx);
  Response getCall(RequestContext& ctx);
  Response getMyCall(RequestContext& ctx);
  Response holdCall(RequestContext& ctx);
  Response unholdCall(RequestContext& ctx);
  Response holdOrResume(RequestContext& ctx, bool held);
  Response transferCall(RequestContext& ctx);
  Response hangUpCall(RequestContext& ctx);
  Response listOrgAgents(RequestContext& ctx);
  Response putNote(RequestContext& ctx);
  Response getRecording(RequestContext& ctx);
  Response listCallbacks(RequestContext& ctx);
  Response deleteCallback(RequestContext& ctx);
  Response postCall(RequestContext& ctx);
  // api_content.cpp
  Response listNotices(RequestContext& ctx);
  Response getNotice(RequestContext& ctx);
  Response listFaq(RequestContext& ctx);
  Response postInquiry(RequestContext& ctx);
  Response listInquiries(RequestContext& ctx);
  // api_stats.cpp
  Response getStats(RequestContext& ctx);
  Response getDashboard(RequestContext& ctx);
  Response dialCallback(RequestContext& ctx);
  // E1–E4: classify `to` (E3 refusals are 403 and a security log line) and dial it.
  Response dialAndAnswer(RequestContext& ctx, const Caller& caller, std::string to,
                         std::optional<acd::CallId> from_call, std::optional<std::int64_t> callback);
  boost::asio::awaitable<void> eventsSocket(WebSocket ws, HttpRequest req, std::string client_ip);

  account::AccountService& accounts_;
  acd::DirectoryStore& directory_;
  acd::CallRecordStore& calls_;
  acd::StatsStore& stats_;
  acd::ContentStore& content_;
  AgentStates& states_;
  CallControl& control_;
  EventHub& hub_;
  Metrics& metrics_;
  boost::asio::thread_pool& workers_;
  const core::Clock& clock_;
  ApiOptions options_;
};

}  // namespace sb::api
