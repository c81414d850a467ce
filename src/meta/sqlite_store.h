// The SQLite backend of meta::Store (doc/format/metadata.md). Internal to src/meta: callers
// open it with OpenSqliteStore (store.h). Its methods are defined by area, one file each:
//   sqlite_store.cc      opening, migrations, archive info, the leaf sequence, sealing text
//   sqlite_records.cc    records, versions and blobs
//   sqlite_segments.cc   segments, annotations and names
//   sqlite_jobs.cc       jobs, leases and model files
//   sqlite_consent.cc    withdrawals, consent changes and redactions
//   sqlite_witnesses.cc  witnesses, their consent forms, links and requests
//   sqlite_accounts.cc   API tokens, accounts and sessions
//   sqlite_audit.cc      the audit log
//   sqlite_clips.cc      clips and the sessions composed of them
// Not thread-safe, like every Store: one per thread.
#ifndef ATTEST_META_SQLITE_STORE_H_
#define ATTEST_META_SQLITE_STORE_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "meta/sqlite.h"
#include "meta/store.h"

namespace attest::meta {

// Every row `s` still gives, each read by `read`.
template <typename T, typename Read>
Result<std::vector<T>> Rows(Stmt& s, Read read) {
  std::vector<T> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(read(s));
  }
  return out;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  // Brings the database to the newest schema (kSchemaVersion), one migration per transaction;
  // kUnimplemented for a database of a newer attest.
  Status Migrate();

  Status SetInfo(const std::string& key, const std::string& value) override;
  Result<std::optional<std::string>> GetInfo(const std::string& key) override;

  Result<std::vector<Version>> AddVersions(const std::vector<AddRequest>& requests) override;
  Result<Withdrawal> Withdraw(const std::string& record_id, const std::string& reason,
                              const std::string& at,
                              const std::function<Result<std::string>(int)>& leaf_for) override;
  Status ScrubDeleted() override;

  Result<AuditEntry> Audit(AuditEntry e) override;
  Result<std::vector<AuditEntry>> ListAudit(const std::string& since,
                                            const std::string& actor) override;
  Result<RecordViews> ViewsOf(const std::string& record_id, uint64_t limit) override;

  Result<std::optional<ConsentChange>> ChangeConsent(
      ConsentChange c, const std::string& at,
      const std::function<Result<std::string>(int, const std::string&)>& leaf_for) override;
  Result<std::vector<ConsentChange>> DueSeals(const std::string& today) override;
  Result<std::vector<ConsentChange>> ConsentChanges(const std::string& record_id,
                                                    int64_t after_leaf) override;

  Result<Record> GetRecord(const std::string& id) override;
  Result<std::vector<Record>> ListRecords() override;
  Result<bool> BlobIsLive(const std::string& sha256) override;
  Result<std::vector<VersionState>> ScanVersions(uint64_t from_leaf, uint64_t limit) override;
  Result<std::vector<std::pair<std::string, uint64_t>>> ListWithdrawals() override;

  Result<std::vector<SegmentState>> ScanSegments(int64_t after_id, uint64_t limit) override;
  Result<std::vector<SegmentState>> RecordSegments(const std::string& record_id) override;
  Result<int64_t> MaxSegmentId() override;

  Status AddName(const std::string& name, const std::string& kind,
                 const std::string& created) override;
  Result<bool> RemoveName(const std::string& name) override;
  Result<std::vector<std::pair<std::string, std::string>>> ListNames() override;
  Result<std::vector<std::string>> AnnotationValues(const std::string& kind) override;

