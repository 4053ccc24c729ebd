// [[orgs.notices]] and [[orgs.faq]] of a provisioning file (L1): what is valid, the line
// each problem is reported on, and what an import and a re-import do with them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <sstream>

#include "app/provisioning.hpp"
#include "store/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace sb::app {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

auto problemAt(int line, const std::string& text) {
  return AllOf(Field(&ProvisioningProblem::line, line),
               Field(&ProvisioningProblem::message, HasSubstr(text)));
}

// Line numbers matter: the first notice's table is on line 4, the first FAQ entry's on 17.
const std::string kFile = R"([[orgs]]
name = "Acme"
country_code = "82"
  [[orgs.notices]]
  key = "maintenance-12"
  title = "12월 1일 점검 안내 / Maintenance on 1 December"
  body = """
The service is down from 02:00 to 04:00.
	Calls wait in the queue meanwhile."""
  published_at = 2026-11-20T09:00:00+09:00
  pinned = true
  [[orgs.notices]]
  key = "welcome"
  title = "Welcome"
  body = "Hello!"
  published_at = 2026-11-01T00:00:00.250Z
  [[orgs.faq]]
  key = "password"
  question = "How do I change my password?"
  answer = "More → Change password."
  category = "Account"
  [[orgs.faq]]
  key = "no-calls"
  question = "Why do I get no calls?"
  answer = "Set your state to Ready."
)";

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::vector<ProvisioningProblem> problems(std::string_view text) {
  auto parsed = parseProvisioning(text, "test.toml");
  if (auto* p = std::get_if<std::vector<ProvisioningProblem>>(&parsed)) return *p;
  return {};
}

// kFile's first org with one notice of the given keys (line 4 is its table).
std::vector<ProvisioningProblem> noticeProblems(std::string_view keys) {
  return problems("[[orgs]]\nname = \"Acme\"\ncountry_code = \"82\"\n[[orgs.notices]]\n" +
                  std::string(keys));
}

std::vector<ProvisioningProblem> faqProblems(std::string_view keys) {
  return problems("[[orgs]]\nname = \"Acme\"\ncountry_code = \"82\"\n[[orgs.faq]]\n" +
                  std::string(keys));
}

constexpr std::string_view kGoodNotice =
    "key = \"k\"\ntitle = \"T\"\nbody = \"B\"\npublished_at = 2026-11-20T09:00:00Z\n";

TEST(ProvisioningContentParse, NoticesAndFaqAreRead) {
  auto parsed = parseProvisioning(kFile, "acme.toml");
  ASSERT_TRUE(std::holds_alternative<Provisioning>(parsed))
      << std::get<std::vector<ProvisioningProblem>>(parsed)[0].message;
  const ProvisionedOrg& acme = std::get<Provisioning>(parsed).orgs.at(0);
  ASSERT_EQ(acme.notices.size(), 2u);
  const acd::Notice& maintenance = acme.notices[0];
  EXPECT_EQ(maintenance.key, "maintenance-12");
  EXPECT_EQ(maintenance.title, "12월 1일 점검 안내 / Maintenance on 1 December");
  EXPECT_EQ(maintenance.body,
            "The service is down from 02:00 to 04:00.\n\tCalls wait in the queue meanwhile.");
  EXPECT_EQ(core::toRfc3339(maintenance.published), "2026-11-20T00:00:00.000Z");  // +09:00 applied
  EXPECT_TRUE(maintenance.pinned);
  EXPECT_EQ(core::toRfc3339(acme.notices[1].published), "2026-11-01T00:00:00.250Z");
  EXPECT_FALSE(acme.notices[1].pinned);
  ASSERT_EQ(acme.faq.size(), 2u);
  EXPECT_EQ(acme.faq[0].key, "password");
  EXPECT_EQ(acme.faq[0].answer, "More → Change password.");
  EXPECT_EQ(acme.faq[0].category, "Account");
  EXPECT_EQ(acme.faq[1].question, "Why do I get no calls?");
  EXPECT_EQ(acme.faq[1].category, "");
}

