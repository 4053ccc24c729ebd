// parseProvisioning: TOML text → Provisioning, or every problem in it. The parser keeps
// going after a problem so the admin fixes the file in one round, and it reads only the
// keys of the schema, so a typo is a reported unknown key rather than a silent default.
#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "account/password_policy.hpp"
#include "app/provisioning.hpp"
#include "app/provisioning_rules.hpp"
#include "app/provisioning_screen.hpp"
#include "core/utf8.hpp"

namespace sb::app {
namespace {

// Deep enough for any sane key, shallow enough for toml++'s recursion (see screenToml).
constexpr int kMaxKeyDotsPerLine = 64;

constexpr int kRingTimeoutMin = 5, kRingTimeoutMax = 300, kRingTimeoutDefault = 15;
constexpr int kServiceLevelMin = 1, kServiceLevelMax = 600, kServiceLevelDefault = 20;
constexpr int kPasswordAgeMin = 0, kPasswordAgeMax = 3650, kPasswordAgeDefault = 0;

using Problems = std::vector<ProvisioningProblem>;

int sourceLine(const toml::source_region& region, int fallback) {
  return region.begin.line > 0 ? static_cast<int>(region.begin.line) : fallback;
}

const char* typeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

struct Text {
  std::string value;
  int line = 0;
};

enum class Need { kOptional, kRequired };

// Reads one table of the schema. Unknown keys are reported when the reader is made;
// missing keys and wrong types as fields are read. A field with a problem reads as
// absent, so callers only check values that have the right type.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string where, int line,
              std::initializer_list<std::string_view> keys, Problems& problems)
      : table_(table), where_(std::move(where)), line_(line), problems_(problems) {
    for (auto&& [key, node] : table_) {
      const std::string_view name = key.str();
      if (std::find(keys.begin(), keys.end(), name) != keys.end()) continue;
      std::string message = "unknown key " + quoteValue(name) + " " + where_;
      if (auto guess = closestKey(name, keys)) message += " (did you mean \"" + *guess + "\"?)";
      add(sourceLine(key.source(), sourceLine(node.source(), line_)), std::move(message));
    }
  }

  int line() const { return line_; }
  int lineOf(const toml::node& node) const { return sourceLine(node.source(), line_); }
  bool has(std::string_view key) const { return table_.get(key) != nullptr; }
  void add(int line, std::string message) { problems_.push_back({line, std::move(message)}); }

  std::optional<Text> text(std::string_view key, Need need) {
    const toml::node* node = find(key, need);
    if (node == nullptr) return std::nullopt;
    if (const auto* s = node->as_string()) return Text{s->get(), lineOf(*node)};
    wrongType(key, *node, "a string");
    return std::nullopt;
  }

  // Absent, mistyped and out-of-range values all read as `fallback`.
  int integer(std::string_view key, int min, int max, int fallback) {
    const toml::node* node = find(key, Need::kOptional);
    if (node == nullptr) return fallback;
    const auto* i = node->as_integer();
    if (i == nullptr) {
      wrongType(key, *node, "an integer");
      return fallback;
    }
    const int64_t value = i->get();
    if (value < min || value > max) {
      add(lineOf(*node), std::string(key) + " must be between " + std::to_string(min) + " and " +
                             std::to_string(max) + ", not " + std::to_string(value));
      return fallback;
    }
    return static_cast<int>(value);
  }

  std::optional<bool> boolean(std::string_view key) {
    const toml::node* node = find(key, Need::kOptional);
    if (node == nullptr) return std::nullopt;
    if (const auto* b = node->as_boolean()) return b->get();
    wrongType(key, *node, "true or false");
    return std::nullopt;
  }

