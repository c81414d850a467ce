// Records: adding records and their versions (what a person gives, what a tool or a person
// derives from it), reading them back with their files and segments, witnesses, and the queue
// of jobs that ingestion runs on versions (doc/ingest.md). A part of an Archive (archive.h).
// Not thread-safe, like the Archive it belongs to.
#ifndef ATTEST_ARCHIVE_RECORDS_H_
#define ATTEST_ARCHIVE_RECORDS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "blob/blob_store.h"
#include "core/env.h"
#include "core/json.h"
#include "core/status.h"
#include "meta/store.h"

namespace attest::archive {

struct Internal;

struct AddOptions {
  std::string witness;
  std::string collection;
  std::string lang = "und";
  meta::Consent consent = meta::Consent::kRestricted;  // the safer default
  Json meta = Json::object();
  std::string record_id;  // non-empty: the files become a new version of this record
  // Where and when the testimony speaks of (annotations on each of its segments, source
  // "metadata"; searchable with place: and date:, and names across scripts).
  std::vector<std::string> places;
  std::string date;  // a day, month, year or range (search/dates.h)
  // Groups the jobs this add schedules (progress, `--wait`); empty: a new "add-<hex>".
  std::string batch;
  // A bulk-import row's id (doc/import.md), recorded in the add's transaction.
  std::string import_id;
  // A bulk-import row's manifest (its file name) and line, kept in the private object so a
  // failure can be traced to the row (doc/format/manifest.md).
  std::string import_manifest;
  int import_line = 0;
  // Who adds it ("cli:USER", "token:ID", "user:NAME"), kept with a new record (added_by).
  std::string added_by;
};

// Checks add options before anything is stored (kInvalidArgument naming the bad option).
Status ValidateAddOptions(const AddOptions& opts, size_t file_count);

struct Added {
  std::string file;
  std::string id;
  int version = 0;
  std::string sha256;
  uint64_t size = 0;
  uint64_t leaf_index = 0;
  std::string batch;  // the batch of the jobs scheduled for it
};

// What a tool made from a version (doc/format/manifest.md#derived-versions).
struct Derivation {
  int from = 0;          // the source version
  std::string artifact;  // text, ocr, transcript
  std::string tool, tool_version;
  std::vector<std::pair<std::string, std::string>> models;  // file name, SHA-256 hex
  Json params = Json::object();
  Json detected = Json::object();
  // The derivation key (doc/format/metadata.md): SHA-256 hex of the identifying members.
  Result<std::string> Key() const;
  Json ToJson() const;
};

// A blob of a derived version besides its text: bytes made in memory (OCR word boxes, a
// transcript's JSON) or a file the tool wrote (an access copy), stored in constant memory.
struct DerivedBlob {
  std::string role;  // ocr, transcript, access, poster
  std::string bytes;
  std::string path;  // if set, the blob is this file's bytes (not removed)
  // If set, the blob is this one, already stored for another version of the same record (a
  // corrected OCR text names its source's page images again): named, not stored again.
  std::string stored_sha256;
};

struct DerivedText {
  Derivation derivation;
  bool has_text = true;                 // false: no text blob and no segments (an access copy)
  std::string text;                     // pages separated by U+000C
  std::vector<DerivedBlob> blobs;       // in the order the manifest lists them
  std::string lang;                     // the language of most of the text
  std::vector<meta::Segment> segments;  // offsets into `text`
  // If set, the version is added only while the record's newest version is still this one,
  // checked in the transaction that adds it (kConflict, kChangedMeanwhile, otherwise): a person's
  // correction made from what they read never lands over a version made in between.
  int after_version = 0;
};

// What AddDerived answers when `after_version` is no longer the record's newest.
inline constexpr const char* kChangedMeanwhile =
    "the record gained a version while this one was being saved";

// Where a version's original came from, as its private object says: the file name it was
// added as and, for a bulk-import row, the manifest and line. Private metadata: for staff (the
// CLI) and for callers who may write the record, never for the public. Empty members when the
// private object is erased (a withdrawn record) or does not say.
struct FileSource {
  std::string file_name;
  std::string manifest;
  int line = 0;
  // "broken.pdf", "scan.pdf (manifest.csv:3)", or "" if nothing is known.
  std::string Describe() const;
  // {"file", "manifest", "line"}, the members known.
  Json ToJson() const;
};
FileSource SourceOf(const meta::Version& v);

// A version's page images (`page` blobs, doc/format/manifest.md) in page order, as its manifest
// lists them: the N-th is page N. (The store keeps a version's blobs once each, by hash, so two
// pages alike are one blob named twice.) kCorruption if the manifest is not readable.
Result<std::vector<meta::BlobRef>> PageImagesOf(const meta::Version& v);

class Records {
 public:
  explicit Records(Internal* in) : in_(in) {}

  // Stores each file, records a version of a record for it, and logs it. Every file is
  // checked before anything is stored; the whole call is one transaction in the database,
  // which also schedules an `extract` job for each (doc/ingest.md: run by ingest::Worker).
  // Returns after the signed checkpoint covers every new leaf. A new version of a record
  // (`record_id`) is refused, before its file is stored, if the record takes no change
  // (Consents::Writable: sealed or withdrawn).
  Result<std::vector<Added>> Add(const std::vector<std::string>& paths, const AddOptions& opts);

  // The second half of Add, for files whose originals are already in the blob store (bulk
  // import): one transaction for all of them, then the log. `file` names each in messages
  // and is kept, privately, as its file name.
  struct StoredFile {
    std::string file;
    blob::BlobInfo blob;
  };
  Result<std::vector<Added>> AddStored(const std::vector<StoredFile>& files,
                                       const AddOptions& opts);

