#include "text/tokenizer.h"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>

#include <memory>

#include "core/json.h"

namespace attest::text {

namespace {

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

}  // namespace

std::string NormalizeFold(std::string_view utf8) {
  if (IsAscii(utf8)) {  // NFKC leaves ASCII as it is; case folding lowers A-Z
    std::string out(utf8);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) return std::string(utf8);
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  icu::UnicodeString out = nfkc_cf->normalize(in, status);
  if (U_FAILURE(status)) return std::string(utf8);
  std::string result;
  out.toUTF8String(result);
  return result;
}

std::string FoldAccents(std::string_view utf8) {
  if (IsAscii(utf8)) return std::string(utf8);  // no accents to fold
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(utf8);
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  icu::UnicodeString decomposed = nfd->normalize(in, status);
  icu::UnicodeString kept;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    // Drop marks that follow a Latin letter; Hebrew and Arabic marks have their own folding.
    if (u_charType(c) == U_NON_SPACING_MARK && kept.length() > 0) {
      UChar32 prev = kept.char32At(kept.length() - 1);
      if (uscript_getScript(prev, &status) == USCRIPT_LATIN) continue;
    }
    kept.append(c);
  }
  icu::UnicodeString composed = nfc->normalize(kept, status);
  std::string result;
  composed.toUTF8String(result);
  return result;
}

Result<std::vector<Token>> Tokenize(std::string_view utf8) {
  if (!IsValidUtf8(utf8)) return Status::InvalidArgument("text is not valid UTF-8");
  UErrorCode status = U_ZERO_ERROR;
  // One break iterator a thread (making one is far dearer than segmenting a sentence).
  thread_local std::unique_ptr<icu::BreakIterator> words(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || !words) {
    return Status::Unavailable("ICU word segmentation is unavailable");
  }
  UText* ut = utext_openUTF8(nullptr, utf8.data(), static_cast<int64_t>(utf8.size()), &status);
  if (U_FAILURE(status)) return Status::InvalidArgument("text cannot be segmented");
  words->setText(ut, status);
  std::vector<Token> out;
  int32_t start = words->first();
  for (int32_t end = words->next(); end != icu::BreakIterator::DONE;
       start = end, end = words->next()) {
    if (words->getRuleStatus() < UBRK_WORD_NONE_LIMIT) continue;  // spaces, punctuation
    Token t;
    t.start = static_cast<uint32_t>(start);
    t.end = static_cast<uint32_t>(end);
    t.surface = std::string(utf8.substr(t.start, t.end - t.start));
    t.norm = NormalizeFold(t.surface);
    t.position = static_cast<uint32_t>(out.size());
    out.push_back(std::move(t));
  }
  utext_close(ut);
  return out;
}

}  // namespace attest::text
