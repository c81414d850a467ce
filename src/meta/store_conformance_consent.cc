// The conformance suite of meta::Store (store_conformance.h): consent changes and seals,
// redactions, the audit log and its chain, and sealed text.
#include <map>

#include "meta/store_conformance.h"

namespace attest::meta {
namespace {

ConsentChange To(const std::string& record_id, Consent to) {
  ConsentChange c;
  c.record_id = record_id;
  c.to = to;
  c.reason = "asked by the witness";
  c.by = "cli:ann";
  return c;
}

// Consent changes.

TEST_P(StoreConformanceTest, AConsentChangeSequencesALeafAndIsKeptAndAudited) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "")}).ok());
  auto c = store_->ChangeConsent(To("r1", Consent::kResearch), kT1, ConsentLeaf("consent"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->from, Consent::kPublic);
  EXPECT_EQ((*c)->to, Consent::kResearch);
  EXPECT_EQ((*c)->at, kT1);
  EXPECT_EQ((*c)->leaf_index, 1u);
  EXPECT_EQ((*store_->Leaves(1, 1)).at(0), "consent v1 aaaa");  // the newest version's manifest
  EXPECT_EQ(store_->GetRecord("r1")->consent, Consent::kResearch);
  auto kept = *store_->ConsentChanges("r1", -1);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].record_id, "r1");
  EXPECT_EQ(kept[0].from, Consent::kPublic);
  EXPECT_EQ(kept[0].to, Consent::kResearch);
  EXPECT_EQ(kept[0].reason, "asked by the witness");
  EXPECT_EQ(kept[0].by, "cli:ann");
  EXPECT_EQ(kept[0].at, kT1);
  EXPECT_EQ(kept[0].leaf_index, 1u);
  EXPECT_EQ(kept[0].segment_id, 0);
  auto audit = *store_->ListAudit("", "");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "cli:ann");
  EXPECT_EQ(audit[0].action, "consent");
  EXPECT_EQ(audit[0].target, "r1");
  EXPECT_EQ(audit[0].at, kT1);
  EXPECT_EQ(audit[0].detail, R"({"from":"public","to":"research"})");
}

TEST_P(StoreConformanceTest, AConsentChangeToTheSameLevelDoesNothing) {
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "")}).ok());
  auto c = store_->ChangeConsent(To("r1", Consent::kPublic), kT1, ConsentLeaf("consent"));
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());
  EXPECT_EQ(*store_->LeafCount(), 1u);
  EXPECT_TRUE(store_->ConsentChanges("", -1)->empty());
  EXPECT_TRUE(store_->ListAudit("", "")->empty());
}

TEST_P(StoreConformanceTest, AConsentChangeOfAMissingOrWithdrawnRecordIsRefused) {
  EXPECT_TRUE(store_->ChangeConsent(To("r1", Consent::kResearch), kT1, ConsentLeaf("c"))
                  .status()
                  .IsNotFound());
  ASSERT_TRUE(store_->AddVersions({NewRecord("r1", std::string(64, '1'), "")}).ok());
  ASSERT_TRUE(store_->Withdraw("r1", "asked", kT1, WithdrawLeaf("w")).ok());
  EXPECT_EQ(
      store_->ChangeConsent(To("r1", Consent::kPublic), kT1, ConsentLeaf("c")).status().code(),
      Code::kConflict);
  EXPECT_EQ(*store_->LeafCount(), 2u);
}

