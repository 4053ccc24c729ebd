// ApiV1: calls and what agents do with them — history and detail with earlier contacts
// (I1–I4, D2), the current call and its hold, transfer and hang-up (D3, F3–F4),
// after-call notes (G1–G5), recordings (I4) and callbacks (K1–K2). docs/openapi.yaml.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <cstdint>
#include <unordered_map>

#include <boost/json/serialize.hpp>

#include "api/api_v1.hpp"
#include "api/api_v1_detail.hpp"
#include "acd/dial_plan.hpp"
#include "api/call_events.hpp"
#include "api/file_response.hpp"
#include "api/problem.hpp"
#include "api/worker.hpp"
#include "core/log.hpp"
#include "core/utf8.hpp"

namespace sb::api {

namespace http = boost::beast::http;
using boost::asio::awaitable;
using core::ErrorCode;
using namespace detail;

namespace detail {

std::optional<NoteInput> readNote(JsonInput& in, const acd::Org& org) {
  auto category = org.categories.empty() ? in.optionalString("category", 200) : in.requiredString("category", 200);
  auto text = in.requiredString("text", acd::kMaxNoteChars, true);
  bool ok = text.has_value() && (org.categories.empty() || category.has_value());
  if (text && core::hasControlCharacters(*text, true)) {  // newlines and tabs belong in a note
    in.addProblem("text", "must not contain control characters other than newlines and tabs");
    ok = false;
  }
  if (category) {
    const auto& list = org.categories;
    if (list.empty() && !category->empty()) {
      in.addProblem("category", "must be empty: the organization has no categories");
      ok = false;
    } else if (!list.empty() && std::find(list.begin(), list.end(), *category) == list.end()) {
      std::string names;
      for (const std::string& c : list) names += (names.empty() ? "\"" : ", \"") + c + "\"";
      in.addProblem("category", "must be one of the organization's categories: " + names);
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return NoteInput{category.value_or(""), std::move(*text)};
}

core::Result<void> noteAuthorCheck(const acd::CallRecord& call, acd::AgentKey agent) {
  if (call.agent == agent) return core::okResult();
  for (const acd::OfferRecord& o : call.offers) {
    if (o.agent == agent && o.outcome == acd::OfferOutcome::kAnswered) return core::okResult();
  }
  return core::makeError(ErrorCode::kForbidden,
                         "Only an agent who spoke with the customer can write this call's note.");
}

HttpResponse noteProblem(const core::Error& e) {
  switch (e.code) {
    case ErrorCode::kNotFound:
      return problem(http::status::not_found, "not-found", "Not found", "No such call.");
    case ErrorCode::kForbidden:
      return problem(http::status::forbidden, "not-your-call", "Not your call", e.message);
    case ErrorCode::kConflict:
      return problem(http::status::conflict, "call-in-progress", "Call in progress", e.message);
    default:
      return problemFromError(e);
  }
}

AgentsByKey byKey(const std::vector<acd::Agent>& agents) {
  AgentsByKey out;
  for (const acd::Agent& a : agents) out[a.key] = &a;
  return out;
}

boost::json::value agentJson(const AgentsByKey& agents, acd::AgentKey key) {
  auto it = agents.find(key);
  if (it == agents.end()) return nullptr;
  return boost::json::object{{"id", it->second->id}, {"name", it->second->name}};
}

std::string cursorOf(core::Time at, std::int64_t id) {
  return std::to_string(core::toUnixMillis(at)) + "." + std::to_string(id);
}

std::optional<std::pair<core::Time, std::int64_t>> parseCursor(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= text.size() || text.size() > 40) return std::nullopt;
  std::int64_t ms = 0;
  std::int64_t id = 0;
  const auto a = std::from_chars(text.data(), text.data() + dot, ms);
  const auto b = std::from_chars(text.data() + dot + 1, text.data() + text.size(), id);
  if (a.ec != std::errc{} || a.ptr != text.data() + dot || b.ec != std::errc{} || b.ptr != text.data() + text.size() ||
      ms < 0 || id <= 0) {
    return std::nullopt;
  }
  return std::make_pair(core::fromUnixMillis(ms), id);
}

std::optional<std::uint64_t> parseId(std::string_view text) {
  std::uint64_t id = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), id);
  if (parsed.ec != std::errc{} || parsed.ptr != text.data() + text.size() || id == 0 || id > INT64_MAX) {
    return std::nullopt;
  }
  return id;
}

std::optional<std::size_t> pageLimit(const RequestContext& ctx, HttpResponse& bad) {
  auto limit = ctx.queryParam("limit");
  if (!limit) return 50;
  int n = 0;
  const auto parsed = std::from_chars(limit->data(), limit->data() + limit->size(), n);
  if (parsed.ec != std::errc{} || parsed.ptr != limit->data() + limit->size() || n < 1 || n > 200) {
    bad = problem(http::status::unprocessable_entity, "invalid-input", "Invalid input",
                  "'limit' must be a whole number from 1 to 200.");
    return std::nullopt;
  }
  return static_cast<std::size_t>(n);
}

HttpResponse badCursor() {
  return problem(http::status::unprocessable_entity, "invalid-input", "Invalid input",
                 "'cursor' is not one this server gave out: use 'next_cursor' of the previous page.");
}

}  // namespace detail