  Result<std::optional<Job>> LeaseJob(const std::string& owner, const std::string& now,
                                      const std::string& lease_until,
                                      const std::vector<std::string>& kinds) override;
  Status SetJobProgress(int64_t id, const std::string& owner, int permille) override;
  Result<int> RenewLeases(const std::string& owner, const std::string& lease_until) override;
  Result<std::optional<Version>> FinishJob(int64_t id, const std::string& owner,
                                           const std::string& now, const AddRequest* derived,
                                           const std::vector<NewJob>& follow_ups,
                                           const std::string& outcome) override;
  Result<JobState> FailJob(int64_t id, const std::string& owner, const std::string& now,
                           const std::string& error, bool retry) override;
  Status ReleaseJob(int64_t id, const std::string& owner, const std::string& now) override;
  Status RequeueJob(const std::string& record_id, int version, const std::string& kind,
                    const std::string& now) override;
  Result<Job> GetJob(int64_t id) override;
  Result<std::vector<Job>> ListJobs(const JobFilter& f) override;
  Result<JobCounts> CountJobs(const std::string& batch) override;
  Status RetryJob(int64_t id, const std::string& now) override;
  Result<int> RetryFailedJobs(const std::string& now) override;
  Status CancelJob(int64_t id, const std::string& now) override;
  Result<int> WakeJobs(const std::string& kind, const std::string& now) override;
  Status ParkJob(int64_t id, const std::string& owner, const std::string& now,
                 const std::string& reason) override;

  Status AddModel(const ModelFile& m) override;
  Result<std::vector<ModelFile>> ListModels(const std::string& kind) override;
  Result<bool> RemoveModel(const std::string& sha256) override;

  Status AddToken(const Token& t) override;
  Result<std::optional<Token>> FindToken(const std::string& sha256) override;
  Result<std::vector<Token>> ListTokens() override;
  Result<bool> RevokeToken(const std::string& id, const std::string& now) override;

  Result<int64_t> AddRedaction(const Redaction& r) override;
  Result<std::vector<Redaction>> ListRedactions(const std::string& record_id) override;

  void SetTextSealer(TextSealer* sealer) override { sealer_ = sealer; }
  Status SealRecordText(const std::string& id) override;

  Result<int64_t> AddWitnessForm(const WitnessForm& f) override;
  Result<std::vector<WitnessForm>> ListWitnessForms(const std::string& witness_id) override;

  Status AddUser(const User& u) override;
  Result<std::optional<User>> FindUser(const std::string& name) override;
  Result<std::vector<User>> ListUsers() override;
  Result<bool> SetUserRole(const std::string& name, const std::string& role) override;
  Result<bool> SetUserPassword(const std::string& name, const std::string& password) override;
  Result<bool> SetUserDisabled(const std::string& name, const std::string& disabled) override;
  Status AddSession(const Session& x) override;
  Result<std::optional<std::pair<Session, User>>> FindSession(const std::string& sha256) override;
  Status DeleteSession(const std::string& sha256) override;

  Status AddWitnessLink(const WitnessLink& l) override;
  Result<std::optional<WitnessLink>> FindWitnessLink(const std::string& sha256) override;
  Result<bool> RevokeWitnessLink(const std::string& id, const std::string& now) override;
  Result<int64_t> AddWitnessRequest(const WitnessRequest& r) override;
  Result<std::vector<WitnessRequest>> ListWitnessRequests() override;
  Result<int64_t> AddAccessRequest(const AccessRequest& r) override;
  Result<std::optional<AccessRequest>> GetAccessRequest(int64_t id) override;
  Result<std::vector<AccessRequest>> ListAccessRequests(const std::string& requester,
                                                        const std::string& state, int64_t before,
                                                        size_t limit) override;
  Result<bool> DecideAccessRequest(int64_t id, const AccessRequest& d) override;
  Result<bool> EndGrant(int64_t id, const std::string& now) override;
  Result<std::vector<AccessRequest>> ActiveGrants(const std::string& requester,
                                                  const std::string& now) override;

