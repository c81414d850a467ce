#include "core/temp_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>

namespace attest {
namespace {

namespace fs = std::filesystem;

TEST(TempDirTest, MakesAPrivateDirectoryAndRemovesEverythingInIt) {
  std::string path;
  {
    TempDir dir("attest-tempdir-test");
    path = dir.path();
    ASSERT_TRUE(fs::is_directory(path));
    EXPECT_NE(fs::path(path).filename().string().find("attest-tempdir-test-"), std::string::npos);
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u);
    fs::create_directories(dir.Join("a/b/c"));
    std::ofstream(dir.Join("a/b/c/file")) << "x";
    std::ofstream(dir.Join("top")) << "y";
    // A directory its test made unreadable is removed too.
    fs::create_directories(dir.Join("locked/inner"));
    std::ofstream(dir.Join("locked/inner/f")) << "z";
    fs::permissions(dir.Join("locked"), fs::perms::none);
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(TempDirTest, TwoAreNeverTheSame) {
  TempDir a, b;
  EXPECT_NE(a.path(), b.path());
  EXPECT_EQ(a.Join("x"), a.path() + "/x");
}

TEST(TempDirTest, AMovedDirectoryIsRemovedOnceByItsNewOwner) {
  TempDir a("attest-tempdir-move");
  const std::string path = a.path();
  TempDir b = std::move(a);
  EXPECT_EQ(b.path(), path);
  EXPECT_TRUE(a.path().empty());
  { TempDir gone = std::move(b); }
  EXPECT_FALSE(fs::exists(path));
}

TEST(TempDirTest, MadeUnderTMPDIR) {
  TempDir outer("attest-tempdir-root");
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  setenv("TMPDIR", (outer.path() + "/").c_str(), 1);
  {
    TempDir inner("inner");
    EXPECT_EQ(fs::path(inner.path()).parent_path().string(), outer.path());
  }
  if (old) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  EXPECT_TRUE(fs::is_empty(outer.path()));
}

}  // namespace
}  // namespace attest