TEST_P(StoreConformanceTest, ASealOpensOnItsDayToTheLevelItNames) {
  ASSERT_TRUE(store_
                  ->AddVersions({NewRecord("r1", std::string(64, '1'), ""),
                                 NewRecord("r2", std::string(64, '2'), ""),
                                 NewRecord("r3", std::string(64, '3'), "")})
                  .ok());
  ConsentChange seal = To("r1", Consent::kSealed);
  seal.until = "2030-01-01";
  seal.then = Consent::kResearch;
  ASSERT_TRUE(store_->ChangeConsent(seal, kT1, ConsentLeaf("c")).ok());
  seal.record_id = "r2";
  seal.until = "2029-06-01";
  seal.then = Consent::kPublic;
  ASSERT_TRUE(store_->ChangeConsent(seal, kT1, ConsentLeaf("c")).ok());
  seal.record_id = "r3";
  seal.until = "2031-01-01";
  ASSERT_TRUE(store_->ChangeConsent(seal, kT1, ConsentLeaf("c")).ok());
  ASSERT_TRUE(store_->Withdraw("r3", "asked", kT1, WithdrawLeaf("w")).ok());
  EXPECT_TRUE(store_->DueSeals("2029-05-31")->empty());
  auto due = *store_->DueSeals("2030-01-01");
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].record_id, "r2");  // the earlier day first
  EXPECT_EQ(due[0].to, Consent::kPublic);
  EXPECT_EQ(due[1].record_id, "r1");
  EXPECT_EQ(due[1].from, Consent::kSealed);
  EXPECT_EQ(due[1].until, "2030-01-01");
  EXPECT_EQ(due[1].then, Consent::kResearch);
  EXPECT_EQ(due[1].to, Consent::kResearch);
  EXPECT_EQ(store_->DueSeals("2099-01-01")->size(), 2u);  // not the withdrawn r3
  auto audit = *store_->ListAudit("", "");
  EXPECT_EQ(audit[0].detail, R"({"from":"public","to":"sealed","until":"2030-01-01"})");
  // Sealed again to the same day: nothing; to another day: a change.
  seal = To("r1", Consent::kSealed);
  seal.until = "2030-01-01";
  seal.then = Consent::kResearch;
  EXPECT_FALSE(store_->ChangeConsent(seal, kT1, ConsentLeaf("c"))->has_value());
  seal.until = "2031-01-01";
  EXPECT_TRUE(store_->ChangeConsent(seal, kT1, ConsentLeaf("c"))->has_value());
  EXPECT_EQ(store_->GetRecord("r1")->sealed_until, "2031-01-01");  // the day a record opens on
  // Opened: no longer due.
  ASSERT_TRUE(store_->ChangeConsent(To("r1", Consent::kResearch), kT1, ConsentLeaf("c")).ok());
  EXPECT_EQ(store_->DueSeals("2099-01-01")->size(), 1u);
  EXPECT_EQ(store_->GetRecord("r1")->sealed_until, "");
}

TEST_P(StoreConformanceTest, ASegmentHasALevelOfItsOwnButIsNeverSealedAlone) {
  ASSERT_TRUE(store_
                  ->AddVersions({WithSegments(NewRecord("r1", std::string(64, '1'), ""),
                                              {TextSegment("a", 0, 1), TextSegment("b", 2, 3)})})
                  .ok());
  int64_t seg = (*store_->RecordSegments("r1")).at(1).segment.id;
  ConsentChange c = To("r1", Consent::kRestricted);
  c.segment_id = seg;
  auto changed = store_->ChangeConsent(c, kT1, ConsentLeaf("c"));
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ((*changed)->from, Consent::kPublic);  // its record's, having none of its own
  EXPECT_EQ(store_->GetRecord("r1")->consent, Consent::kPublic);
  auto segs = *store_->RecordSegments("r1");
  EXPECT_FALSE(segs[0].segment.consent.has_value());
  EXPECT_EQ(segs[1].segment.consent, std::optional<Consent>(Consent::kRestricted));
  EXPECT_EQ(segs[1].effective, Consent::kRestricted);
  EXPECT_EQ((*store_->ConsentChanges("r1", -1)).at(0).segment_id, seg);
  EXPECT_EQ((*store_->ListAudit("", "")).at(0).detail,
            R"({"from":"public","segment":)" + std::to_string(seg) + R"(,"to":"restricted"})");
  // Its own level again: nothing.
  EXPECT_FALSE(store_->ChangeConsent(c, kT1, ConsentLeaf("c"))->has_value());
  c.to = Consent::kSealed;
  EXPECT_EQ(store_->ChangeConsent(c, kT1, ConsentLeaf("c")).status().code(),
            Code::kInvalidArgument);
  c.to = Consent::kResearch;
  c.segment_id = seg + 100;
  EXPECT_TRUE(store_->ChangeConsent(c, kT1, ConsentLeaf("c")).status().IsNotFound());
  // The record narrowed further: its segments follow.
  ASSERT_TRUE(store_->ChangeConsent(To("r1", Consent::kSealed), kT1, ConsentLeaf("c")).ok());
  for (const auto& s : *store_->RecordSegments("r1")) EXPECT_EQ(s.effective, Consent::kSealed);
}

