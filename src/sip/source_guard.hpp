#pragma once
// SourceGuard: counts bad events (failed authentication, malformed messages, …) per
// source IP in a sliding window and blocks a source that has too many; blocked sources
// are dropped by the transport until the block expires. Sans-I/O: time is injected.
// Memory is bounded: the least recently seen unblocked source is forgotten first;
// blocked sources stay until their block ends.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.hpp"

namespace sb::sip {

struct SourceGuardOptions {
  size_t threshold = 16;  // more than this many bad events within `window` blocks
  core::Duration window = std::chrono::seconds(2);
  core::Duration block_for = std::chrono::minutes(5);
  size_t max_sources = 65536;
};

class SourceGuard {
 public:
  explicit SourceGuard(SourceGuardOptions options = {});

  // Counts one bad event from `ip`. Returns true exactly when this event starts a new
  // block, so that the caller writes one security log line (with `reason`). Exempt and
  // already blocked sources return false.
  bool recordBad(std::string_view ip, std::string_view reason, core::Time now);
  bool isBlocked(std::string_view ip, core::Time now) const;
  // The reason of the event that started the current block ("" when not blocked).
  std::string blockReason(std::string_view ip, core::Time now) const;

  // Trunks and other trusted peers: never counted, never blocked (replaces the set).
  void setExempt(std::vector<std::string> ips);
  bool isExempt(std::string_view ip) const;

  // Forgets blocks that ended and windows that emptied.
  void onTimer(core::Time now);

  size_t blockedCount(core::Time now) const;  // gauge: sources blocked now
  size_t trackedSources() const { return sources_.size(); }

 private:
  struct Source {
    std::deque<core::Time> events;  // within the window, oldest first; at most threshold
    bool blocked = false;
    core::Time blocked_until;
    std::string reason;
    std::list<std::string>::iterator lru;  // valid while not blocked
  };

  void unblock(const std::string& ip, Source& source);
  void pruneBlocks(core::Time now);
  bool makeRoom(core::Time now);

  SourceGuardOptions options_;
  std::unordered_map<std::string, Source> sources_;
  std::list<std::string> lru_;  // unblocked sources, most recently seen first
  std::set<std::pair<core::Time, std::string>> blocks_;  // by end of block
  std::unordered_set<std::string> exempt_;
};

}  // namespace sb::sip
