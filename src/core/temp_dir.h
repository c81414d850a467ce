// TempDir: a directory of a test's own, made under $TMPDIR (or /tmp when TMPDIR is unset or
// empty) with a unique name, and removed with everything in it when the object is destroyed,
// so a test leaves nothing behind however it ends (an ASSERT that returns early included).
// For tests only (attest_core_testing); never linked into the attest binary.
// Not thread-safe to destroy while another thread writes under it; otherwise use freely.
#ifndef ATTEST_CORE_TEMP_DIR_H_
#define ATTEST_CORE_TEMP_DIR_H_

#include <string>
#include <string_view>

namespace attest {

class TempDir {
 public:
  // Makes $TMPDIR/PREFIX-XXXXXX (mode 0700). Aborts the test program, naming the directory,
  // if it cannot be made: no test can go on without it.
  explicit TempDir(std::string_view prefix = "attest-test");
  // Removes the directory and everything under it; what cannot be removed is reported on
  // standard error (the /tmp check of scripts/test-private-tmp.sh then names it too).
  ~TempDir();

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // A moved-from TempDir owns nothing and removes nothing.
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;

  // The directory's absolute path, without a trailing slash.
  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Join(std::string_view name) const;

 private:
  void Remove();
  std::string path_;
};

}  // namespace attest

#endif  // ATTEST_CORE_TEMP_DIR_H_