TEST_P(StoreConformanceTest, ConsentChangesAreListedInLogOrderAfterALeaf) {
  ASSERT_TRUE(store_
                  ->AddVersions({NewRecord("r1", std::string(64, '1'), ""),
                                 NewRecord("r2", std::string(64, '2'), "")})
                  .ok());
  ASSERT_TRUE(store_->ChangeConsent(To("r1", Consent::kResearch), kT1, ConsentLeaf("c")).ok());
  ASSERT_TRUE(store_->ChangeConsent(To("r2", Consent::kResearch), kT1, ConsentLeaf("c")).ok());
  ASSERT_TRUE(store_->ChangeConsent(To("r1", Consent::kRestricted), kT1, ConsentLeaf("c")).ok());
  auto all = *store_->ConsentChanges("", -1);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].leaf_index, 2u);
  EXPECT_EQ(all[1].record_id, "r2");
  EXPECT_EQ(all[2].from, Consent::kResearch);
  EXPECT_EQ(store_->ConsentChanges("", 2)->size(), 2u);
  auto r1 = *store_->ConsentChanges("r1", -1);
  ASSERT_EQ(r1.size(), 2u);
  EXPECT_EQ(r1[1].to, Consent::kRestricted);
  EXPECT_EQ(store_->ConsentChanges("r1", 3)->size(), 1u);
}

// Redactions.

TEST_P(StoreConformanceTest, RedactionsAreKeptPerRecordOldestFirst) {
  ASSERT_TRUE(store_
                  ->AddVersions({WithSegments(NewRecord("r1", std::string(64, '1'), ""),
                                              {TextSegment("secret words", 0, 12)}),
                                 WithSegments(NewRecord("r2", std::string(64, '2'), ""),
                                              {TextSegment("other", 0, 5)})})
                  .ok());
  int64_t s1 = (*store_->RecordSegments("r1")).at(0).segment.id;
  int64_t s2 = (*store_->RecordSegments("r2")).at(0).segment.id;
  Redaction a{0, "r1", s1, 0, 6, 10, 16, 1000, 2000, "a name", "cli:ann", kT0};
  Redaction whole{0, "r2", s2};
  whole.reason = "all of it";
  whole.by = "token:t1";
  whole.at = kT1;
  Redaction confirm{0, "r1", s1};
  confirm.reason = "not in v2";
  confirm.by = "user:bob";
  confirm.at = kT1;
  auto ia = store_->AddRedaction(a);
  ASSERT_TRUE(ia.ok()) << ia.status().ToString();
  int64_t iw = *store_->AddRedaction(whole);
  confirm.confirms = *ia;
  confirm.confirms_version = 2;
  int64_t ic = *store_->AddRedaction(confirm);
  EXPECT_LT(*ia, iw);
  EXPECT_LT(iw, ic);
  auto r1 = *store_->ListRedactions("r1");
  ASSERT_EQ(r1.size(), 2u);
  EXPECT_EQ(r1[0].id, *ia);
  EXPECT_EQ(r1[0].segment_id, s1);
  EXPECT_EQ(r1[0].char_from, 0);
  EXPECT_EQ(r1[0].char_to, 6);
  EXPECT_EQ(r1[0].doc_from, 10);
  EXPECT_EQ(r1[0].doc_to, 16);
  EXPECT_EQ(r1[0].start_ms, 1000);
  EXPECT_EQ(r1[0].end_ms, 2000);
  EXPECT_EQ(r1[0].reason, "a name");
  EXPECT_EQ(r1[0].by, "cli:ann");
  EXPECT_EQ(r1[0].at, kT0);
  EXPECT_EQ(r1[0].confirms, 0);
  EXPECT_EQ(r1[1].confirms, *ia);
  EXPECT_EQ(r1[1].confirms_version, 2);
  EXPECT_EQ(r1[1].char_from, -1);
  auto r2 = (*store_->ListRedactions("r2")).at(0);
  EXPECT_EQ(r2.char_from, -1);
  EXPECT_EQ(r2.char_to, -1);
  EXPECT_EQ(r2.doc_from, -1);
  EXPECT_EQ(r2.start_ms, -1);
  EXPECT_EQ(r2.end_ms, -1);
  EXPECT_EQ(store_->ListRedactions("")->size(), 3u);
  // A withdrawal takes the record's redactions with it (a reason may name what it hides).
  ASSERT_TRUE(store_->Withdraw("r1", "asked", kT1, WithdrawLeaf("w")).ok());
  EXPECT_TRUE(store_->ListRedactions("r1")->empty());
  EXPECT_EQ(store_->ListRedactions("")->size(), 1u);
}

