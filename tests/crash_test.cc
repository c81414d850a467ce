// kill -9 an `attest add --wait` at many random moments (in the add, or in the jobs it runs);
// afterwards `attest verify` passes, every add that had been acknowledged (exited 0 and
// printed its record) is present, and after `attest worker --until-idle` every job is done
// once: one derived version and one set of segments per original. Fault injection
// of failed writes and fsyncs through Env is in src/archive/archive_test.cc, src/tlog/log_test.cc
// and src/blob/blob_store_test.cc.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "core/json.h"
#include "process.h"

namespace attest::testing {
namespace {

TEST(CrashTest, KillNineDuringAddLosesNothingAcknowledged) {
  TempDir temp_dir("attest-crash");
  std::string tmp = temp_dir.path();
  std::string archive = tmp + "/archive";
  ASSERT_EQ(RunAttest({"init", archive, "--origin", "example.org/crash"}).exit_code, 0);
  std::mt19937 rng(20261123);
  // Files of several sizes, so kills land in blob writes, the database and the log alike.
  std::vector<std::string> files;
  for (int i = 0; i < 6; ++i) {
    // Text files, so kills also land while segments are stored and indexed.
    std::string path = tmp + "/src" + std::to_string(i) + ".txt";
    std::string data = "sample crashtestword " + std::to_string(i) + "\n";
    data += std::string((i % 3 == 0) ? (3 << 20) + i : 1000 + i, static_cast<char>('a' + i));
    std::ofstream(path, std::ios::binary) << data;
    files.push_back(path);
  }
  std::set<std::string> acknowledged;
  // How long an uninterrupted add takes on this machine and build (sanitizers are slow): kill
  // moments are drawn from twice that, so both outcomes occur whatever the machine's speed.
  int64_t full_us = 0;
  for (int i = 0; i < 3; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    Child c({"--archive", archive, "add", "--json", "--wait", files[0], files[1], files[2]}, tmp);
    ProcessResult r = c.Wait();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Json j = Json::parse(r.out);
    for (const auto& rec : j["records"]) acknowledged.insert(rec["id"].get<std::string>());
    full_us = std::max<int64_t>(full_us, std::chrono::duration_cast<std::chrono::microseconds>(
                                             std::chrono::steady_clock::now() - t0)
                                             .count());
  }
  int killed = 0, completed = 0, killed_in_a_row = 0;
  const int64_t first_full_us = full_us;
  // At least kRounds, and on until both outcomes happened often enough: on a loaded machine
  // (other tests beside this one) an add takes longer than it did alone, so after kills in a
  // row the delays grow (up to 8 times the first measure).
  const int kRounds = 60, kMaxRounds = 240;
  for (int round = 0; round < kMaxRounds && (round < kRounds || killed <= 5 || completed <= 5);
       ++round) {
    std::vector<std::string> args = {"--archive", archive, "add", "--json", "--wait"};
    int n = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) args.push_back(files[rng() % files.size()]);
    Child child(args, tmp);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % (2 * full_us)));
    child.Kill();
    ProcessResult r = child.Wait();
    if (r.exit_code == 0) {
      ++completed;
      killed_in_a_row = 0;
      Json j = Json::parse(r.out);
      for (const auto& rec : j["records"]) acknowledged.insert(rec["id"].get<std::string>());
    } else {
      ++killed;
      if (++killed_in_a_row == 4) {  // the adds have slowed down: wait longer, within reason
        full_us = std::min(full_us * 3 / 2, first_full_us * 8);
        killed_in_a_row = 0;
      }
      EXPECT_EQ(r.signal, SIGKILL) << r.err;
    }
    if (round % 15 == 14) {  // the archive must verify at any point, not only at the end
      auto v = RunAttest({"--archive", archive, "verify"});
      ASSERT_EQ(v.exit_code, 0) << "after round " << round << ":\n" << v.out << v.err;
    }
  }
  // Jobs a kill interrupted are released (their owner is gone) and run once more.
  auto w = RunAttest({"--archive", archive, "worker", "--until-idle"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  auto v = RunAttest({"--archive", archive, "verify", "--json"});
  ASSERT_EQ(v.exit_code, 0) << v.out << v.err;
  auto jobs = Json::parse(RunAttest({"--archive", archive, "jobs", "--json"}).out)["jobs"];
  std::map<std::string, int> extracts;
  for (const auto& j : jobs) {
    EXPECT_EQ(j["state"], "done") << j.dump();
    if (j["kind"] == "extract") extracts[j["record"].get<std::string>()]++;
  }
  for (const auto& id : acknowledged) {
    EXPECT_EQ(extracts[id], 1) << id;
    // One original, one derived text: exactly two versions, never a duplicate derivation.
    Json rec = Json::parse(RunAttest({"--archive", archive, "show", "--json", id}).out);
    EXPECT_EQ(rec["versions"].size(), 2u) << rec.dump();
  }
  for (const auto& id : acknowledged) {
    EXPECT_EQ(RunAttest({"--archive", archive, "show", id}).exit_code, 0) << id;
  }
  // The search index caught up too: every acknowledged record's words are found.
  auto found =
      RunAttest({"--archive", archive, "search", "--json", "--limit", "1000", "crashtestword"});
  ASSERT_EQ(found.exit_code, 0) << found.err;
  std::set<std::string> indexed;
  Json records = Json::parse(found.out)["records"];
  for (const auto& g : records) indexed.insert(g["record"].get<std::string>());
  for (const auto& id : acknowledged) EXPECT_TRUE(indexed.count(id)) << id << " not searchable";
  // Both outcomes must have happened for the test to mean anything.
  EXPECT_GT(killed, 5);
  EXPECT_GT(completed, 5);
  std::cout << "killed " << killed << ", completed " << completed << ", acknowledged records "
            << acknowledged.size() << ", log size " << Json::parse(v.out)["log_size"] << "\n";
}

}  // namespace
}  // namespace attest::testing
