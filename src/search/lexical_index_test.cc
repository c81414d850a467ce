#include "search/lexical_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "core/temp_dir.h"
#include "search/result_cache.h"

namespace attest::search {
namespace {

// Segments: the Universal Declaration of Human Rights (samples/udhr; United Nations, 1948).
// Sample texts, not testimony. Canary segments carry a made-up word found nowhere else.
constexpr char kCanary[] = "zqxcanaryword";

// A segment of version 1 with what every test sets; a test sets the rest itself.
SegmentDoc Doc(int64_t id, std::string record, std::string lang, meta::Consent consent,
               std::string text) {
  SegmentDoc s;
  s.segment_id = id;
  s.record_id = std::move(record);
  s.version = 1;
  s.lang = std::move(lang);
  s.consent = consent;
  s.text = std::move(text);
  return s;
}

class LexicalIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir_.Join("lexical");
    auto idx = LexicalIndex::Open(dir_);
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    index_ = std::move(*idx);
    int64_t id = 0;
    auto put = [&](std::string record, std::string lang, meta::Consent consent,
                   std::string collection, std::string text) {
      SegmentDoc s = Doc(++id, record, lang, consent, text);
      s.collection_id = collection;
      s.start_ms = id * 1000;
      s.end_ms = id * 1000 + 900;
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
  void TearDown() override { LexicalIndex::SetOnePassLimitForTesting(one_pass_limit_); }

  Result<Results> Run(const std::string& q, Role role = Role::kAnonymous, size_t limit = 20,
                      const std::string& cursor = "") {
    SearchRequest req;
    req.query = q;
    req.role = role;
    req.limit = limit;
    req.cursor = cursor;
    return index_->Search(req);
  }

  std::vector<std::string> Records(const std::string& q, Role role = Role::kAnonymous) {
    auto r = Run(q, role);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& g : r->records) out.push_back(g.record_id);
    }
    return out;
  }

  TempDir temp_dir_{"attest-index"};  // removed when the test ends
  std::string dir_;
  std::unique_ptr<LexicalIndex> index_;
  uint64_t one_pass_limit_ = LexicalIndex::SetOnePassLimitForTesting(50000);
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
  EXPECT_EQ(Records("endowed brotherhood OR droits").size(), 1u);  // endowed AND (b OR d)
  EXPECT_THAT(Records("conscience lang:fr"), ElementsAre("rfr"));
  EXPECT_THAT(Records("conscience -lang:fr"), ElementsAre("ren"));
}

TEST_F(LexicalIndexTest, PrefixesMatchTheBeginningsOfWords) {
  EXPECT_THAT(Records("brother*"), ElementsAre("ren"));  // brotherhood
  EXPECT_THAT(Records("digni* lang:fr"), ElementsAre("rfr"));
  EXPECT_THAT(Records("זכוי*"), ElementsAre("rhe"));  // בזכויות, prefix removed
  EXPECT_THAT(Records("الكرا*"), ElementsAre("rar"));
  EXPECT_TRUE(Records("zqxcanary*").empty());  // access still applies
  EXPECT_EQ(Run("d*").status().code(), Code::kInvalidArgument);
  auto r = *Run("brother*");
  ASSERT_EQ(r.records.size(), 1u);
  const Hit& h = r.records[0].hits[0];
  ASSERT_EQ(h.highlights.size(), 1u);
  EXPECT_EQ(h.snippet.substr(h.highlights[0].first, 11), "brotherhood");
}

