// The SQLite backend of meta::Store (sqlite_store.h).
#include "meta/sqlite_store.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "meta/backend.h"
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
    ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
    ASSIGN_OR_RETURN(int64_t now, UserVersion());  // another process may have migrated
    if (now == version) {
      RETURN_IF_ERROR(db_->Exec(kMigrations[version]));
      RETURN_IF_ERROR(db_->Exec("PRAGMA user_version=" + std::to_string(version + 1)));
    }
    RETURN_IF_ERROR(txn->Commit());
    ASSIGN_OR_RETURN(version, UserVersion());
  }
  return Status::Ok();
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
  return txn->Commit();
}

namespace {

// The columns record_id, version, manifest, manifest_sha256, private_json, lang, created,
// leaf_index of `versions`, in that order from `col`.
constexpr char kVersionColumns[] =
    "v.record_id, v.version, v.manifest, v.manifest_sha256, COALESCE(v.private_json, ''), "
    "v.lang, v.created, v.leaf_index";

Version ReadVersion(Stmt& s, int col) {
  Version v;
  v.record_id = s.Text(col);
  v.version = static_cast<int>(s.Int(col + 1));
  v.manifest = s.Blob(col + 2);
  v.manifest_sha256 = s.Text(col + 3);
  v.private_json = s.Text(col + 4);
  v.lang = s.Text(col + 5);
  v.created = s.Text(col + 6);
  v.leaf_index = static_cast<uint64_t>(s.Int(col + 7));
  return v;
}

}  // namespace

Result<std::vector<Version>> SqliteStore::AddVersions(const std::vector<AddRequest>& requests) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  ASSIGN_OR_RETURN(uint64_t next_leaf, LeafCount());
  std::vector<Version> out;
  for (const AddRequest& req : requests) {
    ASSIGN_OR_RETURN(Version v, AddOne(req, &next_leaf));
    out.push_back(std::move(v));
  }
  RETURN_IF_ERROR(txn->Commit());
  return out;
}

Result<Version> SqliteStore::AddOne(const AddRequest& req, uint64_t* next_leaf) {
  int version = 1;
  std::string salt = req.salt;
  Consent record_consent = req.consent;
  if (req.create) {
    if (!req.collection_id.empty()) {
      RETURN_IF_ERROR(InsertIgnore("INSERT OR IGNORE INTO collections(id, created) VALUES (?, ?)",
                                   req.collection_id, req.created));
    }
    if (!req.witness_id.empty()) {
      RETURN_IF_ERROR(InsertIgnore("INSERT OR IGNORE INTO witnesses(id, created) VALUES (?, ?)",
                                   req.witness_id, req.created));
    }
    ASSIGN_OR_RETURN(Stmt s,
                     db_->Prepare("INSERT INTO records(id, collection_id, witness_id, consent, "
                                  "created, salt) VALUES (?, ?, ?, ?, ?, ?)"));
    s.Bind(1, req.record_id).Bind(4, ConsentName(req.consent)).Bind(5, req.created);
    s.BindBlob(6, req.salt);
    req.collection_id.empty() ? s.BindNull(2) : s.Bind(2, req.collection_id);
    req.witness_id.empty() ? s.BindNull(3) : s.Bind(3, req.witness_id);
    RETURN_IF_ERROR(s.Run());
  } else {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT r.withdrawn_at IS NOT NULL, r.salt, "
                                          "(SELECT COALESCE(MAX(version), 0) FROM versions v "
                                          " WHERE v.record_id = r.id), r.consent FROM records r "
                                          "WHERE r.id = ?"));
    s.Bind(1, req.record_id);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return NoRecord(req.record_id);
    if (s.Int(0) != 0) return WithdrawnGetsNoVersion(req.record_id);
    salt = s.Blob(1);
    version = static_cast<int>(s.Int(2)) + 1;
    ASSIGN_OR_RETURN(record_consent, ParseConsent(s.Text(3)));
    if (!req.derivation_key.empty()) {  // the same derivation again: its version
      ASSIGN_OR_RETURN(Stmt d, db_->Prepare(std::string("SELECT ") + kVersionColumns +
                                            " FROM versions v WHERE v.record_id = ? AND "
                                            "v.derivation_key = ?"));
      d.Bind(1, req.record_id).Bind(2, req.derivation_key);
      ASSIGN_OR_RETURN(bool found, d.Step());
      if (found) {
        Version v = ReadVersion(d, 0);
        ASSIGN_OR_RETURN(v.private_json,
                         OpenIfSealed(sealer_, v.record_id, std::move(v.private_json)));
        return v;
      }
    }
  }
  ASSIGN_OR_RETURN(NewVersion nv, req.build(version, salt, *next_leaf));
  RETURN_IF_ERROR(SequenceLeaf(*next_leaf, nv.leaf));
  {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO versions(record_id, version, manifest, "
                                          "manifest_sha256, private_json, lang, created, "
                                          "leaf_index, derived_from, derivation_key) "
                                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    s.Bind(1, req.record_id).Bind(2, version).BindBlob(3, nv.manifest);
    ASSIGN_OR_RETURN(std::string private_json,
                     SealIfKept(sealer_, req.record_id, record_consent, nv.private_json));
    s.Bind(4, nv.manifest_sha256).Bind(5, private_json).Bind(6, nv.lang);
    s.Bind(7, nv.created).Bind(8, static_cast<int64_t>(*next_leaf));
    req.derived_from > 0 ? s.Bind(9, req.derived_from) : s.BindNull(9);
    req.derivation_key.empty() ? s.BindNull(10) : s.Bind(10, req.derivation_key);
    RETURN_IF_ERROR(s.Run());
  }
  for (const BlobRef& b : nv.blobs) {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR IGNORE INTO version_blobs(record_id, version, "
                                          "role, sha256, size) VALUES (?, ?, ?, ?, ?)"));
    s.Bind(1, req.record_id).Bind(2, version).Bind(3, b.role).Bind(4, b.sha256);
    RETURN_IF_ERROR(s.Bind(5, static_cast<int64_t>(b.size)).Run());
  }
  RETURN_IF_ERROR(InsertSegments(req, version, record_consent, nv));
  RETURN_IF_ERROR(ScheduleJobs(req.record_id, version, nv.jobs, nv.created));
  if (!req.import_id.empty()) {
    ASSIGN_OR_RETURN(auto before, ImportedRecord(req.import_id));
    if (before) return ImportedBefore(req.import_id, *before);
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO imports(source_id, record_id, created) "
                                          "VALUES (?, ?, ?)"));
    RETURN_IF_ERROR(s.Bind(1, req.import_id).Bind(2, req.record_id).Bind(3, nv.created).Run());
  }
  Version out{req.record_id, version,    nv.manifest, nv.manifest_sha256, nv.private_json, nv.lang,
              nv.created,    *next_leaf, nv.blobs};
  ++*next_leaf;
  return out;
}

