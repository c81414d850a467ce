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

// A blob's bytes (its plaintext, if it is stored encrypted) at any offset. Not thread-safe.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual uint64_t size() const = 0;
  // Reads up to `n` bytes at `offset` (fewer only at the end). kCorruption if an encrypted
  // blob's chunk fails authentication.
  virtual Result<size_t> ReadAt(uint64_t offset, size_t n, char* out) = 0;
};

// A blob as a file on this machine, for libraries that read files themselves (FFmpeg seeks in
// a video). An encrypted blob's plaintext is held in memory (memfd) as long as this lives, and
// `path` (/proc/self/fd/N) names it in this process only. Callers only read it.
class LocalFile {
 public:
  LocalFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  LocalFile(LocalFile&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_) { o.fd_ = -1; }
  LocalFile(const LocalFile&) = delete;
  LocalFile& operator=(const LocalFile&) = delete;
  ~LocalFile();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_;  // -1: a plain blob's own file
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Streams the file at `path` into the store in constant memory and returns its address (the
  // SHA-256 of the bytes) and size. Durable when this returns ok. The same bytes are stored
  // once. `encrypt`: stored encrypted under a key of its own (doc/format/blob_store.md,
  // "Encrypted blobs"), unless the same bytes are stored already.
  virtual Result<BlobInfo> PutFile(const std::string& path, bool encrypt = false) = 0;
  virtual Result<BlobInfo> PutBytes(std::string_view data, bool encrypt = false) = 0;
  // kNotFound if absent. The size is the plaintext's.
  virtual Result<BlobInfo> Stat(const std::string& sha256) = 0;
  // Whether a blob is stored encrypted. kNotFound if absent.
  virtual Result<bool> IsEncrypted(const std::string& sha256) = 0;
  // Re-reads and re-hashes a blob: kNotFound if absent, kCorruption if its bytes no longer
  // hash to its name (or an encrypted blob no longer decrypts).
  virtual Result<BlobInfo> Verify(const std::string& sha256) = 0;
  virtual Result<std::unique_ptr<SequentialFile>> Open(const std::string& sha256) = 0;
  virtual Result<std::unique_ptr<BlobReader>> OpenReader(const std::string& sha256) = 0;
  // kNotFound if absent.
  virtual Result<LocalFile> Local(const std::string& sha256) = 0;
  // Encrypts a stored blob in place under a new key of its own; ok if it is encrypted already.
  virtual Status Encrypt(const std::string& sha256) = 0;
  // Removes a blob durably (an encrypted one's key first); ok if it was absent.
  virtual Status Remove(const std::string& sha256) = 0;
  // Every stored address, in no particular order.
  virtual Result<std::vector<std::string>> List() = 0;
};

class FsBlobStore : public BlobStore {
 public:
  // `root` is ARCHIVE/blobs, `key_root` ARCHIVE/keys/blobs (empty: this store cannot encrypt);
  // both created if missing.
  static Result<std::unique_ptr<FsBlobStore>> Open(Env* env, const std::string& root,
                                                   const std::string& key_root = "");

  Result<BlobInfo> PutFile(const std::string& path, bool encrypt = false) override;
  Result<BlobInfo> PutBytes(std::string_view data, bool encrypt = false) override;
  Result<BlobInfo> Stat(const std::string& sha256) override;
  Result<bool> IsEncrypted(const std::string& sha256) override;
  Result<BlobInfo> Verify(const std::string& sha256) override;
  Result<std::unique_ptr<SequentialFile>> Open(const std::string& sha256) override;
  Result<std::unique_ptr<BlobReader>> OpenReader(const std::string& sha256) override;
  Result<LocalFile> Local(const std::string& sha256) override;
  Status Encrypt(const std::string& sha256) override;
  Status Remove(const std::string& sha256) override;
  Result<std::vector<std::string>> List() override;

  // The file holding a blob, and the file holding its key (whether or not they exist).
  std::string PathFor(const std::string& sha256) const;
  std::string KeyPathFor(const std::string& sha256) const;

 private:
  FsBlobStore(Env* env, std::string root, std::string key_root)
      : env_(env), root_(std::move(root)), key_root_(std::move(key_root)) {}
  Result<BlobInfo> Put(SequentialFile* source, const std::string& what, bool encrypt);
  // The key of an encrypted blob, or "" for a plain one.
  Result<std::string> KeyOf(const std::string& sha256);
  // A stored blob: its address and plaintext size, and its key ("" if plain). One look at
  // the file and its key, for Stat, IsEncrypted, OpenReader and Local alike.
  struct Stored {
    BlobInfo info;
    std::string key;
  };
  Result<Stored> Inspect(const std::string& sha256);
  Result<std::unique_ptr<BlobReader>> ReaderFor(Stored stored);

  Env* env_;
  std::string root_;
  std::string key_root_;
};

}  // namespace attest::blob

#endif  // ATTEST_BLOB_BLOB_STORE_H_
