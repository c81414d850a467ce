// The conformance suite of meta::Store (store_conformance.h): its fixture and helpers, records
// and versions, transactions, segments and names, and migrations. The other parts are in
// store_conformance_{jobs,consent,people}.cc.
#include "meta/store_conformance.h"

#include <thread>
#include <utility>

namespace attest::meta {

void StoreConformanceTest::SetUp() {
  backend_ = GetParam().make();
  auto s = backend_->Open();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_ = std::move(*s);
}

void StoreConformanceTest::TearDown() {
  store_.reset();
  backend_.reset();
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

AddRequest WithJobs(AddRequest r, std::vector<NewJob> jobs) {
  auto build = r.build;
  r.build = [build, jobs](int v, const std::string& salt, uint64_t leaf) -> Result<NewVersion> {
    ASSIGN_OR_RETURN(NewVersion nv, build(v, salt, leaf));
    nv.jobs = jobs;
    return nv;
  };
  return r;
}

AddRequest WithSegments(AddRequest r, std::vector<Segment> segments) {
  auto build = r.build;
  r.build = [build, segments](int v, const std::string& salt, uint64_t leaf) -> Result<NewVersion> {
    ASSIGN_OR_RETURN(NewVersion nv, build(v, salt, leaf));
    nv.segments = segments;
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

Segment TextSegment(const std::string& text, int64_t from, int64_t to) {
  Segment g;
  g.text = text;
  g.char_start = from;
  g.char_end = to;
  return g;
}

std::function<Result<std::string>(int)> WithdrawLeaf(const std::string& what) {
  return [what](int last) -> Result<std::string> {
    if (what.empty()) return Status::IOError("no leaf");
    return what + " v" + std::to_string(last);
  };
}

std::function<Result<std::string>(int, const std::string&)> ConsentLeaf(const std::string& what) {
  return [what](int version, const std::string& sha) -> Result<std::string> {
    if (what.empty()) return Status::IOError("no leaf");
    return what + " v" + std::to_string(version) + " " + sha.substr(0, 4);
  };
}

namespace {

// Records and versions.

TEST_P(StoreConformanceTest, AddsRecordsAndSequencesOneLeafEach) {
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

TEST_P(StoreConformanceTest, ARecordReadsBackAsItWasAdded) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "w1")}).ok());
  Record r = *store_->GetRecord("r1");
  EXPECT_EQ(r.id, "r1");
  EXPECT_EQ(r.collection_id, "c1");
  EXPECT_EQ(r.witness_id, "w1");
  EXPECT_EQ(r.consent, Consent::kPublic);
  EXPECT_EQ(r.created, kT0);
  EXPECT_EQ(r.salt, std::string(32, 's'));
  EXPECT_FALSE(r.withdrawn_at.has_value());
  EXPECT_FALSE(r.withdraw_leaf_index.has_value());
  const Version& v = r.versions[0];
  EXPECT_EQ(v.record_id, "r1");
  EXPECT_EQ(v.version, 1);
  EXPECT_EQ(v.manifest, R"({"record":"r1","version":1})");
  EXPECT_EQ(v.manifest_sha256, std::string(64, 'a'));
  EXPECT_EQ(v.private_json, R"({"file_name":"x.txt"})");
  EXPECT_EQ(v.lang, "en");
  EXPECT_EQ(v.leaf_index, 0u);
  ASSERT_EQ(v.blobs.size(), 1u);
  EXPECT_EQ(v.blobs[0].role, "original");
  EXPECT_EQ(v.blobs[0].size, 10u);
  EXPECT_EQ(*store_->RecordCount(), 1u);
  EXPECT_TRUE(store_->GetRecord("r2").status().IsNotFound());
}

TEST_P(StoreConformanceTest, RecordsAreListedInTheOrderTheyWereAdded) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("zz", std::string(64, '1'), "")}).ok());
  ASSERT_TRUE(store_->AddVersions({NewRecord("aa", std::string(64, '2'), "")}).ok());
  ASSERT_TRUE(store_->AddVersions({NewRecord("mm", std::string(64, '3'), "")}).ok());
  auto all = *store_->ListRecords();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "zz");
  EXPECT_EQ(all[1].id, "aa");
  EXPECT_EQ(all[2].id, "mm");
}

TEST_P(StoreConformanceTest, NewVersionOfARecordGetsTheNextNumberAndTheRecordsSalt) {
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

TEST_P(StoreConformanceTest, DuplicateRecordIdIsAConflict) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "")}).ok());
  EXPECT_EQ(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "")}).status().code(),
            Code::kConflict);
}

