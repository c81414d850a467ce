#include "blob/blob_store.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "core/hash.h"

namespace attest::blob {
namespace {

constexpr size_t kChunk = 1 << 20;

Status CheckAddress(const std::string& sha256) {
  if (!IsSha256Hex(sha256)) {
    return Status::InvalidArgument("'" + sha256 + "' is not a blob address (64 lowercase hex)");
  }
  return Status::Ok();
}

// A SequentialFile over bytes in memory.
class StringSource : public SequentialFile {
 public:
  explicit StringSource(std::string_view data) : data_(data) {}
  Result<size_t> Read(size_t n, char* scratch) override {
    size_t k = std::min(n, data_.size());
    std::copy(data_.begin(), data_.begin() + static_cast<ptrdiff_t>(k), scratch);
    data_.remove_prefix(k);
    return k;
  }

 private:
  std::string_view data_;
};

// Encrypted blobs (doc/format/blob_store.md, "Encrypted blobs").
constexpr std::string_view kMagic = "attestE1";
constexpr size_t kPlainChunk = 65536;
constexpr size_t kABytes = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr size_t kHeader = kMagic.size() + crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr size_t kCipherChunk = kPlainChunk + kABytes;

// The plaintext size of an encrypted blob of `stored` bytes; nullopt if no plaintext has it.
std::optional<uint64_t> PlainSize(uint64_t stored) {
  if (stored < kHeader + kABytes) return std::nullopt;
  uint64_t body = stored - kHeader;
  uint64_t chunks = (body + kCipherChunk - 1) / kCipherChunk;
  return body - chunks * kABytes;
}

// Pushes a source through a secretstream, chunk by chunk, the last one FINAL.
class Encryptor {
 public:
  explicit Encryptor(const std::string& key) {
    crypto_secretstream_xchacha20poly1305_init_push(
        &state_, header_, reinterpret_cast<const unsigned char*>(key.data()));
  }
  std::string Header() const {
    return std::string(kMagic) +
           std::string(reinterpret_cast<const char*>(header_), sizeof(header_));
  }
  std::string Push(std::string_view chunk, bool final) {
    std::string out(chunk.size() + kABytes, '\0');
    crypto_secretstream_xchacha20poly1305_push(
        &state_, reinterpret_cast<unsigned char*>(out.data()), nullptr,
        reinterpret_cast<const unsigned char*>(chunk.data()), chunk.size(), nullptr, 0,
        final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
              : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    return out;
  }
  ~Encryptor() { sodium_memzero(&state_, sizeof(state_)); }

 private:
  crypto_secretstream_xchacha20poly1305_state state_;
  unsigned char header_[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
};

class PlainReader : public BlobReader {
 public:
  PlainReader(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~PlainReader() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  Result<size_t> ReadAt(uint64_t offset, size_t n, char* out) override {
    size_t got = 0;
    while (got < n && offset + got < size_) {
      ssize_t r = ::pread(fd_, out + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) return Status::IOError(std::string("reading a blob: ") + strerror(errno));
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    return got;
  }

 private:
  int fd_;
  uint64_t size_;
};

// Decrypts chunk by chunk from the start; keeps its place, so reads in order cost each chunk
// once, and a read before its place starts over.
class DecryptingReader : public BlobReader {
 public:
  DecryptingReader(int fd, uint64_t plain_size, std::string key, std::string path)
      : fd_(fd), size_(plain_size), key_(std::move(key)), path_(std::move(path)) {}
  ~DecryptingReader() override {
    ::close(fd_);
    sodium_memzero(key_.data(), key_.size());
    sodium_memzero(&state_, sizeof(state_));
  }
  uint64_t size() const override { return size_; }

  Result<size_t> ReadAt(uint64_t offset, size_t n, char* out) override {
    size_t got = 0;
    while (got < n && offset + got < size_) {
      uint64_t at = offset + got;
      uint64_t chunk = at / kPlainChunk;
      if (!have_ || chunk != chunk_) RETURN_IF_ERROR(Seek(chunk));
      size_t in = static_cast<size_t>(at - chunk * kPlainChunk);
      size_t k = std::min(n - got, plain_.size() - in);
      if (k == 0) break;
      memcpy(out + got, plain_.data() + in, k);
      got += k;
    }
    return got;
  }

 private:
  Status Damaged(const std::string& why) const {
    return Status::Corruption("encrypted blob " + path_ + " " + why);
  }
  Status ReadFully(uint64_t offset, size_t n, unsigned char* out) {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, out + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) return Status::IOError(std::string("reading a blob: ") + strerror(errno));
      if (r == 0) return Damaged("is shorter than its chunks");
      got += static_cast<size_t>(r);
    }
    return Status::Ok();
  }
  // Makes chunk `target` the current one.
  Status Seek(uint64_t target) {
    if (!have_ || target < chunk_) {
      unsigned char head[kHeader];
      RETURN_IF_ERROR(ReadFully(0, kHeader, head));
      if (memcmp(head, kMagic.data(), kMagic.size()) != 0) return Damaged("has no header");
      if (crypto_secretstream_xchacha20poly1305_init_pull(
              &state_, head + kMagic.size(), reinterpret_cast<const unsigned char*>(key_.data())) !=
          0) {
        return Damaged("has a bad header");
      }
      next_ = 0;
    }
    const uint64_t chunks = std::max<uint64_t>(1, (size_ + kPlainChunk - 1) / kPlainChunk);
    std::vector<unsigned char> cipher(kCipherChunk);
    while (next_ <= target) {
      uint64_t plain_len = next_ + 1 < chunks ? kPlainChunk : size_ - (chunks - 1) * kPlainChunk;
      size_t len = static_cast<size_t>(plain_len + kABytes);
      RETURN_IF_ERROR(ReadFully(kHeader + next_ * kCipherChunk, len, cipher.data()));
      plain_.resize(static_cast<size_t>(plain_len));
      unsigned char tag = 0;
      if (crypto_secretstream_xchacha20poly1305_pull(
              &state_, reinterpret_cast<unsigned char*>(plain_.data()), nullptr, &tag,
              cipher.data(), len, nullptr, 0) != 0) {
        have_ = false;
        return Damaged("fails authentication at chunk " + std::to_string(next_));
      }
      bool last = next_ + 1 == chunks;
      if (last != (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)) {
        have_ = false;
        return Damaged("ends at the wrong chunk");
      }
      chunk_ = next_++;
      have_ = true;
    }
    return Status::Ok();
  }

  int fd_;
  uint64_t size_;
  std::string key_, path_;
  crypto_secretstream_xchacha20poly1305_state state_;
  std::string plain_;  // chunk_'s plaintext
  uint64_t chunk_ = 0, next_ = 0;
  bool have_ = false;
};

// A SequentialFile over a BlobReader.
class ReaderFile : public SequentialFile {
 public:
  explicit ReaderFile(std::unique_ptr<BlobReader> r) : r_(std::move(r)) {}
  Result<size_t> Read(size_t n, char* scratch) override {
    ASSIGN_OR_RETURN(size_t k, r_->ReadAt(at_, n, scratch));
    at_ += k;
    return k;
  }

 private:
  std::unique_ptr<BlobReader> r_;
  uint64_t at_ = 0;
};

}  // namespace

LocalFile::~LocalFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<FsBlobStore>> FsBlobStore::Open(Env* env, const std::string& root,
                                                       const std::string& key_root) {
  RETURN_IF_ERROR(env->CreateDirs(JoinPath(root, "sha256")));
  RETURN_IF_ERROR(env->CreateDirs(JoinPath(root, "tmp")));
  if (!key_root.empty()) RETURN_IF_ERROR(env->CreateDirs(key_root, 0700));
  return std::unique_ptr<FsBlobStore>(new FsBlobStore(env, root, key_root));
}

std::string FsBlobStore::PathFor(const std::string& sha256) const {
  return JoinPath(root_,
                  "sha256/" + sha256.substr(0, 2) + "/" + sha256.substr(2, 2) + "/" + sha256);
}

std::string FsBlobStore::KeyPathFor(const std::string& sha256) const {
  return key_root_.empty() ? std::string()
                           : JoinPath(key_root_, sha256.substr(0, 2) + "/" + sha256);
}

Result<BlobInfo> FsBlobStore::PutFile(const std::string& path, bool encrypt) {
  ASSIGN_OR_RETURN(auto source, env_->NewSequentialFile(path));
  return Put(source.get(), path, encrypt);
}

Result<BlobInfo> FsBlobStore::PutBytes(std::string_view data, bool encrypt) {
  StringSource source(data);
  return Put(&source, "bytes in memory", encrypt);
}

Result<BlobInfo> FsBlobStore::Put(SequentialFile* source, const std::string& what, bool encrypt) {
  if (encrypt && key_root_.empty()) {
    return Status::InvalidArgument("this blob store keeps no keys, so it cannot encrypt");
  }
  if (encrypt && !SodiumReady()) return Status::Unavailable("libsodium could not start");
  std::string tmp = JoinPath(root_, "tmp/" + env_->RandomHex(12) + ".part");
  std::string key;
  BlobInfo info;
  Status st = [&]() -> Status {
    ASSIGN_OR_RETURN(auto out, env_->NewWritableFile(tmp, /*exclusive=*/true, 0444));
    Sha256Stream hash;
    std::optional<Encryptor> enc;
    if (encrypt) {
      key.resize(crypto_secretstream_xchacha20poly1305_KEYBYTES);
      crypto_secretstream_xchacha20poly1305_keygen(reinterpret_cast<unsigned char*>(key.data()));
      enc.emplace(key);
      RETURN_IF_ERROR(out->Append(enc->Header()));
    }
    // Encrypted: a chunk is pushed once the next read shows whether it is the last.
    std::string pending;
    std::unique_ptr<char[]> buf(new char[kChunk]);
    while (true) {
      auto n = source->Read(kChunk, buf.get());
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      hash.Update(buf.get(), *n);
      info.size += *n;
      if (!enc) {
        RETURN_IF_ERROR(out->Append(std::string_view(buf.get(), *n)));
        continue;
      }
      pending.append(buf.get(), *n);
      while (pending.size() > kPlainChunk) {
        RETURN_IF_ERROR(
            out->Append(enc->Push(std::string_view(pending).substr(0, kPlainChunk), false)));
        pending.erase(0, kPlainChunk);
      }
    }
    if (enc) RETURN_IF_ERROR(out->Append(enc->Push(pending, true)));
    sodium_memzero(pending.data(), pending.size());
    RETURN_IF_ERROR(out->Sync());
    RETURN_IF_ERROR(out->Close());
    info.sha256 = ToHex(hash.Finish());
    std::string final_path = PathFor(info.sha256);
    std::string dir = DirName(final_path);
    ASSIGN_OR_RETURN(FileInfo dir_info, env_->Stat(dir));
    if (!dir_info.exists) {
      RETURN_IF_ERROR(env_->CreateDirs(dir));
      RETURN_IF_ERROR(env_->SyncDir(DirName(dir)));
      RETURN_IF_ERROR(env_->SyncDir(DirName(DirName(dir))));
    }
    ASSIGN_OR_RETURN(FileInfo existing, env_->Stat(final_path));
    if (existing.exists) {
      // The same bytes are already stored (encrypted or not); keep the stored copy.
      return env_->RemoveFile(tmp);
    }
    if (encrypt) {
      // The key first: a crash before the blob's rename leaves a key without a blob.
      std::string key_path = KeyPathFor(info.sha256);
      std::string key_dir = DirName(key_path);
      ASSIGN_OR_RETURN(FileInfo kd, env_->Stat(key_dir));
      if (!kd.exists) {
        RETURN_IF_ERROR(env_->CreateDirs(key_dir, 0700));
        RETURN_IF_ERROR(env_->SyncDir(key_root_));
      }
      RETURN_IF_ERROR(env_->WriteFileAtomic(key_path, key, 0400));
    }
    RETURN_IF_ERROR(env_->RenameFile(tmp, final_path));
    return env_->SyncDir(dir);
  }();
  sodium_memzero(key.data(), key.size());
  if (!st.ok()) {
    env_->RemoveFile(tmp).ok();  // best effort; a stray .part file is never referenced
    return st.WithContext("storing " + what);
  }
  return info;
}

Result<std::string> FsBlobStore::KeyOf(const std::string& sha256) {
  if (key_root_.empty()) return std::string();
  auto key = env_->ReadFile(KeyPathFor(sha256));
  if (!key.ok()) {
    if (key.status().IsNotFound()) return std::string();
    return key.status();
  }
  if (key->size() != crypto_secretstream_xchacha20poly1305_KEYBYTES) {
    return Status::Corruption("the key of blob " + sha256 + " is not 32 bytes");
  }
  // A key beside a file that is not (yet) encrypted: Encrypt was stopped between writing the
  // key and replacing the file. The file is still the plaintext.
  char head[kMagic.size()] = {};
  int fd = ::open(PathFor(sha256).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("blob " + sha256 + " is missing");
  ssize_t n = ::pread(fd, head, sizeof(head), 0);
  ::close(fd);
  if (n != static_cast<ssize_t>(sizeof(head)) || std::string_view(head, sizeof(head)) != kMagic) {
    sodium_memzero(key->data(), key->size());
    return std::string();
  }
  return std::move(*key);
}

Status FsBlobStore::Encrypt(const std::string& sha256) {
  if (key_root_.empty()) {
    return Status::InvalidArgument("this blob store keeps no keys, so it cannot encrypt");
  }
  if (!SodiumReady()) return Status::Unavailable("libsodium could not start");
  ASSIGN_OR_RETURN(std::string existing, KeyOf(sha256));
  if (!existing.empty()) {
    sodium_memzero(existing.data(), existing.size());
    return Status::Ok();  // already encrypted
  }
  ASSIGN_OR_RETURN(auto plain, OpenReader(sha256));
  std::string key(crypto_secretstream_xchacha20poly1305_KEYBYTES, '\0');
  crypto_secretstream_xchacha20poly1305_keygen(reinterpret_cast<unsigned char*>(key.data()));
  std::string tmp = JoinPath(root_, "tmp/" + env_->RandomHex(12) + ".part");
  Status st = [&]() -> Status {
    ASSIGN_OR_RETURN(auto out, env_->NewWritableFile(tmp, /*exclusive=*/true, 0444));
    Encryptor enc(key);
    RETURN_IF_ERROR(out->Append(enc.Header()));
    std::string chunk(kPlainChunk, '\0');
    uint64_t at = 0;
    const uint64_t size = plain->size();
    do {
      ASSIGN_OR_RETURN(size_t n, plain->ReadAt(at, kPlainChunk, chunk.data()));
      at += n;
      RETURN_IF_ERROR(out->Append(enc.Push(std::string_view(chunk).substr(0, n), at >= size)));
      if (n == 0) break;
    } while (at < size);
    sodium_memzero(chunk.data(), chunk.size());
    RETURN_IF_ERROR(out->Sync());
    RETURN_IF_ERROR(out->Close());
    // The key, then the file: in between, the key stands beside the plaintext (see KeyOf).
    std::string key_path = KeyPathFor(sha256);
    RETURN_IF_ERROR(env_->CreateDirs(DirName(key_path), 0700));
    RETURN_IF_ERROR(env_->WriteFileAtomic(key_path, key, 0400));
    std::string final_path = PathFor(sha256);
    RETURN_IF_ERROR(env_->RenameFile(tmp, final_path));
    return env_->SyncDir(DirName(final_path));
  }();
  sodium_memzero(key.data(), key.size());
  if (!st.ok()) {
    env_->RemoveFile(tmp).ok();
    return st.WithContext("encrypting blob " + sha256);
  }
  return Status::Ok();
}

Result<FsBlobStore::Stored> FsBlobStore::Inspect(const std::string& sha256) {
  RETURN_IF_ERROR(CheckAddress(sha256));
  ASSIGN_OR_RETURN(FileInfo fi, env_->Stat(PathFor(sha256)));
  if (!fi.exists) return Status::NotFound("blob " + sha256 + " is missing");
  Stored s{{sha256, fi.size}, ""};
  ASSIGN_OR_RETURN(s.key, KeyOf(sha256));
  if (!s.key.empty()) {
    auto plain = PlainSize(fi.size);
    if (!plain) return Status::Corruption("encrypted blob " + sha256 + " is too short");
    s.info.size = *plain;
  }
  return s;
}

Result<bool> FsBlobStore::IsEncrypted(const std::string& sha256) {
  ASSIGN_OR_RETURN(Stored s, Inspect(sha256));
  bool encrypted = !s.key.empty();
  sodium_memzero(s.key.data(), s.key.size());
  return encrypted;
}

Result<BlobInfo> FsBlobStore::Stat(const std::string& sha256) {
  ASSIGN_OR_RETURN(Stored s, Inspect(sha256));
  sodium_memzero(s.key.data(), s.key.size());
  return s.info;
}

Result<std::unique_ptr<BlobReader>> FsBlobStore::ReaderFor(Stored stored) {
  std::string path = PathFor(stored.info.sha256);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("blob " + stored.info.sha256 + " is missing");
    return Status::IOError("cannot open " + path + ": " + strerror(errno));
  }
  if (stored.key.empty()) return std::unique_ptr<BlobReader>(new PlainReader(fd, stored.info.size));
  if (!SodiumReady()) {
    ::close(fd);
    return Status::Unavailable("libsodium could not start");
  }
  return std::unique_ptr<BlobReader>(
      new DecryptingReader(fd, stored.info.size, std::move(stored.key), path));
}

Result<std::unique_ptr<BlobReader>> FsBlobStore::OpenReader(const std::string& sha256) {
  ASSIGN_OR_RETURN(Stored s, Inspect(sha256));
  return ReaderFor(std::move(s));
}

Result<std::unique_ptr<SequentialFile>> FsBlobStore::Open(const std::string& sha256) {
  ASSIGN_OR_RETURN(auto reader, OpenReader(sha256));
  return std::unique_ptr<SequentialFile>(new ReaderFile(std::move(reader)));
}

Result<LocalFile> FsBlobStore::Local(const std::string& sha256) {
  ASSIGN_OR_RETURN(Stored stored, Inspect(sha256));
  if (stored.key.empty()) return LocalFile(PathFor(sha256), -1);
  // The plaintext goes to memory, never to a file on disk.
  int fd = memfd_create(("attest-" + sha256.substr(0, 12)).c_str(), MFD_CLOEXEC);
  if (fd < 0) return Status::IOError(std::string("memfd_create: ") + strerror(errno));
  LocalFile local("/proc/self/fd/" + std::to_string(fd), fd);
  ASSIGN_OR_RETURN(auto reader, ReaderFor(std::move(stored)));
  std::unique_ptr<char[]> buf(new char[kChunk]);
  for (uint64_t at = 0; at < reader->size();) {
    ASSIGN_OR_RETURN(size_t n, reader->ReadAt(at, kChunk, buf.get()));
    if (n == 0) break;
    for (size_t w = 0; w < n;) {
      ssize_t r = ::write(fd, buf.get() + w, n - w);
      if (r < 0) return Status::IOError(std::string("writing to memory: ") + strerror(errno));
      w += static_cast<size_t>(r);
    }
    at += n;
  }
  return local;
}

Result<BlobInfo> FsBlobStore::Verify(const std::string& sha256) {
  RETURN_IF_ERROR(CheckAddress(sha256));
  std::string path = PathFor(sha256);
  ASSIGN_OR_RETURN(auto file, Open(sha256));
  Sha256Stream hash;
  std::unique_ptr<char[]> buf(new char[kChunk]);
  BlobInfo info{sha256, 0};
  while (true) {
    ASSIGN_OR_RETURN(size_t n, file->Read(kChunk, buf.get()));
    if (n == 0) break;
    hash.Update(buf.get(), n);
    info.size += n;
  }
  std::string got = ToHex(hash.Finish());
  if (got != sha256) {
    return Status::Corruption("blob " + path + " is damaged: its content hashes to " + got);
  }
  return info;
}

Status FsBlobStore::Remove(const std::string& sha256) {
  RETURN_IF_ERROR(CheckAddress(sha256));
  // The key first: once it is gone, every copy of the file, backups included, is noise.
  if (!key_root_.empty()) {
    std::string key_path = KeyPathFor(sha256);
    Status k = env_->RemoveFile(key_path);
    if (k.ok()) {
      RETURN_IF_ERROR(env_->SyncDir(DirName(key_path)));
    } else if (!k.IsNotFound()) {
      return k;
    }
  }
  std::string path = PathFor(sha256);
  Status st = env_->RemoveFile(path);
  if (st.IsNotFound()) return Status::Ok();
  RETURN_IF_ERROR(st);
  return env_->SyncDir(DirName(path));
}

Result<std::vector<std::string>> FsBlobStore::List() {
  std::vector<std::string> out;
  std::string base = JoinPath(root_, "sha256");
  ASSIGN_OR_RETURN(auto level1, env_->ListDir(base));
  for (const auto& a : level1) {
    ASSIGN_OR_RETURN(auto level2, env_->ListDir(JoinPath(base, a)));
    for (const auto& b : level2) {
      ASSIGN_OR_RETURN(auto names, env_->ListDir(JoinPath(base, a + "/" + b)));
      for (const auto& n : names) {
        if (IsSha256Hex(n)) out.push_back(n);
      }
    }
  }
  return out;
}

}  // namespace attest::blob
