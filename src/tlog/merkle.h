// RFC 6962 / RFC 9162 Merkle tree hashing, proof construction and proof verification.
// Construction reads hashes of complete subtrees through a HashReader, so proofs come from
// tiles without loading the whole tree. All functions are pure; thread-safe.
#ifndef ATTEST_TLOG_MERKLE_H_
#define ATTEST_TLOG_MERKLE_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/hash.h"
#include "core/status.h"

namespace attest::tlog {

Digest HashLeaf(std::string_view leaf);
Digest HashChildren(const Digest& left, const Digest& right);
Digest EmptyRoot();

// Gives the hash of the complete subtree of height `level` whose leftmost leaf is
// index << level. Implementations: tiles (tiles.h) and an in-memory reference.
class HashReader {
 public:
  virtual ~HashReader() = default;
  virtual Result<Digest> SubtreeHash(int level, uint64_t index) = 0;
};

// MTH(D[lo:hi]). REQUIRES: lo < hi, and lo a multiple of the largest power of two < hi - lo.
Result<Digest> RangeHash(HashReader& reader, uint64_t lo, uint64_t hi);
// The root of a tree of `size` leaves (EmptyRoot() for 0).
Result<Digest> TreeRoot(HashReader& reader, uint64_t size);

// RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in a tree of `size`.
Result<std::vector<Digest>> InclusionProof(HashReader& reader, uint64_t index, uint64_t size);
// RFC 9162 §2.1.4.1 consistency proof from `old_size` to `new_size`.
Result<std::vector<Digest>> ConsistencyProof(HashReader& reader, uint64_t old_size,
                                             uint64_t new_size);

// RFC 9162 §2.1.3.2. kCorruption if the proof does not lead to `root`, kInvalidArgument if
// it is malformed (wrong length, index out of range).
Status VerifyInclusion(uint64_t index, uint64_t size, const Digest& leaf_hash,
                       std::span<const Digest> proof, const Digest& root);
// RFC 9162 §2.1.4.2.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Digest& old_root,
                         const Digest& new_root, std::span<const Digest> proof);

// Reference implementation over leaf hashes held in memory (tests, small trees).
class MemoryHashReader : public HashReader {
 public:
  explicit MemoryHashReader(std::vector<Digest> leaf_hashes) : leaves_(std::move(leaf_hashes)) {}
  Result<Digest> SubtreeHash(int level, uint64_t index) override;
  uint64_t size() const { return leaves_.size(); }

 private:
  std::vector<Digest> leaves_;
};

}  // namespace attest::tlog

#endif  // ATTEST_TLOG_MERKLE_H_
