#include "ingest/ocr_edit.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "core/json.h"
#include "core/text_safety.h"
#include "ingest/add_note.h"
#include "ingest/transcripts.h"
#include "text/paragraphs.h"

namespace attest::ingest {
namespace {

// The most bytes of an `ocr` or `text` blob read back (a scanned book of a thousand pages has a
// few MiB of each).
constexpr int64_t kMaxOcrBlob = 64 << 20;

// The byte offset of each code point of `s`, and of its end.
std::vector<size_t> CodePointOffsets(const std::string& s) {
  std::vector<size_t> at;
  at.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) at.push_back(i);
  }
  at.push_back(s.size());
  return at;
}

Result<std::string> ReadBlobOf(archive::Archive* archive, const meta::BlobRef& b,
                               const std::string& what) {
  if (b.size > kMaxOcrBlob) {
    return Status::InvalidArgument(what + " is larger than 64 MiB: too large to correct here");
  }
  return BlobHead(archive, b.sha256, static_cast<size_t>(b.size));
}

// The words of each page of an `ocr` blob, with their place in `text` checked and their
// layout read from the spaces between them.
Status ReadPages(const std::string& json, const std::string& what, OcrDoc* doc) {
  ASSIGN_OR_RETURN(Json j, ParseJson(json, what));
  if (!j.is_object() || !j.contains("pages") || !j["pages"].is_array()) {
    return Status::Corruption(what + " has no pages array");
  }
  const std::vector<size_t> at = CodePointOffsets(doc->text);
  const int64_t length = static_cast<int64_t>(at.size()) - 1;
  int64_t last_end = 0;
  for (const Json& p : j["pages"]) {
    if (!p.is_object() || !p.contains("words") || !p["words"].is_array()) {
      return Status::Corruption(what + " has a page without words");
    }
    OcrPageWords page;
    page.page = p.value("page", 0);
    page.width = p.value("width", int64_t{0});
    page.height = p.value("height", int64_t{0});
    page.confidence = p.value("confidence", -1);
    if (page.page != static_cast<int>(doc->pages.size()) + 1) {
      return Status::Corruption(what + " has its pages out of order");
    }
    bool first = true;
    for (const Json& w : p["words"]) {
      OcrBoxedWord word;
      if (!w.is_object() || !w.contains("text") || !w["text"].is_string() ||
          !w.contains("box") || !w["box"].is_array() || w["box"].size() != 4) {
        return Status::Corruption(what + ": a word of page " + std::to_string(page.page) +
                                  " has no text or box");
      }
      word.text = w["text"].get<std::string>();
      for (int k = 0; k < 4; ++k) {
        if (!w["box"][k].is_number_integer()) return Status::Corruption(what + ": a bad box");
        word.box[k] = w["box"][k].get<int64_t>();
      }
      word.confidence = w.contains("confidence") && w["confidence"].is_number_integer()
                            ? w["confidence"].get<int>()
                            : -1;
      word.start = w.value("start", int64_t{-1});
      word.end = w.value("end", int64_t{-1});
      if (word.start < last_end || word.end < word.start || word.end > length) {
        return Status::Corruption(what + ": a word of page " + std::to_string(page.page) +
                                  " is not where the text says");
      }
      const std::string between = doc->text.substr(at[last_end], at[word.start] - at[last_end]);
      size_t lines = 0;
      for (char c : between) lines += c == '\n';
      word.breaks = first || between.find('\f') != std::string::npos ? 2
                    : lines >= 2                                      ? 2
                                                                      : static_cast<int>(lines);
      first = false;
      last_end = word.end;
      page.words.push_back(std::move(word));
    }
    doc->pages.push_back(std::move(page));
  }
  return Status::Ok();
}

// Of two runs of space between words that meet where a word was taken out, the one that keeps
// more of the layout: more lines; the first when they are alike. Every page break of either
// stays (a page whose words were all taken out is still a page).
std::string Wider(const std::string& a, const std::string& b) {
  auto count = [](const std::string& s, char c) {
    size_t n = 0;
    for (char x : s) n += x == c;
    return n;
  };
  size_t fa = count(a, '\f'), fb = count(b, '\f');
  if (fa > 0 && fb > 0) return a + b;
  if (fa != fb) return fa > fb ? a : b;
  return count(b, '\n') > count(a, '\n') ? b : a;
}

}  // namespace

