// A word-level difference between two texts (doc/api.md "Versions and their differences"): what a
// reader needs to see what a correction changed. Two levels, so that a long transcript is
// compared in bounded time and memory: lines (a transcript's cues, a document's segments) are
// aligned first, and the words of the lines that differ are aligned within each changed run.
#ifndef ATTEST_TEXT_DIFF_H_
#define ATTEST_TEXT_DIFF_H_

#include <cstddef>
#include <string>
#include <vector>

namespace attest {

struct DiffPart {
  enum Op { kSame, kRemoved, kAdded };
  Op op = kSame;
  std::string text;  // words joined by single spaces; a part never starts or ends with a space
};

// Alignments are longest common subsequences, computed on at most kMaxDiffCells cells (the
// product of the two sides' lengths once their common start and end are set aside); a run
// larger than that is given as removed then added whole, never by a guess.
inline constexpr size_t kMaxDiffCells = size_t{4} << 20;

// The words of `before` and `after` (lines of each, in order), as parts in reading order:
// kSame runs, and kRemoved / kAdded runs where they differ (a removal before the addition that
// replaces it). Words are split at white space; a line break is a word boundary. Adjacent
// parts of one kind are merged.
std::vector<DiffPart> DiffWords(const std::vector<std::string>& before,
                                const std::vector<std::string>& after);

}  // namespace attest

#endif  // ATTEST_TEXT_DIFF_H_
