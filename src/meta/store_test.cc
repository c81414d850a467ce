// What store.cc holds for every backend: names of levels and states, the audit log's chain, and
// the rules of backend.h. (The behaviour of a whole store is the conformance suite's:
// store_conformance.h.)
#include "meta/store.h"

#include <gtest/gtest.h>

#include "meta/backend.h"

namespace attest::meta {
namespace {

TEST(ConsentTest, ParsesKnownLevelsAndNamesUnknownOnes) {
  EXPECT_EQ(*ParseConsent("research"), Consent::kResearch);
  auto bad = ParseConsent("secret");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("secret"), std::string::npos);
}

TEST(ConsentTest, EveryLevelParsesBackFromItsName) {
  for (Consent c : {Consent::kPublic, Consent::kResearch, Consent::kRestricted, Consent::kSealed,
                    Consent::kWithdrawn}) {
    EXPECT_EQ(*ParseConsent(ConsentName(c)), c);
  }
  EXPECT_STREQ(ConsentName(Consent::kSealed), "sealed");
}

TEST(ConsentTest, TheStricterLevelWins) {
  EXPECT_EQ(Strictest(Consent::kPublic, Consent::kResearch), Consent::kResearch);
  EXPECT_EQ(Strictest(Consent::kWithdrawn, Consent::kSealed), Consent::kWithdrawn);
  EXPECT_EQ(Strictest(Consent::kRestricted, Consent::kRestricted), Consent::kRestricted);
  EXPECT_EQ(EffectiveConsent(Consent::kPublic, std::nullopt), Consent::kPublic);
  EXPECT_EQ(EffectiveConsent(Consent::kPublic, Consent::kRestricted), Consent::kRestricted);
  EXPECT_EQ(EffectiveConsent(Consent::kSealed, Consent::kResearch), Consent::kSealed);
}

TEST(ConsentTest, ASegmentIsNeverSealedOrWithdrawnAlone) {
  EXPECT_TRUE(CheckSegmentLevel(Consent::kRestricted).ok());
  EXPECT_EQ(CheckSegmentLevel(Consent::kSealed).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckSegmentLevel(Consent::kWithdrawn).code(), Code::kInvalidArgument);
}

TEST(ConsentTest, AChangeToTheSameLevelIsNoChangeUnlessASealMovesItsDay) {
  ConsentChange c;
  c.from = Consent::kResearch;
  c.to = Consent::kResearch;
  EXPECT_TRUE(ConsentUnchanged(c, ""));
  c.to = Consent::kPublic;
  EXPECT_FALSE(ConsentUnchanged(c, ""));
  c.from = c.to = Consent::kSealed;
  c.until = "2030-01-01";
  EXPECT_TRUE(ConsentUnchanged(c, "2030-01-01"));
  EXPECT_FALSE(ConsentUnchanged(c, "2029-01-01"));
}

TEST(JobStateTest, EveryStateParsesBackFromItsNameAndOthersAreNamed) {
  for (JobState s : {JobState::kQueued, JobState::kRunning, JobState::kDone, JobState::kFailed,
                     JobState::kWaiting, JobState::kCancelled}) {
    EXPECT_EQ(*ParseJobState(JobStateName(s)), s);
  }
  auto bad = ParseJobState("paused");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("paused"), std::string::npos);
}

// The audit log's chain (doc/format/metadata.md, "The audit log"). The hashes were computed
// apart from attest: SHA-256 of the canonical JSON the document gives, by Python's json and
// hashlib.
constexpr char kFirstHash[] = "c5c39aefd97ede5e5d4481533519124802ca2ac92bcbf45721f46d8f2ce23427";
constexpr char kSecondHash[] = "d1479da4243e87179b05ed8a247d818c11ad2355d9c2865bfb6edd8cd2e21302";

std::vector<AuditEntry> TwoEntries() {
  AuditEntry first{1,         "2026-01-01T00:00:00Z",
                   "cli:ann", "consent",
                   "r1",      R"({"from":"public","to":"research"})"};
  first.prev_hash = kAuditGenesis;
  first.hash = kFirstHash;
  AuditEntry second{2, "2026-01-02T00:00:00Z", "user:\xd7\x93\xd7\xa0\xd7\x94", "view", "", ""};
  second.prev_hash = kFirstHash;
  second.hash = kSecondHash;
  return {first, second};
}

