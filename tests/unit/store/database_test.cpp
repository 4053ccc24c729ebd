#include "store/database.hpp"

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <future>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store/schema.hpp"
#include "support/temp_dir.hpp"
#include "unit/store/writer_gate.hpp"

namespace sb::store {
namespace {

using core::ErrorCode;
using core::Result;
using testing::WriterGate;

constexpr std::array kNotesV1{
    Migration{1, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);"},
};
constexpr std::array kNotesV2{
    kNotesV1[0],
    Migration{2, "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT '';"},
};

std::unique_ptr<Database> openOrDie(const std::filesystem::path& dir,
                                    std::span<const Migration> migrations = kNotesV1) {
  auto db = Database::open(dir, migrations);
  EXPECT_TRUE(db.ok()) << db.error().message;
  return db.ok() ? std::move(*db) : nullptr;
}

Result<void> insertNote(Connection& c, std::string_view text) {
  auto stmt = c.prepare("INSERT INTO notes (text) VALUES (?1)");
  if (!stmt) return stmt.error();
  stmt->bindText(1, text);
  return stmt->run();
}

Result<int64_t> scalar(Connection& c, std::string_view sql) {
  auto stmt = c.prepare(sql);
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return core::makeError(ErrorCode::kNotFound, "no row");
  return stmt->columnInt(0);
}

int64_t readScalar(Database& db, std::string_view sql) {
  auto value = db.read([&](Connection& c) { return scalar(c, sql); });
  EXPECT_TRUE(value.ok()) << value.error().message;
  return value.ok() ? *value : -1;
}

std::set<std::string> noteTexts(Database& db) {
  auto texts = db.read([](Connection& c) -> Result<std::set<std::string>> {
    auto stmt = c.prepare("SELECT text FROM notes");
    if (!stmt) return stmt.error();
    std::set<std::string> out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) return out;
      out.insert(stmt->columnText(0));
    }
  });
  EXPECT_TRUE(texts.ok());
  return texts.ok() ? *texts : std::set<std::string>{};
}

// ---- opening and migrations ----

TEST(DatabaseOpenTest, CreatesTheDataDirectoryAndConfiguresTheWriter) {
  sb::testing::TempDir tmp;
  const auto dir = tmp.path() / "nested" / "data";
  auto db = openOrDie(dir);
  ASSERT_TRUE(db);
  EXPECT_TRUE(std::filesystem::exists(dir / "switchboard.db"));
  EXPECT_EQ(db->file(), dir / "switchboard.db");
  const auto perms = std::filesystem::status(dir).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_all, std::filesystem::perms::none);
  EXPECT_EQ(perms & std::filesystem::perms::others_all, std::filesystem::perms::none);
  auto settings = db->write([](Connection& c) -> Result<std::string> {
    auto mode = c.prepare("PRAGMA journal_mode");
    if (!mode || !*mode->step()) return core::makeError(ErrorCode::kStorage, "journal_mode");
    std::string out = mode->columnText(0);
    for (auto pragma : {"PRAGMA synchronous", "PRAGMA foreign_keys"}) {
      auto value = scalar(c, pragma);
      if (!value) return value.error();
      out += " " + std::to_string(*value);
    }
    return out;
  });
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(*settings, "wal 2 1");  // synchronous 2 = FULL
}

