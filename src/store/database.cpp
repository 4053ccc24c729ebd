#include "store/database.hpp"

#include <algorithm>
#include <string>
#include <system_error>
#include <utility>

#include "core/check.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "store/schema.hpp"

namespace sb::store {
namespace {

using core::ErrorCode;
using core::makeError;

// Readers beyond this many idle ones are closed when returned: a burst of API threads
// should not pin file handles and page caches forever.
constexpr size_t kMaxIdleReaders = 8;

core::Result<std::string> pragmaText(Connection& c, std::string_view sql) {
  auto stmt = c.prepare(sql);
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return makeError(ErrorCode::kStorage, std::string(sql) + ": no answer");
  return stmt->columnText(0);
}

// WAL so readers and the writer do not wait for each other; FULL so a commit that
// returned survives power loss; foreign keys so a dangling reference is refused.
// Each setting is read back: SQLite ignores what it cannot do rather than failing.
core::Result<void> configureWriter(Connection& c) {
  auto mode = pragmaText(c, "PRAGMA journal_mode=WAL");
  if (!mode) return mode.error();
  if (*mode != "wal") {
    return makeError(ErrorCode::kStorage, "the database refused WAL mode (journal_mode=" + *mode +
                                              "); is the data directory on a network "
                                              "file system?");
  }
  if (auto r = c.exec("PRAGMA synchronous=FULL"); !r) return r.error();
  if (auto r = c.exec("PRAGMA foreign_keys=ON"); !r) return r.error();
  auto fk = pragmaText(c, "PRAGMA foreign_keys");
  if (!fk) return fk.error();
  if (*fk != "1") return makeError(ErrorCode::kStorage, "this SQLite cannot enforce foreign keys");
  return core::okResult();
}

core::Result<int> newestApplied(Connection& c) {
  auto stmt = c.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  return static_cast<int>(stmt->columnInt(0));
}

// One migration in one transaction. The check for "already applied" is inside the
// transaction, so two processes opening a new database at once apply it once.
core::Result<void> applyMigration(Connection& c, const Migration& m) {
  if (auto r = c.exec("BEGIN IMMEDIATE"); !r) return r.error();
  auto body = [&]() -> core::Result<bool> {
    auto seen = c.prepare("SELECT 1 FROM schema_migrations WHERE version = ?1");
    if (!seen) return seen.error();
    seen->bindInt(1, m.version);
    auto row = seen->step();
    if (!row) return row.error();
    if (*row) return false;
    if (auto r = c.execScript(m.sql); !r) return r.error();
    auto record = c.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)");
    if (!record) return record.error();
    record->bindInt(1, m.version).bindInt(2, core::toUnixMillis(core::SystemClock{}.now()));
    if (auto r = record->run(); !r) return r.error();
    return true;
  };
  auto applied = body();
  if (!applied) {
    (void)c.exec("ROLLBACK");
    return makeError(applied.error().code, "schema migration " + std::to_string(m.version) +
                                               " failed: " + applied.error().message);
  }
  if (auto r = c.exec("COMMIT"); !r) {
    (void)c.exec("ROLLBACK");
    return r.error();
  }
  if (*applied) core::logInfo("applied schema migration", {{"version", m.version}});
  return core::okResult();
}

core::Result<int> migrate(Connection& c, std::span<const Migration> migrations) {
  for (size_t i = 1; i < migrations.size(); ++i) {
    SB_CHECK(migrations[i - 1].version < migrations[i].version, "migrations must ascend");
  }
  const int newest_known = migrations.empty() ? 0 : migrations.back().version;
  if (auto r = c.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                      "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
      !r) {
    return r.error();
  }
  auto current = newestApplied(c);
  if (!current) return current.error();
  if (*current > newest_known) {
    return makeError(ErrorCode::kStorage,
                     "the database has schema version " + std::to_string(*current) +
                         " but this switchboard knows only up to " + std::to_string(newest_known) +
                         "; it was written by a newer release: upgrade switchboard (or restore "
                         "a backup) rather than open it with this one");
  }
  for (const Migration& m : migrations) {
    if (m.version <= *current) continue;
    if (auto r = applyMigration(c, m); !r) return r.error();
  }
  return newest_known;
}

core::Result<void> prepareDataDir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return core::okResult();
  if (!std::filesystem::create_directories(dir, ec) || ec) {
    return makeError(ErrorCode::kStorage,
                     "cannot create data directory " + dir.string() + ": " +
                         (ec ? ec.message() : "it exists and is not a directory"));
  }
  // It will hold password hashes and SIP secrets: owner only.
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  return core::okResult();
}

}  // namespace