TEST(AuditChainTest, AnEntryHashesTheBytesTheFormatNames) {
  auto entries = TwoEntries();
  EXPECT_EQ(AuditHash(entries[0]), kFirstHash);
  EXPECT_EQ(AuditHash(entries[1]), kSecondHash);  // no target, no detail, a non-ASCII actor
  EXPECT_EQ(kAuditGenesis, std::string(64, '0'));
}

TEST(AuditChainTest, ChainingNumbersAnEntryAndNamesTheOneBefore) {
  auto entries = TwoEntries();
  AuditEntry first = entries[0];
  first.id = 0;
  first.prev_hash = first.hash = "";
  ChainAudit(&first, nullptr);
  EXPECT_EQ(first.id, 1);
  EXPECT_EQ(first.prev_hash, kAuditGenesis);
  EXPECT_EQ(first.hash, kFirstHash);
  AuditEntry second = entries[1];
  second.id = 0;
  second.prev_hash = second.hash = "";
  ChainAudit(&second, &first);
  EXPECT_EQ(second.id, 2);
  EXPECT_EQ(second.prev_hash, kFirstHash);
  EXPECT_EQ(second.hash, kSecondHash);
}

TEST(AuditChainTest, AnIntactChainHasNoBreak) {
  EXPECT_EQ(FirstAuditBreak({}), std::nullopt);
  EXPECT_EQ(FirstAuditBreak(TwoEntries()), std::nullopt);
}

TEST(AuditChainTest, AChangedEntryIsNamed) {
  auto entries = TwoEntries();
  entries[1].detail = R"({"what":"record"})";
  auto at = FirstAuditBreak(entries);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->id, 2);
  EXPECT_EQ(at->why, "its content does not match its hash");
}

TEST(AuditChainTest, AChangedEntryWithItsHashRecomputedBreaksTheNext) {
  auto entries = TwoEntries();
  entries[0].actor = "cli:eve";
  entries[0].hash = AuditHash(entries[0]);
  auto at = FirstAuditBreak(entries);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->id, 2);
  EXPECT_EQ(at->why, "it does not name the entry before");
}

TEST(AuditChainTest, ARemovedOrInsertedEntryIsNamed) {
  auto entries = TwoEntries();
  auto at = FirstAuditBreak({entries[1]});  // the first removed
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->id, 2);
  EXPECT_EQ(at->why, "its number does not follow");
  at = FirstAuditBreak({entries[0], entries[0], entries[1]});
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->id, 1);
  EXPECT_EQ(at->why, "its number does not follow");
}

TEST(AuditChainTest, AConsentChangesEntrySaysFromToAndForASealUntil) {
  ConsentChange c;
  c.record_id = "r1";
  c.from = Consent::kPublic;
  c.to = Consent::kSealed;
  c.until = "2030-01-01";
  c.at = "2026-01-01T00:00:00Z";
  c.by = "cli:ann";
  AuditEntry e = *ConsentAuditEntry(c);
  EXPECT_EQ(e.actor, "cli:ann");
  EXPECT_EQ(e.action, "consent");
  EXPECT_EQ(e.target, "r1");
  EXPECT_EQ(e.at, "2026-01-01T00:00:00Z");
  EXPECT_EQ(e.detail, R"({"from":"public","to":"sealed","until":"2030-01-01"})");
  c.to = Consent::kRestricted;
  c.segment_id = 7;
  c.by = "";
  e = *ConsentAuditEntry(c);
  EXPECT_EQ(e.actor, "unknown");
  EXPECT_EQ(e.detail, R"({"from":"public","segment":7,"to":"restricted"})");
}

TEST(AuditChainTest, AnEntryAsJsonHasItsDetailParsed) {
  Json j = AuditJson(TwoEntries()[0]);
  EXPECT_EQ(j["id"], 1);
  EXPECT_EQ(j["detail"]["to"], "research");
  EXPECT_EQ(j["prev_hash"], kAuditGenesis);
  EXPECT_EQ(j["hash"], kFirstHash);
  EXPECT_TRUE(AuditJson(TwoEntries()[1])["detail"].is_null());
}

// Jobs.

TEST(JobRulesTest, ATransientFailureIsRetriedTwiceWithGrowingBackoff) {
  EXPECT_EQ(StateAfterFailure(1, true), JobState::kQueued);
  EXPECT_EQ(StateAfterFailure(2, true), JobState::kQueued);
  EXPECT_EQ(StateAfterFailure(3, true), JobState::kFailed);
  EXPECT_EQ(StateAfterFailure(1, false), JobState::kFailed);
  EXPECT_EQ(RetryNotBefore("2026-01-01T00:00:00Z", 1), "2026-01-01T00:00:05Z");
  EXPECT_EQ(RetryNotBefore("2026-01-01T00:00:00Z", 2), "2026-01-01T00:00:20Z");
  EXPECT_EQ(RetryNotBefore("2026-01-01T00:00:00Z", 3), "2026-01-01T00:01:20Z");
  EXPECT_EQ(RetryNotBefore("yesterday", 1), "yesterday");
}

