#include "account/login_throttle.hpp"

#include <algorithm>

namespace sb::account {
namespace {

std::chrono::seconds ceilSeconds(core::Duration d) {
  return std::chrono::ceil<std::chrono::seconds>(d);
}

}  // namespace

LoginThrottle::LoginThrottle(const core::Clock& clock, ThrottleConfig config)
    : clock_(clock),
      config_(config),
      account_address_(config.per_account_address, config.max_entries),
      address_(config.per_address, config.max_entries),
      account_(config.per_account, config.max_entries) {}

std::string LoginThrottle::pairKey(std::string_view account, std::string_view address) {
  std::string key(account);
  key += '\x1f';
  key += address;
  return key;
}

std::optional<std::chrono::seconds> LoginThrottle::Tracker::wait(const std::string& key,
                                                                 core::Time now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (now - it->second.last_failure >= rule_.forget_after) {
    entries_.erase(it);
    return std::nullopt;
  }
  if (now >= it->second.next_allowed) return std::nullopt;
  return std::max(std::chrono::seconds{1}, ceilSeconds(it->second.next_allowed - now));
}

void LoginThrottle::Tracker::fail(const std::string& key, core::Time now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_entries_) evict(now);
    it = entries_.emplace(key, Entry{}).first;
  } else if (now - it->second.last_failure >= rule_.forget_after) {
    it->second = Entry{};
  }
  Entry& e = it->second;
  e.failures += 1;
  e.last_failure = now;
  const int over = e.failures - rule_.free_failures;
  if (over <= 0) return;
  // base · 2^(over-1), capped; the shift is bounded so it cannot overflow.
  const int shift = std::min(over - 1, 30);
  auto delay = rule_.base_delay * (int64_t{1} << shift);
  if (delay > rule_.max_delay) delay = rule_.max_delay;
  e.next_allowed = now + delay;
}

void LoginThrottle::Tracker::evict(core::Time now) {
  // First drop what is forgotten anyway; if still full, drop the oldest failure.
  std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last_failure >= rule_.forget_after; });
  if (entries_.size() < max_entries_) return;
  auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
    return a.second.last_failure < b.second.last_failure;
  });
  if (oldest != entries_.end()) entries_.erase(oldest);
}

bool LoginThrottle::isKnownAddress(const std::string& pair_key, core::Time now) {
  auto it = known_.find(pair_key);
  if (it == known_.end()) return false;
  if (now - it->second > config_.known_address_for) {
    known_.erase(it);
    return false;
  }
  return true;
}

std::optional<std::chrono::seconds> LoginThrottle::check(std::string_view account,
                                                         std::string_view address) {
  const core::Time now = clock_.now();
  const std::string pair = pairKey(account, address);
  std::lock_guard lock(mutex_);
  std::optional<std::chrono::seconds> wait;
  auto take = [&](std::optional<std::chrono::seconds> w) {
    if (w && (!wait || *w > *wait)) wait = w;
  };
  take(account_address_.wait(pair, now));
  take(address_.wait(std::string(address), now));
  if (!isKnownAddress(pair, now)) take(account_.wait(std::string(account), now));
  return wait;
}

void LoginThrottle::recordFailure(std::string_view account, std::string_view address) {
  const core::Time now = clock_.now();
  const std::string pair = pairKey(account, address);
  std::lock_guard lock(mutex_);
  account_address_.fail(pair, now);
  address_.fail(std::string(address), now);
  if (!isKnownAddress(pair, now)) account_.fail(std::string(account), now);
}

void LoginThrottle::recordSuccess(std::string_view account, std::string_view address) {
  const core::Time now = clock_.now();
  const std::string pair = pairKey(account, address);
  std::lock_guard lock(mutex_);
  account_address_.clear(pair);
  if (known_.size() >= config_.max_entries) {
    std::erase_if(known_, [&](const auto& kv) { return now - kv.second > config_.known_address_for; });
    if (known_.size() >= config_.max_entries) known_.clear();
  }
  known_[pair] = now;
}

}  // namespace sb::account
