// The conformance suite of meta::Store (store_conformance.h): jobs, their leases, and the model
// files their tools read.
#include "meta/store_conformance.h"

namespace attest::meta {
namespace {

TEST_P(StoreConformanceTest, AddSchedulesJobsOnceAndLeasesThemInOrder) {
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

TEST_P(StoreConformanceTest, ARunningJobsProgressIsSetByItsOwnerOnlyAndClearedWhenLeasedAgain) {
  ASSERT_TRUE(store_
                  ->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""),
                                          {{"transcribe", 0, 10, ""}})})
                  .ok());
  EXPECT_EQ(store_->ListJobs({})->at(0).progress, -1);
  auto leased = *store_->LeaseJob("w/1/a", kT0, kT1);
  ASSERT_TRUE(leased.has_value());
  EXPECT_EQ(leased->progress, -1);
  ASSERT_TRUE(store_->SetJobProgress(leased->id, "w/1/a", 420).ok());
  EXPECT_EQ(store_->GetJob(leased->id)->progress, 420);
  ASSERT_TRUE(store_->SetJobProgress(leased->id, "w/2/b", 900).ok());  // not its owner
  EXPECT_EQ(store_->GetJob(leased->id)->progress, 420);
  ASSERT_TRUE(store_->SetJobProgress(leased->id, "w/1/a", 5000).ok());  // at most all of it
  EXPECT_EQ(store_->GetJob(leased->id)->progress, 1000);
  // Its lease lapses; the next worker starts from nothing known.
  auto again = *store_->LeaseJob("w/2/b", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->progress, -1);
}

TEST_P(StoreConformanceTest, ALeasedJobNamesItsOwnerAndTheOldestIsTakenFirst) {
  ASSERT_TRUE(
      store_
          ->AddVersions(
              {WithJobs(NewRecord("r1", std::string(64, '1'), ""), {{"extract", 0, 10, ""}}),
               WithJobs(NewRecord("r2", std::string(64, '2'), ""), {{"extract", 0, 20, ""}})})
          .ok());
  Job first = store_->LeaseJob("w/1/a", kT0, kT1)->value();
  EXPECT_EQ(first.record_id, "r1");
  EXPECT_EQ(first.lease_owner, "w/1/a");
  EXPECT_EQ(first.lease_until, kT1);
  EXPECT_EQ(first.bytes, 10u);
  Job second = store_->LeaseJob("w/2/b", kT0, kT1)->value();
  EXPECT_EQ(second.record_id, "r2");
  EXPECT_FALSE(store_->LeaseJob("w/3/c", kT0, kT1)->has_value());
  EXPECT_TRUE(store_->GetJob(second.id + 100).status().IsNotFound());
}

TEST_P(StoreConformanceTest, RenewingExtendsOnlyTheOwnersLeases) {
  ASSERT_TRUE(store_
                  ->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""),
                                          {{"extract", 0, 1, ""}, {"ocr", 0, 1, ""}}),
                                 WithJobs(NewRecord("r2", std::string(64, '2'), ""),
                                          {{"extract", 0, 1, ""}})})
                  .ok());
  Job a = store_->LeaseJob("a", kT0, kT1)->value();
  Job b = store_->LeaseJob("a", kT0, kT1)->value();
  Job c = store_->LeaseJob("c", kT0, kT1)->value();
  constexpr char kLater[] = "2026-01-01T00:05:00Z";
  EXPECT_EQ(*store_->RenewLeases("a", kLater), 2);
  EXPECT_EQ(store_->GetJob(a.id)->lease_until, kLater);
  EXPECT_EQ(store_->GetJob(b.id)->lease_until, kLater);
  EXPECT_EQ(store_->GetJob(c.id)->lease_until, kT1);
  // At 00:02 only c's lease has expired.
  auto taken = *store_->LeaseJob("d", "2026-01-01T00:02:00Z", kLater);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->id, c.id);
  EXPECT_EQ(*store_->RenewLeases("nobody", kLater), 0);
}

TEST_P(StoreConformanceTest, AReleasedJobIsQueuedAgainAtOnceButOnlyByItsOwner) {
  ASSERT_TRUE(store_
                  ->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""),
                                          {{"extract", 0, 1, ""}})})
                  .ok());
  Job job = store_->LeaseJob("w", kT0, kT1)->value();
  ASSERT_TRUE(store_->ReleaseJob(job.id, "other", kT0).ok());
  EXPECT_EQ(store_->GetJob(job.id)->state, JobState::kRunning);
  ASSERT_TRUE(store_->ReleaseJob(job.id, "w", kT0).ok());
  Job released = *store_->GetJob(job.id);
  EXPECT_EQ(released.state, JobState::kQueued);
  EXPECT_TRUE(released.lease_owner.empty());
  EXPECT_TRUE(store_->LeaseJob("v", kT0, kT1)->has_value());
}

TEST_P(StoreConformanceTest, FinishingAJobAddsItsDerivedVersionOnceAndSchedulesFollowUps) {
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

TEST_P(StoreConformanceTest, AJobFinishedWithoutADerivedVersionKeepsItsOutcome) {
  ASSERT_TRUE(
      store_
          ->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""), {{"ocr", 0, 1, ""}})})
          .ok());
  Job job = store_->LeaseJob("w", kT0, kT1)->value();
  auto v = store_->FinishJob(job.id, "w", kT1, nullptr, {{"index", 0, 0, ""}}, "");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_FALSE(v->has_value());
  Job done = *store_->GetJob(job.id);
  EXPECT_EQ(done.outcome, "{}");
  EXPECT_EQ(done.updated, kT1);
  EXPECT_TRUE(done.lease_owner.empty());
  auto follow = *store_->ListJobs({JobState::kQueued, "", "", 0});
  ASSERT_EQ(follow.size(), 1u);
  EXPECT_EQ(follow[0].version, 1);  // the job's own version
}

