#include "text/paragraphs.h"

#include <gtest/gtest.h>

namespace attest::text {
namespace {

TEST(ParagraphsTest, OffsetsAreCodePointsIntoTheWholeText) {
  // Two lines of the Hebrew UDHR sample (samples/udhr/heb.txt), indented as there.
  std::string text = "\xEF\xBB\xBF  הכרזה לכל באי עולם\n\n      סעיף א.\r\n";
  auto ps = SplitParagraphs(text);
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0].text, "הכרזה לכל באי עולם");
  EXPECT_EQ(ps[0].char_start, 2);
  EXPECT_EQ(ps[0].char_end, 20);
  EXPECT_EQ(ps[1].text, "סעיף א.");
  EXPECT_EQ(ps[1].char_start, 20 + 1 + 1 + 6);
  EXPECT_TRUE(SplitParagraphs("").empty());
  EXPECT_TRUE(SplitParagraphs(" \n\t\n").empty());
}

}  // namespace
}  // namespace attest::text
