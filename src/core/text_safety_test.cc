#include "core/text_safety.h"

#include <gtest/gtest.h>

namespace attest {
namespace {

// Samples: "שלום עולם" (Hebrew, "hello world"), "مرحبا بالعالم" (Arabic, "hello world"),
// written here for the test.
constexpr std::string_view kHebrew = "שלום עולם";
constexpr std::string_view kArabic = "مرحبا بالعالم";

TEST(TextSafetyTest, CleanTextDropsEscapeSequencesButKeepsTheirHarmlessLetters) {
  EXPECT_EQ(CleanText("a\x1b[2J\x1b]0;pwned\x07z", TextLayout::kLines), "a[2J]0;pwnedz");
  EXPECT_EQ(CleanText(std::string("nul\0here", 8), TextLayout::kLines), "nulhere");
  EXPECT_EQ(CleanText("del\x7f", TextLayout::kLines), "del");
  // C1: CSI (U+009B) and NEL (U+0085) as UTF-8.
  EXPECT_EQ(CleanText("a\xC2\x9B"
                      "2Jb\xC2\x85"
                      "c",
                      TextLayout::kLines),
            "a2Jbc");
}

TEST(TextSafetyTest, CleanTextKeepsTabsAndLinesOnlyWhereTextHasLines) {
  EXPECT_EQ(CleanText("one\ttwo\r\nthree\rfour\n", TextLayout::kLines), "one\ttwo\nthree\nfour\n");
  EXPECT_EQ(CleanText("one\ttwo\nthree", TextLayout::kOneLine), "one two three");
}

TEST(TextSafetyTest, CleanTextDropsBidiOverridesButKeepsRightToLeftTextAndMarks) {
  // "\u202Etxt.exe" shows as "exe.txt": the override goes, the letters stay.
  EXPECT_EQ(CleanText("report\u202Etxt.exe", TextLayout::kOneLine), "reporttxt.exe");
  EXPECT_EQ(CleanText("\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069x", TextLayout::kLines),
            "x");
  EXPECT_EQ(CleanText(kHebrew, TextLayout::kOneLine), kHebrew);
  EXPECT_EQ(CleanText(kArabic, TextLayout::kLines), kArabic);
  const std::string marked = std::string(kHebrew) + "\u200F 2024 \u200E" + std::string(kArabic);
  EXPECT_EQ(CleanText(marked, TextLayout::kOneLine), marked);
  EXPECT_EQ(CleanText("café 😀", TextLayout::kOneLine), "café 😀");
}

TEST(TextSafetyTest, CleanTextReplacesInvalidBytes) {
  EXPECT_EQ(CleanText("a\xFF"
                      "b",
                      TextLayout::kOneLine),
            "a\uFFFDb");
  EXPECT_EQ(CleanText("\xC3", TextLayout::kOneLine), "\uFFFD");
  EXPECT_EQ(CleanText("\xC0\xAF", TextLayout::kOneLine), "\uFFFD\uFFFD");            // overlong '/'
  EXPECT_EQ(CleanText("\xED\xA0\x80", TextLayout::kOneLine), "\uFFFD\uFFFD\uFFFD");  // surrogate
}

TEST(TextSafetyTest, TerminalSafeShowsEveryControlAsAVisibleEscape) {
  const std::string out = TerminalSafe("a\x1b[31mred\tb\nc\r\x7f\xC2\x9B\u202Ed\xFF");
  EXPECT_EQ(out, "a\\x1b[31mred\\tb\\nc\\r\\x7f\\u009b\\u202ed\\xff");
  for (unsigned char c : out) EXPECT_TRUE(c >= 0x20 && c != 0x7F) << int(c);
  EXPECT_EQ(TerminalSafe(kHebrew), kHebrew);
  EXPECT_EQ(TerminalSafe(kArabic), kArabic);
  EXPECT_EQ(TerminalSafe("C:\\path \u200F"), "C:\\path \u200F");
  EXPECT_EQ(TerminalSafe(""), "");
  // A document keeps its lines and tabs, never its escapes.
  EXPECT_EQ(TerminalSafe("WEBVTT\n\n00:01\tשלום\x1b[8m\r\n", TextLayout::kLines),
            "WEBVTT\n\n00:01\tשלום\\x1b[8m\\r\n");
}

}  // namespace
}  // namespace attest

namespace attest {
namespace {
TEST(TextSafetyTest, LineSeparatorsAndZeroWidthSpacesNeitherBreakNorHideText) {
  const std::string sneaky = "a\u2028b\u200Bc\uFEFFd";
  EXPECT_EQ(CleanText(sneaky, TextLayout::kOneLine), "abcd");
  EXPECT_EQ(TerminalSafe(sneaky, TextLayout::kOneLine), "a\\u2028b\\u200bc\\ufeffd");
  // Joiners shape Arabic and Persian words; marks order mixed text: both stay.
  const std::string shaped = "\u0645\u200C\u0627 \u200Fx";
  EXPECT_EQ(CleanText(shaped, TextLayout::kOneLine), shaped);
}
}  // namespace
}  // namespace attest
