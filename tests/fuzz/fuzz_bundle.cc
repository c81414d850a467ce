// Fuzz target: entry bundles and inclusion proofs as fetched from a log's tiles.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tlog/merkle.h"
#include "tlog/tiles.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace attest;
  std::string in(reinterpret_cast<const char*>(data), size);
  for (uint64_t expect : {uint64_t{1}, uint64_t{3}, uint64_t{256}}) {
    (void)tlog::ParseEntryBundle(in, expect, "fuzz");
  }
  if (size >= 16) {
    uint64_t index, tree_size;
    std::memcpy(&index, data, 8);
    std::memcpy(&tree_size, data + 8, 8);
    std::vector<Digest> proof((size - 16) / 32);
    for (size_t i = 0; i < proof.size(); ++i) std::memcpy(proof[i].data(), data + 16 + 32 * i, 32);
    Digest leaf = tlog::HashLeaf("x");
    (void)tlog::VerifyInclusion(index, tree_size, leaf, proof, leaf);
    (void)tlog::VerifyConsistency(index, tree_size, leaf, leaf, proof);
  }
  return 0;
}
