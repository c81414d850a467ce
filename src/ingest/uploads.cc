#include "ingest/uploads.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "core/hash.h"
#include "core/json.h"

namespace attest::ingest {
namespace {

constexpr size_t kIdHex = 32;

bool IsUploadId(std::string_view id) {
  if (id.size() != kIdHex) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

// An open file descriptor, closed at the end of its scope.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// A piece's digest as it arrives (OpenSSL's EVP: sha1 or sha256).
class PieceDigest {
 public:
  explicit PieceDigest(const std::string& algorithm)
      : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), algorithm == "sha1" ? EVP_sha1() : EVP_sha256(), nullptr);
  }
  void Update(const char* data, size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
  std::string Finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

void Set(Refusal* why, Refusal r) {
  if (why) *why = r;
}

}  // namespace

std::string CleanFileName(std::string_view name) {
  size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  bool clean = !name.empty() && name.size() <= 200 && IsValidUtf8(name) && name != "." &&
               name != "..";
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) clean = false;
  }
  return clean ? std::string(name) : "upload";
}

Result<PieceChecksum> ParseUploadChecksum(std::string_view header) {
  size_t space = header.find(' ');
  if (space == std::string_view::npos) {
    return Status::InvalidArgument("Upload-Checksum must be an algorithm and a base64 digest, "
                                   "e.g. 'sha256 BASE64'");
  }
  PieceChecksum c;
  c.algorithm = std::string(header.substr(0, space));
  size_t want = c.algorithm == "sha1" ? 20 : c.algorithm == "sha256" ? 32 : 0;
  if (want == 0) {
    return Status::InvalidArgument("Upload-Checksum algorithm '" + c.algorithm.substr(0, 20) +
                                   "' is not one this server takes: use sha1 or sha256");
  }
  auto digest = Base64Decode(header.substr(space + 1));
  if (!digest.ok() || digest->size() != want) {
    return Status::InvalidArgument("Upload-Checksum's digest is not base64 of a " + c.algorithm +
                                   " digest (" + std::to_string(want) + " bytes)");
  }
  c.digest = std::move(*digest);
  return c;
}

Uploads::Uploads(Env* env, std::string dir, uint64_t max_length, uint64_t max_piece,
                 int64_t ttl_micros)
    : env_(env),
      dir_(std::move(dir)),
      max_length_(max_length),
      max_piece_(max_piece),
      ttl_micros_(ttl_micros) {}

std::string Uploads::DirOf(const std::string& id) const { return JoinPath(dir_, id); }

Status Uploads::WriteOffset(const std::string& d, uint64_t offset) {
  return env_->WriteFileAtomic(JoinPath(d, "offset"),
                               std::to_string(offset) + " " + std::to_string(env_->NowMicros()),
                               0600);
}

Result<UploadState> Uploads::Create(const std::string& owner, uint64_t length,
                                    std::string_view file_name, std::string_view mime,
                                    Refusal* why) {
  Set(why, Refusal::kNone);
  if (length == 0) {
    return Status::InvalidArgument("Upload-Length is 0: an empty file is not a testimony");
  }
  if (length > max_length_) {
    Set(why, Refusal::kTooLarge);
    return Status::InvalidArgument("Upload-Length " + std::to_string(length) +
                                   " is over this server's limit of " +
                                   std::to_string(max_length_) + " bytes");
  }
  UploadState s;
  s.id = env_->RandomHex(kIdHex / 2);
  s.owner = owner;
  s.length = length;
  s.file_name = CleanFileName(file_name);
  s.mime = IsValidUtf8(mime) && mime.size() <= 200 ? std::string(mime) : "";
  std::string d = DirOf(s.id);
  RETURN_IF_ERROR(env_->CreateDirs(d, 0700));
  Json info = {{"owner", s.owner},
               {"length", s.length},
               {"file_name", s.file_name},
               {"mime", s.mime},
               {"created", env_->NowMicros()}};
  Status st = env_->WriteFileAtomic(JoinPath(d, "info.json"), info.dump(), 0600);
  if (st.ok()) st = WriteOffset(d, 0);
  if (!st.ok()) {
    (void)env_->RemoveFile(JoinPath(d, "info.json"));
    (void)env_->RemoveDir(d);
    return st;
  }
  s.expires_micros = env_->NowMicros() + ttl_micros_;
  return s;
}