Status SqliteStore::InsertSegments(const AddRequest& req, int version, Consent record_consent,
                                   const NewVersion& nv) {
  for (const Segment& g : nv.segments) {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO segments(record_id, version, start_ms, "
                                          "end_ms, page, char_start, char_end, lang, speaker, "
                                          "consent, text) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    s.Bind(1, req.record_id).Bind(2, version).Bind(3, g.start_ms).Bind(4, g.end_ms);
    s.Bind(5, g.page).Bind(6, g.char_start).Bind(7, g.char_end).Bind(8, g.lang);
    ASSIGN_OR_RETURN(std::string text, SealIfKept(sealer_, req.record_id, record_consent, g.text));
    s.Bind(9, g.speaker).Bind(11, text);
    // A passage kept from the public (or from researchers) in an earlier version stays so in
    // this one: the segments it overlaps (in time, or in characters for text without times)
    // take its level.
    std::optional<Consent> level = g.consent;
    {
      ASSIGN_OR_RETURN(
          Stmt o, db_->Prepare("SELECT consent FROM segments WHERE record_id = ? AND version < ? "
                               "AND consent IS NOT NULL AND ((?3 >= 0 AND start_ms >= 0 AND "
                               "start_ms < ?4 AND end_ms > ?3) OR (?3 < 0 AND start_ms < 0 AND "
                               "char_start >= 0 AND char_start < ?6 AND char_end > ?5))"));
      o.Bind(1, req.record_id).Bind(2, version).Bind(3, g.start_ms).Bind(4, g.end_ms);
      o.Bind(5, g.char_start).Bind(6, g.char_end);
      while (true) {
        ASSIGN_OR_RETURN(bool row, o.Step());
        if (!row) break;
        ASSIGN_OR_RETURN(Consent earlier, ParseConsent(o.Text(0)));
        level = level ? Strictest(*level, earlier) : earlier;
      }
    }
    level ? s.Bind(10, ConsentName(*level)) : s.BindNull(10);
    RETURN_IF_ERROR(s.Run());
    int64_t segment_id = db_->LastInsertId();
    for (const Annotation& a : g.annotations) {
      ASSIGN_OR_RETURN(Stmt n, db_->Prepare("INSERT INTO annotations(segment_id, kind, value, "
                                            "source, created) VALUES (?, ?, ?, ?, ?)"));
      n.Bind(1, segment_id).Bind(2, a.kind).Bind(3, a.value).Bind(4, a.source);
      RETURN_IF_ERROR(n.Bind(5, nv.created).Run());
    }
  }
  return Status::Ok();
}

Result<Record> SqliteStore::GetRecord(const std::string& id) {
  ASSIGN_OR_RETURN(auto recs, LoadRecords("WHERE r.id = ?", id));
  if (recs.empty()) return NoRecord(id);
  return std::move(recs[0]);
}

Result<std::vector<Record>> SqliteStore::ListRecords() { return LoadRecords("", ""); }

Result<std::vector<Record>> SqliteStore::LoadRecords(const std::string& where,
                                                     const std::string& arg) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT r.id, COALESCE(r.collection_id, ''), "
                                        "COALESCE(r.witness_id, ''), r.consent, r.created, r.salt, "
                                        "r.withdrawn_at, w.leaf_index FROM records r LEFT JOIN "
                                        "withdrawals w ON w.record_id = r.id " +
                                        where + " ORDER BY r.seq"));
  if (!where.empty()) s.Bind(1, arg);
  std::vector<Record> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Record r;
    r.id = s.Text(0);
    r.collection_id = s.Text(1);
    r.witness_id = s.Text(2);
    ASSIGN_OR_RETURN(r.consent, ParseConsent(s.Text(3)));
    r.created = s.Text(4);
    r.salt = s.Blob(5);
    if (!s.IsNull(6)) r.withdrawn_at = s.Text(6);
    if (!s.IsNull(7)) r.withdraw_leaf_index = static_cast<uint64_t>(s.Int(7));
    out.push_back(std::move(r));
  }
  ASSIGN_OR_RETURN(Stmt v, db_->Prepare(std::string("SELECT ") + kVersionColumns +
                                        " FROM versions v WHERE v.record_id = ? "
                                        "ORDER BY v.version"));
  ASSIGN_OR_RETURN(Stmt b,
                   db_->Prepare("SELECT role, sha256, size FROM version_blobs WHERE record_id = ?"
                                " AND version = ? ORDER BY role, sha256"));
  for (Record& r : out) {
    RETURN_IF_ERROR(v.Reset());
    v.Bind(1, r.id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, v.Step());
      if (!row) break;
      Version ver = ReadVersion(v, 0);
      ASSIGN_OR_RETURN(ver.private_json,
                       OpenIfSealed(sealer_, ver.record_id, std::move(ver.private_json)));
      RETURN_IF_ERROR(b.Reset());
      b.Bind(1, r.id).Bind(2, ver.version);
      while (true) {
        ASSIGN_OR_RETURN(bool brow, b.Step());
        if (!brow) break;
        ver.blobs.push_back(BlobRef{b.Text(0), b.Text(1), static_cast<uint64_t>(b.Int(2))});
      }
      r.versions.push_back(std::move(ver));
    }
  }
  return out;
}

Result<bool> SqliteStore::BlobIsLive(const std::string& sha256) {
  ASSIGN_OR_RETURN(Stmt s,
                   db_->Prepare("SELECT 1 FROM version_blobs vb JOIN records r ON r.id = "
                                "vb.record_id WHERE vb.sha256 = ? AND r.withdrawn_at IS NULL"));
  s.Bind(1, sha256);
  return s.Step();
}

Result<std::vector<VersionState>> SqliteStore::ScanVersions(uint64_t from_leaf, uint64_t limit) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT ") + kVersionColumns +
                                        ", r.salt, r.withdrawn_at IS NOT NULL FROM versions v "
                                        "JOIN records r ON r.id = v.record_id WHERE "
                                        "v.leaf_index >= ? ORDER BY v.leaf_index LIMIT ?"));
  s.Bind(1, static_cast<int64_t>(from_leaf)).Bind(2, static_cast<int64_t>(limit));
  std::vector<VersionState> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    VersionState vs;
    vs.version = ReadVersion(s, 0);
    ASSIGN_OR_RETURN(vs.version.private_json, OpenIfSealed(sealer_, vs.version.record_id,
                                                           std::move(vs.version.private_json)));
    vs.salt = s.Blob(8);
    vs.withdrawn = s.Int(9) != 0;
    out.push_back(std::move(vs));
  }
  return out;
}

Result<std::vector<BlobUse>> SqliteStore::FindBlob(const std::string& sha256) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT vb.record_id, vb.version, vb.role FROM "
                                        "version_blobs vb JOIN records r ON r.id = vb.record_id "
                                        "WHERE vb.sha256 = ? AND r.withdrawn_at IS NULL "
                                        "ORDER BY r.seq, vb.version, vb.role"));
  s.Bind(1, sha256);
  return Rows<BlobUse>(s, [](Stmt& row) -> BlobUse {
    return {row.Text(0), static_cast<int>(row.Int(1)), row.Text(2)};
  });
}

