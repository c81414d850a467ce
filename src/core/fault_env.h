// FaultEnv: an Env for tests that wraps another and makes its N-th mutating operation
// (create, append, sync, rename, remove, directory sync, mkdir) fail. In kCrash mode every
// later mutating operation fails too, which leaves the disk as a crash at that moment would
// (minus unsynced data loss). An append that fails writes half its bytes first: a short write.
// Thread-safe.
#ifndef ATTEST_CORE_FAULT_ENV_H_
#define ATTEST_CORE_FAULT_ENV_H_

#include <atomic>
#include <string>

#include "core/env.h"

namespace attest {

class FaultEnv : public Env {
 public:
  enum class Mode { kFailOnce, kCrash };
  enum Op : unsigned {
    kCreate = 1,
    kAppend = 2,
    kSync = 4,
    kRename = 8,
    kRemove = 16,
    kSyncDir = 32,
    kMkdir = 64,
    kAll = 127,
  };

  explicit FaultEnv(Env* base) : base_(base) {}

  // Arms the fault: the `n`-th (1-based) operation from now whose kind is in `ops` fails.
  void FailAfter(int64_t n, Mode mode, unsigned ops = kAll) {
    ops_mask_ = ops;
    mode_ = mode;
    crashed_ = false;
    remaining_ = n;
  }
  void Disarm() {
    remaining_ = -1;
    crashed_ = false;
  }
  // How many operations of the kinds in `ops` have run (for choosing fault points).
  int64_t count() const { return count_; }
  bool fault_hit() const { return hit_; }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path, bool exclusive,
                                                        uint32_t mode) override;
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    return base_->NewSequentialFile(path);
  }
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
  Status CreateDir(const std::string& path, uint32_t mode) override;
  Result<FileInfo> Stat(const std::string& path) override { return base_->Stat(path); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    return base_->LockFile(path);
  }
  int64_t NowMicros() override { return base_->NowMicros(); }
  void RandomBytes(void* out, size_t n) override { base_->RandomBytes(out, n); }

  // Returns a non-ok Status if this operation of kind `op` on `what` is to fail.
  Status Check(Op op, const std::string& what);

 private:
  Env* base_;
  std::atomic<int64_t> remaining_{-1};
  std::atomic<int64_t> count_{0};
  std::atomic<unsigned> ops_mask_{kAll};
  std::atomic<bool> crashed_{false};
  std::atomic<bool> hit_{false};
  Mode mode_ = Mode::kFailOnce;
};

}  // namespace attest

#endif  // ATTEST_CORE_FAULT_ENV_H_
