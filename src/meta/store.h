// The metadata store: collections, witnesses, records, versions, segments and the log's leaf
// sequence (doc/format/metadata.md). Store is the interface each backend implements (SQLite
// now, PostgreSQL later); every method is one transaction. A Store object is not thread-safe:
// open one per thread. Several processes may use one archive's store at once.
#ifndef ATTEST_META_STORE_H_
#define ATTEST_META_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace attest::meta {

enum class Consent { kPublic, kResearch, kRestricted, kSealed, kWithdrawn };
const char* ConsentName(Consent c);
// Accepts public, research, restricted, sealed, withdrawn.
Result<Consent> ParseConsent(std::string_view s);

// kNotFound in the words every store gives for a record it does not hold (a withdrawn record's
// writes are answered in them too, doc/privacy.md).
Status NoRecord(const std::string& id);

struct BlobRef {
  std::string role;  // "original" for what was added
  std::string sha256;
  uint64_t size = 0;
};

struct Version {
  std::string record_id;
  int version = 0;
  std::string manifest;         // canonical JSON bytes (doc/format/manifest.md)
  std::string manifest_sha256;  // hex
  std::string private_json;     // empty once the record is withdrawn
  std::string lang;
  std::string created;
  uint64_t leaf_index = 0;
  std::vector<BlobRef> blobs;
};

struct Record {
  std::string id;
  std::string collection_id;
  std::string witness_id;
  Consent consent = Consent::kRestricted;
  // For a sealed record: the day it opens (YYYY-MM-DD, UTC); "" if it was added sealed with no
  // day, and for any other level.
  std::string sealed_until;
  std::string created;
  std::string salt;  // raw bytes; empty once withdrawn
  std::optional<std::string> withdrawn_at;
  std::optional<uint64_t> withdraw_leaf_index;
  // Who added it (migration 15): "cli:USER", "token:ID", "user:NAME"; "" if unknown.
  std::string added_by;
  // Its witness asked for its withdrawal through their link and no archivist has changed its
  // consent since (doc/api.md, "Witnesses"): nobody but archivists reads it meanwhile.
  bool withdrawal_asked = false;
  std::vector<Version> versions;
};

struct VersionState {
  Version version;
  std::string salt;  // the record's; empty once withdrawn
  bool withdrawn = false;
};

// What the caller computes for a new version once the store has fixed its number.
// What a segment is about (DESIGN.md): a place, a date, a person, an event or a topic.
struct Annotation {
  std::string kind;    // place, date, person, event, topic
  std::string value;   // a place's or person's name; a date or range (search/dates.h)
  std::string source;  // "metadata" (given with the record), "human", or a tool's name
};

// A unit of text of a version (DESIGN.md): a media time range in ms, or a page and a range of
// characters (Unicode code points) in the version's text.
struct Segment {
  int64_t id = 0;  // assigned by the store
  std::string record_id;
  int version = 0;
  int64_t start_ms = -1;
  int64_t end_ms = -1;
  int page = -1;
  int64_t char_start = -1;
  int64_t char_end = -1;
  std::string lang;
  std::string speaker;
  std::optional<Consent> consent;  // unset: the record's
  std::string text;
  std::vector<Annotation> annotations;
};

// A segment with what the index needs of its record.
struct SegmentState {
  Segment segment;
  std::string witness_id;
  std::string collection_id;
  std::string added_by;                      // the record's (Record::added_by)
  Consent effective = Consent::kRestricted;  // the strictest of record and segment
  // The record has an original newer than the one this segment's text was made from (a
  // revision added while the older text was being extracted): citable, but not searched.
  bool superseded = false;
};

// The stricter of two levels (withdrawn > sealed > restricted > research > public).
Consent Strictest(Consent a, Consent b);

// Derived work on one version of a record (doc/format/metadata.md#jobs).
enum class JobState { kQueued, kRunning, kDone, kFailed, kWaiting, kCancelled };
const char* JobStateName(JobState s);
Result<JobState> ParseJobState(std::string_view s);

struct Job {
  int64_t id = 0;
  std::string kind;  // extract, ocr, transcribe, index
  std::string record_id;
  int version = 0;
  JobState state = JobState::kQueued;
  int attempts = 0;
  std::string error;    // why it last failed
  std::string outcome;  // canonical JSON, when done
  std::string lease_owner, lease_until, not_before;
  uint64_t bytes = 0;
  std::string batch;
  std::string created, updated;
  int progress = -1;  // a running job's, in thousandths; -1 unknown (migration 15)
};

