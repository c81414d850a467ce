#include "archive/manifest.h"

#include <gtest/gtest.h>

namespace attest::archive {
namespace {

TEST(ManifestTest, LeafIsCanonicalAndRoundTrips) {
  auto leaf = BuildLeaf({"add", "rabc", 1, std::string(64, 'f'), "2026-11-23T08:05:33Z"});
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(*leaf, "{\"kind\":\"add\",\"manifest\":\"" + std::string(64, 'f') +
                       "\",\"record\":\"rabc\",\"time\":\"2026-11-23T08:05:33Z\",\"type\":"
                       "\"attest.leaf.v1\",\"version\":1}");
  auto parsed = ParseLeaf(*leaf);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->record, "rabc");
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
  auto leaf = BuildLeaf({"consent", "rabc", 2, m, "2026-11-26T10:00:00Z", "research"});
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(*leaf, "{\"consent\":\"research\",\"kind\":\"consent\",\"manifest\":\"" + m +
                       "\",\"record\":\"rabc\",\"time\":\"2026-11-26T10:00:00Z\",\"type\":"
                       "\"attest.leaf.v1\",\"version\":2}");
  auto parsed = ParseLeaf(*leaf);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->consent, "research");
  // Without a level, with a level no change can set, or a level on another kind: refused.
  EXPECT_FALSE(ParseLeaf(*BuildLeaf({"consent", "rabc", 2, m, "t"})).ok());
  EXPECT_FALSE(ParseLeaf(*BuildLeaf({"consent", "rabc", 2, m, "t", "withdrawn"})).ok());
  // A seal states the day it opens, and only a seal does.
  auto sealed = ParseLeaf(*BuildLeaf({"consent", "rabc", 2, m, "t", "sealed", "2030-01-01"}));
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->until, "2030-01-01");
  EXPECT_FALSE(ParseLeaf(*BuildLeaf({"consent", "rabc", 2, m, "t", "sealed"})).ok());
  EXPECT_FALSE(ParseLeaf(*BuildLeaf({"consent", "rabc", 2, m, "t", "public", "2030-01-01"})).ok());
  EXPECT_FALSE(ParseLeaf(*BuildLeaf({"add", "rabc", 1, m, "t", "public"})).ok());
  // One segment's level names the segment; a segment is never sealed alone, and only a consent
  // leaf names one.
  auto passage = ParseLeaf(*BuildLeaf({"consent", "rabc", 2, m, "t", "restricted", "", 17}));
  ASSERT_TRUE(passage.ok()) << passage.status().ToString();
  EXPECT_EQ(passage->segment, 17);
  EXPECT_FALSE(
      ParseLeaf(*BuildLeaf({"consent", "rabc", 2, m, "t", "sealed", "2030-01-01", 17})).ok());
  EXPECT_FALSE(ParseLeaf(*BuildLeaf({"add", "rabc", 1, m, "t", "", "", 17})).ok());
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