TEST_P(StoreConformanceTest, VersionsAreScannedInLeafOrderWithTheirRecordsState) {
  ASSERT_TRUE(store_
                  ->AddVersions({NewRecord("r1", std::string(64, '1'), ""),
                                 NewRecord("r2", std::string(64, '2'), "")})
                  .ok());
  AddRequest v2 = NewRecord("r1", std::string(64, '3'), "");
  v2.create = false;
  ASSERT_TRUE(store_->AddVersions({v2}).ok());
  ASSERT_TRUE(store_->Withdraw("r2", "asked", kT1, WithdrawLeaf("w")).ok());
  auto all = *store_->ScanVersions(0, 100);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].version.record_id, "r1");
  EXPECT_EQ(all[1].version.record_id, "r2");
  EXPECT_EQ(all[2].version.version, 2);
  EXPECT_EQ(all[2].version.leaf_index, 2u);
  EXPECT_EQ(all[0].salt, std::string(32, 's'));
  EXPECT_FALSE(all[0].withdrawn);
  EXPECT_TRUE(all[1].withdrawn);
  EXPECT_TRUE(all[1].salt.empty());
  EXPECT_TRUE(all[1].version.private_json.empty());
  auto later = *store_->ScanVersions(1, 1);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].version.record_id, "r2");
  EXPECT_TRUE(store_->ScanVersions(4, 10)->empty());  // leaf 3 is the withdrawal
}

TEST_P(StoreConformanceTest, BlobsAreFoundByTheirLiveUses) {
  std::string shared(64, '5');
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", shared, ""), NewRecord("r2", shared, "")}).ok());
  auto uses = *store_->FindBlob(shared);
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0].record_id, "r1");
  EXPECT_EQ(uses[0].version, 1);
  EXPECT_EQ(uses[0].role, "original");
  EXPECT_EQ(uses[1].record_id, "r2");
  ASSERT_TRUE(store_->Withdraw("r1", "asked", kT1, WithdrawLeaf("w")).ok());
  uses = *store_->FindBlob(shared);
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0].record_id, "r2");
  EXPECT_TRUE(store_->FindBlob(std::string(64, '9'))->empty());
  EXPECT_FALSE(*store_->BlobIsLive(std::string(64, '9')));
}

TEST_P(StoreConformanceTest, AnImportIdIsImportedOnce) {
  AddRequest r = NewRecord("r1", std::string(64, '1'), "");
  r.import_id = "row-7";
  ASSERT_TRUE(store_->AddVersions({r}).ok());
  EXPECT_EQ(*store_->ImportedRecord("row-7"), std::optional<std::string>("r1"));
  EXPECT_FALSE(store_->ImportedRecord("row-8")->has_value());
  AddRequest again = NewRecord("r2", std::string(64, '2'), "");
  again.import_id = "row-7";
  auto s = store_->AddVersions({again});
  EXPECT_EQ(s.status().code(), Code::kConflict);
  EXPECT_NE(s.status().message().find("r1"), std::string::npos) << s.status().ToString();
  EXPECT_TRUE(store_->GetRecord("r2").status().IsNotFound());
}

