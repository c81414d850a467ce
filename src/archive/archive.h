// Archive: one attest archive directory (doc/format/archive.md) with its blob store, metadata
// store and log, and the operations the CLI and the server offer on it. Every decision about
// records lives here or below, so the CLI and HTTP layers only parse and format.
// Not thread-safe: open one Archive per thread. Several processes may open one archive.
#ifndef ATTEST_ARCHIVE_ARCHIVE_H_
#define ATTEST_ARCHIVE_ARCHIVE_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "archive/record_keys.h"
#include "blob/blob_store.h"
#include "core/env.h"
#include "core/json.h"
#include "meta/store.h"
#include "search/ask.h"
#include "search/embedder.h"
#include "search/lexical_index.h"
#include "search/semantic_index.h"
#include "search/translate.h"
#include "tlog/log.h"

namespace attest::archive {

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
};

struct DerivedText {
  Derivation derivation;
  bool has_text = true;                 // false: no text blob and no segments (an access copy)
  std::string text;                     // pages separated by U+000C
  std::vector<DerivedBlob> blobs;       // in the order the manifest lists them
  std::string lang;                     // the language of most of the text
  std::vector<meta::Segment> segments;  // offsets into `text`
};

// Kinds of the archive's names (`attest names`).
Status ValidateName(const std::string& name, const std::string& kind);

// The JSON form of search results, shared by `attest search --json` and the API
// (doc/search.md): records with their best segments, facets, cursor.
// With `segment_ref` (the HTTP API's and pages' form, Archive::SegmentRef), segments are
// named by their refs and hits carry no offsets into the stored text (doc/privacy.md).
Json SearchResultsToJson(const search::Results& r,
                         const std::function<std::string(int64_t)>& segment_ref = nullptr);

// The JSON form of a record, shared by `attest show --json`, `attest list --json` and the API:
// ids, consent, versions with their log positions and blob addresses. Private metadata is
// never part of it.
Json RecordToJson(const meta::Record& r);
// A record's consent changes as JSON: from, to, at and the log leaf; with `with_private` (for
// archivists) also why and who.
// With `segment_ref`, a passage is named by its ref, or (where the function answers "") only
// said to be a passage: {"passage": true}.
Json ConsentChangesToJson(const std::vector<meta::ConsentChange>& changes, bool with_private,
                          const std::function<std::string(int64_t)>& segment_ref = nullptr);

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

struct VerifyProblem {
  std::string kind;  // checkpoint, database, log, leaf, manifest, blob, metadata
  std::string record;
  int version = 0;
  std::string blob;
  std::string detail;
};

struct VerifyReport {
  bool ok = false;
  uint64_t log_size = 0;
  std::string root;  // base64
  uint64_t records = 0;
  uint64_t versions = 0;
  uint64_t blobs_checked = 0;
  uint64_t bytes_hashed = 0;
  std::vector<std::string> withdrawn;
  std::vector<VerifyProblem> problems;
  uint64_t unreferenced_blobs = 0;  // stored but named by no version (an interrupted add)
  Json ToJson() const;
};

struct Proof {
  std::string checkpoint;
  uint64_t leaf_index = 0;
  std::string leaf;
  std::vector<Digest> inclusion_proof;
  std::string manifest;
  std::string record;
  int version = 0;
  std::optional<uint64_t> withdrawn_leaf_index;
  Json ToJson() const;
};

struct Consistency {
  std::string checkpoint;
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::vector<Digest> proof;
  std::optional<Digest> new_root;  // when new_size is not the checkpoint's size
  Json ToJson() const;
};

