// What the parts of one Archive (archive.h) share: the archive's directory and keys, its blob
// store, metadata store and log, the search resources, and the parts themselves, for the calls
// one part makes on another. Included by src/archive/ only: nothing outside it reaches the
// stores but through a part. Not thread-safe, like the Archive that owns it.
#ifndef ATTEST_ARCHIVE_INTERNAL_H_
#define ATTEST_ARCHIVE_INTERNAL_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/manifest.h"
#include "archive/record_keys.h"
#include "blob/blob_store.h"
#include "core/env.h"
#include "core/json.h"
#include "meta/store.h"
#include "search/resources.h"
#include "tlog/log.h"

namespace attest::archive {

class Records;
class Consents;
class Indexer;
class SemanticSync;
class Finder;
class Verifier;
class AuditLog;

struct Internal {
  Env* env = nullptr;
  std::string dir;
  std::string ids_key;  // 16 bytes: AES-128 key of segment refs (keys/ids.key)
  std::unique_ptr<blob::FsBlobStore> blobs;
  std::unique_ptr<RecordKeys> record_keys;  // before store, which uses it
  std::unique_ptr<meta::Store> store;
  std::unique_ptr<tlog::Log> log;
  // What Retrieve and the semantic index load once (the dictionaries, the embedding model),
  // shared by the Archive handles of one process (a server's).
  std::shared_ptr<search::Resources> ask = std::make_shared<search::Resources>();

  // The parts, owned by the Archive, for the calls between them.
  Records* records = nullptr;
  Consents* consent = nullptr;
  Indexer* indexer = nullptr;
  SemanticSync* semantic = nullptr;
  Finder* finder = nullptr;
  Verifier* verifier = nullptr;
  AuditLog* audit = nullptr;

  // Now by the Env's clock, RFC 3339.
  std::string Now() const { return FormatRfc3339(env->NowMicros()); }
};

// Leaves read from the database at once (log integration, verification).
inline constexpr uint64_t kLeafBatch = 65536;

// Whether a record's files are stored encrypted under keys of their own (crypto-shredding,
// doc/format/blob_store.md "Encrypted blobs").
bool EncryptsFiles(meta::Consent c);

// A printable form of a path for messages, with bytes that are not UTF-8 escaped.
std::string Printable(const std::string& path);

// Checks that `path` names a regular file that can be read (kInvalidArgument, kNotFound).
Status CheckFile(Env* env, const std::string& path);

// Metadata from outside without the control characters it has no use for
// (core/text_safety.h): its names on one line, its values keeping their lines.
Json CleanMetadata(const Json& j);

// A version's manifest, private commitment and leaf, from its manifest fields and private
// object; `kind` is the leaf's (add, revise).
Result<meta::NewVersion> BuildVersion(ManifestFields mf, const Json& priv, const std::string& salt,
                                      const std::string& kind);

// A number archive_info keeps as text (index progress); `fallback` if it is absent or
// unreadable (unreadable bookkeeping means "start over": indexing is idempotent).
int64_t InfoInt(const std::optional<std::string>& v, int64_t fallback);

// Removes an index directory (one database per consent level, each a flat directory).
Status RemoveIndexTree(Env* env, const std::string& dir);

// The archive's name list (`attest names`), by name.
Result<std::vector<std::string>> ListedNames(meta::Store* store);

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_INTERNAL_H_
