// L1, the "More" screen, through the real server: notices and FAQ provisioned with
// `admin import` (listed in order, a page at a time, per org, updated and removed by a
// re-import while the server runs) and inquiries (stored, listed, refused when bad or
// too many, never across orgs).
#include "harness.hpp"

namespace sb::testing {
namespace {

// Notices published on 2026-11-01..03 (in the past when these tests run) and one
// scheduled for 2099, which nobody sees yet.
const std::string kAcmeContent = R"(
  [[orgs.notices]]
  key = "pinned-rules"
  title = "House rules"
  body = "Be kind.\nBe quick."
  published_at = 2026-11-01T09:00:00+09:00
  pinned = true
  [[orgs.notices]]
  key = "update"
  title = "App update"
  body = "Version 2 is out."
  published_at = 2026-11-03T00:00:00Z
  [[orgs.notices]]
  key = "holiday"
  title = "휴무 안내"
  body = "연말에는 쉽니다."
  published_at = 2026-11-02T00:00:00Z
  [[orgs.notices]]
  key = "future"
  title = "Not yet"
  body = "Scheduled."
  published_at = 2099-01-01T00:00:00Z
  [[orgs.faq]]
  key = "password"
  question = "How do I change my password?"
  answer = "More → Change password."
  category = "Account"
  [[orgs.faq]]
  key = "calls"
  question = "Why do I get no calls?"
  answer = "Set your state to Ready."
)";

const std::string kGlobexContent = R"(
  [[orgs.notices]]
  key = "globex"
  title = "Globex only"
  body = "Secret to Acme."
  published_at = 2026-11-01T00:00:00Z
)";

// kTwoOrgs with the content appended to each org (each org's text ends with its agents).
std::string withContent(const std::string& acme, const std::string& globex) {
  std::string file = kTwoOrgs;
  const auto globex_at = file.find("[[orgs]]\nname = \"Globex\"");
  file.insert(globex_at, acme + "\n");
  return file + globex;
}

class ContentTest : public ServerTest {
 protected:
  std::string provisioning() const override { return withContent(kAcmeContent, kGlobexContent); }

