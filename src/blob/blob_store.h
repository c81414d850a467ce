// Content-addressed storage of originals and derived files (doc/format/blob_store.md).
// BlobStore is the interface every backend implements (the file system now, S3 later);
// FsBlobStore keeps blobs under <root>/sha256/ab/cd/<hex>. Thread-safe; several processes
// may write the same store at once.
#ifndef ATTEST_BLOB_BLOB_STORE_H_
#define ATTEST_BLOB_BLOB_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"

namespace attest::blob {

struct BlobInfo {
  std::string sha256;  // 64 lowercase hex
  uint64_t size = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Streams the file at `path` into the store in constant memory and returns its address.
  // Durable when this returns ok. The same bytes are stored once.
  virtual Result<BlobInfo> PutFile(const std::string& path) = 0;
  virtual Result<BlobInfo> PutBytes(std::string_view data) = 0;
  // kNotFound if absent.
  virtual Result<BlobInfo> Stat(const std::string& sha256) = 0;
  // Re-reads and re-hashes a blob: kNotFound if absent, kCorruption if its bytes no longer
  // hash to its name.
  virtual Result<BlobInfo> Verify(const std::string& sha256) = 0;
  virtual Result<std::unique_ptr<SequentialFile>> Open(const std::string& sha256) = 0;
  // A file on this machine holding the blob's bytes, for libraries that read files themselves
  // (FFmpeg seeks in a video). kNotFound if absent. Callers only read it.
  virtual Result<std::string> LocalPath(const std::string& sha256) = 0;
  // Removes a blob durably; ok if it was absent.
  virtual Status Remove(const std::string& sha256) = 0;
  // Every stored address, in no particular order.
  virtual Result<std::vector<std::string>> List() = 0;
};

class FsBlobStore : public BlobStore {
 public:
  // `root` is ARCHIVE/blobs; created if missing.
  static Result<std::unique_ptr<FsBlobStore>> Open(Env* env, const std::string& root);

  Result<BlobInfo> PutFile(const std::string& path) override;
  Result<BlobInfo> PutBytes(std::string_view data) override;
  Result<BlobInfo> Stat(const std::string& sha256) override;
  Result<BlobInfo> Verify(const std::string& sha256) override;
  Result<std::unique_ptr<SequentialFile>> Open(const std::string& sha256) override;
  Result<std::string> LocalPath(const std::string& sha256) override;
  Status Remove(const std::string& sha256) override;
  Result<std::vector<std::string>> List() override;

  // The file holding a blob (whether or not it exists).
  std::string PathFor(const std::string& sha256) const;

 private:
  FsBlobStore(Env* env, std::string root) : env_(env), root_(std::move(root)) {}
  Result<BlobInfo> Put(SequentialFile* source, const std::string& what);

  Env* env_;
  std::string root_;
};

}  // namespace attest::blob

#endif  // ATTEST_BLOB_BLOB_STORE_H_
