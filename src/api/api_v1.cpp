#include "api/api_v1.hpp"

#include <charconv>
#include <cstdint>
#include <unordered_map>

#include "account/password_policy.hpp"

#include <boost/beast/websocket/stream.hpp>
#include <boost/json/serialize.hpp>

#include "api/api_v1_detail.hpp"
#include "api/bearer.hpp"
#include "api/json_input.hpp"
#include "api/json_output.hpp"
#include "api/problem.hpp"
#include "api/worker.hpp"
#include "core/check.hpp"
#include "core/log.hpp"

namespace sb::api {

namespace http = boost::beast::http;
using boost::asio::awaitable;
using core::ErrorCode;

namespace detail {

// Request bodies must say they are JSON: this also keeps plain HTML forms on other
// sites from posting to the API (they cannot set this type without a CORS preflight).
std::optional<HttpResponse> requireJson(const RequestContext& ctx) {
  auto it = ctx.request.find(http::field::content_type);
  std::string_view type = it == ctx.request.end() ? std::string_view{} : std::string_view(it->value());
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (type.size() == 16 && strncasecmp(type.data(), "application/json", 16) == 0) return std::nullopt;
  return problem(http::status::unsupported_media_type, "unsupported-media-type",
                 "Unsupported media type", "The request body must be application/json.");
}

HttpResponse invalidBody(const JsonInput& in) {
  const bool not_json = !in.problems().empty() && in.problems().front().rfind("the body", 0) == 0;
  if (not_json) {
    return problem(http::status::bad_request, "malformed-body", "Malformed body", in.describeProblems());
  }
  return problem(http::status::unprocessable_entity, "invalid-input", "Invalid input",
                 in.describeProblems());
}

}  // namespace detail

namespace {

// Errors of setting a password: the policy refused the new one (422 weak-password) or
// the current one was wrong (403 wrong-password).
HttpResponse passwordProblem(const core::Error& e) {
  if (e.code == ErrorCode::kInvalidInput) {
    return problem(http::status::unprocessable_entity, "weak-password", "Password not accepted", e.message);
  }
  if (e.code == ErrorCode::kForbidden) {
    return problem(http::status::forbidden, "wrong-password", "Wrong password", e.message);
  }
  return problemFromError(e);
}

}  // namespace

namespace detail {

HttpResponse unauthenticated(std::string_view detail) {
  HttpResponse r = problem(http::status::unauthorized, "unauthenticated", "Not authenticated", detail);
  r.set(http::field::www_authenticate, "Bearer");
  return r;
}

// {state, since}. An agent never logged in has been Offline since it was created.
boost::json::object stateJson(const acd::AgentStatus& status, const acd::Agent& agent) {
  const core::Time since = status.since() == core::Time{} ? agent.created_at : status.since();
  return boost::json::object{{"state", acd::toString(status.state())},
                             {"since", core::toRfc3339(since)}};
}

// C3: a state the agent may not change now. The other errors of AgentStates::request
// map as usual (kInvalidInput cannot happen: the route checks the value first).
HttpResponse stateProblem(const core::Error& e) {
  if (e.code == ErrorCode::kConflict) {
    return problem(
        http::status::conflict, "state-locked", "State cannot be changed now",
        "The state cannot be changed while a call is ringing or in progress (" + e.message + ").");
  }
  if (e.code == ErrorCode::kForbidden) {
    return problem(http::status::conflict, "state-locked", "State cannot be changed now",
                   "The agent is logging out; log in again to choose a state.");
  }
  return problemFromError(e);
}

}  // namespace detail

using namespace detail;

ApiV1::ApiV1(account::AccountService& accounts, acd::DirectoryStore& directory, acd::CallRecordStore& calls,
             acd::StatsStore& stats, acd::ContentStore& content, AgentStates& states, CallControl& control,
             EventHub& hub, Metrics& metrics, boost::asio::thread_pool& workers,
             const core::Clock& clock, ApiOptions options)
    : accounts_(accounts),
      directory_(directory),
      calls_(calls),
      stats_(stats),
      content_(content),
      states_(states),
      control_(control),
      hub_(hub),
      metrics_(metrics),
      workers_(workers),
      clock_(clock),
      options_(options) {}

void ApiV1::registerRoutes(Router& router) {
  auto bind = [this](Response (ApiV1::*fn)(RequestContext&)) {
    return [this, fn](RequestContext& ctx) { return (this->*fn)(ctx); };
  };
  router.add(http::verb::get, "/healthz", bind(&ApiV1::healthz));
  router.add(http::verb::get, "/metrics", bind(&ApiV1::metrics));
  router.add(http::verb::post, "/api/v1/sessions", bind(&ApiV1::createSession));
  router.add(http::verb::delete_, "/api/v1/sessions/current", bind(&ApiV1::deleteSession));
  router.add(http::verb::get, "/api/v1/me", bind(&ApiV1::getMe));
  router.add(http::verb::put, "/api/v1/me/password", bind(&ApiV1::changePassword));
  router.add(http::verb::get, "/api/v1/me/state", bind(&ApiV1::getMyState));
  router.add(http::verb::put, "/api/v1/me/state", bind(&ApiV1::putMyState));
  router.add(http::verb::get, "/api/v1/calls", bind(&ApiV1::listCalls));
  router.add(http::verb::post, "/api/v1/calls", bind(&ApiV1::postCall));
  router.add(http::verb::get, "/api/v1/calls/{id}", bind(&ApiV1::getCall));
  router.add(http::verb::get, "/api/v1/calls/{id}/recording", bind(&ApiV1::getRecording));
  router.add(http::verb::put, "/api/v1/calls/{id}/note", bind(&ApiV1::putNote));
  router.add(http::verb::post, "/api/v1/calls/{id}/hold", bind(&ApiV1::holdCall));
  router.add(http::verb::post, "/api/v1/calls/{id}/unhold", bind(&ApiV1::unholdCall));
  router.add(http::verb::post, "/api/v1/calls/{id}/transfer", bind(&ApiV1::transferCall));
  router.add(http::verb::post, "/api/v1/calls/{id}/hangup", bind(&ApiV1::hangUpCall));
  router.add(http::verb::get, "/api/v1/me/call", bind(&ApiV1::getMyCall));
  router.add(http::verb::get, "/api/v1/stats", bind(&ApiV1::getStats));
  router.add(http::verb::get, "/api/v1/dashboard", bind(&ApiV1::getDashboard));
  router.add(http::verb::get, "/api/v1/agents", bind(&ApiV1::listOrgAgents));
  router.add(http::verb::get, "/api/v1/callbacks", bind(&ApiV1::listCallbacks));
  router.add(http::verb::delete_, "/api/v1/callbacks/{id}", bind(&ApiV1::deleteCallback));
  router.add(http::verb::post, "/api/v1/callbacks/{id}/dial", bind(&ApiV1::dialCallback));
  router.add(http::verb::get, "/api/v1/notices", bind(&ApiV1::listNotices));
  router.add(http::verb::get, "/api/v1/notices/{id}", bind(&ApiV1::getNotice));
  router.add(http::verb::get, "/api/v1/faq", bind(&ApiV1::listFaq));
  router.add(http::verb::get, "/api/v1/inquiries", bind(&ApiV1::listInquiries));
  router.add(http::verb::post, "/api/v1/inquiries", bind(&ApiV1::postInquiry));
  router.add(http::verb::get, "/api/v1/admin/agents", bind(&ApiV1::listAgents));
  router.add(http::verb::post, "/api/v1/admin/agents", bind(&ApiV1::createAgent));
  router.add(http::verb::patch, "/api/v1/admin/agents/{id}", bind(&ApiV1::patchAgent));
  router.add(http::verb::post, "/api/v1/admin/agents/{id}/password-reset", bind(&ApiV1::resetPassword));
  router.addWebSocket("/api/v1/events", [this](WebSocket ws, HttpRequest req, WebSocketContext info) {
    return eventsSocket(std::move(ws), std::move(req), std::move(info.client_ip));
  });
}

awaitable<core::Result<ApiV1::Caller>> ApiV1::loadCaller(std::string token) {
  co_return co_await onWorker(workers_, [&]() -> core::Result<Caller> {
    auto session = accounts_.authenticate(token);
    if (!session) return session.error();
    auto agent = directory_.findAgentByKey(session->org, session->agent);
    if (!agent) return agent.error();
    // A disabled agent's sessions are deleted, but a cached one may still be in flight.
    if (!agent->enabled) return core::makeError(ErrorCode::kUnauthenticated, "The session has ended. Log in again.");
    auto org = directory_.findOrgById(session->org);
    if (!org) return org.error();
    return Caller{*session, std::move(*agent), std::move(*org)};
  });
}

awaitable<ApiV1::AuthResult> ApiV1::authenticate(const RequestContext& ctx, bool admin_only) {
  AuthResult out;
  auto token = bearerToken(ctx.request);
  if (!token) {
    out.problem = unauthenticated("Send the session token as 'Authorization: Bearer <token>'.");
    co_return out;
  }
  std::string token_copy(*token);
  auto loaded = co_await loadCaller(std::move(token_copy));
  if (!loaded) {
    const auto code = loaded.error().code;
    if (code == ErrorCode::kUnauthenticated) out.problem = unauthenticated(loaded.error().message);
    else if (code == ErrorCode::kNotFound) out.problem = unauthenticated("The session has ended. Log in again.");
    else out.problem = problemFromError(loaded.error());
    co_return out;
  }
  if (admin_only && !loaded->agent.admin) {
    out.problem = problem(http::status::forbidden, "forbidden", "Forbidden",
                          "Only an administrator of the organization may do this.");
    co_return out;
  }
  out.caller = std::move(*loaded);
  co_return out;
}

awaitable<HttpResponse> ApiV1::healthz(RequestContext&) {
  co_return jsonResponse(http::status::ok, boost::json::object{{"status", "ok"}});
}

awaitable<HttpResponse> ApiV1::metrics(RequestContext& ctx) {
  if (!options_.metrics_public && !ctx.client_loopback) {
    co_return problem(http::status::not_found, "not-found", "Not found", "There is no resource at this path.");
  }
  HttpResponse r{http::status::ok, ctx.request.version()};
  r.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  r.body() = metrics_.render();
  r.prepare_payload();
  co_return r;
}

awaitable<HttpResponse> ApiV1::createSession(RequestContext& ctx) {
  if (auto bad = requireJson(ctx)) co_return *bad;
  JsonInput in = JsonInput::parse(ctx.request.body());
  auto org = in.requiredString("org", 200);
  auto agent = in.requiredString("agent", 200);
  auto password = in.requiredString("password", 1024, /*allow_control=*/true);
  in.rejectUnknownFields();
  if (!in.valid()) co_return invalidBody(in);

  auto result = co_await onWorker(workers_, [&]() -> core::Result<account::LoginResult> {
    auto login = accounts_.login(*org, *agent, *password, ctx.client_ip);
    if (!login) return login;
    // C2: Offline → the org's after_login state (no change when already logged in).
    auto state = states_.login(login->org, login->agent, clock_.now());
    if (!state) return state.error();
    return login;
  });
  if (!result) {
    if (result.error().code == ErrorCode::kUnauthenticated) {
      co_return problem(http::status::unauthorized, "invalid-credentials", "Login failed",
                        result.error().message);
    }
    co_return problemFromError(result.error());
  }
  boost::json::object body{
      {"token", result->token},
      {"expires_at", core::toRfc3339(result->session.expires_at)},
      {"agent", agentSummaryJson(result->agent, result->org)},
      {"must_change_password", result->must_change_password}};
  co_return jsonResponse(http::status::created, body);
}

awaitable<HttpResponse> ApiV1::deleteSession(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  auto session = auth.caller->session;
  auto done = co_await onWorker(workers_, [&]() -> core::Result<void> {
    if (auto out = accounts_.logout(session); !out) return out;
    // C4: Offline unless another session of the agent lives on.
    auto state = states_.logout(session.org, session.agent, clock_.now());
    if (!state) return state.error();
    return core::okResult();
  });
  if (!done) co_return problemFromError(done.error());
  co_return noContent();
}

awaitable<HttpResponse> ApiV1::getMe(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  auto creds = co_await onWorker(workers_, [&] { return accounts_.mustChangePasswordOf(c.org, c.agent.key); });
  if (!creds) co_return problemFromError(creds.error());
  boost::json::object body{
      {"agent", agentSummaryJson(c.agent, c.org)},
      {"org", orgJson(c.org)},
      {"session", boost::json::object{{"expires_at", core::toRfc3339(c.session.expires_at)}}},
      {"must_change_password", *creds},
      {"state", stateJson(states_.get(c.org.id, c.agent.key), c.agent)}};
  co_return jsonResponse(http::status::ok, body);
}

awaitable<HttpResponse> ApiV1::getMyState(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  co_return jsonResponse(http::status::ok, stateJson(states_.get(c.org.id, c.agent.key), c.agent));
}

awaitable<HttpResponse> ApiV1::putMyState(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  if (auto bad = requireJson(ctx)) co_return *bad;
  const Caller& c = *auth.caller;
  JsonInput in = JsonInput::parse(ctx.request.body());
  auto state = in.requiredString("state", 16);
  // G3: the after-call note, saved with the change or not at all.
  std::optional<acd::NoteWrite> note;
  if (auto note_in = in.optionalObject("note")) {
    auto call = note_in->requiredInteger("call", 1, INT64_MAX);
    auto fields = readNote(*note_in, c.org);
    note_in->rejectUnknownFields();
    in.adopt(*note_in);
    if (call && fields) {
      note = acd::NoteWrite{c.org.id, static_cast<acd::CallId>(*call), c.agent.key, std::move(fields->category),
                            std::move(fields->text), {}};
    }
  }
  in.rejectUnknownFields();
  if (!in.valid()) co_return invalidBody(in);
  const auto to = acd::parseAgentState(*state);
  if (!to || (*to != acd::AgentState::kReady && *to != acd::AgentState::kBreak &&
              *to != acd::AgentState::kAfterCallWork)) {
    co_return problem(http::status::unprocessable_entity, "invalid-input", "Invalid input",
                      "'state' must be one of \"ready\", \"break\" or \"acw\".");
  }
  bool note_refused = false;
  auto changed = co_await onWorker(workers_, [&]() -> core::Result<acd::AgentStatus> {
    const core::Time now = clock_.now();
    if (note) {
      // The note is checked first (its call ended, and it is this agent's), so that a
      // refused note leaves the state alone; the write itself repeats the check.
      note->at = now;
      auto found = calls_.findCall(c.org.id, note->call);
      if (!found && found.error().code == ErrorCode::kNotFound) {
        if (auto written = control_.recordsWritten(); !written) return written.error();  // it just ended
        found = calls_.findCall(c.org.id, note->call);
      }
      if (!found) {
        note_refused = true;
        return found.error();
      }
      if (auto own = noteAuthorCheck(*found, c.agent.key); !own) {
        note_refused = true;
        return own.error();
      }
    }
    // An authenticated caller is logged in: an agent whose session predates the state
    // (it was restored Offline, or the sweep raced with this session) logs in first.
    if (!states_.get(c.org.id, c.agent.key).loggedIn()) {
      auto logged = states_.login(c.org, c.agent, now);
      if (!logged) return logged;
    }
    return states_.request(c.org.id, c.agent.key, *to, now, note);
  });
  if (!changed) co_return note_refused ? noteProblem(changed.error()) : stateProblem(changed.error());
  co_return jsonResponse(http::status::ok, stateJson(*changed, c.agent));
}

awaitable<HttpResponse> ApiV1::changePassword(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  if (auto bad = requireJson(ctx)) co_return *bad;
  JsonInput in = JsonInput::parse(ctx.request.body());
  auto current = in.requiredString("current", 1024, true);
  auto next = in.requiredString("new", 1024, true);
  in.rejectUnknownFields();
  if (!in.valid()) co_return invalidBody(in);
  auto session = auth.caller->session;
  auto done = co_await onWorker(workers_, [&] {
    return accounts_.changePassword(session, *current, *next, ctx.client_ip);
  });
  if (!done) co_return passwordProblem(done.error());
  co_return noContent();
}

awaitable<HttpResponse> ApiV1::listAgents(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, true);
  if (!auth.caller) co_return auth.problem;
  const acd::Org& org = auth.caller->org;
  auto agents = co_await onWorker(workers_, [&] { return directory_.listAgents(org.id); });
  if (!agents) co_return problemFromError(agents.error());
  boost::json::array items;
  for (const auto& a : *agents) items.push_back(agentAdminJson(a, org));
  co_return jsonResponse(http::status::ok, boost::json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
}

awaitable<HttpResponse> ApiV1::createAgent(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, true);
  if (!auth.caller) co_return auth.problem;
  if (auto bad = requireJson(ctx)) co_return *bad;
  JsonInput in = JsonInput::parse(ctx.request.body());
  account::NewAgent agent;
  auto id = in.requiredString("id", 64);
  auto name = in.requiredString("name", 200);
  auto password = in.requiredString("password", 1024, true);
  auto menus = in.optionalStringArray("menus", 10, 1);
  auto admin = in.optionalBool("admin");
  in.rejectUnknownFields();
  if (!in.valid()) co_return invalidBody(in);
  if (auto weak = account::checkNewPassword(*password, *id)) {
    co_return passwordProblem(core::makeError(ErrorCode::kInvalidInput, *weak));
  }
  agent.id = *id;
  agent.name = *name;
  agent.password = *password;
  agent.menus = menus.value_or(std::vector<std::string>{});
  agent.admin = admin.value_or(false);
  const acd::Org& org = auth.caller->org;
  auto created = co_await onWorker(workers_, [&] { return accounts_.createAgent(org.id, agent); });
  if (!created) co_return problemFromError(created.error());
  HttpResponse r = jsonResponse(http::status::created, agentAdminJson(*created, org));
  r.set(http::field::location, "/api/v1/admin/agents/" + created->id);
  core::logInfo("agent_created", {{"org", org.name}, {"agent", created->id}, {"by", auth.caller->agent.id}});
  co_return r;
}

