// The SQLite backend of meta::Store: withdrawals, changes of consent (each with its leaf and,
// for a change, its audit entry, in one transaction) and redactions.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "meta/backend.h"
#include "meta/sqlite_store.h"

namespace attest::meta {

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
    // A clip's title and note may quote the witness (migration 16); the clips stay as gaps.
    ASSIGN_OR_RETURN(Stmt cl, db_->Prepare("UPDATE clips SET title = '', note = '' "
                                           "WHERE record_id = ?"));
    RETURN_IF_ERROR(cl.Bind(1, record_id).Run());
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
  r.confirms != 0 ? s.Bind(12, r.confirms) : s.BindNull(12);
  r.confirms != 0 ? s.Bind(13, static_cast<int64_t>(r.confirms_version)) : s.BindNull(13);
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

}  // namespace attest::meta