// A job to schedule. Scheduling is idempotent: (kind, record, version) is scheduled once.
struct NewJob {
  std::string kind;
  int version = 0;  // 0: the version being added (or derived) in the same transaction
  uint64_t bytes = 0;
  std::string batch;
  bool waiting = false;  // scheduled, but nothing can run it yet
  std::string reason;    // why it waits (its error until it runs)
};

struct JobFilter {
  std::optional<JobState> state;
  std::string batch;
  std::string record_id;
  uint64_t limit = 0;  // 0: all
};

// Jobs by state, and bytes of the done ones and of all (progress).
struct JobCounts {
  uint64_t total = 0, queued = 0, running = 0, done = 0, failed = 0, waiting = 0, cancelled = 0;
  uint64_t bytes_total = 0, bytes_finished = 0;  // finished: done, failed or cancelled
  uint64_t finished() const { return done + failed + cancelled; }
};

// A model file registered with the archive (`attest models add`): tools read it from `path`
// and check that its bytes still hash to `sha256` before they use it.
struct ModelFile {
  std::string sha256;  // 64 hex
  std::string kind;    // whisper, embedding
  std::string name;    // the file's name
  std::string path;    // absolute
  uint64_t size = 0;
  std::string info;  // canonical JSON: what the file holds (shape, vocabulary, ...)
  std::string added;
};

// An API token (`attest token`, doc/format/metadata.md#tokens). The token itself is shown once
// and never stored: only its SHA-256.
struct Token {
  std::string id;      // "t" + 12 base32 characters, public (names the token in lists)
  std::string sha256;  // hex of the token's bytes
  std::string role;    // volunteer, researcher, archivist, admin
  std::string label;
  std::string created;
  std::string expires;  // RFC 3339, or empty: never
  std::string revoked;  // RFC 3339, or empty
};

// A person's account for the portal (`attest user`, doc/format/metadata.md migration 9).
struct User {
  std::string id;        // "u" + 12 base32 characters
  std::string name;      // login name: 1 to 64 of a-z 0-9 . _ -
  std::string role;      // volunteer, researcher, archivist, admin
  std::string password;  // libsodium's Argon2id string, never the password
  std::string created;
  std::string disabled;  // RFC 3339, or empty
};

// A logged-in browser: kept as the SHA-256 of its cookie's secret.
struct Session {
  std::string sha256;
  std::string user_id;
  std::string csrf;  // the session's form token
  std::string created;
  std::string expires;  // RFC 3339
};

// A witness's own link (`attest witness link`): like a token, kept as its SHA-256.
struct WitnessLink {
  std::string id;  // "w" + 12 base32 characters, public
  std::string sha256;
  std::string witness_id;
  std::string created;
  std::string revoked;  // RFC 3339, or empty
};

// What a witness asked through their link: a change of a record's consent, or its withdrawal.
struct WitnessRequest {
  int64_t id = 0;
  std::string witness_id, record_id;
  std::string kind;   // "consent" or "withdraw"
  std::string level;  // for "consent": public, research, restricted or sealed
  std::string message, link_id, created;
};

// A researcher's request to read a collection's or a record's restricted material, and its
// decision (doc/format/metadata.md, migration 15). Times are RFC 3339.
struct AccessRequest {
  int64_t id = 0;
  std::string requester;  // the actor who asked: "user:NAME" or "token:ID"
  std::string scope;      // "collection" or "record"
  std::string scope_id;
  std::string purpose;
  std::string state = "open";  // open, granted, refused, cancelled, ended
  std::string asked, decided, decided_by;
  std::string terms, reason;  // a grant's terms; a refusal's reason
  std::string until;          // when a grant ends
};

// A witness's consent form (doc/format/metadata.md, migration 10): its blob is encrypted.
struct WitnessForm {
  int64_t id = 0;
  std::string witness_id, sha256;
  uint64_t size = 0;
  std::string mime, file_name, added, added_by;
};

