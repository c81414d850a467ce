// OCR text corrected by a person (ingest/ocr_edit.h): a page read by Tesseract from a scan
// rendered here (sample sentences written for the test, not testimony), corrected word by word.
#include "ingest/ocr_edit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include <leptonica/allheaders.h>

#include "archive/archive.h"
#include "core/json.h"
#include "core/temp_dir.h"
#include "ingest/worker.h"

namespace attest::ingest {
namespace {

using archive::Archive;

class OcrEditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = temp_dir_.path();
    dir_ = tmp_ + "/archive";
    ASSERT_TRUE(Archive::Init(Env::Default(), dir_, "example.org/test").ok());
    auto a = Archive::Open(Env::Default(), dir_);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    archive_ = std::move(*a);
  }
  void RunJobs() {
    WorkerOptions w;
    w.until_idle = true;
    Status st = RunWorker(Env::Default(), dir_, w);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  // A scan of `text` (pango-view, Noto Sans, 300 dpi) as `name` (a PNG), added and read.
  std::string AddScan(const std::string& text, const std::string& name) {
    std::string src = tmp_ + "/" + name + ".txt";
    std::ofstream(src) << text;
    std::string out = tmp_ + "/" + name;
    std::string cmd = "pango-view -q --font='Noto Sans 14' --dpi=300 --margin=60 --width=2200 "
                      "--wrap=word --output='" + out + "' '" + src + "' 2>/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    archive::AddOptions o;
    o.consent = meta::Consent::kPublic;
    o.witness = "w-sample";
    o.lang = "en";
    auto added = archive_->records().Add({out}, o);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    if (!added.ok()) return "";
    RunJobs();
    return added->at(0).id;
  }
  size_t Versions(const std::string& id) { return archive_->records().Get(id)->versions.size(); }
  Json Derived(const std::string& id, int version) {
    auto record = archive_->records().Get(id);  // kept: the loop must not outlive it
    for (const meta::Version& v : record->versions) {
      if (v.version == version) return Json::parse(v.manifest)["derived"];
    }
    return nullptr;
  }

  TempDir temp_dir_{"attest-ocr-edit"};  // removed after archive_ is closed
  std::string tmp_, dir_;
  std::unique_ptr<Archive> archive_;
};

// The code points [start, end) of `s`.
std::string Slice(const std::string& s, int64_t start, int64_t end) {
  size_t at = 0, from = std::string::npos;
  int64_t cp = 0;
  for (; at <= s.size(); ++at) {
    if (at == s.size() || (static_cast<unsigned char>(s[at]) & 0xC0) != 0x80) {
      if (cp == start) from = at;
      if (cp == end) return s.substr(from, at - from);
      ++cp;
    }
  }
  return "<out of range>";
}

// Every word is where the text says it is.
void ExpectWordsInText(const OcrDoc& doc) {
  for (const OcrPageWords& p : doc.pages) {
    for (const OcrBoxedWord& w : p.words) EXPECT_EQ(Slice(doc.text, w.start, w.end), w.text);
  }
}

std::vector<std::string> TextsOf(const OcrPageWords& p) {
  std::vector<std::string> out;
  for (const auto& w : p.words) out.push_back(w.text);
  return out;
}

TEST_F(OcrEditTest, ACorrectedPageIsANewHumanVersionWithItsWordsInPlaceAndSearchable) {
  std::string id = AddScan(
      "A sample scanned page about the harbour lighthouse.\n\nA second block of sample words.",
      "scan.png");
  ASSERT_FALSE(id.empty());
  auto read = LoadOcr(archive_.get(), id, std::nullopt);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const OcrDoc& doc = *read;
  EXPECT_EQ(doc.tool, "tesseract");
  ASSERT_EQ(doc.pages.size(), 1u);
  ExpectWordsInText(doc);
  std::vector<std::string> words = TextsOf(doc.pages[0]);
  ASSERT_GE(words.size(), 10u);
  EXPECT_EQ(doc.pages[0].words[0].breaks, 2);
  size_t harbour = std::find(words.begin(), words.end(), "harbour") - words.begin();
  ASSERT_LT(harbour, words.size()) << doc.text;
  size_t second = std::find(words.begin() + 1, words.end(), "A") - words.begin();
  ASSERT_LT(second, words.size()) << doc.text;
  EXPECT_EQ(doc.pages[0].words[second].breaks, 2) << "a new block";
  const size_t before = Versions(id);

  // "harbour" becomes "harbor"; the first word, taken out, takes its space with it.
  words[harbour] = "  harbor ";
  words[0] = "";
  auto v = CorrectOcr(archive_.get(), id, doc.version, 1, words, "user sample-archivist");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(Versions(id), before + 1);
  Json d = Derived(id, v->version);
  EXPECT_EQ(d["artifact"], "ocr");
  EXPECT_EQ(d["tool"], "human");
  EXPECT_EQ(d["from"], doc.from);
  EXPECT_EQ(d["params"], Json({{"by", "user sample-archivist"}, {"edits", doc.version}, {"page", 1}}));

  auto now = LoadOcr(archive_.get(), id, std::nullopt);
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_EQ(now->version, v->version);
  EXPECT_EQ(now->tool, "human");
  ExpectWordsInText(*now);
  std::string expect = doc.text.substr(doc.text.find("sample"));
  expect.replace(expect.find("harbour"), 7, "harbor");
  EXPECT_EQ(now->text, expect);
  ASSERT_EQ(now->pages[0].words.size(), doc.pages[0].words.size() - 1);
  for (size_t i = 1; i < doc.pages[0].words.size(); ++i) {
    const OcrBoxedWord& was = doc.pages[0].words[i];
    const OcrBoxedWord& is = now->pages[0].words[i - 1];
    EXPECT_EQ(std::vector<int64_t>(is.box, is.box + 4), std::vector<int64_t>(was.box, was.box + 4));
    EXPECT_EQ(is.confidence, i == harbour ? -1 : was.confidence) << i;
    EXPECT_EQ(is.breaks, i == 1 ? 2 : was.breaks) << i;
  }
  // Its segments are the blocks of the new text, and the index finds the corrected word.
  auto segments = archive_->records().Segments(id);
  ASSERT_TRUE(segments.ok());
  std::vector<std::string> blocks;
  for (const auto& s : *segments) {
    if (s.segment.version != v->version) continue;
    blocks.push_back(s.segment.text);
    EXPECT_EQ(s.segment.page, 1);
    EXPECT_EQ(s.segment.lang, "en");
    EXPECT_EQ(Slice(now->text, s.segment.char_start, s.segment.char_end), s.segment.text);
  }
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_NE(blocks[0].find("harbor lighthouse"), std::string::npos) << blocks[0];
  RunJobs();
  search::SearchRequest req;
  req.query = "harbor";
  req.role = search::Role::kAnonymous;
  auto found = archive_->finder().Search(req);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->records.size(), 1u);
  EXPECT_EQ(found->records[0].record_id, id);
}

