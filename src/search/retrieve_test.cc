#include "search/retrieve.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "core/temp_dir.h"
#include "search/fusion.h"

namespace attest::search {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(FusionTest, ReciprocalRanksAddUpAcrossListsWithTheirWeights) {
  auto fused = FuseRanks({{{1, 2, 3}, 1.0}, {{3, 4}, 0.5}}, 60);
  ASSERT_EQ(fused.size(), 4u);
  // 3 is third in one list and first in the other: 1/63 + 0.5/61 beats 1/61.
  EXPECT_EQ(fused[0].first, 3);
  EXPECT_DOUBLE_EQ(fused[0].second, 1.0 / 63 + 0.5 / 61);
  EXPECT_EQ(fused[1].first, 1);
  EXPECT_EQ(fused[2].first, 2);
  EXPECT_EQ(fused[3].first, 4);
  EXPECT_DOUBLE_EQ(fused[3].second, 0.5 / 62);
  EXPECT_TRUE(FuseRanks({}).empty());
}

TEST(FusionTest, ADictionaryListCountsBelowTheQuestionsOwnWords) {
  auto fused = FuseRanks({{{10}, kLexicalWeight}, {{20}, kDictionaryWeight}});
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_EQ(fused[0].first, 10);
}

TEST(DiversifyTest, TheFirstPageShowsNDistinctWitnessesWhenNExist) {
  // One witness holds the 30 best passages; nine others one each, further down.
  std::vector<Voice> v;
  for (int i = 0; i < 30; ++i) v.push_back({"w-talkative", "en", "", 100.0 - i});
  for (int i = 0; i < 9; ++i) v.push_back({"w-" + std::to_string(i), "en", "", 10.0 - i});
  auto chosen = Diversify(v, {.limit = 10});
  ASSERT_EQ(chosen.size(), 10u);
  std::set<std::string> witnesses;
  for (size_t i : chosen) witnesses.insert(v[i].witness);
  EXPECT_EQ(witnesses.size(), 10u);
  EXPECT_EQ(chosen[0], 0u) << "the best passage of the most relevant witness comes first";
  // Fewer witnesses than places: each once.
  auto few = Diversify({{"a", "en", "", 3}, {"a", "en", "", 2}, {"b", "he", "", 1}}, {.limit = 10});
  EXPECT_THAT(few, ElementsAre(0u, 2u));
}

TEST(DiversifyTest, EachWitnessIsShownByTheirMostRelevantPassage) {
  auto chosen = Diversify({{"a", "en", "", 1}, {"b", "en", "", 2}, {"a", "en", "", 5}}, {});
  EXPECT_THAT(chosen, ElementsAre(2u, 1u));
}

TEST(DiversifyTest, LanguagesAndCommunitiesTakeTurnsAtTheTop) {
  // Five English witnesses score a little above three Arabic and two Hebrew ones.
  std::vector<Voice> v;
  for (int i = 0; i < 5; ++i) v.push_back({"en" + std::to_string(i), "en", "c1", 1.0 - i * 0.01});
  for (int i = 0; i < 3; ++i) v.push_back({"ar" + std::to_string(i), "ar", "c2", 0.9 - i * 0.01});
  for (int i = 0; i < 2; ++i) v.push_back({"he" + std::to_string(i), "he", "c3", 0.85 - i * 0.01});
  auto chosen = Diversify(v, {.limit = 3});
  std::set<std::string> langs;
  for (size_t i : chosen) langs.insert(v[i].lang);
  EXPECT_EQ(langs.size(), 3u) << "the first three places go to three languages";
  // Without diversification (lambda 1) relevance alone decides.
  auto plain = Diversify(v, {.limit = 3, .lambda = 1.0});
  EXPECT_THAT(plain, ElementsAre(0u, 1u, 2u));
}

TEST(DiversifyTest, AccountsThatDifferAreFavouredWhenAsked) {
  // b says nearly what a says; c says something else, and is a little less relevant.
  std::vector<Voice> v = {{"a", "en", "", 1.0}, {"b", "en", "", 0.95}, {"c", "en", "", 0.8}};
  auto content = [](size_t x, size_t y) { return (x == 2 || y == 2) ? 0.0 : 0.95; };
  auto usual = Diversify(v, {.limit = 2, .content = content});
  auto differ = Diversify(v, {.limit = 2, .differ = true, .content = content});
  EXPECT_THAT(usual, ElementsAre(0u, 1u));
  EXPECT_THAT(differ, ElementsAre(0u, 2u));
}

TEST(TranslateTest, FunctionWordsAndQuestionLanguages) {
  EXPECT_TRUE(IsFunctionWord("The"));
  EXPECT_TRUE(IsFunctionWord("في"));
  EXPECT_TRUE(IsFunctionWord("qu'il"));
  EXPECT_FALSE(IsFunctionWord("hospital"));
  EXPECT_FALSE(IsFunctionWord("l'hôpital"));
  using text::Lang;
  EXPECT_THAT(QuestionLangs("كيف كان الوضع في المستشفى"), ElementsAre(Lang::kArabic));
  EXPECT_THAT(QuestionLangs("מה קרה במחסום?"), ElementsAre(Lang::kHebrew));
  EXPECT_THAT(QuestionLangs("what happened at the checkpoint"),
              ElementsAre(Lang::kEnglish, Lang::kFrench));
  EXPECT_TRUE(QuestionLangs("2023 ?!").empty());
}

// Debian's FreeDict pairs (scripts/install-deps.sh installs them).
class FreeDictTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto t = Translator::Load();
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    translator_ = t->release();
  }
  static std::vector<Translator::Word> Words(const std::string& word, text::Lang from,
                                             text::Lang to) {
    std::vector<Translator::Word> out;
    for (auto& w : translator_->Translate({word}, from)) {
      if (w.lang == to) out.push_back(w);
    }
    return out;
  }
  static inline Translator* translator_ = nullptr;
};

