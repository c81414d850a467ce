// What a hit of the lexical index shows: a window of its segment's text cut at word boundaries,
// with the words the query matched marked (doc/search.md, "Results"). Internal to search/
// (lexical_*.cc). Not thread-safe: a Highlighter serves one search, with its thread's Analysis.
#ifndef ATTEST_SEARCH_LEXICAL_SNIPPETS_H_
#define ATTEST_SEARCH_LEXICAL_SNIPPETS_H_

#include <xapian.h>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "search/lexical_analysis.h"
#include "search/lexical_format.h"
#include "search/lexical_index.h"
#include "search/lexical_query.h"

namespace attest::search::lexical {

inline constexpr size_t kSnippetBytes = 320;

// Marks the words of hits that one compiled query matched. Whether a word matched is decided
// once a search for each word and language (the words of a page's snippets repeat), so a
// Highlighter stamps the Analysis's word cache: make it after the query is compiled, one per
// search. `query` and `visible` must outlive it.
class Highlighter {
 public:
  Highlighter(Analysis* an, const CompiledQuery& query,
              const std::set<std::string, std::less<>>& visible);
  // Adds the hit of the segment `doc` to `group` (and its witness and collection, the first
  // time): its matched words marked and its snippet cut around the first. A segment at a level
  // not in `visible` (the second lock) or whose data cannot be read is left out.
  void AddHit(const Xapian::Document& doc, double weight, RecordHits* group);

 private:
  // Whether the word `surface` of a text in `lang` is one the query matched.
  bool Matched(text::Lang lang, std::string_view surface);

  Analysis* an_;
  const CompiledQuery& query_;
  const std::set<std::string, std::less<>>& visible_;
  bool name_keys_matched_;
  uint64_t stamp_;
};

// The first words of a segment's text, up to kSnippetBytes (a hit found by other means than
// the words: nothing to cut around).
std::string_view OpeningWords(const SegmentData& d);

}  // namespace attest::search::lexical

#endif  // ATTEST_SEARCH_LEXICAL_SNIPPETS_H_
