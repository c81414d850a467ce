#include "text/analyzer.h"

#include <unicode/unistr.h>
#include <xapian.h>

#include <algorithm>

namespace attest::text {
namespace {

icu::UnicodeString U(std::string_view s) {
  return icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
}

std::string Utf8(const icu::UnicodeString& u) {
  std::string out;
  u.toUTF8String(out);
  return out;
}

bool IsArabicDiacritic(UChar32 c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || (c >= 0x06D6 && c <= 0x06ED) ||
         c == 0x0640;  // tashkeel, Quranic marks, superscript alef, tatweel
}

bool IsHebrewMark(UChar32 c) {
  return (c >= 0x0591 && c <= 0x05AF) ||  // cantillation
         (c >= 0x05B0 && c <= 0x05BD) || c == 0x05BF || c == 0x05C1 || c == 0x05C2 || c == 0x05C4 ||
         c == 0x05C5 || c == 0x05C7;  // niqqud, dagesh, shin/sin dots
}

bool IsHebrewLetter(UChar32 c) { return c >= 0x05D0 && c <= 0x05EA; }

// Rewrites a word code point by code point: `f(c, out)` returns the code point to keep (maybe
// another) or -1 to drop it; `out` is what has been kept so far.
template <typename F>
std::string MapCodePoints(std::string_view word, F f) {
  icu::UnicodeString in = U(word), out;
  for (int32_t i = 0; i < in.length();) {
    UChar32 c = in.char32At(i);
    i += U16_LENGTH(c);
    UChar32 kept = f(c, out);
    if (kept >= 0) out.append(kept);
  }
  return Utf8(out);
}

// Prefix letters.
constexpr UChar32 kVav = 0x05D5, kShin = 0x05E9, kKaf = 0x05DB, kMem = 0x05DE, kBet = 0x05D1,
                  kLamed = 0x05DC, kHe = 0x05D4;

}  // namespace

Lang LangFromTag(std::string_view tag) {
  std::string_view base = tag.substr(0, tag.find('-'));
  if (base == "ar" || base == "arb") return Lang::kArabic;
  if (base == "he" || base == "iw" || base == "heb") return Lang::kHebrew;
  if (base == "en" || base == "eng") return Lang::kEnglish;
  if (base == "fr" || base == "fra" || base == "fre") return Lang::kFrench;
  return Lang::kUnknown;
}

const char* LangTag(Lang lang) {
  switch (lang) {
    case Lang::kArabic:
      return "ar";
    case Lang::kHebrew:
      return "he";
    case Lang::kEnglish:
      return "en";
    case Lang::kFrench:
      return "fr";
    case Lang::kUnknown:
      return "und";
  }
  return "und";
}

std::string StripArabicMarks(std::string_view word) {
  return MapCodePoints(word, [](UChar32 c, const icu::UnicodeString&) -> UChar32 {
    return IsArabicDiacritic(c) ? -1 : c;
  });
}

std::string FoldArabic(std::string_view word) {
  return MapCodePoints(word, [](UChar32 c, const icu::UnicodeString&) -> UChar32 {
    if (IsArabicDiacritic(c)) return -1;
    switch (c) {
      case 0x0623:
      case 0x0625:
      case 0x0622:
      case 0x0671:
        return 0x0627;  // أ إ آ ٱ → ا
      case 0x0649:
        return 0x064A;  // ى → ي
      case 0x0629:
        return 0x0647;  // ة → ه
      case 0x0624:
      case 0x0626:
        return 0x0621;  // ؤ ئ → ء
      default:
        break;
    }
    if (c >= 0x0660 && c <= 0x0669) return '0' + (c - 0x0660);  // Arabic-Indic digits
    if (c >= 0x06F0 && c <= 0x06F9) return '0' + (c - 0x06F0);  // Eastern Arabic-Indic
    return c;
  });
}

std::string FoldHebrew(std::string_view word) {
  return MapCodePoints(word, [](UChar32 c, const icu::UnicodeString& out) -> UChar32 {
    if (IsHebrewMark(c)) return -1;
    // Geresh and gershayim, and their stand-ins ' " ’ after a Hebrew letter (acronyms and
    // abbreviations: צה"ל, ת"א); an apostrophe elsewhere (l'homme, everyone's) stays.
    if (c == 0x05F3 || c == 0x05F4) return -1;
    if ((c == '\'' || c == '"' || c == 0x2019) && out.length() > 0 &&
        IsHebrewLetter(out.char32At(out.length() - 1))) {
      return -1;
    }
    switch (c) {
      case 0x05DA:
        return 0x05DB;  // ך → כ
      case 0x05DD:
        return 0x05DE;  // ם → מ
      case 0x05DF:
        return 0x05E0;  // ן → נ
      case 0x05E3:
        return 0x05E4;  // ף → פ
      case 0x05E5:
        return 0x05E6;  // ץ → צ
      default:
        return c;
    }
  });
}

std::vector<std::string> HebrewPrefixVariants(std::string_view word) {
  icu::UnicodeString w = U(word);
  std::vector<std::string> out;
  int32_t n = w.countChar32();
  for (int32_t i = 0; i < n; ++i) {
    if (!IsHebrewLetter(w.char32At(w.moveIndex32(0, i)))) return out;  // Hebrew words only
  }
  auto at = [&](int32_t k) { return k < n ? w.char32At(w.moveIndex32(0, k)) : 0; };
  // Walk the prefix grammar ו? (ש|כש)? (מ|ב|ל|כ)? ה? and record every cut.
  std::vector<int32_t> cuts;
  int32_t k = 0;
  auto cut = [&] {
    if (k > 0 && n - k >= 2) cuts.push_back(k);
  };
  if (at(k) == kVav) {
    ++k;
    cut();
  }
  if (at(k) == kShin) {
    ++k;
    cut();
  } else if (at(k) == kKaf && at(k + 1) == kShin) {
    k += 2;
    cut();
  }
  UChar32 c = at(k);
  if (c == kMem || c == kBet || c == kLamed || c == kKaf) {
    ++k;
    cut();
  }
  if (at(k) == kHe) {
    ++k;
    cut();
  }
  for (int32_t cpos : cuts) {
    icu::UnicodeString rest;
    w.extract(w.moveIndex32(0, cpos), w.length(), rest);
    out.push_back(Utf8(rest));
  }
  return out;
}

std::string StripFrenchElision(std::string_view word) {
  static const char* kElided[] = {"jusqu", "lorsqu", "puisqu", "quoiqu", "qu", "l", "d",
                                  "j",     "m",      "n",      "s",      "t",  "c"};
  for (const char* e : kElided) {
    std::string_view p(e);
    if (word.size() <= p.size() || word.substr(0, p.size()) != p) continue;
    std::string_view rest = word.substr(p.size());
    for (std::string_view apostrophe : {std::string_view("'"), std::string_view("\u2019")}) {
      if (rest.size() > apostrophe.size() && rest.substr(0, apostrophe.size()) == apostrophe) {
        return std::string(rest.substr(apostrophe.size()));
      }
    }
  }
  return std::string(word);
}

std::string StripEnglishPossessive(std::string_view word) {
  for (std::string_view suffix : {std::string_view("'s"), std::string_view("\u2019s"),
                                  std::string_view("'"), std::string_view("\u2019")}) {
    if (word.size() > suffix.size() && word.substr(word.size() - suffix.size()) == suffix) {
      return std::string(word.substr(0, word.size() - suffix.size()));
    }
  }
  return std::string(word);
}

struct Analyzer::Internal {
  Xapian::Stem stem;
};

Analyzer::Analyzer(Lang lang) : lang_(lang), rep_(new Internal) {
  switch (lang) {
    case Lang::kArabic:
      rep_->stem = Xapian::Stem("arabic");
      break;
    case Lang::kEnglish:
      rep_->stem = Xapian::Stem("english");
      break;
    case Lang::kFrench:
      rep_->stem = Xapian::Stem("french");
      break;
    default:
      break;  // Hebrew has no Snowball stemmer; prefix variants stand in for it
  }
}

Analyzer::~Analyzer() = default;

std::unique_ptr<Analyzer> Analyzer::For(Lang lang) {
  return std::unique_ptr<Analyzer>(new Analyzer(lang));
}

std::vector<Term> Analyzer::AnalyzeToken(const Token& token) {
  std::vector<Term> out;
  auto add = [&](std::string text, TermKind kind) {
    if (text.empty()) return;
    for (const Term& t : out) {
      if (t.text == text && t.kind == kind) return;  // one term per form and kind
    }
    // A variant equal to the word adds nothing.
    if (kind == TermKind::kVariant && !out.empty() && out[0].text == text) return;
    out.push_back(Term{std::move(text), kind, token.position, token.start, token.end});
  };
  // Every script's folding applies to a word of that script whatever the text's language
  // (a French text may quote an Arabic name).
  std::string word = FoldHebrew(FoldArabic(token.norm));
  switch (lang_) {
    case Lang::kArabic:
      add(word, TermKind::kWord);
      // Snowball's Arabic stemmer reads teh marbuta and hamza forms itself: stem before
      // folding letters, then fold the stem.
      add(FoldArabic(rep_->stem(StripArabicMarks(token.norm))), TermKind::kStem);
      break;
    case Lang::kHebrew:
      add(word, TermKind::kWord);
      for (auto& v : HebrewPrefixVariants(word)) add(std::move(v), TermKind::kVariant);
      break;
    case Lang::kFrench: {
      std::string w = StripFrenchElision(word);
      add(w, TermKind::kWord);
      add(FoldAccents(w), TermKind::kVariant);
      add(FoldAccents(rep_->stem(w)), TermKind::kStem);
      break;
    }
    case Lang::kEnglish: {
      std::string w = StripEnglishPossessive(word);
      add(w, TermKind::kWord);
      add(FoldAccents(w), TermKind::kVariant);
      add(rep_->stem(FoldAccents(w)), TermKind::kStem);
      break;
    }
    case Lang::kUnknown:
      add(word, TermKind::kWord);
      add(FoldAccents(word), TermKind::kVariant);
      for (auto& v : HebrewPrefixVariants(word)) add(std::move(v), TermKind::kVariant);
      break;
  }
  return out;
}

Result<std::vector<Term>> Analyzer::Analyze(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  std::vector<Term> out;
  for (const Token& t : tokens) {
    auto terms = AnalyzeToken(t);
    out.insert(out.end(), std::make_move_iterator(terms.begin()),
               std::make_move_iterator(terms.end()));
  }
  return out;
}

}  // namespace attest::text