namespace {

std::int64_t millis(core::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

boost::json::value timeOrNull(const std::optional<core::Time>& t) {
  return t ? boost::json::value(core::toRfc3339(*t)) : boost::json::value(nullptr);
}

boost::json::object noteJson(const acd::CallNote& n, const AgentsByKey& agents, acd::AgentKey viewer) {
  return boost::json::object{{"author", agentJson(agents, n.author)},
                             {"category", n.category},
                             {"text", n.text},
                             {"created_at", core::toRfc3339(n.created)},
                             {"updated_at", core::toRfc3339(n.updated)},
                             {"editable", n.author == viewer}};  // G5: by its author
}

// A call as the app shows it (docs/openapi.yaml, Call). `note`: the viewer's own note,
// else the latest one; `notes`: every agent's (a transferred call can have two).
boost::json::object callJson(const acd::CallRecord& r, const acd::Org& org, const AgentsByKey& agents,
                             acd::AgentKey viewer) {
  boost::json::array offers;
  for (const acd::OfferRecord& o : r.offers) {
    offers.push_back(boost::json::object{
        {"agent", agentJson(agents, o.agent)}, {"at", core::toRfc3339(o.at)}, {"outcome", acd::toString(o.outcome)}});
  }
  boost::json::array notes;
  const acd::CallNote* shown = nullptr;
  for (const acd::CallNote& n : r.notes) {
    notes.push_back(noteJson(n, agents, viewer));
    if (shown == nullptr || shown->author != viewer) {
      if (n.author == viewer || shown == nullptr || n.updated >= shown->updated) shown = &n;
    }
  }
  const bool inbound = r.direction == acd::CallDirection::kInbound;
  return boost::json::object{
      {"id", static_cast<std::int64_t>(r.call)},
      {"direction", acd::toString(r.direction)},
      {"customer", r.customer()},
      {"org_number", inbound ? r.called : r.caller},
      {"menu", menuJson(org, r.menu)},
      {"agent", r.agent ? agentJson(agents, *r.agent) : boost::json::value(nullptr)},
      {"result", acd::toString(r.result)},
      {"arrived_at", core::toRfc3339(r.arrived)},
      {"answered_at", timeOrNull(r.answered)},
      {"ended_at", core::toRfc3339(r.ended)},
      {"wait_ms", millis(r.wait())},
      {"talk_ms", millis(r.talk())},
      {"hold_ms", millis(r.hold)},
      {"ended_by", r.ended_by},
      {"end_reason", r.end_reason},
      {"offers", std::move(offers)},
      {"note", shown ? boost::json::value(noteJson(*shown, agents, viewer)) : boost::json::value(nullptr)},
      {"notes", std::move(notes)},
      {"callback", r.callback ? boost::json::value(*r.callback) : boost::json::value(nullptr)},
      {"from_call", r.from_call ? boost::json::value(static_cast<std::int64_t>(*r.from_call))
                                : boost::json::value(nullptr)},
      {"recording_url", r.recording.empty()
                            ? boost::json::value(nullptr)
                            : boost::json::value("/api/v1/calls/" + std::to_string(r.call) + "/recording")}};
}

HttpResponse noSuchCall() {
  return problem(http::status::not_found, "not-found", "Not found", "No such call.");
}

// The errors of a call action (hold, transfer, hang up).
HttpResponse callActionProblem(const core::Error& e, const char* what) {
  switch (e.code) {
    case ErrorCode::kNotFound:
      return problem(http::status::not_found, "not-found", "Not found",
                     "No such call of yours in progress (or no such agent).");
    case ErrorCode::kConflict:
      return problem(http::status::conflict, "call-state", std::string(what) + " not possible now",
                     "The call cannot be " + std::string(what == std::string("Transfer") ? "transferred" : "changed") +
                         " now: " + e.message + ".");
    case ErrorCode::kInvalidInput:
      return problem(http::status::unprocessable_entity, "invalid-input", "Invalid input", e.message + ".");
    default:
      return problemFromError(e);
  }
}

}  // namespace

// ---- history ------------------------------------------------------------------------------

awaitable<HttpResponse> ApiV1::listCalls(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  acd::HistoryQuery query;
  const std::string tab = ctx.queryParam("tab").value_or("mine");
  if (tab == "mine") {
    query.tab = acd::HistoryTab::kMine;
  } else if (tab == "unconnected") {
    query.tab = acd::HistoryTab::kUnconnected;
  } else if (tab == "all") {
    query.tab = acd::HistoryTab::kAll;
  } else {
    co_return problem(http::status::unprocessable_entity, "invalid-input", "Invalid input",
                      "'tab' must be one of \"mine\", \"unconnected\" or \"all\".");
  }
  query.agent = c.agent.key;
  HttpResponse bad;
  const auto limit = pageLimit(ctx, bad);
  if (!limit) co_return bad;
  if (auto cursor = ctx.queryParam("cursor"); cursor && !cursor->empty()) {
    auto parsed = parseCursor(*cursor);
    if (!parsed) co_return badCursor();
    query.before = acd::HistoryCursor{parsed->first, static_cast<acd::CallId>(parsed->second)};
  }
  query.limit = *limit + 1;  // one more tells whether a next page exists
  auto page = co_await onWorker(
      workers_, [&] { return withAgents(calls_.callHistory(c.org.id, query), directory_, c.org.id); });
  if (!page) co_return problemFromError(page.error());
  auto& calls = page->value;
  const AgentsByKey by_key = byKey(page->agents);
  const bool more = calls.size() > *limit;
  if (more) calls.resize(*limit);
  boost::json::array items;
  for (const acd::CallRecord& r : calls) items.push_back(callJson(r, c.org, by_key, c.agent.key));
  boost::json::value next = more ? boost::json::value(cursorOf(calls.back().arrived, static_cast<std::int64_t>(calls.back().call)))
                                 : boost::json::value(nullptr);
  co_return jsonResponse(http::status::ok, boost::json::object{{"items", std::move(items)}, {"next_cursor", next}});
}

// D2: the customer's earlier contacts, newest first (at most this many in a detail).
constexpr std::size_t kEarlierContacts = 20;

awaitable<HttpResponse> ApiV1::getCall(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  const auto id = parseId(ctx.param("id"));
  if (!id) co_return noSuchCall();
  struct Found {
    acd::CallRecord call;
    std::vector<acd::CallRecord> earlier;
    std::vector<acd::Agent> agents;
  };
  auto found = co_await onWorker(workers_, [&]() -> core::Result<Found> {
    auto call = calls_.findCall(c.org.id, *id);
    if (!call) return call.error();
    auto earlier = calls_.customerCalls(c.org.id, call->customer(), acd::HistoryCursor{call->arrived, call->call},
                                        kEarlierContacts);
    if (!earlier) return earlier.error();
    auto agents = directory_.listAgents(c.org.id);
    if (!agents) return agents.error();
    return Found{std::move(*call), std::move(*earlier), std::move(*agents)};
  });
  if (!found) {
    if (found.error().code == ErrorCode::kNotFound) co_return noSuchCall();  // or another org's
    co_return problemFromError(found.error());
  }
  const AgentsByKey by_key = byKey(found->agents);
  boost::json::object body = callJson(found->call, c.org, by_key, c.agent.key);
  boost::json::array earlier;
  for (const acd::CallRecord& r : found->earlier) earlier.push_back(callJson(r, c.org, by_key, c.agent.key));
  body["earlier_contacts"] = std::move(earlier);
  co_return jsonResponse(http::status::ok, body);
}

// ---- the current call ---------------------------------------------------------------------

awaitable<HttpResponse> ApiV1::getMyCall(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  struct Found {
    std::optional<acd::LiveCall> live;
    std::vector<acd::CallRecord> earlier;
    std::vector<acd::Agent> agents;
  };
  auto found = co_await onWorker(workers_, [&]() -> core::Result<Found> {
    auto live = control_.liveCall(c.org.id, c.agent.key);
    if (!live) return live.error();
    if (!*live) return Found{};
    auto earlier = calls_.customerCalls(c.org.id, (*live)->record.customer(), std::nullopt, kEarlierContacts);
    if (!earlier) return earlier.error();
    auto agents = directory_.listAgents(c.org.id);
    if (!agents) return agents.error();
    return Found{std::move(*live), std::move(*earlier), std::move(*agents)};
  });
  if (!found) co_return problemFromError(found.error());
  if (!found->live) {
    co_return problem(http::status::not_found, "no-call", "No call", "The agent is on no call now.");
  }
  const acd::LiveCall& live = *found->live;
  const acd::CallRecord& r = live.record;
  const AgentsByKey by_key = byKey(found->agents);
  const core::Time now = clock_.now();
  const char* stage = live.stage == acd::LiveCall::Stage::kRinging   ? "ringing"
                      : live.stage == acd::LiveCall::Stage::kDialing ? "dialing"
                                                                      : "connected";
  boost::json::array earlier;
  for (const acd::CallRecord& e : found->earlier) earlier.push_back(callJson(e, c.org, by_key, c.agent.key));
  const bool inbound = r.direction == acd::CallDirection::kInbound;
  boost::json::object body{
      {"id", static_cast<std::int64_t>(r.call)},
      {"direction", acd::toString(r.direction)},
      {"stage", stage},
      {"customer", r.customer()},
      {"org_number", inbound ? r.called : r.caller},
      {"menu", menuJson(c.org, r.menu)},
      {"agent", r.agent ? agentJson(by_key, *r.agent) : boost::json::value(nullptr)},
      {"arrived_at", core::toRfc3339(r.arrived)},
      {"answered_at", timeOrNull(r.answered)},
      {"wait_ms", millis((r.answered ? *r.answered : now) - r.arrived)},
      {"held", live.held},
      {"held_since", timeOrNull(live.held_since)},
      {"hold_ms", millis(r.hold + (live.held_since ? now - *live.held_since : core::Duration::zero()))},
      {"transfer_to", live.transfer_to ? agentJson(by_key, live.transfer_to) : boost::json::value(nullptr)},
      {"earlier_contacts", std::move(earlier)}};
  co_return jsonResponse(http::status::ok, body);
}

awaitable<HttpResponse> ApiV1::holdCall(RequestContext& ctx) {
  co_return co_await holdOrResume(ctx, true);
}

awaitable<HttpResponse> ApiV1::unholdCall(RequestContext& ctx) {
  co_return co_await holdOrResume(ctx, false);
}

awaitable<HttpResponse> ApiV1::holdOrResume(RequestContext& ctx, bool held) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  const auto id = parseId(ctx.param("id"));
  if (!id) co_return noSuchCall();
  auto done = co_await onWorker(workers_, [&] { return control_.hold(c.org.id, c.agent.key, *id, held); });
  if (!done) co_return callActionProblem(done.error(), "Hold");
  co_return noContent();
}

