#include "archive/record_keys.h"

#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/hash.h"

namespace attest::archive {
namespace {}  // namespace

RecordKeys::~RecordKeys() {
  for (auto& [id, key] : cache_) sodium_memzero(key.data(), key.size());
}

Result<std::string> RecordKeys::Key(const std::string& record_id, bool make) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = cache_.find(record_id); it != cache_.end()) return it->second;
  const std::string path = PathFor(record_id);
  auto stored = env_->ReadFile(path);
  if (stored.ok()) {
    if (stored->size() != crypto_secretbox_KEYBYTES) {
      return Status::Corruption("the key " + path + " is not 32 bytes");
    }
    return cache_[record_id] = std::move(*stored);
  }
  if (!stored.status().IsNotFound()) return stored.status();
  if (!make) return std::string();
  // A new key, written whole beside its name and linked to it: if another process made one
  // first, the link fails and theirs is the key.
  RETURN_IF_ERROR(env_->CreateDirs(dir_, 0700));
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  randombytes_buf(key.data(), key.size());
  const std::string part = path + "." + env_->RandomHex(8) + ".part";
  Status written = env_->WriteFileAtomic(part, key, 0400);
  if (!written.ok()) return written;
  int linked = ::link(part.c_str(), path.c_str());
  int err = errno;
  (void)env_->RemoveFile(part);
  if (linked != 0 && err != EEXIST) {
    return Status::IOError("cannot make " + path + ": " + strerror(err));
  }
  RETURN_IF_ERROR(env_->SyncDir(dir_));
  if (linked != 0) {
    ASSIGN_OR_RETURN(key, env_->ReadFile(path));
    if (key.size() != crypto_secretbox_KEYBYTES) {
      return Status::Corruption("the key " + path + " is not 32 bytes");
    }
  }
  return cache_[record_id] = std::move(key);
}

Result<std::string> RecordKeys::Seal(const std::string& record_id, std::string_view plain) {
  if (!SodiumReady()) return Status::Unavailable("libsodium could not start");
  ASSIGN_OR_RETURN(std::string key, Key(record_id, /*make=*/true));
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), out,
                        reinterpret_cast<const unsigned char*>(key.data()));
  sodium_memzero(key.data(), key.size());
  return std::string(meta::kSealedPrefix) + Base64Encode(box);
}

Result<std::string> RecordKeys::Open(const std::string& record_id, std::string_view sealed) {
  if (!SodiumReady()) return Status::Unavailable("libsodium could not start");
  const Status damaged = Status::Corruption("record " + record_id + "'s sealed text does not open");
  if (sealed.substr(0, meta::kSealedPrefix.size()) != meta::kSealedPrefix) return damaged;
  auto box = Base64Decode(sealed.substr(meta::kSealedPrefix.size()));
  if (!box.ok() || box->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return damaged;
  }
  ASSIGN_OR_RETURN(std::string key, Key(record_id, /*make=*/false));
  if (key.empty()) {
    return Status::NotFound("record " + record_id + "'s key is gone: its sealed text is noise");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(box->data());
  std::string plain(box->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  int rc = crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                      in + crypto_secretbox_NONCEBYTES,
                                      box->size() - crypto_secretbox_NONCEBYTES, in,
                                      reinterpret_cast<const unsigned char*>(key.data()));
  sodium_memzero(key.data(), key.size());
  if (rc != 0) return damaged;
  return plain;
}

Status RecordKeys::Destroy(const std::string& record_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = cache_.find(record_id); it != cache_.end()) {
    sodium_memzero(it->second.data(), it->second.size());
    cache_.erase(it);
  }
  Status st = env_->RemoveFile(PathFor(record_id));
  if (st.IsNotFound()) return Status::Ok();
  RETURN_IF_ERROR(st);
  return env_->SyncDir(dir_);
}

}  // namespace attest::archive
