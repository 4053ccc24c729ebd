#pragma once
// The RTP ports of --rtp-ports: even ports for RTP, the odd one above for RTCP (RFC 3550
// §11). Free ports are handed out in first-freed, first-reused order, so a port waits as
// long as possible before it is used again and late packets of an ended call rarely
// reach the next one. Pure bookkeeping: binding the sockets is the edge's job, and a
// port the edge cannot bind (another program has it) is put aside for a while.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "core/clock.hpp"

namespace sb::media {

class PortPool {
 public:
  // Every even port in [low, high - 1] whose RTCP port (port + 1) is ≤ high.
  PortPool(uint16_t low, uint16_t high);

  // An even RTP port, or nullopt when every port is in use (the call is refused, 503).
  std::optional<uint16_t> acquire(core::Time now);
  // Gives a port back (a second release of the same port is ignored).
  void release(uint16_t port);
  // The edge could not bind `port` (or port + 1): it is not handed out again before
  // `now + retry_after`.
  void setAside(uint16_t port, core::Time now, core::Duration retry_after = std::chrono::seconds(60));

  size_t capacity() const { return capacity_; }
  size_t inUse() const { return in_use_; }
  size_t available() const { return free_.size(); }

 private:
  bool owns(uint16_t port) const;
  size_t index(uint16_t port) const { return static_cast<size_t>((port - low_) / 2); }

  enum class State : uint8_t { kFree, kInUse, kAside };
  uint16_t low_;
  size_t capacity_ = 0;
  size_t in_use_ = 0;
  std::deque<uint16_t> free_;
  std::vector<State> state_;
  std::deque<std::pair<core::Time, uint16_t>> aside_;  // by end of the wait
};

}  // namespace sb::media
