#include "tlog/merkle.h"

#include <gtest/gtest.h>

#include "tlog/test_vectors.h"

namespace attest::tlog {
namespace {

// The definition of RFC 6962 §2.1, written as plainly as possible, for cross-checking.
Digest NaiveRoot(const std::vector<std::string>& leaves, size_t lo, size_t hi) {
  if (hi == lo) return EmptyRoot();
  if (hi - lo == 1) return HashLeaf(leaves[lo]);
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return HashChildren(NaiveRoot(leaves, lo, lo + k), NaiveRoot(leaves, lo + k, hi));
}

class MerkleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v_ = LoadVectors();
    for (const auto& l : v_["leaves"]) leaves_.push_back(*Base64Decode(l.get<std::string>()));
    std::vector<Digest> hashes;
    for (const auto& l : leaves_) hashes.push_back(HashLeaf(l));
    reader_ = std::make_unique<MemoryHashReader>(hashes);
  }
  Json v_;
  std::vector<std::string> leaves_;
  std::unique_ptr<MemoryHashReader> reader_;
};

TEST_F(MerkleTest, EmptyTreeRootIsSha256OfNothing) {
  EXPECT_EQ(ToHex(EmptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(D(v_["roots"][0]), EmptyRoot());
}

TEST_F(MerkleTest, Rfc6962LeafAndNodeHashing) {
  // From RFC 6962's reference test data (certificate-transparency-go merkle tests): the
  // hash of the empty leaf and of a tree of that leaf with itself.
  EXPECT_EQ(ToHex(HashLeaf("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  std::string leaf1 = *FromHex("00");
  EXPECT_EQ(ToHex(HashLeaf(leaf1)),
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  std::vector<std::string> rfc = {"",
                                  "00",
                                  "10",
                                  "2021",
                                  "3031",
                                  "40414243",
                                  "5051525354555657",
                                  "606162636465666768696a6b6c6d6e6f"};
  std::vector<Digest> hashes;
  for (auto& h : rfc) hashes.push_back(HashLeaf(*FromHex(h)));
  MemoryHashReader r(hashes);
  const char* roots[] = {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  for (int k = 1; k <= 8; ++k) EXPECT_EQ(ToHex(*TreeRoot(r, k)), roots[k - 1]) << k;
}

TEST_F(MerkleTest, RootsMatchKnownAnswersAndNaiveReference) {
  for (size_t k = 1; k <= 64; ++k) {
    EXPECT_EQ(*TreeRoot(*reader_, k), D(v_["roots"][k])) << "size " << k;
    EXPECT_EQ(*TreeRoot(*reader_, k), NaiveRoot(leaves_, 0, k)) << "size " << k;
  }
}

TEST_F(MerkleTest, EveryInclusionProofUpTo64MatchesAndVerifies) {
  ASSERT_EQ(v_["inclusion"].size(), 2080u);
  for (const auto& c : v_["inclusion"]) {
    uint64_t size = c["tree_size"], index = c["leaf_index"];
    auto want = Ds(c["inclusion_proof"]);
    auto got = InclusionProof(*reader_, index, size);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, want) << index << "/" << size;
    Digest root = NaiveRoot(leaves_, 0, size);
    EXPECT_TRUE(VerifyInclusion(index, size, HashLeaf(leaves_[index]), want, root).ok());
  }
}

TEST_F(MerkleTest, EveryConsistencyProofUpTo64MatchesAndVerifies) {
  ASSERT_EQ(v_["consistency"].size(), 2080u);
  for (const auto& c : v_["consistency"]) {
    uint64_t m = c["old_size"], n = c["new_size"];
    auto want = Ds(c["consistency_proof"]);
    auto got = ConsistencyProof(*reader_, m, n);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, want) << m << "->" << n;
    EXPECT_TRUE(
        VerifyConsistency(m, n, NaiveRoot(leaves_, 0, m), NaiveRoot(leaves_, 0, n), want).ok())
        << m << "->" << n;
  }
}

TEST_F(MerkleTest, TamperedInclusionProofsAreRejected) {
  for (const auto& c : v_["inclusion"]) {
    uint64_t size = c["tree_size"], index = c["leaf_index"];
    auto proof = Ds(c["inclusion_proof"]);
    Digest root = D(v_["roots"][size]);
    Digest leaf = HashLeaf(leaves_[index]);
    // Wrong leaf, wrong index, wrong root.
    EXPECT_FALSE(VerifyInclusion(index, size, HashLeaf("not a leaf"), proof, root).ok());
    if (size > 1) {
      EXPECT_FALSE(VerifyInclusion((index + 1) % size, size, leaf, proof, root).ok());
    }
    EXPECT_FALSE(VerifyInclusion(index, size, leaf, proof, D(v_["roots"][size - 1])).ok());
    EXPECT_TRUE(VerifyInclusion(index, size, leaf, proof, root).ok());
    for (size_t i = 0; i < proof.size(); ++i) {
      auto bad = proof;
      bad[i][i % 32] ^= 1;  // a flipped bit
      EXPECT_EQ(VerifyInclusion(index, size, leaf, bad, root).code(), Code::kCorruption);
      auto truncated = proof;
      truncated.resize(i);  // every truncation
      EXPECT_FALSE(VerifyInclusion(index, size, leaf, truncated, root).ok());
    }
    auto extended = proof;
    extended.push_back(root);
    EXPECT_FALSE(VerifyInclusion(index, size, leaf, extended, root).ok());
  }
  EXPECT_FALSE(VerifyInclusion(5, 5, HashLeaf(leaves_[4]), {}, D(v_["roots"][5])).ok());
}

TEST_F(MerkleTest, ConsistencyProofRejectsRewrittenHistory) {
  // A log that rewrote leaf 0 and re-rooted: the old root no longer matches.
  std::vector<std::string> forged = leaves_;
  forged[0] = "rewritten";
  std::vector<Digest> hashes;
  for (const auto& l : forged) hashes.push_back(HashLeaf(l));
  MemoryHashReader fr(hashes);
  for (uint64_t m = 1; m < 64; ++m) {
    for (uint64_t n : {m + 1, uint64_t{64}}) {
      auto proof = *ConsistencyProof(fr, m, n);
      Digest forged_new = *TreeRoot(fr, n);
      EXPECT_EQ(VerifyConsistency(m, n, D(v_["roots"][m]), forged_new, proof).code(),
                Code::kCorruption)
          << m << "->" << n;
    }
  }
}

TEST_F(MerkleTest, TamperedAndTruncatedConsistencyProofsAreRejected) {
  for (const auto& c : v_["consistency"]) {
    uint64_t m = c["old_size"], n = c["new_size"];
    auto proof = Ds(c["consistency_proof"]);
    Digest old_root = D(v_["roots"][m]), new_root = D(v_["roots"][n]);
    for (size_t i = 0; i < proof.size(); ++i) {
      auto bad = proof;
      bad[i][0] ^= 0x80;
      EXPECT_FALSE(VerifyConsistency(m, n, old_root, new_root, bad).ok()) << m << "->" << n;
      auto truncated = proof;
      truncated.resize(i);
      EXPECT_FALSE(VerifyConsistency(m, n, old_root, new_root, truncated).ok());
    }
    if (m < n) {
      auto extended = proof;
      extended.push_back(new_root);
      EXPECT_FALSE(VerifyConsistency(m, n, old_root, new_root, extended).ok());
      EXPECT_FALSE(VerifyConsistency(m, n, old_root, D(v_["roots"][n - 1]), proof).ok());
    }
  }
  EXPECT_FALSE(VerifyConsistency(5, 4, D(v_["roots"][5]), D(v_["roots"][4]), {}).ok());
}

}  // namespace
}  // namespace attest::tlog