// A span hidden by an archivist (doc/format/metadata.md, migration 11). -1: NULL.
struct Redaction {
  int64_t id = 0;
  std::string record_id;
  int64_t segment_id = 0;
  int64_t char_from = -1, char_to = -1;  // code points of the segment's text; -1: all of it
  int64_t doc_from = -1, doc_to = -1;    // the same in its version's text, if it has a place
  int64_t start_ms = -1, end_ms = -1;    // where it is spoken, if the text has times
  std::string reason, by, at;
  // An archivist's confirmation (migration 12), not a span: redaction `confirms` need not be
  // placed in version `confirms_version`; -N: passage N's own level need not be. 0: a redaction.
  int64_t confirms = 0;
  int confirms_version = 0;
};

// A span of one record version (doc/sessions.md, doc/format/metadata.md migration 16): times
// in ms of a version with times, or code points of its text. -1: NULL.
struct Clip {
  std::string id;     // "c" + 12 base32 characters
  std::string owner;  // the actor who made it
  std::string record_id;
  int version = 0;
  int64_t start_ms = -1, end_ms = -1;
  int64_t char_start = -1, char_end = -1;
  std::string title, note;  // erased when the record is withdrawn
  std::string created;
};

// An ordered list of clips and cards composed for an audience (doc/sessions.md). `items` is
// the canonical JSON array of its items.
struct ClipSession {
  std::string id;  // "s" + 12 base32 characters
  std::string owner;
  std::string title;
  std::string audience;  // school:AGES, community, public
  int64_t target_s = 0;
  std::string languages;  // comma-separated tags
  std::string shared = "private";  // private, researcher, archivist, public
  std::string items = "[]";
  int64_t revision = 0;  // 1 after the first save
  std::string created, updated;
};

// Where a blob is used: by a version of a record, in a role.
struct BlobUse {
  std::string record_id;
  int version = 0;
  std::string role;
};

struct NewVersion {
  std::string manifest;
  std::string manifest_sha256;
  std::string private_json;
  std::string lang;
  std::string created;
  std::string leaf;  // the log leaf stating this version
  std::vector<BlobRef> blobs;
  std::vector<Segment> segments;  // text of the version, if known when it is added
  std::vector<NewJob> jobs;       // derived work to schedule on it
};

struct AddRequest {
  // For a new record: all fields. For a new version of `record_id`: only record_id.
  bool create = true;
  std::string record_id;
  std::string collection_id;
  std::string witness_id;
  Consent consent = Consent::kRestricted;
  std::string created;
  std::string salt;
  // For a derived version (doc/format/manifest.md#derived-versions): the version it was made
  // from and its derivation key. If the record already has a version with this key, that
  // version is returned and nothing is added.
  int derived_from = 0;
  std::string derivation_key;
  // For a row of a bulk import: its id, recorded with the record (kConflict if imported).
  std::string import_id;
  // For a new record: who adds it (Record::added_by).
  std::string added_by;
  // Called inside the transaction with the version number, the record's salt and the index
  // the leaf will have.
  std::function<Result<NewVersion>(int version, const std::string& salt, uint64_t leaf_index)>
      build;
};

struct Withdrawal {
  uint64_t leaf_index = 0;
  int version = 0;
  // Blobs no live version refers to any more: the caller erases them.
  std::vector<std::string> blobs_to_erase;
  bool already_withdrawn = false;
};

// What the archive knows of a witness besides the id (doc/format/metadata.md, `witnesses`).
struct Witness {
  std::string id;
  std::string name;       // private: never shown by an interface
  std::string community;  // shown beside their accounts (the perspectives view)
  std::string languages;  // comma-separated language tags
};

// A change of a record's consent level (doc/format/metadata.md, migration 6).
struct ConsentChange {
  std::string record_id;
  Consent from = Consent::kRestricted;
  Consent to = Consent::kRestricted;
  // For a seal: the day it opens (YYYY-MM-DD, UTC) and the level it opens to.
  std::string until;
  Consent then = Consent::kRestricted;
  std::string reason;  // private
  std::string by;      // "cli:USER" or "token:ID"
  std::string at;
  uint64_t leaf_index = 0;
  // One segment's own level (the record's is unchanged), or 0: the record's. A segment is
  // shown at the stricter of its level and its record's; it is never sealed on its own.
  int64_t segment_id = 0;
};

