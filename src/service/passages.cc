#include "service/passages.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "search/fusion.h"
#include "text/tokenizer.h"

namespace attest::service {

bool EndsSentence(std::string_view text) {
  int32_t i = static_cast<int32_t>(text.size());
  while (i > 0) {
    UChar32 c;
    U8_PREV(text.data(), 0, i, c);
    if (c < 0) return false;
    if (u_isspace(c)) continue;
    if (c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201D || c == 0x2019 ||
        c == 0x00BB || c == 0x05F4) {
      continue;
    }
    return c == '.' || c == '!' || c == '?' || c == 0x2026 || c == 0x061F || c == 0x06D4 ||
           c == 0x05C3;
  }
  return false;
}

PassageSpan GrowPassage(size_t at, size_t count, const std::function<bool(size_t)>& readable,
                        const std::function<const std::string&(size_t)>& text) {
  size_t first = at, last = at, bytes = text(at).size();
  while (first > 0 && at - first < kNeighbours && readable(first - 1) &&
         !EndsSentence(text(first - 1)) && bytes + text(first - 1).size() <= kPassageBytes) {
    --first;
    bytes += text(first).size();
  }
  // The passage starts after a sentence's end: the segment before it ended one.
  while (last + 1 < count && last - at < kNeighbours && readable(last + 1) &&
         !EndsSentence(text(last)) && bytes + text(last + 1).size() <= kPassageBytes) {
    ++last;
    bytes += text(last).size();
  }
  return {first, last};
}

std::set<std::string> WordSet(std::string_view text) {
  std::set<std::string> out;
  auto tokens = text::Tokenize(text);
  if (tokens.ok()) {
    for (const auto& t : *tokens) out.insert(t.norm);
  }
  return out;
}

double Jaccard(const std::set<std::string>& a, const std::set<std::string>& b) {
  if (a.empty() || b.empty()) return 0;
  size_t common = 0;
  for (const auto& w : a) common += b.count(w);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

std::vector<size_t> VoicesOrder(const search::Retrieved& found,
                                const std::map<std::string, meta::Witness>& witnesses,
                                bool differ) {
  std::vector<search::Voice> voices;
  for (const auto& item : found.items) {
    auto it = witnesses.find(item.segment.witness_id);
    voices.push_back({item.segment.witness_id, item.segment.hit.lang,
                      it == witnesses.end() ? std::string() : it->second.community, item.score});
  }
  std::vector<std::set<std::string>> words(found.items.size());
  std::vector<bool> has_words(found.items.size(), false);
  search::DiversifyOptions options;
  options.limit = found.items.size();
  options.differ = differ;
  options.content = [&](size_t x, size_t y) {
    for (size_t i : {x, y}) {
      if (!has_words[i]) words[i] = WordSet(found.items[i].segment.hit.snippet);
      has_words[i] = true;
    }
    return Jaccard(words[x], words[y]);
  };
  return search::Diversify(voices, options);
}

}  // namespace attest::service