// The canary word is in a research, a restricted, a sealed and a withdrawn segment only.
TEST_F(LexicalIndexTest, WhatTheCallerMayNotSeeLeavesNoTrace) {
  SegmentDoc research =
      Doc(100, "rresearch", "en", meta::Consent::kResearch, std::string("dignity ") + kCanary);
  research.collection_id = "researchcol";
  research.places = {"Zqxplace"};
  research.date_from = research.date_to = "1999-01-01";
  ASSERT_TRUE(index_->Put(research).ok());
  ASSERT_TRUE(index_->Commit().ok());
  for (const char* q : {kCanary, "zqxcanary*", "dignity", "place:Zqxplace", "date:1999"}) {
    auto r = Run(q);
    ASSERT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    for (const auto& g : r->records) {
      EXPECT_THAT(g.record_id, ::testing::AnyOf("ren")) << q;
      for (const auto& h : g.hits) EXPECT_EQ(h.snippet.find(kCanary), std::string::npos) << q;
    }
    EXPECT_LE(r->total_estimate, 1u) << q;
    EXPECT_LE(r->records_estimate, 1u) << q;
    for (const auto* facets : {&r->lang_facets, &r->collection_facets}) {
      for (const auto& [k, n] : *facets) {
        EXPECT_TRUE(k == "en" || k == "udhr") << q << " facet " << k;
        EXPECT_EQ(n, 1u) << q;
      }
    }
    EXPECT_TRUE(r->place_facets.empty()) << q;
    EXPECT_TRUE(r->month_facets.empty()) << q;
  }
  EXPECT_TRUE(index_->Suggest("zqx", Role::kAnonymous, 10)->empty());
  for (const auto& sug : *index_->Suggest("dig", Role::kAnonymous, 10)) {
    EXPECT_EQ(sug.segments, 1u) << sug.word;  // one public segment each
  }
  // A researcher sees the research one; an archivist the restricted one too; nobody the
  // sealed or the withdrawn.
  EXPECT_THAT(Records(kCanary, Role::kResearcher), ElementsAre("rresearch"));
  EXPECT_THAT(Records(kCanary, Role::kArchivist),
              ::testing::UnorderedElementsAre("rres", "rresearch"));
  auto sug = *index_->Suggest("zqx", Role::kArchivist, 10);
  ASSERT_EQ(sug.size(), 2u);  // the canary and the research segment's place
  EXPECT_EQ(sug[0].word, kCanary);
  EXPECT_EQ(sug[0].segments, 2u);
  EXPECT_EQ(sug[1].word, "zqxplace");
}

TEST_F(LexicalIndexTest, HiddenSegmentsDoNotSwayTheRankingOfVisibleOnes) {
  double before = Run("dignity")->records.at(0).hits.at(0).weight;
  for (int i = 0; i < 50; ++i) {  // many restricted segments full of the word
    ASSERT_TRUE(index_
                    ->Put(Doc(1000 + i, "rmany" + std::to_string(i), "en",
                              meta::Consent::kRestricted, "dignity dignity dignity and more words"))
                    .ok());
  }
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_EQ(Run("dignity")->records.at(0).hits.at(0).weight, before);
  EXPECT_EQ(Run("dignity", Role::kArchivist)->records_estimate, 52u);
}

