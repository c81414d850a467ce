// The ingestion pipeline end to end through the archive: add, then jobs (extract, OCR,
// index), then search. Sample sentences written for the tests (not testimony).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>

#include "archive/archive.h"
#include "archive/testing.h"
#include "core/temp_dir.h"
#include "ingest/worker.h"

namespace attest::ingest {
namespace {

using archive::AddOptions;
using archive::Archive;
using archive::StoreForTesting;

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& data) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = temp_dir_.path();
    dir_ = tmp_ + "/archive";
    ASSERT_TRUE(Archive::Init(Env::Default(), dir_, "example.org/test").ok());
    auto a = Archive::Open(Env::Default(), dir_);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    archive_ = std::move(*a);
  }
  // Runs every queued job, as `attest worker --until-idle` does.
  void RunJobs(int threads = 1) {
    WorkerOptions w;
    w.until_idle = true;
    w.threads = threads;
    Status st = RunWorker(Env::Default(), dir_, w);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  Result<search::Results> Search(const std::string& q,
                                 search::Role role = search::Role::kArchivist) {
    RunJobs();
    search::SearchRequest req;
    req.query = q;
    req.role = role;
    return archive_->finder().Search(req);
  }
  TempDir temp_dir_{"attest-ingest"};  // removed after archive_ is closed
  std::string tmp_, dir_;
  std::unique_ptr<Archive> archive_;
};

TEST_F(PipelineTest, ALostSearchIndexIsRebuiltOnOpen) {
  auto added = *archive_->records().Add(
      {WriteFile(tmp_, "a.txt", "Sample text: equal in dignity.")}, AddOptions());
  EXPECT_EQ(Search("dignity")->records.size(), 1u);
  archive_.reset();
  ASSERT_EQ(std::system(("rm -rf " + dir_ + "/index/lexical").c_str()), 0);
  archive_ = *Archive::Open(Env::Default(), dir_);
  auto r = Search("dignity");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].record_id, added[0].id);
}

// Sample sentences written for the tests (not testimony).
TEST_F(PipelineTest, PlaceAndDateMetadataAreSearchableAndFaceted) {
  AddOptions opts;
  opts.consent = meta::Consent::kPublic;
  opts.places = {"Kfar Aza"};
  opts.date = "2023-10-07";
  auto a =
      *archive_->records().Add({WriteFile(tmp_, "a.txt", "Sample: the morning was quiet.")}, opts);
  opts.places = {"Haifa"};
  opts.date = "2024-03";
  auto b =
      *archive_->records().Add({WriteFile(tmp_, "b.txt", "Sample: the morning was loud.")}, opts);
  auto r = *Search("morning place:\"כפר עזה\"");  // the place in another script
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].record_id, a[0].id);
  EXPECT_EQ(Search("morning date:2023-10")->records.size(), 1u);
  EXPECT_EQ(Search("morning date:2024")->records[0].record_id, b[0].id);
  EXPECT_EQ(Search("morning date:2023-10-07..2024-03-01")->records.size(), 2u);
  EXPECT_TRUE(Search("morning date:2022")->records.empty());
  EXPECT_EQ(Search("morning date:2023-13").status().code(), Code::kInvalidArgument);
  r = *Search("morning");
  EXPECT_EQ(r.place_facets, (std::map<std::string, uint64_t>{{"Haifa", 1}, {"Kfar Aza", 1}}));
  EXPECT_EQ(r.month_facets, (std::map<std::string, uint64_t>{{"2023-10", 1}, {"2024-03", 1}}));
  // A metadata place is itself a name: its words find the record, in any script.
  EXPECT_EQ(Search("חיפה")->records[0].record_id, b[0].id);
  opts.date = "2023-02-30";
  EXPECT_EQ(archive_->records().Add({WriteFile(tmp_, "c.txt", "x")}, opts).status().code(),
            Code::kInvalidArgument);
}

TEST_F(PipelineTest, ListedNamesAreFoundAcrossScripts) {
  AddOptions opts;
  opts.consent = meta::Consent::kPublic;
  auto he = *archive_->records().Add(
      {WriteFile(tmp_, "he.txt", "משפט לדוגמה: האוטובוס מכפר עזה הגיע בערב.")}, opts);
  EXPECT_TRUE(Search("\"Kfar Aza\"")->records.empty());  // not a known name yet
  ASSERT_TRUE(archive_->indexer().AddName("Kfar Aza", "place").ok());
  auto r = *Search("\"Kfar Aza\"");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].record_id, he[0].id);
  ASSERT_EQ(r.records[0].hits[0].highlights.size(), 2u);  // מכפר and עזה
  EXPECT_EQ(Search("Kfar Aza bus")->records.size(), 0u);  // bus is not in the Hebrew text
  EXPECT_EQ(Search("كفار عزة")->records.size(), 1u);
  EXPECT_EQ(archive_->indexer().AddName("!!", "place").code(), Code::kInvalidArgument);
  EXPECT_EQ(archive_->indexer().AddName("Gaza", "city").code(), Code::kInvalidArgument);
  EXPECT_EQ(archive_->indexer().AddName("Gaza\nCity", "place").code(), Code::kInvalidArgument);
  EXPECT_EQ(archive_->indexer().AddName(std::string("Ga\x1fza"), "place").code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(*archive_->indexer().RemoveName("Kfar Aza"));
  EXPECT_TRUE(Search("\"Kfar Aza\"")->records.empty());
}