awaitable<HttpResponse> ApiV1::transferCall(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  if (auto bad = requireJson(ctx)) co_return *bad;
  JsonInput in = JsonInput::parse(ctx.request.body());
  auto target = in.requiredString("agent", 64);
  in.rejectUnknownFields();
  if (!in.valid()) co_return invalidBody(in);
  const Caller& c = *auth.caller;
  const auto id = parseId(ctx.param("id"));
  if (!id) co_return noSuchCall();
  auto done = co_await onWorker(workers_, [&]() -> core::Result<void> {
    auto agent = directory_.findAgent(c.org.id, *target);
    if (!agent) return agent.error();
    return control_.transfer(c.org.id, c.agent.key, *id, agent->key);
  });
  if (!done) {
    if (done.error().code == ErrorCode::kConflict && done.error().message == "the agent is not Ready") {
      co_return problem(http::status::conflict, "agent-not-ready", "Agent not Ready",
                        "'" + *target + "' is not Ready now: a call can only be transferred to a Ready agent.");
    }
    co_return callActionProblem(done.error(), "Transfer");
  }
  core::logInfo("transfer", {{"call", static_cast<int64_t>(*id)}, {"from", c.agent.id}, {"to", *target}});
  co_return jsonResponse(http::status::accepted, boost::json::object{{"call", static_cast<std::int64_t>(*id)},
                                                                     {"to", *target},
                                                                     {"outcome", "ringing"}});
}

