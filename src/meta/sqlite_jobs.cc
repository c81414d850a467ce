// The SQLite backend of meta::Store: jobs and their leases (doc/format/metadata.md, "Jobs"),
// and the model files the jobs' tools read.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meta/backend.h"
#include "meta/sqlite_store.h"

namespace attest::meta {
namespace {

constexpr char kJobColumns[] =
    "id, kind, COALESCE(record_id, ''), COALESCE(version, 0), state, attempts, "
    "COALESCE(error, ''), COALESCE(outcome, ''), COALESCE(lease_owner, ''), "
    "COALESCE(lease_until, ''), COALESCE(not_before, ''), bytes, COALESCE(batch, ''), "
    "created, updated, COALESCE(progress, -1)";

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
  j.progress = static_cast<int>(s.Int(15));
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
                                        "lease_until = ?, attempts = attempts + 1, progress = NULL, "
                                        "updated = ? WHERE id = ?"));
  RETURN_IF_ERROR(u.Bind(1, owner).Bind(2, lease_until).Bind(3, now).Bind(4, id).Run());
  ASSIGN_OR_RETURN(Job j, GetJob(id));
  RETURN_IF_ERROR(txn->Commit());
  return std::optional<Job>(std::move(j));
}

Status SqliteStore::SetJobProgress(int64_t id, const std::string& owner, int permille) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("UPDATE jobs SET progress = ? WHERE id = ? AND "
                                        "state = 'running' AND lease_owner = ?"));
  return s.Bind(1, static_cast<int64_t>(std::clamp(permille, 0, 1000))).Bind(2, id).Bind(3, owner).Run();
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

}  // namespace attest::meta
