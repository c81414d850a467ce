// The SQLite backend of meta::Store: records, their versions and blobs.
#include <string>
#include <utility>
#include <vector>

#include "meta/backend.h"
#include "meta/sqlite_store.h"

namespace attest::meta {
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
                                  "created, salt, added_by) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    s.Bind(1, req.record_id).Bind(4, ConsentName(req.consent)).Bind(5, req.created);
    s.BindBlob(6, req.salt);
    req.collection_id.empty() ? s.BindNull(2) : s.Bind(2, req.collection_id);
    req.witness_id.empty() ? s.BindNull(3) : s.Bind(3, req.witness_id);
    req.added_by.empty() ? s.BindNull(7) : s.Bind(7, req.added_by);
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
  // The passages of earlier versions with a level of their own (few), read once: a version of
  // many lines costs one pass over them per line, not one over every earlier line.
  struct Narrowed {
    int64_t start_ms, end_ms, char_start, char_end;
    Consent consent;
  };
  std::vector<Narrowed> narrowed;
  {
    ASSIGN_OR_RETURN(Stmt o, db_->Prepare("SELECT start_ms, end_ms, char_start, char_end, consent "
                                          "FROM segments WHERE record_id = ? AND version < ? "
                                          "AND consent IS NOT NULL"));
    o.Bind(1, req.record_id).Bind(2, version);
    while (true) {
      ASSIGN_OR_RETURN(bool row, o.Step());
      if (!row) break;
      ASSIGN_OR_RETURN(Consent c, ParseConsent(o.Text(4)));
      narrowed.push_back({o.Int(0), o.Int(1), o.Int(2), o.Int(3), c});
    }
  }
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
    for (const Narrowed& n : narrowed) {
      const bool overlaps =
          g.start_ms >= 0 ? n.start_ms >= 0 && n.start_ms < g.end_ms && n.end_ms > g.start_ms
                          : n.start_ms < 0 && n.char_start >= 0 && n.char_start < g.char_end &&
                                n.char_end > g.char_start;
      if (overlaps) level = level ? Strictest(*level, n.consent) : n.consent;
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
  ASSIGN_OR_RETURN(
      Stmt s,
      db_->Prepare(
          "SELECT r.id, COALESCE(r.collection_id, ''), "
          "COALESCE(r.witness_id, ''), r.consent, r.created, r.salt, "
          "r.withdrawn_at, w.leaf_index, COALESCE(r.sealed_until, ''), "
          "COALESCE(r.added_by, ''), "
          // A withdrawal its witness asked for that no archivist has acted on since.
          "EXISTS (SELECT 1 FROM witness_requests q WHERE q.record_id = r.id AND "
          "q.kind = 'withdraw' AND q.created >= COALESCE((SELECT MAX(c.at) FROM "
          "consent_changes c WHERE c.record_id = r.id AND c.segment_id IS NULL AND "
          "COALESCE(c.changed_by, '') NOT LIKE 'token:w%' AND "
          "COALESCE(c.changed_by, '') != 'seal'), '')) FROM records r LEFT JOIN "
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
    r.sealed_until = s.Text(8);
    r.added_by = s.Text(9);
    r.withdrawal_asked = s.Int(10) != 0;
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

}  // namespace attest::meta
