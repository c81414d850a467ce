// OCR of page images with Tesseract (ara, heb, fra, eng from Debian's language packs): each
// page's text in reading order, with every word's box and confidence. An Ocr object is not
// thread-safe: use one per thread (it keeps Tesseract loaded between pages).
#ifndef ATTEST_INGEST_OCR_H_
#define ATTEST_INGEST_OCR_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace attest::ingest {

struct OcrWord {
  std::string text;
  int box[4] = {0, 0, 0, 0};   // x0, y0, x1, y1 in pixels from the top-left corner
  int confidence = 0;          // 0-100
  int64_t start = 0, end = 0;  // code points in the page's text
};

struct OcrPage {
  int width = 0, height = 0;
  std::string text;  // words separated by spaces, lines by '\n', blocks by a blank line
  std::vector<OcrWord> words;
  int confidence = 0;  // mean word confidence
  // The page as OCR saw it, a JPEG at most kPageImageWidth wide, when Ocr::KeepPageImages is
  // on (doc/format/manifest.md, blob role `page`); else empty.
  std::string image_jpeg;
};

constexpr int kPageImageWidth = 1600;

// Where Tesseract's language files are (Debian: /usr/share/tesseract-ocr/5/tessdata), or the
// TESSDATA_PREFIX environment variable's directory if set.
std::string DefaultTessdataDir();

// Tesseract's languages for attest's: he -> heb, ar -> ara, fr -> fra, en -> eng; empty for
// others (the script is then detected).
std::string TesseractLanguage(std::string_view lang);

class Ocr {
 public:
  explicit Ocr(std::string tessdata_dir);
  ~Ocr();

  // Reads one page. `tess_lang`: e.g. "heb", or "" to detect the script first (Tesseract's
  // orientation and script detection), then read with that script's language.
  // `gray`: width × height bytes, row by row.
  Result<OcrPage> Read(int width, int height, const uint8_t* gray, std::string tess_lang);
  // Reads every page of a PNG, JPEG or TIFF (multi-page) held in `bytes`.
  Result<std::vector<OcrPage>> ReadImage(std::string_view bytes, const std::string& tess_lang);

  // Whether Read and ReadImage also keep each page as a JPEG (for originals browsers cannot
  // show: PDF, TIFF).
  void KeepPageImages(bool keep) { page_images_ = keep; }

  // The language Read last used (after detection).
  const std::string& last_language() const { return last_lang_; }
  // Name and SHA-256 of the language files behind `tess_lang` ("heb+eng": two).
  Result<std::vector<std::pair<std::string, std::string>>> Models(const std::string& tess_lang);
  static std::string Version();

 private:
  struct Engine;
  Result<Engine*> EngineFor(const std::string& tess_lang);
  // Tesseract's script for a page (a Pix*), or "" if OSD cannot tell.
  Result<std::string> DetectLanguage(void* pix);
  Result<OcrPage> ReadPix(void* pix, std::string tess_lang);

  std::string tessdata_;
  std::map<std::string, std::unique_ptr<Engine>> engines_;
  std::string last_lang_;
  bool page_images_ = false;
};

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_OCR_H_
