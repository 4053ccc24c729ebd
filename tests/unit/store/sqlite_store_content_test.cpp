// SqliteStore: the "More" screen (L1) — notices and FAQ replaced by an import (matched
// by key, updated, removed, nothing written when unchanged), listed in order and per
// org; inquiries stored, listed and limited per agent.
#include <gtest/gtest.h>

#include "store/sqlite_store.hpp"
#include "unit/store/store_fixture.hpp"

namespace sb::store {
namespace {

using core::ErrorCode;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::agent;
using testing::codeOf;
using testing::kNow;
using testing::org;

acd::Notice notice(std::string key, std::string title, core::Time published, bool pinned = false) {
  acd::Notice n;
  n.key = std::move(key);
  n.title = std::move(title);
  n.body = "Body of " + n.title + "\nsecond line";
  n.published = published;
  n.pinned = pinned;
  return n;
}

acd::FaqEntry faq(std::string key, std::string question, std::string category = "") {
  acd::FaqEntry e;
  e.key = std::move(key);
  e.question = std::move(question);
  e.answer = "Answer to " + e.question;
  e.category = std::move(category);
  return e;
}

std::vector<std::string> titles(const std::vector<acd::Notice>& notices) {
  std::vector<std::string> out;
  for (const auto& n : notices) out.push_back(n.title);
  return out;
}

std::vector<std::string> questions(const std::vector<acd::FaqEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.question);
  return out;
}

class ContentStoreTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    acd::DirectoryImport in;
    in.orgs.push_back({org("Acme", "acme.example"), {agent("alice"), agent("bob")}});
    in.orgs.push_back({org("Globex", "globex.example"), {agent("carol")}});
    import(in);
    acme_ = orgId("Acme");
    globex_ = orgId("Globex");
    alice_ = findAgent("Acme", "alice").key;
    bob_ = findAgent("Acme", "bob").key;
    carol_ = findAgent("Globex", "carol").key;
  }

  acd::ImportSummary importContent(std::vector<acd::OrgContent> content, core::Time at = kNow) {
    acd::DirectoryImport in;
    in.content = std::move(content);
    auto summary = store_->applyImport(in, at);
    EXPECT_TRUE(summary.ok()) << summary.error().message;
    return summary.ok() ? *summary : acd::ImportSummary{};
  }

  std::vector<acd::Notice> notices(acd::OrgId org, core::Time now = kNow + hours(1000),
                                   std::optional<acd::NoticeCursor> after = std::nullopt,
                                   std::size_t limit = 100) {
    auto list = store_->listNotices(org, now, after, limit);
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<acd::Notice>{};
  }

  std::vector<acd::FaqEntry> faqOf(acd::OrgId org) {
    auto list = store_->listFaq(org);
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<acd::FaqEntry>{};
  }

  acd::Inquiry inquiry(acd::AgentKey agent, std::string subject, core::Time at,
                       acd::OrgId org = 0) {
    return acd::Inquiry{0, org ? org : acme_, agent, std::move(subject), "Please help.\nThanks", "",
                        at};
  }

  acd::OrgId acme_ = 0, globex_ = 0;
  acd::AgentKey alice_ = 0, bob_ = 0, carol_ = 0;
};

TEST_F(ContentStoreTest, AnImportCreatesNoticesAndFaqAndTheSameImportAgainWritesNothing) {
  const std::vector<acd::OrgContent> content{
      {"Acme",
       {notice("welcome", "Welcome", kNow - hours(2), true),
        notice("update", "App update", kNow - hours(1))},
       {faq("password", "How do I change my password?", "Account"),
        faq("calls", "Why no calls?")}}};
  const acd::ImportSummary first = importContent(content);
  EXPECT_EQ(first.notices_created, 2);
  EXPECT_EQ(first.faq_created, 2);
  EXPECT_EQ(first.notices_updated + first.notices_removed + first.faq_updated + first.faq_removed,
            0);
  EXPECT_EQ(first.orgs_updated, 0);  // content alone does not touch the org

  const auto before = notices(acme_);
  ASSERT_EQ(titles(before), (std::vector<std::string>{"Welcome", "App update"}));
  EXPECT_TRUE(before[0].pinned);
  EXPECT_EQ(before[0].key, "welcome");
  EXPECT_EQ(before[0].published, kNow - hours(2));
  EXPECT_EQ(before[0].updated, kNow);
  EXPECT_EQ(before[0].body, "");  // lists leave the body out
  const auto full = store_->findNotice(acme_, before[0].id, kNow);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->body, "Body of Welcome\nsecond line");
  const auto entries = faqOf(acme_);
  ASSERT_EQ(questions(entries),
            (std::vector<std::string>{"How do I change my password?", "Why no calls?"}));
  EXPECT_EQ(entries[0].category, "Account");
  EXPECT_EQ(entries[1].category, "");
  EXPECT_EQ(entries[0].answer, "Answer to How do I change my password?");

  const acd::ImportSummary again = importContent(content, kNow + hours(3));
  EXPECT_EQ(again.notices_created + again.notices_updated + again.notices_removed, 0);
  EXPECT_EQ(again.faq_created + again.faq_updated + again.faq_removed, 0);
  EXPECT_EQ(notices(acme_), before);  // same ids, `updated` untouched
  EXPECT_EQ(faqOf(acme_), entries);
}

