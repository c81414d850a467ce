#include "service/passages.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include <string>
#include <vector>

namespace attest::service {
namespace {

TEST(PassagesTest, SentenceEndsInEveryScriptPastQuotesAndSpaces) {
  EXPECT_TRUE(EndsSentence("It was morning."));
  EXPECT_TRUE(EndsSentence("Who was there?  "));
  EXPECT_TRUE(EndsSentence("\"We ran!\""));
  EXPECT_TRUE(EndsSentence("(and then it stopped.)"));
  EXPECT_TRUE(EndsSentence("\u00ABC'\u00E9tait fini.\u00BB"));
  EXPECT_TRUE(EndsSentence("\u0645\u0646 \u0643\u0627\u0646 \u0647\u0646\u0627\u061F"));  // Arabic ؟
  EXPECT_TRUE(EndsSentence("\u05D6\u05D4 \u05D4\u05D9\u05D4\u05C3"));  // Hebrew sof pasuq
  EXPECT_TRUE(EndsSentence("and then\u2026"));
  EXPECT_FALSE(EndsSentence("and then we"));
  EXPECT_FALSE(EndsSentence("a list, of things,"));
  EXPECT_FALSE(EndsSentence(""));
  EXPECT_FALSE(EndsSentence("   "));
  EXPECT_FALSE(EndsSentence("\xFF"));  // not UTF-8: no sentence
}

// Segments by text; readable unless listed in `hidden`.
PassageSpan Grow(const std::vector<std::string>& texts, size_t at,
                 std::vector<size_t> hidden = {}) {
  return GrowPassage(
      at, texts.size(),
      [&](size_t i) { return std::find(hidden.begin(), hidden.end(), i) == hidden.end(); },
      [&](size_t i) -> const std::string& { return texts[i]; });
}

TEST(PassagesTest, APassageIsAWholeThought) {
  // The hit is in the middle of a sentence: it grows back to the sentence's start and on to
  // its end.
  std::vector<std::string> t = {"Done.", "We left", "the house", "at dawn.", "Later"};
  PassageSpan p = Grow(t, 2);
  EXPECT_EQ(p.first, 1u);
  EXPECT_EQ(p.last, 3u);
  // A hit that ends a sentence and follows one stays alone.
  p = Grow(t, 0);
  EXPECT_EQ(p.first, 0u);
  EXPECT_EQ(p.last, 0u);
}

TEST(PassagesTest, NeverReachesIntoWhatTheCallerMayNotRead) {
  std::vector<std::string> t = {"We left", "the house", "at dawn", "and ran."};
  PassageSpan p = Grow(t, 1, {0, 3});
  EXPECT_EQ(p.first, 1u);
  EXPECT_EQ(p.last, 2u);
}

TEST(PassagesTest, StopsAtItsNeighboursAndItsBytes) {
  std::vector<std::string> t(20, "and");
  PassageSpan p = Grow(t, 10);
  EXPECT_EQ(p.first, 10 - kNeighbours);
  EXPECT_EQ(p.last, 10 + kNeighbours);
  std::vector<std::string> big(5, std::string(kPassageBytes / 2, 'a'));
  p = Grow(big, 2);
  EXPECT_EQ(p.first, 2u - 1);  // two halves fit, a third does not
  EXPECT_EQ(p.last, 2u);
}

TEST(PassagesTest, AccountsThatShareWordsAreAlike) {
  auto a = WordSet("The orchard behind the school");
  auto b = WordSet("the ORCHARD behind the house");
  auto c = WordSet("a river in winter");
  EXPECT_GT(Jaccard(a, b), 0.5);
  EXPECT_EQ(Jaccard(a, c), 0.0);
  EXPECT_EQ(Jaccard(a, {}), 0.0);
  EXPECT_DOUBLE_EQ(Jaccard(a, a), 1.0);
}

}  // namespace
}  // namespace attest::service

namespace attest::service {
namespace {

search::Retrieved::Item Candidate(const std::string& witness, const std::string& lang,
                                  const std::string& snippet, double score) {
  search::Retrieved::Item item;
  item.segment.witness_id = witness;
  item.segment.hit.lang = lang;
  item.segment.hit.snippet = snippet;
  item.score = score;
  return item;
}

TEST(PassagesTest, OneGroupAWitnessTheMostRelevantFirst) {
  search::Retrieved found;
  found.items = {Candidate("w1", "en", "the orchard behind the school", 1.0),
                 Candidate("w1", "en", "the orchard again", 0.95),
                 Candidate("w2", "en", "the orchard behind the school", 0.8),
                 Candidate("w3", "fr", "a river in winter", 0.7)};
  std::map<std::string, meta::Witness> witnesses;
  witnesses["w2"].community = "sample community";
  std::vector<size_t> order = VoicesOrder(found, witnesses, false);
  ASSERT_EQ(order.size(), 3u);  // w1's second passage is not a group of its own
  EXPECT_EQ(order[0], 0u);
  std::set<size_t> chosen(order.begin(), order.end());
  EXPECT_EQ(chosen, (std::set<size_t>{0, 2, 3}));
  // "Accounts that differ": the one that says something else comes before the one that says
  // what the first said.
  order = VoicesOrder(found, witnesses, true);
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0], 0u);
  EXPECT_EQ(order[1], 3u);
  EXPECT_EQ(order[2], 2u);
}

}  // namespace
}  // namespace attest::service
