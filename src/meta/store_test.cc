// Behaviour every meta::Store backend must show. Run against SQLite; a later PostgreSQL
// backend runs the same suite (instantiate the fixture with its factory).
#include "meta/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "meta/schema.sql.h"

namespace attest::meta {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/attest-meta-XXXXXX";
  return mkdtemp(tmpl);
}

AddRequest NewRecord(const std::string& id, const std::string& sha, const std::string& witness) {
  AddRequest r;
  r.record_id = id;
  r.witness_id = witness;
  r.collection_id = "c1";
  r.consent = Consent::kPublic;
  r.created = "2026-01-01T00:00:00Z";
  r.salt = std::string(32, 's');
  r.build = [id, sha](int version, const std::string& salt, uint64_t leaf) -> Result<NewVersion> {
    NewVersion nv;
    nv.manifest = "{\"record\":\"" + id + "\",\"version\":" + std::to_string(version) + "}";
    nv.manifest_sha256 = std::string(64, 'a');
    nv.private_json = "{\"file_name\":\"x.txt\"}";
    nv.lang = "en";
    nv.created = "2026-01-01T00:00:00Z";
    nv.leaf = "leaf for " + id + " v" + std::to_string(version) + " at " + std::to_string(leaf);
    nv.blobs = {{"original", sha, 10}};
    return nv;
  };
  return r;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    auto s = OpenSqliteStore(dir_ + "/attest.db", true);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, AddsRecordsAndSequencesOneLeafEach) {
  auto v = store_->AddVersions(
      {NewRecord("r1", std::string(64, '1'), "w1"), NewRecord("r2", std::string(64, '2'), "")});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)[0].leaf_index, 0u);
  EXPECT_EQ((*v)[1].leaf_index, 1u);
  EXPECT_EQ(*store_->LeafCount(), 2u);
  EXPECT_EQ((*store_->Leaves(1, 10))[0], "leaf for r2 v1 at 1");
  auto r = *store_->GetRecord("r1");
  EXPECT_EQ(r.witness_id, "w1");
  EXPECT_EQ(r.consent, Consent::kPublic);
  ASSERT_EQ(r.versions.size(), 1u);
  EXPECT_EQ(r.versions[0].blobs[0].sha256, std::string(64, '1'));
  EXPECT_EQ(store_->ListRecords()->size(), 2u);
}

TEST_F(StoreTest, NewVersionOfARecordGetsTheNextNumberAndTheRecordsSalt) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "w1")}).ok());
  AddRequest again = NewRecord("r1", std::string(64, '3'), "");
  again.create = false;
  std::string seen_salt;
  auto build = again.build;
  again.build = [&](int v, const std::string& salt, uint64_t leaf) {
    seen_salt = salt;
    return build(v, salt, leaf);
  };
  auto v = store_->AddVersions({again});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)[0].version, 2);
  EXPECT_EQ(seen_salt, std::string(32, 's'));
  AddRequest missing = NewRecord("nope", std::string(64, '3'), "");
  missing.create = false;
  EXPECT_TRUE(store_->AddVersions({missing}).status().IsNotFound());
}

TEST_F(StoreTest, FailedBuildAddsNothing) {
  AddRequest bad = NewRecord("r9", std::string(64, '9'), "");
  bad.build = [](int, const std::string&, uint64_t) -> Result<NewVersion> {
    return Status::InvalidArgument("refused");
  };
  EXPECT_FALSE(store_->AddVersions({NewRecord("r8", std::string(64, '8'), ""), bad}).ok());
  EXPECT_EQ(*store_->LeafCount(), 0u);
  EXPECT_TRUE(store_->ListRecords()->empty());
}

TEST_F(StoreTest, DuplicateRecordIdIsAConflict) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "")}).ok());
  EXPECT_EQ(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "")}).status().code(),
            Code::kConflict);
}