// ---- opening and closing ----

core::Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& data_dir) {
  return open(data_dir, schemaMigrations());
}

core::Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& data_dir,
                                                       std::span<const Migration> migrations) {
  if (auto r = prepareDataDir(data_dir); !r) return r.error();
  auto file = data_dir / kFileName;
  auto writer = Connection::open(file, Connection::Mode::kReadWrite);
  if (!writer) return writer.error();
  if (auto r = configureWriter(**writer); !r) return r.error();
  auto version = migrate(**writer, migrations);
  if (!version) return version.error();
  return std::unique_ptr<Database>(new Database(std::move(file), std::move(*writer), *version));
}

Database::Database(std::filesystem::path file, std::unique_ptr<Connection> writer,
                   int schema_version)
    : file_(std::move(file)), schema_version_(schema_version), writer_(std::move(writer)) {
  writer_thread_ = std::thread([this] { writerLoop(); });
  writer_id_ = writer_thread_.get_id();
}

Database::~Database() {
  close();
  std::lock_guard lock(readers_mu_);
  idle_readers_.clear();
}

void Database::close() {
  std::lock_guard one_at_a_time(close_mu_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_one();
  if (writer_thread_.joinable()) writer_thread_.join();  // it drains the queue first
  writer_.reset();
  std::unique_lock lock(mu_);
  // Nothing should be left: the writer drains before it stops. Should a job remain,
  // its caller gets an error instead of waiting forever.
  for (detail::WriteJob* job : queue_) {
    job->fail(makeError(ErrorCode::kUnavailable, "the database closed before this write ran"));
    failed_jobs_.fetch_add(1, std::memory_order_relaxed);
    job->done_ = true;
  }
  queue_.clear();
  done_cv_.notify_all();
  // Callers still inside submit() touch mu_ and done_cv_ until they return.
  done_cv_.wait(lock, [this] { return callers_ == 0; });
}

bool Database::closing() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

// ---- writing ----

void Database::submit(detail::WriteJob& job) {
  SB_CHECK(std::this_thread::get_id() != writer_id_,
           "Database::write called from inside a write job would wait for itself");
  std::unique_lock lock(mu_);
  if (stopping_) {
    job.fail(makeError(ErrorCode::kUnavailable, "the database is closing"));
    failed_jobs_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  ++callers_;
  queue_.push_back(&job);
  work_cv_.notify_one();
  done_cv_.wait(lock, [&job] { return job.done_; });
  if (--callers_ == 0 && stopping_) done_cv_.notify_all();
}

void Database::writerLoop() {
  std::vector<detail::WriteJob*> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to drain
      batch.swap(queue_);
    }
    runBatch(batch);
    for (const detail::WriteJob* job : batch) {
      (job->succeeded() ? jobs_ : failed_jobs_).fetch_add(1, std::memory_order_relaxed);
    }
    {
      std::lock_guard lock(mu_);
      for (detail::WriteJob* job : batch) job->done_ = true;
    }
    // The jobs may be gone from here on: their callers return as soon as they see done.
    done_cv_.notify_all();
    batch.clear();
  }
}