// Where a record's redactions fall in each version of its text (doc/api.md "Redaction",
// doc/format/metadata.md migrations 11 and 12). A redaction hides its own span of its own
// segment; in every other version, its words where they have their old neighbours (and every
// occurrence when more are left than were readable in its own version), and in a recording
// whatever is spoken in its time range; a version its words cannot be found in is held until
// an archivist confirms it. A pure function of the record's segments and redactions.
struct RedactionPlan {
  // Code-point ranges to hide, by segment id ([0, INT64_MAX): all of it).
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> hide;
  // Versions a redaction could not be placed in (and no archivist confirmed): the ids of
  // those redactions, by version.
  // (A negative id -N: the level of passage N, which could not be found in that version.)
  std::map<int, std::vector<int64_t>> held;
  // A passage given a level of its own (`attest consent ID LEVEL --segment N`) keeps it in the
  // other versions where its words (or, in a recording, its time) are found: those segments'
  // levels, by id.
  std::map<int64_t, meta::Consent> levels;
  bool Held(int version) const { return held.count(version) > 0; }
  bool empty() const { return hide.empty() && held.empty() && levels.empty(); }
  // The level segment `s` is read at: its own effective level, or a passage's it holds.
  meta::Consent Level(const meta::SegmentState& s) const {
    auto it = levels.find(s.segment.id);
    return it == levels.end() ? s.effective : meta::Strictest(s.effective, it->second);
  }
};
// `segments`: every segment of one record (every version); `redactions`: that record's rows,
// confirmations included.
RedactionPlan PlanRedactions(const std::vector<meta::SegmentState>& segments,
                             const std::vector<meta::Redaction>& redactions);

// A segment's text with a plan applied: each hidden span becomes kRedactionMark; `marks` are
// the byte ranges of the marks in `text`.
inline constexpr std::string_view kRedactionMark = "\u2588\u2588\u2588\u2588\u2588";
struct RedactedText {
  std::string text;
  std::vector<std::pair<uint32_t, uint32_t>> marks;
};
RedactedText ApplyRedactions(const meta::SegmentState& s, const RedactionPlan& plan);

// Loaded at first use and shared between handles: the dictionaries of query translation and
// the embedding model (loaded again when another is registered). Thread-safe: the model is
// used under a lock.
class AskResources {
 public:
  explicit AskResources(std::string dict_dir = "/usr/share/dictd")
      : dict_dir_(std::move(dict_dir)) {}
  Result<const search::Translator*> GetTranslator();
  // With the registered embedding model `model` (its file must still have its SHA-256's size).
  Result<size_t> Dims(const meta::ModelFile& model);
  Result<std::vector<std::vector<float>>> EmbedPassages(const meta::ModelFile& model,
                                                        const std::vector<std::string>& texts);
  Result<std::vector<float>> EmbedQuery(const meta::ModelFile& model, std::string_view question);

 private:
  Status LoadLocked(const meta::ModelFile& model);
  std::mutex mu_;
  std::string dict_dir_;
  std::unique_ptr<search::Translator> translator_;
  std::unique_ptr<search::Embedder> embedder_;
  std::string embedder_sha256_;
};

class Archive {
 public:
  // Creates an archive in `dir` (absent or empty). `origin` names the log; empty: a default.
  static Status Init(Env* env, const std::string& dir, const std::string& origin);
  // Opens an archive and brings its log up to date with what the database has sequenced
  // (finishing the work of a command that was interrupted).
  static Result<std::unique_ptr<Archive>> Open(Env* env, const std::string& dir);

  // Stores each file, records a version of a record for it, and logs it. Every file is
  // checked before anything is stored; the whole call is one transaction in the database,
  // which also schedules an `extract` job for each (doc/ingest.md: run by ingest::Worker).
  // Returns after the signed checkpoint covers every new leaf.
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
  // derived version, as FinishJob does for a tool, and schedules its indexing.
  Result<meta::Version> AddDerived(const std::string& record_id, int from,
                                   const DerivedText& derived);
  // The version a job works on, with its record.
  Result<std::pair<meta::Record, meta::Version>> JobVersion(const meta::Job& job);

