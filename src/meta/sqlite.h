// A thin RAII layer over the SQLite C API: a connection and prepared statements, with errors
// as Status naming the database file. Not thread-safe: one Db per thread.
#ifndef ATTEST_META_SQLITE_H_
#define ATTEST_META_SQLITE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace attest::meta {

class Stmt;

class Db {
 public:
  // Opens `path` (creating it if `create`), WAL mode, synchronous=FULL, foreign keys on.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, bool create);
  ~Db();

  Status Exec(std::string_view sql);
  Result<Stmt> Prepare(std::string_view sql);
  const std::string& path() const { return path_; }
  // The rowid of the last row inserted, and the rows the last statement changed.
  int64_t LastInsertId();
  int Changes();
  sqlite3* handle() { return db_; }
  // A Status for the connection's last error, with `context`.
  Status Error(int rc, std::string_view context);

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

class Stmt {
 public:
  Stmt(Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt(const Stmt&) = delete;
  ~Stmt();

  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, std::string_view text);
  Stmt& BindBlob(int i, std::string_view bytes);
  Stmt& BindNull(int i);
  Stmt& BindOptional(int i, const std::optional<std::string>& text);

  // Steps once: true if a row is available, false when done.
  Result<bool> Step();
  // Steps to completion (for statements without rows).
  Status Run();
  Status Reset();

  int64_t Int(int col);
  std::string Text(int col);
  std::string Blob(int col);
  bool IsNull(int col);

 private:
  Db* db_;
  sqlite3_stmt* stmt_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<std::unique_ptr<Transaction>> Begin(Db* db);
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;
  bool done_ = false;
};

}  // namespace attest::meta

#endif  // ATTEST_META_SQLITE_H_
