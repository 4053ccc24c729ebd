#include "sip/source_guard.hpp"

#include <utility>

namespace sb::sip {
namespace {
constexpr size_t kMaxReasonBytes = 64;
}

SourceGuard::SourceGuard(SourceGuardOptions options) : options_(options) {
  if (options_.max_sources == 0) options_.max_sources = 1;
}

bool SourceGuard::recordBad(std::string_view ip, std::string_view reason, core::Time now) {
  std::string key(ip);
  if (exempt_.contains(key)) return false;
  pruneBlocks(now);
  auto it = sources_.find(key);
  if (it == sources_.end()) {
    if (sources_.size() >= options_.max_sources && !makeRoom(now)) return false;
    lru_.push_front(key);
    it = sources_.emplace(key, Source{}).first;
    it->second.lru = lru_.begin();
  } else if (it->second.blocked) {
    return false;  // still blocked (pruneBlocks removed the ended ones)
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Source& source = it->second;
  // An event counts while it is less than `window` old.
  while (!source.events.empty() && source.events.front() <= now - options_.window) {
    source.events.pop_front();
  }
  source.events.push_back(now);
  if (source.events.size() <= options_.threshold) return false;
  source.events.clear();
  source.blocked = true;
  source.blocked_until = now + options_.block_for;
  source.reason = std::string(reason.substr(0, kMaxReasonBytes));
  lru_.erase(source.lru);
  blocks_.emplace(source.blocked_until, key);
  return true;
}

bool SourceGuard::isBlocked(std::string_view ip, core::Time now) const {
  auto it = sources_.find(std::string(ip));
  return it != sources_.end() && it->second.blocked && now < it->second.blocked_until;
}

std::string SourceGuard::blockReason(std::string_view ip, core::Time now) const {
  auto it = sources_.find(std::string(ip));
  if (it == sources_.end() || !it->second.blocked || now >= it->second.blocked_until) return {};
  return it->second.reason;
}

void SourceGuard::setExempt(std::vector<std::string> ips) {
  exempt_.clear();
  for (auto& ip : ips) {
    // An address that becomes exempt is forgotten, block included.
    if (auto it = sources_.find(ip); it != sources_.end()) {
      if (it->second.blocked) {
        blocks_.erase({it->second.blocked_until, ip});
      } else {
        lru_.erase(it->second.lru);
      }
      sources_.erase(it);
    }
    exempt_.insert(std::move(ip));
  }
}

bool SourceGuard::isExempt(std::string_view ip) const {
  return exempt_.contains(std::string(ip));
}

void SourceGuard::onTimer(core::Time now) {
  pruneBlocks(now);
  while (!lru_.empty()) {
    auto it = sources_.find(lru_.back());
    if (!it->second.events.empty() && it->second.events.back() > now - options_.window) break;
    sources_.erase(it);
    lru_.pop_back();
  }
}

size_t SourceGuard::blockedCount(core::Time now) const {
  size_t count = 0;
  for (auto it = blocks_.rbegin(); it != blocks_.rend() && it->first > now; ++it) ++count;
  return count;
}

void SourceGuard::pruneBlocks(core::Time now) {
  while (!blocks_.empty() && blocks_.begin()->first <= now) {
    sources_.erase(blocks_.begin()->second);  // a source whose block ended starts afresh
    blocks_.erase(blocks_.begin());
  }
}

// Frees one slot by forgetting the least recently seen unblocked source; blocked
// sources are kept until their block ends, so when all are blocked nothing is freed.
bool SourceGuard::makeRoom(core::Time now) {
  pruneBlocks(now);
  if (sources_.size() < options_.max_sources) return true;
  if (lru_.empty()) return false;
  sources_.erase(lru_.back());
  lru_.pop_back();
  return true;
}

}  // namespace sb::sip
