// The SQLite backend of meta::Store: opening and migrating the database, archive info, the
// log's leaf sequence and sealing a record's words (sqlite_store.h lists where the rest is).
#include "meta/sqlite_store.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "meta/schema.sql.h"

namespace attest::meta {

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, bool create) {
  ASSIGN_OR_RETURN(auto db, Db::Open(path, create));
  auto store = std::make_unique<SqliteStore>(std::move(db));
  RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

Status SqliteStore::Migrate() {
  ASSIGN_OR_RETURN(int64_t version, UserVersion());
  constexpr int64_t kKnown = sizeof(kMigrations) / sizeof(kMigrations[0]);
  static_assert(kKnown == kSchemaVersion, "kSchemaVersion is the number of migrations");
  if (version > kKnown) {
    return Status::Unimplemented("database " + db_->path() + " has schema version " +
                                 std::to_string(version) + ", newer than this attest (" +
                                 std::to_string(kKnown) + "); upgrade attest");
  }
  while (version < kKnown) {
    const bool keys_off = std::find(std::begin(kMigrationsWithoutForeignKeys),
                                    std::end(kMigrationsWithoutForeignKeys),
                                    version + 1) != std::end(kMigrationsWithoutForeignKeys);
    if (keys_off) RETURN_IF_ERROR(db_->Exec("PRAGMA foreign_keys=OFF"));
    Status st = MigrateOnce(version, keys_off);
    if (keys_off) RETURN_IF_ERROR(db_->Exec("PRAGMA foreign_keys=ON"));
    RETURN_IF_ERROR(st);
    ASSIGN_OR_RETURN(version, UserVersion());
  }
  return Status::Ok();
}

Status SqliteStore::MigrateOnce(int64_t version, bool check_keys) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  ASSIGN_OR_RETURN(int64_t now, UserVersion());  // another process may have migrated
  if (now == version) {
    RETURN_IF_ERROR(db_->Exec(kMigrations[version]));
    if (check_keys) {
      ASSIGN_OR_RETURN(Stmt s, db_->Prepare("PRAGMA foreign_key_check"));
      ASSIGN_OR_RETURN(bool broken, s.Step());
      if (broken) {
        return Status::Corruption("migration " + std::to_string(version + 1) + " of " +
                                  db_->path() + " would leave table " + s.Text(0) +
                                  " referring to a row that is not there");
      }
    }
    RETURN_IF_ERROR(db_->Exec("PRAGMA user_version=" + std::to_string(version + 1)));
  }
  return txn->Commit();
}

Result<int64_t> SqliteStore::UserVersion() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  (void)row;
  return s.Int(0);
}

Status SqliteStore::SetInfo(const std::string& key, const std::string& value) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR REPLACE INTO archive_info VALUES (?, ?)"));
  return s.Bind(1, key).Bind(2, value).Run();
}

Result<std::optional<std::string>> SqliteStore::GetInfo(const std::string& key) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT value FROM archive_info WHERE key = ?"));
  s.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.Text(0));
}

Status SqliteStore::ScrubDeleted() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("PRAGMA wal_checkpoint(TRUNCATE)"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (row && s.Int(0) != 0) {
    return Status::Unavailable(
        "the database's write-ahead log could not be emptied: a reader "
        "held it too long; run the withdrawal again");
  }
  return Status::Ok();
}

Result<uint64_t> SqliteStore::RecordCount() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT COUNT(*) FROM records"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  (void)row;
  return static_cast<uint64_t>(s.Int(0));
}

Result<uint64_t> SqliteStore::LeafCount() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_leaves"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  (void)row;
  return static_cast<uint64_t>(s.Int(0));
}

Result<std::vector<std::string>> SqliteStore::Leaves(uint64_t start, uint64_t limit) {
  ASSIGN_OR_RETURN(Stmt s,
                   db_->Prepare("SELECT idx, data FROM log_leaves WHERE idx >= ? ORDER BY idx "
                                "LIMIT ?"));
  s.Bind(1, static_cast<int64_t>(start)).Bind(2, static_cast<int64_t>(limit));
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    if (static_cast<uint64_t>(s.Int(0)) != start + out.size()) {
      return Status::Corruption("database " + db_->path() + ": log leaf " +
                                std::to_string(start + out.size()) + " is missing");
    }
    out.push_back(s.Blob(1));
  }
  return out;
}

Status SqliteStore::SequenceLeaf(uint64_t idx, const std::string& leaf) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO log_leaves(idx, data) VALUES (?, ?)"));
  return s.Bind(1, static_cast<int64_t>(idx)).BindBlob(2, leaf).Run();
}

Status SqliteStore::InsertIgnore(const char* sql, const std::string& a, const std::string& b) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(sql));
  return s.Bind(1, a).Bind(2, b).Run();
}

Status SqliteStore::CheckIntegrity() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("PRAGMA integrity_check"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  std::string result = row ? s.Text(0) : "no answer";
  if (result != "ok") {
    return Status::Corruption("database " + db_->path() + " failed its integrity check: " + result);
  }
  return Status::Ok();
}

Status SqliteStore::SealRecordText(const std::string& id) {
  if (!sealer_) return Status::Ok();
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  for (const char* table : {"segments", "versions"}) {
    const std::string column = std::string(table) == "segments" ? "text" : "private_json";
    const std::string key = std::string(table) == "segments" ? "id" : "version";
    ASSIGN_OR_RETURN(
        Stmt q, db_->Prepare("SELECT " + key + ", " + column + " FROM " + table +
                             " WHERE record_id = ? AND " + column + " IS NOT NULL AND substr(" +
                             column + ", 1, 9) <> '" + std::string(kSealedPrefix) + "'"));
    q.Bind(1, id);
    std::vector<std::pair<int64_t, std::string>> plain;
    while (true) {
      ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      plain.push_back({q.Int(0), q.Text(1)});
    }
    for (auto& [k, v] : plain) {
      ASSIGN_OR_RETURN(std::string sealed, sealer_->Seal(id, v));
      ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE " + std::string(table) + " SET " + column +
                                            " = ? WHERE record_id = ? AND " + key + " = ?"));
      RETURN_IF_ERROR(u.Bind(1, sealed).Bind(2, id).Bind(3, k).Run());
    }
  }
  // Its clips' titles and notes (migration 16), which may quote it.
  ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT id, title, note FROM clips WHERE record_id = ?"));
  q.Bind(1, id);
  std::vector<std::array<std::string, 3>> clips;
  while (true) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    clips.push_back({q.Text(0), q.Text(1), q.Text(2)});
  }
  for (auto& [clip, title, note] : clips) {
    for (std::string* v : {&title, &note}) {
      if (v->empty() || v->rfind(kSealedPrefix, 0) == 0) continue;
      ASSIGN_OR_RETURN(*v, sealer_->Seal(id, *v));
    }
    ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE clips SET title = ?, note = ? WHERE id = ?"));
    RETURN_IF_ERROR(u.Bind(1, title).Bind(2, note).Bind(3, clip).Run());
  }
  return txn->Commit();
}

}  // namespace attest::meta