// An entry of the audit log (doc/format/metadata.md, "The audit log").
struct AuditEntry {
  int64_t id = 0;  // from 1, in order
  std::string at;
  std::string actor;   // "cli:USER", "token:ID", "seal"
  std::string action;  // "consent", "withdraw", "token.create", "token.revoke", "view"
  std::string target;  // a record id, "segment/ID" or a token id
  std::string detail;  // canonical JSON, or empty
  std::string prev_hash, hash;
};
// The views of one record in the audit log (Store::ViewsOf): the newest, and how many in all.
struct RecordViews {
  std::vector<AuditEntry> newest;  // newest first
  uint64_t total = 0;
};
// The hash of `e` chained to e.prev_hash (lowercase hex SHA-256).
std::string AuditHash(const AuditEntry& e);
// An entry as JSON (`attest audit --json`, GET /api/v1/audit): `detail` parsed.
Json AuditJson(const AuditEntry& e);
// A consent form as JSON (`attest witness --forms --json`, the API): id, sha256, size, mime,
// file_name, added.
Json WitnessFormJson(const WitnessForm& f);
// The hash of the entry before the first.
inline const std::string kAuditGenesis(64, '0');
// Where an audit log's chain breaks: the first entry that does not follow the one before it.
struct AuditBreak {
  int64_t id = 0;
  std::string why;  // "its number does not follow", "it does not name the entry before" or
                    // "its content does not match its hash"
};
// Checks the chain of `entries` (the whole log, oldest first, as ListAudit("", "") gives it):
// the first break, or nullopt if every entry follows the one before.
std::optional<AuditBreak> FirstAuditBreak(const std::vector<AuditEntry>& entries);

// Seals and opens a record's words in the database under the record's own key
// (doc/format/metadata.md, "Sealed text"). Thread-safe.
class TextSealer {
 public:
  virtual ~TextSealer() = default;
  // `plain` sealed under record `record_id`'s key (made when first needed).
  virtual Result<std::string> Seal(const std::string& record_id, std::string_view plain) = 0;
  // What Seal made; kCorruption if it does not open, kNotFound if the key is gone.
  virtual Result<std::string> Open(const std::string& record_id, std::string_view sealed) = 0;
};
inline constexpr std::string_view kSealedPrefix = "attestT1:";

class Store {
 public:
  virtual ~Store() = default;

  virtual Status SetInfo(const std::string& key, const std::string& value) = 0;
  virtual Result<std::optional<std::string>> GetInfo(const std::string& key) = 0;

  // Adds every request in one transaction: all or none. Sequences one leaf per request.
  virtual Result<std::vector<Version>> AddVersions(const std::vector<AddRequest>& requests) = 0;

  // Marks a record withdrawn, erases its private metadata and salt, and sequences the leaf
  // `leaf_for(last_version)`. If already withdrawn, sequences nothing and reports the blobs
  // still to erase (so an interrupted withdrawal can be finished).
  virtual Result<Withdrawal> Withdraw(
      const std::string& record_id, const std::string& reason, const std::string& at,
      const std::function<Result<std::string>(int last_version)>& leaf_for) = 0;
  // Leaves no deleted content in the database's files: for SQLite, deleted rows are zeroed
  // (secure_delete) and the write-ahead log, which still holds the pages as they were, is
  // copied back and emptied (waiting for readers to finish).
  virtual Status ScrubDeleted() = 0;

  // Appends `e` to the audit log (its id, prev_hash and hash are set here) and returns it.
  // ChangeConsent appends its own entry in its transaction (actor c.by).
  virtual Result<AuditEntry> Audit(AuditEntry e) = 0;
  // The audit log, oldest first: entries at or after `since` (RFC 3339 or a prefix such as a
  // day; empty: all) by `actor` (empty: anyone).
  virtual Result<std::vector<AuditEntry>> ListAudit(const std::string& since,
                                                    const std::string& actor) = 0;
  // The `view` entries about record `record_id` (a view of it, or an answer whose detail lists
  // it in "records", such as a search): the `limit` newest, newest first, and how many there
  // are in all. Read through an index of the views by record, never by scanning the log.
  virtual Result<RecordViews> ViewsOf(const std::string& record_id, uint64_t limit) = 0;

  // Sets a record's consent level, sequences the leaf `leaf_for(newest version, its manifest's
  // SHA-256)` returns and keeps the change, in one transaction. Nothing if the record is at
  // that level already (nullopt). kConflict for a withdrawn record.
  // `change` names the record, the level (and for a seal, until and then), reason and by;
  // its from, at and leaf_index are filled in.
  virtual Result<std::optional<ConsentChange>> ChangeConsent(
      ConsentChange change, const std::string& at,
      const std::function<Result<std::string>(int version, const std::string& manifest_sha256)>&
          leaf_for) = 0;
  // Sealed records whose day has come (until <= `today`, YYYY-MM-DD): id, then-level, until.
  virtual Result<std::vector<ConsentChange>> DueSeals(const std::string& today) = 0;
  // The consent changes whose leaves come after `after_leaf` (-1: all), of one record (or of
  // every record if `record_id` is empty), in log order.
  virtual Result<std::vector<ConsentChange>> ConsentChanges(const std::string& record_id,
                                                            int64_t after_leaf) = 0;