TEST(ProvisioningContentParse, NoticeKeysAreRequiredAndChecked) {
  EXPECT_THAT(noticeProblems(kGoodNotice), IsEmpty());
  EXPECT_THAT(noticeProblems(""), ElementsAre(problemAt(4, "missing key \"key\""),
                                              problemAt(4, "missing key \"title\""),
                                              problemAt(4, "missing key \"body\""),
                                              problemAt(4, "missing key \"published_at\"")));
  EXPECT_THAT(noticeProblems(replaced(std::string(kGoodNotice), "key = \"k\"", "key = \"a key\"")),
              ElementsAre(problemAt(5, "key may hold only letters, digits")));
  EXPECT_THAT(noticeProblems(replaced(std::string(kGoodNotice), "key = \"k\"", "key = \"\"")),
              ElementsAre(problemAt(5, "key must not be empty")));
  EXPECT_THAT(noticeProblems(replaced(std::string(kGoodNotice), "key = \"k\"",
                                      "key = \"" + std::string(65, 'k') + "\"")),
              ElementsAre(problemAt(5, "at most 64")));
  EXPECT_THAT(noticeProblems(std::string(kGoodNotice) + "pined = true\n"),
              ElementsAre(problemAt(
                  9, "unknown key \"pined\" in [[orgs.notices]] (did you mean \"pinned\"?)")));
  EXPECT_THAT(noticeProblems(std::string(kGoodNotice) + "pinned = \"yes\"\n"),
              ElementsAre(problemAt(9, "pinned must be true or false")));
}

