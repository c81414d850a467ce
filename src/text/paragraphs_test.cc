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

namespace attest::text {
namespace {

TEST(SplitBlocksTest, BlankLinesSeparateBlocksAndLineBreaksStayInside) {
  std::string t = "שורה אחת\nשורה שתיים\n\n  second block\n\n\nthird";
  auto b = SplitBlocks(t);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].text, "שורה אחת\nשורה שתיים");
  EXPECT_EQ(b[0].char_start, 0);
  EXPECT_EQ(b[0].char_end, 19);
  EXPECT_EQ(b[1].text, "second block");
  EXPECT_EQ(b[1].char_start, 23);
  EXPECT_EQ(b[2].text, "third");
  EXPECT_EQ(b[2].char_start, 38);
  EXPECT_EQ(b[2].char_end, 43);
}

TEST(SplitBlocksTest, LongBlocksAreCutAtLineBreaks) {
  std::string t = "aaaa\nbbbb\ncccc\ndddd";
  auto b = SplitBlocks(t, 9);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].text, "aaaa\nbbbb");
  EXPECT_EQ(b[1].text, "cccc\ndddd");
  EXPECT_EQ(b[1].char_start, 10);
}

}  // namespace
}  // namespace attest::text