TEST_P(StoreConformanceTest, WithdrawErasesPrivateDataAndKeepsSharedBlobs) {
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

TEST_P(StoreConformanceTest, WithdrawalsAreListedInLeafOrder) {
  ASSERT_TRUE(store_
                  ->AddVersions({NewRecord("r1", std::string(64, '1'), ""),
                                 NewRecord("r2", std::string(64, '2'), "")})
                  .ok());
  ASSERT_TRUE(store_->Withdraw("r2", "asked", kT1, WithdrawLeaf("w")).ok());
  ASSERT_TRUE(store_->Withdraw("r1", "asked", kT1, WithdrawLeaf("w")).ok());
  using List = std::vector<std::pair<std::string, uint64_t>>;
  EXPECT_EQ(*store_->ListWithdrawals(), (List{{"r2", 2}, {"r1", 3}}));
  EXPECT_EQ(*store_->GetRecord("r1")->withdraw_leaf_index, 3u);
  EXPECT_EQ((*store_->Leaves(2, 2)), (std::vector<std::string>{"w v1", "w v1"}));
  EXPECT_TRUE(store_->Withdraw("nope", "asked", kT1, WithdrawLeaf("w")).status().IsNotFound());
}

TEST_P(StoreConformanceTest, TwoConnectionsAddingAtOnceBothSucceed) {
  auto other = *backend_->Open();
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

TEST_P(StoreConformanceTest, InfoIsKeptByKeyAndReplaced) {
  EXPECT_FALSE(store_->GetInfo("origin")->has_value());
  ASSERT_TRUE(store_->SetInfo("origin", "archive.example/a").ok());
  ASSERT_TRUE(store_->SetInfo("origin", "archive.example/b").ok());
  EXPECT_EQ(*store_->GetInfo("origin"), std::optional<std::string>("archive.example/b"));
  auto other = *backend_->Open();
  EXPECT_EQ(*other->GetInfo("origin"), std::optional<std::string>("archive.example/b"));
  EXPECT_TRUE(store_->CheckIntegrity().ok());
  EXPECT_TRUE(store_->ScrubDeleted().ok());
}

// Transactions: a call that fails part-way leaves nothing of what it did.

TEST_P(StoreConformanceTest, FailedBuildAddsNothing) {
  AddRequest bad = NewRecord("r9", std::string(64, '9'), "");
  bad.build = [](int, const std::string&, uint64_t) -> Result<NewVersion> {
    return Status::InvalidArgument("refused");
  };
  EXPECT_FALSE(store_->AddVersions({NewRecord("r8", std::string(64, '8'), ""), bad}).ok());
  EXPECT_EQ(*store_->LeafCount(), 0u);
  EXPECT_TRUE(store_->ListRecords()->empty());
}

TEST_P(StoreConformanceTest, AConflictLateInABatchRollsBackTheWholeBatch) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "")}).ok());
  AddRequest first = WithJobs(NewRecord("r2", std::string(64, '2'), "w2"), {{"extract", 0, 5}});
  first.import_id = "row-1";
  auto s = store_->AddVersions({first, NewRecord("r1", std::string(64, '3'), "")});
  EXPECT_EQ(s.status().code(), Code::kConflict);
  EXPECT_EQ(*store_->LeafCount(), 1u);
  EXPECT_EQ(*store_->RecordCount(), 1u);
  EXPECT_TRUE(store_->ListJobs({})->empty());
  EXPECT_FALSE(store_->ImportedRecord("row-1")->has_value());
  EXPECT_TRUE(store_->GetWitnesses({"w2"})->empty());
  EXPECT_TRUE(store_->AddVersions({first}).ok());  // nothing of it was kept
}

TEST_P(StoreConformanceTest, AFailedWithdrawalLeavesTheRecordAsItWas) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "")}).ok());
  EXPECT_FALSE(store_->Withdraw("r1", "asked", kT1, WithdrawLeaf("")).ok());
  Record r = *store_->GetRecord("r1");
  EXPECT_FALSE(r.withdrawn_at.has_value());
  EXPECT_EQ(r.consent, Consent::kPublic);
  EXPECT_EQ(r.salt, std::string(32, 's'));
  EXPECT_EQ(r.versions[0].private_json, R"({"file_name":"x.txt"})");
  EXPECT_EQ(*store_->LeafCount(), 1u);
  EXPECT_TRUE(store_->ListWithdrawals()->empty());
}

TEST_P(StoreConformanceTest, AFailedConsentChangeChangesNothing) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "")}).ok());
  ConsentChange c;
  c.record_id = "r1";
  c.to = Consent::kRestricted;
  c.by = "cli:ann";
  EXPECT_FALSE(store_->ChangeConsent(c, kT1, ConsentLeaf("")).ok());
  EXPECT_EQ(store_->GetRecord("r1")->consent, Consent::kPublic);
  EXPECT_EQ(*store_->LeafCount(), 1u);
  EXPECT_TRUE(store_->ConsentChanges("", -1)->empty());
  EXPECT_TRUE(store_->ListAudit("", "")->empty());
}