  // A TOML offset date-time (2026-11-20T09:00:00+09:00, or with Z): a moment. A local
  // date-time would depend on where the server runs, so it is a problem.
  std::optional<core::Time> moment(std::string_view key, Need need) {
    const toml::node* node = find(key, need);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_date_time();
    if (value == nullptr) {
      wrongType(key, *node, "a date-time such as 2026-11-20T09:00:00+09:00 (not quoted)");
      return std::nullopt;
    }
    const toml::date_time& dt = value->get();
    if (!dt.offset) {
      add(lineOf(*node), std::string(key) + " must say its offset from UTC, such as "
                                            "2026-11-20T09:00:00+09:00 or 2026-11-20T00:00:00Z");
      return std::nullopt;
    }
    const int offset = dt.offset->minutes;
    const int abs_offset = offset < 0 ? -offset : offset;
    char text[64];
    std::snprintf(text, sizeof text, "%04u-%02u-%02uT%02u:%02u:%02u.%09u%c%02d:%02d", unsigned{dt.date.year},
                  unsigned{dt.date.month}, unsigned{dt.date.day}, unsigned{dt.time.hour},
                  unsigned{dt.time.minute}, unsigned{dt.time.second}, unsigned{dt.time.nanosecond},
                  offset < 0 ? '-' : '+', abs_offset / 60, abs_offset % 60);
    auto parsed = core::parseRfc3339(text);
    if (!parsed) add(lineOf(*node), std::string(key) + " must be a date-time from 1970 to 9999");
    return parsed;
  }

  // An array of strings; elements that are not strings are reported and skipped.
  std::vector<Text> texts(std::string_view key) {
    std::vector<Text> out;
    const toml::node* node = find(key, Need::kOptional);
    if (node == nullptr) return out;
    const auto* array = node->as_array();
    if (array == nullptr) {
      wrongType(key, *node, "an array of strings");
      return out;
    }
    for (const toml::node& element : *array) {
      if (const auto* s = element.as_string()) {
        out.push_back({s->get(), lineOf(element)});
      } else {
        add(lineOf(element), "each element of " + std::string(key) + " must be a string, not " +
                                 typeName(element.type()));
      }
    }
    return out;
  }

  // An array of tables ([[header]] or [{…}, …]); other elements are reported and skipped.
  std::vector<const toml::table*> tables(std::string_view key, std::string_view header) {
    std::vector<const toml::table*> out;
    const toml::node* node = find(key, Need::kOptional);
    if (node == nullptr) return out;
    const auto* array = node->as_array();
    if (array == nullptr) {
      add(lineOf(*node), std::string(key) + " must be an array of tables, written [[" +
                             std::string(header) + "]], not " + typeName(node->type()));
      return out;
    }
    for (const toml::node& element : *array) {
      if (const auto* table = element.as_table()) {
        out.push_back(table);
      } else {
        add(lineOf(element), "each element of " + std::string(key) + " must be a table, not " +
                                 typeName(element.type()));
      }
    }
    return out;
  }

 private:
  const toml::node* find(std::string_view key, Need need) {
    const toml::node* node = table_.get(key);
    if (node == nullptr && need == Need::kRequired) {
      add(line_, "missing key \"" + std::string(key) + "\" " + where_);
    }
    return node;
  }

  void wrongType(std::string_view key, const toml::node& node, std::string_view expected) {
    add(lineOf(node),
        std::string(key) + " must be " + std::string(expected) + ", not " + typeName(node.type()));
  }

  static std::optional<std::string> closestKey(std::string_view name,
                                               std::initializer_list<std::string_view> keys) {
    std::optional<std::string> best;
    size_t best_distance = 3;  // a suggestion further than two edits is a guess
    for (std::string_view key : keys) {
      const size_t d = editDistance(name, key);
      if (d < best_distance) best = std::string(key), best_distance = d;
    }
    return best;
  }

  const toml::table& table_;
  std::string where_;
  int line_;
  Problems& problems_;
};

// Remembers where each value was first seen, to report the second with both lines.
class FirstSeen {
 public:
  explicit FirstSeen(std::string what) : what_(std::move(what)) {}
  // False (and a problem) when `value` was seen before.
  bool add(TableReader& reader, const std::string& value, int line, std::string_view what = {}) {
    const auto [it, inserted] = lines_.emplace(value, line);
    if (!inserted) {
      reader.add(line, "duplicate " + (what.empty() ? what_ : std::string(what)) + " " +
                           quoteValue(value) + " (first on line " + std::to_string(it->second) +
                           ")");
    }
    return inserted;
  }

 private:
  std::string what_;
  std::map<std::string, int> lines_;
};

class Parser {
 public:
  explicit Parser(const ProvisioningOptions& options) : options_(options) {}

  void parseDocument(const toml::table& root) {
    TableReader reader(root, "at the top level", 1, {"trunks", "orgs"}, problems_);
    for (const toml::table* trunk : reader.tables("trunks", "trunks")) parseTrunk(*trunk);
    for (const toml::table* org : reader.tables("orgs", "orgs")) parseOrg(*org);
  }

