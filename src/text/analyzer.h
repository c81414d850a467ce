// Per-language analysis: from a text to the terms attest indexes and queries with
// (DESIGN.md, "Text and search"). One Analyzer per language; index and query use the same
// one, so a query finds a word however the witness's text or the searcher spelled it.
// Not thread-safe (its stemmer keeps state): use one per thread.
#ifndef ATTEST_TEXT_ANALYZER_H_
#define ATTEST_TEXT_ANALYZER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "text/tokenizer.h"

namespace attest::text {

enum class Lang { kUnknown, kArabic, kHebrew, kEnglish, kFrench };

// "ar", "he" (or the old "iw"), "en", "fr", with or without subtags; anything else kUnknown.
Lang LangFromTag(std::string_view tag);
const char* LangTag(Lang lang);

// What a term is, so the index can keep kinds apart (stems never match surface words).
enum class TermKind {
  kWord,     // the folded word itself
  kVariant,  // the same word in another accepted spelling (accents folded, prefix removed)
  kStem,     // a Snowball stem
};

struct Term {
  std::string text;
  TermKind kind = TermKind::kWord;
  uint32_t position = 0;  // the word's index in the text
  uint32_t start = 0;     // byte range of the word in the original text
  uint32_t end = 0;
};

// Arabic folding: strips tashkeel, superscript alef and tatweel; folds أ إ آ ٱ to ا, ى to ي,
// ة to ه, ؤ ئ to ء; Arabic-Indic and Eastern Arabic-Indic digits to ASCII.
std::string FoldArabic(std::string_view word);
// Only the tashkeel, superscript alef and tatweel of FoldArabic.
std::string StripArabicMarks(std::string_view word);
// Hebrew folding: strips niqqud and cantillation marks; folds final letters ך ם ן ף ץ to
// their medial forms; removes geresh and gershayim (׳ ״ and ASCII ' ") inside a word, so
// צה"ל and צה״ל are צהל.
std::string FoldHebrew(std::string_view word);
// The word without each one-letter-prefix chain it may carry (ו, ש or כש, one of מ ב ל כ,
// then ה, in that order: ומהבית → מהבית, הבית, בית), keeping only rests of two letters or
// more. REQUIRES: `word` already folded.
std::vector<std::string> HebrewPrefixVariants(std::string_view word);
// French elisions: l' d' j' m' n' s' t' c' qu' jusqu' lorsqu' puisqu' quoiqu' (with ' or ’)
// removed from the front of a word.
std::string StripFrenchElision(std::string_view word);
// English possessives: trailing 's, ’s or ' removed.
std::string StripEnglishPossessive(std::string_view word);

class Analyzer {
 public:
  static std::unique_ptr<Analyzer> For(Lang lang);
  virtual ~Analyzer();

  Lang lang() const { return lang_; }
  // Every term of `text`, word by word, in order; kInvalidArgument if not UTF-8.
  Result<std::vector<Term>> Analyze(std::string_view text);
  // The terms of one word (already tokenised).
  std::vector<Term> AnalyzeToken(const Token& token);

 private:
  struct Internal;
  explicit Analyzer(Lang lang);
  Lang lang_;
  std::unique_ptr<Internal> rep_;
};

}  // namespace attest::text

#endif  // ATTEST_TEXT_ANALYZER_H_
