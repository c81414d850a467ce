#include "meta/sqlite.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "core/temp_dir.h"

namespace attest::meta {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Db::Open(dir_.Join("t.db"), true);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Exec("CREATE TABLE t(x INTEGER)").ok());
    ASSERT_TRUE(db_->Exec("INSERT INTO t VALUES (1), (2), (3)").ok());
  }
  void TearDown() override { db_.reset(); }
  TempDir dir_{"attest-sqlite"};
  std::unique_ptr<Db> db_;
};

TEST_F(SqliteTest, AKeptStatementComesBackUnboundAndFromTheStart) {
  {
    auto s = db_->Prepare("SELECT x FROM t WHERE x >= ? ORDER BY x");
    ASSERT_TRUE(s.ok());
    s->Bind(1, int64_t{2});
    ASSERT_TRUE(*s->Step());
    EXPECT_EQ(s->Int(0), 2);
  }  // left mid-way, with a binding
  auto s = db_->Prepare("SELECT x FROM t WHERE x >= ? ORDER BY x");
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(*s->Step());  // unbound: NULL matches nothing, not the 2 of before
  ASSERT_TRUE(s->Reset().ok());
  s->Bind(1, int64_t{1});
  ASSERT_TRUE(*s->Step());
  EXPECT_EQ(s->Int(0), 1);  // from the first row
}

TEST_F(SqliteTest, TheSameStatementInsideItsOwnLoopIsASecondOne) {
  auto outer = db_->Prepare("SELECT x FROM t ORDER BY x");
  ASSERT_TRUE(outer.ok());
  int pairs = 0;
  while (*outer->Step()) {
    auto inner = db_->Prepare("SELECT x FROM t ORDER BY x");
    ASSERT_TRUE(inner.ok());
    while (*inner->Step()) ++pairs;
  }
  EXPECT_EQ(pairs, 9);
}

TEST_F(SqliteTest, AKeptStatementHoldsNoReadLockOnceDone) {
  {
    auto s = db_->Prepare("SELECT x FROM t");
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(*s->Step());  // a read transaction is open while it is mid-way
  }
  // A writer on another connection can write and truncate the log: no reader holds it.
  auto other = Db::Open(dir_.Join("t.db"), false);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Exec("INSERT INTO t VALUES (4)").ok());
  auto cp = (*other)->Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_TRUE(cp.ok());
  ASSERT_TRUE(*cp->Step());
  EXPECT_EQ(cp->Int(0), 0) << "the checkpoint was blocked by a reader";
}

}  // namespace
}  // namespace attest::meta