  Problems& problems() { return problems_; }
  Provisioning& result() { return result_; }

 private:
  void checkName(TableReader& reader, const Text& name, std::string_view key,
                 size_t max = kMaxNameLength) {
    if (auto why = app::checkName(name.value, max)) {
      reader.add(name.line, std::string(key) + " " + *why);
    }
  }

  void parseTrunk(const toml::table& table) {
    TableReader reader(table, "in [[trunks]]", sourceLine(table.source(), 1),
                       {"name", "address", "outbound"}, problems_);
    ProvisionedTrunk trunk;
    trunk.line = reader.line();
    if (auto name = reader.text("name", Need::kRequired)) {
      checkName(reader, *name, "name");
      trunk_names_.add(reader, name->value, name->line);
      trunk.trunk.name = std::move(name->value);
    }
    if (auto address = reader.text("address", Need::kRequired)) {
      if (!isIpLiteral(address->value)) {
        reader.add(address->line,
                   "address must be an IPv4 or IPv6 address, not " + quoteValue(address->value));
      } else {
        trunk_addresses_.add(reader, address->value, address->line);
      }
      trunk.trunk.address = std::move(address->value);
    }
    if (auto outbound = reader.text("outbound", Need::kRequired)) {
      if (!isHostPort(outbound->value)) {
        reader.add(outbound->line,
                   "outbound must be host:port or [IPv6]:port, not " + quoteValue(outbound->value));
      }
      trunk.trunk.outbound = std::move(outbound->value);
    }
    result_.trunks.push_back(std::move(trunk));
  }

  void parseOrg(const toml::table& table) {
    TableReader reader(table, "in [[orgs]]", sourceLine(table.source(), 1),
                       {"name", "domain", "timezone", "country_code", "numbers", "after_login",
                        "after_call", "ring_timeout_s", "service_level_s", "password_max_age_days",
                        "categories", "menus", "agents", "notices", "faq"},
                       problems_);
    ProvisionedOrg out;
    out.line = reader.line();
    acd::Org& org = out.org;

    const auto name = reader.text("name", Need::kRequired);
    bool name_ok = false;
    if (name) {
      // A bad or repeated name gets no default domain: one problem, not two.
      const size_t before = problems_.size();
      checkName(reader, *name, "name");
      org_names_.add(reader, name->value, name->line);
      name_ok = problems_.size() == before;
      org.name = name->value;
    }
    parseDomain(reader, out, name_ok ? &*name : nullptr);

    org.timezone = "UTC";
    if (auto zone = reader.text("timezone", Need::kOptional)) {
      if (!timezoneExists(zone->value, options_.zoneinfo_dir)) {
        reader.add(zone->line, "timezone " + quoteValue(zone->value) +
                                   " is not a zone of the IANA time zone database");
      }
      org.timezone = std::move(zone->value);
    }
    if (auto code = reader.text("country_code", Need::kRequired)) {
      if (!isCountryCode(code->value)) {
        reader.add(code->line,
                   "country_code must be 1 to 3 digits without \"+\" or a leading "
                   "zero, such as \"82\", not " +
                       quoteValue(code->value));
      }
      org.country_code = std::move(code->value);
    }
    for (Text& number : reader.texts("numbers")) {
      if (!isDialNumber(number.value)) {
        reader.add(number.line, "number " + quoteValue(number.value) + " must be " +
                                    std::to_string(kMinNumberDigits) + " to " +
                                    std::to_string(kMaxNumberDigits) +
                                    " digits with an optional leading \"+\"");
      } else {
        numbers_.add(reader, number.value, number.line);
      }
      org.numbers.push_back(std::move(number.value));
      out.number_lines.push_back(number.line);
    }
    parsePolicies(reader, org);

    FirstSeen categories("category");
    for (Text& category : reader.texts("categories")) {
      checkName(reader, category, "category");
      categories.add(reader, category.value, category.line);
      org.categories.push_back(std::move(category.value));
    }

    std::map<std::string, int> menu_digits;
    for (const toml::table* menu : reader.tables("menus", "orgs.menus")) {
      parseMenu(*menu, org, menu_digits);
    }
    FirstSeen agent_ids("agent id");
    for (const toml::table* agent : reader.tables("agents", "orgs.agents")) {
      parseAgent(*agent, out, menu_digits, agent_ids);
    }
    FirstSeen notice_keys("notice key");
    for (const toml::table* notice : reader.tables("notices", "orgs.notices")) {
      parseNotice(*notice, out, notice_keys);
    }
    FirstSeen faq_keys("FAQ key");
    for (const toml::table* entry : reader.tables("faq", "orgs.faq")) parseFaq(*entry, out, faq_keys);
    result_.orgs.push_back(std::move(out));
  }

