// The metadata store: collections, witnesses, records, versions, segments and the log's leaf
// sequence (doc/format/metadata.md). Store is the interface each backend implements (SQLite
// now, PostgreSQL later); every method is one transaction. A Store object is not thread-safe:
// open one per thread. Several processes may use one archive's store at once.
#ifndef ATTEST_META_STORE_H_
#define ATTEST_META_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace attest::meta {

enum class Consent { kPublic, kResearch, kRestricted, kSealed, kWithdrawn };
const char* ConsentName(Consent c);
// Accepts public, research, restricted, sealed, withdrawn.
Result<Consent> ParseConsent(std::string_view s);

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
  std::string created;
  std::string salt;  // raw bytes; empty once withdrawn
  std::optional<std::string> withdrawn_at;
  std::optional<uint64_t> withdraw_leaf_index;
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
  Consent effective = Consent::kRestricted;  // the strictest of record and segment
};

// The stricter of two levels (withdrawn > sealed > restricted > research > public).
Consent Strictest(Consent a, Consent b);

struct NewVersion {
  std::string manifest;
  std::string manifest_sha256;
  std::string private_json;
  std::string lang;
  std::string created;
  std::string leaf;  // the log leaf stating this version
  std::vector<BlobRef> blobs;
  std::vector<Segment> segments;  // text of the version, if known when it is added
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

  virtual Result<uint64_t> RecordCount() = 0;
  virtual Result<uint64_t> LeafCount() = 0;
  virtual Result<std::vector<std::string>> Leaves(uint64_t start, uint64_t limit) = 0;

  // Full consistency check of the backend's own storage (SQLite: integrity_check).
  virtual Status CheckIntegrity() = 0;
};

// Opens (and with `create`, creates) the SQLite store at `path`, migrating it to the current
// schema. A database from a newer attest is refused.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, bool create);

constexpr int kSchemaVersion = 2;

}  // namespace attest::meta

#endif  // ATTEST_META_STORE_H_
