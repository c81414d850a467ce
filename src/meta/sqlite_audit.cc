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
