// Correcting a transcript in the browser, and seeing what any correction changed
// (doc/workspace.md, "Correcting a transcript"): the editor beside the player, whose save makes
// a new human version as `attest transcript import` does; and the word-level difference between
// any two text versions of a record, which anyone who may read both may see. Without script the
// editor is a form (a line break in a line's words splits it, a tick joins it to the next); the
// script makes the current line follow playback and a key play a line again. The OCR editor
// (doc/workspace.md, "Correcting OCR text") shows a page's image with a box on each word and
// the page's words in fields beside it; its save makes a new human OCR version.
#include <algorithm>
#include <string>
#include <vector>

#include "core/text_safety.h"
#include "http/numbers.h"
#include "http/pages_common.h"
#include "http/routes.h"
#include "ingest/ocr_edit.h"
#include "ingest/transcripts.h"
#include "service/accounts.h"
#include "service/record_view.h"
#include "service/transcript.h"
#include "service/versions.h"
#include "service/writes.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

// The most lines a form may carry (a transcript of many hours has a few thousand), and the most
// a save may make of them once lines are split (ingest::EditTranscript refuses more).
constexpr size_t kMaxFormLines = 20000;
constexpr size_t kMaxLines = 100000;
// The most words a page of the OCR editor's form may carry (a dense newspaper page has a few
// thousand), and the confidence (0-100) under which OCR's word is marked for a second look.
constexpr size_t kMaxFormWords = 20000;
constexpr int kLowConfidence = 60;

// The player of the editor: the access copy, else the original when it is audio or video.
Json PlayerOf(const service::RecordView& view) {
  for (const char* name : {"access", "original"}) {
    auto it = view.media.find(name);
    if (it != view.media.end() && (it->second.kind == "audio" || it->second.kind == "video")) {
      return {{"src", "/api/v1/records/" + view.record.id + "/media/" + name},
              {"video", it->second.kind == "video"}};
    }
  }
  return nullptr;
}

std::string Field(const Request& req, const std::string& name) { return FormField(req, name); }

// The form's lines as a person left them: a tick joins a line to the next, a line break in a
// line's words splits it, its time shared by the words' length. Unreadable times are kept as
// -1, for the archive to name.
std::vector<ingest::Cue> CuesOfForm(const Request& req, size_t n) {
  std::vector<ingest::Cue> given;
  for (size_t i = 0; i < n; ++i) {
    const std::string k = std::to_string(i);
    if (Field(req, "d" + k) == "yes") continue;  // removed
    ingest::Cue c;
    c.start_ms = ingest::ParseClockText(Field(req, "s" + k));
    c.end_ms = ingest::ParseClockText(Field(req, "e" + k));
    c.speaker = CleanText(Field(req, "v" + k), TextLayout::kOneLine);
    c.text = CleanText(Field(req, "t" + k), TextLayout::kLines);
    if (!given.empty() && Field(req, "j" + std::to_string(i - 1)) == "yes" &&
        Field(req, "d" + std::to_string(i - 1)) != "yes") {
      given.back().text += " " + c.text;
      given.back().end_ms = c.end_ms;
      continue;
    }
    given.push_back(std::move(c));
  }
  std::vector<ingest::Cue> out;
  for (ingest::Cue& c : given) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= c.text.size() && parts.size() <= kMaxLines) {
      size_t nl = c.text.find('\n', start);
      if (nl == std::string::npos) nl = c.text.size();
      std::string part = c.text.substr(start, nl - start);
      if (!part.empty() && part.back() == '\r') part.pop_back();  // a browser's CRLF
      if (part.find_first_not_of(" \r\t") != std::string::npos) parts.push_back(part);
      start = nl + 1;
    }
    if (parts.size() <= 1 || c.start_ms < 0 || c.end_ms <= c.start_ms) {
      if (parts.size() == 1) c.text = parts[0];
      out.push_back(std::move(c));
      continue;
    }
    size_t total = 0;
    for (const auto& p : parts) total += CodePoints(p);
    int64_t at = c.start_ms, span = c.end_ms - c.start_ms;
    size_t done = 0;
    for (size_t k = 0; k < parts.size() && out.size() <= kMaxLines; ++k) {
      done += CodePoints(parts[k]);
      ingest::Cue piece;
      piece.lang = c.lang;
      piece.speaker = c.speaker;
      piece.text = std::move(parts[k]);
      piece.start_ms = at;
      piece.end_ms = k + 1 == parts.size()
                         ? c.end_ms
                         : c.start_ms + static_cast<int64_t>(span * done / std::max<size_t>(total, 1));
      if (piece.end_ms <= piece.start_ms) piece.end_ms = piece.start_ms + 1;
      at = piece.end_ms;
      out.push_back(std::move(piece));
    }
  }
  return out;
}