  Status AddClip(const Clip& clip) override;
  Result<std::optional<Clip>> GetClip(const std::string& id) override;
  Result<std::vector<Clip>> ListClips(const std::string& owner, size_t limit) override;
  Result<bool> DeleteClip(const std::string& id) override;
  Result<ClipSession> SaveClipSession(ClipSession s) override;
  Result<std::optional<ClipSession>> GetClipSession(const std::string& id) override;
  Result<std::vector<ClipSession>> ListClipSessions(const std::string& owner,
                                                    const std::vector<std::string>& shared,
                                                    size_t limit) override;
  Result<bool> DeleteClipSession(const std::string& id) override;

  Result<std::vector<BlobUse>> FindBlob(const std::string& sha256) override;
  Result<std::optional<std::string>> ImportedRecord(const std::string& source_id) override;

  Status SetWitness(const Witness& w, const std::string& now) override;
  Result<std::map<std::string, Witness>> GetWitnesses(const std::vector<std::string>& ids) override;

  Result<uint64_t> RecordCount() override;
  Result<uint64_t> LeafCount() override;
  Result<std::vector<std::string>> Leaves(uint64_t start, uint64_t limit) override;

  Status CheckIntegrity() override;

 private:
  // sqlite_store.cc
  Result<int64_t> UserVersion();
  // Runs migration `version` + 1 in its transaction (unless another process has), checking the
  // foreign keys first with `check_keys`.
  Status MigrateOnce(int64_t version, bool check_keys);
  // Gives `leaf` the log index `idx`. REQUIRES: inside the transaction that records what the
  // leaf states, with idx = LeafCount() read in that transaction.
  Status SequenceLeaf(uint64_t idx, const std::string& leaf);
  // Runs `sql` with two text parameters.
  Status InsertIgnore(const char* sql, const std::string& a, const std::string& b);
  // A clip's title and note opened if they are sealed.
  Status OpenClip(Clip* c);
  // `plain` sealed if the record's words are kept sealed at `level` (and a sealer is set).
  Result<std::string> SealIf(const std::string& record_id, Consent level, const std::string& plain);
  // A stored value opened if it is sealed.
  Result<std::string> Unseal(const std::string& record_id, std::string stored);

  // sqlite_records.cc
  // One request of AddVersions, inside the caller's transaction.
  Result<Version> AddOne(const AddRequest& req, uint64_t* next_leaf);
  // The segments of a new version `version` of `req`'s record (whose level is
  // `record_consent`), with their annotations, inside the caller's transaction.
  Status InsertSegments(const AddRequest& req, int version, Consent record_consent,
                        const NewVersion& nv);
  Result<std::vector<Record>> LoadRecords(const std::string& where, const std::string& arg);

  // sqlite_segments.cc
  Result<std::vector<SegmentState>> LoadSegments(const std::string& where,
                                                 const std::function<void(Stmt&)>& bind);

  // sqlite_jobs.cc
  // Schedules `jobs` on version `version` of `record_id` (a job's own version if it has one),
  // inside the caller's transaction.
  Status ScheduleJobs(const std::string& record_id, int version, const std::vector<NewJob>& jobs,
                      const std::string& now);
  // Checks `owner` holds job `id`.
  Status CheckLease(int64_t id, const std::string& owner);

  // sqlite_accounts.cc
  Result<std::vector<User>> SelectUsers(const char* where, const std::string& arg);
  // Sets one column (`set`, with one parameter) of account `name` and deletes its sessions.
  Result<bool> UpdateUser(const char* set, const std::string& value, const std::string& name);
  Result<std::vector<Token>> SelectTokens(const char* where, const std::string& arg);

  // sqlite_audit.cc
  // Appends an audit entry inside the caller's transaction.
  Result<AuditEntry> AppendAudit(AuditEntry e);
  Status IndexView(const AuditEntry& e);
  Result<std::vector<AuditEntry>> ReadAudit(Stmt& s);

  std::unique_ptr<Db> db_;
  TextSealer* sealer_ = nullptr;
};

}  // namespace attest::meta

#endif  // ATTEST_META_SQLITE_STORE_H_
