#pragma once
// A fresh SqliteStore per test and builders for directory imports.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace sb::store::testing {

inline const core::Time kNow = core::fromUnixMillis(1'764'000'000'000);  // whole ms: stored exactly

inline acd::Org org(std::string name, std::string domain, std::vector<std::string> numbers = {},
                    std::vector<acd::Menu> menus = {{"1", "Sales"}, {"2", "Support"}}) {
  acd::Org o;
  o.name = std::move(name);
  o.domain = std::move(domain);
  o.timezone = "Asia/Seoul";
  o.country_code = "82";
  o.numbers = std::move(numbers);
  o.categories = {"Order", "Complaint", "Other"};
  o.menus = std::move(menus);
  return o;
}

inline acd::AgentImport agent(std::string id, std::vector<std::string> menus = {"1"}) {
  acd::AgentImport a;
  a.name = "Agent " + id;
  a.id = std::move(id);
  a.menus = std::move(menus);
  return a;
}

inline account::TokenHash token(uint8_t seed) {
  account::TokenHash hash{};
  for (size_t i = 0; i < hash.size(); ++i) hash[i] = static_cast<uint8_t>(seed + i);
  return hash;
}

// The error code of a result, or nullopt when it succeeded: lets a test expect an error
// without aborting on Result's assert when the code under test wrongly succeeds.
template <class T>
std::optional<core::ErrorCode> codeOf(const core::Result<T>& r) {
  if (r.ok()) return std::nullopt;
  return r.error().code;
}

// A one-line picture of an org or agent, for comparing whole records in one assertion.
inline std::string describe(const acd::Org& o) {
  std::string s = std::to_string(o.id) + " " + o.name + " " + o.domain + " " + o.timezone + " " +
                  o.country_code + " " + acd::toString(o.after_login) + " " +
                  acd::toString(o.after_call) + " " + std::to_string(o.ring_timeout_s) + " " +
                  std::to_string(o.service_level_s) + " " + std::to_string(o.password_max_age_days);
  for (const auto& n : o.numbers) s += " #" + n;
  for (const auto& c : o.categories) s += " c:" + c;
  for (const auto& m : o.menus) s += " m" + m.digit + ":" + m.name;
  return s;
}

inline std::string describe(const acd::Agent& a) {
  std::string s = std::to_string(a.key) + " org" + std::to_string(a.org) + " " + a.id + " " +
                  a.name + (a.admin ? " admin" : "") + (a.enabled ? " enabled" : " disabled") +
                  " sip:" + a.sip_secret + " at" + std::to_string(core::toUnixMillis(a.created_at));
  for (const auto& m : a.menus) s += " m" + m;
  return s;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  void reopen() {
    store_.reset();
    auto opened = SqliteStore::open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
  }

  // Imports and fails the test on error.
  acd::ImportSummary import(const acd::DirectoryImport& in) {
    auto summary = store_->applyImport(in, kNow);
    EXPECT_TRUE(summary.ok()) << summary.error().message;
    return summary.ok() ? *summary : acd::ImportSummary{};
  }

  acd::OrgId orgId(std::string_view name) {
    auto o = store_->findOrg(name);
    EXPECT_TRUE(o.ok()) << name;
    return o.ok() ? o->id : 0;
  }

  acd::Agent findAgent(std::string_view org_name, std::string_view id) {
    auto a = store_->findAgent(orgId(org_name), id);
    EXPECT_TRUE(a.ok()) << org_name << "/" << id;
    return a.ok() ? *a : acd::Agent{};
  }

  // Every org and agent, as text: "nothing changed" is this string being equal.
  std::string snapshot() {
    std::string s;
    auto orgs = store_->listOrgs();
    EXPECT_TRUE(orgs.ok());
    if (!orgs.ok()) return s;
    for (const auto& o : *orgs) {
      s += describe(o) + "\n";
      auto agents = store_->listAgents(o.id);
      EXPECT_TRUE(agents.ok());
      if (!agents.ok()) continue;
      for (const auto& a : *agents) {
        s += "  " + describe(a);
        auto credentials = store_->findCredentials(a.key);
        if (credentials.ok()) {
          s += " pw:" + credentials->password_hash + "@" +
               std::to_string(core::toUnixMillis(credentials->password_changed_at));
        }
        s += "\n";
      }
    }
    auto trunks = store_->listTrunks();
    EXPECT_TRUE(trunks.ok());
    if (trunks.ok()) {
      for (const auto& t : *trunks)
        s += "trunk " + t.name + " " + t.address + " " + t.outbound + "\n";
    }
    return s;
  }

  void addSession(acd::OrgId org, acd::AgentKey agent, uint8_t seed,
                  core::Time expires = kNow + std::chrono::hours(8)) {
    account::SessionRecord session;
    session.token_hash = token(seed);
    session.org = org;
    session.agent = agent;
    session.created_at = kNow;
    session.expires_at = expires;
    session.client = "192.0.2.7";
    auto r = store_->createSession(session);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  bool hasSession(uint8_t seed) {
    auto s = store_->findSession(token(seed));
    EXPECT_TRUE(s.ok() || s.error().code == core::ErrorCode::kNotFound);
    return s.ok();
  }

  sb::testing::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace sb::store::testing