awaitable<HttpResponse> ApiV1::patchAgent(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, true);
  if (!auth.caller) co_return auth.problem;
  if (auto bad = requireJson(ctx)) co_return *bad;
  JsonInput in = JsonInput::parse(ctx.request.body());
  acd::AgentPatch patch;
  patch.name = in.optionalString("name", 200);
  patch.menus = in.optionalStringArray("menus", 10, 1);
  patch.admin = in.optionalBool("admin");
  patch.enabled = in.optionalBool("enabled");
  in.rejectUnknownFields();
  if (!in.valid()) co_return invalidBody(in);
  const std::string target = ctx.param("id");
  const Caller& c = *auth.caller;
  if (target == c.agent.id && ((patch.admin && !*patch.admin) || (patch.enabled && !*patch.enabled))) {
    co_return problem(http::status::conflict, "self-lockout", "Not allowed on yourself",
                      "You cannot remove your own administrator rights or disable yourself; "
                      "ask another administrator.");
  }
  auto updated = co_await onWorker(workers_, [&]() -> core::Result<acd::Agent> {
    auto agent = accounts_.updateAgent(c.org.id, target, patch);
    if (!agent || !patch.enabled || *patch.enabled) return agent;
    // Disabling ended every session of the agent: Offline (after a call in progress).
    if (auto state = states_.logout(c.org.id, agent->key, clock_.now()); !state)
      return state.error();
    return agent;
  });
  if (!updated) co_return problemFromError(updated.error());
  core::logInfo("agent_updated", {{"org", c.org.name}, {"agent", target}, {"by", c.agent.id}});
  co_return jsonResponse(http::status::ok, agentAdminJson(*updated, c.org));
}

awaitable<HttpResponse> ApiV1::resetPassword(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, true);
  if (!auth.caller) co_return auth.problem;
  if (auto bad = requireJson(ctx)) co_return *bad;
  JsonInput in = JsonInput::parse(ctx.request.body());
  auto password = in.requiredString("password", 1024, true);
  in.rejectUnknownFields();
  if (!in.valid()) co_return invalidBody(in);
  const std::string target = ctx.param("id");
  const Caller& c = *auth.caller;
  auto done = co_await onWorker(workers_, [&]() -> core::Result<void> {
    if (auto reset = accounts_.resetPassword(c.org.id, target, *password); !reset) return reset;
    // Every session of the agent ended: Offline (after a call in progress).
    auto agent = directory_.findAgent(c.org.id, target);
    if (!agent) return agent.error();
    if (auto state = states_.logout(c.org.id, agent->key, clock_.now()); !state)
      return state.error();
    return core::okResult();
  });
  if (!done) co_return passwordProblem(done.error());
  core::logInfo("password_reset_by_admin", {{"org", c.org.name}, {"agent", target}, {"by", c.agent.id}});
  co_return noContent();
}

}  // namespace sb::api