Result<std::optional<std::string>> SqliteStore::ImportedRecord(const std::string& source_id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT record_id FROM imports WHERE source_id = ?"));
  s.Bind(1, source_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.Text(0));
}

Result<std::vector<SegmentState>> SqliteStore::ScanSegments(int64_t after_id, uint64_t limit) {
  return LoadSegments("g.id > ? ORDER BY g.id LIMIT ?", [&](Stmt& s) {
    s.Bind(1, after_id).Bind(2, static_cast<int64_t>(std::min<uint64_t>(limit, INT64_MAX)));
  });
}

Result<std::vector<SegmentState>> SqliteStore::RecordSegments(const std::string& record_id) {
  return LoadSegments("g.record_id = ? ORDER BY g.id", [&](Stmt& s) { s.Bind(1, record_id); });
}

Result<std::vector<SegmentState>> SqliteStore::LoadSegments(
    const std::string& where, const std::function<void(Stmt&)>& bind) {
  ASSIGN_OR_RETURN(Stmt s,
                   db_->Prepare("SELECT g.id, g.record_id, g.version, g.start_ms, g.end_ms, "
                                "g.page, g.char_start, g.char_end, COALESCE(g.lang, ''), "
                                "COALESCE(g.speaker, ''), g.consent, COALESCE(g.text, ''), "
                                "r.consent, COALESCE(r.witness_id, ''), "
                                "COALESCE(r.collection_id, ''), "
                                // A later original than the one this text was made from.
                                "EXISTS (SELECT 1 FROM versions v JOIN versions w ON "
                                "w.record_id = v.record_id WHERE v.record_id = g.record_id AND "
                                "v.version = g.version AND w.derived_from IS NULL AND "
                                "w.version > COALESCE(v.derived_from, v.version)) "
                                "FROM segments g JOIN records r "
                                "ON r.id = g.record_id WHERE " +
                                where));
  bind(s);
  std::vector<SegmentState> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    SegmentState st;
    Segment& g = st.segment;
    g.id = s.Int(0);
    g.record_id = s.Text(1);
    g.version = static_cast<int>(s.Int(2));
    g.start_ms = s.IsNull(3) ? -1 : s.Int(3);
    g.end_ms = s.IsNull(4) ? -1 : s.Int(4);
    g.page = s.IsNull(5) ? -1 : static_cast<int>(s.Int(5));
    g.char_start = s.IsNull(6) ? -1 : s.Int(6);
    g.char_end = s.IsNull(7) ? -1 : s.Int(7);
    g.lang = s.Text(8);
    g.speaker = s.Text(9);
    if (!s.IsNull(10)) {
      ASSIGN_OR_RETURN(Consent c, ParseConsent(s.Text(10)));
      g.consent = c;
    }
    ASSIGN_OR_RETURN(g.text, OpenIfSealed(sealer_, g.record_id, s.Text(11)));
    ASSIGN_OR_RETURN(Consent record_consent, ParseConsent(s.Text(12)));
    st.effective = EffectiveConsent(record_consent, g.consent);
    st.witness_id = s.Text(13);
    st.collection_id = s.Text(14);
    st.superseded = s.Int(15) != 0;
    out.push_back(std::move(st));
  }
  if (out.empty()) return out;
  // Their annotations, in one pass over the id range the batch spans.
  int64_t lo = out.front().segment.id, hi = lo;
  std::unordered_map<int64_t, size_t> at;
  for (size_t i = 0; i < out.size(); ++i) {
    lo = std::min(lo, out[i].segment.id);
    hi = std::max(hi, out[i].segment.id);
    at[out[i].segment.id] = i;
  }
  ASSIGN_OR_RETURN(Stmt a, db_->Prepare("SELECT segment_id, kind, value, source FROM annotations "
                                        "WHERE segment_id BETWEEN ? AND ? ORDER BY id"));
  a.Bind(1, lo).Bind(2, hi);
  while (true) {
    ASSIGN_OR_RETURN(bool row, a.Step());
    if (!row) break;
    auto it = at.find(a.Int(0));
    if (it == at.end()) continue;
    out[it->second].segment.annotations.push_back(Annotation{a.Text(1), a.Text(2), a.Text(3)});
  }
  return out;
}

Result<int64_t> SqliteStore::MaxSegmentId() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT COALESCE(MAX(id), 0) FROM segments"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  (void)row;
  return s.Int(0);
}

Status SqliteStore::AddName(const std::string& name, const std::string& kind,
                            const std::string& created) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO names(name, kind, created) VALUES (?, ?, ?)"
                                        " ON CONFLICT(name) DO UPDATE SET kind = excluded.kind"));
  return s.Bind(1, name).Bind(2, kind).Bind(3, created).Run();
}

Result<bool> SqliteStore::RemoveName(const std::string& name) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM names WHERE name = ?"));
  RETURN_IF_ERROR(s.Bind(1, name).Run());
  return db_->Changes() > 0;
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::ListNames() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT name, kind FROM names ORDER BY name"));
  std::vector<std::pair<std::string, std::string>> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.emplace_back(s.Text(0), s.Text(1));
  }
  return out;
}

Result<std::vector<std::string>> SqliteStore::AnnotationValues(const std::string& kind) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT DISTINCT value FROM annotations WHERE kind = ? "
                                        "ORDER BY value"));
  s.Bind(1, kind);
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(s.Text(0));
  }
  return out;
}

namespace {

constexpr char kJobColumns[] =
    "id, kind, COALESCE(record_id, ''), COALESCE(version, 0), state, attempts, "
    "COALESCE(error, ''), COALESCE(outcome, ''), COALESCE(lease_owner, ''), "
    "COALESCE(lease_until, ''), COALESCE(not_before, ''), bytes, COALESCE(batch, ''), "
    "created, updated";

Job ReadJob(Stmt& s) {
  Job j;
  j.id = s.Int(0);
  j.kind = s.Text(1);
  j.record_id = s.Text(2);
  j.version = static_cast<int>(s.Int(3));
  auto state = ParseJobState(s.Text(4));  // the CHECK constraint allows no other
  j.state = state.ok() ? *state : JobState::kFailed;
  j.attempts = static_cast<int>(s.Int(5));
  j.error = s.Text(6);
  j.outcome = s.Text(7);
  j.lease_owner = s.Text(8);
  j.lease_until = s.Text(9);
  j.not_before = s.Text(10);
  j.bytes = static_cast<uint64_t>(s.Int(11));
  j.batch = s.Text(12);
  j.created = s.Text(13);
  j.updated = s.Text(14);
  return j;
}

}  // namespace

