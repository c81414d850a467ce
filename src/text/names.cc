#include "text/names.h"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <memory>

#include "text/analyzer.h"
#include "text/tokenizer.h"

namespace attest::text {
namespace {

icu::Transliterator* ToLatin() {
  thread_local std::unique_ptr<icu::Transliterator> t = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> tr(icu::Transliterator::createInstance(
        "Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
    if (U_FAILURE(status)) tr.reset();
    return tr;
  }();
  return t.get();
}

}  // namespace

std::string NameKey(std::string_view word) {
  // Script folding first: niqqud and tashkeel go, final letters and teh marbuta fold.
  std::string folded = FoldHebrew(FoldArabic(NormalizeFold(word)));
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(folded.data(), static_cast<int32_t>(folded.size())));
  if (icu::Transliterator* t = ToLatin()) t->transliterate(u);
  std::string latin;
  u.toUTF8String(latin);
  std::string letters;
  for (char c : latin) {
    if (c >= 'a' && c <= 'z') letters.push_back(c);
  }
  std::string key;
  for (size_t i = 0; i < letters.size(); ++i) {
    char c = letters[i];
    char next = i + 1 < letters.size() ? letters[i + 1] : 0;
    if (next == 'h' && (c == 'k' || c == 'c' || c == 's' || c == 'g' || c == 't' || c == 'p' ||
                        c == 'z' || c == 'd')) {
      ++i;  // digraphs: kh ch → h, sh → s, gh → g, th → t, ph → f, zh → z, dh → d
      c = c == 'k' || c == 'c' ? 'h' : c == 'p' ? 'f' : c;
    } else {
      switch (c) {
        case 'a':
        case 'e':
        case 'i':
        case 'o':
        case 'u':
        case 'w':
        case 'y':
          continue;
        case 'p':
          c = 'f';
          break;
        case 'v':
          c = 'b';
          break;
        case 'q':
        case 'c':
          c = 'k';
          break;
        case 'j':
          c = 'g';
          break;
        case 'x':
          key += 'k';
          c = 's';
          break;
        default:
          break;
      }
    }
    if (!key.empty() && key.back() == c) continue;  // doubled letters count once
    key.push_back(c);
  }
  // A final h is a vowel letter (Hebrew ה, Arabic ه from ة) more often than not.
  if (key.size() > 1 && key.back() == 'h') key.pop_back();
  return key;
}

std::vector<std::string> NameKeys(std::string_view name) {
  std::vector<std::string> out;
  auto tokens = Tokenize(name);
  if (!tokens.ok()) return out;
  for (const Token& t : *tokens) {
    std::string k = NameKey(t.surface);
    if (!k.empty()) out.push_back(std::move(k));
  }
  return out;
}

}  // namespace attest::text
