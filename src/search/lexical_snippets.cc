#include "search/lexical_snippets.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/json.h"  // CodePoints

namespace attest::search::lexical {

Highlighter::Highlighter(Analysis* an, const CompiledQuery& query,
                         const std::set<std::string, std::less<>>& visible)
    : an_(an),
      query_(query),
      visible_(visible),
      name_keys_matched_(std::any_of(
          query.matched_terms.begin(), query.matched_terms.end(),
          [](const std::string& t) { return t.compare(0, sizeof kNameKey - 1, kNameKey) == 0; })),
      stamp_(++an->searches) {}

bool Highlighter::Matched(text::Lang lang, std::string_view surface) {
  Analysis::Word& word = an_->WordOf(lang, surface);
  if (word.stamp == stamp_) return word.matched;
  const std::set<std::string>& matched_terms = query_.matched_terms;
  const std::vector<std::string>& prefixes = query_.prefixes;
  bool hit = false;
  for (const auto& t : word.terms) {
    hit =
        matched_terms.count(t.term) > 0 ||
        (!t.stem && name_keys_matched_ && matched_terms.count(kNameKey + an_->KeyOf(t.term)) > 0) ||
        (!t.stem && std::any_of(prefixes.begin(), prefixes.end(), [&](const auto& p) {
          return t.term.compare(0, p.size(), p) == 0;
        }));
    if (hit) break;
  }
  word.stamp = stamp_;
  word.matched = hit;
  return hit;
}

void Highlighter::AddHit(const Xapian::Document& doc, double weight, RecordHits* group) {
  std::string data = doc.get_data();
  SegmentData d;
  if (!d.Decode(data) || visible_.count(d.level) == 0) return;
  if (group->hits.empty()) {
    group->witness_id = std::string(d.witness);
    group->collection_id = std::string(d.collection);
  }
  Hit h = d.ToHit();
  h.weight = weight;
  std::string_view seg_text = d.text;
  text::Lang lang = text::LangFromTag(h.lang);
  std::vector<std::pair<uint32_t, uint32_t>> marks;
  for (const auto& [start, end] : d.words) {
    if (Matched(lang, seg_text.substr(start, end - start))) marks.emplace_back(start, end);
  }
  uint32_t from = 0;
  if (seg_text.size() > kSnippetBytes && !marks.empty() && marks[0].first > 80) {
    from = marks[0].first - 80;
    for (const auto& w : d.words) {  // start at a word
      if (w.first >= from) {
        from = w.first;
        break;
      }
    }
  }
  uint32_t to = static_cast<uint32_t>(std::min<size_t>(seg_text.size(), from + kSnippetBytes));
  if (to < seg_text.size()) {  // end at a word, and never inside a character
    for (const auto& w : d.words) {
      if (w.first < to && w.second > to) to = w.first;
    }
    while (to > from && (static_cast<uint8_t>(seg_text[to]) & 0xC0) == 0x80) --to;
  }
  h.snippet = std::string(seg_text.substr(from, to - from));
  for (const auto& [s, e] : marks) {
    if (s < from || e > to) continue;
    h.highlights.emplace_back(s - from, e - from);
    if (d.char_start >= 0) {
      int64_t a = d.char_start + static_cast<int64_t>(CodePoints(seg_text.substr(0, s)));
      h.char_ranges.emplace_back(a,
                                 a + static_cast<int64_t>(CodePoints(seg_text.substr(s, e - s))));
    }
  }
  group->hits.push_back(std::move(h));
}

std::string_view OpeningWords(const SegmentData& d) {
  size_t to = d.text.size();
  if (to > kSnippetBytes) {
    to = 0;
    for (const auto& w : d.words) {
      if (w.second > kSnippetBytes) break;
      to = w.second;
    }
  }
  return d.text.substr(0, to);
}

}  // namespace attest::search::lexical