TEST(DatabaseOpenTest, AppliesEachMigrationOnceAndRecordsIt) {
  sb::testing::TempDir tmp;
  int64_t applied_at = 0;
  {
    auto db = openOrDie(tmp.path(), schemaMigrations());
    ASSERT_TRUE(db);
    const int newest = schemaMigrations().back().version;
    EXPECT_EQ(db->schemaVersion(), newest);
    EXPECT_EQ(readScalar(*db, "SELECT count(*) FROM schema_migrations"),
              static_cast<int64_t>(schemaMigrations().size()));
    EXPECT_EQ(readScalar(*db, "SELECT max(version) FROM schema_migrations"), newest);
    applied_at = readScalar(*db, "SELECT applied_at FROM schema_migrations WHERE version = 1");
    EXPECT_GT(applied_at, 1'600'000'000'000);  // Unix milliseconds
  }
  auto again = openOrDie(tmp.path(), schemaMigrations());
  ASSERT_TRUE(again);
  EXPECT_EQ(readScalar(*again, "SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(schemaMigrations().size()));
  EXPECT_EQ(readScalar(*again, "SELECT applied_at FROM schema_migrations WHERE version = 1"),
            applied_at);
}

TEST(DatabaseOpenTest, ReopeningKeepsTheData) {
  sb::testing::TempDir tmp;
  {
    auto db = openOrDie(tmp.path());
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->write([](Connection& c) { return insertNote(c, "kept"); }).ok());
  }
  auto db = openOrDie(tmp.path());
  ASSERT_TRUE(db);
  EXPECT_EQ(noteTexts(*db), std::set<std::string>{"kept"});
}

TEST(DatabaseOpenTest, AppliesOnlyTheNewMigrationOnUpgrade) {
  sb::testing::TempDir tmp;
  {
    auto db = openOrDie(tmp.path(), kNotesV1);
    ASSERT_TRUE(db);
    EXPECT_EQ(db->schemaVersion(), 1);
    ASSERT_TRUE(db->write([](Connection& c) { return insertNote(c, "old"); }).ok());
  }
  auto db = openOrDie(tmp.path(), kNotesV2);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->schemaVersion(), 2);
  // Migration 1 did not run again (it would fail: the table exists), and 2 ran.
  EXPECT_EQ(readScalar(*db, "SELECT count(*) FROM notes WHERE author = ''"), 1);
  EXPECT_EQ(readScalar(*db, "SELECT count(*) FROM schema_migrations"), 2);
}

TEST(DatabaseOpenTest, RefusesADatabaseFromANewerRelease) {
  sb::testing::TempDir tmp;
  {
    auto db = openOrDie(tmp.path(), kNotesV2);
    ASSERT_TRUE(db);
  }
  auto db = Database::open(tmp.path(), kNotesV1);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kStorage);
  EXPECT_NE(db.error().message.find("schema version 2"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find("newer"), std::string::npos);
  // Nothing was touched: the newer release still opens it.
  EXPECT_TRUE(openOrDie(tmp.path(), kNotesV2));
}

TEST(DatabaseOpenTest, AFailedMigrationLeavesNoTrace) {
  sb::testing::TempDir tmp;
  constexpr std::array kBroken{
      kNotesV1[0],
      Migration{2, "CREATE TABLE half (x INTEGER); INSERT INTO no_such_table VALUES (1);"},
  };
  {
    auto db = openOrDie(tmp.path(), kNotesV1);
    ASSERT_TRUE(db);
  }
  auto broken = Database::open(tmp.path(), kBroken);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("migration 2"), std::string::npos)
      << broken.error().message;
  auto db = openOrDie(tmp.path(), kNotesV1);
  ASSERT_TRUE(db);
  EXPECT_EQ(readScalar(*db, "SELECT count(*) FROM sqlite_schema WHERE name = 'half'"), 0);
  EXPECT_EQ(readScalar(*db, "SELECT max(version) FROM schema_migrations"), 1);
}

TEST(DatabaseOpenTest, AFileThatIsNotADatabaseIsAnError) {
  sb::testing::TempDir tmp;
  tmp.write("switchboard.db", std::string(8192, 'x'));
  auto db = Database::open(tmp.path());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kStorage);
}

TEST(DatabaseOpenTest, ADataDirectoryThatIsAFileIsAnError) {
  sb::testing::TempDir tmp;
  const auto file = tmp.write("plain-file", "x");
  auto db = Database::open(file / "data");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kStorage);
}

// ---- writing ----

TEST(DatabaseWriteTest, ReturnsTheJobsValueAndError) {
  sb::testing::TempDir tmp;
  auto db = openOrDie(tmp.path());
  ASSERT_TRUE(db);
  auto id = db->write([](Connection& c) -> Result<int64_t> {
    if (auto r = insertNote(c, "a"); !r) return r.error();
    return c.lastInsertRowId();
  });
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 1);
  auto duplicate = db->write([](Connection& c) { return insertNote(c, "a"); });
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
  const auto stats = db->stats();
  EXPECT_EQ(stats.jobs, 1u);
  EXPECT_EQ(stats.failed_jobs, 1u);
  EXPECT_EQ(stats.transactions, 1u);
}

