#include "media/port_pool.hpp"

namespace sb::media {

PortPool::PortPool(uint16_t low, uint16_t high) : low_(static_cast<uint16_t>(low + (low % 2))) {
  for (uint32_t port = low_; port + 1 <= high; port += 2) {
    free_.push_back(static_cast<uint16_t>(port));
  }
  capacity_ = free_.size();
  state_.assign(capacity_, State::kFree);
}

bool PortPool::owns(uint16_t port) const {
  return port >= low_ && port % 2 == 0 && index(port) < capacity_;
}

std::optional<uint16_t> PortPool::acquire(core::Time now) {
  while (!aside_.empty() && aside_.front().first <= now) {
    const uint16_t port = aside_.front().second;
    aside_.pop_front();
    state_[index(port)] = State::kFree;
    free_.push_back(port);
  }
  if (free_.empty()) return std::nullopt;
  const uint16_t port = free_.front();
  free_.pop_front();
  state_[index(port)] = State::kInUse;
  ++in_use_;
  return port;
}

void PortPool::release(uint16_t port) {
  if (!owns(port) || state_[index(port)] != State::kInUse) return;
  state_[index(port)] = State::kFree;
  --in_use_;
  free_.push_back(port);
}

void PortPool::setAside(uint16_t port, core::Time now, core::Duration retry_after) {
  if (!owns(port) || state_[index(port)] != State::kInUse) return;
  state_[index(port)] = State::kAside;
  --in_use_;
  aside_.emplace_back(now + retry_after, port);
}

}  // namespace sb::media
