// The pure parts of Ask (doc/ask.md): where a passage around a hit starts and ends, whether a
// segment ends a sentence, and how alike two accounts' words are (for "accounts that differ").
// No archive, no I/O: unit-tested in passages_test.cc.
#ifndef ATTEST_SERVICE_PASSAGES_H_
#define ATTEST_SERVICE_PASSAGES_H_

#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "meta/store.h"
#include "search/retrieve.h"

namespace attest::service {

inline constexpr size_t kNeighbours = 3;       // segments joined on each side, at most
inline constexpr size_t kPassageBytes = 1500;  // a passage grows no further

// Whether `text` ends a sentence: its last letter-or-mark (past spaces and closing quotes or
// brackets) is a full stop, a question or exclamation mark, or an ellipsis, in any of the
// archive's scripts.
bool EndsSentence(std::string_view text);

// The segments [first, last] of a passage around segment `at` of `count` segments in text order:
// it grows to at most kNeighbours readable segments on each side and kPassageBytes in all,
// backwards while the segment before does not end a sentence, forwards while the passage's
// last segment does not. `readable(i)` says whether the caller may read segment i, `text(i)`
// gives its text (called only for readable segments).
struct PassageSpan {
  size_t first = 0, last = 0;
};
PassageSpan GrowPassage(size_t at, size_t count, const std::function<bool(size_t)>& readable,
                        const std::function<const std::string&(size_t)>& text);

// The folded words of a text, for "accounts that differ".
std::set<std::string> WordSet(std::string_view text);
// |a ∩ b| / |a ∪ b|; 0 when either is empty.
double Jaccard(const std::set<std::string>& a, const std::set<std::string>& b);

// The order in which Ask's candidates become groups: one per witness, many voices first
// (search::Diversify over witnesses, languages and communities), and with `differ`, accounts
// whose words differ from those already taken. Indices into found.items.
std::vector<size_t> VoicesOrder(const search::Retrieved& found,
                                const std::map<std::string, meta::Witness>& witnesses,
                                bool differ);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_PASSAGES_H_
