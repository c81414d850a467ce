// The SQLite backend of meta::Store: witnesses' details, their consent forms, their own
// links and what they ask through them.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meta/sqlite_store.h"

namespace attest::meta {

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

namespace {

constexpr const char* kAccessColumns =
    "SELECT id, requester, scope, scope_id, purpose, state, asked, COALESCE(decided, ''), "
    "COALESCE(decided_by, ''), COALESCE(terms, ''), COALESCE(reason, ''), COALESCE(until, '') "
    "FROM access_requests ";

AccessRequest AccessRequestOf(Stmt& row) {
  AccessRequest r;
  r.id = row.Int(0);
  r.requester = row.Text(1);
  r.scope = row.Text(2);
  r.scope_id = row.Text(3);
  r.purpose = row.Text(4);
  r.state = row.Text(5);
  r.asked = row.Text(6);
  r.decided = row.Text(7);
  r.decided_by = row.Text(8);
  r.terms = row.Text(9);
  r.reason = row.Text(10);
  r.until = row.Text(11);
  return r;
}

}  // namespace

Result<int64_t> SqliteStore::AddAccessRequest(const AccessRequest& r) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO access_requests(requester, scope, scope_id, "
                                        "purpose, state, asked) VALUES (?, ?, ?, ?, 'open', ?)"));
  RETURN_IF_ERROR(s.Bind(1, r.requester)
                      .Bind(2, r.scope)
                      .Bind(3, r.scope_id)
                      .Bind(4, r.purpose)
                      .Bind(5, r.asked)
                      .Run());
  return db_->LastInsertId();
}

Result<std::optional<AccessRequest>> SqliteStore::GetAccessRequest(int64_t id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string(kAccessColumns) + "WHERE id = ?"));
  s.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<AccessRequest>();
  return std::optional<AccessRequest>(AccessRequestOf(s));
}

Result<std::vector<AccessRequest>> SqliteStore::ListAccessRequests(const std::string& requester,
                                                                   const std::string& state,
                                                                   int64_t before, size_t limit) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string(kAccessColumns) +
                                        "WHERE (?1 = '' OR requester = ?1) "
                                        "AND (?2 = '' OR state = ?2) AND (?3 <= 0 OR id < ?3) "
                                        "ORDER BY id DESC LIMIT ?4"));
  s.Bind(1, requester).Bind(2, state).Bind(3, before).Bind(4, static_cast<int64_t>(limit));
  return Rows<AccessRequest>(s, AccessRequestOf);
}

Result<bool> SqliteStore::DecideAccessRequest(int64_t id, const AccessRequest& d) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE access_requests SET state = ?, decided = ?, "
                                        "decided_by = ?, terms = ?, reason = ?, until = ? "
                                        "WHERE id = ? AND state = 'open'"));
  s.Bind(1, d.state).Bind(2, d.decided).Bind(3, d.decided_by);
  d.terms.empty() ? s.BindNull(4) : s.Bind(4, d.terms);
  d.reason.empty() ? s.BindNull(5) : s.Bind(5, d.reason);
  d.until.empty() ? s.BindNull(6) : s.Bind(6, d.until);
  RETURN_IF_ERROR(s.Bind(7, id).Run());
  return db_->Changes() == 1;
}

Result<bool> SqliteStore::EndGrant(int64_t id, const std::string& now) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE access_requests SET state = 'ended', until = ?1 "
                                        "WHERE id = ?2 AND state = 'granted' AND until > ?1"));
  RETURN_IF_ERROR(s.Bind(1, now).Bind(2, id).Run());
  return db_->Changes() == 1;
}

Result<std::vector<AccessRequest>> SqliteStore::ActiveGrants(const std::string& requester,
                                                             const std::string& now) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string(kAccessColumns) +
                                        "WHERE requester = ? AND state = 'granted' AND until > ? "
                                        "ORDER BY id"));
  s.Bind(1, requester).Bind(2, now);
  return Rows<AccessRequest>(s, AccessRequestOf);
}

}  // namespace attest::meta
