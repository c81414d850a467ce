// A thin RAII layer over the SQLite C API: a connection and prepared statements, with errors
// as Status naming the database file. Not thread-safe: one Db per thread.
#ifndef ATTEST_META_SQLITE_H_
#define ATTEST_META_SQLITE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

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
  // A statement, kept prepared for the next Prepare of the same SQL once this one is done (a
  // statement is compiled once per connection, not once per call).
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
  struct Prepared {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  static constexpr size_t kMaxPrepared = 256;
  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, Prepared> prepared_;  // by SQL text
};

class Stmt {
 public:
  // `in_use`: the flag of the connection's kept statement this is, or null for one of its own.
  Stmt(Db* db, sqlite3_stmt* stmt, bool* in_use = nullptr)
      : db_(db), stmt_(stmt), in_use_(in_use) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_), in_use_(o.in_use_) { o.stmt_ = nullptr; }
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
  bool* in_use_;
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
