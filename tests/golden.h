// Golden tests (tests/testdata/README.md, "golden/"): run the attest binary in a fixed
// environment, make its volatile output (random ids, keys, times) comparable by a documented
// rule, and compare with a recording byte for byte, printing a unified diff when they differ.
// ATTEST_GOLDEN_RECORD=1 rewrites the recording instead.
#ifndef ATTEST_TESTS_GOLDEN_H_
#define ATTEST_TESTS_GOLDEN_H_

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/temp_dir.h"

namespace attest::golden {

struct Output {
  int exit_code = -1;  // 128 + N when killed by signal N
  std::string out;
  std::string err;
};

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

inline bool Recording() {
  const char* r = std::getenv("ATTEST_GOLDEN_RECORD");
  return r != nullptr && std::string(r) == "1";
}

// Runs the attest binary as a user would from their shell: argv[0] is "attest", the working
// directory is `cwd`, the environment is exactly `env` (NAME=VALUE), standard input is `input`.
// `scratch` holds the captured output while it runs.
inline Output RunCommand(const std::vector<std::string>& args, const std::vector<std::string>& env,
                         const std::string& cwd, const std::string& input,
                         const std::string& scratch) {
  const std::string out_path = scratch + "/stdout", err_path = scratch + "/stderr",
                    in_path = scratch + "/stdin";
  WriteAll(in_path, input);
  pid_t pid = fork();
  if (pid == 0) {
    int in = open(in_path.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0 || chdir(cwd.c_str()) != 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<std::string> argv_s = {"attest"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s = env;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    execve(ATTEST_BINARY, argv.data(), envp.data());
    _exit(127);
  }
  Output r;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.exit_code = 128 + WTERMSIG(status);
  r.out = ReadAll(out_path);
  r.err = ReadAll(err_path);
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  unlink(in_path.c_str());
  return r;
}

// The environment every golden command runs in, whatever the test's own (documented in
// tests/testdata/README.md): the user `golden`, UTC, the C.UTF-8 locale, HOME and TMPDIR in
// the test's directory.
inline std::vector<std::string> FixedEnvironment(const std::string& work) {
  return {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "HOME=" + work,
          "TMPDIR=" + work + "/tmp",
          "USER=golden",
          "LOGNAME=golden",
          "LC_ALL=C.UTF-8",
          "TZ=UTC"};
}

// Replaces the volatile parts of the attest binary's output by placeholders, numbered by
// class in the order they first appear (the n-th distinct record id is <R n>, ...), so that
// equal values stay equal and different ones different. The rules, in the order applied
// (tests/testdata/README.md lists them too):
//   the test's directory                         -> $WORK
//   a time between the test's start and now      -> <NOW>  (RFC 3339, e.g. 2026-12-06T23:07:07Z)
//   a token or link secret  attest_..., attestw_...  -> <SECRETn>
//   a job batch             add-…, import-… (12 hex) -> <BATCHn>
//   a search cursor         N-12 hex                  -> <CURSORn>
//   a record id             r + 20 base32             -> <Rn>
//   a segment reference     s + 32 hex                -> <Sn>
//   64 hex digits (SHA-256) not of a file the test wrote -> <HEXn>  (a file's stays as it is)
//   a note key's hash       +8 hex+                   -> +<KEYn>+
//   base64 of 40 or more characters (roots, proofs, signatures, keys, leaves) -> <B64n>
//   a token, link or user id  t/w/u + 12 base32, once printed as an id ("id": "…",
//                           Token …, Link …, or in the audit log) -> <Tn> / <Wn> / <Un>
//   a worker's timings in --json (elapsed_s, items_per_s, bytes_per_s, eta_s) -> <N>
// Restore() maps placeholders back to the values of this run, so a script can name them.
class Normaliser {
 public:
  explicit Normaliser(std::string work) : work_(std::move(work)), start_(std::time(nullptr)) {}

  // A SHA-256 (64 lowercase hex digits) to keep as it is: one of a file the test wrote.
  void Keep(const std::string& hex) { keep_.insert(hex); }

  std::string Apply(std::string text) {
    text = ReplaceAll(text, work_, "$WORK");
    text = Times(text);
    text = Class(text, std::regex(R"(\battestw?_[a-z2-7]{52}\b)"), "SECRET");
    text = Class(text, std::regex(R"(\b(?:add|import)-[0-9a-f]{12}\b)"), "BATCH");
    text = Class(text, std::regex(R"(\b[0-9]+-[0-9a-f]{12}\b)"), "CURSOR");
    text = Class(text, std::regex(R"(\br[a-z2-7]{20}\b)"), "R");
    text = Class(text, std::regex(R"(\bs[0-9a-f]{32}\b)"), "S");
    text = Class(text, std::regex(R"(\b[0-9a-f]{64}\b)"), "HEX", &keep_);
    text = Class(text, std::regex(R"(\+([0-9a-f]{8})\+)"), "KEY", nullptr, 1);
    text = Class(text, std::regex(R"((?:^|\\[nt"]|[^A-Za-z0-9/_<>\\-])([A-Za-z0-9+/]{40,}={0,2}))"),
                 "B64", &keep_, 1);
    // Token, link and user ids look like words ("transcription" would pass for a token id):
    // only those printed where an id is printed are taken, then replaced wherever they occur.
    static const std::regex kIdContext(
        R"x((?:"id": "|Token |Link |token\.create\t|link\.create\t)([twu][a-z2-7]{12})\b)x");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kIdContext);
         it != std::sregex_iterator(); ++it) {
      ids_.insert(it->str(1));
    }
    text = Class(text, std::regex(R"(\bt[a-z2-7]{12}\b)"), "T", nullptr, 0, &ids_);
    text = Class(text, std::regex(R"(\bw[a-z2-7]{12}\b)"), "W", nullptr, 0, &ids_);
    text = Class(text, std::regex(R"(\bu[a-z2-7]{12}\b)"), "U", nullptr, 0, &ids_);
    text = std::regex_replace(
        text, std::regex(R"x("(elapsed_s|items_per_s|bytes_per_s|eta_s)":-?[0-9][0-9.e+-]*)x"),
        "\"$1\":<N>");
    return text;
  }

  // `$WORK` and placeholders seen so far, back to this run's values.
  std::string Restore(std::string text) const {
    text = ReplaceAll(text, "$WORK", work_);
    for (const auto& [placeholder, value] : back_) text = ReplaceAll(text, placeholder, value);
    return text;
  }

 private:
  static std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
    if (from.empty()) return s;
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
      s.replace(p, from.size(), to);
    }
    return s;
  }

  // Replaces group `group` of every match of `re` by its class's placeholder.
  // `keep`: values left as they are; `only`: when given, the only values replaced.
  std::string Class(const std::string& text, const std::regex& re, const std::string& cls,
                    const std::set<std::string>* keep = nullptr, int group = 0,
                    const std::set<std::string>* only = nullptr) {
    std::string out;
    size_t last = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
         ++it) {
      const std::smatch& m = *it;
      const std::string value = m.str(group);
      const size_t pos = static_cast<size_t>(m.position(group));
      out.append(text, last, pos - last);
      if ((keep != nullptr && keep->count(value) > 0) ||
          (only != nullptr && only->count(value) == 0)) {
        out += value;
      } else {
        out += Placeholder(cls, value);
      }
      last = pos + value.size();
    }
    out.append(text, last, std::string::npos);
    return out;
  }

  std::string Placeholder(const std::string& cls, const std::string& value) {
    auto& seen = forward_[cls];
    auto it = seen.find(value);
    if (it != seen.end()) return it->second;
    std::string p = "<" + cls + std::to_string(seen.size() + 1) + ">";
    seen.emplace(value, p);
    back_.emplace_back(p, value);
    return p;
  }

  std::string Times(const std::string& text) const {
    static const std::regex re(R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z)");
    const std::time_t now = std::time(nullptr);
    std::string out;
    size_t last = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
         ++it) {
      const std::smatch& m = *it;
      std::tm tm{};
      tm.tm_year = std::stoi(m.str(1)) - 1900;
      tm.tm_mon = std::stoi(m.str(2)) - 1;
      tm.tm_mday = std::stoi(m.str(3));
      tm.tm_hour = std::stoi(m.str(4));
      tm.tm_min = std::stoi(m.str(5));
      tm.tm_sec = std::stoi(m.str(6));
      const std::time_t t = timegm(&tm);
      out.append(text, last, static_cast<size_t>(m.position(0)) - last);
      out += (t >= start_ - 2 && t <= now + 2) ? "<NOW>" : m.str(0);
      last = static_cast<size_t>(m.position(0) + m.length(0));
    }
    out.append(text, last, std::string::npos);
    return out;
  }

  std::string work_;
  std::time_t start_;
  std::set<std::string> keep_;
  std::set<std::string> ids_;  // token, link and user ids seen where ids are printed
  std::map<std::string, std::map<std::string, std::string>> forward_;
  std::vector<std::pair<std::string, std::string>> back_;
};