TEST_F(OcrEditTest, ASaveOverAnOlderVersionOrWithBadWordsIsRefusedAndNothingIsStored) {
  std::string id = AddScan("A sample page with a few words on it.", "page.png");
  ASSERT_FALSE(id.empty());
  auto doc = LoadOcr(archive_.get(), id, std::nullopt);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  std::vector<std::string> words = TextsOf(doc->pages[0]);
  ASSERT_GE(words.size(), 5u);
  const size_t before = Versions(id);
  auto refused = [&](int version, int page, const std::vector<std::string>& w,
                     const std::string& says) {
    auto v = CorrectOcr(archive_.get(), id, version, page, w, "user a");
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), Code::kInvalidArgument) << v.status().ToString();
    EXPECT_NE(v.status().message().find(says), std::string::npos) << v.status().ToString();
  };
  refused(doc->version, 1, words, "nothing was changed");
  refused(doc->version, 2, words, "has no page 2 (it has 1)");
  refused(doc->version, 1, std::vector<std::string>(words.begin(), words.end() - 1),
          "were given");
  auto longer = words;
  longer[1] = std::string(1001, 'x');
  refused(doc->version, 1, longer, "longer than 1,000 bytes");
  refused(doc->version, 1, std::vector<std::string>(words.size(), " "), "without a word");
  auto not_ocr = CorrectOcr(archive_.get(), id, 1, 1, words, "user a");
  EXPECT_TRUE(not_ocr.status().IsNotFound()) << not_ocr.status().ToString();
  EXPECT_EQ(Versions(id), before);

  // Two correctors from the same version: the second is told what the first changed.
  auto first = words, second = words;
  first[1] = "specimen";
  first[2] = "";
  second[3] = "pages";
  ASSERT_TRUE(CorrectOcr(archive_.get(), id, doc->version, 1, first, "user one").ok());
  auto late = CorrectOcr(archive_.get(), id, doc->version, 1, second, "user two");
  ASSERT_EQ(late.status().code(), Code::kConflict) << late.status().ToString();
  EXPECT_NE(late.status().message().find("no longer the newest OCR text"), std::string::npos);
  EXPECT_NE(late.status().message().find("by user one"), std::string::npos);
  EXPECT_NE(late.status().message().find("changing 2 words (on page 1)"), std::string::npos)
      << late.status().ToString();
  EXPECT_EQ(late.status().message().find("specimen"), std::string::npos) << "no words told";
  EXPECT_EQ(Versions(id), before + 1);
}