TEST_P(StoreConformanceTest, AFailedFinishLeavesTheJobRunningAndAddsNothing) {
  ASSERT_TRUE(
      store_
          ->AddVersions({WithJobs(NewRecord("r1", std::string(64, '1'), ""), {{"extract", 0, 1}})})
          .ok());
  Job job = store_->LeaseJob("w", kT0, kT1)->value();
  // The derived version is added before the outcome is found not to be an object.
  AddRequest d = Derived("r1", std::string(64, 'k'));
  auto v = store_->FinishJob(job.id, "w", kT0, &d, {{"index", 0, 0}}, "[1]");
  EXPECT_EQ(v.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->GetRecord("r1")->versions.size(), 1u);
  EXPECT_EQ(*store_->LeafCount(), 1u);
  EXPECT_EQ(store_->ListJobs({})->size(), 1u);  // no follow-up
  Job after = *store_->GetJob(job.id);
  EXPECT_EQ(after.state, JobState::kRunning);
  EXPECT_EQ(after.lease_owner, "w");
  EXPECT_TRUE(after.outcome.empty());
  // And a derived version that cannot be built.
  AddRequest bad = Derived("r1", std::string(64, 'k'));
  bad.build = [](int, const std::string&, uint64_t) -> Result<NewVersion> {
    return Status::IOError("disk full");
  };
  EXPECT_FALSE(store_->FinishJob(job.id, "w", kT0, &bad, {}, "{}").ok());
  EXPECT_EQ(store_->GetJob(job.id)->state, JobState::kRunning);
  EXPECT_TRUE(store_->FinishJob(job.id, "w", kT0, &d, {}, "{}").ok());
}

// Segments, annotations and names.

TEST_P(StoreConformanceTest, SegmentsKeepTheirAnnotationsUntilWithdrawal) {
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

TEST_P(StoreConformanceTest, SegmentsReadBackWithTheirRecordsStateAndPlace) {
  Segment timed;
  timed.text = "spoken";
  timed.start_ms = 1000;
  timed.end_ms = 2500;
  timed.lang = "he";
  timed.speaker = "S1";
  timed.consent = Consent::kResearch;
  Segment paged = TextSegment("written", 0, 7);
  paged.page = 3;
  ASSERT_TRUE(
      store_->AddVersions({WithSegments(NewRecord("r1", std::string(64, '1'), "w1"), {timed})})
          .ok());
  ASSERT_TRUE(
      store_->AddVersions({WithSegments(NewRecord("r2", std::string(64, '2'), ""), {paged})}).ok());
  EXPECT_EQ(*store_->MaxSegmentId(), (*store_->ScanSegments(0, 10)).at(1).segment.id);
  auto one = *store_->RecordSegments("r1");
  ASSERT_EQ(one.size(), 1u);
  const Segment& g = one[0].segment;
  EXPECT_EQ(g.record_id, "r1");
  EXPECT_EQ(g.version, 1);
  EXPECT_EQ(g.text, "spoken");
  EXPECT_EQ(g.start_ms, 1000);
  EXPECT_EQ(g.end_ms, 2500);
  EXPECT_EQ(g.page, -1);
  EXPECT_EQ(g.char_start, -1);
  EXPECT_EQ(g.lang, "he");
  EXPECT_EQ(g.speaker, "S1");
  EXPECT_EQ(g.consent, std::optional<Consent>(Consent::kResearch));
  EXPECT_EQ(one[0].witness_id, "w1");
  EXPECT_EQ(one[0].collection_id, "c1");
  EXPECT_EQ(one[0].effective, Consent::kResearch);  // stricter than its public record
  EXPECT_FALSE(one[0].superseded);
  auto two = (*store_->RecordSegments("r2")).at(0);
  EXPECT_EQ(two.segment.page, 3);
  EXPECT_EQ(two.segment.char_end, 7);
  EXPECT_FALSE(two.segment.consent.has_value());
  EXPECT_EQ(two.effective, Consent::kPublic);
  EXPECT_EQ(store_->ScanSegments(0, 1)->size(), 1u);
  EXPECT_TRUE(store_->ScanSegments(*store_->MaxSegmentId(), 10)->empty());
}

TEST_P(StoreConformanceTest, APassageKeptFromThePublicStaysSoInALaterVersion) {
  Segment hidden = TextSegment("first words", 0, 11);
  hidden.consent = Consent::kRestricted;
  ASSERT_TRUE(store_
                  ->AddVersions({WithSegments(NewRecord("r1", std::string(64, '1'), ""),
                                              {hidden, TextSegment("more", 12, 16)})})
                  .ok());
  AddRequest v2 = WithSegments(
      NewRecord("r1", std::string(64, '2'), ""),
      {TextSegment("first words, corrected", 0, 22), TextSegment("elsewhere", 30, 39)});
  v2.create = false;
  ASSERT_TRUE(store_->AddVersions({v2}).ok());
  auto segs = *store_->RecordSegments("r1");
  ASSERT_EQ(segs.size(), 4u);
  EXPECT_EQ(segs[2].segment.consent, std::optional<Consent>(Consent::kRestricted));  // overlaps
  EXPECT_FALSE(segs[3].segment.consent.has_value());
}

TEST_P(StoreConformanceTest, TextMadeFromAnOlderOriginalIsSuperseded) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "")}).ok());
  ASSERT_TRUE(store_
                  ->AddVersions({WithSegments(Derived("r1", std::string(64, 'k')),
                                              {TextSegment("old text", 0, 8)})})
                  .ok());
  EXPECT_FALSE((*store_->RecordSegments("r1")).at(0).superseded);
  AddRequest v3 = NewRecord("r1", std::string(64, '3'), "");  // a revised original
  v3.create = false;
  ASSERT_TRUE(store_->AddVersions({v3}).ok());
  EXPECT_TRUE((*store_->RecordSegments("r1")).at(0).superseded);
}

