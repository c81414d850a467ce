// The golden archive (issue 22): tests/testdata/golden/archive.tar.gz was made once by
// make-archive.sh with the binary of the commit that recorded it (records in four languages,
// derived versions from `attest worker`, a consent change of a record and of a segment, a seal,
// a withdrawal, a redaction, an edit). Today's binary must read it exactly as that one did:
// `verify` and `verify --json`, the log's key and checkpoint, the inclusion proof of every
// record version and consistency proofs come out byte for byte as recorded in
// archive.expected, with nothing normalised but the temporary directory's path. Which of the
// archive's files these commands change is recorded too, so that a binary which rewrites the
// archive on open (a migration, an integration) shows up here. ATTEST_GOLDEN_RECORD=1
// rewrites archive.expected (never the archive: make-archive.sh does that).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/hash.h"
#include "core/json.h"
#include "golden.h"

namespace attest::golden {
namespace {

namespace fs = std::filesystem;

// SHA-256 of every file under `dir`, by path relative to it.
std::map<std::string, std::string> Digests(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    out[fs::relative(e.path(), dir).string()] = ToHex(Sha256(ReadAll(e.path().string())));
  }
  return out;
}

TEST(GoldenArchiveTest, VerifyProofsAndCheckpointAreByteIdentical) {
  const std::string dir = std::string(ATTEST_TESTDATA_DIR) + "/golden";
  TempDir work_dir("attest-golden-archive");
  TempDir scratch("attest-golden-run");
  const std::string work = work_dir.path();
  fs::create_directories(work + "/tmp");
  const std::string untar =
      "tar -xzf '" + dir + "/archive.tar.gz' -C '" + work + "' --no-same-owner";
  ASSERT_EQ(std::system(untar.c_str()), 0) << untar;
  const std::string archive = work + "/archive";
  const auto before = Digests(archive);
  ASSERT_FALSE(before.empty());

  std::vector<std::string> env = FixedEnvironment(work);
  env.push_back("ATTEST_ARCHIVE=" + archive);
  std::string transcript =
      "# The golden archive (make-archive.sh) read by today's binary "
      "(tests/golden_archive_test.cc).\n";
  auto run = [&](const std::vector<std::string>& args) {
    Output r = RunCommand(args, env, work, "", scratch.path());
    std::string line = "$ attest";
    for (const auto& a : args) line += " " + a;
    transcript += line + "\n" + r.out;
    if (!r.out.empty() && r.out.back() != '\n') transcript += "\n[no newline at the end]\n";
    if (!r.err.empty()) transcript += "[stderr]\n" + r.err;
    transcript += "[exit " + std::to_string(r.exit_code) + "]\n\n";
    return r;
  };
  run({"verify"});
  run({"verify", "--json"});
  run({"log", "key"});
  Output cp = run({"log", "checkpoint"});
  Output list = run({"list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const Json records = Json::parse(list.out)["records"];
  for (const auto& rec : records) {
    const std::string id = rec["id"];
    for (const auto& v : rec["versions"]) {
      run({"log", "prove", id, "--version", std::to_string(v["version"].get<int>()), "--json"});
    }
    run({"log", "prove", id, "--json"});
  }
  // Consistency proofs from every earlier size to the current one.
  const std::string size_line = cp.out.substr(cp.out.find('\n') + 1);
  const int size = std::stoi(size_line.substr(0, size_line.find('\n')));
  ASSERT_GT(size, 2);
  for (int from = 1; from < size; ++from) {
    run({"log", "consistency", "--from", std::to_string(from), "--json"});
  }
  run({"log", "consistency", "--from", "1", "--to", std::to_string(size / 2), "--json"});
  run({"verify"});

  // What reading the archive changed: nothing is the answer a pure reader gives.
  const auto after = Digests(archive);
  transcript += "# Files the commands above added, removed or changed in the archive:\n";
  for (const auto& [path, digest] : after) {
    auto it = before.find(path);
    if (it == before.end())
      transcript += "added " + path + "\n";
    else if (it->second != digest)
      transcript += "changed " + path + "\n";
  }
  for (const auto& [path, digest] : before) {
    if (after.count(path) == 0) transcript += "removed " + path + "\n";
  }
  // Only the temporary directory's path is replaced; nothing else in the archive's answers is
  // allowed to vary.
  for (size_t p = transcript.find(work); p != std::string::npos; p = transcript.find(work, p)) {
    transcript.replace(p, work.size(), "$WORK");
  }
  const std::string diff = CompareWithRecording(transcript, dir + "/archive.expected");
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace attest::golden
