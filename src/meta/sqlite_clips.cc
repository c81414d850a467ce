// The SQLite backend of meta::Store: clips and the sessions composed of them
// (doc/format/metadata.md, migration 16).
#include <optional>
#include <string>
#include <vector>

#include "meta/backend.h"
#include "meta/sqlite_store.h"

namespace attest::meta {

namespace {

constexpr const char* kClipColumns =
    "SELECT id, owner, record_id, version, COALESCE(start_ms, -1), COALESCE(end_ms, -1), "
    "COALESCE(char_start, -1), COALESCE(char_end, -1), title, note, created FROM clips ";

Clip ClipOf(Stmt& row) {
  Clip c;
  c.id = row.Text(0);
  c.owner = row.Text(1);
  c.record_id = row.Text(2);
  c.version = static_cast<int>(row.Int(3));
  c.start_ms = row.Int(4);
  c.end_ms = row.Int(5);
  c.char_start = row.Int(6);
  c.char_end = row.Int(7);
  c.title = row.Text(8);
  c.note = row.Text(9);
  c.created = row.Text(10);
  return c;
}

constexpr const char* kSessionColumns =
    "SELECT id, owner, title, audience, target_s, languages, shared, items, revision, created, "
    "updated FROM clip_sessions ";

ClipSession ClipSessionOf(Stmt& row) {
  ClipSession s;
  s.id = row.Text(0);
  s.owner = row.Text(1);
  s.title = row.Text(2);
  s.audience = row.Text(3);
  s.target_s = row.Int(4);
  s.languages = row.Text(5);
  s.shared = row.Text(6);
  s.items = row.Text(7);
  s.revision = row.Int(8);
  s.created = row.Text(9);
  s.updated = row.Text(10);
  return s;
}

// Binds `v` at `i`, or NULL when it is negative (no such bound).
void BindSpan(Stmt& s, int i, int64_t v) {
  if (v < 0) {
    s.BindNull(i);
  } else {
    s.Bind(i, v);
  }
}

}  // namespace

Status SqliteStore::AddClip(const Clip& given) {
  // A restricted or sealed record's clip keeps its title and note under the record's key, as
  // its words are kept (doc/format/metadata.md, "Sealed text"): they may quote the witness.
  Clip c = given;
  ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT consent FROM records WHERE id = ?"));
  q.Bind(1, c.record_id);
  ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return NoRecord(c.record_id);
  ASSIGN_OR_RETURN(Consent level, ParseConsent(q.Text(0)));
  ASSIGN_OR_RETURN(c.title, SealIfKept(sealer_, c.record_id, level, c.title));
  ASSIGN_OR_RETURN(c.note, SealIfKept(sealer_, c.record_id, level, c.note));
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO clips(id, owner, record_id, version, "
                                        "start_ms, end_ms, char_start, char_end, title, note, "
                                        "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, c.id).Bind(2, c.owner).Bind(3, c.record_id).Bind(4, int64_t{c.version});
  BindSpan(s, 5, c.start_ms);
  BindSpan(s, 6, c.end_ms);
  BindSpan(s, 7, c.char_start);
  BindSpan(s, 8, c.char_end);
  return s.Bind(9, c.title).Bind(10, c.note).Bind(11, c.created).Run();
}

Result<std::optional<Clip>> SqliteStore::GetClip(const std::string& id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string(kClipColumns) + "WHERE id = ?"));
  s.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Clip>();
  Clip c = ClipOf(s);
  RETURN_IF_ERROR(OpenClip(&c));
  return std::optional<Clip>(std::move(c));
}

Status SqliteStore::OpenClip(Clip* c) {
  ASSIGN_OR_RETURN(c->title, OpenIfSealed(sealer_, c->record_id, std::move(c->title)));
  ASSIGN_OR_RETURN(c->note, OpenIfSealed(sealer_, c->record_id, std::move(c->note)));
  return Status::Ok();
}

Result<std::vector<Clip>> SqliteStore::ListClips(const std::string& owner, size_t limit) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string(kClipColumns) +
                                        "WHERE (?1 = '' OR owner = ?1) "
                                        "ORDER BY created DESC, rowid DESC LIMIT ?2"));
  s.Bind(1, owner).Bind(2, static_cast<int64_t>(limit));
  ASSIGN_OR_RETURN(std::vector<Clip> clips, Rows<Clip>(s, ClipOf));
  for (Clip& c : clips) RETURN_IF_ERROR(OpenClip(&c));
  return clips;
}

Result<bool> SqliteStore::DeleteClip(const std::string& id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM clips WHERE id = ?"));
  RETURN_IF_ERROR(s.Bind(1, id).Run());
  return db_->Changes() == 1;
}

Result<ClipSession> SqliteStore::SaveClipSession(ClipSession c) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT revision, created FROM clip_sessions "
                                        "WHERE id = ?"));
  q.Bind(1, c.id);
  ASSIGN_OR_RETURN(bool found, q.Step());
  if (c.revision == 0 && found) {
    return Status::Conflict("session " + c.id + " exists");
  }
  if (c.revision != 0 && !found) return Status::NotFound("no session " + c.id);
  if (found && q.Int(0) != c.revision) {
    return Status::Conflict("session " + c.id + " was saved again in between: it is at revision " +
                            std::to_string(q.Int(0)) + ", not " + std::to_string(c.revision));
  }
  if (found) c.created = q.Text(1);
  c.revision += 1;
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT OR REPLACE INTO clip_sessions(id, owner, title, "
                                        "audience, target_s, languages, shared, items, revision, "
                                        "created, updated) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  RETURN_IF_ERROR(s.Bind(1, c.id)
                      .Bind(2, c.owner)
                      .Bind(3, c.title)
                      .Bind(4, c.audience)
                      .Bind(5, c.target_s)
                      .Bind(6, c.languages)
                      .Bind(7, c.shared)
                      .Bind(8, c.items)
                      .Bind(9, c.revision)
                      .Bind(10, c.created)
                      .Bind(11, c.updated)
                      .Run());
  RETURN_IF_ERROR(txn->Commit());
  return c;
}

Result<std::optional<ClipSession>> SqliteStore::GetClipSession(const std::string& id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string(kSessionColumns) + "WHERE id = ?"));
  s.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<ClipSession>();
  return std::optional<ClipSession>(ClipSessionOf(s));
}

Result<std::vector<ClipSession>> SqliteStore::ListClipSessions(
    const std::string& owner, const std::vector<std::string>& shared, size_t limit) {
  std::string in = "''";
  for (size_t i = 0; i < shared.size(); ++i) in += ", ?" + std::to_string(i + 3);
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string(kSessionColumns) +
                                        "WHERE owner = ?1 OR shared IN (" + in +
                                        ") ORDER BY updated DESC, id LIMIT ?2"));
  s.Bind(1, owner).Bind(2, static_cast<int64_t>(limit));
  for (size_t i = 0; i < shared.size(); ++i) s.Bind(static_cast<int>(i + 3), shared[i]);
  return Rows<ClipSession>(s, ClipSessionOf);
}

Result<bool> SqliteStore::DeleteClipSession(const std::string& id) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM clip_sessions WHERE id = ?"));
  RETURN_IF_ERROR(s.Bind(1, id).Run());
  return db_->Changes() == 1;
}

}  // namespace attest::meta