void Database::runBatch(std::span<detail::WriteJob* const> batch) {
  std::vector<detail::WriteJob*> pending;  // succeeded inside the open transaction
  bool open = false;
  for (size_t i = 0; i < batch.size(); ++i) {
    detail::WriteJob& job = *batch[i];
    if (!open) {
      if (auto r = writer_->exec("BEGIN IMMEDIATE"); !r) {
        // Retrying per job would wait out the busy timeout once per job.
        core::logError("database: cannot begin a write transaction",
                       {{"error", r.error().message}});
        for (size_t j = i; j < batch.size(); ++j) batch[j]->fail(r.error());
        return;
      }
      open = true;
    }
    if (runJob(job)) pending.push_back(&job);
    if (writer_->autocommit()) {
      // SQLite rolled the whole transaction back (I/O error, disk full, out of memory):
      // the jobs before this one lost their changes too. Later jobs get a new one.
      const auto lost = makeError(ErrorCode::kStorage, "the write transaction was rolled back");
      core::logError("database: write transaction rolled back by SQLite");
      for (detail::WriteJob* p : pending) p->fail(lost);
      pending.clear();
      open = false;
    }
  }
  if (open) commit(pending);
}

bool Database::runJob(detail::WriteJob& job) {
  if (auto r = writer_->exec("SAVEPOINT job"); !r) {
    job.fail(r.error());
    return false;
  }
  bool keep = false;
  try {
    keep = job.run(*writer_);
  } catch (...) {
    job.exception_ = std::current_exception();
  }
  if (writer_->autocommit()) return keep;  // runBatch deals with the lost transaction
  if (keep) {
    auto released = writer_->exec("RELEASE job");
    if (released) return true;
    job.fail(released.error());
  }
  auto undone = writer_->exec("ROLLBACK TO job");
  if (undone) undone = writer_->exec("RELEASE job");
  if (!undone) {
    // The savepoint cannot be undone, so the transaction holds this job's half-done
    // changes: throw the whole transaction away rather than commit them.
    core::logError("database: cannot roll back a failed write job",
                   {{"error", undone.error().message}});
    (void)writer_->exec("ROLLBACK");
  }
  return false;
}

void Database::commit(std::span<detail::WriteJob* const> pending) {
  auto r = writer_->exec("COMMIT");
  if (r) {
    // A batch whose jobs all failed commits nothing worth counting.
    if (!pending.empty()) transactions_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  core::logError("database: commit failed", {{"error", r.error().message}});
  if (!writer_->autocommit()) (void)writer_->exec("ROLLBACK");
  for (detail::WriteJob* job : pending) job->fail(r.error());
}

// ---- reading ----

core::Result<Database::ReadLease> Database::beginRead() {
  std::unique_ptr<Connection> connection;
  {
    std::lock_guard lock(readers_mu_);
    if (!idle_readers_.empty()) {
      connection = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
  }
  if (!connection) {
    auto opened = Connection::open(file_, Connection::Mode::kReadOnly);
    if (!opened) return opened.error();
    connection = std::move(*opened);
  }
  if (auto r = connection->exec("BEGIN"); !r) return r.error();
  return ReadLease(this, std::move(connection));
}

Database::ReadLease::~ReadLease() {
  if (!connection_) return;
  // A connection whose transaction cannot be ended would hand a stale snapshot to
  // the next reader: close it instead.
  if (connection_->autocommit() || connection_->exec("ROLLBACK")) {
    db_->returnReader(std::move(connection_));
  }
}

void Database::returnReader(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(readers_mu_);
  if (idle_readers_.size() < kMaxIdleReaders) idle_readers_.push_back(std::move(connection));
}

// ---- gauges ----

DatabaseStats Database::stats() const {
  return DatabaseStats{transactions_.load(std::memory_order_relaxed),
                       jobs_.load(std::memory_order_relaxed),
                       failed_jobs_.load(std::memory_order_relaxed)};
}

size_t Database::queuedWrites() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace sb::store
