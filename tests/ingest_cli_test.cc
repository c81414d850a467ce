// Ingestion through the `attest` binary: a batch with bad files completes and names each
// failure; a worker killed with SIGKILL in the middle of an OCR job leaves nothing stuck and
// nothing twice. Sample text: the UDHR (samples/udhr; public, not testimony).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
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
    tmp_ = temp_dir_.path();
    archive_ = tmp_ + "/archive";
    ASSERT_EQ(RunAttest({"init", archive_, "--origin", "example.org/ingest-test"}).exit_code, 0);
  }
  // A batch test stores 2 GiB of zeros as a blob: nothing is left behind in /tmp.
  ProcessResult A(std::vector<std::string> args) {
    args.insert(args.begin(), {"--archive", archive_});
    return RunAttest(args);
  }
  Json Jobs() { return Json::parse(A({"jobs", "--json"}).out)["jobs"]; }
  std::string Udhr(const char* lang3) {
    return Slurp(std::string(ATTEST_SOURCE_DIR) + "/samples/udhr/" + lang3 + ".txt");
  }
  TempDir temp_dir_{"attest-ingest-cli"};  // removed when the test ends
  std::string tmp_, archive_;
};

TEST_F(IngestCliTest, ABatchWithBadFilesCompletesAndNamesEachFailure) {
  std::string good = Write(tmp_, "good.txt", Udhr("fra").substr(0, 2000));
  std::string pdf = tmp_ + "/he.pdf";
  Write(tmp_, "he.txt", Udhr("heb").substr(0, 1500));
  ASSERT_EQ(std::system(("pango-view -q --font='Noto Sans Hebrew 20' --rtl --width=1800 "
                         "--wrap=word --output=" +
                         pdf + " " + tmp_ + "/he.txt")
                            .c_str()),
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
                         "--wrap=word --output=" +
                         png + " " + tmp_ + "/long.txt")
                            .c_str()),
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

