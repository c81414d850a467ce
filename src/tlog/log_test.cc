#include "tlog/log.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "core/fault_env.h"
#include "core/temp_dir.h"
#include "tlog/test_vectors.h"
#include "tlog/tiles.h"

namespace attest::tlog {
namespace {

Signer TestSigner() {
  return *Signer::FromSeed("example.org/attest-test", std::string(32, '\x07'));
}

TEST(TilesTest, PathsFollowC2sp) {
  EXPECT_EQ(TileIndexPath(1234067), "x001/x234/067");
  EXPECT_EQ(TileIndexPath(5), "005");
  EXPECT_EQ(TileIndexPath(1000), "x001/000");
  EXPECT_EQ(HashTilePath(0, 5, 256), "tile/0/005");
  EXPECT_EQ(HashTilePath(1, 1234067, 12), "tile/1/x001/x234/067.p/12");
  EXPECT_EQ(EntryBundlePath(0, 3), "tile/entries/000.p/3");
}

TEST(LogTest, OneByOneAppendsMatchKnownRootsAndProofsFromTiles) {
  Json v = LoadVectors();
  TempDir temp_dir("attest-log");
  std::string dir = temp_dir.path();
  auto log = *Log::Create(Env::Default(), dir, TestSigner());
  auto lock = *log->LockForWrite();
  for (uint64_t i = 0; i < 64; ++i) {
    std::string leaf = "leaf " + std::to_string(i);
    auto cp = log->Append(i, {leaf});
    ASSERT_TRUE(cp.ok()) << cp.status().ToString();
    EXPECT_EQ(cp->checkpoint.root, D(v["roots"][i + 1]));
  }
  // The checkpoint written is the known one, byte for byte (deterministic signing).
  EXPECT_EQ(*Env::Default()->ReadFile(dir + "/checkpoint"), v["checkpoint"].get<std::string>());
  for (const auto& c : v["inclusion"]) {
    auto p = log->InclusionProof(c["leaf_index"], c["tree_size"]);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, Ds(c["inclusion_proof"]));
  }
  for (const auto& c : v["consistency"]) {
    EXPECT_EQ(*log->ConsistencyProof(c["old_size"], c["new_size"]), Ds(c["consistency_proof"]));
  }
  EXPECT_EQ(*log->ReadLeaf(17, 64), "leaf 17");
}

TEST(LogTest, LargeLogAcrossTileLevelsMatchesReference) {
  TempDir temp_dir("attest-log");
  std::string dir = temp_dir.path();
  auto log = *Log::Create(Env::Default(), dir, TestSigner());
  auto lock = *log->LockForWrite();
  std::vector<Digest> hashes;
  std::mt19937_64 rng(42);
  uint64_t size = 0;
  std::vector<uint64_t> sizes;
  while (size < 66000) {  // beyond 65,536 leaves: a level-2 tile exists
    uint64_t n = 1 + rng() % 3000;
    std::vector<std::string> batch;
    for (uint64_t i = 0; i < n; ++i) {
      batch.push_back("entry " + std::to_string(size + i));
      hashes.push_back(HashLeaf(batch.back()));
    }
    auto cp = log->Append(size, batch);
    ASSERT_TRUE(cp.ok()) << cp.status().ToString();
    size += n;
    sizes.push_back(size);
    MemoryHashReader ref(hashes);
    ASSERT_EQ(cp->checkpoint.root, *TreeRoot(ref, size)) << size;
  }
  MemoryHashReader ref(hashes);
  EXPECT_TRUE(Env::Default()->FileExists(dir + "/tile/2/000.p/1"));
  // Proofs at old sizes whose partial tiles were removed come from full tiles.
  for (int k = 0; k < 200; ++k) {
    uint64_t n = sizes[rng() % sizes.size()];
    uint64_t m = 1 + rng() % n;
    uint64_t idx = rng() % n;
    ASSERT_EQ(*log->InclusionProof(idx, n), *InclusionProof(ref, idx, n)) << idx << "/" << n;
    ASSERT_EQ(*log->ConsistencyProof(m, n), *ConsistencyProof(ref, m, n)) << m << "->" << n;
  }
  auto latest = *log->Latest();
  uint64_t seen = 0;
  EXPECT_TRUE(
      log->Audit(size, latest.checkpoint.root, [&](uint64_t, const std::string&) { ++seen; }).ok());
  EXPECT_EQ(seen, size);
}

TEST(LogTest, AppendRejectsWrongExpectedSizeAndOversizedLeaf) {
  TempDir temp_dir("attest-log");
  std::string dir = temp_dir.path();
  auto log = *Log::Create(Env::Default(), dir, TestSigner());
  auto lock = *log->LockForWrite();
  EXPECT_EQ(log->Append(3, {"x"}).status().code(), Code::kConflict);
  EXPECT_EQ(log->Append(0, {std::string(65536, 'x')}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(log->Latest()->checkpoint.size, 0u);
}

TEST(LogTest, CreateRefusesExistingLog) {
  TempDir temp_dir("attest-log");
  std::string dir = temp_dir.path();
  ASSERT_TRUE(Log::Create(Env::Default(), dir, TestSigner()).ok());
  EXPECT_EQ(Log::Create(Env::Default(), dir, TestSigner()).status().code(), Code::kConflict);
}

TEST(LogTest, AuditNamesADamagedTile) {
  TempDir temp_dir("attest-log");
  std::string dir = temp_dir.path();
  auto log = *Log::Create(Env::Default(), dir, TestSigner());
  auto lock = *log->LockForWrite();
  std::vector<std::string> leaves;
  for (int i = 0; i < 300; ++i) leaves.push_back("l" + std::to_string(i));
  auto cp = *log->Append(0, leaves);
  std::string tile = dir + "/tile/0/000";
  std::string data = *Env::Default()->ReadFile(tile);
  data[100] ^= 1;
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(tile, data).ok());
  Status st = log->Audit(300, cp.checkpoint.root, [](uint64_t, const std::string&) {});
  EXPECT_EQ(st.code(), Code::kCorruption);
  EXPECT_NE(st.message().find("tile/0/000"), std::string::npos);
  // A truncated entry bundle is named too.
  std::string bundle = dir + "/tile/entries/001.p/44";
  std::string b = *Env::Default()->ReadFile(bundle);
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(bundle, b.substr(0, b.size() - 3)).ok());
  st = log->Audit(300, cp.checkpoint.root, [](uint64_t, const std::string&) {});
  EXPECT_NE(st.message().find("entries/001.p/44"), std::string::npos) << st.ToString();
}

TEST(LogTest, ADamagedRightEdgeIsNeverExtended) {
  TempDir temp_dir("attest-log");
  std::string dir = temp_dir.path();
  auto log = *Log::Create(Env::Default(), dir, TestSigner());
  auto lock = *log->LockForWrite();
  auto cp = *log->Append(0, {"a", "b", "c"});
  std::string tile = dir + "/tile/0/000.p/3";
  std::string t = *Env::Default()->ReadFile(tile);
  t[40] ^= 1;
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(tile, t).ok());
  auto fresh = *Log::Open(Env::Default(), dir, TestSigner().verifier(), TestSigner());
  EXPECT_EQ(fresh->CheckAppendable().code(), Code::kCorruption);
  EXPECT_EQ(fresh->Append(3, {"d"}).status().code(), Code::kCorruption);
  EXPECT_EQ(fresh->Latest()->checkpoint.root, cp.checkpoint.root);  // nothing re-signed
  // A damaged entry bundle likewise.
  t[40] ^= 1;
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(tile, t).ok());
  ASSERT_TRUE(
      Env::Default()
          ->WriteFileAtomic(dir + "/tile/entries/000.p/3", EncodeEntryBundle({"a", "X", "c"}))
          .ok());
  EXPECT_EQ(fresh->Append(3, {"d"}).status().code(), Code::kCorruption);
}