Result<std::optional<Job>> SqliteStore::LeaseJob(const std::string& owner, const std::string& now,
                                                 const std::string& lease_until,
                                                 const std::vector<std::string>& kinds) {
  std::string listed;  // ",transcribe,translate," or empty for every kind
  for (const std::string& k : kinds) listed += "," + k;
  if (!listed.empty()) listed += ",";
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id FROM jobs WHERE ((state = 'queued' AND "
                                        "(not_before IS NULL OR not_before <= ?1)) OR "
                                        "(state = 'running' AND lease_until < ?1)) AND "
                                        "(?2 = '' OR instr(?2, ',' || kind || ',') > 0) "
                                        "ORDER BY id LIMIT 1"));
  s.Bind(1, now).Bind(2, listed);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Job>();
  int64_t id = s.Int(0);
  ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE jobs SET state = 'running', lease_owner = ?, "
                                        "lease_until = ?, attempts = attempts + 1, "
                                        "updated = ? WHERE id = ?"));
  RETURN_IF_ERROR(u.Bind(1, owner).Bind(2, lease_until).Bind(3, now).Bind(4, id).Run());
  ASSIGN_OR_RETURN(Job j, GetJob(id));
  RETURN_IF_ERROR(txn->Commit());
  return std::optional<Job>(std::move(j));
}

Result<int> SqliteStore::RenewLeases(const std::string& owner, const std::string& lease_until) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE jobs SET lease_until = ? WHERE state = "
                                        "'running' AND lease_owner = ?"));
  RETURN_IF_ERROR(s.Bind(1, lease_until).Bind(2, owner).Run());
  return db_->Changes();
}

Result<std::optional<Version>> SqliteStore::FinishJob(int64_t id, const std::string& owner,
                                                      const std::string& now,
                                                      const AddRequest* derived,
                                                      const std::vector<NewJob>& follow_ups,
                                                      const std::string& outcome) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  RETURN_IF_ERROR(CheckLease(id, owner));
  ASSIGN_OR_RETURN(Job job, GetJob(id));
  std::optional<Version> v;
  if (derived) {
    ASSIGN_OR_RETURN(uint64_t next_leaf, LeafCount());
    ASSIGN_OR_RETURN(Version added, AddOne(*derived, &next_leaf));
    v = std::move(added);
  }
  RETURN_IF_ERROR(ScheduleJobs(job.record_id, v ? v->version : job.version, follow_ups, now));
  ASSIGN_OR_RETURN(std::string out, DoneOutcome(outcome, v));
  ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE jobs SET state = 'done', outcome = ?, error = "
                                        "NULL, lease_owner = NULL, lease_until = NULL, "
                                        "updated = ? WHERE id = ?"));
  RETURN_IF_ERROR(u.Bind(1, out).Bind(2, now).Bind(3, id).Run());
  RETURN_IF_ERROR(txn->Commit());
  return v;
}

Result<JobState> SqliteStore::FailJob(int64_t id, const std::string& owner, const std::string& now,
                                      const std::string& error, bool retry) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  RETURN_IF_ERROR(CheckLease(id, owner));
  ASSIGN_OR_RETURN(Job job, GetJob(id));
  JobState next = StateAfterFailure(job.attempts, retry);
  std::string not_before;
  if (next == JobState::kQueued) not_before = RetryNotBefore(now, job.attempts);
  ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE jobs SET state = ?, error = ?, not_before = ?, "
                                        "lease_owner = NULL, lease_until = NULL, updated = ? "
                                        "WHERE id = ?"));
  u.Bind(1, JobStateName(next)).Bind(2, error).Bind(4, now).Bind(5, id);
  not_before.empty() ? u.BindNull(3) : u.Bind(3, not_before);
  RETURN_IF_ERROR(u.Run());
  RETURN_IF_ERROR(txn->Commit());
  return next;
}

Status SqliteStore::ReleaseJob(int64_t id, const std::string& owner, const std::string& now) {
  ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE jobs SET state = 'queued', lease_owner = NULL, "
                                        "lease_until = NULL, not_before = NULL, updated = ? "
                                        "WHERE id = ? AND state = 'running' AND "
                                        "lease_owner = ?"));
  return u.Bind(1, now).Bind(2, id).Bind(3, owner).Run();
}

Status SqliteStore::RequeueJob(const std::string& record_id, int version, const std::string& kind,
                               const std::string& now) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO jobs(kind, record_id, version, state, "
                                        "bytes, created, updated) VALUES (?, ?, ?, 'queued', "
                                        "0, ?, ?) ON CONFLICT(kind, record_id, version) DO "
                                        "UPDATE SET state = 'queued', attempts = 0, "
                                        "error = NULL, not_before = NULL, updated = ?"));
  return s.Bind(1, kind)
      .Bind(2, record_id)
      .Bind(3, static_cast<int64_t>(version))
      .Bind(4, now)
      .Bind(5, now)
      .Bind(6, now)
      .Run();
}

Result<Job> SqliteStore::GetJob(int64_t id) {
  ASSIGN_OR_RETURN(Stmt s,
                   db_->Prepare(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?"));
  s.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NoJob(id);
  return ReadJob(s);
}

Result<std::vector<Job>> SqliteStore::ListJobs(const JobFilter& f) {
  std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs WHERE 1";
  if (f.state) sql += " AND state = ?1";
  if (!f.batch.empty()) sql += " AND batch = ?2";
  if (!f.record_id.empty()) sql += " AND record_id = ?3";
  sql += " ORDER BY id";
  if (f.limit > 0) sql += " LIMIT " + std::to_string(f.limit);
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(sql));
  if (f.state) s.Bind(1, JobStateName(*f.state));
  if (!f.batch.empty()) s.Bind(2, f.batch);
  if (!f.record_id.empty()) s.Bind(3, f.record_id);
  std::vector<Job> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadJob(s));
  }
  return out;
}

Result<JobCounts> SqliteStore::CountJobs(const std::string& batch) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT state, COUNT(*), COALESCE(SUM(bytes), 0) FROM "
                                        "jobs WHERE ?1 = '' OR batch = ?1 GROUP BY state"));
  s.Bind(1, batch);
  JobCounts c;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    uint64_t n = static_cast<uint64_t>(s.Int(1)), bytes = static_cast<uint64_t>(s.Int(2));
    TallyJobs(&c, s.Text(0), n, bytes);
  }
  return c;
}

Status SqliteStore::RetryJob(int64_t id, const std::string& now) {
  ASSIGN_OR_RETURN(Job j, GetJob(id));
  RETURN_IF_ERROR(CheckRetryable(j));
  ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE jobs SET state = 'queued', attempts = 0, "
                                        "not_before = NULL, updated = ? WHERE id = ?"));
  return u.Bind(1, now).Bind(2, id).Run();
}

Result<int> SqliteStore::RetryFailedJobs(const std::string& now) {
  ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE jobs SET state = 'queued', attempts = 0, "
                                        "not_before = NULL, updated = ? WHERE state = "
                                        "'failed'"));
  RETURN_IF_ERROR(u.Bind(1, now).Run());
  return db_->Changes();
}

Status SqliteStore::CancelJob(int64_t id, const std::string& now) {
  ASSIGN_OR_RETURN(Job j, GetJob(id));
  RETURN_IF_ERROR(CheckCancellable(j));
  ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE jobs SET state = 'cancelled', lease_owner = "
                                        "NULL, lease_until = NULL, updated = ? WHERE id = ? "
                                        "AND state <> 'done'"));
  return u.Bind(1, now).Bind(2, id).Run();
}

