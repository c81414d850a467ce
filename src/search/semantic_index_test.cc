#include "search/semantic_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

#include "core/temp_dir.h"

namespace attest::search {
namespace {

std::vector<float> Unit(std::mt19937* rng, size_t dims) {
  std::normal_distribution<float> n;
  std::vector<float> v(dims);
  double norm = 0;
  for (float& x : v) {
    x = n(*rng);
    norm += x * x;
  }
  for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

class SemanticIndexTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_dir_.Join("semantic"); }
  TempDir temp_dir_{"attest-semantic"};  // removed when the test ends
  std::string dir_;
};

TEST_F(SemanticIndexTest, ASearchSeesOnlyTheCallersLevelsNearestFirst) {
  std::mt19937 rng(7);
  auto idx = *SemanticIndex::Open(dir_, 16);
  std::vector<std::vector<float>> v;
  for (int i = 0; i < 300; ++i) v.push_back(Unit(&rng, 16));
  // 1-100 public, 101-200 research, 201-300 restricted.
  for (int i = 0; i < 300; ++i) {
    meta::Consent c = i < 100   ? meta::Consent::kPublic
                      : i < 200 ? meta::Consent::kResearch
                                : meta::Consent::kRestricted;
    ASSERT_TRUE(idx->Put(i + 1, c, v[i]).ok());
  }
  EXPECT_EQ(idx->Count(), 300u);
  for (auto [role, max] : {std::pair{Role::kAnonymous, 100}, std::pair{Role::kResearcher, 200},
                           std::pair{Role::kArchivist, 300}}) {
    for (int probe : {5, 150, 250}) {
      auto r = idx->Search(v[probe], role, 10);
      ASSERT_TRUE(r.ok());
      ASSERT_FALSE(r->empty());
      for (int64_t id : *r) EXPECT_LE(id, max) << "a level the caller may not see";
      if (probe < max) {
        EXPECT_EQ((*r)[0], probe + 1) << "the vector itself is nearest";
      }
    }
  }
  // A change of level moves it; sealing or withdrawing takes it out.
  ASSERT_TRUE(idx->Put(250, meta::Consent::kPublic, v[249]).ok());
  EXPECT_EQ((*idx->Search(v[249], Role::kAnonymous, 1))[0], 250);
  ASSERT_TRUE(idx->Put(250, meta::Consent::kSealed, v[249]).ok());
  for (Role role : {Role::kAnonymous, Role::kArchivist}) {
    for (int64_t id : *idx->Search(v[249], role, 20)) EXPECT_NE(id, 250);
  }
  ASSERT_TRUE(idx->Remove(5).ok());
  EXPECT_NE((*idx->Search(v[4], Role::kArchivist, 1))[0], 5);
  EXPECT_EQ(idx->Count(), 298u);
  EXPECT_EQ(idx->Put(7, meta::Consent::kPublic, std::vector<float>(3)).code(),
            Code::kInvalidArgument);
}

TEST_F(SemanticIndexTest, ItIsSavedWholeAndReopenedWithItsProvenance) {
  std::mt19937 rng(9);
  std::vector<float> a = Unit(&rng, 8), b = Unit(&rng, 8);
  {
    auto idx = *SemanticIndex::Open(dir_, 8);
    ASSERT_TRUE(idx->Put(1, meta::Consent::kPublic, a).ok());
    ASSERT_TRUE(idx->Put(2, meta::Consent::kResearch, b).ok());
    idx->SetProvenance({{"model_sha256", std::string(64, 'a')}, {"tool", "llama.cpp"}});
    idx->SetLastSegment(2);
    ASSERT_TRUE(idx->Save().ok());
    // More after the save, never saved: a crash here loses only what was not saved.
    ASSERT_TRUE(idx->Put(3, meta::Consent::kPublic, b).ok());
  }
  auto r = SemanticIndex::OpenReadOnly(dir_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->Count(), 2u);
  EXPECT_EQ((*r)->last_segment(), 2);
  EXPECT_EQ((*r)->provenance()["tool"], "llama.cpp");
  EXPECT_EQ((*(*r)->Search(a, Role::kAnonymous, 5)), std::vector<int64_t>{1});
  EXPECT_EQ((*(*r)->Search(b, Role::kResearcher, 1))[0], 2);
  // Another width is refused, and damage is named.
  EXPECT_EQ(SemanticIndex::Open(dir_, 16).status().code(), Code::kInvalidArgument);
  std::ofstream(dir_ + "/meta.json") << "{\"format\": 99}";
  EXPECT_EQ(SemanticIndex::OpenReadOnly(dir_).status().code(), Code::kCorruption);
  EXPECT_EQ(SemanticIndex::OpenReadOnly(dir_ + "/absent").status().code(), Code::kNotFound);
}

// A withdrawn (or moved) segment's vector is erased from the graph file it leaves, not only
// marked deleted: nothing derived from its words stays there.
TEST_F(SemanticIndexTest, ARemovedVectorLeavesNoTraceInTheSavedGraph) {
  std::vector<float> v(8, 0.0f);
  v[0] = 0.6f;
  v[1] = 0.8f;
  auto idx = *SemanticIndex::Open(dir_, 8);
  std::mt19937 rng(3);
  for (int i = 1; i <= 20; ++i)
    ASSERT_TRUE(idx->Put(i, meta::Consent::kPublic, Unit(&rng, 8)).ok());
  ASSERT_TRUE(idx->Put(99, meta::Consent::kPublic, v).ok());
  ASSERT_TRUE(idx->Save().ok());
  auto contains = [&](const std::string& file) {
    std::ifstream in(dir_ + "/" + file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::string needle(reinterpret_cast<const char*>(v.data()), 2 * sizeof(float));
    return bytes.find(needle) != std::string::npos;
  };
  ASSERT_TRUE(contains("public.hnsw"));
  ASSERT_TRUE(idx->Remove(99).ok());
  ASSERT_TRUE(idx->Save().ok());
  EXPECT_FALSE(contains("public.hnsw")) << "the vector is still in the file";
  // Moved to a stricter level: gone from the graph it left.
  ASSERT_TRUE(idx->Put(98, meta::Consent::kPublic, v).ok());
  ASSERT_TRUE(idx->Put(98, meta::Consent::kRestricted, v).ok());
  ASSERT_TRUE(idx->Save().ok());
  EXPECT_FALSE(contains("public.hnsw"));
  EXPECT_TRUE(contains("restricted.hnsw"));
  EXPECT_EQ((*idx->Search(v, Role::kArchivist, 1))[0], 98);
}

}  // namespace
}  // namespace attest::search
