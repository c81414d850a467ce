#include "core/temp_dir.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace attest {

TempDir::TempDir(std::string_view prefix) {
  const char* root = std::getenv("TMPDIR");
  std::string tmpl = (root != nullptr && root[0] != '\0') ? root : "/tmp";
  while (tmpl.size() > 1 && tmpl.back() == '/') tmpl.pop_back();
  tmpl += "/";
  tmpl += prefix;
  tmpl += "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::fprintf(stderr, "TempDir: cannot make %s: %s\n", tmpl.c_str(), std::strerror(errno));
    std::abort();
  }
  path_ = std::move(tmpl);
}

TempDir::~TempDir() { Remove(); }

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

std::string TempDir::Join(std::string_view name) const {
  std::string out = path_;
  out += '/';
  out += name;
  return out;
}

void TempDir::Remove() {
  if (path_.empty()) return;
  std::error_code ec;
  // A test may have taken away its own permissions on a file or directory (chmod 0): give
  // them back first, so that the removal below does not stop there (root needs none of this).
  for (auto it = std::filesystem::recursive_directory_iterator(
           path_, std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, ec);
    }
  }
  ec.clear();
  std::filesystem::remove_all(path_, ec);
  if (ec)
    std::fprintf(stderr, "TempDir: cannot remove %s: %s\n", path_.c_str(), ec.message().c_str());
  path_.clear();
}

}  // namespace attest
