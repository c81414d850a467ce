#include "archive/manifest.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "core/json.h"

namespace attest::archive {
namespace {

TEST(ManifestTest, AnOlderAttestsV1LeafIsStillRead) {
  auto leaf = BuildLeafV1({"add", "rabc", 1, std::string(64, 'f'), "2026-11-23T08:05:33Z"});
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(*leaf, "{\"kind\":\"add\",\"manifest\":\"" + std::string(64, 'f') +
                       "\",\"record\":\"rabc\",\"time\":\"2026-11-23T08:05:33Z\",\"type\":"
                       "\"attest.leaf.v1\",\"version\":1}");
  auto parsed = ParseLeaf(*leaf);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->format, 1);
  EXPECT_EQ(parsed->record, "rabc");
  EXPECT_EQ(parsed->record_commitment, "");
}

const std::string kSalt(32, 's');

TEST(ManifestTest, AV2LeafCommitsToItsRecordWithoutNamingIt) {
  const std::string m(64, 'f');
  auto leaf = BuildLeaf({"add", "rabcdefghijklmnopqrst", 1, m, "2026-11-23T08:05:33Z"}, kSalt);
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  const std::string rc = CommitRecord(kSalt, "rabcdefghijklmnopqrst");
  EXPECT_EQ(*leaf, "{\"kind\":\"add\",\"manifest\":\"" + m + "\",\"rc\":\"" + rc +
                       "\",\"time\":\"2026-11-23T08:05:33Z\",\"type\":\"attest.leaf.v2\","
                       "\"version\":1}");
  EXPECT_EQ(leaf->find("rabcdefghijklmnopqrst"), std::string::npos);
  auto parsed = ParseLeaf(*leaf);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->format, 2);
  EXPECT_EQ(parsed->record, "");
  EXPECT_EQ(parsed->record_commitment, rc);
  EXPECT_EQ(parsed->version, 1);
  EXPECT_EQ(parsed->manifest_sha256, m);
  // The commitment is keyed: another salt or another id gives another; it is labelled, so it
  // is not the HMAC of the bare id.
  EXPECT_NE(rc, CommitRecord(std::string(32, 't'), "rabcdefghijklmnopqrst"));
  EXPECT_NE(rc, CommitRecord(kSalt, "rabcdefghijklmnopqrsu"));
  EXPECT_NE(rc, ToHex(HmacSha256(kSalt, "rabcdefghijklmnopqrst")));
  // A leaf is never built without the salt (a withdrawn record has none).
  EXPECT_EQ(BuildLeaf({"add", "rabc", 1, m, "t"}, "").status().code(), Code::kInvalidArgument);
}

// The commitments as doc/format/leaf.md defines them, computed apart (Python's hmac) so the
// format cannot drift: salt bytes 0..31.
TEST(ManifestTest, CommitmentsMatchTheFormatsDefinition) {
  std::string salt;
  for (int i = 0; i < 32; ++i) salt.push_back(static_cast<char>(i));
  EXPECT_EQ(CommitRecord(salt, "rabcdefghijklmnopqrst"),
            "cc4f992c9c6d6124f872e9e6daa9ab8d732b81ffa4c67a020b167bfcace8ffef");
  EXPECT_EQ(CommitSegment(salt, 17),
            "1d3c1e2f7899078b0f357db03d2d59beeeb8313c7d5652db255037b72c650045");
}

