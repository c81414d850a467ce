#include "meta/sqlite.h"

#include <sqlite3.h>

namespace attest::meta {

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, bool create) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Db> db(new Db(raw, path));
  if (rc != SQLITE_OK) {
    if (rc == SQLITE_CANTOPEN) return Status::NotFound("cannot open database " + path);
    return db->Error(rc, "cannot open database");
  }
  sqlite3_busy_timeout(raw, 30000);
  sqlite3_extended_result_codes(raw, 1);
  RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  // Deleted content is overwritten with zeros, not left in free space (a withdrawal).
  RETURN_IF_ERROR(db->Exec("PRAGMA secure_delete=ON"));
  // Memory-mapped reads and a 64 MiB page cache: a full verify of a million versions spent
  // most of its time in pread() with SQLite's 2 MiB default.
  RETURN_IF_ERROR(db->Exec("PRAGMA mmap_size=1073741824"));
  RETURN_IF_ERROR(db->Exec("PRAGMA cache_size=-65536"));
  return db;
}

Db::~Db() {
  for (auto& [sql, p] : prepared_) sqlite3_finalize(p.stmt);
  sqlite3_close_v2(db_);
}

Status Db::Error(int rc, std::string_view context) {
  std::string msg = std::string(context) + " (" + path_ +
                    "): " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(msg + "; the database file is damaged or not an attest database");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(msg);
    case SQLITE_CONSTRAINT:
      return Status::Conflict(msg);
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::PermissionDenied(msg);
    case SQLITE_CANTOPEN:
      return Status::NotFound(msg);
    default:
      return Status::IOError(msg);
  }
}

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(rc, "database statement failed");
  return Status::Ok();
}

int64_t Db::LastInsertId() { return sqlite3_last_insert_rowid(db_); }

int Db::Changes() { return sqlite3_changes(db_); }

Result<Stmt> Db::Prepare(std::string_view sql) {
  auto kept = prepared_.find(std::string(sql));
  if (kept != prepared_.end() && !kept->second.in_use) {
    kept->second.in_use = true;
    return Stmt(this, kept->second.stmt, &kept->second.in_use);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "cannot prepare a database statement");
  if (kept == prepared_.end() && prepared_.size() < kMaxPrepared) {
    Prepared& p = prepared_[std::string(sql)];
    p.stmt = stmt;
    p.in_use = true;
    return Stmt(this, stmt, &p.in_use);
  }
  return Stmt(this, stmt);  // the same SQL is in use (a statement inside another's loop)
}

Stmt::~Stmt() {
  if (!stmt_) return;
  if (in_use_) {  // kept for the next Prepare: done and unbound, so it holds no read lock
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
}

Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindBlob(int i, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}
Stmt& Stmt::BindOptional(int i, const std::optional<std::string>& text) {
  return text ? Bind(i, *text) : BindNull(i);
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, "database query failed");
}

Status Stmt::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

Status Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return Status::Ok();
}

int64_t Stmt::Int(int col) { return sqlite3_column_int64(stmt_, col); }
std::string Stmt::Text(int col) {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}
std::string Stmt::Blob(int col) {
  const void* p = sqlite3_column_blob(stmt_, col);
  return p ? std::string(static_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}
bool Stmt::IsNull(int col) { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Result<std::unique_ptr<Transaction>> Transaction::Begin(Db* db) {
  RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  return std::unique_ptr<Transaction>(new Transaction(db));
}

Transaction::~Transaction() {
  if (!done_) db_->Exec("ROLLBACK").ok();
}

Status Transaction::Commit() {
  RETURN_IF_ERROR(db_->Exec("COMMIT"));
  done_ = true;
  return Status::Ok();
}

}  // namespace attest::meta
