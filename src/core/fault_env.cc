#include "core/fault_env.h"

namespace attest {

Status FaultEnv::Check(Op op, const std::string& what) {
  if ((ops_mask_ & op) == 0) return Status::Ok();
  ++count_;
  if (crashed_) return Status::IOError("injected crash: " + what);
  if (remaining_ > 0 && --remaining_ == 0) {
    hit_ = true;
    if (mode_ == Mode::kCrash) crashed_ = true;
    return Status::IOError("injected fault: " + what);
  }
  return Status::Ok();
}

namespace {
class FaultWritableFile : public WritableFile {
 public:
  FaultWritableFile(FaultEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}
  Status Append(std::string_view data) override {
    Status st = env_->Check(FaultEnv::kAppend, "append to " + path_);
    if (!st.ok()) {
      base_->Append(data.substr(0, data.size() / 2)).ok();  // a short write
      return st;
    }
    return base_->Append(data);
  }
  Status Sync() override {
    RETURN_IF_ERROR(env_->Check(FaultEnv::kSync, "sync " + path_));
    return base_->Sync();
  }
  Status Close() override { return base_->Close(); }

 private:
  FaultEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
};
}  // namespace

Result<std::unique_ptr<WritableFile>> FaultEnv::NewWritableFile(const std::string& path,
                                                                bool exclusive, uint32_t mode) {
  RETURN_IF_ERROR(Check(kCreate, "create " + path));
  ASSIGN_OR_RETURN(auto base, base_->NewWritableFile(path, exclusive, mode));
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, path, std::move(base)));
}

Status FaultEnv::RenameFile(const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(Check(kRename, "rename " + from));
  return base_->RenameFile(from, to);
}

Status FaultEnv::RemoveFile(const std::string& path) {
  RETURN_IF_ERROR(Check(kRemove, "remove " + path));
  return base_->RemoveFile(path);
}

Status FaultEnv::RemoveDir(const std::string& path) {
  RETURN_IF_ERROR(Check(kRemove, "remove directory " + path));
  return base_->RemoveDir(path);
}

Status FaultEnv::SyncDir(const std::string& dir) {
  RETURN_IF_ERROR(Check(kSyncDir, "sync directory " + dir));
  return base_->SyncDir(dir);
}

Status FaultEnv::CreateDir(const std::string& path, uint32_t mode) {
  RETURN_IF_ERROR(Check(kMkdir, "create directory " + path));
  return base_->CreateDir(path, mode);
}

}  // namespace attest
