// Relevance on real text in the archive's four languages: the Universal Declaration of Human
// Rights (samples/udhr; United Nations, 1948; see samples/README.md), one segment per
// paragraph. Each query names the paragraph a searcher means; queries use the variant
// spellings people type: without diacritics, hamza or accents, with or without Hebrew
// prefixes and niqqud, with elisions, inflected. A name's query means every sentence that names
// the place, in every script. Prints recall@10 and MRR per group of queries; every case must
// find all it means in its first 10, and each group must keep its floors (kFloors) of recall@10,
// MRR and R-precision (of R segments meant, the share in the first R), which stand at least
// kMargin above chance.
//
// Chance: a ranking of the N segments indexed in random order, for a case with R segments
// meant: recall@10 is 10/N, R-precision R/N, and the expected reciprocal rank of the first one
// meant is the sum over r of P(first at r) / r. With 376 segments all are below 0.06.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/temp_dir.h"
#include "search/lexical_index.h"

namespace attest::search {
namespace {

struct Case {
  const char* lang;  // the language the query is in (for the report)
  const char* query;
  std::vector<std::string> meant;  // a phrase of each paragraph or sentence meant
};

// The sentences of samples/names that name each place, one in each language.
const std::vector<std::string> kKfarAza = {"from Kfar Aza", "מכפר עזה", "من كفار عزة",
                                           "de Kfar Aza"};
const std::vector<std::string> kJenin = {"in Jenin", "בג'נין", "في جنين", "de Jénine"};
const std::vector<std::string> kHaifa = {"to Haifa", "לחיפה", "إلى حيفا", "pour Haïfa"};

const Case kCases[] = {
    {"ar", "الكرامه", {"يولد جميع الناس أحرارًا"}},
    {"ar", "احرارا", {"يولد جميع الناس أحرارًا"}},
    {"ar", "تعذيب", {"لا يعرض أي إنسان للتعذيب"}},
    {"ar", "الاسترقاق", {"لا يجوز إسترقاق"}},
    {"ar", "اضطهاد", {"هربا من الاضطهاد"}},
    {"he", "עבדות", {"לא יהיה אדם עבד או משועבד"}},
    {"he", "עינויים", {"לא יהיה אדם נתון לעינויים"}},
    {"he", "מקלט", {"מקלט מרדיפות"}},
    {"he", "\"בני חורין\"", {"כל בני אדם נולדו בני חורין"}},
    {"he", "מִקְלָט", {"מקלט מרדיפות"}},  // with niqqud
    // Not yet: pointed spelling that is also defective spelling (ktiv haser, עִנּוּיִים) does
    // not meet the plene spelling of the text (עינויים): that needs a ktiv male/haser map.
    {"fr", "esclavage", {"Nul ne sera tenu en esclavage"}},
    {"fr", "l'esclavage", {"Nul ne sera tenu en esclavage"}},
    {"fr", "egaux en dignite", {"Tous les êtres humains naissent libres"}},
    {"fr", "\"traitements cruels\"", {"Nul ne sera soumis à la torture"}},
    {"fr", "persecution asile", {"Devant la persécution"}},
    {"en", "slavery", {"No one shall be held in slavery"}},
    {"en", "tortured", {"No one shall be subjected to torture"}},
    {"en", "\"slave trade\"", {"No one shall be held in slavery"}},
    {"en", "persecutions asylum", {"asylum from persecution"}},
    {"en", "\"equal in dignity and rights\"", {"All human beings are born free"}},
    // Names across scripts (samples/names, with the names listed as the archive would): each
    // query means the four sentences that name the place. (Counting one sentence in another
    // script alone, as this test once did, made MRR measure the order of equally right answers:
    // the query's own script comes first.)
    {"names", "Kfar Aza", kKfarAza},
    {"names", "כפר עזה", kKfarAza},
    {"names", "كفار عزة", kKfarAza},
    {"names", "\"Kfar Aza\"", kKfarAza},
    {"names", "Jenin", kJenin},
    {"names", "ג'נין", kJenin},
    {"names", "جنين", kJenin},
    {"names", "Haifa", kHaifa},
    {"names", "חיפה", kHaifa},
    {"names", "حيفا", kHaifa},
};

const char* const kNames[] = {"Kfar Aza", "Jenin", "Haifa"};

TEST(RelevanceTest, UdhrInFourLanguages) {
  TempDir temp_dir("attest-relevance");
  auto index = *LexicalIndex::Open(temp_dir.Join("lexical"));
  index->SetNames({std::begin(kNames), std::end(kNames)});
  std::map<int64_t, std::string> texts;
  int64_t id = 0;
  // Each paragraph or sentence is a public record of its own.
  auto put = [&](const std::string& record, const std::string& lang, const std::string& text) {
    SegmentDoc s;
    s.segment_id = ++id;
    s.record_id = record + "-" + std::to_string(id);
    s.lang = lang;
    s.consent = meta::Consent::kPublic;
    s.text = text;
    texts[id] = text;
    return index->Put(s);
  };
  for (auto [file, lang] : {std::pair{"arb", "ar"}, std::pair{"heb", "he"}, std::pair{"eng", "en"},
                            std::pair{"fra", "fr"}}) {
    std::ifstream in(std::string(ATTEST_SOURCE_DIR) + "/samples/udhr/" + file + ".txt");
    ASSERT_TRUE(in) << file;
    std::string line;
    while (std::getline(in, line)) {
      size_t a = line.find_first_not_of(" \t\r");
      if (a == std::string::npos) continue;
      ASSERT_TRUE(put(std::string("udhr-") + file, lang, line.substr(a)).ok());
    }
  }
  {
    std::ifstream in(std::string(ATTEST_SOURCE_DIR) + "/samples/names/sentences.tsv");
    ASSERT_TRUE(in) << "samples/names/sentences.tsv";
    std::string line;
    while (std::getline(in, line)) {
      size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      ASSERT_TRUE(put("names", line.substr(0, tab), line.substr(tab + 1)).ok());
    }
  }
  ASSERT_TRUE(index->Commit().ok());

  // Per group of queries: recall@10, MRR, and what chance would score, summed over its cases.
  struct Sum {
    double recall = 0, rr = 0, r_precision = 0, chance_recall = 0, chance_rr = 0, chance_rp = 0;
    int cases = 0;
  };
  std::map<std::string, Sum> sums;
  const double n = static_cast<double>(texts.size());
  for (const Case& c : kCases) {
    SearchRequest req;
    req.query = c.query;
    req.limit = 10;
    req.per_record = 1;
    req.names.assign(std::begin(kNames), std::end(kNames));
    auto r = index->Search(req);
    ASSERT_TRUE(r.ok()) << c.query << ": " << r.status().ToString();
    int first = 0;                      // rank of the first segment meant
    size_t found = 0, found_early = 0;  // in the first 10, in the first R (R segments meant)
    for (const std::string& meant : c.meant) {
      bool here = false;
      for (size_t i = 0; i < r->records.size() && !here; ++i) {
        if (texts[r->records[i].hits.at(0).segment_id].find(meant) == std::string::npos) continue;
        here = true;
        if (first == 0 || static_cast<int>(i) + 1 < first) first = static_cast<int>(i) + 1;
        found_early += i < c.meant.size();
      }
      EXPECT_TRUE(here) << "query " << c.query << " lost " << meant;
      found += here;
    }
    // Chance, for a ranking of every segment in random order with R of them meant.
    const double meant = static_cast<double>(c.meant.size());
    double none_yet = 1, chance_rr = 0;  // P(none meant among the first r - 1)
    for (double rank = 1; rank <= n - meant + 1; ++rank) {
      chance_rr += none_yet * meant / (n - rank + 1) / rank;
      none_yet *= (n - meant - rank + 1) / (n - rank + 1);
    }
    for (const std::string& group : {std::string(c.lang), std::string("all")}) {
      Sum& sum = sums[group];
      sum.recall += static_cast<double>(found) / meant;
      sum.rr += first > 0 ? 1.0 / first : 0.0;
      sum.r_precision += static_cast<double>(found_early) / meant;
      sum.chance_rp += meant / n;
      sum.chance_recall += std::min(1.0, 10.0 / n);
      sum.chance_rr += chance_rr;
      ++sum.cases;
    }
  }

  // Floors: measured, rounded down; each at least kMargin above chance. Names fall short of
  // R-precision 1: "Jenin" in any script also meets Hebrew paragraphs of the Declaration whose
  // words have its letters (והוגן "and fair", להגנה "to protection"), and two of them rank
  // above the Hebrew and Arabic sentences that name Jenin.
  constexpr double kMargin = 0.15;
  struct Floor {
    double recall, mrr, r_precision;
  };
  const std::map<std::string, Floor> kFloors = {
      {"ar", {1.00, 1.00, 1.00}}, {"he", {1.00, 1.00, 1.00}},    {"fr", {1.00, 1.00, 1.00}},
      {"en", {1.00, 1.00, 1.00}}, {"names", {1.00, 1.00, 0.85}}, {"all", {1.00, 1.00, 0.95}},
  };
  ASSERT_EQ(kFloors.size(), sums.size());
  for (const auto& [group, sum] : sums) {
    const double recall = sum.recall / sum.cases, mrr = sum.rr / sum.cases;
    const double r_precision = sum.r_precision / sum.cases;
    const double chance_recall = sum.chance_recall / sum.cases;
    const double chance_mrr = sum.chance_rr / sum.cases;
    const double chance_rp = sum.chance_rp / sum.cases;
    std::printf(
        "relevance %s: recall@10 %.2f, MRR %.2f, R-precision %.2f (%d queries; chance %.3f, "
        "%.3f, %.3f of %zu segments)\n",
        group.c_str(), recall, mrr, r_precision, sum.cases, chance_recall, chance_mrr, chance_rp,
        texts.size());
    const Floor& f = kFloors.at(group);
    EXPECT_GE(f.recall, chance_recall + kMargin) << group << ": recall@10 floor near chance";
    EXPECT_GE(f.mrr, chance_mrr + kMargin) << group << ": MRR floor near chance";
    EXPECT_GE(f.r_precision, chance_rp + kMargin) << group << ": R-precision floor near chance";
    EXPECT_GE(recall + 1e-9, f.recall) << group << ": recall@10 below its floor";
    EXPECT_GE(mrr + 1e-9, f.mrr) << group << ": MRR below its floor";
    EXPECT_GE(r_precision + 1e-9, f.r_precision) << group << ": R-precision below its floor";
  }
}

}  // namespace
}  // namespace attest::search