TEST_F(OcrEditTest, APageOfATiffEmptiedStaysAPageAndThePageImagesKeepTheirOrder) {
  // A TIFF (which browsers do not show) of three pages, the first two alike: its pages are kept
  // as the images OCR read, in page order, the same image named twice.
  std::vector<std::string> pngs;
  for (std::string text : {"Sample page one, about the orchard.", "Sample page one, about the orchard.",
                           "Sample page three, about the well."}) {
    std::string src = tmp_ + "/p" + std::to_string(pngs.size()) + ".txt";
    std::ofstream(src) << text;
    pngs.push_back(tmp_ + "/p" + std::to_string(pngs.size()) + ".png");
    ASSERT_EQ(std::system(("pango-view -q --font='Noto Sans 14' --dpi=300 --margin=60 "
                           "--width=2200 --wrap=word --output='" + pngs.back() + "' '" + src +
                           "' 2>/dev/null").c_str()),
              0);
  }
  const std::string tif = tmp_ + "/three-pages.tif";
  for (size_t i = 0; i < pngs.size(); ++i) {
    Pix* p = pixRead(pngs[i].c_str());
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(pixWriteTiff(tif.c_str(), p, IFF_TIFF_ZIP, i == 0 ? "w" : "a"), 0);
    pixDestroy(&p);
  }
  archive::AddOptions o;
  o.consent = meta::Consent::kPublic;
  o.lang = "en";
  auto added = archive_->records().Add({tif}, o);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  const std::string id = added->at(0).id;
  RunJobs();
  auto doc = LoadOcr(archive_.get(), id, std::nullopt);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  ASSERT_EQ(doc->pages.size(), 3u);
  ASSERT_EQ(doc->page_images.size(), 3u);
  EXPECT_EQ(doc->page_images[0], doc->page_images[1]);
  EXPECT_NE(doc->page_images[2], doc->page_images[0]);
  ExpectWordsInText(*doc);

  // Page 2 emptied word by word (a page of stains): the text keeps its three pages.
  auto v = CorrectOcr(archive_.get(), id, doc->version, 2,
                      std::vector<std::string>(doc->pages[1].words.size(), ""), "user a");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  auto now = LoadOcr(archive_.get(), id, std::nullopt);
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_EQ(std::count(now->text.begin(), now->text.end(), '\f'), 2) << now->text;
  ASSERT_EQ(now->pages.size(), 3u);
  EXPECT_TRUE(now->pages[1].words.empty());
  EXPECT_EQ(TextsOf(now->pages[2]), TextsOf(doc->pages[2]));
  ExpectWordsInText(*now);
  EXPECT_EQ(now->page_images, doc->page_images) << "the same pages, named again in order";
  auto segments = archive_->records().Segments(id);
  ASSERT_TRUE(segments.ok());
  std::vector<int> pages;
  for (const auto& s : *segments) {
    if (s.segment.version == v->version) pages.push_back(s.segment.page);
  }
  EXPECT_EQ(pages, (std::vector<int>{1, 3}));

  // Another corrector, who opened the document before that save, corrects page 3: no conflict
  // (another page changed), and page 2 stays as the first save left it.
  std::vector<std::string> third = TextsOf(doc->pages[2]);
  third[0] = "Specimen";
  auto w = CorrectOcr(archive_.get(), id, doc->version, 3, third, "user b");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto both = LoadOcr(archive_.get(), id, std::nullopt);
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->pages[1].words.empty());
  EXPECT_EQ(both->pages[2].words[0].text, "Specimen");
  EXPECT_EQ(Derived(id, w->version)["params"]["edits"], v->version);
  // The same page from the old reading is a conflict.
  third[0] = "Another";
  auto late = CorrectOcr(archive_.get(), id, doc->version, 3, third, "user c");
  EXPECT_EQ(late.status().code(), Code::kConflict) << late.status().ToString();
}

}  // namespace
}  // namespace attest::ingest
