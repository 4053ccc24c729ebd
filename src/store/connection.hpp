#pragma once
// Thin RAII wrappers over one SQLite connection and its prepared statements. Every
// SQLite failure becomes a core::Result (kConflict for a constraint violation, kStorage
// for anything else); nothing here throws or aborts on a database error.
//
// A Connection is used by one thread at a time (Database hands it out), so it is opened
// without SQLite's per-connection mutex.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace sb::store {

class Connection;

// A prepared statement borrowed from its connection's cache; destroying it resets it
// and gives it back. Bind errors are remembered and reported by the next step()/run(),
// so call sites can chain binds without checking each one.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are numbered from 1, as in SQLite. Text and blobs are copied.
  Statement& bindText(int index, std::string_view value);
  Statement& bindInt(int index, int64_t value);
  Statement& bindBool(int index, bool value) { return bindInt(index, value ? 1 : 0); }
  Statement& bindBlob(int index, std::span<const uint8_t> value);
  Statement& bindNull(int index);

  // true: a row is ready for the column getters; false: the statement is done.
  core::Result<bool> step();
  // Steps to the end, ignoring rows: for INSERT/UPDATE/DELETE and pragmas.
  core::Result<void> run();

  // Columns are numbered from 0. Values are converted as SQLite converts them
  // (NULL reads as 0, "" or an empty blob).
  int64_t columnInt(int index) const;
  bool columnBool(int index) const { return columnInt(index) != 0; }
  std::string columnText(int index) const;
  // Valid until the next step() or the statement's destruction.
  std::span<const uint8_t> columnBlob(int index) const;
  bool columnIsNull(int index) const;

 private:
  friend class Connection;
  Statement(Connection* connection, sqlite3_stmt* stmt, bool* in_use);
  void release() noexcept;
  void noteBindResult(int rc, int index);

  Connection* connection_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  bool* in_use_ = nullptr;  // the cache slot's flag; nullptr: not cached, finalize on release
  int bind_error_ = 0;      // first failed bind's SQLite code, 0 when all succeeded
  int bind_error_index_ = 0;
};

class Connection {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (kReadWrite: creates) the database file and sets extended error codes and a
  // busy timeout. Pragmas such as WAL are the caller's (Database's) business.
  static core::Result<std::unique_ptr<Connection>> open(const std::filesystem::path& file,
                                                        Mode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement; a trailing second statement is refused (it would be ignored silently).
  core::Result<Statement> prepare(std::string_view sql);
  // One statement without parameters, rows ignored (BEGIN, SAVEPOINT, pragmas).
  core::Result<void> exec(std::string_view sql);
  // Several statements separated by ';' (schema migrations). Not cached.
  core::Result<void> execScript(std::string_view sql);

  int64_t lastInsertRowId() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t changes() const;
  // False inside BEGIN … COMMIT. Lets the writer notice that SQLite rolled a
  // transaction back on its own (it does so on some I/O and memory errors).
  bool autocommit() const;

  // The error for SQLite result `rc` with this connection's message and `context`.
  core::Error error(int rc, std::string_view context) const;

 private:
  friend class Statement;
  explicit Connection(sqlite3* db) : db_(db) {}

  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  sqlite3* db_;
  // Keyed by SQL text; entries live as long as the connection (a program has a few
  // dozen distinct statements), so a Statement may point at its slot's flag.
  std::unordered_map<std::string, CachedStatement> cache_;
};

// kConflict for SQLITE_CONSTRAINT_*, with a generic message (it may reach a client) and
// the details logged; kStorage otherwise, naming `context`, SQLite's message and result
// code, never bound values (they may be secrets).
core::Error sqliteError(int rc, std::string_view detail, std::string_view context);

}  // namespace sb::store