  Result<meta::Record> Get(const std::string& id);
  Result<std::vector<meta::Record>> List();
  // Withdraws a record: its blobs and private data are erased, its commitment stays, and a
  // withdraw leaf is logged. Running it again on a withdrawn record finishes any erasure an
  // interruption left undone.
  // `by` names who asked, for the audit log ("cli:USER", "token:ID").
  Result<meta::Withdrawal> Withdraw(const std::string& id, const std::string& reason,
                                    const std::string& by = "cli:unknown");
  // Changes a record's consent level to public, research, restricted or sealed (leaf.md,
  // `consent`): a consent leaf is logged and the search index follows. `reason` stays
  // private; `by` names who asked ("cli:USER", "token:ID"). nullopt if it was at that level.
  // Sealing needs `seal`: the day it opens (YYYY-MM-DD, UTC, after today) and the level it
  // opens to.
  struct Seal {
    std::string until;
    meta::Consent then = meta::Consent::kRestricted;
  };
  // With `segment_id`, that one segment's own level changes (public, research or restricted;
  // doc/format/leaf.md): it is shown at the stricter of its level and the record's.
  Result<std::optional<meta::ConsentChange>> ChangeConsent(const std::string& id, meta::Consent to,
                                                           const std::string& reason,
                                                           const std::string& by,
                                                           const Seal* seal = nullptr,
                                                           int64_t segment_id = 0);
  // Opens every seal whose day has come (by the Env's clock): the record takes the level it
  // was sealed to open to, a consent leaf is logged by "seal", and the index follows. Open
  // calls it, and so does the server before each request; cheap when nothing is due.
  Status OpenDueSeals();
  // Replaces the free metadata (`--meta`: title, description, …) of a record: a new version
  // with the same files and a new private commitment, logged as `revise`. What was made from
  // the files (text, transcripts, index entries) stays. kConflict for a withdrawn record.
  Result<meta::Version> EditMetadata(const std::string& id, const Json& meta);
  // Sets a witness's name (private), community and languages (comma-separated tags).
  Status SetWitness(const meta::Witness& w);
  // Writes that `actor` was shown `target` (a record or witness; "" for an answer listing
  // records in `detail`) to the audit log (doc/format/metadata.md, "The audit log").
  Status AuditView(const std::string& actor, const std::string& target, const Json& detail);
  // Hides a span of a segment's text (doc/api.md, "Redaction"): code points `chars` of its
  // text (nullopt: all of it), spoken at `ms` (nullopt: the segment's own times). The search
  // index drops the words (and is compacted); audited as `redact` by `by`.
  Result<meta::Redaction> Redact(const std::string& record_id, int64_t segment_id,
                                 std::optional<std::pair<int64_t, int64_t>> chars,
                                 std::optional<std::pair<int64_t, int64_t>> ms,
                                 const std::string& reason, const std::string& by);
  // An archivist confirms version `version` of a record held by redactions that could not be
  // placed in it (doc/api.md "Redaction"): one confirmation row for each such redaction; the
  // version is then shown with the marks that could be placed. kInvalidArgument if the version
  // is not held. Audited as `redact.confirm` by `by`. Returns the confirmed redactions' ids.
  Result<std::vector<int64_t>> ConfirmRedactions(const std::string& record_id, int version,
                                                 const std::string& reason,
                                                 const std::string& by);
  // The record's redaction plan (its segments and redactions read from the store).
  Result<RedactionPlan> PlanOf(const std::string& record_id);
  // The records a passage of which was given a level of its own (consent changes of one
  // segment): their plans carry those levels into other versions.
  Result<std::set<std::string>> RecordsWithPassageLevels();
  // Attaches a consent form (a scan, a PDF, a signed text) to witness `witness_id`: stored
  // encrypted, never logged or indexed, audited as `form.add` by `by` (doc/format/metadata.md,
  // migration 10).
  Result<meta::WitnessForm> AttachConsentForm(const std::string& witness_id,
                                              const std::string& path, const std::string& by);
  // Seals record `id`'s words in the database (doc/format/metadata.md, "Sealed text") and
  // encrypts its files that no other live record holds (doc/format/blob_store.md, "Encrypted
  // blobs"); what is sealed or encrypted already is left as it is.
  Status SealRecord(const std::string& id);
  RecordKeys* record_keys() { return record_keys_.get(); }

