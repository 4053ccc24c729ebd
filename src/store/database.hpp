#pragma once
// The SQLite database in the data directory: schema migrations at open, one writer
// thread that commits queued writes in shared transactions, and read connections used
// on the caller's thread.
//
// Why one writer: SQLite allows one writer at a time, and a durable commit costs an
// fsync. Queuing every write to one thread that wraps whatever is waiting into one
// transaction (a savepoint per job, so jobs still fail alone) lets many API threads
// share one fsync instead of queuing on the write lock. WAL lets readers run meanwhile.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/result.hpp"
#include "store/connection.hpp"

namespace sb::store {

// One step of the schema. Versions ascend; a released migration is never edited, a
// change is a new migration.
struct Migration {
  int version = 0;
  std::string_view sql;
};

struct DatabaseStats {
  uint64_t transactions = 0;  // write transactions committed with at least one job
  uint64_t jobs = 0;          // write jobs committed
  uint64_t failed_jobs = 0;   // write jobs that returned an error, threw or lost their commit
};

class Database;

namespace detail {

template <class T>
struct IsResult : std::false_type {};
template <class T>
struct IsResult<core::Result<T>> : std::true_type {};

// A queued write. It lives on the stack of the thread that called write(), which
// stays blocked until the writer has set done_ (under the database's mutex).
class WriteJob {
 public:
  // Runs the job on the writer's connection; true when its changes should be kept.
  virtual bool run(Connection& connection) = 0;
  // Replaces the job's outcome with an error (its changes were not kept).
  virtual void fail(core::Error error) = 0;
  bool succeeded() const { return exception_ == nullptr && resultOk(); }

 protected:
  ~WriteJob() = default;
  virtual bool resultOk() const = 0;

 private:
  friend class sb::store::Database;
  std::exception_ptr exception_;  // what the job threw, rethrown to its caller
  bool done_ = false;
};

template <class F, class R>
class TypedWriteJob final : public WriteJob {
 public:
  explicit TypedWriteJob(F& fn) : fn_(fn) {}
  bool run(Connection& connection) override {
    result_.emplace(std::invoke(fn_, connection));
    return result_->ok();
  }
  void fail(core::Error error) override { result_.emplace(std::move(error)); }
  R take() { return std::move(*result_); }

 private:
  bool resultOk() const override { return result_ && result_->ok(); }

  F& fn_;
  std::optional<R> result_;
};

}  // namespace detail

class Database {
 public:
  static constexpr std::string_view kFileName = "switchboard.db";

  // Opens or creates <data_dir>/switchboard.db (and data_dir, owner-only, if missing)
  // and applies the migrations it has not seen, each in its own transaction. Refuses a
  // database whose schema is newer than the newest migration given.
  static core::Result<std::unique_ptr<Database>> open(const std::filesystem::path& data_dir);
  static core::Result<std::unique_ptr<Database>> open(const std::filesystem::path& data_dir,
                                                      std::span<const Migration> migrations);

  // close(), then closes every connection.
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Queues `job` (core::Result<T>(Connection&)) for the writer thread and blocks until
  // the transaction holding it has committed, then returns the job's result. A job
  // that fails (returns an error or throws) is rolled back alone; its exception is
  // rethrown here. If the commit fails, every job that had succeeded gets its error.
  // Jobs must not BEGIN/COMMIT/ROLLBACK themselves. Must not be called from a job.
  template <class F>
  auto write(F&& job) -> std::invoke_result_t<F&, Connection&> {
    using R = std::invoke_result_t<F&, Connection&>;
    static_assert(detail::IsResult<R>::value, "a write job returns core::Result<T>");
    detail::TypedWriteJob<std::remove_reference_t<F>, R> typed(job);
    submit(typed);
    if (typed.exception_) std::rethrow_exception(typed.exception_);
    return typed.take();
  }

  // Runs `job` (core::Result<T>(Connection&)) on the calling thread, inside a read
  // transaction (one consistent snapshot) on a read-only connection from the pool.
  // Readers never wait for the writer, nor it for them.
  template <class F>
  auto read(F&& job) -> std::invoke_result_t<F&, Connection&> {
    using R = std::invoke_result_t<F&, Connection&>;
    static_assert(detail::IsResult<R>::value, "a read job returns core::Result<T>");
    auto lease = beginRead();
    if (!lease) return R(lease.error());
    return std::invoke(job, lease->connection());
  }

  // Refuses new writes (kUnavailable), runs those already queued, stops the writer
  // thread and returns once every caller of write() has its result. Lets the owner
  // end writing at a chosen point of shutdown; reads keep working. Idempotent.
  void close();
  bool closing() const;

  DatabaseStats stats() const;
  // Jobs queued and not yet taken by the writer: a gauge for metrics (and for tests
  // that need to know the writer has work waiting).
  size_t queuedWrites() const;
  const std::filesystem::path& file() const { return file_; }
  // The newest migration applied.
  int schemaVersion() const { return schema_version_; }

 private:
  // A read connection checked out of the pool with a transaction open; returning it
  // ends the transaction and puts the connection back (or closes it if that failed).
  class ReadLease {
   public:
    ReadLease(Database* db, std::unique_ptr<Connection> connection)
        : db_(db), connection_(std::move(connection)) {}
    ReadLease(ReadLease&& other) noexcept = default;
    ReadLease& operator=(ReadLease&&) = delete;
    ReadLease(const ReadLease&) = delete;
    ReadLease& operator=(const ReadLease&) = delete;
    ~ReadLease();
    Connection& connection() { return *connection_; }

   private:
    Database* db_;
    std::unique_ptr<Connection> connection_;
  };

  Database(std::filesystem::path file, std::unique_ptr<Connection> writer, int schema_version);

  void submit(detail::WriteJob& job);
  void writerLoop();
  void runBatch(std::span<detail::WriteJob* const> batch);
  bool runJob(detail::WriteJob& job);
  void commit(std::span<detail::WriteJob* const> pending);

  core::Result<ReadLease> beginRead();
  void returnReader(std::unique_ptr<Connection> connection);

  const std::filesystem::path file_;
  const int schema_version_;
  std::unique_ptr<Connection> writer_;  // touched only by the writer thread once it runs

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // the writer waits for jobs
  std::condition_variable done_cv_;  // callers wait for their job, the destructor for callers
  std::vector<detail::WriteJob*> queue_;
  size_t callers_ = 0;  // threads inside submit()
  bool stopping_ = false;

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;

  std::mutex close_mu_;  // one close() at a time: it joins the writer thread

  std::atomic<uint64_t> transactions_{0};
  std::atomic<uint64_t> jobs_{0};
  std::atomic<uint64_t> failed_jobs_{0};

  std::thread writer_thread_;  // last: started once everything above exists
  std::thread::id writer_id_;  // set once at start; writer_thread_ changes when joined
};

}  // namespace sb::store
