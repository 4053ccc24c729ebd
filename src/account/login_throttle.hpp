#pragma once
// Growing delays after failed logins (B2, issue: "never a permanent lock an attacker can
// force"). Three independent trackers:
//  - per (account, client address): the main brake on guessing one account;
//  - per client address: one source trying many accounts;
//  - per account from any address: many sources on one account. Its delay is capped
//    low, and an address that logged into the account successfully before is exempt,
//    so an attacker cannot keep the real agent out.
// Delays double from `base` after `free_failures` and stop at `max`; a tracker forgets
// after `forget_after` without failures. Memory is bounded: the oldest entries go first.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"

namespace sb::account {

struct ThrottleRule {
  int free_failures;
  std::chrono::seconds base_delay;
  std::chrono::seconds max_delay;
  std::chrono::seconds forget_after;
};

struct ThrottleConfig {
  ThrottleRule per_account_address{3, std::chrono::seconds{1}, std::chrono::minutes{15}, std::chrono::hours{1}};
  ThrottleRule per_address{20, std::chrono::seconds{1}, std::chrono::minutes{15}, std::chrono::hours{1}};
  ThrottleRule per_account{10, std::chrono::seconds{1}, std::chrono::seconds{60}, std::chrono::minutes{30}};
  std::chrono::hours known_address_for{24 * 30};
  size_t max_entries = 100'000;  // per tracker
};

class LoginThrottle {
 public:
  LoginThrottle(const core::Clock& clock, ThrottleConfig config = {});

  // How long the caller must wait before this attempt may be tried; nullopt: go ahead.
  std::optional<std::chrono::seconds> check(std::string_view account, std::string_view address);
  void recordFailure(std::string_view account, std::string_view address);
  void recordSuccess(std::string_view account, std::string_view address);

 private:
  struct Entry {
    int failures = 0;
    core::Time last_failure{};
    core::Time next_allowed{};
  };
  class Tracker {
   public:
    Tracker(ThrottleRule rule, size_t max_entries) : rule_(rule), max_entries_(max_entries) {}
    std::optional<std::chrono::seconds> wait(const std::string& key, core::Time now);
    void fail(const std::string& key, core::Time now);
    void clear(const std::string& key) { entries_.erase(key); }

   private:
    void evict(core::Time now);
    ThrottleRule rule_;
    size_t max_entries_;
    std::unordered_map<std::string, Entry> entries_;
  };

  static std::string pairKey(std::string_view account, std::string_view address);
  bool isKnownAddress(const std::string& pair_key, core::Time now);

  const core::Clock& clock_;
  ThrottleConfig config_;
  std::mutex mutex_;
  Tracker account_address_;
  Tracker address_;
  Tracker account_;
  std::unordered_map<std::string, core::Time> known_;  // pair key → last success
};

}  // namespace sb::account