TEST_F(ContentStoreTest, AReimportUpdatesByKeyKeepsIdsAndRemovesWhatTheFileNoLongerLists) {
  importContent({{"Acme",
                  {notice("a", "A", kNow - hours(3)), notice("b", "B", kNow - hours(2)),
                   notice("c", "C", kNow - hours(1))},
                  {faq("one", "Q1"), faq("two", "Q2"), faq("three", "Q3")}}});
  const auto before = notices(acme_);
  const auto faq_before = faqOf(acme_);

  acd::Notice b = notice("b", "B, corrected", kNow - hours(2));
  const acd::ImportSummary s =
      importContent({{"Acme",
                      {notice("a", "A", kNow - hours(3)), b, notice("d", "D", kNow - minutes(5))},
                      {faq("three", "Q3"), faq("one", "Q1 again"), faq("four", "Q4")}}},
                    kNow + hours(1));
  EXPECT_EQ(s.notices_created, 1);
  EXPECT_EQ(s.notices_updated, 1);
  EXPECT_EQ(s.notices_removed, 1);
  EXPECT_EQ(s.faq_created, 1);
  EXPECT_EQ(s.faq_updated, 1);  // a move alone ("three" is now first) is not an update
  EXPECT_EQ(s.faq_removed, 1);

  const auto after = notices(acme_);
  ASSERT_EQ(titles(after), (std::vector<std::string>{"D", "B, corrected", "A"}));
  EXPECT_EQ(after[1].id, before[1].id);  // B kept its id
  EXPECT_EQ(after[1].updated, kNow + hours(1));
  EXPECT_EQ(after[2].id, before[2].id);
  EXPECT_EQ(after[2].updated, kNow);  // A did not change
  EXPECT_EQ(codeOf(store_->findNotice(acme_, before[0].id, kNow + hours(2))),
            ErrorCode::kNotFound);  // C is gone

  const auto faq_after = faqOf(acme_);
  ASSERT_EQ(questions(faq_after), (std::vector<std::string>{"Q3", "Q1 again", "Q4"}));
  EXPECT_EQ(faq_after[0].id, faq_before[2].id);
  EXPECT_EQ(faq_after[1].id, faq_before[0].id);

  // An org named with empty lists ends up with none.
  const acd::ImportSummary emptied = importContent({{"Acme", {}, {}}});
  EXPECT_EQ(emptied.notices_removed, 3);
  EXPECT_EQ(emptied.faq_removed, 3);
  EXPECT_TRUE(notices(acme_).empty());
  EXPECT_TRUE(faqOf(acme_).empty());
}

TEST_F(ContentStoreTest, OrgsWithoutContentInTheImportKeepTheirs) {
  importContent({{"Acme", {notice("a", "Acme news", kNow)}, {faq("q", "Acme question")}},
                 {"Globex", {notice("a", "Globex news", kNow)}, {faq("q", "Globex question")}}});
  importContent({{"Globex", {}, {}}});
  EXPECT_EQ(titles(notices(acme_)), std::vector<std::string>{"Acme news"});
  EXPECT_EQ(questions(faqOf(acme_)), std::vector<std::string>{"Acme question"});
  // An import of the directory alone (no content at all) leaves every org's.
  acd::DirectoryImport directory_only;
  directory_only.orgs.push_back({org("Acme", "acme.example"), {agent("alice")}});
  import(directory_only);
  EXPECT_EQ(titles(notices(acme_)), std::vector<std::string>{"Acme news"});
  EXPECT_TRUE(notices(globex_).empty());
}

