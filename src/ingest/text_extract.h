// Plain text and Markdown in the encodings testimony files come in: UTF-8, UTF-16 (with or
// without a byte-order mark), Windows-1255 and ISO-8859-8 (Hebrew), Windows-1256 and
// ISO-8859-6 (Arabic), Windows-1252 and ISO-8859-1 (French, English). Thread-safe: pure.
#ifndef ATTEST_INGEST_TEXT_EXTRACT_H_
#define ATTEST_INGEST_TEXT_EXTRACT_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace attest::ingest {

struct DecodedText {
  std::string utf8;      // always valid UTF-8, without a byte-order mark
  std::string encoding;  // the name ICU gives it: UTF-8, UTF-16LE, windows-1255, ...
  int confidence = 0;    // 0-100: 100 when the bytes leave no doubt (valid UTF-8, a BOM)
  std::string method;    // how it was decided: bom, utf8, utf16-pattern, icu
};

// "UTF-16LE" or "UTF-16BE" if `bytes` (without a BOM) look like UTF-16 text: one byte of each
// pair takes few values (the script's block), the other many; else nullptr.
const char* Utf16Pattern(std::string_view bytes);

// Decodes `bytes`; kInvalidArgument if they are in none of the encodings above.
Result<DecodedText> DecodeText(std::string_view bytes);

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_TEXT_EXTRACT_H_
