#include "store/connection.hpp"

#include <sqlite3.h>

#include <cctype>
#include <utility>

#include "core/log.hpp"

namespace sb::store {
namespace {

// Long enough to ride out another process's checkpoint or an `admin` command holding
// the write lock, short enough that a wedged database surfaces as an error.
constexpr int kBusyTimeoutMs = 5000;

bool isBlank(std::string_view s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c)) && c != ';') return false;
  }
  return true;
}

// The start of a statement's SQL names it in an error message. Values are bound,
// never spliced into SQL, so this cannot leak a password hash or token.
std::string statementHead(sqlite3_stmt* stmt) {
  constexpr size_t kMax = 60;
  std::string_view sql = sqlite3_sql(stmt) != nullptr ? sqlite3_sql(stmt) : "";
  if (sql.size() <= kMax) return std::string(sql);
  return std::string(sql.substr(0, kMax)) + "...";
}

}  // namespace

core::Error sqliteError(int rc, std::string_view detail, std::string_view context) {
  if (detail.empty()) detail = sqlite3_errstr(rc);
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    // A kConflict message may reach a client (an HTTP 409 detail), so it names no table
    // or SQL; the specifics go to the log. Conflicts the store expects get a precise
    // message from SqliteStore, which checks before it writes.
    core::logWarn("database constraint violated",
                  {{"context", context}, {"detail", detail}, {"rc", rc}});
    return core::makeError(core::ErrorCode::kConflict, "This conflicts with an existing record.");
  }
  std::string message{context};
  message += ": ";
  message += detail;
  message += " (sqlite ";
  message += std::to_string(rc);
  message += ')';
  return core::makeError(core::ErrorCode::kStorage, std::move(message));
}

// ---- Statement ----

Statement::Statement(Connection* connection, sqlite3_stmt* stmt, bool* in_use)
    : connection_(connection), stmt_(stmt), in_use_(in_use) {}

Statement::Statement(Statement&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      bind_error_(std::exchange(other.bind_error_, 0)),
      bind_error_index_(std::exchange(other.bind_error_index_, 0)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    release();
    connection_ = std::exchange(other.connection_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    in_use_ = std::exchange(other.in_use_, nullptr);
    bind_error_ = std::exchange(other.bind_error_, 0);
    bind_error_index_ = std::exchange(other.bind_error_index_, 0);
  }
  return *this;
}

Statement::~Statement() {
  release();
}

void Statement::release() noexcept {
  if (stmt_ == nullptr) return;
  if (in_use_ != nullptr) {
    // Reset ends any read the statement holds open, which matters for ROLLBACK TO
    // and for WAL checkpoints; its return value repeats the last step's error.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
  in_use_ = nullptr;
  connection_ = nullptr;
}

void Statement::noteBindResult(int rc, int index) {
  if (rc != SQLITE_OK && bind_error_ == 0) {
    bind_error_ = rc;
    bind_error_index_ = index;
  }
}

Statement& Statement::bindText(int index, std::string_view value) {
  noteBindResult(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
  return *this;
}

Statement& Statement::bindInt(int index, int64_t value) {
  noteBindResult(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::bindBlob(int index, std::span<const uint8_t> value) {
  // A null data pointer would bind NULL, not an empty blob.
  static const uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  noteBindResult(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT), index);
  return *this;
}

Statement& Statement::bindNull(int index) {
  noteBindResult(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

core::Result<bool> Statement::step() {
  if (bind_error_ != 0) {
    return sqliteError(bind_error_, {}, "binding parameter " + std::to_string(bind_error_index_));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return connection_->error(rc, statementHead(stmt_));
}

core::Result<void> Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.error();
    if (!*row) return core::okResult();
  }
}

int64_t Statement::columnInt(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

std::string Statement::columnText(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  const int size = sqlite3_column_bytes(stmt_, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

std::span<const uint8_t> Statement::columnBlob(int index) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, index));
  const int size = sqlite3_column_bytes(stmt_, index);
  if (data == nullptr) return {};
  return {data, static_cast<size_t>(size)};
}

bool Statement::columnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

// ---- Connection ----

core::Result<std::unique_ptr<Connection>> Connection::open(const std::filesystem::path& file,
                                                           Mode mode) {
  const int flags = (mode == Mode::kReadWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                              : SQLITE_OPEN_READONLY) |
                    SQLITE_OPEN_NOMUTEX;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    // SQLite hands back a handle even on failure; it carries the message and must be closed.
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return sqliteError(rc, detail, "opening " + file.string());
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

core::Error Connection::error(int rc, std::string_view context) const {
  // errmsg describes the most recent failure on this connection, which is `rc`'s.
  return sqliteError(rc, sqlite3_errmsg(db_), context);
}

core::Result<Statement> Connection::prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(this, it->second.stmt, &it->second.in_use);
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return error(rc, "prepare");
  if (stmt == nullptr) {
    return core::makeError(core::ErrorCode::kInternal, "prepare: no statement in SQL text");
  }
  const auto rest = sql.substr(static_cast<size_t>(tail - sql.data()));
  if (!isBlank(rest)) {
    sqlite3_finalize(stmt);
    return core::makeError(core::ErrorCode::kInternal,
                           "prepare: more than one statement (use execScript)");
  }
  if (it != cache_.end()) {
    // The cached copy is busy (a statement nested in its own loop): this one is
    // used once and finalized.
    return Statement(this, stmt, nullptr);
  }
  auto [slot, inserted] = cache_.emplace(std::string(sql), CachedStatement{stmt, true});
  (void)inserted;
  return Statement(this, stmt, &slot->second.in_use);
}

core::Result<void> Connection::exec(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt) return stmt.error();
  return stmt->run();
}

core::Result<void> Connection::execScript(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec wants a terminated string
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return core::okResult();
  std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return sqliteError(rc, detail, "script");
}

int64_t Connection::lastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_);
}

int64_t Connection::changes() const {
  return sqlite3_changes64(db_);
}

bool Connection::autocommit() const {
  return sqlite3_get_autocommit(db_) != 0;
}

}  // namespace sb::store