  // The domain defaults to the name in lower case, which must then be a DNS name too.
  void parseDomain(TableReader& reader, ProvisionedOrg& out, const Text* name) {
    if (auto domain = reader.text("domain", Need::kOptional)) {
      out.domain_line = domain->line;
      out.org.domain = asciiLower(domain->value);
      if (!isDnsName(out.org.domain)) {
        reader.add(domain->line, "domain must be a DNS name such as \"acme.example\", not " +
                                     quoteValue(domain->value));
      } else {
        domains_.add(reader, out.org.domain, domain->line);
      }
      return;
    }
    if (name == nullptr || reader.has("domain")) return;  // already reported
    out.domain_line = name->line;
    out.org.domain = asciiLower(name->value);
    if (!isDnsName(out.org.domain)) {
      reader.add(name->line, "the default domain, the name in lower case (" +
                                 quoteValue(out.org.domain) + "), is not a DNS name: set domain");
    } else {
      domains_.add(reader, out.org.domain, name->line, "domain (the name in lower case)");
    }
  }

  void parsePolicies(TableReader& reader, acd::Org& org) {
    if (auto after = reader.text("after_login", Need::kOptional)) {
      if (auto parsed = acd::parseAfterLogin(after->value)) {
        org.after_login = *parsed;
      } else {
        reader.add(after->line,
                   "after_login must be \"ready\" or \"break\", not " + quoteValue(after->value));
      }
    }
    if (auto after = reader.text("after_call", Need::kOptional)) {
      if (auto parsed = acd::parseAfterCall(after->value)) {
        org.after_call = *parsed;
      } else {
        reader.add(after->line, "after_call must be \"ready\", \"break\" or \"acw\", not " +
                                    quoteValue(after->value));
      }
    }
    org.ring_timeout_s =
        reader.integer("ring_timeout_s", kRingTimeoutMin, kRingTimeoutMax, kRingTimeoutDefault);
    org.service_level_s =
        reader.integer("service_level_s", kServiceLevelMin, kServiceLevelMax, kServiceLevelDefault);
    org.password_max_age_days = reader.integer("password_max_age_days", kPasswordAgeMin,
                                               kPasswordAgeMax, kPasswordAgeDefault);
  }

  void parseMenu(const toml::table& table, acd::Org& org, std::map<std::string, int>& digits) {
    TableReader reader(table, "in [[orgs.menus]]", sourceLine(table.source(), 1), {"digit", "name"},
                       problems_);
    acd::Menu menu;
    if (auto digit = reader.text("digit", Need::kRequired)) {
      if (!isMenuDigit(digit->value)) {
        reader.add(digit->line,
                   "digit must be one digit from \"0\" to \"9\", not " + quoteValue(digit->value));
      } else if (const auto [it, inserted] = digits.emplace(digit->value, digit->line); !inserted) {
        reader.add(digit->line, "duplicate menu digit " + quoteValue(digit->value) +
                                    " (first on line " + std::to_string(it->second) + ")");
      }
      menu.digit = std::move(digit->value);
    }
    if (auto name = reader.text("name", Need::kRequired)) {
      checkName(reader, *name, "name");
      menu.name = std::move(name->value);
    }
    org.menus.push_back(std::move(menu));
  }

