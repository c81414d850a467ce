#include "text/diff.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>

namespace attest {
namespace {

using Op = DiffPart::Op;

// One step of an alignment: kSame (a's index `i`, b's `j`), kRemoved (a's `i`), kAdded (b's `j`).
struct Step {
  Op op;
  size_t i, j;
};

// The longest common subsequence of `a` and `b` as steps in order, removals before the
// additions that stand in their place; a middle too large for kMaxDiffCells is removed and
// added whole.
template <class T>
std::vector<Step> Align(const std::vector<T>& a, const std::vector<T>& b) {
  std::vector<Step> steps;
  size_t n = a.size(), m = b.size(), head = 0, tail = 0;
  while (head < n && head < m && a[head] == b[head]) ++head;
  while (tail < n - head && tail < m - head && a[n - 1 - tail] == b[m - 1 - tail]) ++tail;
  for (size_t k = 0; k < head; ++k) steps.push_back({Op::kSame, k, k});
  const size_t rn = n - head - tail, rm = m - head - tail;
  if (rn == 0 || rm == 0 || (rn + 1) * (rm + 1) > kMaxDiffCells) {
    for (size_t k = 0; k < rn; ++k) steps.push_back({Op::kRemoved, head + k, 0});
    for (size_t k = 0; k < rm; ++k) steps.push_back({Op::kAdded, 0, head + k});
  } else {
    // lcs[x * (rm + 1) + y]: the longest common subsequence of the middles from x and y on.
    std::vector<uint32_t> lcs((rn + 1) * (rm + 1), 0);
    auto at = [&](size_t x, size_t y) -> uint32_t& { return lcs[x * (rm + 1) + y]; };
    for (size_t x = rn; x-- > 0;) {
      for (size_t y = rm; y-- > 0;) {
        at(x, y) = a[head + x] == b[head + y] ? at(x + 1, y + 1) + 1
                                              : std::max(at(x + 1, y), at(x, y + 1));
      }
    }
    size_t x = 0, y = 0;
    while (x < rn || y < rm) {
      if (x < rn && y < rm && a[head + x] == b[head + y]) {
        steps.push_back({Op::kSame, head + x++, head + y++});
      } else if (y == rm || (x < rn && at(x + 1, y) >= at(x, y + 1))) {
        steps.push_back({Op::kRemoved, head + x++, 0});
      } else {
        steps.push_back({Op::kAdded, 0, head + y++});
      }
    }
  }
  for (size_t k = 0; k < tail; ++k) steps.push_back({Op::kSame, n - tail + k, m - tail + k});
  return steps;
}

void Words(std::string_view line, std::vector<std::string_view>* out) {
  size_t k = 0;
  while (k < line.size()) {
    while (k < line.size() && (line[k] == ' ' || line[k] == '\n' || line[k] == '\t' ||
                               line[k] == '\r')) {
      ++k;
    }
    size_t start = k;
    while (k < line.size() && line[k] != ' ' && line[k] != '\n' && line[k] != '\t' &&
           line[k] != '\r') {
      ++k;
    }
    if (k > start) out->push_back(line.substr(start, k - start));
  }
}

void Put(std::vector<DiffPart>* parts, Op op, std::string_view word) {
  if (!parts->empty() && parts->back().op == op) {
    parts->back().text.append(" ").append(word);
  } else {
    parts->push_back({op, std::string(word)});
  }
}

}  // namespace

std::vector<DiffPart> DiffWords(const std::vector<std::string>& before,
                                const std::vector<std::string>& after) {
  std::vector<DiffPart> parts;
  std::vector<Step> lines = Align(before, after);
  size_t k = 0;
  while (k < lines.size()) {
    if (lines[k].op == Op::kSame) {
      std::vector<std::string_view> words;
      Words(before[lines[k].i], &words);
      for (std::string_view w : words) Put(&parts, Op::kSame, w);
      ++k;
      continue;
    }
    // A run of lines that differ: their words aligned within it.
    std::vector<std::string_view> old_words, new_words;
    for (; k < lines.size() && lines[k].op != Op::kSame; ++k) {
      if (lines[k].op == Op::kRemoved) {
        Words(before[lines[k].i], &old_words);
      } else {
        Words(after[lines[k].j], &new_words);
      }
    }
    for (const Step& s : Align(old_words, new_words)) {
      Put(&parts, s.op, s.op == Op::kAdded ? new_words[s.j] : old_words[s.i]);
    }
  }
  return parts;
}

}  // namespace attest