// The audit log.

AuditEntry Entry(const std::string& actor, const std::string& action, const std::string& target,
                 const std::string& detail, const std::string& at = kT0) {
  return AuditEntry{0, at, actor, action, target, detail, "", ""};
}

TEST_P(StoreConformanceTest, AuditEntriesAreNumberedAndChained) {
  auto first = store_->Audit(Entry("cli:ann", "token.create", "t1", R"({"role":"admin"})"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->id, 1);
  EXPECT_EQ(first->prev_hash, kAuditGenesis);
  EXPECT_EQ(first->hash, AuditHash(*first));
  auto second = *store_->Audit(Entry("token:t1", "view", "r1", R"({"what":"record"})"));
  EXPECT_EQ(second.id, 2);
  EXPECT_EQ(second.prev_hash, first->hash);
  EXPECT_EQ(second.hash, AuditHash(second));
  // Another connection continues the same chain.
  auto other = *backend_->Open();
  auto third = *other->Audit(Entry("seal", "consent", "r1", "", kT1));
  EXPECT_EQ(third.id, 3);
  EXPECT_EQ(third.prev_hash, second.hash);
  auto all = *store_->ListAudit("", "");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].hash, first->hash);
  EXPECT_EQ(all[0].detail, R"({"role":"admin"})");
  EXPECT_EQ(all[2].target, "r1");
  EXPECT_EQ(all[2].detail, "");
  EXPECT_EQ(all[2].hash, third.hash);
  EXPECT_EQ(FirstAuditBreak(all), std::nullopt);
}

TEST_P(StoreConformanceTest, AuditEntriesAreListedSinceADayAndByActor) {
  ASSERT_TRUE(store_->Audit(Entry("cli:ann", "withdraw", "r1", "", "2026-01-01T10:00:00Z")).ok());
  ASSERT_TRUE(store_->Audit(Entry("cli:bob", "withdraw", "r2", "", "2026-01-02T10:00:00Z")).ok());
  ASSERT_TRUE(store_->Audit(Entry("cli:ann", "withdraw", "r3", "", "2026-01-03T10:00:00Z")).ok());
  EXPECT_EQ(store_->ListAudit("2026-01-02", "")->size(), 2u);
  auto ann = *store_->ListAudit("", "cli:ann");
  ASSERT_EQ(ann.size(), 2u);
  EXPECT_EQ(ann[1].target, "r3");
  EXPECT_EQ(store_->ListAudit("2026-01-02", "cli:ann")->size(), 1u);
  EXPECT_TRUE(store_->ListAudit("2026-01-04", "")->empty());
}