TEST_F(PipelineTest, ARevisionReplacesTheEarlierTextInTheIndex) {
  AddOptions opts;
  auto v1 = *archive_->records().Add({WriteFile(tmp_, "a.txt", "Sample: first wording.")}, opts);
  opts.record_id = v1[0].id;
  ASSERT_TRUE(
      archive_->records().Add({WriteFile(tmp_, "b.txt", "Sample: corrected wording.")}, opts).ok());
  EXPECT_TRUE(Search("first")->records.empty());
  auto r = *Search("wording");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].hits.size(), 1u);
  EXPECT_EQ(r.records[0].hits[0].version, 4);  // v3: text of v1; v4: text of v2
}

TEST_F(PipelineTest, AnIndexOfAnEarlierLayoutIsRebuilt) {
  ASSERT_TRUE(archive_->records()
                  .Add({WriteFile(tmp_, "a.txt", "Sample: equal in dignity.")}, AddOptions())
                  .ok());
  ASSERT_TRUE(StoreForTesting(archive_.get())->SetInfo("index.format", "1").ok());
  archive_.reset();
  archive_ = *Archive::Open(Env::Default(), dir_);
  EXPECT_EQ(Search("dignity")->records.size(), 1u);
  EXPECT_EQ(*StoreForTesting(archive_.get())->GetInfo("index.format"),
            std::optional<std::string>(search::LexicalIndex::kLayout));
}

TEST_F(PipelineTest, AJobThatFailsOnPurposeIsRetriedOrFailedAndTheRestCompletes) {
  auto a =
      *archive_->records().Add({WriteFile(tmp_, "a.txt", "Sample: flaky disk.")}, AddOptions());
  auto b =
      *archive_->records().Add({WriteFile(tmp_, "b.txt", "Sample: bad content.")}, AddOptions());
  auto c = *archive_->records().Add({WriteFile(tmp_, "c.txt", "Sample: fine.")}, AddOptions());
  std::atomic<int> flaky{0};
  WorkerOptions w;
  w.until_idle = true;
  w.before_run = [&](const meta::Job& job) -> Status {
    if (job.record_id == a[0].id && job.kind == "extract" && flaky++ == 0) {
      return Status::IOError("injected: the disk went away");  // transient: retried
    }
    if (job.record_id == b[0].id) return Status::InvalidArgument("injected: unreadable");
    return Status::Ok();
  };
  ASSERT_TRUE(RunWorker(Env::Default(), dir_, w).ok());  // waits out the 5 s backoff
  auto jobs = *StoreForTesting(archive_.get())->ListJobs({});
  for (const meta::Job& j : jobs) {
    if (j.record_id == b[0].id) {
      EXPECT_EQ(j.state, meta::JobState::kFailed);
      EXPECT_EQ(j.error, "injected: unreadable");
      EXPECT_EQ(j.attempts, 1);  // content errors are not retried
    } else {
      EXPECT_EQ(j.state, meta::JobState::kDone) << j.kind << " " << j.record_id;
      if (j.record_id == a[0].id && j.kind == "extract") {
        EXPECT_EQ(j.attempts, 2);
      }
    }
  }
  EXPECT_EQ(flaky.load(), 2);
  EXPECT_EQ(archive_->records().Get(c[0].id)->versions.size(), 2u);
  EXPECT_EQ(archive_->records().Get(b[0].id)->versions.size(),
            1u);  // stored and logged all the same
  search::SearchRequest req;
  req.query = "sample";
  req.role = search::Role::kArchivist;
  EXPECT_EQ(archive_->finder().Search(req)->records.size(), 2u);
}

TEST_F(PipelineTest, DerivedVersionsCarryTheirProvenance) {
  std::string he = "\xF9\xEC\xE5\xED \xF2\xE5\xEC\xED\n";  // "שלום עולם" in windows-1255
  auto a = *archive_->records().Add({WriteFile(tmp_, "he.txt", he)}, AddOptions());
  RunJobs();
  auto r = *archive_->records().Get(a[0].id);
  ASSERT_EQ(r.versions.size(), 2u);
  Json m = *ParseJson(r.versions[1].manifest, "manifest");
  EXPECT_EQ(m["derived"]["from"], 1);
  EXPECT_EQ(m["derived"]["tool"], "attest-text");
  EXPECT_EQ(m["derived"]["artifact"], "text");
  std::string enc = m["derived"]["detected"]["encoding"];
  EXPECT_TRUE(enc == "windows-1255" || enc == "ISO-8859-8-I" || enc == "ISO-8859-8") << enc;
  EXPECT_EQ(r.versions[1].blobs.size(), 2u);  // the original and the text
  auto segs = *StoreForTesting(archive_.get())->RecordSegments(a[0].id);
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_EQ(segs[0].segment.text, "שלום עולם");
  // Every job is done: nothing is left to lease.
  auto leased = StoreForTesting(archive_.get())
                    ->LeaseJob("test/1/x", "2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z");
  ASSERT_TRUE(leased.ok());
  EXPECT_FALSE(leased->has_value());
  EXPECT_EQ(archive_->verifier().Verify()->ok, true);
}

}  // namespace
}  // namespace attest::ingest