// The editor's page: `doc`'s lines (or the lines a refused save sent, `sent`), `said` an error.
void SendEditor(const Request& req, Response& res, const PageContext& pc, const Call& c,
                const ingest::TranscriptDoc& doc, const std::vector<ingest::Cue>* sent,
                const Json& said, int status) {
  auto view = service::ReadRecordView(c.scope(), doc.record);
  if (!view.ok()) return pc.Error(res, c.archive(), HttpStatusFor(view.status()));
  res.set_header("Cache-Control", "no-store");
  const std::string title = RecordTitle(view->record, pc);
  Json v = pc.Base(c.archive(), pc.t()["edit_title"].get<std::string>() + ": " + title, "none");
  v["record"] = doc.record;
  v["record_title"] = title;
  v["csrf"] = c.subject.csrf;
  v["edits"] = std::to_string(doc.version);
  v["tool"] = doc.tool + (doc.model.empty() ? "" : " (" + doc.model + ")");
  v["player"] = PlayerOf(*view);
  const std::vector<ingest::Cue>& cues = sent ? *sent : doc.cues;
  Json lines = Json::array();
  for (size_t i = 0; i < cues.size(); ++i) {
    const ingest::Cue& q = cues[i];
    const std::string lang = q.lang.empty() ? view->record.versions.front().lang : q.lang;
    lines.push_back({{"i", std::to_string(i)},
                     {"n", std::to_string(i + 1)},
                     {"start", q.start_ms >= 0 ? ingest::FormatClock(q.start_ms) : ""},
                     {"end", q.end_ms >= 0 ? ingest::FormatClock(q.end_ms) : ""},
                     {"start_ms", std::to_string(std::max<int64_t>(q.start_ms, 0))},
                     {"end_ms", std::to_string(std::max<int64_t>(q.end_ms, 0))},
                     {"speaker", q.speaker},
                     {"text", q.text},
                     {"lang", lang},
                     {"dir", Direction(lang)}});
  }
  v["lines"] = lines;
  v["count"] = std::to_string(cues.size());
  if (said.is_object()) {
    for (const auto& [k, value] : said.items()) v[k] = value;
  }
  pc.Send(res, "edit", v, status);
}

// Opens the page's archive and caller (with the form's token for a save); archivists and
// admins go on. False when answered.
bool BeginEditor(Site* site, const Request& req, Response& res, const PageContext& pc, Call* c,
                 bool save) {
  if (!BeginPage(site, req, res, pc, c, save ? Field(req, "csrf") : std::string())) return false;
  if (service::MayWrite(c->scope())) return true;
  if (c->subject.role == access::Role::kAnonymous && !save) {
    res.set_redirect("/login?back=" + Url(req.path), 303);
  } else if (c->subject.role == access::Role::kAnonymous) {
    pc.Error(res, c->archive(), 401);
  } else {
    pc.Error(res, c->archive(), 403, "forbidden_staff");
  }
  return false;
}

// A refused save in the page's language, and the archive's own reason (in English) after it.
Json Refusal(const PageContext& pc, const Status& st) {
  return {{"error", pc.t()[st.code() == Code::kConflict ? "edit_conflict_said" : "edit_refused"]},
          {"error_detail", st.message()}};
}

// An editor's save made (to what it changed, from version `edits`), or refused for a record the
// caller may not correct (404): true when answered; else the editor is shown again.
bool AnsweredSave(Response& res, const PageContext& pc, const Call& c, const std::string& id,
                  uint64_t edits, const Result<meta::Version>& saved) {
  if (saved.ok()) {
    res.set_redirect("/records/" + id + "/diff?from=" + std::to_string(edits) +
                         "&to=" + std::to_string(saved->version),
                     303);
    return true;
  }
  if (saved.status().IsNotFound() && saved.status().message() == service::kNoSuchRecord) {
    pc.Error(res, c.archive(), 404);
    return true;
  }
  return false;
}

void EditPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginEditor(site, req, res, pc, &c, false)) return;
  auto doc = service::ReadTranscriptToEdit(c.scope(), req.matches[1]);
  if (!doc.ok()) return pc.Error(res, c.archive(), HttpStatusFor(doc.status()));
  SendEditor(req, res, pc, c, *doc, nullptr, Json(), 200);
}

void PostEdit(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginEditor(site, req, res, pc, &c, true)) return;
  const std::string id = req.matches[1];
  std::optional<uint64_t> edits = ParseDigits(Field(req, "edits"), 6);
  std::optional<uint64_t> n = ParseDigits(Field(req, "n"), 6);
  if (!edits || !n || *n > kMaxFormLines) return pc.Error(res, c.archive(), 400);
  std::vector<ingest::Cue> cues = CuesOfForm(req, *n);
  auto saved = service::SaveTranscript(c.scope(), id, static_cast<int>(*edits), cues);
  if (AnsweredSave(res, pc, c, id, *edits, saved)) return;
  // Refused: the page again with the lines as they were sent, so nothing typed is lost; a
  // conflict also links to what the other save changed, and to the newest version.
  auto doc = service::ReadTranscriptToEdit(c.scope(), id);
  if (!doc.ok()) return pc.Error(res, c.archive(), HttpStatusFor(doc.status()));
  Json said = Refusal(pc, saved.status());
  if (saved.status().code() == Code::kConflict) {
    said["conflict"] = true;
    said["diff"] = "/records/" + id + "/diff?from=" + std::to_string(*edits) +
                   "&to=" + std::to_string(doc->version);
  }
  // The lines stay those of the version they were made from: saved again, they are refused
  // again rather than put over the other person's change.
  ingest::TranscriptDoc shown = std::move(*doc);
  shown.version = static_cast<int>(*edits);
  SendEditor(req, res, pc, c, shown, &cues, said, HttpStatusFor(saved.status()));
}

// The OCR editor's page: page `number` of `doc` (or the words a refused save sent, `sent`),
// `said` an error.
void SendOcrEditor(Response& res, const PageContext& pc, const Call& c, const ingest::OcrDoc& doc,
                   int number, const std::vector<std::string>* sent, const Json& said,
                   int status) {
  auto view = service::ReadRecordView(c.scope(), doc.record);
  if (!view.ok()) return pc.Error(res, c.archive(), HttpStatusFor(view.status()));
  res.set_header("Cache-Control", "no-store");
  const std::string title = RecordTitle(view->record, pc);
  Json v = pc.Base(c.archive(), pc.t()["ocr_title"].get<std::string>() + ": " + title, "none");
  const ingest::OcrPageWords& page = doc.pages[number - 1];
  const std::string base = "/records/" + doc.record + "/ocr/edit?page=";
  v["record"] = doc.record;
  v["record_title"] = title;
  v["csrf"] = c.subject.csrf;
  v["edits"] = std::to_string(doc.version);
  v["tool"] = doc.tool;
  v["page"] = std::to_string(number);
  v["pages"] = std::to_string(doc.pages.size());
  v["many"] = doc.pages.size() > 2;
  if (number > 1) v["prev"] = base + std::to_string(number - 1);
  if (number < static_cast<int>(doc.pages.size())) v["next"] = base + std::to_string(number + 1);
  v["lang"] = doc.lang;
  v["dir"] = Direction(doc.lang);
  v["count"] = std::to_string(page.words.size());
  // The image OCR read: the page's own (a PDF's, a TIFF's), else a photographed page itself.
  std::string media = "page-" + std::to_string(number);
  if (!view->media.count(media) && number == 1 && view->media.count("original") &&
      view->media.at("original").kind == "image") {
    media = "original";
  }
  if (view->media.count(media) && page.width > 0 && page.height > 0) {
    Json boxes = Json::array();
    for (size_t i = 0; i < page.words.size(); ++i) {
      const ingest::OcrBoxedWord& w = page.words[i];
      boxes.push_back({{"i", std::to_string(i)},
                       {"x", std::to_string(w.box[0])},
                       {"y", std::to_string(w.box[1])},
                       {"w", std::to_string(std::max<int64_t>(w.box[2] - w.box[0], 1))},
                       {"h", std::to_string(std::max<int64_t>(w.box[3] - w.box[1], 1))},
                       {"low", w.confidence >= 0 && w.confidence < kLowConfidence}});
    }
    v["image"] = {{"src", "/api/v1/records/" + doc.record + "/media/" + media},
                  {"width", std::to_string(page.width)},
                  {"height", std::to_string(page.height)},
                  {"boxes", boxes}};
  }
  // The words in blocks and lines, as OCR laid them out.
  Json blocks = Json::array();
  for (size_t i = 0; i < page.words.size(); ++i) {
    const ingest::OcrBoxedWord& w = page.words[i];
    if (blocks.empty() || w.breaks >= 2) blocks.push_back({{"lines", Json::array()}});
    Json& lines = blocks.back()["lines"];
    if (lines.empty() || w.breaks >= 1) lines.push_back({{"words", Json::array()}});
    const std::string& text = sent ? (*sent)[i] : w.text;
    lines.back()["words"].push_back(
        {{"i", std::to_string(i)},
         {"n", std::to_string(i + 1)},
         {"text", text},
         {"size", std::to_string(std::clamp<size_t>(CodePoints(text) + 1, 3, 30))},
         {"low", w.confidence >= 0 && w.confidence < kLowConfidence}});
  }
  v["blocks"] = blocks;
  if (said.is_object()) {
    for (const auto& [k, value] : said.items()) v[k] = value;
  }
  pc.Send(res, "ocr_edit", v, status);
}