TEST(LogTest, ACheckpointSignedByAnotherKeyIsRejected) {
  TempDir temp_dir("attest-log");
  std::string dir = temp_dir.path();
  ASSERT_TRUE(Log::Create(Env::Default(), dir, TestSigner()).ok());
  auto other = *Signer::FromSeed("example.org/attest-test", std::string(32, '\x08'));
  auto log = Log::Open(Env::Default(), dir, other.verifier(), std::nullopt);
  ASSERT_TRUE(log.ok());
  EXPECT_FALSE((*log)->Latest().ok());
}

// Every failure point of an append (each create, write, sync, rename, directory sync) leaves
// a log that reads as the old or the new checkpoint, and appending again completes it.
TEST(LogTest, CrashAtEveryStepOfAnAppendRecovers) {
  FaultEnv probe(Env::Default());
  {
    TempDir temp_dir("attest-log");
    std::string dir = temp_dir.path();
    auto log = *Log::Create(&probe, dir, TestSigner());
    std::vector<std::string> first(250, "a");
    ASSERT_TRUE(log->Append(0, first).ok());
    int64_t before = probe.count();
    ASSERT_TRUE(log->Append(250, std::vector<std::string>(20, "b")).ok());
    ASSERT_GT(probe.count() - before, 10);
  }
  for (int k = 1;; ++k) {
    FaultEnv env(Env::Default());
    TempDir temp_dir("attest-log");
    std::string dir = temp_dir.path();
    auto log = *Log::Create(&env, dir, TestSigner());
    auto old_cp = *log->Append(0, std::vector<std::string>(250, "a"));
    env.FailAfter(k, FaultEnv::Mode::kCrash);
    auto r = log->Append(250, std::vector<std::string>(20, "b"));
    bool hit = env.fault_hit();
    env.Disarm();
    auto reopened = *Log::Open(Env::Default(), dir, TestSigner().verifier(), TestSigner());
    auto latest = reopened->Latest();
    ASSERT_TRUE(latest.ok()) << "fault at step " << k << ": " << latest.status().ToString();
    if (latest->checkpoint.size == 250) {
      EXPECT_EQ(latest->checkpoint.root, old_cp.checkpoint.root);
      ASSERT_TRUE(reopened->Append(250, std::vector<std::string>(20, "b")).ok()) << k;
    }
    auto fin = *reopened->Latest();
    EXPECT_EQ(fin.checkpoint.size, 270u);
    EXPECT_TRUE(reopened->Audit(270, fin.checkpoint.root, [](uint64_t, const std::string&) {}).ok())
        << "fault at step " << k;
    if (!hit) {
      EXPECT_TRUE(r.ok());
      break;
    }
  }
}

}  // namespace
}  // namespace attest::tlog