TEST_F(ContentStoreTest, NoticesComePinnedFirstThenNewestFirstAPageAtATime) {
  importContent(
      {{"Acme",
        {notice("old", "Old", kNow - hours(48)),
         notice("pin-old", "Pinned old", kNow - hours(72), true),
         notice("new", "New", kNow - hours(1)), notice("tie-1", "Tie 1", kNow - hours(24)),
         notice("tie-2", "Tie 2", kNow - hours(24)),
         notice("pin-new", "Pinned new", kNow - hours(2), true),
         notice("later", "Scheduled", kNow + hours(1))},
        {}}});
  const std::vector<std::string> order{"Pinned new", "Pinned old", "New", "Tie 2", "Tie 1", "Old"};
  EXPECT_EQ(titles(notices(acme_, kNow)), order);  // "Scheduled" is not published yet

  std::vector<std::string> paged;
  std::optional<acd::NoticeCursor> cursor;
  for (int page = 0; page < 10; ++page) {
    const auto list = notices(acme_, kNow, cursor, 2);
    for (const auto& n : list) paged.push_back(n.title);
    if (list.size() < 2) break;
    cursor = acd::NoticeCursor{list.back().pinned, list.back().published, list.back().id};
  }
  EXPECT_EQ(paged, order);

  EXPECT_EQ(titles(notices(acme_, kNow + hours(1))).front(), "Pinned new");
  EXPECT_EQ(titles(notices(acme_, kNow + hours(1)))[2], "Scheduled");  // published at last
}

TEST_F(ContentStoreTest, ANoticeIsFoundOnlyInItsOrgAndOncePublished) {
  importContent(
      {{"Acme", {notice("a", "Acme only", kNow), notice("later", "Later", kNow + hours(1))}, {}}});
  const auto list = notices(acme_);
  ASSERT_EQ(list.size(), 2u);
  const std::int64_t later = list[0].id;
  const std::int64_t now = list[1].id;
  EXPECT_TRUE(store_->findNotice(acme_, now, kNow).ok());
  EXPECT_EQ(codeOf(store_->findNotice(globex_, now, kNow)), ErrorCode::kNotFound);
  EXPECT_EQ(codeOf(store_->findNotice(acme_, later, kNow)), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->findNotice(acme_, later, kNow + hours(1)).ok());
  EXPECT_EQ(codeOf(store_->findNotice(acme_, 999, kNow)), ErrorCode::kNotFound);
  EXPECT_TRUE(notices(globex_).empty());
  EXPECT_TRUE(faqOf(globex_).empty());
}

TEST_F(ContentStoreTest, ABadImportChangesNothingAtAll) {
  importContent({{"Acme", {notice("a", "Kept", kNow)}, {faq("q", "Kept?")}}});
  const std::string directory_before = snapshot();

  const auto attempt = [&](acd::DirectoryImport in) {
    in.orgs.push_back(
        {org("Acme", "acme.example", {"0215880000"}), {agent("alice"), agent("zed")}});
    return codeOf(store_->applyImport(in, kNow + hours(1)));
  };
  acd::DirectoryImport duplicate_notice;
  duplicate_notice.content = {{"Acme", {notice("a", "One", kNow), notice("a", "Two", kNow)}, {}}};
  EXPECT_EQ(attempt(duplicate_notice), ErrorCode::kInvalidInput);
  acd::DirectoryImport duplicate_faq;
  duplicate_faq.content = {{"Acme", {}, {faq("q", "One"), faq("q", "Two")}}};
  EXPECT_EQ(attempt(duplicate_faq), ErrorCode::kInvalidInput);
  acd::DirectoryImport empty_key;
  empty_key.content = {{"Acme", {notice("", "No key", kNow)}, {}}};
  EXPECT_EQ(attempt(empty_key), ErrorCode::kInvalidInput);
  acd::DirectoryImport twice;
  twice.content = {{"Acme", {}, {}}, {"Acme", {}, {}}};
  EXPECT_EQ(attempt(twice), ErrorCode::kInvalidInput);
  // Checked inside the transaction: everything before it (the org, the agent) rolls back.
  acd::DirectoryImport unknown_org;
  unknown_org.content = {{"Acme", {}, {}}, {"Initech", {notice("a", "Nobody", kNow)}, {}}};
  EXPECT_EQ(attempt(unknown_org), ErrorCode::kInvalidInput);

  EXPECT_EQ(snapshot(), directory_before);
  EXPECT_EQ(titles(notices(acme_)), std::vector<std::string>{"Kept"});
  EXPECT_EQ(questions(faqOf(acme_)), std::vector<std::string>{"Kept?"});
}