TEST(DatabaseWriteTest, ConcurrentWritersAreAllDurable) {
  sb::testing::TempDir tmp;
  constexpr int kThreads = 8;
  constexpr int kWritesPerThread = 200;
  {
    auto db = openOrDie(tmp.path());
    ASSERT_TRUE(db);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kWritesPerThread; ++i) {
          const std::string text = std::to_string(t) + "/" + std::to_string(i);
          if (!db->write([&](Connection& c) { return insertNote(c, text); }).ok()) ++failures;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    const auto stats = db->stats();
    EXPECT_EQ(stats.jobs, uint64_t{kThreads * kWritesPerThread});
    EXPECT_EQ(stats.failed_jobs, 0u);
    EXPECT_LE(stats.transactions, stats.jobs);  // strictly fewer: QueuedWritesShare… below
    RecordProperty("transactions", static_cast<int>(stats.transactions));
  }
  auto db = openOrDie(tmp.path());
  ASSERT_TRUE(db);
  const auto texts = noteTexts(*db);
  ASSERT_EQ(texts.size(), size_t{kThreads * kWritesPerThread});
  EXPECT_TRUE(texts.contains("0/0"));
  EXPECT_TRUE(texts.contains("7/199"));
}

TEST(DatabaseWriteTest, QueuedWritesShareOneTransaction) {
  sb::testing::TempDir tmp;
  auto db = openOrDie(tmp.path());
  ASSERT_TRUE(db);
  constexpr int kWriters = 16;
  std::vector<std::future<Result<void>>> results;
  {
    WriterGate gate(*db);
    for (int i = 0; i < kWriters; ++i) {
      results.push_back(std::async(std::launch::async, [&db, i] {
        return db->write([i](Connection& c) { return insertNote(c, "n" + std::to_string(i)); });
      }));
    }
    ASSERT_TRUE(gate.waitForQueued(kWriters));
  }
  for (auto& result : results) EXPECT_TRUE(result.get().ok());
  const auto stats = db->stats();
  EXPECT_EQ(stats.jobs, uint64_t{kWriters + 1});
  EXPECT_EQ(stats.transactions, 2u);  // the gate's, then one for all sixteen
  EXPECT_EQ(noteTexts(*db).size(), size_t{kWriters});
}

TEST(DatabaseWriteTest, AFailingJobIsRolledBackAloneInItsBatch) {
  sb::testing::TempDir tmp;
  auto db = openOrDie(tmp.path());
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->write([](Connection& c) { return insertNote(c, "taken"); }).ok());
  std::future<Result<void>> before, refused, duplicate, after;
  {
    WriterGate gate(*db);
    auto launch = [&db](auto job) {
      return std::async(std::launch::async, [&db, job] { return db->write(job); });
    };
    before = launch([](Connection& c) { return insertNote(c, "before"); });
    ASSERT_TRUE(gate.waitForQueued(1));
    // Writes, then reports an error: its write must not survive.
    refused = launch([](Connection& c) -> Result<void> {
      if (auto r = insertNote(c, "refused"); !r) return r;
      return core::makeError(ErrorCode::kInvalidInput, "changed my mind");
    });
    ASSERT_TRUE(gate.waitForQueued(2));
    duplicate = launch([](Connection& c) -> Result<void> {
      if (auto r = insertNote(c, "half"); !r) return r;
      return insertNote(c, "taken");
    });
    ASSERT_TRUE(gate.waitForQueued(3));
    after = launch([](Connection& c) { return insertNote(c, "after"); });
    ASSERT_TRUE(gate.waitForQueued(4));
  }
  EXPECT_TRUE(before.get().ok());
  auto refused_result = refused.get();
  ASSERT_FALSE(refused_result.ok());
  EXPECT_EQ(refused_result.error().code, ErrorCode::kInvalidInput);
  auto duplicate_result = duplicate.get();
  ASSERT_FALSE(duplicate_result.ok());
  EXPECT_EQ(duplicate_result.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(after.get().ok());
  EXPECT_EQ(noteTexts(*db), (std::set<std::string>{"taken", "before", "after"}));
  const auto stats = db->stats();
  EXPECT_EQ(stats.transactions, 3u);  // the first write, the gate, the batch of four
  EXPECT_EQ(stats.failed_jobs, 2u);
}

