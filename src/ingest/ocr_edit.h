// OCR text as a person corrects it (doc/workspace.md, "Correcting OCR text"): a record's OCR
// version read back with its words, their boxes and their layout, and one page of it corrected,
// added as a new version with human provenance (doc/format/manifest.md, the `ocr` blob).
#ifndef ATTEST_INGEST_OCR_EDIT_H_
#define ATTEST_INGEST_OCR_EDIT_H_

#include <optional>
#include <string>
#include <vector>

#include "archive/archive.h"

namespace attest::ingest {

struct OcrBoxedWord {
  std::string text;
  int64_t box[4] = {0, 0, 0, 0};  // x0, y0, x1, y1 in the page's pixels
  int confidence = -1;            // 0-100; -1 for a word a person corrected
  int64_t start = 0, end = 0;     // code points in the version's text
  // How it stands after the word before it on its page: 0 on the same line, 1 on a new line,
  // 2 in a new block (the first word of a page: 2).
  int breaks = 0;
};

struct OcrPageWords {
  int page = 0;  // 1-based
  int64_t width = 0, height = 0;
  int confidence = -1;
  std::vector<OcrBoxedWord> words;  // in reading order
};

// One OCR version of a record, as stored.
struct OcrDoc {
  std::string record;
  int version = 0;
  int from = 0;  // the version OCR read
  std::string tool, tool_version, lang;
  std::string text;  // the `text` blob: pages separated by U+000C
  std::vector<OcrPageWords> pages;
  std::vector<std::string> page_images;  // SHA-256 of its `page` blobs, page by page
};

// The record's newest OCR version, or `version` (which must be one). kNotFound if it has none.
Result<OcrDoc> LoadOcr(archive::Archive* archive, const std::string& record,
                       std::optional<int> version);

// The most bytes a corrected word may have.
inline constexpr size_t kMaxOcrWord = 1000;

// Page `page` of OCR version `edited` corrected by a person: `words` are the page's words as
// they left them, one for each word OCR read there, in order ("" takes a word out). Added as a
// derived version of the source OCR read, artifact `ocr`, tool `human`, params {"by", "edits":
// edited, "page": page}, with the text rebuilt around the new words, the same boxes and page
// images, and the corrected words without a confidence. Each page is saved by itself: when a
// newer OCR version was saved since `edited` but left page `page` as it was, the words go onto
// that newest version (params "edits" names it); kConflict, naming the newer version and how
// many words it changed, if it changed the page;
// kInvalidArgument for a page it does not have, a count of words that is not the page's, a
// word over kMaxOcrWord bytes, a document left without words, or nothing changed.
Result<meta::Version> CorrectOcr(archive::Archive* archive, const std::string& record_id,
                                 int edited, int page, const std::vector<std::string>& words,
                                 const std::string& by);

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_OCR_EDIT_H_
