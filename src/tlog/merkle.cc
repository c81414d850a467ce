#include "tlog/merkle.h"

#include <bit>
#include <cstring>

namespace attest::tlog {
namespace {

// Largest power of two strictly less than n. REQUIRES: n > 1.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

Status AppendInclusion(HashReader& r, uint64_t m, uint64_t lo, uint64_t hi,
                       std::vector<Digest>* out) {
  // PATH(m, D[lo:hi]) with m relative to lo, appended bottom-up.
  if (hi - lo <= 1) return Status::Ok();
  uint64_t k = SplitPoint(hi - lo);
  if (m < k) {
    RETURN_IF_ERROR(AppendInclusion(r, m, lo, lo + k, out));
    ASSIGN_OR_RETURN(Digest h, RangeHash(r, lo + k, hi));
    out->push_back(h);
  } else {
    RETURN_IF_ERROR(AppendInclusion(r, m - k, lo + k, hi, out));
    ASSIGN_OR_RETURN(Digest h, RangeHash(r, lo, lo + k));
    out->push_back(h);
  }
  return Status::Ok();
}

Status AppendSubproof(HashReader& r, uint64_t m, uint64_t lo, uint64_t hi, bool complete,
                      std::vector<Digest>* out) {
  uint64_t n = hi - lo;
  if (m == n) {
    if (!complete) {
      ASSIGN_OR_RETURN(Digest h, RangeHash(r, lo, hi));
      out->push_back(h);
    }
    return Status::Ok();
  }
  uint64_t k = SplitPoint(n);
  if (m <= k) {
    RETURN_IF_ERROR(AppendSubproof(r, m, lo, lo + k, complete, out));
    ASSIGN_OR_RETURN(Digest h, RangeHash(r, lo + k, hi));
    out->push_back(h);
  } else {
    RETURN_IF_ERROR(AppendSubproof(r, m - k, lo + k, hi, false, out));
    ASSIGN_OR_RETURN(Digest h, RangeHash(r, lo, lo + k));
    out->push_back(h);
  }
  return Status::Ok();
}

}  // namespace

Digest HashLeaf(std::string_view leaf) {
  std::string buf;
  buf.reserve(leaf.size() + 1);
  buf.push_back('\0');
  buf.append(leaf);
  return Sha256(buf);
}

Digest HashChildren(const Digest& left, const Digest& right) {
  uint8_t buf[65];
  buf[0] = 1;
  std::memcpy(buf + 1, left.data(), 32);
  std::memcpy(buf + 33, right.data(), 32);
  return Sha256(std::string_view(reinterpret_cast<const char*>(buf), sizeof(buf)));
}

Digest EmptyRoot() { return Sha256(""); }

Result<Digest> RangeHash(HashReader& reader, uint64_t lo, uint64_t hi) {
  uint64_t n = hi - lo;
  if (std::has_single_bit(n) && lo % n == 0) {
    return reader.SubtreeHash(std::countr_zero(n), lo / n);
  }
  uint64_t k = SplitPoint(n);
  ASSIGN_OR_RETURN(Digest left, RangeHash(reader, lo, lo + k));
  ASSIGN_OR_RETURN(Digest right, RangeHash(reader, lo + k, hi));
  return HashChildren(left, right);
}

Result<Digest> TreeRoot(HashReader& reader, uint64_t size) {
  if (size == 0) return EmptyRoot();
  return RangeHash(reader, 0, size);
}

Result<std::vector<Digest>> InclusionProof(HashReader& reader, uint64_t index, uint64_t size) {
  if (index >= size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is not in a tree of size " + std::to_string(size));
  }
  std::vector<Digest> out;
  RETURN_IF_ERROR(AppendInclusion(reader, index, 0, size, &out));
  return out;
}

Result<std::vector<Digest>> ConsistencyProof(HashReader& reader, uint64_t old_size,
                                             uint64_t new_size) {
  if (old_size > new_size) {
    return Status::InvalidArgument("old size " + std::to_string(old_size) +
                                   " is larger than new size " + std::to_string(new_size));
  }
  std::vector<Digest> out;
  if (old_size == 0 || old_size == new_size) return out;
  RETURN_IF_ERROR(AppendSubproof(reader, old_size, 0, new_size, true, &out));
  return out;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Digest& leaf_hash,
                       std::span<const Digest> proof, const Digest& root) {
  if (index >= size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is not below tree size " + std::to_string(size));
  }
  uint64_t fn = index, sn = size - 1;
  Digest r = leaf_hash;
  for (const Digest& p : proof) {
    if (sn == 0) return Status::InvalidArgument("inclusion proof is too long");
    if ((fn & 1) == 1 || fn == sn) {
      r = HashChildren(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("inclusion proof is too short");
  if (r != root) return Status::Corruption("inclusion proof does not lead to the root");
  return Status::Ok();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Digest& old_root,
                         const Digest& new_root, std::span<const Digest> proof) {
  if (old_size > new_size) return Status::InvalidArgument("old size is larger than new size");
  if (old_size == new_size) {
    if (!proof.empty()) return Status::InvalidArgument("consistency proof should be empty");
    if (old_root != new_root) return Status::Corruption("roots of equal sizes differ");
    return Status::Ok();
  }
  if (old_size == 0) {
    if (!proof.empty()) return Status::InvalidArgument("consistency proof should be empty");
    return Status::Ok();
  }
  if (proof.empty()) return Status::InvalidArgument("consistency proof is empty");
  std::vector<Digest> path(proof.begin(), proof.end());
  if (std::has_single_bit(old_size)) path.insert(path.begin(), old_root);
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Digest& c = path[i];
    if (sn == 0) return Status::InvalidArgument("consistency proof is too long");
    if ((fn & 1) == 1 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("consistency proof is too short");
  if (fr != old_root) return Status::Corruption("consistency proof does not lead to the old root");
  if (sr != new_root) return Status::Corruption("consistency proof does not lead to the new root");
  return Status::Ok();
}

Result<Digest> MemoryHashReader::SubtreeHash(int level, uint64_t index) {
  uint64_t lo = index << level, n = uint64_t{1} << level;
  if (lo + n > leaves_.size()) return Status::NotFound("subtree beyond the tree");
  if (level == 0) return leaves_[lo];
  ASSIGN_OR_RETURN(Digest l, SubtreeHash(level - 1, index * 2));
  ASSIGN_OR_RETURN(Digest r, SubtreeHash(level - 1, index * 2 + 1));
  return HashChildren(l, r);
}

}  // namespace attest::tlog