Result<UploadState> Uploads::Load(const std::string& id) {
  const Status missing = Status::NotFound("no such upload");
  if (!IsUploadId(id)) return missing;
  std::string d = DirOf(id);
  auto raw = env_->ReadFile(JoinPath(d, "info.json"));
  if (!raw.ok()) return missing;
  Json info = Json::parse(*raw, nullptr, false);
  auto offset = env_->ReadFile(JoinPath(d, "offset"));
  if (info.is_discarded() || !info.is_object() || !offset.ok()) {
    return Status::Corruption("upload " + id + " is damaged");
  }
  UploadState s;
  s.id = id;
  s.owner = info.value("owner", "");
  s.length = info.value("length", uint64_t{0});
  s.file_name = info.value("file_name", "upload");
  s.mime = info.value("mime", "");
  // "OFFSET LAST": the acknowledged length and when the upload was last written to.
  char* end = nullptr;
  s.offset = std::strtoull(offset->c_str(), &end, 10);
  s.expires_micros = std::strtoll(end, nullptr, 10) + ttl_micros_;
  if (s.offset > s.length) return Status::Corruption("upload " + id + " is damaged");
  return s;
}

Result<UploadState> Uploads::Get(const std::string& id, const std::string& owner) {
  ASSIGN_OR_RETURN(UploadState s, Load(id));
  if (owner.empty() || s.owner != owner || s.expires_micros < env_->NowMicros()) {
    return Status::NotFound("no such upload");
  }
  return s;
}