TEST(ManifestTest, AV2ConsentLeafCommitsToItsSegmentWithoutNamingIt) {
  const std::string m(64, 'a');
  auto leaf = BuildLeaf({"consent", "rabc", 2, m, "t", "restricted", "", 17}, kSalt);
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  EXPECT_EQ(leaf->find("segment"), std::string::npos);
  auto parsed = ParseLeaf(*leaf);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->segment, 0);
  EXPECT_EQ(parsed->segment_commitment, CommitSegment(kSalt, 17));
  EXPECT_NE(parsed->segment_commitment, CommitSegment(kSalt, 18));
  EXPECT_EQ(parsed->consent, "restricted");
  // A whole record's change has none; a seal round-trips.
  auto whole = ParseLeaf(*BuildLeaf({"consent", "rabc", 2, m, "t", "research"}, kSalt));
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->segment_commitment, "");
  auto sealed =
      ParseLeaf(*BuildLeaf({"consent", "rabc", 2, m, "t", "sealed", "2030-01-01"}, kSalt));
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->until, "2030-01-01");
  // A withdrawal: no manifest, the record's commitment.
  auto withdraw = ParseLeaf(*BuildLeaf({"withdraw", "rabc", 3, "", "t"}, kSalt));
  ASSERT_TRUE(withdraw.ok()) << withdraw.status().ToString();
  EXPECT_EQ(withdraw->record_commitment, CommitRecord(kSalt, "rabc"));
}

TEST(ManifestTest, ParseLeafRefusesV2LeavesThatNameIdsOrLackTheirCommitment) {
  const std::string m(64, 'a');
  const std::string rc(64, 'b');
  auto leaf = [&](const std::string& members) {
    return "{\"kind\":\"consent\",\"consent\":\"restricted\",\"manifest\":\"" + m + "\"" + members +
           ",\"time\":\"t\",\"type\":\"attest.leaf.v2\",\"version\":2}";
  };
  auto canonical = [](const std::string& s) { return *CanonicalJson(*ParseJson(s, "leaf")); };
  EXPECT_TRUE(ParseLeaf(canonical(leaf(",\"rc\":\"" + rc + "\""))).ok());
  EXPECT_FALSE(ParseLeaf(canonical(leaf(""))).ok());                  // no rc
  EXPECT_FALSE(ParseLeaf(canonical(leaf(",\"rc\":\"rabc\""))).ok());  // not an HMAC
  EXPECT_FALSE(ParseLeaf(canonical(leaf(",\"rc\":\"" + rc + "\",\"record\":\"rabc\""))).ok());
  EXPECT_FALSE(ParseLeaf(canonical(leaf(",\"rc\":\"" + rc + "\",\"segment\":17"))).ok());
  EXPECT_FALSE(ParseLeaf(canonical(leaf(",\"rc\":\"" + rc + "\",\"sc\":17"))).ok());
  EXPECT_TRUE(ParseLeaf(canonical(leaf(",\"rc\":\"" + rc + "\",\"sc\":\"" + rc + "\""))).ok());
  // Nor does a v1 leaf carry v2's members, and no other type is read.
  EXPECT_FALSE(ParseLeaf(canonical("{\"kind\":\"add\",\"manifest\":\"" + m + "\",\"rc\":\"" + rc +
                                   "\",\"record\":\"rabc\",\"time\":\"t\",\"type\":"
                                   "\"attest.leaf.v1\",\"version\":1}"))
                   .ok());
  EXPECT_FALSE(ParseLeaf(canonical("{\"kind\":\"add\",\"manifest\":\"" + m + "\",\"rc\":\"" + rc +
                                   "\",\"time\":\"t\",\"type\":\"attest.leaf.v3\","
                                   "\"version\":1}"))
                   .ok());
}

TEST(ManifestTest, ParseLeafRejectsNonCanonicalAndIncompleteLeaves) {
  EXPECT_FALSE(ParseLeaf("{ \"kind\":\"withdraw\"}").ok());
  EXPECT_FALSE(ParseLeaf("{\"kind\":\"add\",\"record\":\"r\",\"time\":\"t\",\"type\":"
                         "\"attest.leaf.v1\",\"version\":1}")
                   .ok());  // add without manifest
  EXPECT_FALSE(ParseLeaf("{\"kind\":\"delete\",\"record\":\"r\",\"time\":\"t\",\"type\":"
                         "\"attest.leaf.v1\",\"version\":1}")
                   .ok());
  EXPECT_TRUE(ParseLeaf("{\"kind\":\"withdraw\",\"record\":\"r\",\"time\":\"t\",\"type\":"
                        "\"attest.leaf.v1\",\"version\":1}")
                  .ok());
  EXPECT_FALSE(ParseLeaf("not json").ok());
  // Found by fuzz_leaf: members of the wrong type are errors, not exceptions.
  EXPECT_FALSE(ParseLeaf("{\"type\":{}}").ok());
  EXPECT_FALSE(ParseLeaf("[]").ok());
}