// ?page=N of a document of `pages` pages: 1 if not given, 0 if not one of them.
int PageParam(const std::string& given, size_t pages) {
  if (given.empty()) return 1;
  std::optional<uint64_t> n = ParseDigits(given, 6);
  return n && *n >= 1 && *n <= pages ? static_cast<int>(*n) : 0;
}

void OcrEditPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginEditor(site, req, res, pc, &c, false)) return;
  auto doc = service::ReadOcrToEdit(c.scope(), req.matches[1]);
  if (!doc.ok()) return pc.Error(res, c.archive(), HttpStatusFor(doc.status()));
  int number = PageParam(Param(req, "page"), doc->pages.size());
  if (number == 0) return pc.Error(res, c.archive(), 404);
  SendOcrEditor(res, pc, c, *doc, number, nullptr, Json(), 200);
}

void PostOcrEdit(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginEditor(site, req, res, pc, &c, true)) return;
  const std::string id = req.matches[1];
  std::optional<uint64_t> edits = ParseDigits(Field(req, "edits"), 6);
  std::optional<uint64_t> page = ParseDigits(Field(req, "page"), 6);
  std::optional<uint64_t> n = ParseDigits(Field(req, "n"), 6);
  if (!edits || !page || !n || *n > kMaxFormWords) return pc.Error(res, c.archive(), 400);
  std::vector<std::string> words;
  words.reserve(*n);
  // As the save keeps them (and as a refused save shows them again): one line of valid UTF-8
  // without controls.
  for (uint64_t i = 0; i < *n; ++i) {
    words.push_back(ingest::Trim(CleanText(Field(req, "w" + std::to_string(i)), TextLayout::kOneLine)));
  }
  auto saved = service::SaveOcr(c.scope(), id, static_cast<int>(*edits), static_cast<int>(*page),
                                words);
  if (AnsweredSave(res, pc, c, id, *edits, saved)) return;
  // Refused: the page of the version the words were read from, with the words as they were
  // sent, so nothing typed is lost; a conflict also links to what the other save changed.
  auto doc = service::ReadOcrToEdit(c.scope(), id, static_cast<int>(*edits));
  if (!doc.ok()) return pc.Error(res, c.archive(), HttpStatusFor(doc.status()));
  const int number = PageParam(std::to_string(*page), doc->pages.size());
  if (number == 0 || doc->pages[number - 1].words.size() != words.size()) {
    return pc.Error(res, c.archive(), HttpStatusFor(saved.status()));
  }
  Json said = Refusal(pc, saved.status());
  if (saved.status().code() == Code::kConflict) {
    auto newest = service::ReadOcrToEdit(c.scope(), id);
    said["conflict"] = true;
    said["diff"] = "/records/" + id + "/diff?from=" + std::to_string(*edits) +
                   "&to=" + std::to_string(newest.ok() ? newest->version : doc->version);
  }
  SendOcrEditor(res, pc, c, *doc, number, &words, said, HttpStatusFor(saved.status()));
}