TEST(JobRulesTest, ADoneOutcomeNamesTheDerivedVersion) {
  EXPECT_EQ(*DoneOutcome("", std::nullopt), "{}");
  EXPECT_EQ(*DoneOutcome(R"({"b":1,"a":2})", std::nullopt), R"({"b":1,"a":2})");  // as given
  Version v;
  v.version = 3;
  EXPECT_EQ(*DoneOutcome(R"({"b":1,"a":2})", v), R"({"a":2,"b":1,"version":3})");
  EXPECT_EQ(*DoneOutcome("", v), R"({"version":3})");
  EXPECT_EQ(DoneOutcome("[1]", v).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(DoneOutcome("{", v).ok());
}

TEST(JobRulesTest, JobsAreTalliedByState) {
  JobCounts c;
  TallyJobs(&c, "queued", 2, 10);
  TallyJobs(&c, "done", 3, 30);
  TallyJobs(&c, "cancelled", 1, 5);
  TallyJobs(&c, "running", 1, 7);
  EXPECT_EQ(c.total, 7u);
  EXPECT_EQ(c.queued, 2u);
  EXPECT_EQ(c.done, 3u);
  EXPECT_EQ(c.cancelled, 1u);
  EXPECT_EQ(c.running, 1u);
  EXPECT_EQ(c.bytes_total, 52u);
  EXPECT_EQ(c.bytes_finished, 35u);
  EXPECT_EQ(c.finished(), 4u);
}

TEST(JobRulesTest, OnlyTheHolderOfARunningJobMayFinishIt) {
  EXPECT_TRUE(CheckLeaseHolder(1, "w", true, "running", "w").ok());
  EXPECT_EQ(CheckLeaseHolder(1, "w", true, "running", "v").code(), Code::kConflict);
  auto s = CheckLeaseHolder(1, "w", true, "cancelled", "");
  EXPECT_EQ(s.code(), Code::kConflict);
  EXPECT_NE(s.message().find("now cancelled"), std::string::npos);
  EXPECT_EQ(CheckLeaseHolder(1, "w", false, "", "").code(), Code::kNotFound);
  Job j;
  j.id = 4;
  j.state = JobState::kFailed;
  EXPECT_TRUE(CheckRetryable(j).ok());
  EXPECT_TRUE(CheckCancellable(j).ok());
  j.state = JobState::kDone;
  EXPECT_EQ(CheckRetryable(j).code(), Code::kConflict);
  EXPECT_EQ(CheckCancellable(j).code(), Code::kConflict);
}

// Sealed text.

class PrefixSealer : public TextSealer {
 public:
  Result<std::string> Seal(const std::string& record_id, std::string_view plain) override {
    return std::string(kSealedPrefix) + record_id + "/" + std::string(plain);
  }
  Result<std::string> Open(const std::string& record_id, std::string_view s) override {
    return std::string(s.substr(kSealedPrefix.size() + record_id.size() + 1));
  }
};

TEST(SealedTextTest, OnlyRestrictedAndSealedWordsAreSealed) {
  PrefixSealer sealer;
  EXPECT_EQ(*SealIfKept(&sealer, "r1", Consent::kRestricted, "w"), "attestT1:r1/w");
  EXPECT_EQ(*SealIfKept(&sealer, "r1", Consent::kSealed, "w"), "attestT1:r1/w");
  EXPECT_EQ(*SealIfKept(&sealer, "r1", Consent::kResearch, "w"), "w");
  EXPECT_EQ(*SealIfKept(&sealer, "r1", Consent::kRestricted, ""), "");
  EXPECT_EQ(*SealIfKept(nullptr, "r1", Consent::kRestricted, "w"), "w");
  EXPECT_EQ(*OpenIfSealed(&sealer, "r1", "attestT1:r1/w"), "w");
  EXPECT_EQ(*OpenIfSealed(nullptr, "r1", "plain"), "plain");
  auto s = OpenIfSealed(nullptr, "r1", "attestT1:r1/w");
  EXPECT_EQ(s.status().code(), Code::kCorruption);
  EXPECT_NE(s.status().message().find("r1"), std::string::npos);
}

}  // namespace
}  // namespace attest::meta