TEST_F(ContentStoreTest, ContentMayBelongToAnOrgTheSameImportCreates) {
  acd::DirectoryImport in;
  in.orgs.push_back({org("Initech", "initech.example"), {agent("peter")}});
  in.content = {{"Initech", {notice("hello", "Hello", kNow)}, {faq("q", "Q")}}};
  auto summary = store_->applyImport(in, kNow);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->orgs_created, 1);
  EXPECT_EQ(summary->notices_created, 1);
  EXPECT_EQ(titles(notices(orgId("Initech"))), std::vector<std::string>{"Hello"});
}

TEST_F(ContentStoreTest, InquiriesAreStoredAndListedNewestFirstPerAgentOrForTheOrg) {
  auto saved =
      store_->saveInquiry(acd::Inquiry{0, acme_, alice_, "Headset", "It crackles.\n\tSince Monday.",
                                       "alice@acme.example", kNow},
                          {});
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_GT(saved->id, 0);
  EXPECT_EQ(saved->subject, "Headset");
  EXPECT_EQ(saved->contact, "alice@acme.example");
  EXPECT_EQ(saved->created, kNow);
  ASSERT_TRUE(store_->saveInquiry(inquiry(bob_, "Bob's", kNow + seconds(1)), {}).ok());
  ASSERT_TRUE(store_->saveInquiry(inquiry(alice_, "Alice's second", kNow + seconds(2)), {}).ok());
  ASSERT_TRUE(store_->saveInquiry(inquiry(alice_, "Same time", kNow + seconds(2)), {}).ok());
  ASSERT_TRUE(store_->saveInquiry(inquiry(carol_, "Globex", kNow, globex_), {}).ok());

  const auto subjects = [](const core::Result<std::vector<acd::Inquiry>>& r) {
    std::vector<std::string> out;
    EXPECT_TRUE(r.ok());
    if (r.ok()) {
      for (const auto& q : *r) out.push_back(q.subject);
    }
    return out;
  };
  EXPECT_EQ(subjects(store_->listInquiries(acme_, alice_, std::nullopt, 50)),
            (std::vector<std::string>{"Same time", "Alice's second", "Headset"}));
  EXPECT_EQ(subjects(store_->listInquiries(acme_, std::nullopt, std::nullopt, 50)),
            (std::vector<std::string>{"Same time", "Alice's second", "Bob's", "Headset"}));
  EXPECT_EQ(subjects(store_->listInquiries(globex_, std::nullopt, std::nullopt, 50)),
            std::vector<std::string>{"Globex"});
  EXPECT_TRUE(subjects(store_->listInquiries(globex_, alice_, std::nullopt, 50)).empty());

  auto first = store_->listInquiries(acme_, std::nullopt, std::nullopt, 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  const acd::InquiryCursor cursor{first->back().created, first->back().id};
  EXPECT_EQ(subjects(store_->listInquiries(acme_, std::nullopt, cursor, 2)),
            (std::vector<std::string>{"Bob's", "Headset"}));
  const auto full = store_->listInquiries(acme_, alice_, std::nullopt, 50);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->back().body, "It crackles.\n\tSince Monday.");
  EXPECT_EQ(full->back().agent, alice_);
  EXPECT_EQ(full->back().org, acme_);
}

TEST_F(ContentStoreTest, InquiriesAreLimitedPerAgentWithinTheWindow) {
  const acd::InquiryLimit limit{3, hours(1)};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        store_->saveInquiry(inquiry(alice_, "Q" + std::to_string(i), kNow + minutes(10 * i)), limit)
            .ok());
  }
  auto refused = store_->saveInquiry(inquiry(alice_, "One too many", kNow + minutes(30)), limit);
  ASSERT_EQ(codeOf(refused), ErrorCode::kTooManyRequests);
  EXPECT_EQ(refused.error().retry_after, seconds(30 * 60));  // when the first leaves the window
  EXPECT_TRUE(
      store_->saveInquiry(inquiry(bob_, "Bob is not limited by Alice", kNow + minutes(30)), limit)
          .ok());
  auto all = store_->listInquiries(acme_, alice_, std::nullopt, 50);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);  // the refused one was not stored

  EXPECT_EQ(codeOf(store_->saveInquiry(
                inquiry(alice_, "Still too soon", kNow + hours(1) - seconds(1)), limit)),
            ErrorCode::kTooManyRequests);
  EXPECT_TRUE(store_->saveInquiry(inquiry(alice_, "An hour later", kNow + hours(1)), limit).ok());
}

}  // namespace
}  // namespace sb::store