TEST_F(FreeDictTest, WordsAreTranslatedBetweenEnglishFrenchAndArabic) {
  using text::Lang;
  auto fr = Words("hospital", Lang::kEnglish, Lang::kFrench);
  ASSERT_EQ(fr.size(), 1u);
  EXPECT_THAT(fr[0].text, HasSubstr("hôpital"));
  EXPECT_DOUBLE_EQ(fr[0].weight, 1.0);
  auto ar = Words("hospitals", Lang::kEnglish, Lang::kArabic);  // a plural finds its headword
  ASSERT_EQ(ar.size(), 1u);
  EXPECT_THAT(ar[0].text, HasSubstr("مستشفي"));
  auto en = Words("l'hôpital", Lang::kFrench, Lang::kEnglish);  // an elision is dropped
  ASSERT_EQ(en.size(), 1u);
  EXPECT_THAT(en[0].text, HasSubstr("hospital"));
  EXPECT_TRUE(Words("the", Lang::kEnglish, Lang::kFrench).empty());
}

TEST_F(FreeDictTest, ArabicAndFrenchMeetThroughEnglishAtALowerWeight) {
  using text::Lang;
  auto ar = Words("hôpital", Lang::kFrench, Lang::kArabic);
  ASSERT_EQ(ar.size(), 1u);
  EXPECT_THAT(ar[0].text, HasSubstr("مستشفى"));
  EXPECT_LT(ar[0].weight, 1.0);
  EXPECT_TRUE(translator_->Reaches(Lang::kArabic, Lang::kFrench));
  EXPECT_TRUE(translator_->Reaches(Lang::kFrench, Lang::kArabic));
  for (Lang l : {Lang::kArabic, Lang::kEnglish, Lang::kFrench}) {
    EXPECT_FALSE(translator_->Reaches(l, Lang::kHebrew));
    EXPECT_FALSE(translator_->Reaches(Lang::kHebrew, l));
  }
}