Result<OcrDoc> LoadOcr(archive::Archive* archive, const std::string& record_id,
                       std::optional<int> version) {
  ASSIGN_OR_RETURN(meta::Record record, archive->records().Get(record_id));
  if (record.withdrawn_at) return Status::NotFound("record " + record_id + " is withdrawn");
  const meta::Version* found = nullptr;
  Json derived;
  for (const meta::Version& v : record.versions) {
    if (version && v.version != *version) continue;
    ASSIGN_OR_RETURN(Json m, ParseJson(v.manifest, "manifest"));
    if (m.contains("derived") && StringMember(m["derived"], "artifact") == "ocr") {
      found = &v, derived = m["derived"];
    }
  }
  if (!found) {
    if (version) {
      return Status::NotFound("version " + std::to_string(*version) + " of " + record_id +
                              " is not OCR text");
    }
    return Status::NotFound("record " + record_id + " has no OCR text");
  }
  OcrDoc doc;
  doc.record = record_id;
  doc.version = found->version;
  doc.tool = StringMember(derived, "tool");
  doc.tool_version = StringMember(derived, "tool_version");
  doc.lang = found->lang;
  if (derived.contains("from") && derived["from"].is_number_integer()) {
    doc.from = derived["from"].get<int>();
  }
  const meta::BlobRef* ocr = nullptr;
  const meta::BlobRef* text = nullptr;
  for (const meta::BlobRef& b : found->blobs) {
    if (b.role == "ocr") ocr = &b;
    if (b.role == "text") text = &b;
  }
  ASSIGN_OR_RETURN(std::vector<meta::BlobRef> pages, archive::PageImagesOf(*found));
  for (const meta::BlobRef& b : pages) doc.page_images.push_back(b.sha256);
  const std::string what = "version " + std::to_string(found->version) + " of " + record_id;
  if (!ocr || !text) return Status::Corruption(what + " has no OCR words or no text");
  ASSIGN_OR_RETURN(doc.text, ReadBlobOf(archive, *text, "the text of " + what));
  ASSIGN_OR_RETURN(std::string json, ReadBlobOf(archive, *ocr, "the OCR words of " + what));
  RETURN_IF_ERROR(ReadPages(json, "the OCR words of " + what, &doc));
  return doc;
}