  // A record's consent changes, oldest first.
  Result<std::vector<meta::ConsentChange>> ConsentHistory(const std::string& id);
  Result<VerifyReport> Verify();

  Result<tlog::SignedCheckpoint> Checkpoint();
  std::string VerifierKey() const { return log_->verifier().Vkey(); }
  // How a segment is named outside the archive (doc/api.md "Segment ids"): "s" and 32 hex
  // digits, the segment's id enciphered under the archive's key `keys/ids.key`, so ids reveal
  // neither order nor count. SegmentOfRef reverses it (nullopt for anything else).
  std::string SegmentRef(int64_t segment_id) const;
  // The import id of a manifest row that has none (doc/import.md): its file's path relative
  // to the base directory, as "path:" and an HMAC keyed with keys/ids.key, so the imports
  // table (which a withdrawal keeps, to skip the row next time) holds no file name.
  std::string PathImportId(std::string_view relative_path) const;
  std::optional<int64_t> SegmentOfRef(std::string_view ref) const;
  Result<Proof> Prove(const std::string& id, std::optional<int> version);
  Result<Consistency> ProveConsistency(uint64_t old_size, std::optional<uint64_t> new_size);

  // Appends to the log every leaf the database has sequenced beyond the checkpoint.
  Status Integrate();

  // Brings the search index up to the database: new segments indexed, withdrawn records'
  // segments removed. Idempotent; finishes what a crash interrupted. Then the semantic index
  // (SyncSemantic).
  Status SyncIndex();
  // The embedding model of the semantic index: the newest registered (`attest models add
  // --kind embedding`); nullopt if none.
  Result<std::optional<meta::ModelFile>> EmbeddingModel();
  // Brings the semantic index (doc/format/semantic_index.md) up to the database with the
  // embedding model, if one is registered: new segments embedded, changes of consent and
  // redactions embedded again at their level, withdrawn records' segments removed; built anew
  // when the model changed. Idempotent; a crash loses only what was not yet saved.
  // A failure is also kept in archive_info `semantic.error` (`attest models list` shows it);
  // success clears it.
  Status SyncSemantic();
  // Rebuilds the search index from attest.db alone, then swaps it in.
  Status Reindex();
  // Builds the semantic index anew from attest.db (when an embedding model is registered),
  // without the points earlier withdrawals and moves left in its graphs.
  Status RebuildSemantic();
  // Searches segments (doc/search.md); the archive's names and annotated places and people
  // are added to the request.
  Result<search::Results> Search(search::SearchRequest request);
  // Search keeps pages of results in `cache`, shared with other Archive objects of the same
  // directory in this process (a server's; doc/search.md, "In the server").
  void ShareSearchCache(std::shared_ptr<search::ResultCache> cache);
  Result<std::vector<search::Suggestion>> Suggest(std::string_view prefix, search::Role role,
                                                  size_t limit);
  // Ask's retrieval (search/ask.h, doc/ask.md) over the index, with the archive's names, the
  // FreeDict dictionaries and, when an embedding model is registered, the semantic index.
  Result<search::Retrieved> Retrieve(search::RetrieveRequest request);
  // What Retrieve loads once (the dictionaries, the embedding model), shared by the Archive
  // handles of one process (a server's).
  void ShareAskResources(std::shared_ptr<AskResources> resources) { ask_ = std::move(resources); }
  std::shared_ptr<AskResources> ask_resources() const { return ask_; }
  // The archive's list of names that search matches across scripts.
  Status AddName(const std::string& name, const std::string& kind);
  Result<bool> RemoveName(const std::string& name);

