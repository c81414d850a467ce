// Ingestion through the `attest` binary: a batch with bad files completes and names each
// failure; a worker killed with SIGKILL in the middle of an OCR job leaves nothing stuck and
// nothing twice. Sample text: the UDHR (samples/udhr; public, not testimony).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "core/json.h"
#include "process.h"

namespace attest::testing {
namespace {

class IngestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = TempDir("attest-ingest-cli");
    archive_ = tmp_ + "/archive";
    ASSERT_EQ(RunAttest({"init", archive_, "--origin", "example.org/ingest-test"}).exit_code, 0);
  }
  ProcessResult A(std::vector<std::string> args) {
    args.insert(args.begin(), {"--archive", archive_});
    return RunAttest(args);
  }
  Json Jobs() { return Json::parse(A({"jobs", "--json"}).out)["jobs"]; }
  std::string Udhr(const char* lang3) {
    return Slurp(std::string(ATTEST_SOURCE_DIR) + "/samples/udhr/" + lang3 + ".txt");
  }
  std::string tmp_, archive_;
};

TEST_F(IngestCliTest, ABatchWithBadFilesCompletesAndNamesEachFailure) {
  std::string good = Write(tmp_, "good.txt", Udhr("fra").substr(0, 2000));
  std::string pdf = tmp_ + "/he.pdf";
  Write(tmp_, "he.txt", Udhr("heb").substr(0, 1500));
  ASSERT_EQ(std::system(("pango-view -q --font='Noto Sans Hebrew 20' --rtl --width=1800 "
                         "--wrap=word --output=" + pdf + " " + tmp_ + "/he.txt").c_str()),
            0);
  std::string corrupt = Write(tmp_, "corrupt.pdf", "%PDF-1.7\n1 0 obj << /Type /Catalog");
  std::string tiff = Write(tmp_, "truncated.tif", std::string("II*\0\x08\0\0\0\x0c\0\x00\x01", 12));
  std::string empty = Write(tmp_, "empty.txt", "");
  std::string zeros = tmp_ + "/zeros.pdf";  // 2 GiB of zero bytes (sparse on disk)
  ASSERT_EQ(std::system(("truncate -s 2G " + zeros).c_str()), 0);
  auto add = A({"add", "--json", "--wait", "--jobs", "2", good, pdf, corrupt, tiff, empty, zeros});
  EXPECT_EQ(add.exit_code, 1) << add.err;  // stored and logged, but some jobs failed
  EXPECT_NE(add.err.find("see attest jobs --failed"), std::string::npos) << add.err;
  Json out = Json::parse(add.out);
  std::map<std::string, std::string> file_of;  // record -> file name
  for (const auto& r : out["records"]) {
    std::string f = r["file"];
    file_of[r["id"]] = f.substr(f.rfind('/') + 1);
  }
  ASSERT_EQ(file_of.size(), 6u);
  auto failed = Json::parse(A({"jobs", "--failed", "--json"}).out)["jobs"];
  std::map<std::string, std::string> why;  // file -> error
  for (const auto& j : failed) why[file_of[j["record"]]] = j["error"];
  std::map<std::string, std::string> expected = {
      {"corrupt.pdf", "damaged PDF"},
      {"truncated.tif", "TIFF"},
      {"empty.txt", "empty (0 bytes)"},
      {"zeros.pdf", "named .pdf but not a PDF"},
  };
  EXPECT_EQ(why.size(), expected.size());
  for (const auto& [file, mention] : expected) {
    EXPECT_NE(why[file].find(mention), std::string::npos) << file << ": " << why[file];
  }
  // The rest of the batch completed: both texts are searchable, cited to the page.
  Json fr = Json::parse(A({"search", "--json", "dignité"}).out);
  ASSERT_EQ(fr["records"].size(), 1u);
  Json he = Json::parse(A({"search", "--json", "הואיל"}).out);
  ASSERT_EQ(he["records"].size(), 1u);
  EXPECT_EQ(he["records"][0]["segments"][0]["page"], 1);
  // Every original is stored and logged, failures included.
  EXPECT_EQ(A({"verify"}).exit_code, 0);
  // Retrying a failed job runs it again; it fails again, for the same reason.
  int64_t id = failed[0]["id"];
  EXPECT_EQ(A({"jobs", "retry", std::to_string(id)}).exit_code, 0);
  EXPECT_EQ(A({"worker", "--until-idle"}).exit_code, 0);
  EXPECT_EQ(Json::parse(A({"jobs", "--failed", "--json"}).out)["jobs"].size(), failed.size());
  EXPECT_EQ(A({"jobs", "cancel", std::to_string(id)}).exit_code, 0);
  EXPECT_EQ(A({"jobs", "retry", "99999"}).exit_code, 1);
  EXPECT_EQ(A({"jobs", "retry"}).exit_code, 2);
}

TEST_F(IngestCliTest, AWorkerKilledMidJobLeavesNothingStuckAndNothingTwice) {
  // A tall page of English text: its OCR takes seconds, long enough to be killed in.
  std::string text;
  std::istringstream in(Udhr("eng"));
  for (std::string line; std::getline(in, line) && text.size() < 9000;) text += line + "\n";
  Write(tmp_, "long.txt", text);
  std::string png = tmp_ + "/page.png";
  ASSERT_EQ(std::system(("pango-view -q --font='Noto Sans 11' --dpi=300 --width=2400 "
                         "--wrap=word --output=" + png + " " + tmp_ + "/long.txt").c_str()),
            0);
  auto add = A({"add", "--json", "--lang", "en", png});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  std::string id = Json::parse(add.out)["records"][0]["id"];
  int kills = 0;
  for (int round = 0; round < 2; ++round) {
    Child worker({"--archive", archive_, "worker"}, tmp_);
    // Wait until the OCR job is running, then kill the worker in the middle of it.
    bool running = false;
    for (int i = 0; i < 600 && !running; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      for (const auto& j : Jobs()) running |= j["kind"] == "ocr" && j["state"] == "running";
    }
    ASSERT_TRUE(running);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    worker.Kill();
    EXPECT_EQ(worker.Wait().signal, SIGKILL);
    ++kills;
  }
  auto w = A({"worker", "--until-idle", "--json"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_NE(w.out.find("\"event\":\"progress\""), std::string::npos);
  std::map<std::string, int> done;
  for (const auto& j : Jobs()) {
    EXPECT_EQ(j["state"], "done") << j.dump();
    done[j["kind"]]++;
    if (j["kind"] == "ocr") {
      EXPECT_EQ(j["attempts"], kills + 1);
    }
  }
  EXPECT_EQ(done, (std::map<std::string, int>{{"extract", 1}, {"index", 1}, {"ocr", 1}}));
  Json rec = Json::parse(A({"show", "--json", id}).out);
  ASSERT_EQ(rec["versions"].size(), 2u);  // the original and one OCR text, not two
  Json r = Json::parse(A({"search", "--json", "--limit", "100", "dignity"}).out);
  ASSERT_EQ(r["records"].size(), 1u);
  // Each paragraph once: no duplicate segments from the interrupted runs.
  std::set<std::string> snippets;
  for (const auto& g : r["records"][0]["segments"]) {
    EXPECT_EQ(g["version"], 2);
    EXPECT_TRUE(snippets.insert(g["snippet"].get<std::string>()).second) << g.dump();
  }
  EXPECT_EQ(A({"verify"}).exit_code, 0);
}

}  // namespace
}  // namespace attest::testing
