// Fusing ranked lists and diversifying what is shown (doc/ask.md, "Fusion" and "Many
// voices"). Thread-safe: pure functions.
#ifndef ATTEST_SEARCH_FUSION_H_
#define ATTEST_SEARCH_FUSION_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace attest::search {

// One ranked list of items (best first) and how much its ranks count.
struct RankedList {
  std::vector<int64_t> ids;
  double weight = 1;
};

// Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): an item's score is the
// sum over the lists that hold it of weight / (k + rank), rank from 1. Best first; ties by
// the order the items were first met (earlier lists, better ranks).
std::vector<std::pair<int64_t, double>> FuseRanks(const std::vector<RankedList>& lists,
                                                  double k = 60);

// Who speaks in a candidate passage.
struct Voice {
  std::string witness;
  std::string lang;
  std::string community;  // "" if not given
  double relevance = 0;   // its fused score
};

struct DiversifyOptions {
  size_t limit = 10;  // voices to choose
  // Maximal marginal relevance (Carbonell and Goldstein, SIGIR 1998): each next choice
  // maximises lambda * relevance - (1 - lambda) * (its greatest likeness to one chosen).
  double lambda = 0.7;
  // "Show accounts that differ": the likeness of what is said (`content`) counts most, and
  // relevance less.
  bool differ = false;
  // How alike candidates i and j are in what they say, 0 to 1 (empty: not known).
  std::function<double(size_t, size_t)> content;
};

// Chooses, from `voices` (best first), one per witness (their most relevant) and orders the
// chosen so that the first places go to as many witnesses, languages and communities as the
// candidates allow. Returns indices into `voices`.
std::vector<size_t> Diversify(const std::vector<Voice>& voices, const DiversifyOptions& options);

}  // namespace attest::search

#endif  // ATTEST_SEARCH_FUSION_H_
