#include "store/connection.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "core/log.hpp"
#include "support/temp_dir.hpp"

namespace sb::store {
namespace {

using core::ErrorCode;

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Connection::open(dir_.path() / "t.db", Connection::Mode::kReadWrite);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    c_ = std::move(*opened);
    ASSERT_TRUE(c_->execScript("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, "
                               "n INTEGER, b BLOB);")
                    .ok());
  }

  sb::testing::TempDir dir_;
  std::unique_ptr<Connection> c_;
};

TEST_F(ConnectionTest, BindsAndReadsEveryType) {
  const std::string text("k\xC3\xA4se\0tail", 10);  // UTF-8 with an embedded NUL
  const std::vector<uint8_t> blob{0, 1, 2, 255};
  const int64_t big = std::numeric_limits<int64_t>::min();
  {
    auto insert = c_->prepare("INSERT INTO t (name, n, b) VALUES (?1, ?2, ?3)");
    ASSERT_TRUE(insert.ok());
    insert->bindText(1, text).bindInt(2, big).bindBlob(3, blob);
    ASSERT_TRUE(insert->run().ok());
  }
  {
    auto insert = c_->prepare("INSERT INTO t (name, n, b) VALUES (?1, ?2, ?3)");
    ASSERT_TRUE(insert.ok());
    insert->bindText(1, "").bindNull(2).bindBlob(3, std::span<const uint8_t>{});
    ASSERT_TRUE(insert->run().ok());
  }
  auto select = c_->prepare("SELECT name, n, b, typeof(b) FROM t ORDER BY id");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->columnText(0), text);
  EXPECT_EQ(select->columnInt(1), big);
  auto got = select->columnBlob(2);
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.end()), blob);
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->columnText(0), "");
  EXPECT_TRUE(select->columnIsNull(1));
  EXPECT_FALSE(select->columnIsNull(2));  // an empty blob, not NULL
  EXPECT_EQ(select->columnText(3), "blob");
  EXPECT_FALSE(*select->step());
}

TEST_F(ConnectionTest, UniqueViolationIsAConflictThatNamesNoSchema) {
  ASSERT_TRUE(c_->exec("INSERT INTO t (name) VALUES ('a')").ok());
  std::string log;
  core::setLogCapture(&log);
  auto again = c_->exec("INSERT INTO t (name) VALUES ('a')");
  core::setLogCapture(nullptr);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  // The message may end up in an HTTP 409: no table, column or SQL in it...
  EXPECT_EQ(again.error().message.find("t.name"), std::string::npos) << again.error().message;
  EXPECT_EQ(again.error().message.find("INSERT"), std::string::npos) << again.error().message;
  // ...but the log has what an operator needs.
  EXPECT_NE(log.find("UNIQUE constraint failed: t.name"), std::string::npos) << log;
}

TEST_F(ConnectionTest, BadSqlIsStorageError) {
  auto stmt = c_->prepare("SELEC nonsense");
  ASSERT_FALSE(stmt.ok());
  EXPECT_EQ(stmt.error().code, ErrorCode::kStorage);
  auto missing = c_->prepare("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no_such_table"), std::string::npos);
}

TEST_F(ConnectionTest, RefusesASecondStatementInsteadOfIgnoringIt) {
  auto stmt = c_->prepare("INSERT INTO t (name) VALUES ('a'); DELETE FROM t");
  ASSERT_FALSE(stmt.ok());
  EXPECT_TRUE(c_->prepare("SELECT 1;  ").ok());  // a trailing semicolon is fine
}

TEST_F(ConnectionTest, BindErrorIsReportedByStep) {
  auto stmt = c_->prepare("SELECT ?1");
  ASSERT_TRUE(stmt.ok());
  stmt->bindInt(5, 1);  // out of range
  auto row = stmt->step();
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.error().code, ErrorCode::kStorage);
  EXPECT_NE(row.error().message.find("parameter 5"), std::string::npos) << row.error().message;
}

TEST_F(ConnectionTest, SameStatementNestedInItsOwnLoop) {
  ASSERT_TRUE(c_->execScript("INSERT INTO t (name) VALUES ('a'), ('b');").ok());
  const std::string_view sql = "SELECT name FROM t ORDER BY name";
  auto outer = c_->prepare(sql);
  ASSERT_TRUE(outer.ok());
  std::vector<std::string> pairs;
  while (*outer->step()) {
    auto inner = c_->prepare(sql);  // the cached copy is busy: a fresh one
    ASSERT_TRUE(inner.ok());
    while (*inner->step()) pairs.push_back(outer->columnText(0) + inner->columnText(0));
  }
  EXPECT_EQ(pairs, (std::vector<std::string>{"aa", "ab", "ba", "bb"}));
}

TEST_F(ConnectionTest, CachedStatementStartsOverWithFreshBindings) {
  ASSERT_TRUE(c_->execScript("INSERT INTO t (name, n) VALUES ('a', 1), ('b', 2);").ok());
  const std::string_view sql = "SELECT name FROM t WHERE n >= coalesce(?1, 0) ORDER BY name";
  {
    auto first = c_->prepare(sql);
    ASSERT_TRUE(first.ok());
    first->bindInt(1, 2);
    ASSERT_TRUE(*first->step());
    EXPECT_EQ(first->columnText(0), "b");
  }  // abandoned mid-way: reset and bindings cleared on return to the cache
  auto second = c_->prepare(sql);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(*second->step());
  EXPECT_EQ(second->columnText(0), "a");
}

TEST_F(ConnectionTest, TracksTransactionsAndChanges) {
  EXPECT_TRUE(c_->autocommit());
  ASSERT_TRUE(c_->exec("BEGIN").ok());
  EXPECT_FALSE(c_->autocommit());
  ASSERT_TRUE(c_->execScript("INSERT INTO t (name) VALUES ('a'), ('b'), ('c');").ok());
  ASSERT_TRUE(c_->exec("UPDATE t SET n = 7 WHERE name <> 'a'").ok());
  EXPECT_EQ(c_->changes(), 2);
  ASSERT_TRUE(c_->exec("INSERT INTO t (name) VALUES ('d')").ok());
  EXPECT_EQ(c_->lastInsertRowId(), 4);
  ASSERT_TRUE(c_->exec("COMMIT").ok());
  EXPECT_TRUE(c_->autocommit());
}

TEST(ConnectionOpenTest, ReadOnlyConnectionCannotWrite) {
  sb::testing::TempDir dir;
  {
    auto rw = Connection::open(dir.path() / "t.db", Connection::Mode::kReadWrite);
    ASSERT_TRUE(rw.ok());
    ASSERT_TRUE((*rw)->exec("CREATE TABLE t (x INTEGER)").ok());
  }
  auto ro = Connection::open(dir.path() / "t.db", Connection::Mode::kReadOnly);
  ASSERT_TRUE(ro.ok());
  EXPECT_TRUE((*ro)->exec("SELECT count(*) FROM t").ok());
  auto write = (*ro)->exec("INSERT INTO t VALUES (1)");
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.error().code, ErrorCode::kStorage);
}

TEST(ConnectionOpenTest, MissingFileIsNotCreatedReadOnly) {
  sb::testing::TempDir dir;
  auto ro = Connection::open(dir.path() / "absent.db", Connection::Mode::kReadOnly);
  ASSERT_FALSE(ro.ok());
  EXPECT_EQ(ro.error().code, ErrorCode::kStorage);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "absent.db"));
}

}  // namespace
}  // namespace sb::store