  // Runs `admin import` against the running server's data directory.
  void reimport(const std::string& text) {
    auto file = dir_.write("provisioning-2.toml", text);
    auto imported =
        runCommand(kBinary, {"admin", "--data-dir", dataDir(), "import", file.string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  std::vector<std::string> titles(const std::string& target, const std::string& token) {
    auto r = get(target, token);
    EXPECT_EQ(r.status, 200u) << r.body;
    std::vector<std::string> out;
    if (r.status != 200u) return out;
    const boost::json::value page = r.json();  // outlives the loop (C++20 range-for)
    for (const auto& item : page.at("items").as_array()) out.emplace_back(item.at("title").as_string());
    return out;
  }

  Response inquire(const std::string& token, const boost::json::object& body) {
    return post("/api/v1/inquiries", boost::json::serialize(body), token);
  }
};

TEST_F(ContentTest, NoticesArePinnedFirstThenNewestFirstAPageAtATime) {
  const std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  auto first = get("/api/v1/notices?limit=2", bob);
  ASSERT_EQ(first.status, 200u) << first.body;
  const boost::json::value page = first.json();
  const auto& items = page.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("title").as_string(), "House rules");
  EXPECT_TRUE(items[0].at("pinned").as_bool());
  EXPECT_EQ(items[0].at("published_at").as_string(), "2026-11-01T00:00:00.000Z");
  EXPECT_TRUE(items[0].at("id").is_int64());
  EXPECT_FALSE(items[0].as_object().contains("body"));  // the list shows titles
  EXPECT_EQ(items[1].at("title").as_string(), "App update");
  EXPECT_FALSE(items[1].at("pinned").as_bool());
  const auto& cursor = page.at("next_cursor");
  ASSERT_TRUE(cursor.is_string());

  auto second = get("/api/v1/notices?limit=2&cursor=" + std::string(cursor.as_string()), bob);
  ASSERT_EQ(second.status, 200u) << second.body;
  ASSERT_EQ(second.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(second.json().at("items").at(0).at("title").as_string(), "휴무 안내");
  EXPECT_TRUE(second.json().at("next_cursor").is_null());

  EXPECT_EQ(titles("/api/v1/notices", bob),
            (std::vector<std::string>{"House rules", "App update", "휴무 안내"}));
  for (const std::string bad :
       {"limit=0", "limit=201", "limit=x", "cursor=garbage", "cursor=p1.x", "cursor=1.0"}) {
    auto r = get("/api/v1/notices?" + bad, bob);
    EXPECT_EQ(r.status, 422u) << bad;
    EXPECT_EQ(problemType(r.body), "/problems/invalid-input");
  }
}

TEST_F(ContentTest, ANoticeHasItsBodyAndAnotherOrgsIsNotFound) {
  const std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  const std::string globex = login("Globex", "alice", kGlobexAdminPassword);
  auto list = get("/api/v1/notices", bob);
  ASSERT_EQ(list.status, 200u);
  const std::int64_t rules = list.json().at("items").at(0).at("id").as_int64();
  auto one = get("/api/v1/notices/" + std::to_string(rules), bob);
  ASSERT_EQ(one.status, 200u) << one.body;
  EXPECT_EQ(one.json().at("title").as_string(), "House rules");
  EXPECT_EQ(one.json().at("body").as_string(), "Be kind.\nBe quick.");
  EXPECT_TRUE(one.json().at("pinned").as_bool());
  EXPECT_TRUE(one.json().at("updated_at").is_string());

  auto theirs = get("/api/v1/notices/" + std::to_string(rules), globex);
  EXPECT_EQ(theirs.status, 404u);
  EXPECT_EQ(problemType(theirs.body), "/problems/not-found");
  auto globex_list = get("/api/v1/notices", globex);
  ASSERT_EQ(globex_list.status, 200u);
  ASSERT_EQ(globex_list.json().at("items").as_array().size(), 1u);
  const std::int64_t globex_id = globex_list.json().at("items").at(0).at("id").as_int64();
  EXPECT_EQ(get("/api/v1/notices/" + std::to_string(globex_id), bob).status, 404u);
  // The scheduled notice exists (ids are consecutive) but is nobody's yet.
  for (std::int64_t id = 1; id <= globex_id; ++id) {
    auto r = get("/api/v1/notices/" + std::to_string(id), bob);
    if (r.status == 200u) {
      EXPECT_NE(r.json().at("title").as_string(), "Not yet");
    }
  }
  for (const std::string bad : {"0", "-1", "abc", "1.5", "99999999999999999999"}) {
    EXPECT_EQ(get("/api/v1/notices/" + bad, bob).status, 404u) << bad;
  }
}

TEST_F(ContentTest, TheFaqIsInTheFilesOrder) {
  const std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  auto r = get("/api/v1/faq", bob);
  ASSERT_EQ(r.status, 200u) << r.body;
  const boost::json::value faq = r.json();
  const auto& items = faq.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("question").as_string(), "How do I change my password?");
  EXPECT_EQ(items[0].at("answer").as_string(), "More → Change password.");
  EXPECT_EQ(items[0].at("category").as_string(), "Account");
  EXPECT_TRUE(items[1].at("category").is_null());
  EXPECT_TRUE(items[1].at("id").is_int64());
  EXPECT_TRUE(r.json().at("next_cursor").is_null());
  const std::string globex = login("Globex", "alice", kGlobexAdminPassword);
  auto theirs = get("/api/v1/faq", globex);
  ASSERT_EQ(theirs.status, 200u);
  EXPECT_TRUE(theirs.json().at("items").as_array().empty());
}

TEST_F(ContentTest, EverythingNeedsASession) {
  for (const char* path :
       {"/api/v1/notices", "/api/v1/notices/1", "/api/v1/faq", "/api/v1/inquiries"}) {
    auto r = get(path);
    EXPECT_EQ(r.status, 401u) << path;
    EXPECT_EQ(problemType(r.body), "/problems/unauthenticated");
    EXPECT_EQ(r.header("www-authenticate"), "Bearer");
    EXPECT_EQ(get(path, "sbs_not-a-real-token").status, 401u) << path;
  }
  auto r = post("/api/v1/inquiries", R"({"subject":"Hi","body":"Hello"})");
  EXPECT_EQ(r.status, 401u);
}

TEST_F(ContentTest, AReimportWhileServingUpdatesAndRemoves) {
  const std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  auto before = get("/api/v1/notices", bob);
  ASSERT_EQ(before.status, 200u);
  const std::int64_t update_id = before.json().at("items").at(1).at("id").as_int64();
  const std::int64_t holiday_id = before.json().at("items").at(2).at("id").as_int64();

  std::string acme = kAcmeContent;
  acme.replace(acme.find("title = \"App update\""), 20, "title = \"App update 2.1\"");
  acme.erase(acme.find("  [[orgs.notices]]\n  key = \"holiday\""),
             acme.find("  [[orgs.notices]]\n  key = \"future\"") -
                 acme.find("  [[orgs.notices]]\n  key = \"holiday\""));
  acme.erase(acme.find("  [[orgs.faq]]\n  key = \"password\""),
             acme.find("  [[orgs.faq]]\n  key = \"calls\"") -
                 acme.find("  [[orgs.faq]]\n  key = \"password\""));
  reimport(withContent(acme, kGlobexContent));

  EXPECT_EQ(titles("/api/v1/notices", bob),
            (std::vector<std::string>{"House rules", "App update 2.1"}));
  auto updated = get("/api/v1/notices/" + std::to_string(update_id), bob);
  ASSERT_EQ(updated.status, 200u) << updated.body;  // the same id
  EXPECT_EQ(updated.json().at("title").as_string(), "App update 2.1");
  EXPECT_EQ(get("/api/v1/notices/" + std::to_string(holiday_id), bob).status, 404u);
  auto faq = get("/api/v1/faq", bob);
  ASSERT_EQ(faq.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(faq.json().at("items").at(0).at("question").as_string(), "Why do I get no calls?");
  // Globex, named in the file with its notice unchanged, keeps it.
  const std::string globex = login("Globex", "alice", kGlobexAdminPassword);
  EXPECT_EQ(titles("/api/v1/notices", globex), std::vector<std::string>{"Globex only"});
}

TEST_F(ContentTest, AnInquiryIsStoredAndListedForItsAgentAndForAdmins) {
  const std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  const std::string alice = login("Acme", "alice", kAcmeAdminPassword);
  auto created = inquire(bob, {{"subject", "헤드셋 문의"},
                               {"body", "소리가 끊깁니다.\n\tSince Monday."},
                               {"contact", "010-1234-5678"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const boost::json::value q = created.json();
  EXPECT_TRUE(q.at("id").is_int64());
  EXPECT_EQ(q.at("subject").as_string(), "헤드셋 문의");
  EXPECT_EQ(q.at("body").as_string(), "소리가 끊깁니다.\n\tSince Monday.");
  EXPECT_EQ(q.at("contact").as_string(), "010-1234-5678");
  EXPECT_EQ(q.at("agent").at("id").as_string(), "bob");
  EXPECT_EQ(q.at("agent").at("name").as_string(), "Bob Lee");
  EXPECT_EQ(q.at("created_at").as_string().size(), 24u);
  auto no_contact = inquire(
      alice, {{"subject", "Admin question"}, {"body", "How do I add a menu?"}, {"contact", ""}});
  ASSERT_EQ(no_contact.status, 201u) << no_contact.body;
  EXPECT_TRUE(no_contact.json().at("contact").is_null());

  auto mine = get("/api/v1/inquiries", bob);
  ASSERT_EQ(mine.status, 200u) << mine.body;
  ASSERT_EQ(mine.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(mine.json().at("items").at(0), q);
  EXPECT_TRUE(mine.json().at("next_cursor").is_null());
  auto all = get("/api/v1/inquiries?all=true", alice);
  ASSERT_EQ(all.status, 200u) << all.body;
  ASSERT_EQ(all.json().at("items").as_array().size(), 2u);
  EXPECT_EQ(all.json().at("items").at(0).at("subject").as_string(),
            "Admin question");  // newest first
  EXPECT_EQ(all.json().at("items").at(1).at("agent").at("id").as_string(), "bob");
  auto paged = get("/api/v1/inquiries?all=true&limit=1", alice);
  ASSERT_EQ(paged.status, 200u);
  auto rest = get("/api/v1/inquiries?all=true&limit=1&cursor=" +
                      std::string(paged.json().at("next_cursor").as_string()),
                  alice);
  ASSERT_EQ(rest.status, 200u) << rest.body;
  EXPECT_EQ(rest.json().at("items").at(0).at("subject").as_string(), "헤드셋 문의");
  EXPECT_EQ(get("/api/v1/inquiries?all=false", alice).json().at("items").as_array().size(), 1u);

  auto refused = get("/api/v1/inquiries?all=true", bob);
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(problemType(refused.body), "/problems/forbidden");
  EXPECT_EQ(get("/api/v1/inquiries?all=yes", alice).status, 422u);
  const std::string globex = login("Globex", "alice", kGlobexAdminPassword);
  auto theirs = get("/api/v1/inquiries?all=true", globex);
  ASSERT_EQ(theirs.status, 200u);
  EXPECT_TRUE(theirs.json().at("items").as_array().empty());
}

TEST_F(ContentTest, ABadInquiryIsRefusedAndNothingIsStored) {
  const std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  const std::vector<std::pair<std::string, unsigned>> cases = {
      {"", 400},
      {"{", 400},
      {"[\"subject\"]", 400},
      {std::string(100, '[') + std::string(100, ']'), 400},
      {"{\"subject\":\"\xff\xfe\",\"body\":\"x\"}", 400},
      {"{}", 422},
      {R"({"subject":"Hi"})", 422},
      {R"({"body":"Hello"})", 422},
      {R"({"subject":"Hi","body":null})", 422},
      {R"({"subject":7,"body":"Hello"})", 422},
      {R"({"subject":"Hi","body":["Hello"]})", 422},
      {R"({"subject":"Hi","body":"Hello","contact":5})", 422},
      {R"({"subject":"Hi","body":"Hello","contact":"not a contact"})", 422},
      {R"({"subject":"Hi","body":"Hello","contact":"alice@"})", 422},
      {R"({"subject":"Hi","body":"Hello","priority":"high"})", 422},
      {R"({"subject":"   ","body":"Hello"})", 422},
      {R"({"subject":"Hi","body":" \n "})", 422},
      {R"({"subject":"Line\nbreak","body":"Hello"})", 422},
      {R"({"subject":"\u001b[31mred","body":"Hello"})", 422},
      {R"({"subject":"Hi","body":"bell\u0007"})", 422},
      {"{\"subject\":\"" + std::string(201, 's') + "\",\"body\":\"Hello\"}", 422},
      {"{\"subject\":\"Hi\",\"body\":\"" + std::string(5001, 'b') + "\"}", 422},
      {"{\"subject\":\"Hi\",\"body\":\"Hello\",\"contact\":\"" + std::string(250, 'a') + "@b.cd\"}",
       422},
  };
  for (const auto& [body, status] : cases) {
    auto r = post("/api/v1/inquiries", body, bob);
    EXPECT_EQ(r.status, status) << body.substr(0, 80) << " → " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    EXPECT_FALSE(problemType(r.body).empty());
  }
  auto missing = post("/api/v1/inquiries", "{}", bob);
  EXPECT_NE(missing.json().at("detail").as_string().find("'subject' is required"),
            std::string::npos)
      << missing.body;
  EXPECT_NE(missing.json().at("detail").as_string().find("'body' is required"), std::string::npos)
      << missing.body;
  auto wrong_type =
      http().request(http::verb::post, "/api/v1/inquiries", R"({"subject":"Hi","body":"Hello"})",
                     {{"Content-Type", "text/plain"}, {"Authorization", "Bearer " + bob}});
  EXPECT_EQ(wrong_type.status, 415u);

  auto list = get("/api/v1/inquiries", bob);
  ASSERT_EQ(list.status, 200u);
  EXPECT_TRUE(list.json().at("items").as_array().empty());
  // The longest allowed values are fine.
  auto longest =
      inquire(bob, {{"subject", std::string(200, 's')}, {"body", std::string(5000, 'b')}});
  EXPECT_EQ(longest.status, 201u) << longest.body.substr(0, 200);
}

TEST_F(ContentTest, TwentyInquiriesAnHourPerAgent) {
  const std::string bob = login("Acme", "bob", kAcmeAgentPassword);
  for (int i = 0; i < 20; ++i) {
    auto r = inquire(bob, {{"subject", "Question " + std::to_string(i)}, {"body", "Details"}});
    ASSERT_EQ(r.status, 201u) << i << ": " << r.body;
  }
  auto refused = inquire(bob, {{"subject", "One more"}, {"body", "Details"}});
  EXPECT_EQ(refused.status, 429u) << refused.body;
  EXPECT_EQ(problemType(refused.body), "/problems/too-many-requests");
  const int retry_after = std::stoi(refused.header("retry-after"));
  EXPECT_GT(retry_after, 3500);
  EXPECT_LE(retry_after, 3600);
  auto list = get("/api/v1/inquiries?limit=200", bob);
  EXPECT_EQ(list.json().at("items").as_array().size(), 20u);
  // Another agent is not held back by bob.
  const std::string alice = login("Acme", "alice", kAcmeAdminPassword);
  EXPECT_EQ(inquire(alice, {{"subject", "Mine"}, {"body", "Details"}}).status, 201u);
}

}  // namespace
}  // namespace sb::testing