TEST_F(StoreTest, WithdrawErasesPrivateDataAndKeepsSharedBlobs) {
  std::string shared(64, '5'), own(64, '6');
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", shared, ""), NewRecord("r2", shared, "")}).ok());
  AddRequest v2 = NewRecord("r1", own, "");
  v2.create = false;
  ASSERT_TRUE(store_->AddVersions({v2}).ok());
  auto w = store_->Withdraw(
      "r1", "witness asked", "2026-02-02T00:00:00Z",
      [](int last) -> Result<std::string> { return "withdraw v" + std::to_string(last); });
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->version, 2);
  EXPECT_EQ(w->leaf_index, 3u);
  EXPECT_EQ(w->blobs_to_erase, std::vector<std::string>{own});  // `shared` is r2's too
  auto r = *store_->GetRecord("r1");
  EXPECT_TRUE(r.withdrawn_at.has_value());
  EXPECT_EQ(r.consent, Consent::kWithdrawn);
  EXPECT_TRUE(r.salt.empty());
  EXPECT_TRUE(r.versions[0].private_json.empty());
  EXPECT_FALSE(r.versions[0].manifest.empty());  // the commitment stays
  EXPECT_FALSE(*store_->BlobIsLive(own));
  EXPECT_TRUE(*store_->BlobIsLive(shared));
  // Again: no second leaf; reports what is still to erase.
  auto again = store_->Withdraw("r1", "x", "t", [](int) -> Result<std::string> {
    return Status::Corruption("must not be called");
  });
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_withdrawn);
  EXPECT_EQ(*store_->LeafCount(), 4u);
  AddRequest after = NewRecord("r1", own, "");
  after.create = false;
  EXPECT_EQ(store_->AddVersions({after}).status().code(), Code::kConflict);
}

TEST_F(StoreTest, TwoConnectionsAddingAtOnceBothSucceed) {
  auto other = *OpenSqliteStore(dir_ + "/attest.db", false);
  std::thread t([&] {
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(
          other->AddVersions({NewRecord("a" + std::to_string(i), std::string(64, 'a'), "")}).ok());
    }
  });
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(
        store_->AddVersions({NewRecord("b" + std::to_string(i), std::string(64, 'b'), "")}).ok());
  }
  t.join();
  EXPECT_EQ(*store_->LeafCount(), 100u);
  EXPECT_EQ(store_->Leaves(0, 1000)->size(), 100u);
}

TEST_F(StoreTest, SegmentsKeepTheirAnnotationsUntilWithdrawal) {
  AddRequest r = NewRecord("r1", std::string(64, '1'), "w1");
  auto build = r.build;
  r.build = [build](int v, const std::string& salt, uint64_t leaf) -> Result<NewVersion> {
    ASSIGN_OR_RETURN(NewVersion nv, build(v, salt, leaf));
    Segment g;
    g.text = "first";
    g.annotations = {{"place", "Kfar Aza", "metadata"}, {"date", "2023-10-07", "metadata"}};
    nv.segments.push_back(g);
    g.text = "second";
    g.annotations = {{"place", "Be'eri", "metadata"}};
    nv.segments.push_back(g);
    return nv;
  };
  ASSERT_TRUE(store_->AddVersions({r, NewRecord("r2", std::string(64, '2'), "")}).ok());
  auto segs = *store_->ScanSegments(0, 10);
  ASSERT_EQ(segs.size(), 2u);
  ASSERT_EQ(segs[0].segment.annotations.size(), 2u);
  EXPECT_EQ(segs[0].segment.annotations[0].value, "Kfar Aza");
  EXPECT_EQ(segs[0].segment.annotations[1].kind, "date");
  ASSERT_EQ(segs[1].segment.annotations.size(), 1u);
  EXPECT_EQ((*store_->ScanSegments(1, 10))[0].segment.annotations[0].value, "Be'eri");
  EXPECT_EQ(*store_->AnnotationValues("place"), (std::vector<std::string>{"Be'eri", "Kfar Aza"}));
  ASSERT_TRUE(store_
                  ->Withdraw("r1", "asked", "t",
                             [](int) -> Result<std::string> { return std::string("w"); })
                  .ok());
  EXPECT_TRUE(store_->AnnotationValues("place")->empty());  // erased with the text
  EXPECT_TRUE((*store_->RecordSegments("r1"))[0].segment.annotations.empty());
}

