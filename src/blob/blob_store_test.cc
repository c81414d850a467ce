#include "blob/blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "core/fault_env.h"
#include "core/hash.h"

namespace attest::blob {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/attest-blob-XXXXXX";
  return mkdtemp(tmpl);
}

TEST(BlobStoreTest, StoresByContentAddressOnce) {
  std::string dir = TempDir();
  auto store = *FsBlobStore::Open(Env::Default(), dir);
  auto a = store->PutBytes("hello");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->sha256, ToHex(Sha256("hello")));
  EXPECT_EQ(a->size, 5u);
  EXPECT_TRUE(Env::Default()->FileExists(
      dir + "/sha256/2c/f2/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
  ASSERT_TRUE(store->PutBytes("hello").ok());
  EXPECT_EQ(store->List()->size(), 1u);
  EXPECT_TRUE(Env::Default()->ListDir(dir + "/tmp")->empty());
}

TEST(BlobStoreTest, LargeFileStreamsAndVerifies) {
  std::string dir = TempDir();
  std::string src = dir + "/src.bin";
  std::string data(5 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 + (i >> 12));
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(src, data).ok());
  auto store = *FsBlobStore::Open(Env::Default(), dir + "/blobs");
  auto info = store->PutFile(src);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->sha256, ToHex(Sha256(data)));
  EXPECT_TRUE(store->Verify(info->sha256).ok());
}

TEST(BlobStoreTest, DamagedAndMissingBlobsAreReported) {
  std::string dir = TempDir();
  auto store = *FsBlobStore::Open(Env::Default(), dir);
  auto info = *store->PutBytes("original bytes");
  std::string path = store->PathFor(info.sha256);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(path, "tampered bytes").ok());
  auto v = store->Verify(info.sha256);
  EXPECT_EQ(v.status().code(), Code::kCorruption);
  EXPECT_NE(v.status().message().find(path), std::string::npos);
  ASSERT_TRUE(store->Remove(info.sha256).ok());
  EXPECT_TRUE(store->Verify(info.sha256).status().IsNotFound());
  EXPECT_EQ(store->Stat("not-hex").status().code(), Code::kInvalidArgument);
}

TEST(BlobStoreTest, MissingSourceAndDirectoryAreNamed) {
  std::string dir = TempDir();
  auto store = *FsBlobStore::Open(Env::Default(), dir + "/b");
  auto r = store->PutFile(dir + "/nope");
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_NE(r.status().message().find(dir + "/nope"), std::string::npos);
  EXPECT_EQ(store->PutFile(dir).status().code(), Code::kInvalidArgument);
}

TEST(BlobStoreTest, FaultAtEveryStepLeavesNoPartialBlob) {
  for (int k = 1;; ++k) {
    FaultEnv env(Env::Default());
    std::string dir = TempDir();
    auto store = *FsBlobStore::Open(&env, dir);
    env.FailAfter(k, FaultEnv::Mode::kFailOnce);
    auto r = store->PutBytes(std::string(3 << 20, 'z'));
    bool hit = env.fault_hit();
    env.Disarm();
    if (r.ok()) {
      EXPECT_TRUE(store->Verify(r->sha256).ok()) << k;
    } else {
      // No blob under its final name can be a partial one.
      for (const auto& sha : *store->List()) EXPECT_TRUE(store->Verify(sha).ok()) << k;
    }
    if (!hit) break;
  }
}

}  // namespace
}  // namespace attest::blob