// Compares `actual` with the recording at `path`; returns "" when they are the same, else a
// unified diff (expected, then actual). When recording (ATTEST_GOLDEN_RECORD=1), writes
// `actual` to `path` and returns "".
inline std::string CompareWithRecording(const std::string& actual, const std::string& path) {
  if (Recording()) {
    WriteAll(path, actual);
    std::fprintf(stderr, "golden: recorded %s (%zu bytes)\n", path.c_str(), actual.size());
    return "";
  }
  std::ifstream probe(path, std::ios::binary);
  if (!probe) return "no recording at " + path + ": run the test with ATTEST_GOLDEN_RECORD=1";
  const std::string expected = ReadAll(path);
  if (expected == actual) return "";
  TempDir dir("attest-golden-diff");
  WriteAll(dir.Join("expected"), expected);
  WriteAll(dir.Join("actual"), actual);
  std::string cmd = "diff -u --label expected:" + path + " --label actual " + dir.Join("expected") +
                    " " + dir.Join("actual") + " 2>&1";
  std::string diff;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) diff.append(buf, n);
    pclose(p);
  }
  if (diff.empty()) diff = "(diff is not installed) the output differs from " + path;
  return "the output differs from its recording (" + path +
         "; ATTEST_GOLDEN_RECORD=1 rewrites it, tests/testdata/README.md):\n" + diff;
}

}  // namespace attest::golden

#endif  // ATTEST_TESTS_GOLDEN_H_
