#include "ingest/ocr.h"

#include <leptonica/allheaders.h>
#include <omp.h>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <optional>

#include "core/env.h"
#include "core/hash.h"
#include "core/json.h"

namespace attest::ingest {
namespace {

void QuietLeptonica() {
  static std::once_flag once;
  std::call_once(once, [] { setMsgSeverity(L_SEVERITY_NONE); });
}

// Tesseract (Debian builds it with OpenMP) asks for teams of up to four threads in its LSTM
// layers. attest runs one page per worker thread, so those teams would fight the other workers
// for the cores and spin: on 2 cores, one worker read pages about five times slower, most of
// it system time. The setting is per thread (GCC's libgomp keeps it in the thread's own data
// environment), so only the threads that read pages are held to one OpenMP thread.
void OneOpenMpThreadHere() { omp_set_max_active_levels(0); }

struct PixDeleter {
  void operator()(Pix* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

}  // namespace

struct Ocr::Engine {
  tesseract::TessBaseAPI api;
};

std::string DefaultTessdataDir() {
  if (const char* p = std::getenv("TESSDATA_PREFIX"); p && *p) return p;
  return "/usr/share/tesseract-ocr/5/tessdata";
}

std::string TesseractLanguage(std::string_view lang) {
  std::string_view base = lang.substr(0, lang.find('-'));
  if (base == "he") return "heb";
  if (base == "ar") return "ara";
  if (base == "fr") return "fra";
  if (base == "en") return "eng";
  return "";
}

Ocr::Ocr(std::string tessdata_dir) : tessdata_(std::move(tessdata_dir)) { QuietLeptonica(); }
Ocr::~Ocr() {
  for (auto& [lang, e] : engines_) e->api.End();
}

std::string Ocr::Version() { return tesseract::TessBaseAPI::Version(); }

Result<Ocr::Engine*> Ocr::EngineFor(const std::string& tess_lang) {
  auto it = engines_.find(tess_lang);
  if (it != engines_.end()) return it->second.get();
  auto e = std::make_unique<Engine>();
  // Tesseract prints its own complaints; attest reports them once, in the job.
  e->api.SetVariable("debug_file", "/dev/null");
  if (e->api.Init(tessdata_.c_str(), tess_lang.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
    return Status::Unavailable("Tesseract could not load language '" + tess_lang + "' from " +
                               tessdata_ + " (install tesseract-ocr-" + tess_lang +
                               " or set TESSDATA_PREFIX)");
  }
  e->api.SetVariable("debug_file", "/dev/null");
  e->api.SetVariable("user_defined_dpi", "300");
  Engine* raw = e.get();
  engines_[tess_lang] = std::move(e);
  return raw;
}

Result<std::vector<std::pair<std::string, std::string>>> Ocr::Models(const std::string& tess_lang) {
  static std::mutex mu;
  static std::map<std::string, std::string>* cache = new std::map<std::string, std::string>();
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= tess_lang.size()) {
    size_t plus = tess_lang.find('+', start);
    if (plus == std::string::npos) plus = tess_lang.size();
    std::string name = tess_lang.substr(start, plus - start) + ".traineddata";
    std::string path = tessdata_ + "/" + name;
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache->find(path);
    if (it == cache->end()) {
      ASSIGN_OR_RETURN(std::string bytes, Env::Default()->ReadFile(path));
      it = cache->emplace(path, ToHex(Sha256(bytes))).first;
    }
    out.emplace_back(name, it->second);
    start = plus + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> Ocr::DetectLanguage(void* pix) {
  OneOpenMpThreadHere();
  ASSIGN_OR_RETURN(Engine * osd, EngineFor("osd"));
  osd->api.SetPageSegMode(tesseract::PSM_OSD_ONLY);
  osd->api.SetImage(static_cast<Pix*>(pix));
  int orientation = 0;
  float orientation_conf = 0, script_conf = 0;
  const char* script = nullptr;
  bool ok =
      osd->api.DetectOrientationScript(&orientation, &orientation_conf, &script, &script_conf);
  osd->api.Clear();
  std::string s = ok && script && script_conf >= 1.0f ? script : "";
  if (s == "Hebrew") return std::string("heb");
  if (s == "Arabic") return std::string("ara");
  if (s == "Latin") return std::string("eng+fra");
  return std::string();  // too little text to tell: ReadPix tries each script
}

namespace {

// A page for display: 8-bit (grey, or colour as it was), at most kPageImageWidth wide, JPEG.
Result<std::string> PageJpeg(Pix* pix) {
  PixPtr shown(pixGetDepth(pix) == 32 ? pixClone(pix) : pixConvertTo8(pix, 0));
  if (!shown) return Status::Unavailable("out of memory for a page image");
  int width = pixGetWidth(shown.get());
  if (width > kPageImageWidth) {
    float f = static_cast<float>(kPageImageWidth) / static_cast<float>(width);
    shown.reset(pixScale(shown.get(), f, f));
    if (!shown) return Status::Unavailable("out of memory for a page image");
  }
  l_uint8* data = nullptr;
  size_t size = 0;
  if (pixWriteMemJpeg(&data, &size, shown.get(), 80, 0) != 0 || !data) {
    return Status::Unavailable("the page image could not be written as JPEG");
  }
  std::string out(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  return out;
}

}  // namespace

Result<OcrPage> Ocr::Read(int width, int height, const uint8_t* gray, std::string tess_lang) {
  if (width <= 0 || height <= 0) return Status::InvalidArgument("the page image is empty");
  PixPtr pix(pixCreate(width, height, 8));
  if (!pix) return Status::Unavailable("out of memory for a page image");
  for (int y = 0; y < height; ++y) {
    l_uint32* line = pixGetData(pix.get()) + y * pixGetWpl(pix.get());
    for (int x = 0; x < width; ++x)
      SET_DATA_BYTE(line, x, gray[static_cast<size_t>(y) * width + x]);
  }
  ASSIGN_OR_RETURN(OcrPage page, ReadPix(pix.get(), tess_lang));
  if (page_images_) {
    ASSIGN_OR_RETURN(page.image_jpeg, PageJpeg(pix.get()));
  }
  return page;
}

Result<OcrPage> Ocr::ReadPix(void* pix_arg, std::string tess_lang) {
  Pix* pix = static_cast<Pix*>(pix_arg);
  OneOpenMpThreadHere();
  if (tess_lang.empty()) {
    ASSIGN_OR_RETURN(tess_lang, DetectLanguage(pix));
    if (tess_lang.empty()) {
      // Orientation and script detection needs more text than a short page has: read the
      // page in each script and keep the reading Tesseract is surest of.
      std::optional<OcrPage> best;
      std::string best_lang;
      for (const char* candidate : {"ara", "heb", "eng+fra"}) {
        ASSIGN_OR_RETURN(OcrPage page, ReadPix(pix, candidate));
        if (!best || page.confidence > best->confidence) {
          best = std::move(page);
          best_lang = candidate;
        }
      }
      last_lang_ = best_lang;
      return std::move(*best);
    }
  }
  ASSIGN_OR_RETURN(Engine * e, EngineFor(tess_lang));
  last_lang_ = tess_lang;
  e->api.SetPageSegMode(tesseract::PSM_AUTO);
  e->api.SetImage(pix);
  if (e->api.Recognize(nullptr) != 0) {
    e->api.Clear();
    return Status::InvalidArgument("Tesseract could not read the page");
  }
  OcrPage page;
  page.width = pixGetWidth(pix);
  page.height = pixGetHeight(pix);
  std::unique_ptr<tesseract::ResultIterator> it(e->api.GetIterator());
  int64_t sum = 0;
  int64_t cp = 0;  // code points in page.text so far
  if (it) {
    do {
      std::unique_ptr<char[]> word(it->GetUTF8Text(tesseract::RIL_WORD));
      if (!word || word[0] == 0) continue;
      if (!page.text.empty()) {
        const char* sep = it->IsAtBeginningOf(tesseract::RIL_PARA)       ? "\n\n"
                          : it->IsAtBeginningOf(tesseract::RIL_TEXTLINE) ? "\n"
                                                                         : " ";
        page.text += sep;
        cp += static_cast<int64_t>(std::string_view(sep).size());
      }
      OcrWord w;
      w.text = word.get();
      it->BoundingBox(tesseract::RIL_WORD, &w.box[0], &w.box[1], &w.box[2], &w.box[3]);
      w.confidence = static_cast<int>(it->Confidence(tesseract::RIL_WORD) + 0.5f);
      w.start = cp;
      cp += static_cast<int64_t>(CodePoints(w.text));
      w.end = cp;
      page.text += w.text;
      sum += w.confidence;
      page.words.push_back(std::move(w));
    } while (it->Next(tesseract::RIL_WORD));
  }
  e->api.Clear();
  page.confidence = page.words.empty() ? 0 : static_cast<int>(sum / page.words.size());
  return page;
}

Result<std::vector<OcrPage>> Ocr::ReadImage(std::string_view bytes, const std::string& tess_lang) {
  QuietLeptonica();
  std::vector<PixPtr> pixes;
  const l_uint8* data = reinterpret_cast<const l_uint8*>(bytes.data());
  l_int32 format = IFF_UNKNOWN;
  findFileFormatBuffer(data, &format);
  if (format == IFF_TIFF || format == IFF_TIFF_G3 || format == IFF_TIFF_G4 ||
      format == IFF_TIFF_PACKBITS || format == IFF_TIFF_LZW || format == IFF_TIFF_ZIP ||
      format == IFF_TIFF_JPEG || format == IFF_TIFF_RLE) {
    Pixa* pixa = pixaReadMemMultipageTiff(data, bytes.size());
    if (!pixa || pixaGetCount(pixa) == 0) {
      if (pixa) pixaDestroy(&pixa);
      return Status::InvalidArgument("damaged or truncated TIFF: its pages could not be read");
    }
    for (int i = 0; i < pixaGetCount(pixa); ++i) pixes.emplace_back(pixaGetPix(pixa, i, L_COPY));
    pixaDestroy(&pixa);
  } else {
    PixPtr pix(pixReadMem(data, bytes.size()));
    if (!pix) return Status::InvalidArgument("damaged or truncated image: it could not be read");
    pixes.push_back(std::move(pix));
  }
  std::vector<OcrPage> out;
  for (auto& p : pixes) {
    if (!p) return Status::InvalidArgument("damaged image: a page could not be read");
    ASSIGN_OR_RETURN(OcrPage page, ReadPix(p.get(), tess_lang));
    if (page_images_) {
      ASSIGN_OR_RETURN(page.image_jpeg, PageJpeg(p.get()));
    }
    out.push_back(std::move(page));
  }
  return out;
}

}  // namespace attest::ingest
