#pragma once
// What the app's "More" screen shows and sends (L1): an org's notices and FAQ, which
// its admins provision from the import file, and the inquiries agents send to support.
// Plain values and their limits; ContentStore (content_store.hpp) keeps them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acd/ids.hpp"
#include "core/clock.hpp"

namespace sb::acd {

// Unicode characters. Titles, questions and subjects are one line; bodies and answers
// may hold newlines and tabs.
inline constexpr std::size_t kMaxContentKeyChars = 64;
inline constexpr std::size_t kMaxNoticeTitleChars = 200;
inline constexpr std::size_t kMaxNoticeBodyChars = 20'000;
inline constexpr std::size_t kMaxFaqQuestionChars = 500;
inline constexpr std::size_t kMaxFaqAnswerChars = 20'000;
inline constexpr std::size_t kMaxFaqCategoryChars = 200;
inline constexpr std::size_t kMaxInquirySubjectChars = 200;
inline constexpr std::size_t kMaxInquiryBodyChars = 5'000;
inline constexpr std::size_t kMaxInquiryContactChars = 254;  // the longest e-mail address

struct Notice {
  std::int64_t id = 0;
  OrgId org = 0;
  std::string key;  // the import file's stable name for it, unique in the org
  std::string title;
  std::string body;        // plain text
  core::Time published{};  // agents see it from then on
  bool pinned = false;     // listed before the others
  core::Time updated{};    // when an import last changed it (or created it)
  bool operator==(const Notice&) const = default;
};

struct FaqEntry {
  std::int64_t id = 0;
  OrgId org = 0;
  std::string key;  // stable name in the import file, unique in the org
  std::string question;
  std::string answer;
  std::string category;  // "" when it has none
  bool operator==(const FaqEntry&) const = default;
};

// An agent's message to support ("contact us").
struct Inquiry {
  std::int64_t id = 0;
  OrgId org = 0;
  AgentKey agent = 0;
  std::string subject;
  std::string body;
  std::string contact;  // an e-mail address or a phone number; "" when none was given
  core::Time created{};
};

// What an import gives one org: its notices and FAQ (ids, orgs and `updated` ignored)
// replace what it has, matched by key; the FAQ's order is this list's order.
struct OrgContent {
  std::string org;  // the org's name
  std::vector<Notice> notices;
  std::vector<FaqEntry> faq;
};

// nullopt when `contact` is an e-mail address (local@domain.example, ASCII) or a phone
// number (3–20 digits, an optional leading '+', spaces, '-', '.', '(' and ')' between);
// otherwise why not, as a phrase after the field's name.
std::optional<std::string> checkInquiryContact(std::string_view contact);

}  // namespace sb::acd
