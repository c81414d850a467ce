// Query translation without a model (doc/ask.md, "Across languages"): a question's words in
// the archive's other languages, from Debian's FreeDict dictionaries (text::Dictionary),
// Arabic and French meeting through English. Thread-safe once loaded (const).
#ifndef ATTEST_SEARCH_TRANSLATE_H_
#define ATTEST_SEARCH_TRANSLATE_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "text/analyzer.h"
#include "text/dictionary.h"

namespace attest::search {

// Function words of Arabic, Hebrew, English and French ("the", "في", "של", "les"), by their
// dictionary key (text::Dictionary::Key): they are left out of Ask's questions and of
// translations, where they would match nearly every segment.
bool IsFunctionWord(std::string_view word);

// The languages a question's words may be in, from its letters: Arabic or Hebrew script, or
// for Latin letters English and French both (a word that is not in one language's dictionary
// simply has no translation from it). Empty if it has no letters of these scripts.
std::vector<text::Lang> QuestionLangs(std::string_view question);

class Translator {
 public:
  // Loads every FreeDict pair between the archive's languages installed under `dir`; a pair
  // that is missing is simply not used (Hebrew has none in Debian). kCorruption if one is
  // there but unreadable.
  static Result<std::unique_ptr<Translator>> Load(const std::string& dir = "/usr/share/dictd");
  // From dictionaries already loaded (tests).
  explicit Translator(std::vector<std::unique_ptr<text::Dictionary>> dictionaries);

  struct Word {
    std::string text;  // a word of the translation
    double weight;     // below 1: shared among a source word's translations, less by a pivot
    text::Lang lang;
  };
  // The translations, into every other language it can reach, of `words` (the question's
  // words, function words left out) read as language `from`. Each source word's translations
  // share its weight; a word reached through English weighs less again. At most a few
  // translations a word and a language, in the dictionary's order.
  std::vector<Word> Translate(const std::vector<std::string>& words, text::Lang from) const;
  // Whether any dictionary, direct or through English, leads from `from` to `to`.
  bool Reaches(text::Lang from, text::Lang to) const;

 private:
  const text::Dictionary* Pair(text::Lang from, text::Lang to) const;
  std::map<std::pair<text::Lang, text::Lang>, std::unique_ptr<text::Dictionary>> pairs_;
};

}  // namespace attest::search

#endif  // ATTEST_SEARCH_TRANSLATE_H_
