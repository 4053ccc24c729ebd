#include "app/center_writer.hpp"

#include "core/log.hpp"

namespace sb::app {

CenterWriter::CenterWriter(acd::CenterStore& store) : store_(store), thread_([this] { loop(); }) {}

CenterWriter::~CenterWriter() { close(); }

void CenterWriter::write(acd::CenterWrite w, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!closing_) {
      queue_.push_back(Item{std::move(w), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  core::logError("contact center write refused: closing");
  if (done) done(core::makeError(core::ErrorCode::kUnavailable, "The server is stopping."));
}

void CenterWriter::barrier(Done done) {
  {
    std::lock_guard lock(mu_);
    if (!closing_) {
      queue_.push_back(Item{std::nullopt, std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  if (done) done(core::makeError(core::ErrorCode::kUnavailable, "The server is stopping."));
}

void CenterWriter::close() {
  {
    std::lock_guard lock(mu_);
    if (closing_ && !thread_.joinable()) return;
    closing_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::size_t CenterWriter::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::uint64_t CenterWriter::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

void CenterWriter::loop() {
  std::vector<Item> batch;
  std::vector<acd::CenterWrite> writes;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and everything is written
      batch.swap(queue_);
    }
    writes.clear();
    for (Item& item : batch) {
      if (item.write) writes.push_back(std::move(*item.write));
    }
    auto results = store_.writeBatch(writes);
    // Each item's outcome first, counted before anyone hears of it (a caller that saw its
    // write fail finds it in failed()).
    std::vector<core::Result<void>> outcomes;
    outcomes.reserve(batch.size());
    std::uint64_t failed = 0;
    std::size_t index = 0;
    for (const Item& item : batch) {
      core::Result<void> result = core::okResult();
      if (!results) {
        result = results.error();
      } else if (item.write) {
        result = (*results)[index];
      }
      if (item.write) {
        ++index;
        if (!result) {
          ++failed;
          core::logError("contact center write failed", {{"error", result.error().message}});
        }
      }
      outcomes.push_back(std::move(result));
    }
    if (failed > 0) {
      std::lock_guard lock(mu_);
      failed_ += failed;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].done) batch[i].done(outcomes[i]);
    }
    batch.clear();
  }
}

}  // namespace sb::app
