// The text of Word (.docx, Office Open XML) and OpenDocument (.odt) documents: paragraphs in
// document order, separated by '\n'. Thread-safe: pure.
#ifndef ATTEST_INGEST_OFFICE_EXTRACT_H_
#define ATTEST_INGEST_OFFICE_EXTRACT_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace attest::ingest {

// kInvalidArgument naming what is wrong if `bytes` is not such a document.
Result<std::string> ExtractDocxText(std::string_view bytes);
Result<std::string> ExtractOdtText(std::string_view bytes);

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_OFFICE_EXTRACT_H_
