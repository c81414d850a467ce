#include "blob/blob_store.h"

#include <memory>

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

}  // namespace

Result<std::unique_ptr<FsBlobStore>> FsBlobStore::Open(Env* env, const std::string& root) {
  RETURN_IF_ERROR(env->CreateDirs(JoinPath(root, "sha256")));
  RETURN_IF_ERROR(env->CreateDirs(JoinPath(root, "tmp")));
  return std::unique_ptr<FsBlobStore>(new FsBlobStore(env, root));
}

std::string FsBlobStore::PathFor(const std::string& sha256) const {
  return JoinPath(root_,
                  "sha256/" + sha256.substr(0, 2) + "/" + sha256.substr(2, 2) + "/" + sha256);
}

Result<BlobInfo> FsBlobStore::PutFile(const std::string& path) {
  ASSIGN_OR_RETURN(auto source, env_->NewSequentialFile(path));
  return Put(source.get(), path);
}

Result<BlobInfo> FsBlobStore::PutBytes(std::string_view data) {
  StringSource source(data);
  return Put(&source, "bytes in memory");
}

Result<BlobInfo> FsBlobStore::Put(SequentialFile* source, const std::string& what) {
  std::string tmp = JoinPath(root_, "tmp/" + env_->RandomHex(12) + ".part");
  BlobInfo info;
  Status st = [&]() -> Status {
    ASSIGN_OR_RETURN(auto out, env_->NewWritableFile(tmp, /*exclusive=*/true, 0444));
    Sha256Stream hash;
    std::unique_ptr<char[]> buf(new char[kChunk]);
    while (true) {
      auto n = source->Read(kChunk, buf.get());
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      hash.Update(buf.get(), *n);
      RETURN_IF_ERROR(out->Append(std::string_view(buf.get(), *n)));
      info.size += *n;
    }
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
    if (existing.exists && existing.size == info.size) {
      // The same bytes are already stored; keep the stored copy.
      return env_->RemoveFile(tmp);
    }
    RETURN_IF_ERROR(env_->RenameFile(tmp, final_path));
    return env_->SyncDir(dir);
  }();
  if (!st.ok()) {
    env_->RemoveFile(tmp).ok();  // best effort; a stray .part file is never referenced
    return st.WithContext("storing " + what);
  }
  return info;
}

Result<std::string> FsBlobStore::LocalPath(const std::string& sha256) {
  ASSIGN_OR_RETURN(BlobInfo info, Stat(sha256));
  return PathFor(info.sha256);
}

Result<BlobInfo> FsBlobStore::Stat(const std::string& sha256) {
  RETURN_IF_ERROR(CheckAddress(sha256));
  ASSIGN_OR_RETURN(FileInfo fi, env_->Stat(PathFor(sha256)));
  if (!fi.exists) return Status::NotFound("blob " + sha256 + " is missing");
  return BlobInfo{sha256, fi.size};
}

Result<BlobInfo> FsBlobStore::Verify(const std::string& sha256) {
  RETURN_IF_ERROR(CheckAddress(sha256));
  std::string path = PathFor(sha256);
  auto file = env_->NewSequentialFile(path);
  if (!file.ok()) {
    if (file.status().IsNotFound()) return Status::NotFound("blob " + sha256 + " is missing");
    return file.status();
  }
  Sha256Stream hash;
  std::unique_ptr<char[]> buf(new char[kChunk]);
  BlobInfo info{sha256, 0};
  while (true) {
    ASSIGN_OR_RETURN(size_t n, (*file)->Read(kChunk, buf.get()));
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

Result<std::unique_ptr<SequentialFile>> FsBlobStore::Open(const std::string& sha256) {
  RETURN_IF_ERROR(CheckAddress(sha256));
  return env_->NewSequentialFile(PathFor(sha256));
}

Status FsBlobStore::Remove(const std::string& sha256) {
  RETURN_IF_ERROR(CheckAddress(sha256));
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
