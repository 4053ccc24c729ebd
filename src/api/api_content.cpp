// ApiV1: the app's "More" screen (L1) — the organization's notices and FAQ, which its
// administrators provision with `admin import` (docs/provisioning.md), and the
// inquiries agents send to support. docs/openapi.yaml, tag Support.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

#include "acd/content.hpp"
#include "api/api_v1.hpp"
#include "api/api_v1_detail.hpp"
#include "api/problem.hpp"
#include "api/worker.hpp"
#include "core/log.hpp"
#include "core/utf8.hpp"

namespace sb::api {

namespace http = boost::beast::http;
using boost::asio::awaitable;
using core::ErrorCode;
using namespace detail;

namespace {

// Enough for real questions, few enough that a stuck client or a script cannot bury
// support (or the database) in them.
constexpr acd::InquiryLimit kInquiryLimit{20, std::chrono::hours(1)};

HttpResponse noSuchNotice() {
  return problem(http::status::not_found, "not-found", "Not found", "No such notice.");
}

// A list item leaves the body out: the list shows titles, the detail the text.
boost::json::object noticeJson(const acd::Notice& n, bool with_body) {
  boost::json::object o{{"id", n.id},
                        {"title", n.title},
                        {"published_at", core::toRfc3339(n.published)},
                        {"updated_at", core::toRfc3339(n.updated)},
                        {"pinned", n.pinned}};
  if (with_body) o["body"] = n.body;
  return o;
}

// Pinned notices come first, so the cursor says whether the last one was: "p" before
// the usual "<ms>.<id>".
std::string noticeCursor(const acd::Notice& n) {
  return (n.pinned ? "p" : "") + cursorOf(n.published, n.id);
}

std::optional<acd::NoticeCursor> parseNoticeCursor(std::string_view text) {
  const bool pinned = !text.empty() && text.front() == 'p';
  if (pinned) text.remove_prefix(1);
  auto parsed = parseCursor(text);
  if (!parsed) return std::nullopt;
  return acd::NoticeCursor{pinned, parsed->first, parsed->second};
}

boost::json::object faqJson(const acd::FaqEntry& e) {
  return boost::json::object{{"id", e.id},
                             {"question", e.question},
                             {"answer", e.answer},
                             {"category", e.category.empty() ? boost::json::value(nullptr)
                                                             : boost::json::value(e.category)}};
}

boost::json::object inquiryJson(const acd::Inquiry& q, const AgentsByKey& agents) {
  return boost::json::object{
      {"id", q.id},
      {"subject", q.subject},
      {"body", q.body},
      {"contact", q.contact.empty() ? boost::json::value(nullptr) : boost::json::value(q.contact)},
      {"created_at", core::toRfc3339(q.created)},
      {"agent", agentJson(agents, q.agent)}};
}

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

HttpResponse tooManyInquiries(const core::Error& e) {
  const auto minutes = std::max<std::int64_t>(1, (e.retry_after.count() + 59) / 60);
  HttpResponse r =
      problem(http::status::too_many_requests, "too-many-requests", "Too many requests",
              "At most " + std::to_string(kInquiryLimit.max) +
                  " inquiries an hour can be sent; try again in " + std::to_string(minutes) +
                  (minutes == 1 ? " minute." : " minutes."));
  r.set(http::field::retry_after, std::to_string(std::max<std::int64_t>(1, e.retry_after.count())));
  return r;
}

}  // namespace

// ---- notices ------------------------------------------------------------------------------

awaitable<HttpResponse> ApiV1::listNotices(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  HttpResponse bad;
  const auto limit = pageLimit(ctx, bad);
  if (!limit) co_return bad;
  std::optional<acd::NoticeCursor> after;
  if (auto cursor = ctx.queryParam("cursor"); cursor && !cursor->empty()) {
    after = parseNoticeCursor(*cursor);
    if (!after) co_return badCursor();
  }
  auto page = co_await onWorker(
      workers_, [&] { return content_.listNotices(c.org.id, clock_.now(), after, *limit + 1); });
  if (!page) co_return problemFromError(page.error());
  auto& list = *page;
  const bool more = list.size() > *limit;
  if (more) list.resize(*limit);
  boost::json::array items;
  for (const acd::Notice& n : list) items.push_back(noticeJson(n, false));
  boost::json::value next =
      more ? boost::json::value(noticeCursor(list.back())) : boost::json::value(nullptr);
  co_return jsonResponse(http::status::ok,
                         boost::json::object{{"items", std::move(items)}, {"next_cursor", next}});
}

awaitable<HttpResponse> ApiV1::getNotice(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  const auto id = parseId(ctx.param("id"));
  if (!id) co_return noSuchNotice();
  auto notice = co_await onWorker(workers_, [&] {
    return content_.findNotice(c.org.id, static_cast<std::int64_t>(*id), clock_.now());
  });
  if (!notice) {
    if (notice.error().code == ErrorCode::kNotFound) co_return noSuchNotice();  // or another org's
    co_return problemFromError(notice.error());
  }
  co_return jsonResponse(http::status::ok, noticeJson(*notice, true));
}

// ---- FAQ ----------------------------------------------------------------------------------

awaitable<HttpResponse> ApiV1::listFaq(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  auto faq = co_await onWorker(workers_, [&] { return content_.listFaq(c.org.id); });
  if (!faq) co_return problemFromError(faq.error());
  boost::json::array items;
  for (const acd::FaqEntry& e : *faq) items.push_back(faqJson(e));
  co_return jsonResponse(
      http::status::ok, boost::json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
}

// ---- inquiries ----------------------------------------------------------------------------

awaitable<HttpResponse> ApiV1::postInquiry(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  if (auto bad = requireJson(ctx)) co_return *bad;
  const Caller& c = *auth.caller;
  JsonInput in = JsonInput::parse(ctx.request.body());
  auto subject = in.requiredString("subject", acd::kMaxInquirySubjectChars);
  auto body = in.requiredString("body", acd::kMaxInquiryBodyChars, /*allow_control=*/true);
  auto contact = in.optionalString("contact", acd::kMaxInquiryContactChars);
  if (subject && blank(*subject)) in.addProblem("subject", "must not be empty");
  if (body && blank(*body)) {
    in.addProblem("body", "must not be empty");
  } else if (body &&
             core::hasControlCharacters(*body, true)) {  // newlines and tabs belong in a message
    in.addProblem("body", "must not contain control characters other than newlines and tabs");
  }
  if (contact && !contact->empty()) {
    if (auto why = acd::checkInquiryContact(*contact)) in.addProblem("contact", *why);
  }
  in.rejectUnknownFields();
  if (!in.valid()) co_return invalidBody(in);

  acd::Inquiry inquiry{
      0, c.org.id, c.agent.key, std::move(*subject), std::move(*body), contact.value_or(""), {}};
  auto saved = co_await onWorker(workers_, [&] {
    inquiry.created = clock_.now();
    return content_.saveInquiry(inquiry, kInquiryLimit);
  });
  if (!saved) {
    if (saved.error().code == ErrorCode::kTooManyRequests)
      co_return tooManyInquiries(saved.error());
    co_return problemFromError(saved.error());
  }
  core::logInfo("inquiry", {{"org", c.org.name}, {"agent", c.agent.id}, {"inquiry", saved->id}});
  const AgentsByKey self{{c.agent.key, &c.agent}};
  co_return jsonResponse(http::status::created, inquiryJson(*saved, self));
}

// The caller's own inquiries; an administrator's `?all=true`: every agent's of the org.
awaitable<HttpResponse> ApiV1::listInquiries(RequestContext& ctx) {
  auto auth = co_await authenticate(ctx, false);
  if (!auth.caller) co_return auth.problem;
  const Caller& c = *auth.caller;
  const std::string all_text = ctx.queryParam("all").value_or("false");
  if (all_text != "true" && all_text != "false") {
    co_return problem(http::status::unprocessable_entity, "invalid-input", "Invalid input",
                      "'all' must be \"true\" or \"false\".");
  }
  const bool all = all_text == "true";
  if (all && !c.agent.admin) {
    co_return problem(
        http::status::forbidden, "forbidden", "Forbidden",
        "Only an administrator of the organization may list every agent's inquiries.");
  }
  HttpResponse bad;
  const auto limit = pageLimit(ctx, bad);
  if (!limit) co_return bad;
  std::optional<acd::InquiryCursor> before;
  if (auto cursor = ctx.queryParam("cursor"); cursor && !cursor->empty()) {
    auto parsed = parseCursor(*cursor);
    if (!parsed) co_return badCursor();
    before = acd::InquiryCursor{parsed->first, parsed->second};
  }
  const std::optional<acd::AgentKey> only =
      all ? std::nullopt : std::optional<acd::AgentKey>(c.agent.key);
  auto page = co_await onWorker(workers_, [&] {
    return withAgents(content_.listInquiries(c.org.id, only, before, *limit + 1), directory_,
                      c.org.id);
  });
  if (!page) co_return problemFromError(page.error());
  auto& list = page->value;
  const AgentsByKey by_key = byKey(page->agents);
  const bool more = list.size() > *limit;
  if (more) list.resize(*limit);
  boost::json::array items;
  for (const acd::Inquiry& q : list) items.push_back(inquiryJson(q, by_key));
  boost::json::value next = more ? boost::json::value(cursorOf(list.back().created, list.back().id))
                                 : boost::json::value(nullptr);
  co_return jsonResponse(http::status::ok,
                         boost::json::object{{"items", std::move(items)}, {"next_cursor", next}});
}

}  // namespace sb::api
