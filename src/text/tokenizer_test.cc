#include "text/tokenizer.h"

#include <gtest/gtest.h>

namespace attest::text {
namespace {

// Real text: the Universal Declaration of Human Rights (samples/udhr, see samples/README.md).
TEST(TokenizerTest, WordsKeepTheirByteOffsets) {
  std::string fr = "Tous les êtres humains naissent libres et égaux en dignité et en droits.";
  auto tokens = *Tokenize(fr);
  ASSERT_EQ(tokens.size(), 13u);
  for (const auto& t : tokens) EXPECT_EQ(fr.substr(t.start, t.end - t.start), t.surface);
  EXPECT_EQ(tokens[2].surface, "êtres");
  EXPECT_EQ(tokens[2].position, 2u);
  EXPECT_EQ(tokens[12].surface, "droits");  // the full stop is not a word
}

TEST(TokenizerTest, HebrewAndArabicWordsAndAcronyms) {
  auto he = *Tokenize("הואיל והזלזול בזכויות האדם");
  ASSERT_EQ(he.size(), 4u);
  EXPECT_EQ(he[1].surface, "והזלזול");
  // UAX #29 keeps a gershayim acronym whole.
  auto acr = *Tokenize("חברי צה\"ל שם");
  ASSERT_EQ(acr.size(), 3u);
  EXPECT_EQ(acr[1].surface, "צה\"ל");
  auto ar = *Tokenize("يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق.");
  ASSERT_EQ(ar.size(), 8u);
  EXPECT_EQ(ar[3].surface, "أحرارًا");
}

TEST(TokenizerTest, NormalisationFoldsCaseAndCompatibilityForms) {
  EXPECT_EQ(NormalizeFold("Déclaration UNIVERSELLE"), "déclaration universelle");
  EXPECT_EQ(NormalizeFold("ﬁnal"), "final");  // ligature
  EXPECT_EQ(NormalizeFold("Straße"), "strasse");
  EXPECT_EQ(NormalizeFold("Hello WORLD 42_x"), "hello world 42_x");  // the ASCII path
  EXPECT_EQ(FoldAccents("plain ASCII"), "plain ASCII");
}

TEST(TokenizerTest, AccentFoldingLeavesOtherScriptsAlone) {
  EXPECT_EQ(FoldAccents("égaux inaliénables ça"), "egaux inalienables ca");
  EXPECT_EQ(FoldAccents("שָׁלוֹם"), "שָׁלוֹם");  // Hebrew marks are the Hebrew analyser's
}

TEST(TokenizerTest, BadInput) {
  EXPECT_EQ(Tokenize("caf\xE9").status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(Tokenize("")->empty());
  EXPECT_TRUE(Tokenize(" ... ,;! ")->empty());
  std::string long_text(100000, 'a');
  EXPECT_EQ(Tokenize(long_text)->size(), 1u);
}

}  // namespace
}  // namespace attest::text

TEST(TokenizerTest, OneThreadTokenizesTextAfterText) {  // the break iterator is reused
  using attest::text::Tokenize;
  auto first = *Tokenize("שלום עולם and more words");
  auto second = *Tokenize("Deux mots");
  auto third = *Tokenize("");
  ASSERT_EQ(first.size(), 5u);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[1].surface, "mots");
  EXPECT_EQ(second[1].start, 5u);
  EXPECT_TRUE(third.empty());
}
