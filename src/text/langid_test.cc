#include "text/langid.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/temp_dir.h"

namespace attest::text {
namespace {

class LangIdTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto id = LanguageIdentifier::Load(DefaultLanguageModelPath());
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    id_ = std::move(*id).release();
  }
  static LanguageIdentifier* id_;
};
LanguageIdentifier* LangIdTest::id_ = nullptr;

// Article 1 of the Universal Declaration of Human Rights (samples/udhr; United Nations, 1948).
TEST_F(LangIdTest, IdentifiesTheArchivesFourLanguages) {
  struct Case {
    const char* text;
    const char* lang;
  } cases[] = {
      {"يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق. وقد وهبوا عقلاً وضميرًا", "ar"},
      {"כל בני אדם נולדו בני חורין ושווים בערכם ובזכויותיהם. כולם חוננו בתבונה ובמצפון", "he"},
      {"All human beings are born free and equal in dignity and rights.", "en"},
      {"Tous les êtres humains naissent libres et égaux en dignité et en droits.", "fr"},
  };
  for (const auto& c : cases) {
    LangGuess g = id_->Identify(c.text, "und");
    EXPECT_EQ(g.lang, c.lang) << c.text;
    EXPECT_FALSE(g.fallback);
    EXPECT_GT(g.probability, 0.9) << c.text;
  }
}

TEST_F(LangIdTest, ShortOrUnclearTextFallsBackToTheDeclaredLanguage) {
  LangGuess g = id_->Identify("כן", "he");
  EXPECT_TRUE(g.fallback);
  EXPECT_EQ(g.lang, "he");
  EXPECT_TRUE(id_->Identify("12:30 — 14:45 !!!", "ar").fallback);
  EXPECT_TRUE(id_->Identify("", "fr").fallback);
  EXPECT_TRUE(id_->Identify("caf\xE9 au lait avec du sucre", "fr").fallback);  // not UTF-8
}

TEST(LangIdLoadTest, BadModelFilesAreNamed) {
  auto missing = LanguageIdentifier::Load("/nonexistent/lid.176.ftz");
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("/nonexistent/lid.176.ftz"), std::string::npos);
  TempDir temp_dir("attest-langid");
  std::string bogus = temp_dir.Join("bogus.ftz");
  std::ofstream(bogus) << "this is not a model";
  auto bad = LanguageIdentifier::Load(bogus);
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("bogus.ftz"), std::string::npos);
}

}  // namespace
}  // namespace attest::text