TEST_F(StoreTest, NamesAreListedReplacedAndRemoved) {
  ASSERT_TRUE(store_->AddName("Kfar Aza", "place", "t").ok());
  ASSERT_TRUE(store_->AddName("Nir Oz", "person", "t").ok());
  ASSERT_TRUE(store_->AddName("Nir Oz", "place", "t").ok());  // corrected
  using Names = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(*store_->ListNames(), (Names{{"Kfar Aza", "place"}, {"Nir Oz", "place"}}));
  EXPECT_TRUE(*store_->RemoveName("Kfar Aza"));
  EXPECT_FALSE(*store_->RemoveName("Kfar Aza"));
  EXPECT_EQ(*store_->ListNames(), (Names{{"Nir Oz", "place"}}));
}

TEST(StoreOpenTest, DatabaseOfAnEarlierSchemaIsMigrated) {
  std::string dir = TempDir();
  sqlite3* db;
  sqlite3_open((dir + "/attest.db").c_str(), &db);
  ASSERT_EQ(sqlite3_exec(db, kMigrations[0], nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version=1", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto s = OpenSqliteStore(dir + "/attest.db", false);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE((*s)->AddName("Gaza", "place", "t").ok());
}

TEST(StoreOpenTest, DamagedDatabaseIsAClearError) {
  std::string dir = TempDir();
  std::ofstream(dir + "/attest.db") << std::string(8192, 'G');
  auto s = OpenSqliteStore(dir + "/attest.db", false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kCorruption) << s.status().ToString();
  EXPECT_NE(s.status().message().find(dir + "/attest.db"), std::string::npos);
}

TEST(StoreOpenTest, MissingDatabaseIsNotCreatedUnlessAsked) {
  std::string dir = TempDir();
  EXPECT_TRUE(OpenSqliteStore(dir + "/attest.db", false).status().IsNotFound());
}

TEST(StoreOpenTest, NewerSchemaIsRefused) {
  std::string dir = TempDir();
  ASSERT_TRUE(OpenSqliteStore(dir + "/attest.db", true).ok());
  sqlite3* db;
  sqlite3_open((dir + "/attest.db").c_str(), &db);
  sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto s = OpenSqliteStore(dir + "/attest.db", false);
  EXPECT_EQ(s.status().code(), Code::kUnimplemented);
}

TEST(ConsentTest, ParsesKnownLevelsAndNamesUnknownOnes) {
  EXPECT_EQ(*ParseConsent("research"), Consent::kResearch);
  auto bad = ParseConsent("secret");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace attest::meta

namespace attest::meta {
namespace {

AddRequest WithJobs(AddRequest r, std::vector<NewJob> jobs) {
  auto build = r.build;
  r.build = [build, jobs](int v, const std::string& salt, uint64_t leaf) -> Result<NewVersion> {
    ASSIGN_OR_RETURN(NewVersion nv, build(v, salt, leaf));
    nv.jobs = jobs;
    return nv;
  };
  return r;
}

AddRequest Derived(const std::string& id, const std::string& key) {
  AddRequest r = NewRecord(id, std::string(64, 'd'), "");
  r.create = false;
  r.derived_from = 1;
  r.derivation_key = key;
  return r;
}

constexpr char kT0[] = "2026-01-01T00:00:00Z";
constexpr char kT1[] = "2026-01-01T00:01:00Z";

TEST_F(StoreTest, AddSchedulesJobsOnceAndLeasesThemInOrder) {
  ASSERT_TRUE(store_
                  ->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""),
                                          {{"extract", 0, 10, "b1"}, {"extract", 0, 10, "b1"}})})
                  .ok());
  auto jobs = *store_->ListJobs({});
  ASSERT_EQ(jobs.size(), 1u);  // (kind, record, version) is scheduled once
  EXPECT_EQ(jobs[0].kind, "extract");
  EXPECT_EQ(jobs[0].version, 1);
  EXPECT_EQ(jobs[0].state, JobState::kQueued);
  EXPECT_EQ(jobs[0].batch, "b1");
  auto leased = *store_->LeaseJob("w/1/a", kT0, kT1);
  ASSERT_TRUE(leased.has_value());
  EXPECT_EQ(leased->state, JobState::kRunning);
  EXPECT_EQ(leased->attempts, 1);
  EXPECT_FALSE(store_->LeaseJob("w/2/b", kT0, kT1)->has_value());  // held
  // Expired: another worker takes it; the first can no longer finish it.
  auto stolen = *store_->LeaseJob("w/2/b", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z");
  ASSERT_TRUE(stolen.has_value());
  EXPECT_EQ(stolen->attempts, 2);
  auto late = store_->FinishJob(leased->id, "w/1/a", kT1, nullptr, {}, "{}");
  EXPECT_EQ(late.status().code(), Code::kConflict);
  EXPECT_TRUE(store_->FinishJob(stolen->id, "w/2/b", kT1, nullptr, {}, "{}").ok());
  EXPECT_EQ(store_->GetJob(stolen->id)->state, JobState::kDone);
}

TEST_F(StoreTest, FinishingAJobAddsItsDerivedVersionOnceAndSchedulesFollowUps) {
  ASSERT_TRUE(store_
                  ->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""),
                                          {{"extract", 0, 10, ""}})})
                  .ok());
  auto job = **store_->LeaseJob("w/1/a", kT0, kT1);
  AddRequest d = Derived("r1", std::string(64, 'k'));
  auto v =
      store_->FinishJob(job.id, "w/1/a", kT0, &d, {{"index", 0, 0, ""}}, R"({"artifact":"text"})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ((*v)->version, 2);
  EXPECT_EQ(store_->GetJob(job.id)->outcome, R"({"artifact":"text","version":2})");
  auto index_jobs = *store_->ListJobs({JobState::kQueued, "", "", 0});
  ASSERT_EQ(index_jobs.size(), 1u);
  EXPECT_EQ(index_jobs[0].kind, "index");
  EXPECT_EQ(index_jobs[0].version, 2);
  // The same derivation again (a second run after a crash) finds version 2.
  EXPECT_EQ(store_->RetryJob(job.id, kT0).code(), Code::kConflict);  // done is done
  ASSERT_TRUE(store_->AddVersions({WithJobs(Derived("r1", std::string(64, 'k')), {})}).ok());
  EXPECT_EQ(store_->GetRecord("r1")->versions.size(), 2u);
  EXPECT_EQ(*store_->LeafCount(), 2u);
  // A new derivation key (a newer tool) is a new version; the old one stays.
  ASSERT_TRUE(store_->AddVersions({Derived("r1", std::string(64, 'n'))}).ok());
  EXPECT_EQ(store_->GetRecord("r1")->versions.size(), 3u);
}