Result<UploadState> Uploads::Append(const std::string& id, const std::string& owner,
                                    uint64_t offset, uint64_t n,
                                    const std::optional<PieceChecksum>& checksum,
                                    const PieceReader& read, Refusal* why) {
  Set(why, Refusal::kNone);
  ASSIGN_OR_RETURN(UploadState s, Get(id, owner));
  std::string d = DirOf(id);
  Fd lock(::open(JoinPath(d, ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (lock.fd < 0) return Errno("cannot open the lock of upload " + id);
  if (::flock(lock.fd, LOCK_EX | LOCK_NB) != 0) {
    Set(why, Refusal::kBusy);
    return Status::Conflict("another piece of upload " + id + " is being written; send this one "
                            "again when it is done, from the offset HEAD gives");
  }
  ASSIGN_OR_RETURN(s, Get(id, owner));  // as it is now that the lock is held
  if (offset != s.offset) {
    Set(why, Refusal::kWrongOffset);
    return Status::Conflict("Upload-Offset " + std::to_string(offset) + " is not the upload's: " +
                            "resume from " + std::to_string(s.offset));
  }
  if (n > max_piece_ || n > s.length - s.offset) {
    Set(why, Refusal::kTooLarge);
    return Status::InvalidArgument(
        "a piece of " + std::to_string(n) + " bytes at " + std::to_string(offset) +
        (n > max_piece_ ? " is over the limit of " + std::to_string(max_piece_) + " bytes a piece"
                        : " would pass the upload's length of " + std::to_string(s.length)));
  }
  Fd data(::open(JoinPath(d, "data").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  if (data.fd < 0) return Errno("cannot open upload " + id);
  // Bytes past the offset are a piece never acknowledged: gone.
  if (::ftruncate(data.fd, static_cast<off_t>(s.offset)) != 0) return Errno("upload " + id);
  std::optional<PieceDigest> digest;
  if (checksum) digest.emplace(checksum->algorithm);
  uint64_t got = 0;
  bool write_failed = false, too_long = false;
  bool whole = read([&](const char* p, size_t len) {
    if (got + len > n) {
      too_long = true;
      return false;
    }
    if (digest) digest->Update(p, len);
    while (len > 0) {
      ssize_t w = ::pwrite(data.fd, p, len, static_cast<off_t>(s.offset + got));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        write_failed = true;
        return false;
      }
      p += w;
      len -= static_cast<size_t>(w);
      got += static_cast<uint64_t>(w);
    }
    return true;
  });
  if (write_failed) {
    (void)::ftruncate(data.fd, static_cast<off_t>(s.offset));
    return Errno("cannot write upload " + id);
  }
  bool cut = !whole || too_long || got != n;
  if (digest && !cut && digest->Finish() != checksum->digest) {
    (void)::ftruncate(data.fd, static_cast<off_t>(s.offset));
    Set(why, Refusal::kChecksumMismatch);
    return Status::InvalidArgument("the piece at " + std::to_string(offset) +
                                   " does not match its Upload-Checksum: nothing of it was kept");
  }
  if (cut && checksum) got = 0;  // a checksum is of the whole piece: keep nothing of a part
  if (got > 0) {
    if (::fdatasync(data.fd) != 0) return Errno("cannot sync upload " + id);
    s.offset += got;
  }
  // The offset is written even when it did not move: it is the upload's last activity.
  RETURN_IF_ERROR(WriteOffset(d, s.offset));
  s.expires_micros = env_->NowMicros() + ttl_micros_;
  if (cut) {
    Set(why, Refusal::kCutShort);
    return Status::InvalidArgument("the piece at " + std::to_string(offset) +
                                   " did not arrive whole; resume from " +
                                   std::to_string(s.offset));
  }
  return s;
}

Status Uploads::Remove(const std::string& id, const std::string& owner) {
  ASSIGN_OR_RETURN(UploadState s, Get(id, owner));
  std::string d = DirOf(s.id);
  auto names = env_->ListDir(d);
  if (names.ok()) {
    for (const auto& name : *names) (void)env_->RemoveFile(JoinPath(d, name));
  }
  return env_->RemoveDir(d);
}

Result<std::string> Uploads::Take(const std::string& id, const std::string& owner) {
  ASSIGN_OR_RETURN(UploadState s, Get(id, owner));
  if (!s.finished()) {
    return Status::InvalidArgument("upload " + id + " is not finished: it holds " +
                                   std::to_string(s.offset) + " of " + std::to_string(s.length) +
                                   " bytes");
  }
  std::string d = DirOf(id);
  std::string name = s.file_name;
  if (name == "data" || name == "offset" || name == "info.json" || name == ".lock") {
    name = "upload-" + name;
  }
  std::string path = JoinPath(d, name);
  Status st = env_->RenameFile(JoinPath(d, "data"), path);
  // Taken before, by an add that never finished (the server stopped): the file is there.
  if (!st.ok() && !env_->FileExists(path)) return st;
  return path;
}

void Uploads::Restore(const std::string& id, const std::string& path) {
  if (IsUploadId(id)) (void)env_->RenameFile(path, JoinPath(DirOf(id), "data"));
}

int Uploads::RemoveExpired() {
  auto ids = env_->ListDir(dir_);
  if (!ids.ok()) return 0;
  int removed = 0;
  for (const auto& id : *ids) {
    auto s = Load(id);
    if (s.ok() && s->expires_micros >= env_->NowMicros()) continue;
    if (!IsUploadId(id)) continue;
    std::string d = DirOf(id);
    auto names = env_->ListDir(d);
    if (names.ok()) {
      for (const auto& name : *names) (void)env_->RemoveFile(JoinPath(d, name));
    }
    if (env_->RemoveDir(d).ok()) ++removed;
  }
  return removed;
}

}  // namespace attest::ingest