awaitable<HttpResponse> ApiV1::hangUpCall(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  const auto id = parseId(ctx.param("id"));
  if (!id) co_return noSuchCall();
  auto done = co_await onWorker(workers_, [&] { return control_.hangUp(c.org.id, c.agent.key, *id); });
  if (!done) co_return callActionProblem(done.error(), "Hang-up");
  co_return noContent();
}

// F4: the org's agents with their states (?state=ready: the transfer targets; a transfer
// reaches only those also `reachable`, with a phone the contact center can ring).
awaitable<HttpResponse> ApiV1::listOrgAgents(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  std::optional<acd::AgentState> only;
  if (auto state = ctx.queryParam("state")) {
    only = acd::parseAgentState(*state);
    if (!only) {
      co_return problem(http::status::unprocessable_entity, "invalid-input", "Invalid input",
                        "'state' must be one of \"offline\", \"ready\", \"break\", \"acw\", \"ringing\" or \"on_call\".");
    }
  }
  auto agents = co_await onWorker(workers_, [&] { return directory_.listAgents(c.org.id); });
  if (!agents) co_return problemFromError(agents.error());
  // One snapshot for the whole list: every item is as of the same moment.
  const auto live = states_.snapshot(c.org.id);
  boost::json::array items;
  for (const acd::Agent& a : *agents) {
    if (!a.enabled) continue;
    const auto found = live.find(a.key);
    const AgentStates::LiveAgent agent = found == live.end() ? AgentStates::LiveAgent{} : found->second;
    const acd::AgentStatus& status = agent.status;
    if (only && status.state() != *only) continue;
    boost::json::array menus;
    for (const std::string& m : a.menus) menus.push_back(boost::json::value(m));
    boost::json::object item{{"id", a.id}, {"name", a.name}, {"menus", std::move(menus)}};
    item["state"] = stateJson(status, a);
    item["self"] = a.key == c.agent.key;
    item["reachable"] = agent.reachable;
    items.push_back(std::move(item));
  }
  co_return jsonResponse(http::status::ok, boost::json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
}

// ---- dialling (E1–E4, N6) --------------------------------------------------------------------

namespace {

enum class Refused { kNo, kInternational, kInvalid, kSelf };

// The answer to a dial the dial plan refused or the contact center could not start.
HttpResponse dialProblem(Refused refused, const std::string& message, const core::Result<acd::CallId>& dialled,
                         bool from_call) {
  switch (refused) {
    case Refused::kInternational:
      return problem(http::status::forbidden, "international-call", "International calls are not allowed",
                     message);
    case Refused::kInvalid:
      return problem(http::status::unprocessable_entity, "invalid-number", "Not a number", message);
    case Refused::kSelf:
      return problem(http::status::unprocessable_entity, "invalid-number", "Not a number",
                     "That is your own agent ID: you cannot call yourself.");
    case Refused::kNo:
      break;
  }
  const core::Error& e = dialled.error();
  switch (e.code) {
    case ErrorCode::kNotFound:
      return problem(http::status::not_found, "not-found", "Not found",
                     from_call ? "No such call to dial from (or no such agent)." : "No such agent.");
    case ErrorCode::kConflict:
      return problem(http::status::conflict, "agent-busy", "Busy",
                     e.message == "the agent is busy" ? "The agent you are calling is on a call."
                                                      : "You are on a call: end it before dialling.");
    case ErrorCode::kForbidden:
      return problem(http::status::conflict, "state-locked", "Not logged in",
                     "The agent is logging out; log in again to make calls.");
    default:
      return problemFromError(e);
  }
}

}  // namespace

awaitable<HttpResponse> ApiV1::dialAndAnswer(RequestContext& ctx, const Caller& c, std::string to,
                                             std::optional<acd::CallId> from_call,
                                             std::optional<std::int64_t> callback) {
  Refused refused = Refused::kNo;
  std::string message;
  auto dialled = co_await onWorker(workers_, [&]() -> core::Result<acd::CallId> {
    const acd::DialTarget target = acd::classifyDial(c.org, to, [&](std::string_view id) {
      return directory_.findAgent(c.org.id, id).ok();
    });
    if (const auto* r = std::get_if<acd::RefusedDial>(&target)) {
      refused = Refused::kInternational;
      message = r->message;
      return core::makeError(ErrorCode::kForbidden, r->message);
    }
    if (const auto* i = std::get_if<acd::InvalidDial>(&target)) {
      refused = Refused::kInvalid;
      message = i->message;
      return core::makeError(ErrorCode::kInvalidInput, i->message);
    }
    if (const auto* e = std::get_if<acd::ExtensionDial>(&target); e && e->agent_id == c.agent.id) {
      refused = Refused::kSelf;
      return core::makeError(ErrorCode::kInvalidInput, "self");
    }
    if (from_call) {  // E4: a history entry of the org
      if (auto found = calls_.findCall(c.org.id, *from_call); !found) return found.error();
    }
    // An authenticated caller is logged in (see putMyState).
    if (!states_.get(c.org.id, c.agent.key).loggedIn()) {
      if (auto logged = states_.login(c.org, c.agent, clock_.now()); !logged) return logged.error();
    }
    return control_.dial(c.org.id, c.agent.key, CallControl::DialRequest{target, from_call, callback});
  });
  if (refused == Refused::kInternational) {
    // E3, and a security event: who tried to call abroad, from where.
    core::security("dial_refused", ctx.client_ip, {{"org", c.org.name}, {"agent", c.agent.id}, {"via", "app"},
                                                   {"number", to}, {"reason", "international"}});
  }
  if (refused != Refused::kNo || !dialled) co_return dialProblem(refused, message, dialled, from_call.has_value());
  core::logInfo("app dial", {{"org", c.org.name}, {"agent", c.agent.id}, {"call", static_cast<int64_t>(*dialled)}});
  co_return jsonResponse(http::status::accepted,
                         boost::json::object{{"id", static_cast<std::int64_t>(*dialled)}, {"stage", "dialing"}});
}

awaitable<HttpResponse> ApiV1::postCall(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  if (auto bad = requireJson(ctx)) co_return *bad;
  JsonInput in = JsonInput::parse(ctx.request.body());
  auto to = in.requiredString("to", 64);
  std::optional<std::int64_t> from_call;
  if (in.has("from_call")) from_call = in.requiredInteger("from_call", 1, INT64_MAX);
  in.rejectUnknownFields();
  if (!in.valid()) co_return invalidBody(in);
  co_return co_await dialAndAnswer(ctx, *auth.caller, *to,
                                   from_call ? std::optional<acd::CallId>(static_cast<acd::CallId>(*from_call))
                                             : std::nullopt,
                                   std::nullopt);
}

awaitable<HttpResponse> ApiV1::dialCallback(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  const auto id = parseId(ctx.param("id"));
  auto not_found = [] { return problem(http::status::not_found, "not-found", "Not found", "No such callback."); };
  if (!id) co_return not_found();
  auto callback = co_await onWorker(workers_, [&] { return calls_.findCallback(c.org.id, static_cast<std::int64_t>(*id)); });
  if (!callback) {
    if (callback.error().code == ErrorCode::kNotFound) co_return not_found();
    co_return problemFromError(callback.error());
  }
  if (callback->deleted) co_return not_found();
  co_return co_await dialAndAnswer(ctx, c, callback->number, callback->call, callback->id);
}

// ---- notes --------------------------------------------------------------------------------

awaitable<HttpResponse> ApiV1::putNote(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  if (auto bad = requireJson(ctx)) co_return *bad;
  const Caller& c = *auth.caller;
  JsonInput in = JsonInput::parse(ctx.request.body());
  auto fields = readNote(in, c.org);
  in.rejectUnknownFields();
  if (!in.valid() || !fields) co_return invalidBody(in);
  const auto id = parseId(ctx.param("id"));
  if (!id) co_return noSuchCall();
  auto saved = co_await onWorker(workers_, [&]() -> core::Result<WithAgents<acd::CallNote>> {
    acd::NoteWrite w{c.org.id, *id, c.agent.key, fields->category, fields->text, clock_.now()};
    auto note = calls_.saveNote(w);
    if (!note && note.error().code == ErrorCode::kNotFound) {  // it may have ended a moment ago
      if (auto written = control_.recordsWritten(); !written) return written.error();
      note = calls_.saveNote(w);
    }
    return withAgents(std::move(note), directory_, c.org.id);
  });
  if (!saved) co_return noteProblem(saved.error());
  co_return jsonResponse(http::status::ok, noteJson(saved->value, byKey(saved->agents), c.agent.key));
}

// ---- recordings ---------------------------------------------------------------------------

// I4: the call's audio, with byte ranges for seeking. Every access (each range a player
// asks for) is written to the audit log first: a recording nobody can account for is
// never served.
awaitable<HttpResponse> ApiV1::getRecording(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  const auto id = parseId(ctx.param("id"));
  if (!id) co_return noSuchCall();
  std::string range;
  if (auto it = ctx.request.find(http::field::range); it != ctx.request.end()) range = std::string(it->value());
  auto response = co_await onWorker(workers_, [&]() -> core::Result<HttpResponse> {
    auto call = calls_.findCall(c.org.id, *id);
    if (!call) return call.error();
    if (call->recording.empty()) return core::makeError(ErrorCode::kNotFound, "no recording");
    const core::Time now = clock_.now();
    auto logged = calls_.logRecordingAccess({c.org.id, *id, c.agent.key, now, ctx.client_ip, range});
    if (!logged) return logged.error();
    core::logInfo("recording_access", {{"org", c.org.name}, {"call", static_cast<int64_t>(*id)},
                                       {"agent", c.agent.id}, {"ip", ctx.client_ip}, {"range", range}});
    const std::filesystem::path file(call->recording);
    return fileResponse(ctx.request, file, contentTypeByExtension(file));
  });
  if (!response) {
    if (response.error().code == ErrorCode::kNotFound) {
      co_return problem(http::status::not_found, "not-found", "Not found",
                        response.error().message == "no recording" ? "This call has no recording."
                                                                   : "No such call or recording.");
    }
    co_return problemFromError(response.error());
  }
  co_return std::move(*response);
}

// ---- callbacks ----------------------------------------------------------------------------

namespace {

boost::json::object callbackJson(const acd::StoredCallback& cb, const acd::Org& org, const AgentsByKey& agents) {
  return boost::json::object{
      {"id", cb.id},
      {"call", static_cast<std::int64_t>(cb.call)},
      {"number", cb.number},
      {"menu", menuJson(org, cb.menu)},
      {"requested_at", core::toRfc3339(cb.requested)},
      {"status", cb.deleted ? "deleted" : cb.done ? "done" : "pending"},
      {"done_at", timeOrNull(cb.done)},
      {"done_by", cb.done_by ? agentJson(agents, *cb.done_by) : boost::json::value(nullptr)},
      {"done_call", cb.done_call ? boost::json::value(static_cast<std::int64_t>(*cb.done_call))
                                 : boost::json::value(nullptr)}};
}

}  // namespace

awaitable<HttpResponse> ApiV1::listCallbacks(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  const std::string status_text = ctx.queryParam("status").value_or("pending");
  acd::CallbackStatus status;
  if (status_text == "pending") {
    status = acd::CallbackStatus::kPending;
  } else if (status_text == "done") {
    status = acd::CallbackStatus::kDone;
  } else {
    co_return problem(http::status::unprocessable_entity, "invalid-input", "Invalid input",
                      "'status' must be \"pending\" or \"done\".");
  }
  HttpResponse bad;
  const auto limit = pageLimit(ctx, bad);
  if (!limit) co_return bad;
  std::optional<acd::CallbackCursor> after;
  if (auto cursor = ctx.queryParam("cursor"); cursor && !cursor->empty()) {
    auto parsed = parseCursor(*cursor);
    if (!parsed) co_return badCursor();
    after = acd::CallbackCursor{parsed->first, parsed->second};
  }
  auto page = co_await onWorker(workers_, [&] {
    return withAgents(calls_.listCallbacks(c.org.id, status, after, *limit + 1), directory_, c.org.id);
  });
  if (!page) co_return problemFromError(page.error());
  auto& list = page->value;
  const AgentsByKey by_key = byKey(page->agents);
  const bool more = list.size() > *limit;
  if (more) list.resize(*limit);
  boost::json::array items;
  for (const acd::StoredCallback& cb : list) items.push_back(callbackJson(cb, c.org, by_key));
  boost::json::value next = nullptr;
  if (more) {
    const acd::StoredCallback& last = list.back();
    next = cursorOf(status == acd::CallbackStatus::kPending ? last.requested : *last.done, last.id);
  }
  co_return jsonResponse(http::status::ok, boost::json::object{{"items", std::move(items)}, {"next_cursor", next}});
}

awaitable<HttpResponse> ApiV1::deleteCallback(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  const auto id = parseId(ctx.param("id"));
  auto not_found = [] { return problem(http::status::not_found, "not-found", "Not found", "No such callback."); };
  if (!id) co_return not_found();
  auto deleted = co_await onWorker(workers_, [&] {
    return calls_.deleteCallback(c.org.id, static_cast<std::int64_t>(*id), c.agent.key, clock_.now());
  });
  if (!deleted) {
    if (deleted.error().code == ErrorCode::kNotFound) co_return not_found();
    co_return problemFromError(deleted.error());
  }
  core::logInfo("callback deleted", {{"callback", static_cast<int64_t>(*id)}, {"by", c.agent.id}});
  co_return noContent();
}

}  // namespace sb::api