  // Finishes a job leased by `owner` (ingest/worker.h): stores the derived text (if any) as
  // blobs, adds the derived version with a `derive` leaf (or finds the same derivation's
  // version), schedules `follow_ups` and marks the job done, in one transaction; then logs.
  Result<std::optional<meta::Version>> FinishJob(const meta::Job& job, const std::string& owner,
                                                 const DerivedText* derived,
                                                 const std::vector<meta::NewJob>& follow_ups,
                                                 const Json& outcome);
  // Adds what a person made from version `from` of a record (a corrected transcript) as a
  // derived version, as FinishJob does for a tool, and schedules its indexing. Refused for a
  // record that takes no change (Consents::Writable: sealed or withdrawn).
  Result<meta::Version> AddDerived(const std::string& record_id, int from,
                                   const DerivedText& derived);
  // The version a job works on, with its record.
  Result<std::pair<meta::Record, meta::Version>> JobVersion(const meta::Job& job);

  Result<meta::Record> Get(const std::string& id);
  // Every record, in order of creation.
  Result<std::vector<meta::Record>> List();
  // Replaces the free metadata (`--meta`: title, description, …) of a record: a new version
  // with the same files and a new private commitment, logged as `revise`. What was made from
  // the files (text, transcripts, index entries) stays. Refused, before anything else is read,
  // for a record that takes no such change (Consents::Writable: sealed or withdrawn).
  // Audited as an "edit" by `by` ("cli:USER", "token:ID", "user:NAME"), target the
  // record, detail {"version": N} (never the metadata).
  Result<meta::Version> EditMetadata(const std::string& id, const Json& meta,
                                     const std::string& by = "cli");
  // The record a bulk-import row id was imported as, if it was.
  Result<std::optional<std::string>> ImportedRecord(const std::string& import_id);

  // Segments of one record, every version's.
  Result<std::vector<meta::SegmentState>> Segments(const std::string& record_id);
  // Segment `segment_id` with its state; nullopt if there is none.
  Result<std::optional<meta::SegmentState>> Segment(int64_t segment_id);
  // The distinct values of annotations of `kind` (place, person, date) on segments of records
  // not withdrawn.
  Result<std::vector<std::string>> AnnotationValues(const std::string& kind);

  // A version's files (blobs, doc/format/blob_store.md), decrypted as they are read: from the
  // start, at any offset, or as a local file a tool can be given.
  Result<std::unique_ptr<SequentialFile>> OpenBlob(const std::string& sha256);
  Result<std::unique_ptr<blob::BlobReader>> OpenBlobReader(const std::string& sha256);
  Result<blob::LocalFile> LocalBlob(const std::string& sha256);
  // Every use of a blob by a version of a record that is not withdrawn.
  Result<std::vector<meta::BlobUse>> BlobUses(const std::string& sha256);

  // Sets a witness's name (private), community and languages (comma-separated tags).
  Status SetWitness(const meta::Witness& w);
  // kInvalidArgument, naming the field, if SetWitness would refuse `w`.
  Status CheckWitness(const meta::Witness& w) const;
  // The witnesses with these ids that exist.
  Result<std::map<std::string, meta::Witness>> Witnesses(const std::vector<std::string>& ids);

  // The queue of jobs (meta/store.h): `now` and lease times are RFC 3339 UTC, whole seconds.
  Result<std::vector<meta::Job>> ListJobs(const meta::JobFilter& filter);
  Result<meta::Job> GetJob(int64_t id);
  Result<meta::JobCounts> CountJobs(const std::string& batch);
  // The oldest job that may run now (of one of `kinds`, if any are given), leased to `owner`
  // until `lease_until`; nullopt if none.
  Result<std::optional<meta::Job>> LeaseJob(const std::string& owner, const std::string& now,
                                            const std::string& lease_until,
                                            const std::vector<std::string>& kinds);
  // A failed run: queued again after a backoff if `retry` and attempts remain, else failed.
  Result<meta::JobState> FailJob(int64_t id, const std::string& owner, const std::string& now,
                                 const std::string& error, bool retry);
  // A running job that nothing can run yet (no model): waiting, with `reason` as its error.
  Status ParkJob(int64_t id, const std::string& owner, const std::string& now,
                 const std::string& reason);
  // A running job whose owner is gone (a killed worker): queued again at once.
  Status ReleaseJob(int64_t id, const std::string& owner, const std::string& now);
  // How far running job `id` of `owner` is, in thousandths (meta::Store::SetJobProgress).
  Status SetJobProgress(int64_t id, const std::string& owner, int permille);
  // Waiting jobs of `kind` back to queued; how many.
  Result<int> WakeJobs(const std::string& kind, const std::string& now);
  // Failed or cancelled jobs back to queued with attempts 0.
  Status RetryJob(int64_t id, const std::string& now);
  Result<int> RetryFailedJobs(const std::string& now);
  Status CancelJob(int64_t id, const std::string& now);

 private:
  // The request that adds `derived`, made from `from`, as a new version of `record`; its blobs
  // are stored first. `jobs` are scheduled on the new version.
  Result<meta::AddRequest> DerivedRequest(const meta::Record& record, const meta::Version& from,
                                          const DerivedText* derived, const std::string& now,
                                          std::vector<meta::NewJob> jobs);
  Internal* in_;
};

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_RECORDS_H_
