// Splitting plain text into paragraphs, with their places in it, for segments of text
// records. Thread-safe: pure.
#ifndef ATTEST_TEXT_PARAGRAPHS_H_
#define ATTEST_TEXT_PARAGRAPHS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attest::text {

struct Paragraph {
  std::string text;        // the paragraph, without surrounding white space
  int64_t char_start = 0;  // Unicode code points from the start of the text
  int64_t char_end = 0;    // one past the last
};

// Paragraphs are separated by line breaks; lines of only white space are skipped; a
// leading UTF-8 byte-order mark is not part of the text. REQUIRES: valid UTF-8.
std::vector<Paragraph> SplitParagraphs(std::string_view utf8);

// Paragraphs of laid-out text (PDF pages, OCR): blocks of lines separated by blank lines. A
// paragraph's text is the block as it stands, line breaks included; a block longer than
// `max_chars` code points is cut at line breaks. REQUIRES: valid UTF-8.
std::vector<Paragraph> SplitBlocks(std::string_view utf8, int64_t max_chars = 2000);

}  // namespace attest::text

#endif  // ATTEST_TEXT_PARAGRAPHS_H_
