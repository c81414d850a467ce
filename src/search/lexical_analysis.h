// What the lexical index needs to analyse text, for one thread: the analysers, a cache of name
// keys and of words' index terms, and the keys of known names. Internal to search/
// (lexical_*.cc). Not thread-safe: one Analysis per thread (each writer lane has one, and so
// has each index's searching thread).
#ifndef ATTEST_SEARCH_LEXICAL_ANALYSIS_H_
#define ATTEST_SEARCH_LEXICAL_ANALYSIS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "search/lexical_format.h"
#include "text/analyzer.h"
#include "text/names.h"

namespace attest::search::lexical {

// A query is read in every language at once: under each of these analysers.
inline constexpr text::Lang kQueryLangs[] = {text::Lang::kArabic, text::Lang::kHebrew,
                                             text::Lang::kEnglish, text::Lang::kFrench,
                                             text::Lang::kUnknown};

// Whether the words from position `i` on spell the name whose keys are `seq`; `has(p, key)`
// says whether the word at position p (of n) has that key.
template <class Has>
bool SpellsAt(const std::vector<std::string>& seq, size_t i, size_t n, const Has& has) {
  if (i + seq.size() > n) return false;
  for (size_t k = 0; k < seq.size(); ++k) {
    if (!has(i + k, seq[k])) return false;
  }
  return true;
}

struct Analysis {
  std::map<text::Lang, std::unique_ptr<text::Analyzer>> analyzers;
  std::unordered_map<std::string, std::string> name_keys;  // spelling → key
  std::vector<std::string> names;                          // NameKeySeqs' last argument
  std::vector<std::vector<std::string>> name_key_seqs;     // their keys
  std::vector<std::vector<std::string>> tag_names;         // SetNames: the keys of each

  text::Analyzer* For(text::Lang lang) {
    auto& a = analyzers[lang];
    if (!a) a = text::Analyzer::For(lang);
    return a.get();
  }

  // The key of a spelling; the reference holds until TrimCache.
  const std::string& KeyOf(const std::string& surface) {
    auto it = name_keys.find(surface);
    if (it != name_keys.end()) return it->second;
    return name_keys.emplace(surface, text::NameKey(surface)).first->second;
  }

  // One word of a text in some language, as hits meet it: its index terms (stems with their
  // prefix), kept across searches (the words of the hits shown repeat, and analysing is the
  // costly part), and whether the search stamped `stamp` matched it.
  struct WordTerm {
    std::string term;
    bool stem = false;
  };
  struct Word {
    std::vector<WordTerm> terms;
    uint64_t stamp = 0;
    bool matched = false;
  };
  // The word `surface` of a text in `lang`; the reference holds until TrimCache.
  Word& WordOf(text::Lang lang, std::string_view surface) {
    auto& words = words_by_lang[static_cast<size_t>(lang)];
    auto it = words.find(surface);
    if (it != words.end()) return it->second;
    text::Token token;
    token.surface = std::string(surface);
    token.norm = text::NormalizeFold(surface);
    token.end = static_cast<uint32_t>(surface.size());
    Word word;
    for (text::Term& t : For(lang)->AnalyzeToken(token)) {
      bool stem = t.kind == text::TermKind::kStem;
      word.terms.push_back({stem ? kStem + t.text : std::move(t.text), stem});
    }
    return words.emplace(std::move(token.surface), std::move(word)).first->second;
  }

  // Empties the caches when they have grown too big; called between segments and searches.
  void TrimCache();
  struct ViewHash {  // looks a std::string key up by a string_view
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::array<std::unordered_map<std::string, Word, ViewHash, std::equal_to<>>, 5> words_by_lang;
  uint64_t searches = 0;  // stamps Word::matched

  // A query word's spellings under every analyser, and (with `stems`) its stems as index
  // terms.
  void QueryForms(const text::Token& token, std::set<std::string>* plain,
                  std::set<std::string>* stems = nullptr);

  // The name keys of each of `n` (known names), without repeats, longest first; kept while the
  // same list is asked for again.
  const std::vector<std::vector<std::string>>& NameKeySeqs(const std::vector<std::string>& n);
};

}  // namespace attest::search::lexical

#endif  // ATTEST_SEARCH_LEXICAL_ANALYSIS_H_