namespace {

// Whether two readings of a page have the same words in the same boxes.
bool SamePage(const OcrPageWords& a, const OcrPageWords& b) {
  if (a.words.size() != b.words.size()) return false;
  for (size_t i = 0; i < a.words.size(); ++i) {
    const OcrBoxedWord &x = a.words[i], &y = b.words[i];
    if (x.text != y.text || !std::equal(x.box, x.box + 4, y.box)) return false;
  }
  return true;
}

// The kConflict of a save made from `doc` when `newest` was saved since and changed its page.
// Names the newer version, who made it and when, and how many words it changed (never
// the words: this answer is not a reading of the record).
Status Conflict(const meta::Record& record, const OcrDoc& doc, const OcrDoc& newest) {
  std::map<std::tuple<int, int64_t, int64_t, int64_t, int64_t>, const std::string*> before;
  size_t words_before = 0;
  for (const OcrPageWords& p : doc.pages) {
    for (const OcrBoxedWord& w : p.words) {
      before[{p.page, w.box[0], w.box[1], w.box[2], w.box[3]}] = &w.text;
      ++words_before;
    }
  }
  size_t changed = 0, kept = 0;
  std::map<int, size_t> pages;
  for (const OcrPageWords& p : newest.pages) {
    for (const OcrBoxedWord& w : p.words) {
      auto it = before.find({p.page, w.box[0], w.box[1], w.box[2], w.box[3]});
      if (it != before.end()) ++kept;
      if (it != before.end() && *it->second == w.text) continue;
      ++changed;
      pages[p.page]++;
    }
  }
  if (kept < words_before) changed += words_before - kept;  // taken out
  std::string what = "version " + std::to_string(newest.version) + " (" + newest.tool;
  for (const meta::Version& v : record.versions) {
    if (v.version != newest.version) continue;
    auto m = ParseJson(v.manifest, "manifest");
    std::string by;
    if (m.ok() && (*m)["derived"].contains("params")) {
      by = StringMember((*m)["derived"]["params"], "by");
    }
    what += (by.empty() ? "" : ", by " + CleanText(by, TextLayout::kOneLine)) + ", " + v.created;
  }
  what += ")";
  std::string where;
  for (const auto& [page, n] : pages) where += (where.empty() ? "" : ", ") + std::to_string(page);
  return Status::Conflict(
      "version " + std::to_string(doc.version) + " of " + doc.record +
      " is no longer the newest OCR text: " + what + " was saved since, changing " +
      std::to_string(changed) + " word" + (changed == 1 ? "" : "s") +
      (where.empty() ? "" : " (on page" + std::string(pages.size() == 1 ? " " : "s ") + where + ")") +
      ". Nothing was saved: open the newest version and make the change there");
}

// The segments of `d`'s text as the OCR job makes them: blocks of each page, in the language
// of the block `doc` (the version corrected) had at the same place, or of most of that page if
// the blocks differ; and `d`'s language, that of most of its text.
Status AddBlocks(archive::Archive* archive, const std::string& record_id, const OcrDoc& doc,
                 archive::DerivedText* d) {
  ASSIGN_OR_RETURN(std::vector<meta::SegmentState> old, archive->records().Segments(record_id));
  std::map<int, std::vector<std::string>> old_langs;  // by page, in text order
  std::map<int, std::map<std::string, int64_t>> page_langs;
  std::vector<const meta::Segment*> ordered;
  for (const auto& s : old) {
    if (s.segment.version == doc.version) ordered.push_back(&s.segment);
  }
  std::sort(ordered.begin(), ordered.end(), [](const meta::Segment* x, const meta::Segment* y) {
    return x->char_start < y->char_start;
  });
  for (const meta::Segment* s : ordered) {
    old_langs[s->page].push_back(s->lang);
    page_langs[s->page][s->lang] += s->char_end - s->char_start;
  }
  std::map<std::string, int64_t> chars_by_lang;
  int64_t offset = 0;
  size_t start = 0;
  for (int number = 1;; ++number) {
    size_t ff = d->text.find('\f', start);
    std::string page_text = d->text.substr(start, ff == std::string::npos ? ff : ff - start);
    std::vector<text::Paragraph> blocks = text::SplitBlocks(page_text);
    const std::vector<std::string>& langs = old_langs[number];
    std::string most = doc.lang;
    int64_t best = 0;
    for (const auto& [lang, n] : page_langs[number]) {
      if (n > best) best = n, most = lang;
    }
    for (size_t b = 0; b < blocks.size(); ++b) {
      meta::Segment g;
      g.page = number;
      g.char_start = offset + blocks[b].char_start;
      g.char_end = offset + blocks[b].char_end;
      g.lang = langs.size() == blocks.size() ? langs[b] : most;
      chars_by_lang[g.lang] += g.char_end - g.char_start;
      g.text = std::move(blocks[b].text);
      d->segments.push_back(std::move(g));
    }
    offset += static_cast<int64_t>(CodePoints(page_text)) + 1;
    if (ff == std::string::npos) break;
    start = ff + 1;
  }
  d->lang = doc.lang;
  int64_t most_chars = 0;
  for (const auto& [lang, n] : chars_by_lang) {
    if (n > most_chars) most_chars = n, d->lang = lang;
  }
  return Status::Ok();
}

Result<meta::Version> CorrectOcrOnce(archive::Archive* archive, const std::string& record_id,
                                     int edited, int page_number,
                                     const std::vector<std::string>& given, const std::string& by) {
  // A sealed or withdrawn record takes none, and is asked before anything of it is read.
  ASSIGN_OR_RETURN(meta::Record record,
                   archive->consent().Writable(record_id, access::Action::kWrite));
  const int newest_version = record.versions.empty() ? 0 : record.versions.back().version;
  // The newest OCR version, read once; the version the corrector read only if it is older.
  ASSIGN_OR_RETURN(OcrDoc doc, LoadOcr(archive, record_id, std::nullopt));
  std::optional<OcrDoc> opened;
  if (doc.version != edited) {
    auto older = LoadOcr(archive, record_id, edited);
    if (!older.ok()) return older.status();
    opened = std::move(*older);
  }
  const OcrDoc& seen = opened ? *opened : doc;
  if (page_number < 1 || page_number > static_cast<int>(seen.pages.size())) {
    return Status::InvalidArgument("version " + std::to_string(edited) + " of " + record_id +
                                   " has no page " + std::to_string(page_number) + " (it has " +
                                   std::to_string(seen.pages.size()) + ")");
  }
  // Each page is saved by itself: a save of another page in between is no conflict, and the
  // words go onto the newest version, whose page is still as the corrector read it.
  if (opened && (doc.pages.size() != opened->pages.size() ||
                 !SamePage(doc.pages[page_number - 1], opened->pages[page_number - 1]))) {
    return Conflict(record, *opened, doc);
  }
  OcrPageWords& page = doc.pages[page_number - 1];
  if (given.size() != page.words.size()) {
    return Status::InvalidArgument("page " + std::to_string(page_number) + " has " +
                                   std::to_string(page.words.size()) + " words, and " +
                                   std::to_string(given.size()) + " were given");
  }
  bool changed = false;
  std::vector<std::string> now(given.size());
  for (size_t i = 0; i < given.size(); ++i) {
    now[i] = Trim(CleanText(given[i], TextLayout::kOneLine));
    if (now[i].size() > kMaxOcrWord) {
      return Status::InvalidArgument("word " + std::to_string(i + 1) + " of page " +
                                     std::to_string(page_number) + " is longer than 1,000 bytes");
    }
    if (now[i] != page.words[i].text) changed = true;
  }
  if (!changed) return Status::InvalidArgument("nothing was changed: the page is as it was");

  // The text again, page by page: the space OCR laid out between words kept, the corrected
  // words in place; where a word was taken out, the wider of the spaces around it stays (a word
  // that began a line leaves the line break).
  const std::vector<size_t> at = CodePointOffsets(doc.text);
  std::string text;
  int64_t written = 0;  // code points of `text`
  auto append = [&](const std::string& s) {
    text += s;
    written += static_cast<int64_t>(CodePoints(s));
  };
  int64_t read = 0;  // code points of the old text consumed
  std::string pending;
  bool have_pending = false;
  Json jpages = Json::array();
  std::vector<std::string> page_texts;
  size_t total_words = 0;
  for (OcrPageWords& p : doc.pages) {
    Json words = Json::array();
    for (size_t i = 0; i < p.words.size(); ++i) {
      OcrBoxedWord& w = p.words[i];
      std::string between = doc.text.substr(at[read], at[w.start] - at[read]);
      pending = have_pending ? Wider(pending, between) : between;
      have_pending = true;
      read = w.end;
      const bool corrected = p.page == page_number && now[i] != w.text;
      if (p.page == page_number) w.text = now[i];
      if (w.text.empty()) continue;  // taken out: its space waits for the next word's
      append(pending);
      have_pending = false;
      Json word = {{"text", w.text},
                   {"box", {w.box[0], w.box[1], w.box[2], w.box[3]}},
                   {"start", written}};
      append(w.text);
      word["end"] = written;
      if (!corrected && w.confidence >= 0) word["confidence"] = w.confidence;
      words.push_back(std::move(word));
      ++total_words;
    }
    Json jp = {{"page", p.page}, {"width", p.width}, {"height", p.height}, {"words", words}};
    if (p.confidence >= 0) jp["confidence"] = p.confidence;
    jpages.push_back(std::move(jp));
  }
  // What follows the last word (the end of the last page) as it was.
  append(have_pending ? Wider(pending, doc.text.substr(at[read])) : doc.text.substr(at[read]));
  if (total_words == 0) {
    return Status::InvalidArgument("the document would be left without a word");
  }

  archive::DerivedText d;
  d.text = std::move(text);
  RETURN_IF_ERROR(AddBlocks(archive, record_id, doc, &d));
  d.after_version = newest_version;
  d.derivation.from = doc.from;
  d.derivation.artifact = "ocr";
  d.derivation.tool = "human";
  d.derivation.tool_version = std::string("attest ") + ATTEST_VERSION;
  d.derivation.params = {{"by", by}, {"edits", doc.version}, {"page", page_number}};
  ASSIGN_OR_RETURN(std::string ocr_json, CanonicalJson(Json{{"pages", jpages}}));
  d.blobs.push_back({"ocr", std::move(ocr_json), ""});
  for (const std::string& sha : doc.page_images) d.blobs.push_back({"page", "", "", sha});
  return archive->records().AddDerived(record_id, doc.from, d);
}

}  // namespace

Result<meta::Version> CorrectOcr(archive::Archive* archive, const std::string& record_id,
                                 int edited, int page, const std::vector<std::string>& words,
                                 const std::string& by) {
  return RetriedIfChanged(
      [&] { return CorrectOcrOnce(archive, record_id, edited, page, words, by); });
}

}  // namespace attest::ingest