TEST_P(StoreConformanceTest, FailuresBackOffThenFailAndCanBeRetriedOrCancelled) {
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

TEST_P(StoreConformanceTest, OnlyTheHolderMayFailAJobAndADoneJobIsNotCancelled) {
  ASSERT_TRUE(
      store_
          ->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""), {{"ocr", 0, 1, ""}})})
          .ok());
  Job job = store_->LeaseJob("w", kT0, kT1)->value();
  EXPECT_EQ(store_->FailJob(job.id, "x", kT0, "no", true).status().code(), Code::kConflict);
  EXPECT_EQ(store_->FailJob(job.id + 100, "w", kT0, "no", true).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetJob(job.id)->state, JobState::kRunning);
  EXPECT_EQ(store_->RetryJob(job.id, kT0).code(), Code::kConflict);  // running
  ASSERT_TRUE(store_->FinishJob(job.id, "w", kT0, nullptr, {}, "{}").ok());
  EXPECT_EQ(store_->CancelJob(job.id, kT0).code(), Code::kConflict);
  EXPECT_EQ(store_->GetJob(job.id)->state, JobState::kDone);
  EXPECT_TRUE(store_->CancelJob(job.id + 100, kT0).IsNotFound());
}

TEST_P(StoreConformanceTest, AJobNothingCanRunWaitsWithItsReasonUntilWoken) {
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

TEST_P(StoreConformanceTest, AJobScheduledToWaitIsNotLeasedUntilWoken) {
  NewJob waiting{"transcribe", 0, 10, "b1", true, "no speech model"};
  ASSERT_TRUE(
      store_->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""), {waiting})}).ok());
  Job j = (*store_->ListJobs({})).at(0);
  EXPECT_EQ(j.state, JobState::kWaiting);
  EXPECT_EQ(j.error, "no speech model");
  EXPECT_EQ(store_->CountJobs("b1")->waiting, 1u);
  EXPECT_FALSE(store_->LeaseJob("w", kT0, kT1)->has_value());
  EXPECT_EQ(*store_->WakeJobs("transcribe", kT0), 1);
  EXPECT_TRUE(store_->LeaseJob("w", kT0, kT1)->has_value());
}

TEST_P(StoreConformanceTest, AWorkerMayTakeOnlyTheKindsOfJobItRuns) {
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

TEST_P(StoreConformanceTest, ARequeuedJobRunsAnewAndAMissingOneIsAdded) {
  ASSERT_TRUE(store_
                  ->AddVersions(
                      {WithJobs(NewRecord("r1", std::string(64, '1'), ""), {{"index", 0, 1, ""}})})
                  .ok());
  Job job = store_->LeaseJob("w", kT0, kT1)->value();
  EXPECT_EQ(*store_->FailJob(job.id, "w", kT0, "broken", false), JobState::kFailed);
  ASSERT_TRUE(store_->RequeueJob("r1", 1, "index", kT1).ok());
  Job again = *store_->GetJob(job.id);
  EXPECT_EQ(again.state, JobState::kQueued);
  EXPECT_EQ(again.attempts, 0);
  EXPECT_TRUE(again.error.empty());
  ASSERT_TRUE(store_->RequeueJob("r1", 1, "extract", kT1).ok());
  auto all = *store_->ListJobs({});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].kind, "extract");
  EXPECT_EQ(all[1].state, JobState::kQueued);
}

TEST_P(StoreConformanceTest, JobsAreListedAndCountedByBatchRecordAndState) {
  ASSERT_TRUE(store_
                  ->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""),
                                          {{"extract", 0, 10, "b1"}, {"ocr", 0, 5, "b1"}}),
                                 WithJobs(NewRecord("r2", std::string(64, '2'), ""),
                                          {{"extract", 0, 7, "b2"}})})
                  .ok());
  EXPECT_EQ(store_->ListJobs({std::nullopt, "b1", "", 0})->size(), 2u);
  EXPECT_EQ(store_->ListJobs({std::nullopt, "", "r2", 0})->size(), 1u);
  EXPECT_EQ(store_->ListJobs({std::nullopt, "", "", 2})->size(), 2u);
  Job job = store_->LeaseJob("w", kT0, kT1)->value();
  ASSERT_TRUE(store_->FinishJob(job.id, "w", kT0, nullptr, {}, "{}").ok());
  EXPECT_EQ(store_->ListJobs({JobState::kDone, "", "", 0})->size(), 1u);
  JobCounts b1 = *store_->CountJobs("b1");
  EXPECT_EQ(b1.total, 2u);
  EXPECT_EQ(b1.done, 1u);
  EXPECT_EQ(b1.queued, 1u);
  EXPECT_EQ(b1.bytes_total, 15u);
  EXPECT_EQ(b1.bytes_finished, 10u);
  EXPECT_EQ(b1.finished(), 1u);
  JobCounts all = *store_->CountJobs("");
  EXPECT_EQ(all.total, 3u);
  EXPECT_EQ(all.bytes_total, 22u);
}

TEST_P(StoreConformanceTest, ModelFilesAreRegisteredOnceBySha256AndListedNewestFirst) {
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