TEST_P(StoreConformanceTest, NamesAreListedReplacedAndRemoved) {
  ASSERT_TRUE(store_->AddName("Kfar Aza", "place", "t").ok());
  ASSERT_TRUE(store_->AddName("Nir Oz", "person", "t").ok());
  ASSERT_TRUE(store_->AddName("Nir Oz", "place", "t").ok());  // corrected
  using Names = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(*store_->ListNames(), (Names{{"Kfar Aza", "place"}, {"Nir Oz", "place"}}));
  EXPECT_TRUE(*store_->RemoveName("Kfar Aza"));
  EXPECT_FALSE(*store_->RemoveName("Kfar Aza"));
  EXPECT_EQ(*store_->ListNames(), (Names{{"Nir Oz", "place"}}));
}

// Migrations.

TEST_P(StoreConformanceTest, ANewStoreIsAtTheNewestSchema) {
  EXPECT_EQ(*backend_->SchemaVersion(), kSchemaVersion);
  auto again = backend_->Open();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*backend_->SchemaVersion(), kSchemaVersion);
}

TEST_P(StoreConformanceTest, DatabaseOfAnEarlierSchemaIsMigrated) {
  for (int version = 1; version < kSchemaVersion; ++version) {
    SCOPED_TRACE("from schema " + std::to_string(version));
    auto old = GetParam().make();
    ASSERT_TRUE(old->MakeAtSchema(version).ok());
    EXPECT_EQ(*old->SchemaVersion(), version);
    auto s = old->Open();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(*old->SchemaVersion(), kSchemaVersion);
    Store& store = **s;
    // What the later migrations added works.
    EXPECT_TRUE(store.AddName("Gaza", "place", "t").ok());
    EXPECT_TRUE(store
                    .AddVersions({WithSegments(WithJobs(NewRecord("r1", std::string(64, '1'), ""),
                                                        {{"extract", 0, 1, "b"}}),
                                               {TextSegment("words", 0, 5)})})
                    .ok());
    EXPECT_TRUE(store.AddModel({std::string(64, 'm'), "whisper", "m", "/m", 1, "{}", kT0}).ok());
    EXPECT_TRUE(store.AddToken({"t1", std::string(64, 't'), "admin", "", kT0}).ok());
    EXPECT_TRUE(store.AddUser({"u1", "ann", "admin", "$argon2id$x", kT0}).ok());
    EXPECT_TRUE(store.AddWitnessLink({"w1", std::string(64, 'l'), "wit", kT0}).ok());
    EXPECT_TRUE(store.AddWitnessForm({0, "wit", std::string(64, 'f'), 1, "a", "b", kT0, "c"}).ok());
    Redaction r{0, "r1", *store.MaxSegmentId(), 0, 2};
    r.confirms = 0;
    EXPECT_TRUE(store.AddRedaction(r).ok());
    ConsentChange c;
    c.record_id = "r1";
    c.to = Consent::kSealed;
    c.until = "2030-01-01";
    c.then = Consent::kResearch;
    EXPECT_TRUE(store.ChangeConsent(c, kT1, ConsentLeaf("c")).ok());
  }
}

TEST_P(StoreConformanceTest, NewerSchemaIsRefused) {
  store_.reset();
  ASSERT_TRUE(backend_->SetSchemaVersion(kSchemaVersion + 1).ok());
  auto s = backend_->Open();
  EXPECT_EQ(s.status().code(), Code::kUnimplemented);
}

}  // namespace
}  // namespace attest::meta