TEST_F(IngestCliTest, AManifestWithBadRowsGetsTheExactReportAndImportsOnlyGoodRows) {
  Write(tmp_, "a.txt", "Sample text a.\n");
  Write(tmp_, "b.txt", "Sample text b.\n");
  std::string manifest =
      Write(tmp_, "manifest.csv",
            "id,file,witness,collection,title,date,place,language,consent,note\n"
            "r-1,a.txt,w1,c1,Sample A,2023-10-07,Kfar Aza;Haifa,en,public,\"quoted, with comma\"\n"
            "r-2,b.txt,w1,c1,\"Sample B\nover two lines\",2024,,en,research,\n"
            "r-3,a.txt,w1,c1,Bad consent,2023,,en,secret,\n"
            "r-4,photos/missing.jpg,w1,c1,Missing,2023,,en,public,\n"
            "r-5,a.txt,w1,c1,Bad date,May 2024,,en,public,\n"
            "r-1,b.txt,w1,c1,Duplicate,2023,,en,public,\n"
            "r-7,a.txt,../w,c1,Bad witness,2023,,Hebrew,public,\n");
  auto dry = A({"import", "--dry-run", manifest});
  EXPECT_EQ(dry.exit_code, 1);
  EXPECT_EQ(
      dry.err,
      "manifest.csv:5: consent: unknown consent level 'secret'; use public, research, "
      "restricted or sealed\n"
      "manifest.csv:6: file: photos/missing.jpg: no such file\n"
      "manifest.csv:7: date: " +
          Json::parse(A({"import", "--json", "--dry-run", manifest}).out)["errors"][2]["message"]
              .get<std::string>() +
          "\n"
          "manifest.csv:8: id: 'r-1' is also on line 2\n"
          "manifest.csv:9: witness: '../w' must be 1-64 letters, digits, '.', '_' or '-'\n"
          "manifest.csv:9: language: 'Hebrew' is not a language tag such as he, ar, en, fr "
          "or und\n");
  EXPECT_EQ(dry.out, "would import 2 row(s); 0 imported before; 6 bad row problem(s)\n");
  EXPECT_TRUE(Json::parse(A({"list", "--json"}).out)["records"].empty());  // nothing changed
  auto run = A({"import", "--json", "--wait", manifest});
  EXPECT_EQ(run.exit_code, 1);
  Json j = Json::parse(run.out);
  ASSERT_EQ(j["imported"].size(), 2u);
  EXPECT_EQ(j["imported"][0]["line"], 2);
  EXPECT_EQ(j["imported"][1]["line"], 3);  // the row spanning lines 3-4 is named by its first
  EXPECT_EQ(j["errors"].size(), 6u);
  EXPECT_EQ(Json::parse(A({"list", "--json"}).out)["records"].size(), 2u);
  // The places and date of row r-1 are searchable; its free metadata is kept privately.
  EXPECT_EQ(
      Json::parse(A({"search", "--json", "sample date:2023-10 place:Haifa"}).out)["records"].size(),
      1u);
  // The same manifest again adds nothing twice.
  auto again = A({"import", "--json", manifest});
  Json k = Json::parse(again.out);
  EXPECT_TRUE(k["imported"].empty());
  EXPECT_EQ(k["skipped"].size(), 2u);
  EXPECT_EQ(Json::parse(A({"list", "--json"}).out)["records"].size(), 2u);
  EXPECT_EQ(A({"verify"}).exit_code, 0);
  // A manifest that cannot be read at all is a usage error naming it.
  auto headless = A({"import", Write(tmp_, "bad.csv", "name,path\nx,a.txt\n")});
  EXPECT_EQ(headless.exit_code, 2);
  EXPECT_NE(headless.err.find("must name the column file"), std::string::npos) << headless.err;
  // JSONL: the same validation.
  std::string jl = Write(tmp_, "m.jsonl",
                         "{\"id\":\"j-1\",\"file\":\"a.txt\",\"language\":\"en\","
                         "\"tags\":[\"x\"]}\n{\"id\":\"j-2\",\"file\":\"b.txt\","
                         "\"consent\":\"nope\"}\n");
  auto jr = A({"import", jl});
  EXPECT_EQ(jr.exit_code, 1);
  EXPECT_NE(jr.err.find("m.jsonl:2: consent: unknown consent level 'nope'"), std::string::npos)
      << jr.err;
}

TEST_F(IngestCliTest, AFailureNamesTheFileGivenAndTheManifestLine) {
  std::string broken = Write(tmp_, "broken.pdf", "%PDF-1.7\n1 0 obj << /Type /Catalog");
  std::string fine = Write(tmp_, "fine.txt", "Sample text.\n");
  auto add = A({"add", "--wait", broken, fine});
  EXPECT_EQ(add.exit_code, 1);
  EXPECT_NE(add.err.find("broken.pdf: job "), std::string::npos) << add.err;
  auto listed = A({"jobs", "--failed"});
  EXPECT_NE(listed.out.find("\tfailed\tbroken.pdf: damaged PDF"), std::string::npos) << listed.out;
  Json failed = Json::parse(A({"jobs", "--failed", "--json"}).out)["jobs"];
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["file"], "broken.pdf");
  EXPECT_FALSE(failed[0].contains("manifest"));
  // An imported file: its manifest line too.
  std::filesystem::create_directory(tmp_ + "/box");
  Write(tmp_ + "/box", "scan.pdf", "%PDF-1.7\n1 0 obj << /Type /Catalog");
  std::string manifest =
      Write(tmp_, "manifest.csv", "id,file,title\nm-1,fine.txt,Fine\nm-2,box/scan.pdf,Scan\n");
  auto imported = A({"import", "--wait", manifest});
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  listed = A({"jobs", "--failed"});
  EXPECT_NE(listed.out.find("\tfailed\tscan.pdf (manifest.csv:3): damaged PDF"), std::string::npos)
      << listed.out;
  failed = Json::parse(A({"jobs", "--json"}).out)["jobs"];
  int found = 0;
  for (const auto& j : failed) {
    if (j["file"] != "scan.pdf") continue;
    ++found;
    EXPECT_EQ(j["manifest"], "manifest.csv");
    EXPECT_EQ(j["line"], 3);
  }
  EXPECT_GE(found, 1);
}

