// Env: the file system, clock and randomness as attest sees them. Everything that touches
// disk goes through an Env so tests can substitute one that fails writes, fsyncs or renames
// (see fault_env.h). Implementations must be thread-safe.
#ifndef ATTEST_CORE_ENV_H_
#define ATTEST_CORE_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace attest {

// A file being written. Not thread-safe.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

// A file being read from start to end. Not thread-safe.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into scratch; returns the count, 0 at end of file.
  virtual Result<size_t> Read(size_t n, char* scratch) = 0;
};

// Held while a lock file is locked; unlocks on destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

struct FileInfo {
  bool exists = false;
  bool is_dir = false;
  bool is_regular = false;
  uint64_t size = 0;
  uint32_t mode = 0;  // permission bits
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX environment. Never deleted.
  static Env* Default();

  // Creates (or with exclusive, fails with kConflict if it exists) and truncates `path`.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                bool exclusive = false,
                                                                uint32_t mode = 0644) = 0;
  virtual Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) = 0;
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Removes an empty directory.
  virtual Status RemoveDir(const std::string& path) = 0;
  // Makes the directory entries of `dir` (creations, renames, removals) durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Creates one directory; ok if it already exists as a directory.
  virtual Status CreateDir(const std::string& path, uint32_t mode = 0755) = 0;
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Takes an exclusive advisory lock, waiting for other holders (other processes too).
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;

  virtual int64_t NowMicros() = 0;
  virtual void RandomBytes(void* out, size_t n) = 0;

  // Helpers built on the primitives above.
  Result<std::string> ReadFile(const std::string& path);
  // Writes `data` to a temporary file beside `path`, syncs it, renames it over `path` and
  // syncs the directory: after a crash `path` holds either the old or the new bytes.
  Status WriteFileAtomic(const std::string& path, std::string_view data, uint32_t mode = 0644);
  // Creates `path` and any missing parents.
  Status CreateDirs(const std::string& path, uint32_t mode = 0755);
  bool FileExists(const std::string& path);
  std::string RandomHex(size_t bytes);
};

// "a/b" + "c" -> "a/b/c".
std::string JoinPath(std::string_view a, std::string_view b);
std::string DirName(const std::string& path);
std::string BaseName(const std::string& path);

}  // namespace attest

#endif  // ATTEST_CORE_ENV_H_
