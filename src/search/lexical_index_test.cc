#include "search/lexical_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

namespace attest::search {
namespace {

// Segments: the Universal Declaration of Human Rights (samples/udhr; United Nations, 1948).
// Sample texts, not testimony. Canary segments carry a made-up word found nowhere else.
constexpr char kCanary[] = "zqxcanaryword";

class LexicalIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/attest-index-XXXXXX";
    auto idx = LexicalIndex::Open(std::string(mkdtemp(tmpl)) + "/lexical");
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    index_ = std::move(*idx);
    int64_t id = 0;
    auto put = [&](std::string record, std::string lang, meta::Consent consent,
                   std::string collection, std::string text) {
      SegmentDoc s;
      s.segment_id = ++id;
      s.record_id = record;
      s.version = 1;
      s.lang = lang;
      s.consent = consent;
      s.collection_id = collection;
      s.start_ms = id * 1000;
      s.end_ms = id * 1000 + 900;
      s.text = text;
      ASSERT_TRUE(index_->Put(s).ok());
    };
    using meta::Consent;
    put("rar", "ar", Consent::kPublic, "udhr",
        "يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق. وقد وهبوا عقلاً وضميرًا");
    put("rhe", "he", Consent::kPublic, "udhr",
        "הואיל והזלזול בזכויות האדם וביזוין הבשילו מעשים פראיים שפגעו קשה במצפונה של האנושות");
    put("ren", "en", Consent::kPublic, "udhr",
        "All human beings are born free and equal in dignity and rights. They are endowed "
        "with reason and conscience and should act towards one another in a spirit of "
        "brotherhood.");
    put("rfr", "fr", Consent::kPublic, "udhr",
        "Tous les êtres humains naissent libres et égaux en dignité et en droits. Ils sont "
        "doués de raison et de conscience.");
    put("rres", "en", Consent::kRestricted, "secret", std::string("dignity ") + kCanary);
    put("rsea", "en", Consent::kSealed, "sealedcol", std::string("dignity ") + kCanary);
    put("rwd", "en", Consent::kResearch, "udhr", std::string("dignity ") + kCanary);
    SegmentDoc withdrawn;
    withdrawn.segment_id = 7;  // the research one above, now withdrawn
    withdrawn.record_id = "rwd";
    withdrawn.consent = Consent::kWithdrawn;
    ASSERT_TRUE(index_->Put(withdrawn).ok());
    ASSERT_TRUE(index_->Commit().ok());
  }

  std::vector<std::string> Records(const std::string& q, Role role = Role::kAnonymous) {
    auto r = index_->Search(q, role, 0, 20);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& h : r->hits) out.push_back(h.record_id);
    }
    return out;
  }

  std::unique_ptr<LexicalIndex> index_;
};

using ::testing::ElementsAre;

TEST_F(LexicalIndexTest, FindsWordsInEveryLanguageAndSpelling) {
  EXPECT_THAT(Records("الكرامة"), ElementsAre("rar"));
  EXPECT_THAT(Records("كرامة"), ElementsAre("rar"));    // without the article (stem)
  EXPECT_THAT(Records("احرارا"), ElementsAre("rar"));   // without hamza and tanwin
  EXPECT_THAT(Records("אדם"), ElementsAre("rhe"));      // האדם, prefix removed
  EXPECT_THAT(Records("זְכוּיוֹת"), ElementsAre("rhe"));   // with niqqud, בזכויות
  EXPECT_THAT(Records("dignite"), ElementsAre("rfr"));  // without the accent
  EXPECT_THAT(Records("dignité"), ElementsAre("rfr"));
  EXPECT_THAT(Records("right"), ElementsAre("ren"));  // stem of rights
  EXPECT_THAT(Records("DIGNITY"), ElementsAre("ren"));
}

TEST_F(LexicalIndexTest, PhrasesExclusionsOrAndFilters) {
  EXPECT_THAT(Records("\"equal in dignity\""), ElementsAre("ren"));
  EXPECT_THAT(Records("\"בזכויות האדם\""), ElementsAre("rhe"));  // words with several forms
  EXPECT_TRUE(Records("\"dignity in equal\"").empty());
  EXPECT_THAT(Records("conscience -reason"), ElementsAre("rfr"));  // raison is French
  auto both = Records("brotherhood OR droits");
  EXPECT_EQ(both.size(), 2u);
  EXPECT_THAT(Records("conscience lang:fr"), ElementsAre("rfr"));
  EXPECT_THAT(Records("conscience -lang:fr"), ElementsAre("ren"));
}

