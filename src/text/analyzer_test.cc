#include "text/analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace attest::text {
namespace {

// The words come from the Universal Declaration of Human Rights (samples/udhr; United
// Nations, 1948), as published in each language.

std::vector<std::string> Texts(const std::vector<Term>& terms, TermKind kind) {
  std::vector<std::string> out;
  for (const auto& t : terms) {
    if (t.kind == kind) out.push_back(t.text);
  }
  return out;
}

bool Has(const std::vector<Term>& terms, const std::string& text) {
  return std::any_of(terms.begin(), terms.end(), [&](const Term& t) { return t.text == text; });
}

TEST(ArabicTest, FoldingStripsTashkeelTatweelAndFoldsLetters) {
  EXPECT_EQ(FoldArabic("أحرارًا"), "احرارا");        // hamza on alef, tanwin
  EXPECT_EQ(FoldArabic("لمّا"), "لما");              // shadda
  EXPECT_EQ(FoldArabic("الكرامة"), "الكرامه");      // teh marbuta
  EXPECT_EQ(FoldArabic("إلى"), "الي");              // hamza below, alef maqsura
  EXPECT_EQ(FoldArabic("وازدراؤها"), "وازدراءها");  // waw with hamza
  EXPECT_EQ(FoldArabic("آذت"), "اذت");              // madda
  EXPECT_EQ(FoldArabic("الإنســـان"), "الانسان");   // tatweel
  EXPECT_EQ(FoldArabic("المادة ١٩"), "الماده 19");  // Arabic-Indic digits
}

TEST(ArabicTest, SpellingsMeetAndStemsSitBesideTheWord) {
  auto a = Analyzer::For(Lang::kArabic);
  auto voweled = *a->Analyze("أحرارًا");
  auto plain = *a->Analyze("احرارا");
  EXPECT_EQ(Texts(voweled, TermKind::kWord), Texts(plain, TermKind::kWord));
  auto with_article = *a->Analyze("الكرامة");
  auto without = *a->Analyze("كرامة");
  ASSERT_EQ(Texts(with_article, TermKind::kStem).size(), 1u);
  EXPECT_EQ(Texts(with_article, TermKind::kStem), Texts(without, TermKind::kStem));
  EXPECT_TRUE(Has(with_article, "الكرامه"));
}

TEST(HebrewTest, FoldingStripsNiqqudAndFoldsFinalLetters) {
  EXPECT_EQ(FoldHebrew("שָׁלוֹם"), "שלומ");
  EXPECT_EQ(FoldHebrew("האדם"), "האדמ");
  EXPECT_EQ(FoldHebrew("ארץ"), "ארצ");
  EXPECT_EQ(FoldHebrew("צה\"ל"), "צהל");
  EXPECT_EQ(FoldHebrew("צה״ל"), "צהל");
  EXPECT_EQ(FoldHebrew("בְּרֵאשִׁ֖ית"), "בראשית");  // with a cantillation mark
}

TEST(HebrewTest, PrefixVariants) {
  auto v = HebrewPrefixVariants(FoldHebrew("והזלזול"));
  EXPECT_NE(std::find(v.begin(), v.end(), "הזלזול"), v.end());
  EXPECT_NE(std::find(v.begin(), v.end(), "זלזול"), v.end());
  v = HebrewPrefixVariants(FoldHebrew("בזכויות"));
  EXPECT_EQ(v, std::vector<std::string>{"זכויות"});
  v = HebrewPrefixVariants(FoldHebrew("ומהבית"));
  EXPECT_EQ(v, (std::vector<std::string>{"מהבית", "הבית", "בית"}));
  v = HebrewPrefixVariants(FoldHebrew("וכשהגיע"));
  EXPECT_NE(std::find(v.begin(), v.end(), "הגיע"), v.end());
  EXPECT_TRUE(HebrewPrefixVariants("של").empty());  // the rest would be one letter
  EXPECT_TRUE(HebrewPrefixVariants("hello").empty());
}

TEST(HebrewTest, AWordIsFoundWithOrWithoutPrefixesAndNiqqud) {
  auto a = Analyzer::For(Lang::kHebrew);
  auto doc = *a->Analyze("הואיל והזלזול בזכויות האדם");
  auto query = *a->Analyze("אָדָם");
  ASSERT_EQ(query.size(), 1u);
  EXPECT_TRUE(Has(doc, query[0].text));  // האדם → אדמ
  EXPECT_TRUE(Has(doc, "זכויות"));
  for (const auto& t : doc) EXPECT_LT(t.position, 4u);
}

TEST(FrenchTest, ElisionsBothApostrophes) {
  EXPECT_EQ(StripFrenchElision("l'homme"), "homme");
  EXPECT_EQ(StripFrenchElision("l\u2019homme"), "homme");
  EXPECT_EQ(StripFrenchElision("qu'ils"), "ils");
  EXPECT_EQ(StripFrenchElision("jusqu'à"), "à");
  EXPECT_EQ(StripFrenchElision("d'"), "d'");
  EXPECT_EQ(StripFrenchElision("liberté"), "liberté");
}

TEST(FrenchTest, AccentsAndStemsMeet) {
  auto a = Analyzer::For(Lang::kFrench);
  auto doc = *a->Analyze("Considérant que la reconnaissance de la dignité inhérente");
  EXPECT_TRUE(Has(doc, "considérant"));
  EXPECT_TRUE(Has(doc, "considerant"));
  auto q = *a->Analyze("dignite");
  EXPECT_TRUE(Has(doc, Texts(q, TermKind::kWord)[0]));
  EXPECT_EQ(Texts(*a->Analyze("déclarations"), TermKind::kStem),
            Texts(*a->Analyze("declaration"), TermKind::kStem));
  auto elided = *a->Analyze("les droits de l’homme");
  EXPECT_TRUE(Has(elided, "homme"));
}

TEST(EnglishTest, PossessivesAndStems) {
  EXPECT_EQ(StripEnglishPossessive("everyone's"), "everyone");
  EXPECT_EQ(StripEnglishPossessive("peoples’"), "peoples");
  auto a = Analyzer::For(Lang::kEnglish);
  EXPECT_EQ(Texts(*a->Analyze("Rights"), TermKind::kStem),
            Texts(*a->Analyze("right"), TermKind::kStem));
  EXPECT_TRUE(Has(*a->Analyze("Everyone's"), "everyone"));
}

TEST(AnalyzerTest, ForeignScriptsAreFoldedInAnyLanguage) {
  auto a = Analyzer::For(Lang::kFrench);
  EXPECT_TRUE(Has(*a->Analyze("le nom « الكرامة »"), "الكرامه"));
  EXPECT_EQ(LangFromTag("he-IL"), Lang::kHebrew);
  EXPECT_EQ(LangFromTag("iw"), Lang::kHebrew);
  EXPECT_EQ(LangFromTag("und"), Lang::kUnknown);
  EXPECT_FALSE(a->Analyze("\xff").ok());
  EXPECT_EQ(FoldHebrew("l'homme"), "l'homme");  // apostrophes are only dropped in Hebrew
}

}  // namespace
}  // namespace attest::text
