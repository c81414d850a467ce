// Log: an append-only Merkle log kept as C2SP tlog-tiles in a directory, with signed
// checkpoints (doc/format/tiles.md, checkpoint.md). Appending is done by one writer at a time,
// across processes, under the lock from LockForWrite(); reading needs no lock because tiles
// are immutable once a checkpoint refers to them and the checkpoint is replaced atomically.
// A Log object is not thread-safe; open one per thread.
#ifndef ATTEST_TLOG_LOG_H_
#define ATTEST_TLOG_LOG_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tiles.h"

namespace attest::tlog {

struct SignedCheckpoint {
  Checkpoint checkpoint;
  std::string note;  // the signed note, as stored in log/checkpoint
};

class Log {
 public:
  // Creates an empty log in `dir` (which must not hold a checkpoint) with a signed checkpoint
  // of size 0.
  static Result<std::unique_ptr<Log>> Create(Env* env, const std::string& dir, Signer signer);
  // Opens a log; `signer` is needed only to append.
  static Result<std::unique_ptr<Log>> Open(Env* env, const std::string& dir, Verifier verifier,
                                           std::optional<Signer> signer);

  const Verifier& verifier() const { return verifier_; }
  const std::string& dir() const { return dir_; }

  // The latest checkpoint, after checking its signature and origin.
  Result<SignedCheckpoint> Latest();

  // Takes the cross-process writer lock (log/.lock).
  Result<std::unique_ptr<FileLock>> LockForWrite();

  // Appends `leaves` to a log whose current size must be `expected_size` (else kConflict),
  // writes the tiles and a new signed checkpoint, and returns it.
  // REQUIRES: the caller holds the lock from LockForWrite().
  Result<SignedCheckpoint> Append(uint64_t expected_size, const std::vector<std::string>& leaves);

  // Checks that the tiles an append builds on (the right edge of the tree and the last entry
  // bundle) reproduce the signed checkpoint: a damaged log is never extended and re-signed.
  Status CheckAppendable();

  Result<std::string> ReadLeaf(uint64_t index, uint64_t tree_size);
  Result<Digest> RootAt(uint64_t tree_size);
  Result<std::vector<Digest>> InclusionProof(uint64_t index, uint64_t tree_size);
  Result<std::vector<Digest>> ConsistencyProof(uint64_t old_size, uint64_t new_size);

  // Re-derives every tile of a tree of `tree_size` from its entry bundles, checks each stored
  // tile against it and the root against `expected_root`, and calls `on_leaf` for every leaf
  // in order. Problems are returned as kCorruption naming the tile.
  Status Audit(uint64_t tree_size, const Digest& expected_root,
               const std::function<void(uint64_t index, const std::string& leaf)>& on_leaf);

 private:
  Log(Env* env, std::string dir, Verifier verifier, std::optional<Signer> signer)
      : env_(env),
        dir_(std::move(dir)),
        verifier_(std::move(verifier)),
        signer_(std::move(signer)) {}
  Status WriteTile(const std::string& rel_path, std::string_view data);
  Status WriteCheckpoint(const Checkpoint& cp, std::string* note);
  Status CheckRightEdge(const Checkpoint& cp);

  Env* env_;
  std::string dir_;
  Verifier verifier_;
  std::optional<Signer> signer_;
  std::vector<std::string> made_dirs_;
  // Tiles read or written by this Log, for proofs (full tiles never change).
  std::shared_ptr<TileCache> cache_ = std::make_shared<TileCache>(4096);
};

}  // namespace attest::tlog

#endif  // ATTEST_TLOG_LOG_H_