TEST_F(LexicalIndexTest, PrefixesMatchTheBeginningsOfWords) {
  EXPECT_THAT(Records("brother*"), ElementsAre("ren"));  // brotherhood
  EXPECT_THAT(Records("digni* lang:fr"), ElementsAre("rfr"));
  EXPECT_THAT(Records("זכוי*"), ElementsAre("rhe"));  // בזכויות, prefix removed
  EXPECT_THAT(Records("الكرا*"), ElementsAre("rar"));
  EXPECT_TRUE(Records("zqxcanary*").empty());  // access still applies
  EXPECT_EQ(index_->Search("d*", Role::kAnonymous, 0, 10).status().code(), Code::kInvalidArgument);
  auto r = *index_->Search("brother*", Role::kAnonymous, 0, 10);
  ASSERT_EQ(r.hits.size(), 1u);
  ASSERT_EQ(r.hits[0].highlights.size(), 1u);
  EXPECT_EQ(r.hits[0].snippet.substr(r.hits[0].highlights[0].first, 11), "brotherhood");
}

TEST_F(LexicalIndexTest, WhatTheCallerMayNotSeeLeavesNoTrace) {
  for (Role role : {Role::kAnonymous, Role::kResearcher}) {
    auto r = *index_->Search(kCanary, role, 0, 10);
    EXPECT_TRUE(r.hits.empty());
    EXPECT_EQ(r.total_estimate, 0u);
    EXPECT_TRUE(r.lang_facets.empty());
    EXPECT_TRUE(r.collection_facets.empty());
  }
  // A common word: the restricted and sealed segments are not counted in facets either.
  auto r = *index_->Search("dignity", Role::kAnonymous, 0, 10);
  EXPECT_EQ(r.total_estimate, 1u);
  EXPECT_EQ(r.lang_facets["en"], 1u);
  EXPECT_EQ(r.collection_facets.count("secret"), 0u);
  EXPECT_EQ(r.collection_facets.count("sealedcol"), 0u);
  for (const auto& h : r.hits) EXPECT_EQ(h.snippet.find(kCanary), std::string::npos);
  // An archivist sees the restricted one; nobody sees the sealed or the withdrawn.
  EXPECT_THAT(Records(kCanary, Role::kArchivist), ElementsAre("rres"));
}

TEST_F(LexicalIndexTest, HitsCarryTimesAndHighlightedSnippets) {
  auto r = *index_->Search("dignité", Role::kAnonymous, 0, 10);
  ASSERT_EQ(r.hits.size(), 1u);
  const Hit& h = r.hits[0];
  EXPECT_EQ(h.start_ms, 4000);
  EXPECT_EQ(h.end_ms, 4900);
  ASSERT_EQ(h.highlights.size(), 1u);
  EXPECT_EQ(h.snippet.substr(h.highlights[0].first, h.highlights[0].second - h.highlights[0].first),
            "dignité");
}

TEST_F(LexicalIndexTest, BadQueriesAreClearErrors) {
  EXPECT_EQ(index_->Search("", Role::kAnonymous, 0, 10).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(index_->Search("!!! ???", Role::kAnonymous, 0, 10).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(index_->Search(std::string(10000, 'x'), Role::kAnonymous, 0, 10).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(index_->Search("\xff\xfe", Role::kAnonymous, 0, 10).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(index_->Search("place:somewhere", Role::kAnonymous, 0, 10).status().code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(index_->Search("\"equal in", Role::kAnonymous, 0, 10).ok());
}

TEST_F(LexicalIndexTest, RemovingARecordRemovesItsSegments) {
  ASSERT_TRUE(index_->RemoveRecord("ren").ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_TRUE(Records("dignity").empty());
  EXPECT_EQ(index_->DocCount(), 5u);
}

}  // namespace
}  // namespace attest::search