TEST_F(StoreTest, FailuresBackOffThenFailAndCanBeRetriedOrCancelled) {
  ASSERT_TRUE(
      store_
          ->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""), {{"ocr", 0, 10, ""}})})
          .ok());
  auto job = **store_->LeaseJob("w", kT0, kT1);
  EXPECT_EQ(*store_->FailJob(job.id, "w", kT0, "disk busy", true), JobState::kQueued);
  EXPECT_EQ(store_->GetJob(job.id)->not_before, "2026-01-01T00:00:05Z");
  EXPECT_FALSE(store_->LeaseJob("w", "2026-01-01T00:00:04Z", kT1)->has_value());
  job = **store_->LeaseJob("w", "2026-01-01T00:00:05Z", kT1);
  EXPECT_EQ(*store_->FailJob(job.id, "w", kT0, "disk busy", true), JobState::kQueued);
  EXPECT_EQ(store_->GetJob(job.id)->not_before, "2026-01-01T00:00:20Z");
  job = **store_->LeaseJob("w", "2026-01-01T00:10:00Z", "2026-01-01T00:11:00Z");
  EXPECT_EQ(*store_->FailJob(job.id, "w", kT0, "disk busy", true), JobState::kFailed);
  auto failed = *store_->ListJobs({JobState::kFailed, "", "", 0});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].error, "disk busy");
  EXPECT_EQ(*store_->RetryFailedJobs(kT0), 1);
  EXPECT_EQ(store_->GetJob(job.id)->attempts, 0);
  job = **store_->LeaseJob("w", "2026-01-01T00:10:00Z", "2026-01-01T00:11:00Z");
  // A content error fails at once; a cancelled running job finishes nothing.
  EXPECT_EQ(*store_->FailJob(job.id, "w", kT0, "not a PDF", false), JobState::kFailed);
  ASSERT_TRUE(store_->RetryJob(job.id, kT0).ok());
  job = **store_->LeaseJob("w", "2026-01-01T00:10:00Z", "2026-01-01T00:11:00Z");
  ASSERT_TRUE(store_->CancelJob(job.id, kT0).ok());
  EXPECT_EQ(store_->FinishJob(job.id, "w", kT0, nullptr, {}, "{}").status().code(),
            Code::kConflict);
  EXPECT_EQ(store_->GetJob(job.id)->state, JobState::kCancelled);
  auto counts = *store_->CountJobs("");
  EXPECT_EQ(counts.total, 1u);
  EXPECT_EQ(counts.cancelled, 1u);
  EXPECT_EQ(counts.bytes_finished, 10u);
}