  virtual Result<Record> GetRecord(const std::string& id) = 0;
  // Every record, in order of creation.
  virtual Result<std::vector<Record>> ListRecords() = 0;
  // Whether any version of a record that is not withdrawn refers to a blob.
  virtual Result<bool> BlobIsLive(const std::string& sha256) = 0;

  // Versions whose leaf index is >= `from_leaf`, in leaf order, `limit` at most, with the
  // state of their record (for verification without loading every record at once). `blobs`
  // is left empty: the manifest, which the log commits to, lists them.
  virtual Result<std::vector<VersionState>> ScanVersions(uint64_t from_leaf, uint64_t limit) = 0;
  // Every withdrawal: record id and its leaf index, in leaf order.
  virtual Result<std::vector<std::pair<std::string, uint64_t>>> ListWithdrawals() = 0;

  // Segments with id > `after_id`, in id order, `limit` at most (withdrawn records' text is
  // erased, so they come with empty text and consent withdrawn).
  virtual Result<std::vector<SegmentState>> ScanSegments(int64_t after_id, uint64_t limit) = 0;
  // Segments of one record.
  virtual Result<std::vector<SegmentState>> RecordSegments(const std::string& record_id) = 0;
  virtual Result<int64_t> MaxSegmentId() = 0;

  // The archive's list of names that search matches across scripts (doc/search.md).
  // AddName replaces the kind of a name already listed; RemoveName is false if it was not.
  virtual Status AddName(const std::string& name, const std::string& kind,
                         const std::string& created) = 0;
  virtual Result<bool> RemoveName(const std::string& name) = 0;
  // (name, kind), by name.
  virtual Result<std::vector<std::pair<std::string, std::string>>> ListNames() = 0;
  // The distinct values of annotations of `kind` on segments of records not withdrawn.
  virtual Result<std::vector<std::string>> AnnotationValues(const std::string& kind) = 0;

  // Jobs. `now` and lease times are RFC 3339 UTC, whole seconds (they compare as text).
  // Takes the oldest queued job whose backoff has passed, or a running one whose lease
  // expired, for `owner` until `lease_until`; none: nullopt.
  // With `kinds`, only a job of one of those kinds (a transcription machine takes `transcribe`).
  virtual Result<std::optional<Job>> LeaseJob(const std::string& owner, const std::string& now,
                                              const std::string& lease_until,
                                              const std::vector<std::string>& kinds) = 0;
  Result<std::optional<Job>> LeaseJob(const std::string& owner, const std::string& now,
                                      const std::string& lease_until) {
    return LeaseJob(owner, now, lease_until, {});
  }
  // How far running job `id` of `owner` is, in thousandths (0 to 1000); nothing if `owner` no
  // longer holds it.
  virtual Status SetJobProgress(int64_t id, const std::string& owner, int permille) = 0;
  // Extends every running lease `owner` holds; returns how many.
  virtual Result<int> RenewLeases(const std::string& owner, const std::string& lease_until) = 0;
  // Finishes a job in one transaction: checks `owner` still holds it (kConflict if not),
  // adds `derived` (or finds its existing version by derivation key), schedules `follow_ups`
  // (version 0: the derived version, or the job's own if nothing was derived) and marks it
  // done with `outcome` (a JSON object; "version" is set to the derived version). Returns the
  // derived version, if any.
  virtual Result<std::optional<Version>> FinishJob(int64_t id, const std::string& owner,
                                                   const std::string& now,
                                                   const AddRequest* derived,
                                                   const std::vector<NewJob>& follow_ups,
                                                   const std::string& outcome) = 0;
  // A failed run: back to queued after a backoff if `retry` and attempts remain (3 in all),
  // else failed with `error`. kConflict if `owner` no longer holds it. Returns the new state.
  virtual Result<JobState> FailJob(int64_t id, const std::string& owner, const std::string& now,
                                   const std::string& error, bool retry) = 0;
  // A running job whose owner is gone (a killed worker): queued again at once.
  virtual Status ReleaseJob(int64_t id, const std::string& owner, const std::string& now) = 0;
  // Queues job `kind` on a version: a new one, or the one there was, queued again (to be run
  // anew with what the archive holds now, e.g. every redaction of the record).
  virtual Status RequeueJob(const std::string& record_id, int version, const std::string& kind,
                            const std::string& now) = 0;
  virtual Result<Job> GetJob(int64_t id) = 0;
  virtual Result<std::vector<Job>> ListJobs(const JobFilter& filter) = 0;
  virtual Result<JobCounts> CountJobs(const std::string& batch) = 0;
  // Failed or cancelled jobs back to queued with attempts 0 (kConflict for other states).
  virtual Status RetryJob(int64_t id, const std::string& now) = 0;
  virtual Result<int> RetryFailedJobs(const std::string& now) = 0;
  // Cancels a job that is not done (kConflict if it is); a running one finishes nothing.
  virtual Status CancelJob(int64_t id, const std::string& now) = 0;
  // Waiting jobs of `kind` (e.g. transcribe once a model is configured) back to queued.
  virtual Result<int> WakeJobs(const std::string& kind, const std::string& now) = 0;
  // A running job that nothing can run yet (no model): waiting, with `reason` as its error,
  // its attempt not counted. kConflict if `owner` no longer holds it.
  virtual Status ParkJob(int64_t id, const std::string& owner, const std::string& now,
                         const std::string& reason) = 0;