  void parseAgent(const toml::table& table, ProvisionedOrg& org,
                  const std::map<std::string, int>& menu_digits, FirstSeen& agent_ids) {
    TableReader reader(
        table, "in [[orgs.agents]]", sourceLine(table.source(), 1),
        {"id", "name", "password", "password_hash", "sip_secret", "menus", "admin", "enabled"},
        problems_);
    ProvisionedAgent out;
    out.line = reader.line();
    acd::AgentImport& agent = out.agent;

    if (auto id = reader.text("id", Need::kRequired)) {
      if (id->value.empty()) {
        reader.add(id->line, "id must not be empty");
      } else if (!isAgentId(id->value)) {
        reader.add(id->line, "id may hold only letters, digits, \".\", \"_\" and \"-\", not " +
                                 quoteValue(id->value));
      } else if (id->value.size() > kMaxAgentIdLength) {
        reader.add(id->line,
                   "id must be at most " + std::to_string(kMaxAgentIdLength) + " characters");
      } else {
        agent_ids.add(reader, id->value, id->line);
      }
      agent.id = std::move(id->value);
    }
    if (auto name = reader.text("name", Need::kRequired)) {
      checkName(reader, *name, "name");
      agent.name = std::move(name->value);
    }
    parseCredentials(reader, out);

    std::set<std::string> served;
    for (Text& digit : reader.texts("menus")) {
      if (!menu_digits.contains(digit.value)) {
        reader.add(digit.line, "menu " + quoteValue(digit.value) + " is not a menu of this org" +
                                   menuList(menu_digits));
      } else if (!served.insert(digit.value).second) {
        reader.add(digit.line, "menu " + quoteValue(digit.value) + " is listed twice");
      }
      agent.menus.push_back(std::move(digit.value));
    }
    agent.admin = reader.boolean("admin").value_or(false);
    agent.enabled = reader.boolean("enabled");
    org.agents.push_back(std::move(out));
  }

  // Secrets are never echoed in a message: the file may be shown to others.
  void parseCredentials(TableReader& reader, ProvisionedAgent& out) {
    if (auto password = reader.text("password", Need::kOptional)) {
      if (auto why = account::checkNewPassword(password->value, out.agent.id)) {
        reader.add(password->line, *why);
      }
      out.password = std::move(password->value);
    }
    if (auto hash = reader.text("password_hash", Need::kOptional)) {
      if (out.password) {
        reader.add(hash->line, "give password or password_hash, not both");
      } else if (!isArgon2idPhc(hash->value)) {
        reader.add(hash->line,
                   "password_hash must be an Argon2id PHC string (\"$argon2id$v=19$m=…\")");
      }
      out.password_hash = std::move(hash->value);
    }
    if (auto secret = reader.text("sip_secret", Need::kOptional)) {
      if (secret->value.size() < kMinSipSecretLength) {
        reader.add(secret->line, "sip_secret must have at least " +
                                     std::to_string(kMinSipSecretLength) + " characters");
      } else if (secret->value.size() > kMaxSipSecretLength) {
        reader.add(secret->line, "sip_secret must have at most " +
                                     std::to_string(kMaxSipSecretLength) + " characters");
      } else if (!isSipSecret(secret->value)) {
        reader.add(secret->line, "sip_secret may hold only printable ASCII characters, no spaces");
      }
      out.agent.sip_secret = std::move(secret->value);
    }
  }

  // L1: a notice of the app's "More" screen.
  void parseNotice(const toml::table& table, ProvisionedOrg& org, FirstSeen& keys) {
    TableReader reader(table, "in [[orgs.notices]]", sourceLine(table.source(), 1),
                       {"key", "title", "body", "published_at", "pinned"}, problems_);
    acd::Notice notice;
    if (auto key = reader.text("key", Need::kRequired)) {
      checkContentKey(reader, *key, keys);
      notice.key = std::move(key->value);
    }
    if (auto title = reader.text("title", Need::kRequired)) {
      checkName(reader, *title, "title", acd::kMaxNoticeTitleChars);
      notice.title = std::move(title->value);
    }
    if (auto body = reader.text("body", Need::kRequired)) {
      checkText(reader, *body, "body", acd::kMaxNoticeBodyChars);
      notice.body = std::move(body->value);
    }
    if (auto published = reader.moment("published_at", Need::kRequired)) notice.published = *published;
    notice.pinned = reader.boolean("pinned").value_or(false);
    org.notices.push_back(std::move(notice));
  }

