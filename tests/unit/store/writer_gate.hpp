#pragma once
// Holds the database's writer thread inside one job until released, so a test can
// queue writes behind it and know exactly which batch they will share.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "store/database.hpp"

namespace sb::store::testing {

class WriterGate {
 public:
  // Returns once the writer is inside the gate's job.
  explicit WriterGate(Database& db) : db_(db) {
    auto entered = entered_.get_future();
    holder_ = std::thread([this] {
      result_ = db_.write([this](Connection&) -> core::Result<void> {
        entered_.set_value();
        released_.wait();
        return core::okResult();
      });
    });
    entered.wait();
  }
  ~WriterGate() { release(); }
  WriterGate(const WriterGate&) = delete;
  WriterGate& operator=(const WriterGate&) = delete;

  // Waits until `n` jobs are queued behind the gate. It watches the queue itself
  // rather than sleeping and hoping; false (a test failure) after a generous deadline.
  bool waitForQueued(size_t n) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (db_.queuedWrites() < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }

  // Lets the gate's job finish and waits for its commit.
  void release() {
    if (!holder_.joinable()) return;
    release_.set_value();
    holder_.join();
    EXPECT_TRUE(result_.ok()) << result_.error().message;
  }

 private:
  Database& db_;
  std::promise<void> entered_;
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  core::Result<void> result_;
  std::thread holder_;
};

}  // namespace sb::store::testing
