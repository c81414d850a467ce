#include "core/env.h"

#include "core/hash.h"

namespace attest {

Result<std::string> Env::ReadFile(const std::string& path) {
  ASSIGN_OR_RETURN(auto file, NewSequentialFile(path));
  std::string out;
  char buf[65536];
  while (true) {
    ASSIGN_OR_RETURN(size_t n, file->Read(sizeof(buf), buf));
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

Status Env::WriteFileAtomic(const std::string& path, std::string_view data, uint32_t mode) {
  std::string tmp = path + ".tmp-" + RandomHex(8);
  Status st = [&]() -> Status {
    ASSIGN_OR_RETURN(auto file, NewWritableFile(tmp, /*exclusive=*/true, mode));
    RETURN_IF_ERROR(file->Append(data));
    RETURN_IF_ERROR(file->Sync());
    RETURN_IF_ERROR(file->Close());
    RETURN_IF_ERROR(RenameFile(tmp, path));
    return SyncDir(DirName(path));
  }();
  if (!st.ok()) RemoveFile(tmp).ok();  // best effort; a stray temp file is harmless
  return st;
}

Status Env::CreateDirs(const std::string& path, uint32_t mode) {
  if (path.empty() || path == "/" || path == ".") return Status::Ok();
  ASSIGN_OR_RETURN(FileInfo info, Stat(path));
  if (info.exists) {
    if (!info.is_dir) return Status::Conflict(path + " exists and is not a directory");
    return Status::Ok();
  }
  RETURN_IF_ERROR(CreateDirs(DirName(path), mode));
  return CreateDir(path, mode);
}

bool Env::FileExists(const std::string& path) {
  auto info = Stat(path);
  return info.ok() && info->exists;
}

std::string Env::RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RandomBytes(raw.data(), raw.size());
  return ToHex(raw);
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  std::string out(a);
  if (out.back() != '/') out.push_back('/');
  out.append(b);
  return out;
}

std::string DirName(const std::string& path) {
  size_t pos = path.find_last_of('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

std::string BaseName(const std::string& path) {
  size_t pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

}  // namespace attest