  // L1: a question and its answer; the FAQ keeps the file's order.
  void parseFaq(const toml::table& table, ProvisionedOrg& org, FirstSeen& keys) {
    TableReader reader(table, "in [[orgs.faq]]", sourceLine(table.source(), 1),
                       {"key", "question", "answer", "category"}, problems_);
    acd::FaqEntry entry;
    if (auto key = reader.text("key", Need::kRequired)) {
      checkContentKey(reader, *key, keys);
      entry.key = std::move(key->value);
    }
    if (auto question = reader.text("question", Need::kRequired)) {
      checkName(reader, *question, "question", acd::kMaxFaqQuestionChars);
      entry.question = std::move(question->value);
    }
    if (auto answer = reader.text("answer", Need::kRequired)) {
      checkText(reader, *answer, "answer", acd::kMaxFaqAnswerChars);
      entry.answer = std::move(answer->value);
    }
    if (auto category = reader.text("category", Need::kOptional)) {
      checkName(reader, *category, "category", acd::kMaxFaqCategoryChars);
      entry.category = std::move(category->value);
    }
    org.faq.push_back(std::move(entry));
  }

  // The stable name a re-import matches a notice or an FAQ entry by.
  void checkContentKey(TableReader& reader, const Text& key, FirstSeen& keys) {
    if (key.value.empty()) {
      reader.add(key.line, "key must not be empty");
    } else if (!isAgentId(key.value)) {
      reader.add(key.line, "key may hold only letters, digits, \".\", \"_\" and \"-\", not " +
                               quoteValue(key.value));
    } else if (key.value.size() > acd::kMaxContentKeyChars) {
      reader.add(key.line, "key must be at most " + std::to_string(acd::kMaxContentKeyChars) + " characters");
    } else {
      keys.add(reader, key.value, key.line);
    }
  }

  // Text of several lines: newlines and tabs are allowed, other control characters not.
  void checkText(TableReader& reader, const Text& text, std::string_view key, size_t max) {
    const auto length = core::utf8Length(text.value);
    const bool blank = text.value.find_first_not_of(" \t\r\n") == std::string::npos;
    if (blank) {
      reader.add(text.line, std::string(key) + " must not be empty");
    } else if (!length) {
      reader.add(text.line, std::string(key) + " must be valid UTF-8 text");
    } else if (core::hasControlCharacters(text.value, /*allow_newlines=*/true)) {
      reader.add(text.line, std::string(key) + " must not contain control characters other than newlines and tabs");
    } else if (*length > max) {
      reader.add(text.line, std::string(key) + " must be at most " + std::to_string(max) + " characters");
    }
  }

  static std::string menuList(const std::map<std::string, int>& digits) {
    if (digits.empty()) return " (it has no [[orgs.menus]])";
    std::string list;
    for (const auto& [digit, line] : digits) list += (list.empty() ? "" : ", ") + digit;
    return " (its menus: " + list + ")";
  }

  const ProvisioningOptions& options_;
  Problems problems_;
  Provisioning result_;
  FirstSeen trunk_names_{"trunk name"};
  FirstSeen trunk_addresses_{"trunk address"};
  FirstSeen org_names_{"org name"};
  FirstSeen domains_{"domain"};
  FirstSeen numbers_{"number"};
};

ProvisioningParse problem(int line, std::string message) {
  return Problems{{line, std::move(message)}};
}

}  // namespace

ProvisioningParse parseProvisioning(std::string_view text, std::string_view source_name,
                                    const ProvisioningOptions& options) {
  try {
    if (text.size() > options.max_bytes) {
      return problem(0, "the file is larger than " + std::to_string(options.max_bytes) +
                            " bytes; a provisioning file that big is a mistake");
    }
    if (auto screened = screenToml(text, kMaxKeyDotsPerLine)) {
      return problem(screened->line, std::move(screened->message));
    }
    toml::table root;
    try {
      root = toml::parse(text, source_name);
    } catch (const toml::parse_error& e) {
      return problem(sourceLine(e.source(), 1), "invalid TOML: " + printable(e.description(), 200));
    }
    Parser parser(options);
    parser.parseDocument(root);
    Problems& problems = parser.problems();
    if (problems.empty()) return std::move(parser.result());
    std::stable_sort(problems.begin(), problems.end(),
                     [](const auto& a, const auto& b) { return a.line < b.line; });
    return std::move(problems);
  } catch (const std::exception& e) {  // bad_alloc: the only one left after parse_error
    return problem(0, std::string("the file could not be read: ") + e.what());
  }
}

}  // namespace sb::app
