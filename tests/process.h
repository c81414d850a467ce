// Running the attest binary from tests: fork/exec with captured output, and kill -9.
#ifndef ATTEST_TESTS_PROCESS_H_
#define ATTEST_TESTS_PROCESS_H_

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/temp_dir.h"

namespace attest::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 if killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Write(const std::string& dir, const std::string& name, const std::string& data) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

// A started child; its stdout and stderr go to files.
class Child {
 public:
  // `uid`: run as that user (and its group id the same number, no other groups); -1: as this
  // process. REQUIRES for another user: this process is root.
  // `in_path`: a file to read standard input from (default /dev/null).
  Child(const std::vector<std::string>& args, const std::string& out_dir, int uid = -1,
        const std::string& in_path = "/dev/null") {
    out_path_ = out_dir + "/out." + std::to_string(counter_++);
    err_path_ = out_path_ + ".err";
    pid_ = fork();
    if (pid_ == 0) {
      int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, 1);
      dup2(err, 2);
      int in = open(in_path.c_str(), O_RDONLY);
      dup2(in, 0);
      if (uid >= 0 && (setgroups(0, nullptr) != 0 || setgid(uid) != 0 || setuid(uid) != 0)) {
        _exit(126);
      }
      std::vector<char*> argv;
      std::string bin = ATTEST_BINARY;
      argv.push_back(bin.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
  }
  void Kill() { kill(pid_, SIGKILL); }
  ProcessResult Wait() {
    ProcessResult r;
    int status = 0;
    waitpid(pid_, &status, 0);
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    r.out = Slurp(out_path_);
    r.err = Slurp(err_path_);
    unlink(out_path_.c_str());
    unlink(err_path_.c_str());
    return r;
  }
  pid_t pid() const { return pid_; }
  // What the child has written to stdout so far.
  std::string OutputSoFar() const { return Slurp(out_path_); }

 private:
  static inline int counter_ = 0;
  pid_t pid_;
  std::string out_path_, err_path_;
};

// `input`: what the command reads on standard input.
inline ProcessResult RunAttest(const std::vector<std::string>& args, int uid = -1,
                               const std::string& input = "") {
  // Made once a test process, removed when it ends (tests leave nothing behind).
  struct RunDir {
    TempDir dir{"attest-run"};
    RunDir() {
      // another user's run writes nothing here: files opened first
      chmod(dir.path().c_str(), 0755);
    }
  };
  static const RunDir run_dir;
  const std::string& dir = run_dir.dir.path();
  std::string in_path = "/dev/null";
  if (!input.empty()) {
    in_path = dir + "/in." + std::to_string(getpid());
    FILE* f = fopen(in_path.c_str(), "w");
    fwrite(input.data(), 1, input.size(), f);
    fclose(f);
  }
  Child c(args, dir, uid, in_path);
  return c.Wait();
}

// Whether user `uid` (group the same number) can open `path` for reading. REQUIRES: root.
inline bool ReadableBy(int uid, const std::string& path) {
  pid_t pid = fork();
  if (pid == 0) {
    if (setgroups(0, nullptr) != 0 || setgid(uid) != 0 || setuid(uid) != 0) _exit(2);
    int fd = open(path.c_str(), O_RDONLY);
    _exit(fd >= 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace attest::testing

#endif  // ATTEST_TESTS_PROCESS_H_
