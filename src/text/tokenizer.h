// Word segmentation (ICU, UAX #29) and the normalisation every analyser starts from
// (NFKC with case folding), keeping byte offsets into the original UTF-8 so that every term
// maps back to the exact place a witness's words stand. Thread-safe: pure functions.
#ifndef ATTEST_TEXT_TOKENIZER_H_
#define ATTEST_TEXT_TOKENIZER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace attest::text {

// A word of a text.
struct Token {
  std::string surface;    // the bytes of the original text
  std::string norm;       // NFKC case-folded
  uint32_t start = 0;     // byte offset of the word in the original text
  uint32_t end = 0;       // one past its last byte
  uint32_t position = 0;  // index among the words of the text
};

// Splits UTF-8 text into words (letters or digits; punctuation and spaces are skipped).
// kInvalidArgument if the text is not valid UTF-8.
Result<std::vector<Token>> Tokenize(std::string_view utf8);

// NFKC with case folding (ICU's nfkc_cf), UTF-8 in and out. REQUIRES: valid UTF-8.
std::string NormalizeFold(std::string_view utf8);

// Removes combining marks after canonical decomposition (é → e, ç → c), for Latin-script
// folding; leaves other scripts' letters alone. REQUIRES: valid UTF-8.
std::string FoldAccents(std::string_view utf8);

}  // namespace attest::text

#endif  // ATTEST_TEXT_TOKENIZER_H_
