#include "search/translate.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <set>
#include <unordered_set>

#include "text/tokenizer.h"

namespace attest::search {
namespace {

using text::Lang;

// Written as Dictionary::Key forms them: lower case, Arabic without marks and with its alef,
// yeh and teh marbuta folded.
const std::unordered_set<std::string>& FunctionWords() {
  static const auto* words = new std::unordered_set<std::string>{
      // English
      "the", "a", "an", "of", "to", "in", "on", "at", "by", "for", "with", "from", "and", "or",
      "but", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that",
      "these", "those", "what", "which", "who", "whom", "when", "where", "why", "how", "did", "do",
      "does", "done", "has", "have", "had", "i", "you", "he", "she", "we", "they", "them", "his",
      "her", "their", "our", "my", "me", "us", "as", "not", "no", "so", "if", "then", "than",
      "there", "here", "into", "about", "over", "under", "up", "out", "also", "very", "can",
      "could", "would", "should", "will", "shall", "may", "might", "must", "all", "any", "each",
      "some", "such", "only", "other", "one", "someone", "something", "oneself", "himself",
      "herself", "themselves", "either", "neither",
      // French
      "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "à", "au", "aux", "et", "ou",
      "mais", "donc", "ni", "car", "que", "qu", "qui", "quoi", "dont", "où", "ce", "cet", "cette",
      "ces", "c", "ça", "se", "s", "sa", "son", "ses", "leur", "leurs", "il", "elle", "ils",
      "elles", "nous", "vous", "je", "j", "tu", "m", "te", "t", "lui", "y", "en", "ne", "n", "pas",
      "plus", "est", "sont", "était", "étaient", "été", "être", "avoir", "ont", "avait", "avaient",
      "fait", "comment", "quand", "pourquoi", "quel", "quelle", "quels", "quelles", "dans", "sur",
      "sous", "par", "pour", "avec", "sans", "entre", "vers", "chez", "comme", "si", "tout", "tous",
      "toute", "toutes", "très", "aussi", "nul", "quelqu", "quiconque",
      // Arabic (folded)
      "في", "من", "علي", "الي", "ان", "عن", "مع", "هذا", "هذه", "ذلك", "تلك", "التي", "الذي",
      "الذين", "كان", "كانت", "كيف", "ما", "ماذا", "متي", "اين", "هل", "او", "و", "ثم", "لا", "لم",
      "لن", "قد", "كل", "بين", "عند", "حتي", "بعد", "قبل", "هو", "هي", "هم", "انا", "نحن", "انت",
      "له", "لها", "لهم", "به", "بها", "فيه", "فيها", "اي", "ايه", "اذا", "لكل", "دون", "يكون",
      // Hebrew
      "של", "את", "על", "עם", "זה", "זאת", "הוא", "היא", "הם", "הן", "אני", "אנחנו", "לא", "כן",
      "מה", "מי", "איך", "איפה", "מתי", "למה", "כי", "אם", "או", "גם", "רק", "כל", "יש", "אין",
      "היה", "היתה", "הייתה", "היו", "אל", "עד", "אחרי", "לפני", "בין", "אשר", "כדי", "לו", "לה",
      "להם", "בו", "בה"};
  return *words;
}

// Forms a dictionary may list `key` under: as it is, and without the article, a clitic or an
// inflection the dictionaries do not list (English and French plurals, Arabic al- and wa-).
std::vector<std::string> Lemmas(const std::string& key, Lang lang) {
  std::vector<std::string> out = {key};
  auto ends = [&](std::string_view s) {
    return key.size() > s.size() + 2 && key.compare(key.size() - s.size(), s.size(), s) == 0;
  };
  auto stem = [&](size_t drop, std::string_view add = "") {
    out.push_back(key.substr(0, key.size() - drop) + std::string(add));
  };
  switch (lang) {
    case Lang::kEnglish:
      if (ends("ies")) stem(3, "y");
      if (ends("es")) stem(2);
      if (ends("s") && !ends("ss")) stem(1);
      if (ends("ed")) stem(2), stem(1);
      if (ends("ing")) stem(3), stem(3, "e");
      break;
    case Lang::kFrench:
      if (ends("aux")) stem(3, "al");
      if (ends("s") || ends("x")) stem(1);
      if (ends("es")) stem(2);
      break;
    case Lang::kArabic:
      for (std::string_view p : {"وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف"}) {
        if (key.size() > p.size() + 4 && key.compare(0, p.size(), p) == 0) {
          out.push_back(key.substr(p.size()));
        }
      }
      if (ends("ات")) stem(4);
      if (ends("ون") || ends("ين")) stem(4);
      break;
    default:
      break;
  }
  return out;
}

// The word without a French elision (l', qu', d'…).
std::string_view WithoutElision(std::string_view w) {
  for (std::string_view apostrophe : {"'", "\u2019"}) {
    size_t at = w.find(apostrophe);
    if (at != std::string_view::npos && at > 0 && at <= 2) return w.substr(at + apostrophe.size());
  }
  return w;
}

constexpr size_t kTranslationsPerWord = 4;  // of each word into each language
constexpr double kDirect = 1.0;
constexpr double kThroughEnglish = 0.7;

}  // namespace

bool IsFunctionWord(std::string_view word) {
  std::string lower = text::Dictionary::Key(WithoutElision(word), Lang::kEnglish);
  return FunctionWords().count(text::Dictionary::Key(lower, Lang::kArabic)) > 0;
}

std::vector<Lang> QuestionLangs(std::string_view question) {
  bool arabic = false, hebrew = false, latin = false;
  int32_t i = 0, n = static_cast<int32_t>(question.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(question.data(), i, n, c);
    if (c < 0 || !u_isalpha(c)) continue;
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode script = uscript_getScript(c, &err);
    arabic |= script == USCRIPT_ARABIC;
    hebrew |= script == USCRIPT_HEBREW;
    latin |= script == USCRIPT_LATIN;
  }
  std::vector<Lang> out;
  if (arabic) out.push_back(Lang::kArabic);
  if (hebrew) out.push_back(Lang::kHebrew);
  if (latin) out.insert(out.end(), {Lang::kEnglish, Lang::kFrench});
  return out;
}

Translator::Translator(std::vector<std::unique_ptr<text::Dictionary>> dictionaries) {
  for (auto& d : dictionaries) {
    auto key = std::pair(d->from(), d->to());
    pairs_[key] = std::move(d);
  }
}

Result<std::unique_ptr<Translator>> Translator::Load(const std::string& dir) {
  std::vector<std::unique_ptr<text::Dictionary>> found;
  for (Lang a : {Lang::kArabic, Lang::kHebrew, Lang::kEnglish, Lang::kFrench}) {
    for (Lang b : {Lang::kArabic, Lang::kHebrew, Lang::kEnglish, Lang::kFrench}) {
      if (a == b) continue;
      auto d = text::Dictionary::FreeDict(a, b, dir);
      if (d.ok()) {
        found.push_back(std::move(*d));
      } else if (!d.status().IsNotFound()) {
        return d.status();
      }
    }
  }
  return std::make_unique<Translator>(std::move(found));
}

const text::Dictionary* Translator::Pair(Lang from, Lang to) const {
  auto it = pairs_.find({from, to});
  return it == pairs_.end() ? nullptr : it->second.get();
}

bool Translator::Reaches(Lang from, Lang to) const {
  if (from == to) return false;
  if (Pair(from, to)) return true;
  return Pair(from, Lang::kEnglish) && Pair(Lang::kEnglish, to);
}

std::vector<Translator::Word> Translator::Translate(const std::vector<std::string>& words,
                                                    Lang from) const {
  std::vector<Word> out;
  // Translations of one word by one dictionary: its entries' words, function words left out.
  auto lookup = [](const text::Dictionary& d, std::string_view word) {
    std::vector<std::string> got;
    std::string key = text::Dictionary::Key(WithoutElision(word), d.from());
    for (const auto& form : Lemmas(key, d.from())) {
      got = d.Translate(form);
      if (!got.empty()) break;
    }
    std::vector<std::string> result;
    std::set<std::string> seen;
    for (size_t i = 0; i < got.size() && i < kTranslationsPerWord; ++i) {
      auto tokens = text::Tokenize(got[i]);
      if (!tokens.ok()) continue;
      for (const auto& t : *tokens) {
        bool letters = std::any_of(t.norm.begin(), t.norm.end(), [](char c) {
          return !(c >= '0' && c <= '9');  // a sense's number ("1 torture 2 …") is no word
        });
        if (!letters || IsFunctionWord(t.norm) || !seen.insert(t.norm).second) continue;
        result.push_back(t.norm);
      }
    }
    return result;
  };
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& w : v) s += (s.empty() ? "" : " ") + w;
    return s;
  };
  for (const auto& word : words) {
    if (IsFunctionWord(word)) continue;
    for (Lang to : {Lang::kArabic, Lang::kHebrew, Lang::kEnglish, Lang::kFrench}) {
      if (to == from) continue;
      if (const text::Dictionary* d = Pair(from, to)) {
        auto got = lookup(*d, word);
        if (!got.empty()) out.push_back({join(got), kDirect, to});
        continue;
      }
      const text::Dictionary* first = Pair(from, Lang::kEnglish);
      const text::Dictionary* second = Pair(Lang::kEnglish, to);
      if (!first || !second) continue;
      std::vector<std::string> through;
      std::set<std::string> seen;
      for (const auto& english : lookup(*first, word)) {
        for (auto& w : lookup(*second, english)) {
          if (seen.insert(w).second) through.push_back(std::move(w));
        }
        if (through.size() >= 2 * kTranslationsPerWord) break;
      }
      if (!through.empty()) out.push_back({join(through), kThroughEnglish, to});
    }
  }
  return out;
}

}  // namespace attest::search
