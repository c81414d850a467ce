// Text layers of PDFs (poppler-cpp), and their pages as images for OCR. Right-to-left text
// comes out in logical order. Thread-safe: each call loads its own document.
#ifndef ATTEST_INGEST_PDF_EXTRACT_H_
#define ATTEST_INGEST_PDF_EXTRACT_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace attest::ingest {

struct PdfText {
  std::vector<std::string> pages;  // UTF-8, one per page, lines separated by '\n'
  size_t letters = 0;              // letters and digits in all pages
};

// kInvalidArgument naming what is wrong if `bytes` is not a PDF poppler can read (damaged,
// encrypted with a password, no pages).
Result<PdfText> ExtractPdfText(std::string_view bytes);
// Whether the text layer is worth keeping: enough letters per page that the PDF is not a
// scan (a scan's pages are images, perhaps with a stray header line).
bool HasTextLayer(const PdfText& t);

// Renders each page at `dpi` as 8-bit gray pixels, row by row (width × height bytes), and
// gives it to `page` (1-based number); stops at the first error `page` returns.
using PageImageFn = std::function<Status(int page, int width, int height, const uint8_t* gray)>;
Status RenderPdfPages(std::string_view bytes, int dpi, const PageImageFn& page);

// The version of poppler attest was built with.
std::string PopplerVersion();

// A line in visual order as poppler lays it out, with its embedding marks, in the logical
// order a person would have typed it (ICU BiDi: visual, then inverse). For RTL text.
std::string LogicalLine(std::string_view line);

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_PDF_EXTRACT_H_