TEST_F(IngestCliTest, AVideoWithoutSoundWaitsForNoSpeechModel) {
  std::string video = tmp_ + "/silent.mp4";
  ASSERT_EQ(std::system(("ffmpeg -nostdin -v error -f lavfi -i "
                         "testsrc=duration=1:size=64x64:rate=5 -an " +
                         video)
                            .c_str()),
            0);
  auto add = A({"add", "--wait", video});
  EXPECT_EQ(add.exit_code, 0) << add.err;
  int extracts = 0;
  for (const auto& j : Jobs()) {
    EXPECT_EQ(j["state"], "done") << j.dump();
    EXPECT_NE(j["kind"], "transcribe") << j.dump();
    if (j["kind"] == "extract") {
      ++extracts;
      EXPECT_EQ(j["outcome"]["no_text"], "no audio stream: nothing to transcribe") << j.dump();
    }
  }
  EXPECT_EQ(extracts, 1);
}

TEST_F(IngestCliTest, ATextFileNamedAsAudioIsStoredAsTextAndSaysSo) {
  std::string mp3 = Write(tmp_, "x.mp3", "Words in a file named as a recording.\n");
  auto add = A({"add", mp3});
  EXPECT_EQ(add.exit_code, 0) << add.err;
  EXPECT_NE(add.err.find("x.mp3 holds text, not audio: stored as a text record"), std::string::npos)
      << add.err;
  std::string named = Write(tmp_, "y.mp3", "More words.\n");
  std::string plain = Write(tmp_, "z.txt", "Plain words.\n");
  auto json = A({"add", "--json", "--wait", named, plain});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  Json records = Json::parse(json.out)["records"];
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["note"], "y.mp3 holds text, not audio: stored as a text record");
  EXPECT_FALSE(records[1].contains("note")) << records[1].dump();
}

TEST_F(IngestCliTest, AManifestWithoutIdsKnowsEachRowByItsFilePath) {
  std::filesystem::create_directory(tmp_ + "/box");
  Write(tmp_, "a.txt", "Sample text a.\n");
  Write(tmp_ + "/box", "a.txt", "Sample text in a box.\n");
  std::string manifest = Write(tmp_, "manifest.csv", "file,title\na.txt,First\nbox/a.txt,Second\n");
  auto run = A({"import", "--json", manifest});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json j = Json::parse(run.out);
  ASSERT_EQ(j["imported"].size(), 2u);
  EXPECT_EQ(j["imported"][0]["id"], "a.txt");
  EXPECT_EQ(j["imported"][1]["id"], "box/a.txt");
  // Run again, or through another spelling of the same paths: nothing is added twice.
  std::string other =
      Write(tmp_, "other.jsonl", "{\"file\":\"./a.txt\"}\n{\"file\":\"" + tmp_ + "/box/a.txt\"}\n");
  for (const std::string& m : {manifest, other}) {
    Json k = Json::parse(A({"import", "--json", m}).out);
    EXPECT_TRUE(k["imported"].empty()) << k.dump();
    EXPECT_EQ(k["skipped"].size(), 2u) << k.dump();
  }
  EXPECT_EQ(Json::parse(A({"list", "--json"}).out)["records"].size(), 2u);
  // The same file twice in one manifest is named as such.
  auto twice = A({"import", "--dry-run", Write(tmp_, "twice.csv", "file\na.txt\n./a.txt\n")});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("twice.csv:3: file: a.txt is also on line 2"), std::string::npos)
      << twice.err;
}

}  // namespace
}  // namespace attest::testing
