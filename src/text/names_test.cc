#include "text/names.h"

#include <gtest/gtest.h>

namespace attest::text {
namespace {

// Place names as they are written in English, Hebrew and Arabic (public geographic names).
TEST(NamesTest, OneNameInThreeScriptsMeets) {
  struct Case {
    const char* latin;
    const char* hebrew;
    const char* arabic;
  } cases[] = {
      {"Kfar Aza", "כפר עזה", "كفار عزة"}, {"Be'eri", "בארי", "بئيري"},
      {"Nir Oz", "ניר עוז", "نير عوز"},    {"Khan Younis", "חאן יונס", "خان يونس"},
      {"Sderot", "שדרות", "سديروت"},       {"Ashkelon", "אשקלון", "عسقلان"},
      {"Tel Aviv", "תל אביב", "تل أبيب"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(NameKeys(c.latin), NameKeys(c.hebrew)) << c.latin << " / " << c.hebrew;
    EXPECT_EQ(NameKeys(c.latin), NameKeys(c.arabic)) << c.latin << " / " << c.arabic;
    EXPECT_FALSE(NameKeys(c.latin).empty());
  }
}

TEST(NamesTest, DifferentNamesStayApart) {
  EXPECT_NE(NameKeys("Sderot"), NameKeys("Ashkelon"));
  EXPECT_NE(NameKeys("כפר עזה"), NameKeys("ניר עוז"));
  EXPECT_EQ(NameKeys("Kfar Aza"), NameKeys("KFAR  AZA"));
  EXPECT_TRUE(NameKeys("").empty());
  EXPECT_TRUE(NameKeys("\xff").empty());
}

}  // namespace
}  // namespace attest::text