Result<int> SqliteStore::WakeJobs(const std::string& kind, const std::string& now) {
  ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE jobs SET state = 'queued', updated = ? WHERE "
                                        "state = 'waiting' AND kind = ?"));
  RETURN_IF_ERROR(u.Bind(1, now).Bind(2, kind).Run());
  return db_->Changes();
}

Status SqliteStore::ParkJob(int64_t id, const std::string& owner, const std::string& now,
                            const std::string& reason) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  RETURN_IF_ERROR(CheckLease(id, owner));
  ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE jobs SET state = 'waiting', error = ?, "
                                        "attempts = MAX(attempts - 1, 0), lease_owner = NULL, "
                                        "lease_until = NULL, not_before = NULL, updated = ? "
                                        "WHERE id = ?"));
  RETURN_IF_ERROR(u.Bind(1, reason).Bind(2, now).Bind(3, id).Run());
  return txn->Commit();
}

Status SqliteStore::ScheduleJobs(const std::string& record_id, int version,
                                 const std::vector<NewJob>& jobs, const std::string& now) {
  for (const NewJob& j : jobs) {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR IGNORE INTO jobs(kind, record_id, version, "
                                          "state, bytes, batch, created, updated, error) "
                                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    s.Bind(1, j.kind).Bind(2, record_id).Bind(3, j.version > 0 ? j.version : version);
    s.Bind(4, j.waiting ? "waiting" : "queued").Bind(5, static_cast<int64_t>(j.bytes));
    j.batch.empty() ? s.BindNull(6) : s.Bind(6, j.batch);
    j.reason.empty() ? s.BindNull(9) : s.Bind(9, j.reason);
    RETURN_IF_ERROR(s.Bind(7, now).Bind(8, now).Run());
  }
  return Status::Ok();
}

Status SqliteStore::CheckLease(int64_t id, const std::string& owner) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT state, COALESCE(lease_owner, '') FROM jobs "
                                        "WHERE id = ?"));
  s.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  return CheckLeaseHolder(id, owner, row, row ? s.Text(0) : "", row ? s.Text(1) : "");
}

Status SqliteStore::AddModel(const ModelFile& m) {
  ASSIGN_OR_RETURN(Stmt s,
                   db_->Prepare("INSERT INTO models(sha256, kind, name, path, size, info, added) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET "
                                "name = excluded.name, path = excluded.path"));
  return s.Bind(1, m.sha256)
      .Bind(2, m.kind)
      .Bind(3, m.name)
      .Bind(4, m.path)
      .Bind(5, static_cast<int64_t>(m.size))
      .Bind(6, m.info)
      .Bind(7, m.added)
      .Run();
}

Result<std::vector<ModelFile>> SqliteStore::ListModels(const std::string& kind) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT sha256, kind, name, path, size, info, added "
                                        "FROM models WHERE ? = '' OR kind = ? "
                                        "ORDER BY added DESC, rowid DESC"));
  s.Bind(1, kind).Bind(2, kind);
  return Rows<ModelFile>(s, [](Stmt& row) -> ModelFile {
    return {row.Text(0), row.Text(1), row.Text(2), row.Text(3), static_cast<uint64_t>(row.Int(4)),
            row.Text(5), row.Text(6)};
  });
}

Result<bool> SqliteStore::RemoveModel(const std::string& sha256) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM models WHERE sha256 = ?"));
  RETURN_IF_ERROR(s.Bind(1, sha256).Run());
  return db_->Changes() > 0;
}

Result<Withdrawal> SqliteStore::Withdraw(const std::string& record_id, const std::string& reason,
                                         const std::string& at,
                                         const std::function<Result<std::string>(int)>& leaf_for) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  Withdrawal w;
  {
    ASSIGN_OR_RETURN(Stmt s,
                     db_->Prepare("SELECT r.withdrawn_at IS NOT NULL, "
                                  "(SELECT MAX(version) FROM versions v WHERE v.record_id = r.id),"
                                  " (SELECT leaf_index FROM withdrawals w WHERE w.record_id = r.id)"
                                  " FROM records r WHERE r.id = ?"));
    s.Bind(1, record_id);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return NoRecord(record_id);
    w.already_withdrawn = s.Int(0) != 0;
    w.version = static_cast<int>(s.Int(1));
    w.leaf_index = static_cast<uint64_t>(s.Int(2));
  }
  if (!w.already_withdrawn) {
    ASSIGN_OR_RETURN(w.leaf_index, LeafCount());
    ASSIGN_OR_RETURN(std::string leaf, leaf_for(w.version));
    RETURN_IF_ERROR(SequenceLeaf(w.leaf_index, leaf));
    ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE records SET withdrawn_at = ?, salt = NULL, "
                                          "consent = 'withdrawn' WHERE id = ?"));
    RETURN_IF_ERROR(u.Bind(1, at).Bind(2, record_id).Run());
    ASSIGN_OR_RETURN(Stmt p,
                     db_->Prepare("UPDATE versions SET private_json = NULL WHERE record_id = ?"));
    RETURN_IF_ERROR(p.Bind(1, record_id).Run());
    ASSIGN_OR_RETURN(Stmt g, db_->Prepare("UPDATE segments SET text = NULL WHERE record_id = ?"));
    RETURN_IF_ERROR(g.Bind(1, record_id).Run());
    ASSIGN_OR_RETURN(Stmt a, db_->Prepare("DELETE FROM annotations WHERE segment_id IN "
                                          "(SELECT id FROM segments WHERE record_id = ?)"));
    RETURN_IF_ERROR(a.Bind(1, record_id).Run());
    // A redaction's reason may name what it hides.
    ASSIGN_OR_RETURN(Stmt rd, db_->Prepare("DELETE FROM redactions WHERE record_id = ?"));
    RETURN_IF_ERROR(rd.Bind(1, record_id).Run());
    ASSIGN_OR_RETURN(Stmt i,
                     db_->Prepare("INSERT INTO withdrawals(record_id, reason, at, leaf_index) "
                                  "VALUES (?, ?, ?, ?)"));
    RETURN_IF_ERROR(i.Bind(1, record_id)
                        .Bind(2, reason)
                        .Bind(3, at)
                        .Bind(4, static_cast<int64_t>(w.leaf_index))
                        .Run());
  }
  // Blobs of this record that no live record still refers to.
  ASSIGN_OR_RETURN(
      Stmt b, db_->Prepare("SELECT DISTINCT vb.sha256 FROM version_blobs vb "
                           "WHERE vb.record_id = ? AND NOT EXISTS ("
                           " SELECT 1 FROM version_blobs o JOIN records r ON r.id = o.record_id"
                           " WHERE o.sha256 = vb.sha256 AND r.withdrawn_at IS NULL) "
                           "AND NOT EXISTS (SELECT 1 FROM witness_forms f "
                           " WHERE f.sha256 = vb.sha256)"));
  b.Bind(1, record_id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, b.Step());
    if (!row) break;
    w.blobs_to_erase.push_back(b.Text(0));
  }
  RETURN_IF_ERROR(txn->Commit());
  return w;
}