  // Model files. AddModel registers a file, or moves a registered one (same SHA-256) to a new
  // path; ListModels gives those of `kind` (every kind if empty), the newest first;
  // RemoveModel is false if no model had that SHA-256.
  virtual Status AddModel(const ModelFile& model) = 0;
  virtual Result<std::vector<ModelFile>> ListModels(const std::string& kind) = 0;
  virtual Result<bool> RemoveModel(const std::string& sha256) = 0;

  // API tokens: FindToken looks one up by its SHA-256 (nullopt if none); RevokeToken is false
  // if no unrevoked token has that id.
  virtual Status AddToken(const Token& token) = 0;
  virtual Result<std::optional<Token>> FindToken(const std::string& sha256) = 0;
  virtual Result<std::vector<Token>> ListTokens() = 0;
  virtual Result<bool> RevokeToken(const std::string& id, const std::string& now) = 0;

  // Redactions: AddRedaction gives the new id; ListRedactions those of one record (all for
  // ""), oldest first.
  virtual Result<int64_t> AddRedaction(const Redaction& r) = 0;
  virtual Result<std::vector<Redaction>> ListRedactions(const std::string& record_id) = 0;

  // The sealer of restricted and sealed records' words (none: they are stored in the clear).
  // REQUIRES: called before any other method, with a sealer that outlives the store.
  virtual void SetTextSealer(TextSealer* sealer) = 0;
  // Seals the words of record `id` stored in the clear (after it is narrowed).
  virtual Status SealRecordText(const std::string& id) = 0;

  // Witnesses' consent forms, oldest first.
  virtual Result<int64_t> AddWitnessForm(const WitnessForm& form) = 0;
  virtual Result<std::vector<WitnessForm>> ListWitnessForms(const std::string& witness_id) = 0;

  // Accounts and their sessions. SetUserRole, SetUserPassword and SetUserDisabled are false if
  // there is no account `name`; each deletes the account's sessions. AddSession first deletes
  // the sessions expired at `session.created`. FindSession gives the session and its account.
  virtual Status AddUser(const User& user) = 0;
  virtual Result<std::optional<User>> FindUser(const std::string& name) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Result<bool> SetUserRole(const std::string& name, const std::string& role) = 0;
  virtual Result<bool> SetUserPassword(const std::string& name, const std::string& password) = 0;
  // `disabled` RFC 3339, or empty to enable.
  virtual Result<bool> SetUserDisabled(const std::string& name, const std::string& disabled) = 0;
  virtual Status AddSession(const Session& session) = 0;
  virtual Result<std::optional<std::pair<Session, User>>> FindSession(
      const std::string& sha256) = 0;
  virtual Status DeleteSession(const std::string& sha256) = 0;