TEST_F(LexicalIndexTest, AChangeOfConsentMovesASegment) {
  SegmentDoc s = Doc(3, "ren", "en", meta::Consent::kRestricted,  // ren was public
                     "All human beings are born free and equal in dignity and rights.");
  ASSERT_TRUE(index_->Put(s).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_TRUE(Records("dignity").empty());
  EXPECT_THAT(Records("born", Role::kArchivist), ElementsAre("ren"));
  s.consent = meta::Consent::kSealed;
  ASSERT_TRUE(index_->Put(s).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_TRUE(Records("born", Role::kArchivist).empty());
}

// A reader kept open (the server's) counts facets from what it holds in memory and keeps pages
// of results in a cache; after each change and Reopen it must answer with what the index holds
// now, never what it held.
TEST_F(LexicalIndexTest, AReaderKeptOpenCountsWhatTheIndexHoldsAfterEachChange) {
  auto reader = LexicalIndex::OpenReadOnly(dir_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto cache = std::make_shared<ResultCache>(1 << 20);
  (*reader)->ShareCache(cache);
  auto facets = [&](Role role) {
    SearchRequest req;
    req.query = "dignity";
    req.role = role;
    auto r = (*reader)->Search(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::map<std::string, uint64_t> out;
    if (!r.ok()) return out;
    for (const auto& [k, n] : r->lang_facets) out["lang:" + k] = n;
    for (const auto& [k, n] : r->collection_facets) out["collection:" + k] = n;
    for (const auto& g : r->records) out["record:" + g.record_id] = g.matching_segments;
    return out;
  };
  using M = std::map<std::string, uint64_t>;
  const M before = {{"lang:en", 1}, {"collection:udhr", 1}, {"record:ren", 1}};
  EXPECT_EQ(facets(Role::kAnonymous), before);
  EXPECT_EQ(facets(Role::kAnonymous), before);
  EXPECT_EQ(cache->stats().hits, 1u);  // the second, from the cache
  EXPECT_EQ(facets(Role::kArchivist)["collection:secret"], 1u);

  // ren becomes restricted; a new public record in another collection speaks of dignity twice.
  SegmentDoc ren = Doc(3, "ren", "en", meta::Consent::kRestricted, "equal in dignity");
  ren.collection_id = "udhr";
  ASSERT_TRUE(index_->Put(ren).ok());
  for (int64_t id : {20, 21}) {
    SegmentDoc s = Doc(id, "rnew", "en", meta::Consent::kPublic, "the dignity of the person");
    s.collection_id = "new";
    ASSERT_TRUE(index_->Put(s).ok());
  }
  ASSERT_TRUE(index_->Commit().ok());
  ASSERT_TRUE((*reader)->Reopen().ok());
  EXPECT_EQ(facets(Role::kAnonymous),
            (M{{"lang:en", 2}, {"collection:new", 2}, {"record:rnew", 2}}));
  EXPECT_EQ(facets(Role::kArchivist)["record:ren"], 1u);

  // rnew is withdrawn and ren public again.
  ASSERT_TRUE(index_->RemoveRecord("rnew").ok());
  ren.consent = meta::Consent::kPublic;
  ASSERT_TRUE(index_->Put(ren).ok());
  ASSERT_TRUE(index_->Commit().ok());
  ASSERT_TRUE((*reader)->Reopen().ok());
  EXPECT_EQ(facets(Role::kAnonymous), before);
}

TEST_F(LexicalIndexTest, ResultsAreGroupedByRecordAndPagedWithCursors) {
  for (int i = 0; i < 25; ++i) {  // 5 records of 5 segments each
    std::string text =
        "sample paging text number " + std::to_string(i) + (i % 5 == 0 ? " paging" : "");
    ASSERT_TRUE(
        index_
            ->Put(Doc(200 + i, "rpage" + std::to_string(i / 5), "en", meta::Consent::kPublic, text))
            .ok());
  }
  ASSERT_TRUE(index_->Commit().ok());
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto r = Run("paging", Role::kAnonymous, 2, cursor);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->total_estimate, 25u);
    EXPECT_EQ(r->records_estimate, 5u);
    for (const auto& g : r->records) {
      EXPECT_TRUE(seen.insert(g.record_id).second) << g.record_id << " on two pages";
      EXPECT_EQ(g.matching_segments, 5u);
      ASSERT_EQ(g.hits.size(), 3u);  // the best three of five
      EXPECT_GE(g.hits[0].weight, g.hits[1].weight);
      const std::string& best = g.hits[0].snippet;  // the one that says it twice
      EXPECT_NE(best.find("paging", best.find("paging") + 1), std::string::npos) << best;
    }
    cursor = r->next_cursor;
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 5u);
  auto first = *Run("paging", Role::kAnonymous, 2);
  EXPECT_EQ(Run("other", Role::kAnonymous, 2, first.next_cursor).status().code(),
            Code::kInvalidArgument);  // a cursor belongs to its query
  EXPECT_EQ(Run("paging", Role::kArchivist, 2, first.next_cursor).status().code(),
            Code::kInvalidArgument);  // and its caller
  EXPECT_EQ(Run("paging", Role::kAnonymous, 2, "x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Run("paging", Role::kAnonymous, 0).status().code(), Code::kInvalidArgument);
  // A cursor made by hand for a page past the last one pages may reach, or for a position that
  // does not fit in 64 bits (or would in Xapian's 32), is refused, not wrapped to the first page.
  std::string tag = first.next_cursor.substr(first.next_cursor.find('-'));
  for (const char* deep : {"10001", "4294967296", "18446744073709551615",
                           "99999999999999999999999"}) {
    auto r = Run("paging", Role::kAnonymous, 2, deep + tag);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << deep;
  }
  auto last = Run("paging", Role::kAnonymous, 2, "10000" + tag);  // the deepest: empty, no next
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_TRUE(last->records.empty());
  EXPECT_TRUE(last->next_cursor.empty());
}

TEST_F(LexicalIndexTest, OnePassAndXapiansCollapseRankAndCountAlike) {
  // Records of segments with repeated texts (equal weights, so ties are ordered by segment id)
  // in two languages and three levels, in both writer lanes.
  const char* texts[] = {"sample river crossing at dawn", "sample river", "the river the river",
                         "sample crossing", "a river crossing sample text of some length"};
  for (int i = 0; i < 120; ++i) {
    SegmentDoc s =
        Doc(300 + i, "rtie" + std::to_string(i % 17), i % 3 ? "en" : "fr",
            i % 7 == 0 ? meta::Consent::kResearch : meta::Consent::kPublic, texts[(i * 7) % 5]);
    s.collection_id = i % 2 ? "odd" : "even";
    ASSERT_TRUE(index_->Put(s).ok());
  }
  ASSERT_TRUE(index_->Commit().ok());
  auto search = [&](const std::string& q, Role role, size_t limit, size_t per_record,
                    const std::string& cursor) {
    SearchRequest req;
    req.query = q;
    req.role = role;
    req.limit = limit;
    req.per_record = per_record;
    req.cursor = cursor;
    auto r = index_->Search(req);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    return r.ok() ? *r : Results{};
  };
  for (const char* q : {"river", "sample crossing", "\"river crossing\"", "river -dawn",
                        "crossing OR dignity", "riv*", "sample lang:fr"}) {
    for (Role role : {Role::kAnonymous, Role::kResearcher}) {
      for (size_t per_record : {size_t{1}, size_t{3}}) {
        std::string one_cursor, collapse_cursor;
        for (int page = 0; page < 4; ++page) {
          LexicalIndex::SetOnePassLimitForTesting(1000000);
          Results one = search(q, role, 5, per_record, one_cursor);
          LexicalIndex::SetOnePassLimitForTesting(0);
          Results collapse = search(q, role, 5, per_record, collapse_cursor);
          SCOPED_TRACE(std::string(q) + " page " + std::to_string(page));
          EXPECT_TRUE(one.counts_exact);
          EXPECT_TRUE(collapse.counts_exact);
          EXPECT_EQ(one.total_estimate, collapse.total_estimate);
          EXPECT_EQ(one.records_estimate, collapse.records_estimate);
          EXPECT_EQ(one.lang_facets, collapse.lang_facets);
          EXPECT_EQ(one.collection_facets, collapse.collection_facets);
          EXPECT_EQ(one.next_cursor, collapse.next_cursor);
          ASSERT_EQ(one.records.size(), collapse.records.size());
          for (size_t i = 0; i < one.records.size(); ++i) {
            const RecordHits& a = one.records[i];
            const RecordHits& b = collapse.records[i];
            EXPECT_EQ(a.record_id, b.record_id);
            EXPECT_EQ(a.matching_segments, b.matching_segments) << a.record_id;
            EXPECT_EQ(a.collection_id, b.collection_id);
            ASSERT_EQ(a.hits.size(), b.hits.size()) << a.record_id;
            for (size_t k = 0; k < a.hits.size(); ++k) {
              EXPECT_EQ(a.hits[k].segment_id, b.hits[k].segment_id) << a.record_id;
              EXPECT_EQ(a.hits[k].weight, b.hits[k].weight);
              EXPECT_EQ(a.hits[k].snippet, b.hits[k].snippet);
              EXPECT_EQ(a.hits[k].highlights, b.hits[k].highlights);
            }
          }
          one_cursor = one.next_cursor;
          collapse_cursor = collapse.next_cursor;
          if (one_cursor.empty()) break;
        }
      }
    }
  }
}

TEST_F(LexicalIndexTest, ManyMatchesAreEstimatedUnlessExactCountsAreAsked) {
  // Not ranked in one pass beyond 2,000 (the archive's default ranks 10,000 in one pass).
  LexicalIndex::SetOnePassLimitForTesting(2000);
  constexpr int kMany = 10000;  // beyond the 2,000 counted exactly by default
  for (int i = 0; i < kMany; ++i) {
    ASSERT_TRUE(index_
                    ->Put(Doc(10000 + i, "rmany" + std::to_string(i / 10), i % 4 ? "en" : "fr",
                              meta::Consent::kPublic, "common sample word " + std::to_string(i)))
                    .ok());
  }
  ASSERT_TRUE(index_->Commit().ok());
  SearchRequest req;
  req.query = "common";
  auto r = *index_->Search(req);
  EXPECT_FALSE(r.counts_exact);
  EXPECT_NEAR(static_cast<double>(r.total_estimate), kMany, kMany * 0.25);
  // Facets from a sample of 1,000 to 2,000 matches (1 in 8 here), scaled; spread evenly, so
  // the three-to-one split of languages shows.
  EXPECT_EQ(r.facet_sample, 8u);
  EXPECT_NEAR(static_cast<double>(r.lang_facets["en"]), kMany * 0.75, kMany * 0.75 * 0.1);
  EXPECT_NEAR(static_cast<double>(r.lang_facets["fr"]), kMany * 0.25, kMany * 0.25 * 0.15);
  EXPECT_EQ(r.lang_facets["en"] % 8, 0u);
  EXPECT_EQ(r.records.size(), 10u);
  EXPECT_FALSE(r.next_cursor.empty());
  // The same sample on every page and every run.
  auto again = *index_->Search(req);
  EXPECT_EQ(again.lang_facets, r.lang_facets);
  // A phrase: its total is estimated from the sample too.
  req.query = "\"sample word\"";
  r = *index_->Search(req);
  EXPECT_FALSE(r.counts_exact);
  EXPECT_GT(r.facet_sample, 1u);
  EXPECT_NEAR(static_cast<double>(r.total_estimate), kMany, kMany * 0.15);
  EXPECT_NEAR(static_cast<double>(r.lang_facets["en"]), kMany * 0.75, kMany * 0.75 * 0.15);
  // Both words everywhere, the phrase nowhere (or in one segment): counted exactly.
  req.query = "\"word common\"";
  r = *index_->Search(req);
  EXPECT_TRUE(r.counts_exact);
  EXPECT_EQ(r.total_estimate, 0u);
  EXPECT_TRUE(r.records.empty());
  ASSERT_TRUE(index_->Put(Doc(90000, "rphrase", "en", meta::Consent::kPublic, "word common")).ok());
  ASSERT_TRUE(index_->Commit().ok());
  r = *index_->Search(req);
  EXPECT_TRUE(r.counts_exact);
  EXPECT_EQ(r.total_estimate, 1u);
  EXPECT_EQ(r.lang_facets["en"], 1u);
  req.query = "common";
  req.exact_counts = true;
  r = *index_->Search(req);
  EXPECT_TRUE(r.counts_exact);
  EXPECT_EQ(r.facet_sample, 1u);
  EXPECT_EQ(r.total_estimate, static_cast<uint64_t>(kMany + 1));  // with "word common"
  EXPECT_EQ(r.records_estimate, static_cast<uint64_t>(kMany / 10 + 1));
  EXPECT_EQ(r.lang_facets["en"], static_cast<uint64_t>(kMany * 3 / 4 + 1));
  // A narrower query is counted exactly without being asked.
  req.exact_counts = false;
  req.query = "common record:rmany7";
  r = *index_->Search(req);
  EXPECT_TRUE(r.counts_exact);
  EXPECT_EQ(r.facet_sample, 1u);
  EXPECT_EQ(r.lang_facets["en"] + r.lang_facets["fr"], 10u);
}

TEST_F(LexicalIndexTest, PlacesAndDatesFilterAndFacet) {
  SegmentDoc s =
      Doc(300, "rplace", "en", meta::Consent::kPublic, "Sample sentence about a morning.");
  s.places = {"Kfar Aza"};
  s.date_from = "2023-10-07";
  s.date_to = "2023-10-08";
  ASSERT_TRUE(index_->Put(s).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_THAT(Records("morning place:\"Kfar Aza\""), ElementsAre("rplace"));
  EXPECT_THAT(Records("morning place:\"כפר עזה\""), ElementsAre("rplace"));
  EXPECT_TRUE(Records("morning place:Haifa").empty());
  EXPECT_THAT(Records("morning date:2023-10-08"), ElementsAre("rplace"));
  EXPECT_THAT(Records("morning date:2023-10-01..2023-10-07"), ElementsAre("rplace"));
  EXPECT_TRUE(Records("morning date:2023-10-09..2023-12").empty());
  EXPECT_TRUE(Records("dignity date:2023").empty());  // undated segments do not match dates
  auto r = *Run("morning");
  EXPECT_EQ(r.place_facets["Kfar Aza"], 1u);
  EXPECT_EQ(r.month_facets["2023-10"], 1u);
  EXPECT_EQ(Run("morning place:!!").status().code(), Code::kInvalidArgument);
}

TEST_F(LexicalIndexTest, HitsCarryTimesCharactersAndHighlightedSnippets) {
  auto r = *Run("dignité");
  ASSERT_EQ(r.records.size(), 1u);
  const Hit& h = r.records[0].hits[0];
  EXPECT_EQ(h.start_ms, 4000);
  EXPECT_EQ(h.end_ms, 4900);
  ASSERT_EQ(h.highlights.size(), 1u);
  EXPECT_EQ(h.snippet.substr(h.highlights[0].first, h.highlights[0].second - h.highlights[0].first),
            "dignité");
  SegmentDoc s = Doc(400, "rchars", "fr", meta::Consent::kPublic, "Égalité et fraternité.");
  s.char_start = 1000;  // where the segment starts in its version's text
  ASSERT_TRUE(index_->Put(s).ok());
  ASSERT_TRUE(index_->Commit().ok());
  auto c = *Run("fraternite");
  ASSERT_EQ(c.records.at(0).hits.at(0).char_ranges.size(), 1u);
  EXPECT_EQ(c.records[0].hits[0].char_ranges[0], (std::pair<int64_t, int64_t>{1011, 1021}));
}

TEST_F(LexicalIndexTest, BadQueriesAreClearErrorsOrSaneReadings) {
  EXPECT_EQ(Run("").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Run("!!! ???").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Run("\" \"").status().code(), Code::kInvalidArgument);
  auto huge = Run(std::string(10000, 'x'));
  EXPECT_EQ(huge.status().code(), Code::kInvalidArgument);
  EXPECT_NE(huge.status().message().find("10000 bytes"), std::string::npos);
  std::string many_words;
  for (int i = 0; i < 2000; ++i) many_words += "a ";
  EXPECT_EQ(Run(many_words).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Run("\xff\xfe").status().code(), Code::kInvalidArgument);
  auto unknown = Run("colour:red dignity");
  EXPECT_EQ(unknown.status().code(), Code::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("colour"), std::string::npos);
  EXPECT_EQ(Run("date:yesterday").status().code(), Code::kInvalidArgument);
  EXPECT_THAT(Records("\"equal in"), ElementsAre("ren"));  // an unclosed quote: to the end
  EXPECT_THAT(Records("dignity\""), ElementsAre("ren"));
  EXPECT_TRUE(Records("lang:en").size() == 1u);  // a filter alone lists what it selects
}

TEST_F(LexicalIndexTest, RemovingARecordRemovesItsSegments) {
  ASSERT_TRUE(index_->RemoveRecord("ren").ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_TRUE(Records("dignity").empty());
  EXPECT_EQ(index_->DocCount(), 4u);  // sealed and withdrawn segments are not indexed
}

TEST_F(LexicalIndexTest, ARevisionRemovesTheEarlierVersions) {
  SegmentDoc s = Doc(500, "ren", "en", meta::Consent::kPublic, "A corrected sample.");
  s.version = 2;
  ASSERT_TRUE(index_->RemoveVersionsBefore("ren", 2).ok());
  ASSERT_TRUE(index_->Put(s).ok());
  ASSERT_TRUE(index_->Commit().ok());
  EXPECT_TRUE(Records("dignity").empty());
  EXPECT_THAT(Records("corrected"), ElementsAre("ren"));
}

// Put on the caller's thread (bench/search_bench.cc's one-core figure) writes the index the
// lanes' threads write: the same segments found for the same queries.
TEST(LexicalIndexOneThreadTest, WritesTheIndexTheLanesWrite) {
  TempDir temp_dir("attest-index");
  std::string root = temp_dir.path();
  std::map<bool, std::vector<std::set<int64_t>>> found;
  for (bool one_thread : {false, true}) {
    auto idx = LexicalIndex::Open(root + (one_thread ? "/one" : "/lanes"), one_thread);
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    for (int64_t id = 1; id <= 40; ++id) {
      SegmentDoc s = Doc(id, "r" + std::to_string(id % 7), "en", meta::Consent::kPublic,
                         "word" + std::to_string(id % 5) + " common dignity " +
                             (id % 3 ? "rights" : "freedom"));
      ASSERT_TRUE((*idx)->Put(s).ok());
    }
    ASSERT_TRUE((*idx)->Commit().ok());
    EXPECT_EQ((*idx)->DocCount(), 40u);
    for (std::string q : {"common", "word3", "right", "freedom dignity", "\"dignity rights\""}) {
      SearchRequest r;
      r.query = q;
      r.role = Role::kArchivist;
      r.limit = 100;
      r.per_record = 50;
      auto res = (*idx)->Search(r);
      ASSERT_TRUE(res.ok()) << res.status().ToString();
      std::set<int64_t> ids;
      for (const auto& g : res->records) {
        for (const auto& h : g.hits) ids.insert(h.segment_id);
      }
      found[one_thread].push_back(ids);
    }
  }
  EXPECT_EQ(found[false], found[true]);
  EXPECT_EQ(found[true][0].size(), 40u);
  EXPECT_EQ(found[true][1].size(), 8u);
}

// doc/search.md "Access": an opening (a grant, a volunteer's own additions) reaches restricted
// segments of its collections, records and additions only, never sealed ones, never shut
// records; the totals and facets count nothing else, and Fetch keeps the same rule.
TEST_F(LexicalIndexTest, AnOpeningReachesOnlyTheRestrictedMaterialItNames) {
  using meta::Consent;
  SegmentDoc other = Doc(20, "rres2", "en", Consent::kRestricted, "dignity zqotherword");
  other.collection_id = "othercol";
  ASSERT_TRUE(index_->Put(other).ok());
  SegmentDoc mine = Doc(21, "rmine", "en", Consent::kRestricted, "dignity zqmineword");
  mine.collection_id = "othercol";
  mine.added_by = "user:vol";
  ASSERT_TRUE(index_->Put(mine).ok());
  // A held version of the volunteer's record: its words in the clear, for archivists only.
  SegmentDoc held = Doc(22, "rmine", "en", Consent::kRestricted, "dignity zqheldword");
  held.collection_id = "othercol";
  held.added_by = "user:vol";
  held.held = true;
  ASSERT_TRUE(index_->Put(held).ok());
  ASSERT_TRUE(index_->Commit().ok());
  auto search = [&](Opening opening, const std::string& q = "dignity") {
    SearchRequest req;
    req.query = q;
    req.role = Role::kResearcher;
    req.limit = 20;
    req.opening = std::move(opening);
    auto r = index_->Search(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::set<std::string> out;
    if (r.ok()) {
      for (const auto& g : r->records) out.insert(g.record_id);
      EXPECT_EQ(r->collection_facets.count("othercol") > 0,
                out.count("rres2") + out.count("rmine") > 0);
    }
    return out;
  };
  // Without an opening: public and research only.
  EXPECT_EQ(search({}), (std::set<std::string>{"ren"}));
  Opening grant;
  grant.collections = {"secret"};
  EXPECT_EQ(search(grant), (std::set<std::string>{"ren", "rres"}));
  grant.collections = {"sealedcol"};  // sealed is in no database
  EXPECT_EQ(search(grant), (std::set<std::string>{"ren"}));
  Opening record;
  record.records = {"rres2"};
  EXPECT_EQ(search(record), (std::set<std::string>{"ren", "rres2"}));
  record.shut = {"rres2"};
  EXPECT_EQ(search(record), (std::set<std::string>{"ren"}));
  Opening own;
  own.added_by = "user:vol";
  EXPECT_EQ(search(own), (std::set<std::string>{"ren", "rmine"}));
  EXPECT_TRUE(search(own, kCanary).empty());
  EXPECT_TRUE(search(own, "zqheldword").empty());
  Opening whole;
  whole.collections = {"othercol"};
  EXPECT_TRUE(search(whole, "zqheldword").empty());
  EXPECT_EQ(Records("zqheldword", Role::kArchivist), std::vector<std::string>{"rmine"});
  // An anonymous caller's opening reaches restricted material as well, but never research.
  SearchRequest anon;
  anon.query = "dignity";
  anon.opening = record;
  anon.opening.shut.clear();
  auto r = index_->Search(anon);
  ASSERT_TRUE(r.ok());
  std::set<std::string> seen;
  for (const auto& g : r->records) seen.insert(g.record_id);
  EXPECT_EQ(seen, (std::set<std::string>{"ren", "rres2"}));
  // Fetch: the same rule, one document at a time.
  auto fetched = index_->Fetch({5, 20, 21, 22}, Role::kResearcher, "", own);
  ASSERT_TRUE(fetched.ok());
  ASSERT_EQ(fetched->size(), 1u);
  EXPECT_EQ((*fetched)[0].record_id, "rmine");
  EXPECT_TRUE(index_->Fetch({5, 20, 21}, Role::kResearcher)->empty());
}

}  // namespace
}  // namespace attest::search