class RetrieveTest : public FreeDictTest {
 protected:
  void SetUp() override {
    dir_ = temp_dir_.path();
    index_ = *LexicalIndex::Open(dir_ + "/lexical");
    // Sample sentences written for this test (not testimony).
    Put(1, "w-en", "en", "The hospital was full in the morning.", meta::Consent::kPublic);
    Put(2, "w-fr", "fr", "L'hôpital était plein ce matin-là.", meta::Consent::kPublic);
    Put(3, "w-ar", "ar", "كان المستشفى ممتلئا في الصباح.", meta::Consent::kPublic);
    Put(4, "w-he", "he", "בית החולים היה מלא בבוקר.", meta::Consent::kPublic);
    Put(5, "w-fr2", "fr", "L'hôpital de campagne a fermé.", meta::Consent::kResearch);
    Put(6, "w-en2", "en", "The bridge was closed.", meta::Consent::kPublic);
    ASSERT_TRUE(index_->Commit().ok());
  }
  void Put(int64_t id, const std::string& witness, const std::string& lang, const std::string& text,
           meta::Consent consent) {
    SegmentDoc s;
    s.segment_id = id;
    s.record_id = "r" + std::to_string(id);
    s.version = 1;
    s.witness_id = witness;
    s.collection_id = "samples";
    s.lang = lang;
    s.consent = consent;
    s.text = text;
    ASSERT_TRUE(index_->Put(s).ok());
  }
  static std::set<int64_t> Ids(const Retrieved& r) {
    std::set<int64_t> out;
    for (const auto& i : r.items) out.insert(i.segment.hit.segment_id);
    return out;
  }
  TempDir temp_dir_{"attest-ask"};  // removed when the test ends
  std::string dir_;
  std::unique_ptr<LexicalIndex> index_;
};

TEST_F(RetrieveTest, AQuestionFindsItsWordsInTheOtherLanguagesThroughTheDictionaries) {
  RetrieveRequest req;
  req.question = "What happened at the hospital?";
  auto r = Retrieve(index_.get(), translator_, nullptr, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Ids(*r), (std::set<int64_t>{1, 2, 3})) << "Hebrew has no dictionary; 5 is research";
  EXPECT_EQ(r->items[0].segment.hit.segment_id, 1) << "the question's own words rank first";
  EXPECT_TRUE(r->items[0].by_words);
  EXPECT_TRUE(r->items[1].by_dictionary);
  EXPECT_THAT(r->unreached_langs, ElementsAre("he"));
  EXPECT_FALSE(r->semantic);
  // A researcher sees the research segment too.
  req.role = Role::kResearcher;
  EXPECT_TRUE(Ids(*Retrieve(index_.get(), translator_, nullptr, req)).count(5));
  // Filters hold on every list.
  req.filters = "lang:ar";
  EXPECT_EQ(Ids(*Retrieve(index_.get(), translator_, nullptr, req)), std::set<int64_t>{3});
  // From Arabic, French is reached through English.
  req.filters = "lang:fr";
  req.question = "المستشفى";
  req.role = Role::kAnonymous;
  EXPECT_EQ(Ids(*Retrieve(index_.get(), translator_, nullptr, req)), std::set<int64_t>{2});
}

TEST_F(RetrieveTest, TheSemanticListIsFilteredByAccessAndFiltersBeforeFusion) {
  RetrieveRequest req;
  req.question = "בית החולים";
  // A stand-in semantic index that offers every segment, the research one first.
  SemanticSearch near = [](std::string_view, Role, size_t) {
    return Result<std::vector<int64_t>>(std::vector<int64_t>{5, 2, 3, 6, 99});
  };
  auto r = Retrieve(index_.get(), translator_, near, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->semantic);
  EXPECT_EQ(Ids(*r), (std::set<int64_t>{2, 3, 4, 6})) << "5 is research; 99 does not exist";
  EXPECT_EQ(r->items[0].segment.hit.segment_id, 4) << "found by its words and by meaning";
  EXPECT_TRUE(r->items[0].by_words);
  req.filters = "-lang:fr";
  EXPECT_EQ(Ids(*Retrieve(index_.get(), translator_, near, req)), (std::set<int64_t>{3, 4, 6}));
}

TEST_F(RetrieveTest, BadQuestionsAreRefusedWithTheReason) {
  RetrieveRequest req;
  req.question = "?! ...";
  auto r = Retrieve(index_.get(), translator_, nullptr, req);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("no words"));
  req.question = std::string(1001, 'a');
  EXPECT_THAT(Retrieve(index_.get(), translator_, nullptr, req).status().message(),
              HasSubstr("longer than 1000"));
  req.question = "hospital";
  req.filters = "hospital";
  EXPECT_THAT(Retrieve(index_.get(), translator_, nullptr, req).status().message(),
              HasSubstr("only fields"));
  req.filters = "";
  req.lang = "de";
  EXPECT_THAT(Retrieve(index_.get(), translator_, nullptr, req).status().message(),
              HasSubstr("'de'"));
}

}  // namespace
}  // namespace attest::search