Result<std::vector<std::pair<std::string, uint64_t>>> SqliteStore::ListWithdrawals() {
  ASSIGN_OR_RETURN(
      Stmt s, db_->Prepare("SELECT record_id, leaf_index FROM withdrawals ORDER BY leaf_index"));
  std::vector<std::pair<std::string, uint64_t>> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.emplace_back(s.Text(0), static_cast<uint64_t>(s.Int(1)));
  }
  return out;
}

Result<std::optional<ConsentChange>> SqliteStore::ChangeConsent(
    ConsentChange c, const std::string& at,
    const std::function<Result<std::string>(int, const std::string&)>& leaf_for) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  const std::string record_id = c.record_id;
  const Consent to = c.to;
  c.at = at;
  int version = 0;
  std::string manifest_sha256;
  std::string until_now;
  {
    ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT r.consent, r.withdrawn_at IS NOT NULL, "
                                          "v.version, v.manifest_sha256, "
                                          "COALESCE(r.sealed_until, '') FROM records r "
                                          "JOIN versions v ON v.record_id = r.id WHERE r.id = ? "
                                          "ORDER BY v.version DESC LIMIT 1"));
    s.Bind(1, record_id);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return NoRecord(record_id);
    if (s.Int(1) != 0) return WithdrawnKeepsItsConsent(record_id);
    ASSIGN_OR_RETURN(c.from, ParseConsent(s.Text(0)));
    version = static_cast<int>(s.Int(2));
    manifest_sha256 = s.Text(3);
    until_now = s.Text(4);
  }
  if (c.segment_id > 0) {
    RETURN_IF_ERROR(CheckSegmentLevel(to));
    ASSIGN_OR_RETURN(Stmt g, db_->Prepare("SELECT consent FROM segments WHERE id = ? AND "
                                          "record_id = ?"));
    g.Bind(1, c.segment_id).Bind(2, record_id);
    ASSIGN_OR_RETURN(bool found, g.Step());
    if (!found) return NoSegment(record_id, c.segment_id);
    // A segment without a level of its own has its record's.
    if (!g.IsNull(0)) {
      ASSIGN_OR_RETURN(c.from, ParseConsent(g.Text(0)));
    }
  }
  if (ConsentUnchanged(c, until_now)) return std::optional<ConsentChange>();
  ASSIGN_OR_RETURN(c.leaf_index, LeafCount());
  ASSIGN_OR_RETURN(std::string leaf, leaf_for(version, manifest_sha256));
  RETURN_IF_ERROR(SequenceLeaf(c.leaf_index, leaf));
  bool seal = to == Consent::kSealed;
  if (c.segment_id > 0) {
    ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE segments SET consent = ? WHERE id = ?"));
    RETURN_IF_ERROR(u.Bind(1, std::string(ConsentName(to))).Bind(2, c.segment_id).Run());
  } else {
    ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE records SET consent = ?, sealed_until = ?, "
                                          "sealed_then = ? WHERE id = ?"));
    u.Bind(1, std::string(ConsentName(to)));
    if (seal) {
      u.Bind(2, c.until).Bind(3, std::string(ConsentName(c.then)));
    } else {
      u.BindNull(2).BindNull(3);
    }
    RETURN_IF_ERROR(u.Bind(4, record_id).Run());
  }
  ASSIGN_OR_RETURN(Stmt i, db_->Prepare("INSERT INTO consent_changes(record_id, from_level, "
                                        "to_level, reason, at, leaf_index, changed_by, "
                                        "segment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  i.Bind(1, record_id)
      .Bind(2, std::string(ConsentName(c.from)))
      .Bind(3, std::string(ConsentName(to)))
      .Bind(4, c.reason)
      .Bind(5, at)
      .Bind(6, static_cast<int64_t>(c.leaf_index))
      .Bind(7, c.by);
  if (c.segment_id > 0) {
    i.Bind(8, c.segment_id);
  } else {
    i.BindNull(8);
  }
  RETURN_IF_ERROR(i.Run());
  ASSIGN_OR_RETURN(AuditEntry entry, ConsentAuditEntry(c));
  RETURN_IF_ERROR(AppendAudit(std::move(entry)).status());
  RETURN_IF_ERROR(txn->Commit());
  return std::optional<ConsentChange>(std::move(c));
}

Result<std::vector<ConsentChange>> SqliteStore::DueSeals(const std::string& today) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, sealed_until, COALESCE(sealed_then, "
                                        "'restricted') FROM records WHERE consent = 'sealed' "
                                        "AND sealed_until IS NOT NULL AND sealed_until <= ? "
                                        "AND withdrawn_at IS NULL ORDER BY sealed_until, id"));
  s.Bind(1, today);
  std::vector<ConsentChange> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ConsentChange c;
    c.record_id = s.Text(0);
    c.from = Consent::kSealed;
    c.until = s.Text(1);
    ASSIGN_OR_RETURN(c.then, ParseConsent(s.Text(2)));
    c.to = c.then;
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<ConsentChange>> SqliteStore::ConsentChanges(const std::string& record_id,
                                                               int64_t after_leaf) {
  ASSIGN_OR_RETURN(Stmt s,
                   db_->Prepare("SELECT record_id, from_level, to_level, COALESCE(reason, ''), "
                                "COALESCE(changed_by, ''), at, leaf_index, "
                                "COALESCE(segment_id, 0) FROM consent_changes "
                                "WHERE leaf_index > ? AND "
                                "(? = '' OR record_id = ?) ORDER BY leaf_index"));
  s.Bind(1, after_leaf).Bind(2, record_id).Bind(3, record_id);
  std::vector<ConsentChange> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ConsentChange c;
    c.record_id = s.Text(0);
    ASSIGN_OR_RETURN(c.from, ParseConsent(s.Text(1)));
    ASSIGN_OR_RETURN(c.to, ParseConsent(s.Text(2)));
    c.reason = s.Text(3);
    c.by = s.Text(4);
    c.at = s.Text(5);
    c.leaf_index = static_cast<uint64_t>(s.Int(6));
    c.segment_id = s.Int(7);
    out.push_back(std::move(c));
  }
  return out;
}

Result<int64_t> SqliteStore::AddRedaction(const Redaction& r) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO redactions(record_id, segment_id, "
                                        "char_from, char_to, doc_from, doc_to, start_ms, "
                                        "end_ms, reason, by, at, confirms, "
                                        "confirms_version) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, r.record_id).Bind(2, r.segment_id);
  int i = 3;
  for (int64_t v : {r.char_from, r.char_to, r.doc_from, r.doc_to, r.start_ms, r.end_ms}) {
    v < 0 ? s.BindNull(i) : s.Bind(i, v);
    ++i;
  }
  s.Bind(9, r.reason).Bind(10, r.by).Bind(11, r.at);
  r.confirms > 0 ? s.Bind(12, r.confirms) : s.BindNull(12);
  r.confirms > 0 ? s.Bind(13, static_cast<int64_t>(r.confirms_version)) : s.BindNull(13);
  RETURN_IF_ERROR(s.Run());
  return db_->LastInsertId();
}

