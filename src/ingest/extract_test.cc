// The extractors on generated samples: text in every encoding attest reads, PDFs with Hebrew
// and Arabic text layers, page images rendered from known text in the four languages (Debian's
// Noto fonts, pango-view) and read back by Tesseract, with the character error rate printed per
// language, .docx and .odt. The sample text is the UDHR (samples/udhr: public, not testimony).
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>
#include <omp.h>
#include <unicode/ucnv.h>
#include <unicode/unistr.h>
#include <zip.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/env.h"
#include "core/json.h"
#include "core/temp_dir.h"
#include "ingest/ocr.h"
#include "ingest/office_extract.h"
#include "ingest/pdf_extract.h"
#include "ingest/sniff.h"
#include "ingest/text_extract.h"

namespace attest::ingest {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

// Line `n` (0-based, trimmed) of a UDHR sample.
std::string UdhrLine(const std::string& lang3, int n) {
  std::istringstream in(
      ReadAll(std::string(ATTEST_SOURCE_DIR) + "/samples/udhr/" + lang3 + ".txt"));
  std::string line;
  for (int i = 0; std::getline(in, line);) {
    size_t a = line.find_first_not_of(" \t\r");
    if (a == std::string::npos) continue;
    if (i++ == n) return line.substr(a, line.find_last_not_of(" \t\r") - a + 1);
  }
  return "";
}

// `utf8` in `encoding` (characters it lacks are dropped), and the text those bytes stand for.
std::pair<std::string, std::string> Encode(const std::string& utf8, const char* encoding) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(utf8);
  UErrorCode err = U_ZERO_ERROR;
  UConverter* conv = ucnv_open(encoding, &err);
  EXPECT_TRUE(U_SUCCESS(err)) << encoding;
  ucnv_setFromUCallBack(conv, UCNV_FROM_U_CALLBACK_SKIP, nullptr, nullptr, nullptr, &err);
  std::string out(u.length() * 4 + 16, '\0');
  int32_t n = ucnv_fromUChars(conv, out.data(), static_cast<int32_t>(out.size()), u.getBuffer(),
                              u.length(), &err);
  out.resize(n);
  std::u16string back(out.size() + 16, u'\0');
  err = U_ZERO_ERROR;
  int32_t m = ucnv_toUChars(conv, back.data(), static_cast<int32_t>(back.size()), out.data(),
                            static_cast<int32_t>(out.size()), &err);
  ucnv_close(conv);
  std::string expect;
  icu::UnicodeString(back.data(), m).toUTF8String(expect);
  return {out, expect};
}

TEST(DecodeTextTest, EveryEncodingComesOutAsTheSameUtf8AndIsNamed) {
  std::string he = UdhrLine("heb", 1) + "\n" + UdhrLine("heb", 2) + "\n";
  std::string ar = UdhrLine("arb", 3) + "\n" + UdhrLine("arb", 4) + "\n";
  std::string fr = UdhrLine("fra", 2) + "\n" + UdhrLine("fra", 3) + "\n";
  struct Case {
    std::string name, text;
    const char* encoding;
    std::vector<std::string> accepted;  // names the detection may give these bytes
    bool bom = false;
  };
  std::vector<Case> cases = {
      {"he utf-8", he, "UTF-8", {"UTF-8"}},
      {"ar utf-8 bom", ar, "UTF-8", {"UTF-8"}, true},
      {"he utf-16le bom", he, "UTF-16LE", {"UTF-16LE"}, true},
      {"ar utf-16be bom", ar, "UTF-16BE", {"UTF-16BE"}, true},
      {"fr utf-16le", fr, "UTF-16LE", {"UTF-16LE"}},
      {"he utf-16le", he, "UTF-16LE", {"UTF-16LE"}},
      {"ar utf-16be", ar, "UTF-16BE", {"UTF-16BE"}},
      // Hebrew letters have the same bytes in both; the detector names either.
      {"he windows-1255", he, "windows-1255", {"windows-1255", "ISO-8859-8", "ISO-8859-8-I"}},
      {"he iso-8859-8", he, "ISO-8859-8", {"ISO-8859-8", "ISO-8859-8-I", "windows-1255"}},
      {"ar windows-1256", ar, "windows-1256", {"windows-1256"}},
      {"ar iso-8859-6", ar, "ISO-8859-6", {"ISO-8859-6"}},
      {"fr windows-1252", fr, "windows-1252", {"windows-1252", "ISO-8859-1"}},
  };
  for (const Case& c : cases) {
    auto [bytes, expect] = Encode(c.text, c.encoding);
    if (c.bom) {
      std::string enc = c.encoding;
      bytes = (enc == "UTF-8"      ? "\xEF\xBB\xBF"
               : enc == "UTF-16LE" ? "\xFF\xFE"
                                   : "\xFE\xFF") +
              bytes;
    }
    EXPECT_EQ(Sniff(bytes.substr(0, 4096), "t.txt", bytes.size()).kind, FileKind::kText) << c.name;
    auto d = DecodeText(bytes);
    ASSERT_TRUE(d.ok()) << c.name << ": " << d.status().ToString();
    EXPECT_EQ(d->utf8, expect) << c.name;
    EXPECT_TRUE(IsValidUtf8(d->utf8)) << c.name;
    EXPECT_NE(std::find(c.accepted.begin(), c.accepted.end(), d->encoding), c.accepted.end())
        << c.name << " detected as " << d->encoding;
    std::cout << "encoding " << c.name << ": detected " << d->encoding << " (confidence "
              << d->confidence << ", " << d->method << ")\n";
  }
  EXPECT_EQ(DecodeText(std::string("\xFF\xFE\x00\xD8", 4)).status().code(), Code::kInvalidArgument);
}