TEST(ManifestTest, AConsentLeafCarriesTheNewLevelAndNoOtherLeafDoes) {
  const std::string m(64, 'a');
  auto leaf = BuildLeafV1({"consent", "rabc", 2, m, "2026-11-26T10:00:00Z", "research"});
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(*leaf, "{\"consent\":\"research\",\"kind\":\"consent\",\"manifest\":\"" + m +
                       "\",\"record\":\"rabc\",\"time\":\"2026-11-26T10:00:00Z\",\"type\":"
                       "\"attest.leaf.v1\",\"version\":2}");
  auto parsed = ParseLeaf(*leaf);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->consent, "research");
  // Without a level, with a level no change can set, or a level on another kind: refused.
  EXPECT_FALSE(ParseLeaf(*BuildLeafV1({"consent", "rabc", 2, m, "t"})).ok());
  EXPECT_FALSE(ParseLeaf(*BuildLeafV1({"consent", "rabc", 2, m, "t", "withdrawn"})).ok());
  // A seal states the day it opens, and only a seal does.
  auto sealed = ParseLeaf(*BuildLeafV1({"consent", "rabc", 2, m, "t", "sealed", "2030-01-01"}));
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->until, "2030-01-01");
  EXPECT_FALSE(ParseLeaf(*BuildLeafV1({"consent", "rabc", 2, m, "t", "sealed"})).ok());
  EXPECT_FALSE(
      ParseLeaf(*BuildLeafV1({"consent", "rabc", 2, m, "t", "public", "2030-01-01"})).ok());
  EXPECT_FALSE(ParseLeaf(*BuildLeafV1({"add", "rabc", 1, m, "t", "public"})).ok());
  // One segment's level names the segment; a segment is never sealed alone, and only a consent
  // leaf names one.
  auto passage = ParseLeaf(*BuildLeafV1({"consent", "rabc", 2, m, "t", "restricted", "", 17}));
  ASSERT_TRUE(passage.ok()) << passage.status().ToString();
  EXPECT_EQ(passage->segment, 17);
  EXPECT_FALSE(
      ParseLeaf(*BuildLeafV1({"consent", "rabc", 2, m, "t", "sealed", "2030-01-01", 17})).ok());
  EXPECT_FALSE(ParseLeaf(*BuildLeafV1({"add", "rabc", 1, m, "t", "", "", 17})).ok());
}

TEST(ManifestTest, PrivateCommitmentDependsOnSaltAndContent) {
  Json priv = {{"file_name", "עדות.wav"}, {"meta", {{"place", "כפר עזה"}}}};
  auto a = *CommitPrivate("salt-1", priv);
  EXPECT_EQ(a, *CommitPrivate("salt-1", priv));
  EXPECT_NE(a, *CommitPrivate("salt-2", priv));
  priv["meta"]["place"] = "other";
  EXPECT_NE(a, *CommitPrivate("salt-1", priv));
}

TEST(ManifestTest, IdsAndLanguages) {
  std::string id = NewRecordId(Env::Default());
  EXPECT_EQ(id.size(), 21u);
  EXPECT_EQ(id[0], 'r');
  EXPECT_NE(id, NewRecordId(Env::Default()));
  EXPECT_TRUE(IsValidId("w-17"));
  EXPECT_FALSE(IsValidId("../etc"));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("a b"));
  for (const char* ok : {"he", "ar", "en", "fr", "und", "ar-PS", "en-US"}) {
    EXPECT_TRUE(IsValidLang(ok)) << ok;
  }
  for (const char* bad : {"", "e", "english", "EN", "he_IL", "ar-"}) {
    EXPECT_FALSE(IsValidLang(bad)) << bad;
  }
}

}  // namespace
}  // namespace attest::archive
