#include "text/diff.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace attest {
namespace {

std::string Show(const std::vector<DiffPart>& parts) {
  std::string out;
  for (const DiffPart& p : parts) {
    if (!out.empty()) out += ' ';
    out += p.op == DiffPart::kSame ? "=" : p.op == DiffPart::kRemoved ? "-" : "+";
    out += "[" + p.text + "]";
  }
  return out;
}

TEST(DiffTest, SameTextsAreOneSamePart) {
  EXPECT_EQ(Show(DiffWords({"a sample line", "and another"}, {"a sample line", "and another"})),
            "=[a sample line and another]");
  EXPECT_EQ(Show(DiffWords({}, {})), "");
}

TEST(DiffTest, AWordChangedInOneLineIsRemovedThenAdded) {
  EXPECT_EQ(Show(DiffWords({"first sample line", "the bridge at noon", "last line"},
                           {"first sample line", "the bridge at night", "last line"})),
            "=[first sample line the bridge at] -[noon] +[night] =[last line]");
}

TEST(DiffTest, LinesAddedRemovedSplitAndJoinedAreWords) {
  // A line split in two is the same words.
  EXPECT_EQ(Show(DiffWords({"one two three four"}, {"one two", "three four"})),
            "=[one two three four]");
  EXPECT_EQ(Show(DiffWords({"keep", "gone line"}, {"keep"})), "=[keep] -[gone line]");
  EXPECT_EQ(Show(DiffWords({"keep"}, {"new line", "keep"})), "+[new line] =[keep]");
  // Hebrew and Arabic words, any script: compared as bytes.
  EXPECT_EQ(Show(DiffWords({"שלום עולם"}, {"שלום לכולם"})), "=[שלום] -[עולם] +[לכולם]");
  EXPECT_EQ(Show(DiffWords({"مرحبا بالعالم"}, {"مرحبا"})), "=[مرحبا] -[بالعالم]");
}

TEST(DiffTest, ARunTooLargeToAlignIsRemovedAndAddedWholeNotGuessed) {
  std::vector<std::string> a, b;
  for (int i = 0; i < 3000; ++i) {
    a.push_back("a" + std::to_string(i));
    b.push_back("b" + std::to_string(i));
  }
  a.insert(a.begin(), "same");
  b.insert(b.begin(), "same");
  auto parts = DiffWords(a, b);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].text, "same");
  EXPECT_EQ(parts[1].op, DiffPart::kRemoved);
  EXPECT_EQ(parts[1].text.substr(0, 6), "a0 a1 ");
  EXPECT_EQ(parts[2].op, DiffPart::kAdded);
}

}  // namespace
}  // namespace attest
