#include "ingest/pdf_extract.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>
#include <poppler-version.h>
#include <unicode/ubidi.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <memory>
#include <mutex>

namespace attest::ingest {
namespace {

// poppler reports damaged PDFs on stderr; attest reports them itself, once, in the job.
void Quiet(const std::string&, void*) {}

void SilencePoppler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(Quiet, nullptr); });
}

Result<std::unique_ptr<poppler::document>> Load(std::string_view bytes) {
  SilencePoppler();
  if (bytes.size() > (1u << 31)) {
    return Status::InvalidArgument("the PDF is larger than 2 GiB, which poppler cannot read");
  }
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) return Status::InvalidArgument("damaged PDF: poppler could not read its structure");
  if (doc->is_locked()) {
    return Status::InvalidArgument("the PDF is encrypted with a password; attest cannot open it");
  }
  if (doc->pages() <= 0) return Status::InvalidArgument("the PDF has no pages");
  return doc;
}

std::string Trim(std::string s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

}  // namespace

std::string PopplerVersion() { return poppler::version_string(); }

std::string LogicalLine(std::string_view line) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(line.data(), static_cast<int32_t>(line.size())));
  bool has_rtl = false;
  for (int32_t i = 0; i < u.length(); ++i) {
    UCharDirection d = u_charDirection(u.charAt(i));
    if (d == U_RIGHT_TO_LEFT || d == U_RIGHT_TO_LEFT_ARABIC || d == U_RIGHT_TO_LEFT_EMBEDDING ||
        d == U_RIGHT_TO_LEFT_OVERRIDE) {
      has_rtl = true;
    }
  }
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UBiDi, decltype(&ubidi_close)> bidi(ubidi_open(), ubidi_close);
  std::u16string visual(u.length() + 8, u'\0'), logical;
  int32_t n = 0;
  if (has_rtl) {
    ubidi_setPara(bidi.get(), u.getBuffer(), u.length(), UBIDI_DEFAULT_LTR, nullptr, &err);
    bool rtl_paragraph = (ubidi_getParaLevel(bidi.get()) & 1) != 0;
    n = ubidi_writeReordered(bidi.get(), visual.data(), static_cast<int32_t>(visual.size()),
                             UBIDI_REMOVE_BIDI_CONTROLS, &err);
    if (U_SUCCESS(err)) {
      ubidi_setReorderingMode(bidi.get(), UBIDI_REORDER_INVERSE_LIKE_DIRECT);
      ubidi_setPara(bidi.get(), visual.data(), n, rtl_paragraph ? 1 : 0, nullptr, &err);
      logical.resize(n + 8);
      n = ubidi_writeReordered(bidi.get(), logical.data(), static_cast<int32_t>(logical.size()),
                               UBIDI_REMOVE_BIDI_CONTROLS, &err);
    }
  }
  std::string out;
  if (has_rtl && U_SUCCESS(err)) {
    icu::UnicodeString(logical.data(), n).toUTF8String(out);
    return out;
  }
  // Left-to-right text: only poppler's embedding marks go.
  icu::UnicodeString plain;
  for (int32_t i = 0; i < u.length(); ++i) {
    UChar c = u.charAt(i);
    if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) continue;
    plain.append(c);
  }
  plain.toUTF8String(out);
  return out;
}

Result<PdfText> ExtractPdfText(std::string_view bytes) {
  ASSIGN_OR_RETURN(auto doc, Load(bytes));
  PdfText out;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    std::vector<std::string> lines;
    if (page) {
      poppler::byte_array raw =
          page->text(poppler::rectf(), poppler::page::physical_layout).to_utf8();
      std::string all(raw.begin(), raw.end());
      size_t start = 0;
      while (start <= all.size()) {
        size_t nl = all.find('\n', start);
        if (nl == std::string::npos) nl = all.size();
        std::string line = Trim(LogicalLine(std::string_view(all).substr(start, nl - start)));
        // Runs of blank lines become one: a paragraph break.
        if (!line.empty() || (!lines.empty() && !lines.back().empty())) lines.push_back(line);
        start = nl + 1;
      }
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    std::string text;
    for (size_t k = 0; k < lines.size(); ++k) text += (k ? "\n" : "") + lines[k];
    for (char c : text) {
      if (static_cast<unsigned char>(c) >= 0x80 || std::isalnum(static_cast<unsigned char>(c))) {
        ++out.letters;  // bytes of letters, roughly: enough to tell a scan from text
      }
    }
    out.pages.push_back(std::move(text));
  }
  return out;
}

bool HasTextLayer(const PdfText& t) {
  return !t.pages.empty() && t.letters >= 20 * t.pages.size() / 2 + 1;
}

Status RenderPdfPages(std::string_view bytes, int dpi, const PageImageFn& fn) {
  ASSIGN_OR_RETURN(auto doc, Load(bytes));
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_image_format(poppler::image::format_gray8);
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) return Status::InvalidArgument("damaged PDF: page " + std::to_string(i + 1));
    poppler::image img = renderer.render_page(page.get(), dpi, dpi);
    if (!img.is_valid()) {
      return Status::InvalidArgument("damaged PDF: page " + std::to_string(i + 1) +
                                     " could not be rendered");
    }
    int w = img.width(), h = img.height(), stride = img.bytes_per_row();
    std::vector<uint8_t> gray(static_cast<size_t>(w) * h);
    for (int y = 0; y < h; ++y) {
      const uint8_t* row = reinterpret_cast<const uint8_t*>(img.const_data()) + y * stride;
      std::copy(row, row + w, gray.data() + static_cast<size_t>(y) * w);
    }
    RETURN_IF_ERROR(fn(i + 1, w, h, gray.data()));
  }
  return Status::Ok();
}

}  // namespace attest::ingest