TEST_P(StoreConformanceTest, TheViewsOfARecordIncludeSearchesThatShowedIt) {
  ASSERT_TRUE(store_->Audit(Entry("token:t1", "view", "r1", R"({"what":"record"})")).ok());
  ASSERT_TRUE(store_->Audit(Entry("token:t1", "view", "r2", R"({"what":"record"})")).ok());
  ASSERT_TRUE(
      store_->Audit(Entry("user:bob", "view", "", R"({"records":["r2","r1"],"what":"search"})"))
          .ok());
  ASSERT_TRUE(
      store_->Audit(Entry("user:bob", "view", "", R"({"records":["r10"],"what":"search"})")).ok());
  ASSERT_TRUE(store_->Audit(Entry("cli:ann", "withdraw", "r1", "")).ok());
  auto views = *store_->ViewsOf("r1", 10);
  ASSERT_EQ(views.newest.size(), 2u);  // newest first
  EXPECT_EQ(views.newest[0].id, 3);
  EXPECT_EQ(views.newest[1].id, 1);
  EXPECT_EQ(views.total, 2u);
  EXPECT_EQ(store_->ViewsOf("r10", 10)->newest.size(), 1u);
  EXPECT_TRUE(store_->ViewsOf("r3", 10)->newest.empty());
  EXPECT_EQ(store_->ViewsOf("r3", 10)->total, 0u);
}

TEST_P(StoreConformanceTest, TheViewsOfARecordAreBoundedNewestFirstAndCounted) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(store_->Audit(Entry("token:t1", "view", "r1", R"({"what":"record"})")).ok());
    ASSERT_TRUE(store_->Audit(Entry("token:t2", "view", "r2", R"({"what":"media"})")).ok());
    ASSERT_TRUE(
        store_->Audit(Entry("user:bob", "view", "", R"({"records":["r1"],"what":"search"})"))
            .ok());
  }
  auto views = *store_->ViewsOf("r1", 5);
  ASSERT_EQ(views.newest.size(), 5u);
  EXPECT_EQ(views.total, 14u);
  EXPECT_EQ(views.newest[0].id, 21);  // the newest entry, a search that listed r1
  EXPECT_EQ(views.newest[0].actor, "user:bob");
  for (size_t i = 1; i < views.newest.size(); ++i) {
    EXPECT_LT(views.newest[i].id, views.newest[i - 1].id);
    EXPECT_NE(views.newest[i].target, "r2");
  }
  EXPECT_EQ(store_->ViewsOf("r2", 100)->newest.size(), 7u);
}

TEST_P(StoreConformanceTest, ATamperedAuditEntryBreaksTheChainThere) {
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(store_->Audit(Entry("cli:ann", "view", "r" + std::to_string(i), "")).ok());
  }
  ASSERT_EQ(FirstAuditBreak(*store_->ListAudit("", "")), std::nullopt);
  ASSERT_TRUE(backend_->TamperAudit(2, "actor", "cli:eve").ok());
  auto at = FirstAuditBreak(*store_->ListAudit("", ""));
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->id, 2);
  EXPECT_EQ(at->why, "its content does not match its hash");
}

TEST_P(StoreConformanceTest, ARemovedOrRelinkedAuditEntryBreaksTheChain) {
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(store_->Audit(Entry("cli:ann", "view", "r" + std::to_string(i), "")).ok());
  }
  ASSERT_TRUE(backend_->TamperAudit(2, "id", "9").ok());  // as if entry 2 were gone
  auto at = FirstAuditBreak(*store_->ListAudit("", ""));
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->id, 3);
  EXPECT_EQ(at->why, "its number does not follow");
  ASSERT_TRUE(backend_->TamperAudit(9, "id", "2").ok());
  ASSERT_TRUE(backend_->TamperAudit(4, "prev_hash", std::string(64, 'f')).ok());
  at = FirstAuditBreak(*store_->ListAudit("", ""));
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->id, 4);
  EXPECT_EQ(at->why, "it does not name the entry before");
}

// Sealed text: the words of restricted and sealed records pass through the sealer.

// Seals by reversing the words behind the prefix and the record's id; counts what it does.
class FakeSealer : public TextSealer {
 public:
  Result<std::string> Seal(const std::string& record_id, std::string_view plain) override {
    ++sealed[record_id];
    return std::string(kSealedPrefix) + record_id + ":" + std::string(plain.rbegin(), plain.rend());
  }
  Result<std::string> Open(const std::string& record_id, std::string_view s) override {
    std::string head = std::string(kSealedPrefix) + record_id + ":";
    if (s.substr(0, head.size()) != head) return Status::Corruption("not " + record_id + "'s");
    ++opened[record_id];
    s.remove_prefix(head.size());
    return std::string(s.rbegin(), s.rend());
  }
  std::map<std::string, int> sealed, opened;
};