// The text versions of a record as the version menus offer them.
Json VersionChoices(const service::RecordView& view, int selected) {
  Json out = Json::array();
  for (const auto& ver : view.json["versions"]) {
    if (!ver.contains("derived")) continue;
    const std::string artifact = ver["derived"]["artifact"];
    if (artifact != "transcript" && artifact != "text" && artifact != "ocr" &&
        artifact != "translation") {
      continue;
    }
    int n = ver["version"].get<int>();
    out.push_back({{"value", std::to_string(n)},
                   {"name", std::to_string(n) + " (" + artifact + ", " +
                                ver["derived"]["tool"].get<std::string>() + ")"},
                   {"selected", n == selected}});
  }
  return out;
}

void DiffPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;
  auto view = service::ReadRecordView(c.scope(), req.matches[1]);
  if (!view.ok()) return pc.Error(res, c.archive(), HttpStatusFor(view.status()));
  // By default: the text shown on the record's page against the text version before it.
  std::optional<uint64_t> to = ParseDigits(Param(req, "to"), 6);
  std::optional<uint64_t> from = ParseDigits(Param(req, "from"), 6);
  int to_v = to ? static_cast<int>(*to) : view->text_version;
  int from_v = from ? static_cast<int>(*from) : 0;
  if (!from) {
    for (const auto& ver : view->json["versions"]) {
      int n = ver["version"].get<int>();
      if (n < to_v && ver.contains("derived") &&
          ver["derived"]["artifact"] == view->artifact) {
        from_v = n;
      }
    }
  }
  const std::string title = RecordTitle(view->record, pc);
  Json v = pc.Base(c.archive(), pc.t()["diff_title"].get<std::string>() + ": " + title, "none");
  v["record"] = view->record.id;
  v["record_title"] = title;
  v["from_choices"] = VersionChoices(*view, from_v);
  v["to_choices"] = VersionChoices(*view, to_v);
  if (from_v == 0) {
    v["error"] = pc.t()["diff_choose"];
    return pc.Send(res, "diff", v, 200);
  }
  auto d = service::DiffVersions(c.scope(), view->record.id, from_v, to_v);
  if (!d.ok()) {
    if (d.status().message() == service::kNoSuchRecord) return pc.Error(res, c.archive(), 404);
    v["error"] = d.status().message();
    return pc.Send(res, "diff", v, HttpStatusFor(d.status()));
  }
  Json parts = Json::array();
  for (const DiffPart& p : d->parts) {
    parts.push_back({{"text", p.text},
                     {"same", p.op == DiffPart::kSame},
                     {"removed", p.op == DiffPart::kRemoved},
                     {"added", p.op == DiffPart::kAdded}});
  }
  v["parts"] = parts;
  v["from"] = std::to_string(d->from);
  v["to"] = std::to_string(d->to);
  v["removed"] = std::to_string(d->removed);
  v["added"] = std::to_string(d->added);
  v["unchanged"] = d->removed == 0 && d->added == 0;
  // The record's own language when it is written right to left; else as the words go.
  const std::string dir = Direction(view->record.versions.front().lang);
  v["dir"] = dir == "rtl" ? dir : "auto";
  pc.Send(res, "diff", v, 200);
}

}  // namespace

void RegisterEditPages(Site* site, httplib::Server* svr) {
  svr->Get(R"(/records/([a-z0-9]{1,64})/transcript/edit)", Bind(site, EditPage));
  svr->Post(R"(/records/([a-z0-9]{1,64})/transcript/edit)", Bind(site, PostEdit));
  svr->Get(R"(/records/([a-z0-9]{1,64})/ocr/edit)", Bind(site, OcrEditPage));
  svr->Post(R"(/records/([a-z0-9]{1,64})/ocr/edit)", Bind(site, PostOcrEdit));
  svr->Get(R"(/records/([a-z0-9]{1,64})/diff)", Bind(site, DiffPage));
}

}  // namespace attest::http