  // The operator's settings, ARCHIVE/config.json (doc/format/archive.md): {} when there is
  // none; kInvalidArgument naming the file and what is wrong with it.
  Result<Json> Config();
  const std::string& dir() const { return dir_; }
  blob::BlobStore* blobs() { return blobs_.get(); }
  Env* env() const { return env_; }
  meta::Store* store() { return store_.get(); }
  tlog::Log* log() { return log_.get(); }

 private:
  Archive(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}
  Status CheckFile(const std::string& path);
  // Indexes the segments after `after_id`, with `redactions` (every record's) applied.
  Status IndexSegments(search::LexicalIndex* index, int64_t after_id, int64_t* last_id,
                       const std::vector<meta::Redaction>& redactions);
  // The request that adds `derived`, made from `from`, as a new version of `record`; its blobs
  // are stored first. `jobs` are scheduled on the new version.
  Result<meta::AddRequest> DerivedRequest(const meta::Record& record, const meta::Version& from,
                                          const DerivedText* derived, const std::string& now,
                                          std::vector<meta::NewJob> jobs);
  // Records how far the index has followed the database (after the index has committed).
  Status RecordIndexProgress(int64_t segment, int64_t withdrawal_leaf, int64_t consent_leaf);
  // Puts every current segment of a record into the index again (at its level now).
  Status IndexRecord(search::LexicalIndex* index, const std::string& record_id);
  Status SyncLexical();
  Status FollowSemantic();  // SyncSemantic, without its bookkeeping of failures
  // Embeds `segments` (their text with `redactions` applied) into `index` at their levels.
  Status EmbedSegments(search::SemanticIndex* index, const meta::ModelFile& model,
                       const std::vector<meta::SegmentState>& segments,
                       const std::vector<meta::Redaction>& redactions);
  // The semantic index for searching (reopened when it was saved since), if it was built with
  // `model`; nullptr if there is none yet.
  Result<search::SemanticIndex*> SemanticReader(const meta::ModelFile& model);
  std::unique_ptr<search::SemanticIndex> semantic_reader_;
  std::string semantic_stamp_;
  Status RemoveIndexTree(const std::string& dir);
  // Puts the index built or compacted in `fresh` (under index/) in the live one's place.
  Status SwapInIndex(const std::string& fresh);
  // The archive's name list, and a digest of it (the index records which list it used).
  Result<std::vector<std::string>> ListedNames();
  static std::string NamesTag(const std::vector<std::string>& names);

  Env* env_;
  std::string dir_;
  std::string ids_key_;  // 16 bytes: AES-128 key of segment refs (keys/ids.key)
  std::unique_ptr<blob::FsBlobStore> blobs_;
  std::unique_ptr<RecordKeys> record_keys_;  // before store_, which uses it
  std::unique_ptr<meta::Store> store_;
  std::unique_ptr<tlog::Log> log_;
  // The search index, kept open between searches of this handle (reopened to its newest
  // state each time; opened afresh when a rebuild has swapped in a new directory).
  Result<search::LexicalIndex*> Reader();
  // Reader, or nullptr when nothing was ever indexed (an archive without text).
  Result<search::LexicalIndex*> SearchReader();
  // What search matches across scripts: the listed names, annotated places and people.
  Result<std::vector<std::string>> SearchNames();
  std::unique_ptr<search::LexicalIndex> reader_;
  uint64_t reader_inode_ = 0;
  std::shared_ptr<search::ResultCache> search_cache_;
  std::shared_ptr<AskResources> ask_ = std::make_shared<AskResources>();
  std::string no_seals_due_on_;  // a day (YYYY-MM-DD) OpenDueSeals found nothing due on
};

struct ProofCheck {
  std::string record;
  int version = 0;
  std::string kind;
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  std::string origin;
  bool file_checked = false;
  Json ToJson() const;
};

// Checks a proof made by Archive::Prove, offline, against a verifier key; with `file`, also
// that the file is one the proven version committed to. Any failure names what failed.
Result<ProofCheck> VerifyProof(Env* env, const std::string& proof_json, const std::string& vkey,
                               const std::optional<std::string>& file);

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_ARCHIVE_H_
