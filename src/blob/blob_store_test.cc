#include "blob/blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "core/fault_env.h"
#include "core/hash.h"
#include "core/temp_dir.h"

namespace attest::blob {
namespace {

TEST(BlobStoreTest, StoresByContentAddressOnce) {
  TempDir temp_dir("attest-blob");
  std::string dir = temp_dir.path();
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
  TempDir temp_dir("attest-blob");
  std::string dir = temp_dir.path();
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
  TempDir temp_dir("attest-blob");
  std::string dir = temp_dir.path();
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
  TempDir temp_dir("attest-blob");
  std::string dir = temp_dir.path();
  auto store = *FsBlobStore::Open(Env::Default(), dir + "/b");
  auto r = store->PutFile(dir + "/nope");
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_NE(r.status().message().find(dir + "/nope"), std::string::npos);
  EXPECT_EQ(store->PutFile(dir).status().code(), Code::kInvalidArgument);
}

TEST(BlobStoreTest, FaultAtEveryStepLeavesNoPartialBlob) {
  for (int k = 1;; ++k) {
    FaultEnv env(Env::Default());
    TempDir temp_dir("attest-blob");
    std::string dir = temp_dir.path();
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

// Bytes that do not repeat, so that a window of them found elsewhere is no accident.
std::string Pattern(size_t n, uint32_t seed) {
  std::string data(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    data[i] = static_cast<char>(x);
  }
  return data;
}

std::string ReadAll(BlobStore* store, const std::string& sha) {
  auto f = store->Open(sha);
  if (!f.ok()) return "(" + f.status().ToString() + ")";
  std::string out;
  char buf[7000];  // not a divisor of the chunk: reads straddle chunks
  while (true) {
    auto n = (*f)->Read(sizeof(buf), buf);
    if (!n.ok()) return "(" + n.status().ToString() + ")";
    if (*n == 0) return out;
    out.append(buf, *n);
  }
}

TEST(BlobStoreTest, AnEncryptedBlobReadsBackWholeAndAtAnyOffsetAndHoldsNoPlaintext) {
  TempDir temp_dir("attest-blob");
  std::string dir = temp_dir.path();
  auto store = *FsBlobStore::Open(Env::Default(), dir + "/blobs", dir + "/keys");
  for (size_t n : {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537},
                   size_t{200000}, size_t{3 * 65536}}) {
    std::string data = Pattern(n, static_cast<uint32_t>(n));
    auto info = store->PutBytes(data, /*encrypt=*/true);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->sha256, ToHex(Sha256(data)));
    EXPECT_TRUE(*store->IsEncrypted(info->sha256)) << n;
    EXPECT_EQ(store->Stat(info->sha256)->size, n);
    std::string raw = *Env::Default()->ReadFile(store->PathFor(info->sha256));
    EXPECT_EQ(raw.size(), 32 + n + 17 * std::max<size_t>(1, (n + 65535) / 65536)) << n;
    EXPECT_EQ(raw.substr(0, 8), "attestE1");
    if (n >= 64) {
      EXPECT_EQ(raw.find(data.substr(n / 2, 32)), std::string::npos) << n;
    }
    auto key = Env::Default()->ReadFile(store->KeyPathFor(info->sha256));
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->size(), 32u);
    struct stat st;
    ASSERT_EQ(::stat(store->KeyPathFor(info->sha256).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0400u);

    EXPECT_EQ(ReadAll(store.get(), info->sha256), data) << n;
    EXPECT_TRUE(store->Verify(info->sha256).ok()) << n;
    // Reads out of order, backwards and across chunks, as a player's ranges come.
    auto reader = *store->OpenReader(info->sha256);
    for (uint64_t at : {n / 2, n / 3, uint64_t{0}, n > 70000 ? uint64_t{65530} : 0, n - n / 4}) {
      std::string got(100, '\0');
      size_t k = *reader->ReadAt(at, got.size(), got.data());
      got.resize(k);
      EXPECT_EQ(got, data.substr(std::min<uint64_t>(at, n), 100)) << n << " at " << at;
    }
    auto local = store->Local(info->sha256);
    ASSERT_TRUE(local.ok());
    EXPECT_EQ(local->path().rfind("/proc/self/fd/", 0), 0u);
    EXPECT_EQ(*Env::Default()->ReadFile(local->path()), data);
  }
  EXPECT_TRUE(Env::Default()->ListDir(dir + "/blobs/tmp")->empty());
}

TEST(BlobStoreTest, AnAlteredOrCutEncryptedBlobIsAnErrorNeverWrongBytes) {
  TempDir temp_dir("attest-blob");
  std::string dir = temp_dir.path();
  auto store = *FsBlobStore::Open(Env::Default(), dir + "/blobs", dir + "/keys");
  std::string data = Pattern(150000, 7);
  auto info = *store->PutBytes(data, true);
  std::string path = store->PathFor(info.sha256);
  std::string raw = *Env::Default()->ReadFile(path);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  std::string flipped = raw;
  flipped[100000] ^= 1;
  // Cut at a chunk's end: the stream lacks its final chunk.
  std::string cut = raw.substr(0, 32 + 65553);
  for (const std::string& bad : {flipped, cut}) {
    ASSERT_TRUE(Env::Default()->WriteFileAtomic(path, bad).ok());
    EXPECT_EQ(store->Verify(info.sha256).status().code(), Code::kCorruption);
    auto reader = store->OpenReader(info.sha256);
    if (!reader.ok()) continue;
    std::string got(data.size(), '\0');
    auto n = (*reader)->ReadAt(0, got.size(), got.data());
    EXPECT_FALSE(n.ok() && *n == data.size() && got == data);
    if (n.ok()) {
      EXPECT_LT(*n, data.size());
    }
  }
}

TEST(BlobStoreTest, RemovingAnEncryptedBlobDestroysItsKeySoNoCopyOpensAgain) {
  TempDir temp_dir("attest-blob");
  std::string dir = temp_dir.path();
  auto store = *FsBlobStore::Open(Env::Default(), dir + "/blobs", dir + "/keys");
  std::string data = "a sample restricted file, zqshredcanary, for this test";
  auto info = *store->PutBytes(data, true);
  std::string backup = *Env::Default()->ReadFile(store->PathFor(info.sha256));  // a copy
  ASSERT_TRUE(store->Remove(info.sha256).ok());
  EXPECT_FALSE(Env::Default()->FileExists(store->KeyPathFor(info.sha256)));
  EXPECT_FALSE(Env::Default()->FileExists(store->PathFor(info.sha256)));
  EXPECT_EQ(backup.find("zqshredcanary"), std::string::npos);
  // The copy put back is no blob anyone can read: its key is gone.
  ASSERT_TRUE(Env::Default()->CreateDirs(DirName(store->PathFor(info.sha256))).ok());
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(store->PathFor(info.sha256), backup).ok());
  EXPECT_FALSE(*store->IsEncrypted(info.sha256));
  EXPECT_EQ(store->Verify(info.sha256).status().code(), Code::kCorruption);
  EXPECT_EQ(ReadAll(store.get(), info.sha256).find("zqshredcanary"), std::string::npos);
}

TEST(BlobStoreTest, APlainBlobIsEncryptedInPlaceAndSharedPlainBytesStayPlain) {
  TempDir temp_dir("attest-blob");
  std::string dir = temp_dir.path();
  auto store = *FsBlobStore::Open(Env::Default(), dir + "/blobs", dir + "/keys");
  std::string data = Pattern(100000, 3);
  auto info = *store->PutBytes(data);
  EXPECT_FALSE(*store->IsEncrypted(info.sha256));
  // The same bytes put again to be encrypted: the stored copy is kept as it is.
  ASSERT_TRUE(store->PutBytes(data, true).ok());
  EXPECT_FALSE(*store->IsEncrypted(info.sha256));
  ASSERT_TRUE(store->Encrypt(info.sha256).ok());
  EXPECT_TRUE(*store->IsEncrypted(info.sha256));
  EXPECT_EQ(ReadAll(store.get(), info.sha256), data);
  std::string raw = *Env::Default()->ReadFile(store->PathFor(info.sha256));
  EXPECT_EQ(raw.find(data.substr(5000, 32)), std::string::npos);
  ASSERT_TRUE(store->Encrypt(info.sha256).ok());  // again: nothing to do
  EXPECT_EQ(ReadAll(store.get(), info.sha256), data);

  // Stopped between the key and the file's replacement: the key stands beside the plaintext,
  // which is still read as plaintext, and encrypting again finishes the work.
  std::string other = Pattern(1000, 9);
  auto o = *store->PutBytes(other);
  ASSERT_TRUE(Env::Default()->CreateDirs(DirName(store->KeyPathFor(o.sha256))).ok());
  ASSERT_TRUE(
      Env::Default()->WriteFileAtomic(store->KeyPathFor(o.sha256), std::string(32, 'k')).ok());
  EXPECT_FALSE(*store->IsEncrypted(o.sha256));
  EXPECT_EQ(ReadAll(store.get(), o.sha256), other);
  EXPECT_TRUE(store->Verify(o.sha256).ok());
  ASSERT_TRUE(::chmod(store->KeyPathFor(o.sha256).c_str(), 0600) == 0);
  ASSERT_TRUE(Env::Default()->RemoveFile(store->KeyPathFor(o.sha256)).ok());
  ASSERT_TRUE(
      Env::Default()->WriteFileAtomic(store->KeyPathFor(o.sha256), std::string(32, 'k')).ok());
  ASSERT_TRUE(store->Encrypt(o.sha256).ok());
  EXPECT_TRUE(*store->IsEncrypted(o.sha256));
  EXPECT_EQ(ReadAll(store.get(), o.sha256), other);

  // A store without keys cannot encrypt, and says so.
  auto keyless = *FsBlobStore::Open(Env::Default(), dir + "/plain");
  EXPECT_EQ(keyless->PutBytes("x", true).status().code(), Code::kInvalidArgument);
}

TEST(BlobStoreTest, FaultAtEveryStepOfAnEncryptedPutLeavesNoPartialOrUnreadableBlob) {
  for (int k = 1;; ++k) {
    FaultEnv env(Env::Default());
    TempDir temp_dir("attest-blob");
    std::string dir = temp_dir.path();
    auto store = *FsBlobStore::Open(&env, dir + "/blobs", dir + "/keys");
    env.FailAfter(k, FaultEnv::Mode::kFailOnce);
    std::string data = Pattern(300000, 5);
    auto r = store->PutBytes(data, true);
    bool hit = env.fault_hit();
    env.Disarm();
    if (r.ok()) {
      EXPECT_EQ(ReadAll(store.get(), r->sha256), data) << k;
    }
    for (const auto& sha : *store->List()) EXPECT_TRUE(store->Verify(sha).ok()) << k;
    if (!hit) break;
  }
}

}  // namespace
}  // namespace attest::blob