TEST(DatabaseWriteTest, AThrowingJobRethrowsInItsCallerAndSparesTheOthers) {
  sb::testing::TempDir tmp;
  auto db = openOrDie(tmp.path());
  ASSERT_TRUE(db);
  std::future<Result<void>> good;
  std::future<void> thrower;
  {
    WriterGate gate(*db);
    thrower = std::async(std::launch::async, [&db] {
      (void)db->write([](Connection& c) -> Result<void> {
        (void)insertNote(c, "thrown away");
        throw std::runtime_error("job bug");
      });
    });
    ASSERT_TRUE(gate.waitForQueued(1));
    good = std::async(std::launch::async, [&db] {
      return db->write([](Connection& c) { return insertNote(c, "good"); });
    });
    ASSERT_TRUE(gate.waitForQueued(2));
  }
  EXPECT_THROW(thrower.get(), std::runtime_error);
  EXPECT_TRUE(good.get().ok());
  EXPECT_EQ(noteTexts(*db), std::set<std::string>{"good"});
}

TEST(DatabaseWriteTest, AFailedCommitFailsEveryJobOfTheBatch) {
  // A deferred foreign key is checked only at COMMIT: the one way to make a commit
  // fail on demand. (The real schema has no deferred constraints for this reason.)
  constexpr std::array kDeferred{Migration{
      1,
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);"
      "CREATE TABLE refs (note INTEGER REFERENCES notes(id) DEFERRABLE INITIALLY DEFERRED);"}};
  sb::testing::TempDir tmp;
  auto db = openOrDie(tmp.path(), kDeferred);
  ASSERT_TRUE(db);
  std::future<Result<void>> good, dangling;
  {
    WriterGate gate(*db);
    good = std::async(std::launch::async, [&db] {
      return db->write([](Connection& c) { return insertNote(c, "good"); });
    });
    ASSERT_TRUE(gate.waitForQueued(1));
    dangling = std::async(std::launch::async, [&db] {
      return db->write([](Connection& c) { return c.exec("INSERT INTO refs VALUES (42)"); });
    });
    ASSERT_TRUE(gate.waitForQueued(2));
  }
  auto good_result = good.get();
  auto dangling_result = dangling.get();
  ASSERT_FALSE(good_result.ok());
  ASSERT_FALSE(dangling_result.ok());
  EXPECT_EQ(good_result.error().code, ErrorCode::kConflict);  // the FK's constraint error
  EXPECT_TRUE(noteTexts(*db).empty());
  // The writer recovered: the next write has a transaction of its own.
  EXPECT_TRUE(db->write([](Connection& c) { return insertNote(c, "later"); }).ok());
  EXPECT_EQ(noteTexts(*db), std::set<std::string>{"later"});
  EXPECT_EQ(db->stats().failed_jobs, 2u);
}

TEST(DatabaseWriteTest, ClosingRunsTheWritesStillQueuedAndRefusesNewOnes) {
  sb::testing::TempDir tmp;
  constexpr int kWriters = 6;
  auto db = openOrDie(tmp.path());
  ASSERT_TRUE(db);
  std::vector<std::future<Result<void>>> results;
  std::future<void> closer;
  {
    WriterGate gate(*db);
    for (int i = 0; i < kWriters; ++i) {
      results.push_back(std::async(std::launch::async, [&db, i] {
        return db->write([i](Connection& c) { return insertNote(c, "q" + std::to_string(i)); });
      }));
    }
    ASSERT_TRUE(gate.waitForQueued(kWriters));
    closer = std::async(std::launch::async, [&db] { db->close(); });
    // Release the writer only once close() has begun, so the queued writes are
    // certainly still waiting when the database starts closing.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!db->closing() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    ASSERT_TRUE(db->closing());
  }
  closer.get();
  for (auto& result : results) {
    auto r = result.get();
    EXPECT_TRUE(r.ok()) << r.error().message;
  }
  auto late = db->write([](Connection& c) { return insertNote(c, "late"); });
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(noteTexts(*db).size(), size_t{kWriters});  // reads still work
  db->close();                                         // idempotent
  db.reset();
  auto reopened = openOrDie(tmp.path());
  ASSERT_TRUE(reopened);
  EXPECT_EQ(noteTexts(*reopened).size(), size_t{kWriters});
}