TEST_F(StoreTest, AJobNothingCanRunWaitsWithItsReasonUntilWoken) {
  ASSERT_TRUE(store_
                  ->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""),
                                          {{"transcribe", 0, 10, ""}})})
                  .ok());
  auto job = **store_->LeaseJob("w", kT0, kT1);
  EXPECT_EQ(store_->ParkJob(job.id, "x", kT0, "no model").code(), Code::kConflict);  // not x's
  ASSERT_TRUE(store_->ParkJob(job.id, "w", kT0, "no speech model").ok());
  Job parked = *store_->GetJob(job.id);
  EXPECT_EQ(parked.state, JobState::kWaiting);
  EXPECT_EQ(parked.error, "no speech model");
  EXPECT_EQ(parked.attempts, 0);  // waiting is not a failure
  EXPECT_FALSE(store_->LeaseJob("w", kT0, kT1)->has_value());
  EXPECT_EQ(*store_->WakeJobs("ocr", kT0), 0);
  EXPECT_EQ(*store_->WakeJobs("transcribe", kT0), 1);
  EXPECT_TRUE(store_->LeaseJob("w", kT0, kT1)->has_value());
}

TEST_F(StoreTest, AWorkerMayTakeOnlyTheKindsOfJobItRuns) {
  ASSERT_TRUE(store_
                  ->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""),
                                          {{"extract", 0, 10, ""}, {"transcribe", 0, 10, ""}})})
                  .ok());
  auto t = *store_->LeaseJob("gpu", kT0, kT1, {"transcribe", "translate"});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->kind, "transcribe");
  EXPECT_FALSE(store_->LeaseJob("gpu", kT0, kT1, {"transcribe"})->has_value());
  EXPECT_FALSE(store_->LeaseJob("x", kT0, kT1, {"tran"})->has_value());  // whole names only
  auto e = *store_->LeaseJob("cpu", kT0, kT1);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, "extract");
}

TEST_F(StoreTest, ModelFilesAreRegisteredOnceBySha256AndListedNewestFirst) {
  ModelFile a{std::string(64, 'a'),  "whisper", "ggml-small.bin",
              "/m/ggml-small.bin",   10,        R"({"shape":"small"})",
              "2026-01-01T00:00:00Z"};
  ModelFile b{std::string(64, 'b'),  "whisper", "ggml-large-v3-turbo.bin",
              "/m/turbo.bin",        20,        R"({"shape":"large-v3-turbo"})",
              "2026-01-02T00:00:00Z"};
  ModelFile e{std::string(64, 'e'),  "embedding", "e5.gguf", "/m/e5.gguf", 30, "{}",
              "2026-01-03T00:00:00Z"};
  ASSERT_TRUE(store_->AddModel(a).ok());
  ASSERT_TRUE(store_->AddModel(b).ok());
  ASSERT_TRUE(store_->AddModel(e).ok());
  a.path = "/new/place/ggml-small.bin";  // the same file moved: registered again
  ASSERT_TRUE(store_->AddModel(a).ok());
  auto whisper = *store_->ListModels("whisper");
  ASSERT_EQ(whisper.size(), 2u);
  EXPECT_EQ(whisper[0].name, "ggml-large-v3-turbo.bin");
  EXPECT_EQ(whisper[1].path, "/new/place/ggml-small.bin");
  EXPECT_EQ(whisper[1].info, R"({"shape":"small"})");
  EXPECT_EQ(store_->ListModels("")->size(), 3u);
  EXPECT_TRUE(*store_->RemoveModel(b.sha256));
  EXPECT_FALSE(*store_->RemoveModel(b.sha256));
  EXPECT_EQ(store_->ListModels("whisper")->front().sha256, a.sha256);
}

}  // namespace
}  // namespace attest::meta