  // Witnesses' links and their requests (doc/api.md, "Witnesses").
  virtual Status AddWitnessLink(const WitnessLink& link) = 0;
  virtual Result<std::optional<WitnessLink>> FindWitnessLink(const std::string& sha256) = 0;
  // False if no unrevoked link has that id.
  virtual Result<bool> RevokeWitnessLink(const std::string& id, const std::string& now) = 0;
  virtual Result<int64_t> AddWitnessRequest(const WitnessRequest& r) = 0;
  virtual Result<std::vector<WitnessRequest>> ListWitnessRequests() = 0;

  // Researchers' access requests (doc/api.md, "Access requests"). AddAccessRequest stores `r`
  // as open and gives its id. ListAccessRequests gives, newest first, at most `limit` requests
  // with id below `before` (0: from the newest) of `requester` (empty: anyone's) in `state`
  // (empty: any). DecideAccessRequest sets an open request's state (granted, refused or
  // cancelled) with `d`'s decided, decided_by, terms, reason and until; false if request `id`
  // is not open (decided already, or none). ActiveGrants: `requester`'s grants whose until is
  // after `now`.
  virtual Result<int64_t> AddAccessRequest(const AccessRequest& r) = 0;
  virtual Result<std::optional<AccessRequest>> GetAccessRequest(int64_t id) = 0;
  virtual Result<std::vector<AccessRequest>> ListAccessRequests(const std::string& requester,
                                                                const std::string& state,
                                                                int64_t before,
                                                                size_t limit) = 0;
  virtual Result<bool> DecideAccessRequest(int64_t id, const AccessRequest& d) = 0;
  // Ends grant `id` at `now` (state ended, until now) if it is granted and still in force;
  // false otherwise.
  virtual Result<bool> EndGrant(int64_t id, const std::string& now) = 0;
  virtual Result<std::vector<AccessRequest>> ActiveGrants(const std::string& requester,
                                                          const std::string& now) = 0;

  // Clips (doc/sessions.md). ListClips gives `owner`'s (everyone's if empty), newest first, at
  // most `limit`; DeleteClip is false if there was no clip `id`.
  virtual Status AddClip(const Clip& clip) = 0;
  virtual Result<std::optional<Clip>> GetClip(const std::string& id) = 0;
  virtual Result<std::vector<Clip>> ListClips(const std::string& owner, size_t limit) = 0;
  virtual Result<bool> DeleteClip(const std::string& id) = 0;
  // Sessions of clips. SaveClipSession stores `s` as revision `s.revision` + 1: a new session
  // when `s.revision` is 0 (kConflict if its id is taken), else only if the stored one is
  // at `s.revision` (kConflict naming the stored revision otherwise; kNotFound if none). It
  // returns the session as stored. ListClipSessions gives those `owner` made or shared with
  // any of `shared` (e.g. {"researcher","public"}), newest first, at most `limit`.
  virtual Result<ClipSession> SaveClipSession(ClipSession s) = 0;
  virtual Result<std::optional<ClipSession>> GetClipSession(const std::string& id) = 0;
  virtual Result<std::vector<ClipSession>> ListClipSessions(const std::string& owner,
                                                            const std::vector<std::string>& shared,
                                                            size_t limit) = 0;
  virtual Result<bool> DeleteClipSession(const std::string& id) = 0;

  // Every use of a blob by a version of a record that is not withdrawn.
  virtual Result<std::vector<BlobUse>> FindBlob(const std::string& sha256) = 0;

  // The record a bulk-import row id was imported as, if it was.
  virtual Result<std::optional<std::string>> ImportedRecord(const std::string& source_id) = 0;

  // Sets a witness's details (creating the witness if new). Empty fields are kept as they were.
  virtual Status SetWitness(const Witness& w, const std::string& now) = 0;
  // The witnesses with these ids that exist.
  virtual Result<std::map<std::string, Witness>> GetWitnesses(
      const std::vector<std::string>& ids) = 0;

  virtual Result<uint64_t> RecordCount() = 0;
  virtual Result<uint64_t> LeafCount() = 0;
  virtual Result<std::vector<std::string>> Leaves(uint64_t start, uint64_t limit) = 0;

  // Full consistency check of the backend's own storage (SQLite: integrity_check).
  virtual Status CheckIntegrity() = 0;
};

// Opens (and with `create`, creates) the SQLite store at `path`, migrating it to the current
// schema. A database from a newer attest is refused.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, bool create);

// The newest schema version: the number of migrations (doc/format/metadata.md).
constexpr int kSchemaVersion = 16;

}  // namespace attest::meta

#endif  // ATTEST_META_STORE_H_