TEST(ProvisioningContentParse, TitlesAreOneLineAndBodiesPlainTextOfAtMost20000Characters) {
  const auto with = [](std::string_view from, std::string_view to) {
    return noticeProblems(replaced(std::string(kGoodNotice), from, to));
  };
  EXPECT_THAT(with("title = \"T\"", "title = \"line\\nbreak\""),
              ElementsAre(problemAt(6, "control characters")));
  EXPECT_THAT(with("title = \"T\"", "title = \"" + std::string(201, 't') + "\""),
              ElementsAre(problemAt(6, "at most 200")));
  EXPECT_THAT(with("body = \"B\"", "body = \"" + std::string(20'000, 'b') + "\""), IsEmpty());
  EXPECT_THAT(with("body = \"B\"", "body = \"" + std::string(20'001, 'b') + "\""),
              ElementsAre(problemAt(7, "body must be at most 20000 characters")));
  EXPECT_THAT(with("body = \"B\"", "body = \"가\\t나\\r\\n다\""), IsEmpty());
  EXPECT_THAT(with("body = \"B\"", "body = \"bell\\u0007\""),
              ElementsAre(problemAt(7, "other than newlines and tabs")));
  EXPECT_THAT(with("body = \"B\"", "body = \" \\n \""),
              ElementsAre(problemAt(7, "body must not be empty")));
}

TEST(ProvisioningContentParse, PublishedAtIsADateTimeWithItsOffset) {
  const auto with = [](std::string_view value) {
    return noticeProblems(replaced(std::string(kGoodNotice), "2026-11-20T09:00:00Z", value));
  };
  EXPECT_THAT(with("2026-11-20T09:00:00-05:30"), IsEmpty());
  EXPECT_THAT(with("2026-11-20 09:00:00+09:00"), IsEmpty());
  EXPECT_THAT(with("2026-11-20T09:00:00"),
              ElementsAre(problemAt(8, "must say its offset from UTC")));
  EXPECT_THAT(with("2026-11-20"),
              ElementsAre(problemAt(8, "published_at must be a date-time such as")));
  EXPECT_THAT(with("\"2026-11-20T09:00:00Z\""),
              ElementsAre(problemAt(8, "(not quoted), not a string")));
  EXPECT_THAT(with("1969-12-31T23:59:59Z"), ElementsAre(problemAt(8, "from 1970 to 9999")));
}

TEST(ProvisioningContentParse, KeysAreUniqueWithinTheOrgsNoticesAndWithinItsFaq) {
  const std::string two_orgs =
      kFile + "[[orgs]]\nname = \"Globex\"\ncountry_code = \"1\"\n" +
      "  [[orgs.notices]]\n  key = \"welcome\"\n  title = \"Hi\"\n  body = \"Hi\"\n"
      "  published_at = 2026-11-01T00:00:00Z\n";
  EXPECT_THAT(problems(two_orgs), IsEmpty());  // another org may use the same key
  const std::string twice =
      kFile +
      "  [[orgs.notices]]\n  key = \"welcome\"\n  title = \"Again\"\n  body = \"B\"\n"
      "  published_at = 2026-11-01T00:00:00Z\n"
      "  [[orgs.faq]]\n  key = \"password\"\n  question = \"Q\"\n  answer = \"A\"\n"
      "  [[orgs.faq]]\n  key = \"welcome\"\n  question = \"Q\"\n  answer = \"A\"\n";
  EXPECT_THAT(problems(twice),
              ElementsAre(problemAt(27, "duplicate notice key \"welcome\" (first on line 13)"),
                          problemAt(32, "duplicate FAQ key \"password\" (first on line 18)")));
}

TEST(ProvisioningContentParse, FaqKeysAreRequiredAndChecked) {
  EXPECT_THAT(faqProblems("key = \"k\"\nquestion = \"Q\"\nanswer = \"A\"\n"), IsEmpty());
  EXPECT_THAT(faqProblems(""), ElementsAre(problemAt(4, "missing key \"key\""),
                                           problemAt(4, "missing key \"question\""),
                                           problemAt(4, "missing key \"answer\"")));
  EXPECT_THAT(
      faqProblems("key = \"k\"\nquestion = \"" + std::string(501, 'q') + "\"\nanswer = \"A\"\n"),
      ElementsAre(problemAt(6, "question must be at most 500")));
  EXPECT_THAT(faqProblems("key = \"k\"\nquestion = \"Q\"\nanswer = \"\"\n"),
              ElementsAre(problemAt(7, "answer must not be empty")));
  EXPECT_THAT(faqProblems("key = \"k\"\nquestion = \"Q\"\nanswer = \"A\"\ncategory = \"\"\n"),
              ElementsAre(problemAt(8, "category must not be empty")));
  EXPECT_THAT(faqProblems("key = \"k\"\nquestion = \"Q\"\nanswer = \"A\"\ncategory = 3\n"),
              ElementsAre(problemAt(8, "category must be a string")));
  EXPECT_THAT(problems("[[orgs]]\nname = \"Acme\"\ncountry_code = \"82\"\nfaq = \"none\"\n"),
              ElementsAre(problemAt(4, "faq must be an array of tables, written [[orgs.faq]]")));
}

struct ImportRun {
  int status = -1;
  std::string out, err;
};

class ProvisioningContentImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::SqliteStore::open(data_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
  }

  ImportRun run(const std::string& text) {
    const auto path = files_.write("acme.toml", text);
    ImportRun r;
    std::ostringstream out, err;
    r.status = importProvisioningFile(path, *store_, *store_, hasher_, clock_, out, err);
    r.out = out.str();
    r.err = err.str();
    for (size_t at; (at = r.err.find(path.string())) != std::string::npos;)
      r.err.replace(at, path.string().size(), "acme.toml");
    return r;
  }

  // Every notice (published or not) and FAQ entry of Acme, as text.
  std::string content() {
    auto org = store_->findOrg("Acme");
    EXPECT_TRUE(org.ok());
    if (!org.ok()) return "";
    std::string s;
    auto notices =
        store_->listNotices(org->id, core::fromUnixMillis(INT64_MAX / 1000), std::nullopt, 1000);
    EXPECT_TRUE(notices.ok());
    for (const acd::Notice& n : *notices) {
      auto full = store_->findNotice(org->id, n.id, core::fromUnixMillis(INT64_MAX / 1000));
      EXPECT_TRUE(full.ok());
      s += "notice " + std::to_string(n.id) + " " + n.key + " " + n.title + " [" + full->body +
           "] " + core::toRfc3339(n.published) + (n.pinned ? " pinned" : "") + " updated " +
           core::toRfc3339(n.updated) + "\n";
    }
    auto faq = store_->listFaq(org->id);
    EXPECT_TRUE(faq.ok());
    for (const acd::FaqEntry& e : *faq) {
      s += "faq " + std::to_string(e.id) + " " + e.key + " " + e.question + " [" + e.answer + "] " +
           e.category + "\n";
    }
    return s;
  }

  testing::TempDir data_, files_;
  std::unique_ptr<store::SqliteStore> store_;
  account::PasswordHasher hasher_{account::HashCost{1, crypto_pwhash_argon2id_MEMLIMIT_MIN}};
  core::ManualClock clock_;
};

TEST_F(ProvisioningContentImportTest, AnImportCreatesThemAndTheSameFileAgainChangesNothing) {
  const ImportRun first = run(kFile);
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_EQ(first.out,
            "imported: 1 org created, 0 updated; 0 agents created, 0 updated; 0 trunks created, 0 "
            "updated; "
            "0 unchanged; 2 notices created, 0 updated, 0 removed; 2 FAQ entries created, 0 "
            "updated, 0 removed\n");
  const std::string before = content();
  EXPECT_THAT(
      before,
      HasSubstr(
          " maintenance-12 12월 1일 점검 안내 / Maintenance on 1 December [The service is down"));
  EXPECT_THAT(before, HasSubstr("2026-11-20T00:00:00.000Z pinned"));

  clock_.advance(std::chrono::hours(1));
  const ImportRun second = run(kFile);
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_EQ(second.out,
            "imported: 0 orgs created, 0 updated; 0 agents created, 0 updated; 0 trunks created, 0 "
            "updated; "
            "1 unchanged\n");
  EXPECT_EQ(content(), before);
}

TEST_F(ProvisioningContentImportTest, AReimportUpdatesByKeyAndRemovesWhatTheFileNoLongerLists) {
  ASSERT_EQ(run(kFile).status, 0);
  const std::string before = content();
  clock_.advance(std::chrono::hours(1));

  std::string edited = replaced(kFile, "title = \"Welcome\"", "title = \"Welcome aboard\"");
  edited = edited.substr(
      0, edited.find("  [[orgs.faq]]\n  key = \"no-calls\""));  // the last FAQ entry is gone
  const ImportRun r = run(edited);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "imported: 0 orgs created, 0 updated; 0 agents created, 0 updated; 0 trunks created, 0 "
            "updated; "
            "1 unchanged; 0 notices created, 1 updated, 0 removed; 0 FAQ entries created, 0 "
            "updated, 1 removed\n");
  const std::string after = content();
  EXPECT_THAT(after, HasSubstr("welcome Welcome aboard [Hello!]"));
  EXPECT_THAT(after, Not(HasSubstr("no-calls")));
  // The notice keeps its id; its `updated` is the re-import's time.
  const auto id_of = [](const std::string& text, const std::string& key) {
    const auto at = text.find(" " + key + " ");
    const auto start = text.rfind("notice ", at) + 7;
    return text.substr(start, at - start);
  };
  EXPECT_EQ(id_of(after, "welcome"), id_of(before, "welcome"));
  EXPECT_THAT(after, HasSubstr("updated " + core::toRfc3339(clock_.now())));

  // An org whose notices and FAQ the file leaves out ends up with none.
  const ImportRun emptied = run("[[orgs]]\nname = \"Acme\"\ncountry_code = \"82\"\n");
  ASSERT_EQ(emptied.status, 0) << emptied.err;
  EXPECT_THAT(emptied.out, HasSubstr("; 0 notices created, 0 updated, 2 removed; 0 FAQ entries "
                                     "created, 0 updated, 1 removed"));
  EXPECT_EQ(content(), "");
}

TEST_F(ProvisioningContentImportTest, AFileWithAProblemInItsContentWritesNothing) {
  ASSERT_EQ(run(kFile).status, 0);
  const std::string before = content();
  std::string bad = replaced(kFile, "title = \"Welcome\"", "title = \"Welcome aboard\"");
  bad = replaced(bad, "published_at = 2026-11-01T00:00:00.250Z",
                 "published_at = 2026-11-01T00:00:00");
  const ImportRun r = run(bad);
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(r.err,
            "acme.toml:16: published_at must say its offset from UTC, such as "
            "2026-11-20T09:00:00+09:00 or "
            "2026-11-20T00:00:00Z\n");
  EXPECT_EQ(content(), before);
}

}  // namespace
}  // namespace sb::app
