#pragma once
// The one writer thread of the contact center's records (agent states, calls, callback
// requests): the strand that routes calls never waits for a disk, and whatever queued
// while the last batch committed goes into the next transaction together
// (acd::CenterStore::writeBatch: one fsync for many writes, in the order queued).
//
// Each write may carry a completion, run on the writer thread once the write is durable
// (or failed): the agent.state event is published from there, and an API request that
// changed a state waits for it before it answers.
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "acd/center_store.hpp"

namespace sb::app {

class CenterWriter {
 public:
  using Done = std::function<void(const core::Result<void>&)>;

  explicit CenterWriter(acd::CenterStore& store);
  ~CenterWriter();  // close()
  CenterWriter(const CenterWriter&) = delete;
  CenterWriter& operator=(const CenterWriter&) = delete;

  // Queues a write (any thread). After close(), `done` gets kUnavailable at once.
  void write(acd::CenterWrite w, Done done = {});
  // Runs `done` once everything queued before it is durable (its result: ok, or the
  // commit's error).
  void barrier(Done done);
  // Writes what is queued, then stops the thread. Idempotent.
  void close();

  std::size_t queued() const;
  std::uint64_t failed() const;  // writes that failed since start

 private:
  struct Item {
    std::optional<acd::CenterWrite> write;  // none: a barrier
    Done done;
  };
  void loop();

  acd::CenterStore& store_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Item> queue_;
  bool closing_ = false;
  std::uint64_t failed_ = 0;
  std::thread thread_;
};

}  // namespace sb::app
