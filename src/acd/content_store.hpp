#pragma once
// Where notices, FAQ entries and inquiries are kept (L1). Declared here, by its user;
// implemented by store::SqliteStore. Notices and FAQ entries are written only by an
// import (DirectoryImport::content); agents read them and write inquiries.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "acd/content.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace sb::acd {

struct NoticeCursor {  // the last notice of the previous page
  bool pinned = false;
  core::Time published{};
  std::int64_t id = 0;
};

struct InquiryCursor {  // the last inquiry of the previous page
  core::Time created{};
  std::int64_t id = 0;
};

// At most `max` inquiries per agent within any `window`.
struct InquiryLimit {
  std::size_t max = 20;
  core::Duration window = std::chrono::hours(1);
};

class ContentStore {
 public:
  virtual ~ContentStore() = default;

  // The org's notices published by `now`: pinned ones first, then the newest first (by
  // publication, then id), those after `after` only, at most `limit` (1..1000). Without
  // their bodies (body is ""): a list shows titles.
  virtual core::Result<std::vector<Notice>> listNotices(OrgId org, core::Time now,
                                                        std::optional<NoticeCursor> after,
                                                        std::size_t limit) = 0;
  // One notice with its body; kNotFound for another org's, an unknown one or one not
  // published by `now`.
  virtual core::Result<Notice> findNotice(OrgId org, std::int64_t id, core::Time now) = 0;
  // The org's FAQ in its order.
  virtual core::Result<std::vector<FaqEntry>> listFaq(OrgId org) = 0;

  // Stores an inquiry (its id ignored) and returns it as stored. kTooManyRequests, with
  // retry_after, when its agent already sent limit.max within limit.window before
  // inquiry.created; the count and the write are one transaction.
  virtual core::Result<Inquiry> saveInquiry(const Inquiry& inquiry, const InquiryLimit& limit) = 0;
  // The org's inquiries, newest first (by creation, then id), only `agent`'s when given,
  // those before `before` only, at most `limit` (1..1000).
  virtual core::Result<std::vector<Inquiry>> listInquiries(OrgId org, std::optional<AgentKey> agent,
                                                           std::optional<InquiryCursor> before,
                                                           std::size_t limit) = 0;
};

}  // namespace sb::acd