Result<std::vector<Redaction>> SqliteStore::ListRedactions(const std::string& record_id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, record_id, segment_id, COALESCE(char_from, "
                                        "-1), COALESCE(char_to, -1), COALESCE(doc_from, -1), "
                                        "COALESCE(doc_to, -1), COALESCE(start_ms, -1), "
                                        "COALESCE(end_ms, -1), reason, by, at, "
                                        "COALESCE(confirms, 0), COALESCE(confirms_version, 0) "
                                        "FROM redactions "
                                        "WHERE ? = '' OR record_id = ? ORDER BY id"));
  s.Bind(1, record_id).Bind(2, record_id);
  return Rows<Redaction>(s, [](Stmt& row) -> Redaction {
    return {row.Int(0),   row.Text(1),
            row.Int(2),   row.Int(3),
            row.Int(4),   row.Int(5),
            row.Int(6),   row.Int(7),
            row.Int(8),   row.Text(9),
            row.Text(10), row.Text(11),
            row.Int(12),  static_cast<int>(row.Int(13))};
  });
}

Status SqliteStore::SetWitness(const Witness& w, const std::string& now) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  RETURN_IF_ERROR(
      InsertIgnore("INSERT OR IGNORE INTO witnesses(id, created) VALUES (?, ?)", w.id, now));
  ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE witnesses SET name = COALESCE(NULLIF(?, ''), "
                                        "name), community = COALESCE(NULLIF(?, ''), community), "
                                        "languages = COALESCE(NULLIF(?, ''), languages) "
                                        "WHERE id = ?"));
  RETURN_IF_ERROR(u.Bind(1, w.name).Bind(2, w.community).Bind(3, w.languages).Bind(4, w.id).Run());
  return txn->Commit();
}

Result<std::map<std::string, Witness>> SqliteStore::GetWitnesses(
    const std::vector<std::string>& ids) {
  std::map<std::string, Witness> out;
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, COALESCE(name, ''), COALESCE(community, ''), "
                                        "COALESCE(languages, '') FROM witnesses WHERE id = ?"));
  for (const auto& id : ids) {
    if (out.count(id)) continue;
    RETURN_IF_ERROR(s.Reset());
    s.Bind(1, id);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) continue;
    out[id] = Witness{s.Text(0), s.Text(1), s.Text(2), s.Text(3)};
  }
  return out;
}

Result<int64_t> SqliteStore::AddWitnessForm(const WitnessForm& f) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO witness_forms(witness_id, sha256, size, "
                                        "mime, file_name, added, added_by) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?)"));
  RETURN_IF_ERROR(s.Bind(1, f.witness_id)
                      .Bind(2, f.sha256)
                      .Bind(3, static_cast<int64_t>(f.size))
                      .Bind(4, f.mime)
                      .Bind(5, f.file_name)
                      .Bind(6, f.added)
                      .Bind(7, f.added_by)
                      .Run());
  return db_->LastInsertId();
}

Result<std::vector<WitnessForm>> SqliteStore::ListWitnessForms(const std::string& witness_id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, witness_id, sha256, size, mime, file_name, "
                                        "added, added_by FROM witness_forms "
                                        "WHERE witness_id = ? ORDER BY id"));
  s.Bind(1, witness_id);
  return Rows<WitnessForm>(s, [](Stmt& row) -> WitnessForm {
    return {row.Int(0),  row.Text(1), row.Text(2), static_cast<uint64_t>(row.Int(3)),
            row.Text(4), row.Text(5), row.Text(6), row.Text(7)};
  });
}

Status SqliteStore::AddWitnessLink(const WitnessLink& l) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO witness_links(id, sha256, witness_id, "
                                        "created) VALUES (?, ?, ?, ?)"));
  return s.Bind(1, l.id).Bind(2, l.sha256).Bind(3, l.witness_id).Bind(4, l.created).Run();
}

Result<std::optional<WitnessLink>> SqliteStore::FindWitnessLink(const std::string& sha256) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, sha256, witness_id, created, "
                                        "COALESCE(revoked, '') FROM witness_links "
                                        "WHERE sha256 = ?"));
  s.Bind(1, sha256);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<WitnessLink>();
  return std::optional<WitnessLink>(
      WitnessLink{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
}

Result<bool> SqliteStore::RevokeWitnessLink(const std::string& id, const std::string& now) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE witness_links SET revoked = ? WHERE id = ? "
                                        "AND revoked IS NULL"));
  RETURN_IF_ERROR(s.Bind(1, now).Bind(2, id).Run());
  return db_->Changes() > 0;
}

Result<int64_t> SqliteStore::AddWitnessRequest(const WitnessRequest& r) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO witness_requests(witness_id, record_id, "
                                        "kind, level, message, link_id, created) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, r.witness_id).Bind(2, r.record_id).Bind(3, r.kind);
  r.level.empty() ? s.BindNull(4) : s.Bind(4, r.level);
  RETURN_IF_ERROR(s.Bind(5, r.message).Bind(6, r.link_id).Bind(7, r.created).Run());
  return db_->LastInsertId();
}

Result<std::vector<WitnessRequest>> SqliteStore::ListWitnessRequests() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, witness_id, record_id, kind, "
                                        "COALESCE(level, ''), message, link_id, created "
                                        "FROM witness_requests ORDER BY id"));
  return Rows<WitnessRequest>(s, [](Stmt& row) -> WitnessRequest {
    return {row.Int(0),  row.Text(1), row.Text(2), row.Text(3),
            row.Text(4), row.Text(5), row.Text(6), row.Text(7)};
  });
}

Status SqliteStore::AddToken(const Token& t) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO tokens(id, sha256, role, label, created, "
                                        "expires, revoked) VALUES (?, ?, ?, ?, ?, ?, NULL)"));
  s.Bind(1, t.id).Bind(2, t.sha256).Bind(3, t.role).Bind(4, t.label).Bind(5, t.created);
  if (t.expires.empty()) {
    s.BindNull(6);
  } else {
    s.Bind(6, t.expires);
  }
  return s.Run();
}

Result<std::optional<Token>> SqliteStore::FindToken(const std::string& sha256) {
  ASSIGN_OR_RETURN(auto all, SelectTokens("WHERE sha256 = ?", sha256));
  if (all.empty()) return std::optional<Token>();
  return std::optional<Token>(std::move(all[0]));
}

Result<std::vector<Token>> SqliteStore::ListTokens() { return SelectTokens("", ""); }

Result<bool> SqliteStore::RevokeToken(const std::string& id, const std::string& now) {
  ASSIGN_OR_RETURN(Stmt s,
                   db_->Prepare("UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL"));
  RETURN_IF_ERROR(s.Bind(1, now).Bind(2, id).Run());
  return db_->Changes() > 0;
}