TEST_P(StoreConformanceTest, TheWordsOfARestrictedRecordAreSealedAndReadBackOpened) {
  FakeSealer sealer;
  store_->SetTextSealer(&sealer);
  AddRequest closed = WithSegments(NewRecord("r1", std::string(64, '1'), ""),
                                   {TextSegment("private words", 0, 13)});
  closed.consent = Consent::kRestricted;
  AddRequest open =
      WithSegments(NewRecord("r2", std::string(64, '2'), ""), {TextSegment("public words", 0, 12)});
  ASSERT_TRUE(store_->AddVersions({closed, open}).ok());
  EXPECT_EQ(sealer.sealed["r1"], 2);  // its segment and its private JSON
  EXPECT_EQ(sealer.sealed.count("r2"), 0u);
  EXPECT_EQ((*store_->RecordSegments("r1")).at(0).segment.text, "private words");
  EXPECT_EQ(store_->GetRecord("r1")->versions[0].private_json, R"({"file_name":"x.txt"})");
  EXPECT_GE(sealer.opened["r1"], 2);
  // Without the sealer, the words cannot be read.
  auto bare = *backend_->Open();
  EXPECT_EQ(bare->RecordSegments("r1").status().code(), Code::kCorruption);
  EXPECT_EQ((*bare->RecordSegments("r2")).at(0).segment.text, "public words");
  // A record narrowed later has its words sealed on request.
  ASSERT_TRUE(store_->ChangeConsent(To("r2", Consent::kRestricted), kT1, ConsentLeaf("c")).ok());
  EXPECT_EQ((*bare->RecordSegments("r2")).at(0).segment.text, "public words");
  ASSERT_TRUE(store_->SealRecordText("r2").ok());
  EXPECT_EQ(sealer.sealed["r2"], 2);
  EXPECT_EQ(bare->RecordSegments("r2").status().code(), Code::kCorruption);
  EXPECT_EQ((*store_->RecordSegments("r2")).at(0).segment.text, "public words");
  ASSERT_TRUE(store_->SealRecordText("r2").ok());  // sealed once
  EXPECT_EQ(sealer.sealed["r2"], 2);
}

TEST_P(StoreConformanceTest, AClipsTitleAndNoteAreSealedWithTheirRecordsWords) {
  FakeSealer sealer;
  store_->SetTextSealer(&sealer);
  AddRequest closed = NewRecord("r1", std::string(64, '1'), "");
  closed.consent = Consent::kRestricted;
  ASSERT_TRUE(store_->AddVersions({closed, NewRecord("r2", std::string(64, '2'), "")}).ok());
  for (const char* r : {"r1", "r2"}) {
    Clip c;
    c.id = std::string("c") + r;
    c.owner = "user:ann";
    c.record_id = r;
    c.version = 1;
    c.start_ms = 0;
    c.end_ms = 1000;
    c.title = "a quoted title";
    c.note = "a quoted note";
    c.created = kT0;
    ASSERT_TRUE(store_->AddClip(c).ok());
  }
  EXPECT_EQ(sealer.sealed["r1"], 1 + 2);  // its private JSON, the clip's title and note
  EXPECT_EQ(store_->GetClip("cr1")->value().title, "a quoted title");
  EXPECT_EQ(store_->ListClips("user:ann", 10)->size(), 2u);
  auto bare = *backend_->Open();
  EXPECT_EQ(bare->GetClip("cr1").status().code(), Code::kCorruption);
  EXPECT_EQ(bare->GetClip("cr2")->value().note, "a quoted note");
  // Narrowed, its record's clips are sealed with its words.
  ASSERT_TRUE(store_->ChangeConsent(To("r2", Consent::kRestricted), kT1, ConsentLeaf("c")).ok());
  ASSERT_TRUE(store_->SealRecordText("r2").ok());
  EXPECT_EQ(bare->GetClip("cr2").status().code(), Code::kCorruption);
  EXPECT_EQ(store_->GetClip("cr2")->value().note, "a quoted note");
}

}  // namespace
}  // namespace attest::meta
