#include "core/env.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/fault_env.h"
#include "core/temp_dir.h"

namespace attest {
namespace {

TEST(EnvTest, WriteFileAtomicReplacesContent) {
  Env* env = Env::Default();
  TempDir temp_dir("attest-env");
  std::string dir = temp_dir.path();
  std::string path = JoinPath(dir, "f");
  ASSERT_TRUE(env->WriteFileAtomic(path, "one").ok());
  ASSERT_TRUE(env->WriteFileAtomic(path, "two").ok());
  EXPECT_EQ(*env->ReadFile(path), "two");
  EXPECT_EQ(env->ListDir(dir)->size(), 1u);  // no temporary left behind
}

TEST(EnvTest, FailedSyncLeavesOldContent) {
  FaultEnv env(Env::Default());
  TempDir temp_dir("attest-env");
  std::string dir = temp_dir.path();
  std::string path = JoinPath(dir, "f");
  ASSERT_TRUE(env.WriteFileAtomic(path, "old").ok());
  env.FailAfter(1, FaultEnv::Mode::kFailOnce, FaultEnv::kSync);
  EXPECT_FALSE(env.WriteFileAtomic(path, "new").ok());
  EXPECT_EQ(*env.ReadFile(path), "old");
  EXPECT_TRUE(env.fault_hit());
}

TEST(EnvTest, ShortWriteIsReported) {
  FaultEnv env(Env::Default());
  TempDir temp_dir("attest-env");
  std::string dir = temp_dir.path();
  env.FailAfter(1, FaultEnv::Mode::kFailOnce, FaultEnv::kAppend);
  auto f = env.NewWritableFile(JoinPath(dir, "g"), false, 0644);
  ASSERT_TRUE(f.ok());
  Status st = (*f)->Append("abcdef");
  EXPECT_EQ(st.code(), Code::kIOError);
  (*f)->Close().ok();
  EXPECT_EQ(*env.ReadFile(JoinPath(dir, "g")), "abc");
}

TEST(EnvTest, CrashModeFailsEverythingAfter) {
  FaultEnv env(Env::Default());
  TempDir temp_dir("attest-env");
  std::string dir = temp_dir.path();
  env.FailAfter(2, FaultEnv::Mode::kCrash);
  EXPECT_TRUE(env.CreateDir(JoinPath(dir, "a"), 0755).ok());
  EXPECT_FALSE(env.CreateDir(JoinPath(dir, "b"), 0755).ok());
  EXPECT_FALSE(env.CreateDir(JoinPath(dir, "c"), 0755).ok());
  env.Disarm();
  EXPECT_TRUE(env.CreateDir(JoinPath(dir, "c"), 0755).ok());
}

TEST(EnvTest, ReadingADirectoryOrMissingFileNamesIt) {
  Env* env = Env::Default();
  TempDir temp_dir("attest-env");
  std::string dir = temp_dir.path();
  auto r = env->ReadFile(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(dir), std::string::npos);
  auto m = env->ReadFile(JoinPath(dir, "missing"));
  EXPECT_TRUE(m.status().IsNotFound());
}

}  // namespace
}  // namespace attest