Result<std::vector<Token>> SqliteStore::SelectTokens(const char* where, const std::string& arg) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT id, sha256, role, label, created, "
                                                    "COALESCE(expires, ''), COALESCE(revoked, "
                                                    "'') FROM tokens ") +
                                        where + " ORDER BY created, id"));
  if (*where) s.Bind(1, arg);
  return Rows<Token>(s, [](Stmt& row) -> Token {
    return {row.Text(0), row.Text(1), row.Text(2), row.Text(3),
            row.Text(4), row.Text(5), row.Text(6)};
  });
}

Status SqliteStore::AddUser(const User& u) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO users(id, name, role, password, created) "
                                        "VALUES (?, ?, ?, ?, ?)"));
  return s.Bind(1, u.id)
      .Bind(2, u.name)
      .Bind(3, u.role)
      .Bind(4, u.password)
      .Bind(5, u.created)
      .Run();
}

Result<std::optional<User>> SqliteStore::FindUser(const std::string& name) {
  ASSIGN_OR_RETURN(auto all, SelectUsers("WHERE name = ?", name));
  if (all.empty()) return std::optional<User>();
  return std::optional<User>(std::move(all[0]));
}

Result<std::vector<User>> SqliteStore::ListUsers() { return SelectUsers("", ""); }

Result<std::vector<User>> SqliteStore::SelectUsers(const char* where, const std::string& arg) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT id, name, role, password, created, "
                                                    "COALESCE(disabled, '') FROM users ") +
                                        where + " ORDER BY name"));
  if (*where) s.Bind(1, arg);
  return Rows<User>(s, [](Stmt& row) -> User {
    return {row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4), row.Text(5)};
  });
}

Result<bool> SqliteStore::SetUserRole(const std::string& name, const std::string& role) {
  return UpdateUser("role = ?", role, name);
}

Result<bool> SqliteStore::SetUserPassword(const std::string& name, const std::string& password) {
  return UpdateUser("password = ?", password, name);
}

Result<bool> SqliteStore::SetUserDisabled(const std::string& name, const std::string& disabled) {
  return UpdateUser("disabled = NULLIF(?, '')", disabled, name);
}

Result<bool> SqliteStore::UpdateUser(const char* set, const std::string& value,
                                     const std::string& name) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  {
    ASSIGN_OR_RETURN(Stmt s,
                     db_->Prepare(std::string("UPDATE users SET ") + set + " WHERE name = ?"));
    RETURN_IF_ERROR(s.Bind(1, value).Bind(2, name).Run());
  }
  if (db_->Changes() == 0) return false;
  ASSIGN_OR_RETURN(Stmt d, db_->Prepare("DELETE FROM sessions WHERE user_id = "
                                        "(SELECT id FROM users WHERE name = ?)"));
  RETURN_IF_ERROR(d.Bind(1, name).Run());
  RETURN_IF_ERROR(txn->Commit());
  return true;
}

Status SqliteStore::AddSession(const Session& x) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  {
    ASSIGN_OR_RETURN(Stmt d, db_->Prepare("DELETE FROM sessions WHERE expires <= ?"));
    RETURN_IF_ERROR(d.Bind(1, x.created).Run());
  }
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO sessions(sha256, user_id, csrf, created, "
                                        "expires) VALUES (?, ?, ?, ?, ?)"));
  RETURN_IF_ERROR(s.Bind(1, x.sha256)
                      .Bind(2, x.user_id)
                      .Bind(3, x.csrf)
                      .Bind(4, x.created)
                      .Bind(5, x.expires)
                      .Run());
  return txn->Commit();
}

Result<std::optional<std::pair<Session, User>>> SqliteStore::FindSession(
    const std::string& sha256) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT s.sha256, s.user_id, s.csrf, s.created, "
                                        "s.expires, u.id, u.name, u.role, u.password, "
                                        "u.created, COALESCE(u.disabled, '') FROM sessions s "
                                        "JOIN users u ON u.id = s.user_id WHERE s.sha256 = ?"));
  s.Bind(1, sha256);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::pair<Session, User>>();
  return std::optional<std::pair<Session, User>>(
      {Session{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)},
       User{s.Text(5), s.Text(6), s.Text(7), s.Text(8), s.Text(9), s.Text(10)}});
}

Status SqliteStore::DeleteSession(const std::string& sha256) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM sessions WHERE sha256 = ?"));
  return s.Bind(1, sha256).Run();
}

Result<AuditEntry> SqliteStore::Audit(AuditEntry e) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  ASSIGN_OR_RETURN(e, AppendAudit(std::move(e)));
  RETURN_IF_ERROR(txn->Commit());
  return e;
}

Result<AuditEntry> SqliteStore::AppendAudit(AuditEntry e) {
  ASSIGN_OR_RETURN(Stmt last, db_->Prepare("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1"));
  ASSIGN_OR_RETURN(bool row, last.Step());
  AuditEntry newest;
  if (row) {
    newest.id = last.Int(0);
    newest.hash = last.Text(1);
  }
  ChainAudit(&e, row ? &newest : nullptr);
  ASSIGN_OR_RETURN(Stmt i,
                   db_->Prepare("INSERT INTO audit(id, at, actor, action, target, "
                                "detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  i.Bind(1, e.id).Bind(2, e.at).Bind(3, e.actor).Bind(4, e.action);
  if (e.target.empty()) {
    i.BindNull(5);
  } else {
    i.Bind(5, e.target);
  }
  if (e.detail.empty()) {
    i.BindNull(6);
  } else {
    i.Bind(6, e.detail);
  }
  RETURN_IF_ERROR(i.Bind(7, e.prev_hash).Bind(8, e.hash).Run());
  return e;
}

Result<std::vector<AuditEntry>> SqliteStore::ListAudit(const std::string& since,
                                                       const std::string& actor) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, at, actor, action, COALESCE(target, ''), "
                                        "COALESCE(detail, ''), prev_hash, hash FROM audit "
                                        "WHERE at >= ? AND (? = '' OR actor = ?) ORDER BY id"));
  s.Bind(1, since).Bind(2, actor).Bind(3, actor);
  return ReadAudit(s);
}

Result<std::vector<AuditEntry>> SqliteStore::ViewsOf(const std::string& record_id) {
  ASSIGN_OR_RETURN(Stmt s,
                   db_->Prepare("SELECT id, at, actor, action, COALESCE(target, ''), "
                                "COALESCE(detail, ''), prev_hash, hash FROM audit WHERE "
                                "action = 'view' AND (target = ?1 OR (target IS NULL AND EXISTS "
                                "(SELECT 1 FROM json_each(audit.detail, '$.records') "
                                "WHERE value = ?1))) ORDER BY id"));
  s.Bind(1, record_id);
  return ReadAudit(s);
}

Result<std::vector<AuditEntry>> SqliteStore::ReadAudit(Stmt& s) {
  return Rows<AuditEntry>(s, [](Stmt& row) -> AuditEntry {
    return {row.Int(0),  row.Text(1), row.Text(2), row.Text(3),
            row.Text(4), row.Text(5), row.Text(6), row.Text(7)};
  });
}

}  // namespace attest::meta
