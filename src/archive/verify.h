// The verifier: the archive's log (doc/format/log.md) as others check it. It integrates what
// the database has sequenced into the log, signs checkpoints, proves inclusion and
// consistency, and verifies the whole archive against its log in passes: the checkpoint, the
// leaves, the audit chain, every version with its files, the log's other statements, and the
// files nobody names. VerifyProof checks a proof offline. A part of an Archive (archive.h).
// Not thread-safe, like the Archive it belongs to; processes share the log under a lock.
#ifndef ATTEST_ARCHIVE_VERIFY_H_
#define ATTEST_ARCHIVE_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/status.h"
#include "meta/store.h"
#include "tlog/log.h"

namespace attest::archive {

struct Internal;

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

class Verifier {
 public:
  explicit Verifier(Internal* in) : in_(in) {}

  // Appends to the log every leaf the database has sequenced beyond the checkpoint.
  Status Integrate();
  Result<tlog::SignedCheckpoint> Checkpoint();
  std::string VerifierKey() const;

  // Checks the whole archive against its log; what is wrong is listed in the report, in the
  // order the passes find it.
  Result<VerifyReport> Verify();

  Result<Proof> Prove(const std::string& id, std::optional<int> version);
  Result<Consistency> ProveConsistency(uint64_t old_size, std::optional<uint64_t> new_size);

 private:
  struct Run;  // what the passes of one Verify share
  // The database's state and the signed checkpoint; false if there is no checkpoint to check
  // against (nothing more can be checked).
  Result<bool> CheckpointPass(Run* run);
  // The tiles re-derive to the signed root, and each leaf in them is the database's.
  void LeavesPass(Run* run);
  // The audit log's chain: the first entry that does not follow the one before is named.
  Status AuditChainPass(Run* run);
  // Every version: its manifest, its leaf, its private commitment, its files (BlobsOf).
  Status VersionsPass(Run* run);
  void CheckVersion(Run* run, const meta::VersionState& vs);
  // A version's files: each hashed once, whoever else names it.
  void BlobsOf(Run* run, const meta::Version& v, const std::vector<meta::BlobRef>& blobs);
  // The leaves of withdrawals and consent changes state them, and every leaf is accounted for.
  Status StatementsPass(Run* run);
  // Stored files that nobody names are counted (an interrupted add).
  void UnreferencedBlobsPass(Run* run);

  Internal* in_;
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

// Checks a proof made by Verifier::Prove, offline, against a verifier key; with `file`, also
// that the file is one the proven version committed to. Any failure names what failed.
Result<ProofCheck> VerifyProof(Env* env, const std::string& proof_json, const std::string& vkey,
                               const std::optional<std::string>& file);

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_VERIFY_H_