// Renders `text` with pango-view (Noto fonts) to `out` (.png or .pdf).
void Render(const std::string& text, const std::string& font, bool rtl, const std::string& out) {
  std::string src = out + ".txt";
  WriteAll(src, text);
  std::string cmd = "pango-view -q --font='" + font + "' " + (rtl ? "--rtl " : "") +
                    "--dpi=300 --margin=60 --width=2200 --wrap=word --output='" + out + "' '" +
                    src + "' 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

std::string Squash(const std::string& s) {  // white space runs to one space
  std::string out;
  for (char c : s) {
    bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\f';
    if (ws) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Levenshtein distance over code points, divided by the reference's length.
double Cer(const std::string& ref_utf8, const std::string& hyp_utf8) {
  icu::UnicodeString r = icu::UnicodeString::fromUTF8(Squash(ref_utf8));
  icu::UnicodeString h = icu::UnicodeString::fromUTF8(Squash(hyp_utf8));
  std::vector<UChar32> a, b;
  for (int32_t i = 0; i < r.length(); i = r.moveIndex32(i, 1)) a.push_back(r.char32At(i));
  for (int32_t i = 0; i < h.length(); i = h.moveIndex32(i, 1)) b.push_back(h.char32At(i));
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return a.empty() ? 0 : static_cast<double>(prev[b.size()]) / a.size();
}

struct LangSample {
  std::string lang, lang3, font, tess;
  bool rtl;
  double max_cer;  // measured on Debian 12's Tesseract 5.3.0 and Noto fonts, with a margin
};

const std::vector<LangSample>& Samples() {
  static const auto* s = new std::vector<LangSample>{
      {"he", "heb", "Noto Sans Hebrew 12", "heb", true, 0.05},
      {"ar", "arb", "Noto Sans Arabic 12", "ara", true, 0.10},
      {"en", "eng", "Noto Sans 12", "eng", false, 0.03},
      {"fr", "fra", "Noto Sans 12", "fra", false, 0.03},
  };
  return *s;
}

std::string SampleText(const LangSample& s) {
  return UdhrLine(s.lang3, 1) + "\n\n" + UdhrLine(s.lang3, 2);
}

TEST(PdfTextTest, HebrewAndArabicTextLayersComeOutInLogicalOrder) {
  TempDir temp_dir("attest-extract");
  std::string dir = temp_dir.path();
  for (const LangSample& s : Samples()) {
    std::string pdf = dir + "/" + s.lang + ".pdf";
    // 20 pt: at 12 pt cairo places Hebrew glyphs far enough apart that poppler's word
    // grouping splits words (a poppler heuristic, noted in doc/ingest.md).
    std::string font = s.font.substr(0, s.font.rfind(' ')) + " 20";
    Render(SampleText(s), font, s.rtl, pdf);
    std::string bytes = ReadAll(pdf);
    EXPECT_EQ(Sniff(bytes.substr(0, 4096), "x.pdf", bytes.size()).kind, FileKind::kPdf);
    auto t = ExtractPdfText(bytes);
    ASSERT_TRUE(t.ok()) << s.lang << ": " << t.status().ToString();
    ASSERT_EQ(t->pages.size(), 1u);
    EXPECT_TRUE(HasTextLayer(*t));
    double cer = Cer(SampleText(s), t->pages[0]);
    std::cout << "pdf text layer " << s.lang << ": CER " << cer << "\n";
    // Hebrew, English and French come out exactly (but for where lines wrapped). Arabic
    // loses a little: a lam-alef ligature's two letters and a vowel mark over a letter come
    // out in glyph order (measured CER 0.042 on the first two lines of the UDHR).
    EXPECT_LT(cer, s.lang == "ar" ? 0.05 : 0.01) << s.lang << "\n" << t->pages[0];
  }
  EXPECT_EQ(ExtractPdfText("%PDF-1.4\nnot really").status().code(), Code::kInvalidArgument);
}

TEST(OcrTest, RenderedPagesInFourLanguagesAreReadBackWithinTheirErrorRates) {
  TempDir temp_dir("attest-extract");
  std::string dir = temp_dir.path();
  Ocr ocr(DefaultTessdataDir());
  for (const LangSample& s : Samples()) {
    std::string png = dir + "/" + s.lang + ".png";
    Render(SampleText(s), s.font, s.rtl, png);
    std::string bytes = ReadAll(png);
    // The language given with the record, and detected when it is not.
    for (std::string lang : {s.tess, std::string()}) {
      auto pages = ocr.ReadImage(bytes, lang);
      ASSERT_TRUE(pages.ok()) << s.lang << ": " << pages.status().ToString();
      ASSERT_EQ(pages->size(), 1u);
      const OcrPage& p = (*pages)[0];
      double cer = Cer(SampleText(s), p.text);
      std::cout << "ocr " << s.lang
                << (lang.empty() ? " (detected " + ocr.last_language() + ")" : "") << ": CER "
                << cer << ", mean word confidence " << p.confidence << "\n";
      EXPECT_LE(cer, s.max_cer) << s.lang << "\n" << p.text;
      if (lang.empty()) {
        EXPECT_NE(ocr.last_language().find(s.tess), std::string::npos) << s.lang;
      }
      // Every word has a box on the page and its place in the text.
      ASSERT_FALSE(p.words.empty());
      icu::UnicodeString text = icu::UnicodeString::fromUTF8(p.text);
      for (const OcrWord& w : p.words) {
        EXPECT_LT(w.box[0], w.box[2]);
        EXPECT_LT(w.box[1], w.box[3]);
        EXPECT_LE(w.box[2], p.width);
        std::string at;
        icu::UnicodeString cps;
        for (int32_t i = 0, n = 0; i < text.length(); i = text.moveIndex32(i, 1), ++n) {
          if (n >= w.start && n < w.end) cps.append(text.char32At(i));
        }
        cps.toUTF8String(at);
        EXPECT_EQ(at, w.text);
      }
    }
  }
}

TEST(OcrTest, AThreadThatReadsPagesRunsTesseractsOpenMpRegionsOnItsOwn) {
  // Tesseract's LSTM asks OpenMP for teams of four; beside other worker threads those teams
  // spin for cores (measured in bench/ingest_bench.py). The thread that reads a page holds its
  // own regions to one thread; other threads (speech, later) keep theirs.
  const LangSample& en = Samples()[2];
  TempDir temp_dir("attest-extract");
  std::string dir = temp_dir.path();
  Render(UdhrLine("eng", 1), en.font, false, dir + "/p.png");
  std::string bytes = ReadAll(dir + "/p.png");
  int reader_levels = -1, other_levels = -1;
  std::thread reader([&] {
    Ocr ocr(DefaultTessdataDir());
    auto pages = ocr.ReadImage(bytes, "eng");
    ASSERT_TRUE(pages.ok()) << pages.status().ToString();
    reader_levels = omp_get_max_active_levels();
  });
  reader.join();
  std::thread other([&] { other_levels = omp_get_max_active_levels(); });
  other.join();
  EXPECT_EQ(reader_levels, 0);
  EXPECT_GT(other_levels, 0);
}

TEST(OcrTest, MultiPageTiffsAreReadPageByPageAndTruncatedOnesAreNamed) {
  TempDir temp_dir("attest-extract");
  std::string dir = temp_dir.path();
  const LangSample& en = Samples()[2];
  const LangSample& fr = Samples()[3];
  Render(UdhrLine("eng", 3), en.font, false, dir + "/p1.png");
  Render(UdhrLine("fra", 3), fr.font, false, dir + "/p2.png");
  std::string tif = dir + "/two.tif";
  Pix* p1 = pixRead((dir + "/p1.png").c_str());
  Pix* p2 = pixRead((dir + "/p2.png").c_str());
  ASSERT_TRUE(p1 && p2);
  ASSERT_EQ(pixWriteTiff(tif.c_str(), p1, IFF_TIFF_ZIP, "w"), 0);
  ASSERT_EQ(pixWriteTiff(tif.c_str(), p2, IFF_TIFF_ZIP, "a"), 0);
  pixDestroy(&p1);
  pixDestroy(&p2);
  std::string bytes = ReadAll(tif);
  EXPECT_EQ(Sniff(bytes, "two.tif", bytes.size()).kind, FileKind::kTiff);
  Ocr ocr(DefaultTessdataDir());
  auto pages = ocr.ReadImage(bytes, "eng+fra");
  ASSERT_TRUE(pages.ok()) << pages.status().ToString();
  ASSERT_EQ(pages->size(), 2u);
  EXPECT_LE(Cer(UdhrLine("eng", 3), (*pages)[0].text), 0.03) << (*pages)[0].text;
  EXPECT_LE(Cer(UdhrLine("fra", 3), (*pages)[1].text), 0.03) << (*pages)[1].text;
  EXPECT_TRUE((*pages)[0].image_jpeg.empty());  // kept only when asked
  ocr.KeepPageImages(true);
  auto shown = ocr.ReadImage(bytes, "eng+fra");
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  for (const OcrPage& page : *shown) {
    ASSERT_GT(page.image_jpeg.size(), 2u);
    EXPECT_EQ(page.image_jpeg.substr(0, 2), "\xFF\xD8");  // a JPEG
    Pix* jpeg = pixReadMem(reinterpret_cast<const l_uint8*>(page.image_jpeg.data()),
                           page.image_jpeg.size());
    ASSERT_NE(jpeg, nullptr);
    EXPECT_EQ(pixGetWidth(jpeg), std::min(page.width, kPageImageWidth));
    pixDestroy(&jpeg);
  }
  auto truncated = ocr.ReadImage(bytes.substr(0, bytes.size() / 3), "eng");
  EXPECT_EQ(truncated.status().code(), Code::kInvalidArgument);
  EXPECT_NE(truncated.status().message().find("TIFF"), std::string::npos);
}

// A ZIP archive of (name, content) members.
std::string Zip(const std::vector<std::pair<std::string, std::string>>& members) {
  TempDir temp_dir("attest-extract");
  std::string path = temp_dir.Join("doc.zip");
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  EXPECT_NE(z, nullptr);
  for (const auto& [name, data] : members) {
    zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
    EXPECT_GE(zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8), 0);
  }
  EXPECT_EQ(zip_close(z), 0);
  return ReadAll(path);
}

TEST(OfficeTest, DocxAndOdtParagraphsComeOutInOrder) {
  std::string he = UdhrLine("heb", 1), fr = UdhrLine("fra", 2);
  std::string docx =
      Zip({{"[Content_Types].xml", "<Types/>"},
           {"word/document.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas."
            "openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:pPr><w:bidi/></w:pPr>"
            "<w:r><w:t>" +
                he +
                "</w:t></w:r></w:p><w:p><w:r><w:t xml:space=\"preserve\">Sample "
                "</w:t></w:r><w:r><w:t>&amp; two runs</w:t></w:r><w:r><w:tab/><w:t>tab</w:t></w:r>"
                "</w:p></w:body></w:document>"}});
  EXPECT_EQ(Sniff(docx.substr(0, 4096), "a.docx", docx.size()).kind, FileKind::kDocx);
  auto d = ExtractDocxText(docx);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, he + "\nSample & two runs\ttab");
  std::string odt = Zip(
      {{"mimetype", "application/vnd.oasis.opendocument.text"},
       {"content.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:"
        "oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:"
        "opendocument:xmlns:text:1.0\"><office:body><office:text><text:h>Titre</text:h><text:p>" +
            fr +
            "</text:p><text:p>a<text:s text:c=\"2\"/>b<text:span>c</text:span></text:p>"
            "</office:text></office:body></office:document-content>"}});
  EXPECT_EQ(Sniff(odt.substr(0, 4096), "a.odt", odt.size()).kind, FileKind::kOdt);
  auto o = ExtractOdtText(odt);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(*o, "Titre\n" + fr + "\na  bc");
  EXPECT_EQ(ExtractDocxText(odt).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ExtractOdtText("PK\x03\x04 broken").status().code(), Code::kInvalidArgument);
}

TEST(SniffTest, ANameThatSaysAnotherKindThanTheBytesGetsANoteNotAnError) {
  auto note = [](std::string_view head, std::string_view name) {
    return NameNote(Sniff(head, name, head.size()), name);
  };
  EXPECT_EQ(note("Words, not sound.\n", "box/x.mp3"),
            "x.mp3 holds text, not audio: stored as a text record");
  EXPECT_EQ(note("%PDF-1.7\n", "scan.txt"),
            "scan.txt holds a PDF, not text: stored as a PDF record");
  EXPECT_EQ(note("Words.\n", "notes.txt"), "");
  EXPECT_EQ(note("Words.\n", "notes"), "");                        // a name that claims nothing
  EXPECT_EQ(note("Words.\n", "notes.csv"), "");                    // nor one attest does not know
  EXPECT_EQ(note(std::string("\0\x01\x02\x03", 4), "x.mp3"), "");  // unknown: the job says
  std::string m4a = std::string("\0\0\0\x20", 4) + "ftypM4A " + std::string(20, '\0');
  EXPECT_EQ(note(m4a, "talk.mp4"), "");  // sound in an .mp4: no surprise
}

TEST(SniffTest, KindsAndMisnamedFiles) {
  EXPECT_EQ(Sniff("", "a.txt", 0).kind, FileKind::kEmpty);
  EXPECT_EQ(Sniff("\x89PNG\r\n\x1a\n....", "a", 100).kind, FileKind::kPng);
  EXPECT_EQ(Sniff("\xFF\xD8\xFF\xE0", "a", 100).kind, FileKind::kJpeg);
  EXPECT_EQ(Sniff(std::string("RIFF\0\0\0\0WAVEfmt ", 16), "a.wav", 100).kind, FileKind::kAudio);
  // The containers testimonies arrive in, by their first bytes whatever their names.
  EXPECT_EQ(Sniff(std::string("RIFF\0\0\0\0AVI LIST", 16), "clip", 100).kind, FileKind::kVideo);
  EXPECT_EQ(Sniff("#!AMR\n<", "phone", 100).kind, FileKind::kAudio);
  EXPECT_EQ(Sniff("#!AMR-WB\n", "phone", 100).kind, FileKind::kAudio);
  EXPECT_EQ(Sniff(std::string("\0\0\0\x08wide\0\0\0\0mdat", 16), "old.mov", 100).kind,
            FileKind::kVideo);
  EXPECT_EQ(Sniff(std::string("\0\0\0\x20"
                              "ftypM4A \0\0\0\0",
                              16),
                  "note", 100)
                .kind,
            FileKind::kAudio);
  EXPECT_EQ(Sniff(std::string("FORM\0\0\0\0AIFFCOMM", 16), "a", 100).kind, FileKind::kAudio);
  EXPECT_EQ(Sniff("\xFF\xF1\x50\x80", "voice.aac", 100).kind, FileKind::kAudio);
  EXPECT_EQ(Sniff(std::string("\x30\x26\xB2\x75\x8E\x66\xCF\x11", 8), "a.wmv", 100).kind,
            FileKind::kVideo);
  EXPECT_EQ(Sniff("FLV\x01\x05", "a.flv", 100).kind, FileKind::kVideo);
  EXPECT_EQ(Sniff(std::string("\0\0\x01\xBA\x44", 5), "a.mpg", 100).kind, FileKind::kVideo);
  auto zeros = Sniff(std::string(4096, '\0'), "big.pdf", 2ull << 30);
  EXPECT_EQ(zeros.kind, FileKind::kUnknown);
  EXPECT_TRUE(zeros.misnamed);
  EXPECT_NE(zeros.why.find("not a PDF"), std::string::npos) << zeros.why;
  auto other = Sniff(std::string("\x01\x02\x03\x00\x00", 5), "data.bin", 5);
  EXPECT_EQ(other.kind, FileKind::kUnknown);
  EXPECT_FALSE(other.misnamed);
}

}  // namespace
}  // namespace attest::ingest
