// The SQLite backend of meta::Store: the audit log (doc/format/metadata.md, "The audit log"),
// chained by ChainAudit (backend.h).
#include <string>
#include <utility>
#include <vector>

#include "meta/backend.h"
#include "meta/sqlite_store.h"

namespace attest::meta {

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
  if (e.action == "view") RETURN_IF_ERROR(IndexView(e));
  return e;
}

// A view entry in audit_views (migration 13), under each record it names: its target, or for
// an answer listing records, each of its detail's "records".
Status SqliteStore::IndexView(const AuditEntry& e) {
  std::vector<std::string> records;
  if (!e.target.empty()) {
    records.push_back(e.target);
  } else {
    Json d = Json::parse(e.detail, nullptr, false);
    if (d.is_object() && d.contains("records") && d["records"].is_array()) {
      for (const Json& r : d["records"]) {
        if (r.is_string()) records.push_back(r.get<std::string>());
      }
    }
  }
  for (const auto& record : records) {
    ASSIGN_OR_RETURN(Stmt v, db_->Prepare("INSERT OR IGNORE INTO audit_views(record_id, entry) "
                                          "VALUES (?, ?)"));
    RETURN_IF_ERROR(v.Bind(1, record).Bind(2, e.id).Run());
  }
  return Status::Ok();
}

Result<std::vector<AuditEntry>> SqliteStore::ListAudit(const std::string& since,
                                                       const std::string& actor) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT id, at, actor, action, COALESCE(target, ''), "
                                        "COALESCE(detail, ''), prev_hash, hash FROM audit "
                                        "WHERE at >= ? AND (? = '' OR actor = ?) ORDER BY id"));
  s.Bind(1, since).Bind(2, actor).Bind(3, actor);
  return ReadAudit(s);
}

Result<RecordViews> SqliteStore::ViewsOf(const std::string& record_id, uint64_t limit) {
  RecordViews out;
  ASSIGN_OR_RETURN(Stmt s,
                   db_->Prepare("SELECT a.id, a.at, a.actor, a.action, COALESCE(a.target, ''), "
                                "COALESCE(a.detail, ''), a.prev_hash, a.hash FROM audit_views v "
                                "JOIN audit a ON a.id = v.entry WHERE v.record_id = ? "
                                "ORDER BY v.entry DESC LIMIT ?"));
  s.Bind(1, record_id).Bind(2, static_cast<int64_t>(limit));
  ASSIGN_OR_RETURN(out.newest, ReadAudit(s));
  ASSIGN_OR_RETURN(Stmt n, db_->Prepare("SELECT COUNT(*) FROM audit_views v JOIN audit a ON "
                                        "a.id = v.entry WHERE v.record_id = ?"));
  n.Bind(1, record_id);
  ASSIGN_OR_RETURN(bool row, n.Step());
  if (row) out.total = static_cast<uint64_t>(n.Int(0));
  return out;
}

Result<std::vector<AuditEntry>> SqliteStore::ReadAudit(Stmt& s) {
  return Rows<AuditEntry>(s, [](Stmt& row) -> AuditEntry {
    return {row.Int(0),  row.Text(1), row.Text(2), row.Text(3),
            row.Text(4), row.Text(5), row.Text(6), row.Text(7)};
  });
}

}  // namespace attest::meta