// ---- reading ----

TEST(DatabaseReadTest, ReadersSeeASnapshotAndDoNotBlockTheWriter) {
  sb::testing::TempDir tmp;
  auto db = openOrDie(tmp.path());
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->write([](Connection& c) { return insertNote(c, "first"); }).ok());
  std::promise<void> reading, wrote;
  auto wrote_future = wrote.get_future();
  auto reader = std::async(std::launch::async, [&] {
    return db->read([&](Connection& c) -> Result<std::pair<int64_t, int64_t>> {
      auto before = scalar(c, "SELECT count(*) FROM notes");
      if (!before) return before.error();
      reading.set_value();
      wrote_future.wait();  // a write commits while this read transaction is open
      auto after = scalar(c, "SELECT count(*) FROM notes");
      if (!after) return after.error();
      return std::pair{*before, *after};
    });
  });
  reading.get_future().wait();
  EXPECT_TRUE(db->write([](Connection& c) { return insertNote(c, "second"); }).ok());
  wrote.set_value();
  auto counts = reader.get();
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->first, 1);
  EXPECT_EQ(counts->second, 1);  // one snapshot for the whole read
  EXPECT_EQ(readScalar(*db, "SELECT count(*) FROM notes"), 2);
}

TEST(DatabaseReadTest, ReadsCannotWriteAndErrorsAreValues) {
  sb::testing::TempDir tmp;
  auto db = openOrDie(tmp.path());
  ASSERT_TRUE(db);
  auto write = db->read([](Connection& c) { return insertNote(c, "sneaky"); });
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.error().code, ErrorCode::kStorage);
  auto bad = db->read([](Connection& c) { return scalar(c, "SELECT nope FROM nowhere"); });
  ASSERT_FALSE(bad.ok());
  // The pooled connection is still usable after both failures.
  EXPECT_EQ(readScalar(*db, "SELECT count(*) FROM notes"), 0);
}

TEST(DatabaseReadTest, AThrowingReadPropagatesAndReturnsItsConnection) {
  sb::testing::TempDir tmp;
  auto db = openOrDie(tmp.path());
  ASSERT_TRUE(db);
  EXPECT_THROW((void)db->read([](Connection&) -> Result<int> { throw std::logic_error("bug"); }),
               std::logic_error);
  ASSERT_TRUE(db->write([](Connection& c) { return insertNote(c, "x"); }).ok());
  // A connection left inside its old transaction would still see zero notes.
  EXPECT_EQ(readScalar(*db, "SELECT count(*) FROM notes"), 1);
}

TEST(DatabaseReadTest, ManyThreadsReadAtOnce) {
  sb::testing::TempDir tmp;
  auto db = openOrDie(tmp.path());
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->write([](Connection& c) { return insertNote(c, "x"); }).ok());
  constexpr int kReaders = 12;  // more than the pool keeps idle
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  std::vector<std::future<int64_t>> counts;
  for (int i = 0; i < kReaders; ++i) {
    counts.push_back(std::async(std::launch::async, [&db, start] {
      start.wait();
      int64_t total = 0;
      for (int j = 0; j < 50; ++j) total += readScalar(*db, "SELECT count(*) FROM notes");
      return total;
    }));
  }
  go.set_value();
  for (auto& count : counts) EXPECT_EQ(count.get(), 50);
}

}  // namespace
}  // namespace sb::store
