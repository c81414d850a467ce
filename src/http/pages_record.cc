// A record's page (its player or pages, text, versions and citation) and a witness's page.
#include <algorithm>
#include <map>

#include "http/numbers.h"
#include "http/pages_common.h"
#include "http/routes.h"
#include "service/accounts.h"
#include "service/cite.h"
#include "service/jobs.h"
#include "service/listing.h"
#include "service/record_view.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;
using service::PageBoxes;
using service::RecordView;

// A page image, with the boxes of matched words to draw over it (in OCR's pixels).
Json PageImage(const std::string& src, const PageBoxes* boxes) {
  Json image = {{"src", src}, {"hits", false}};  // false: no lookup in the enclosing sections
  if (boxes && !boxes->boxes.empty() && boxes->width > 0 && boxes->height > 0) {
    Json rects = Json::array();
    for (const service::Box& b : boxes->boxes) {
      rects.push_back({{"x", b.x0}, {"y", b.y0}, {"w", b.x1 - b.x0}, {"h", b.y1 - b.y0}});
    }
    image["hits"] = {{"width", boxes->width}, {"height", boxes->height}, {"rects", rects}};
  }
  return image;
}

// Marks code-point ranges of a version's text (RecordMarks) in a segment of it that starts at
// code point `start`.
Json MarkCodePoints(const std::string& text, int64_t start,
                    const std::vector<std::pair<int64_t, int64_t>>& ranges) {
  if (start < 0 || ranges.empty()) return Parts(text, {});
  // Byte offset of each code point of the segment, and of its end.
  std::vector<uint32_t> at;
  for (uint32_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) at.push_back(i);
  }
  at.push_back(static_cast<uint32_t>(text.size()));
  const int64_t n = static_cast<int64_t>(at.size()) - 1;
  std::vector<std::pair<uint32_t, uint32_t>> marks;
  for (auto [from, to] : ranges) {
    int64_t s = from - start, e = to - start;
    if (e <= 0 || s >= n) continue;
    marks.emplace_back(at[std::max<int64_t>(s, 0)], at[std::min<int64_t>(e, n)]);
  }
  return Parts(text, marks);
}

// What a record opened from a search marks: the words the search matched, found by the search
// itself, in the text and drawn on the page images OCR read (by page).
struct TextMarks {
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> by_segment;
  std::map<int, PageBoxes> drawn;

  // A segment's text as parts, what matched marked.
  Json PartsOf(const meta::SegmentState& s) const {
    auto it = by_segment.find(s.segment.id);
    return MarkCodePoints(
        s.segment.text, s.segment.char_start,
        it == by_segment.end() ? std::vector<std::pair<int64_t, int64_t>>() : it->second);
  }
  // The image of page `page` at `src`, with what matched on it.
  Json Image(const std::string& src, int page) const {
    auto d = drawn.find(page);
    return PageImage(src, d == drawn.end() ? nullptr : &d->second);
  }
};

TextMarks FindMarks(const Call& c, const RecordView& view, const std::string& q) {
  TextMarks marks;
  marks.by_segment = service::RecordMarks(c.scope(), view, q);
  std::vector<std::pair<int64_t, int64_t>> all;
  for (const auto& [id, ranges] : marks.by_segment) {
    all.insert(all.end(), ranges.begin(), ranges.end());
  }
  auto boxes = service::OcrBoxes(c.archive(), view, all);
  if (boxes.ok()) marks.drawn = std::move(*boxes);
  return marks;
}

// Who gave the record, its language, shown metadata and consent; for those who may change it,
// what could not be read of its file and why its consent changed.
void AddRecordFacts(const RecordView& view, const PageContext& pc, Json* v) {
  const Json& j = view.json;
  const meta::Record& r = view.record;
  // Absent rather than empty: an empty string shows in mustache.
  if (!r.witness_id.empty()) (*v)["witness"] = r.witness_id;
  if (!r.collection_id.empty()) (*v)["collection"] = r.collection_id;
  (*v)["lang_name"] = pc.LangName(j["lang"]);
  if (j["meta"].contains("note")) (*v)["note"] = j["meta"]["note"];
  if (j["meta"].contains("description")) (*v)["description"] = j["meta"]["description"];
  (*v)["consent_text"] = pc.t()[std::string("consent_") + meta::ConsentName(r.consent)];
  if (j.contains("failed_jobs")) {
    Json failed = Json::array();
    std::string file = j.contains("source") ? j["source"].value("file", "") : "";
    for (const Json& f : j["failed_jobs"]) {
      failed.push_back({{"file", file}, {"kind", f["kind"]}, {"error", f["error"]}});
    }
    (*v)["failed"] = failed;
    (*v)["has_failed"] = true;
  }
  Json changes = Json::array();
  for (const Json& c : j["consent_changes"]) {
    std::string at = c["at"];
    Json item = {{"at", at},
                 {"day", at.substr(0, 10)},
                 {"from", pc.t().value("level_" + c["from"].get<std::string>(), "")},
                 {"to", pc.t().value("level_" + c["to"].get<std::string>(), "")},
                 {"leaf_index", c["leaf_index"]},
                 {"segment", c.contains("segment") ? c["segment"] : Json(false)},
                 {"passage", c.contains("passage")}};
    if (c.contains("reason")) item["reason"] = c["reason"];
    changes.push_back(item);
  }
  (*v)["has_consent_changes"] = !changes.empty();
  (*v)["consent_changes"] = changes;
}

// The player (the access copy if there is one, else the original when it is audio or video,
// from second `t_ms / 1000` if given), the original shown when it is an image browsers show,
// and its download link.
void AddMedia(const RecordView& view, int64_t t_ms, const TextMarks& marks, Json* v) {
  const std::string base = "/api/v1/records/" + view.record.id + "/media/";
  const service::MediaFile* play = nullptr;
  std::string play_name;
  for (const char* name : {"access", "original"}) {
    auto it = view.media.find(name);
    if (it != view.media.end() && (it->second.kind == "audio" || it->second.kind == "video")) {
      play = &it->second;
      play_name = name;
      break;
    }
  }
  if (play) {
    std::string src = base + play_name;
    if (t_ms >= 0) src += "#t=" + std::to_string(t_ms / 1000);  // media fragment: no script
    Json p = {{"src", src}, {"video", play->kind == "video"}};
    if (view.media.count("poster")) p["poster"] = base + "poster";
    (*v)["player"] = p;
  }
  auto orig = view.media.find("original");
  if (orig != view.media.end()) {
    // An image browsers show (PNG, JPEG) is shown itself, a one-page document.
    const std::string& mime = orig->second.mime;
    if (orig->second.kind == "image" && (mime == "image/png" || mime == "image/jpeg")) {
      (*v)["image"] = marks.Image(base + "original", 1);
    }
    (*v)["download"] = base + "original";
  }
}

// What made the text shown: a person, or the tool (a machine transcript named so).
std::string Provenance(const RecordView& view, const PageContext& pc) {
  std::string provenance;
  for (const auto& ver : view.json["versions"]) {
    if (ver["version"] == view.text_version && ver.contains("derived")) {
      std::string tool = ver["derived"]["tool"];
      provenance = tool == "human"
                       ? pc.t()["human_transcript"].get<std::string>()
                       : (view.artifact == "transcript"
                              ? pc.t()["machine_transcript"].get<std::string>() + " (" + tool + ")"
                              : tool);
    }
  }
  return provenance;
}

// Timed text as lines, the one at `t_ms` (if given) current.
Json TimedLines(archive::Archive* a, const RecordView& view, int64_t t_ms, const TextMarks& marks) {
  Json lines = Json::array();
  const meta::SegmentState* current = nullptr;
  for (const auto& s : view.segments) {
    if (t_ms >= 0 && s.segment.start_ms <= t_ms) current = &s;
  }
  for (const auto& s : view.segments) {
    std::string lang = s.segment.lang.empty() ? "und" : s.segment.lang;
    lines.push_back(
        {{"id", a->SegmentRef(s.segment.id)},
         {"start_ms", std::to_string(std::max<int64_t>(0, s.segment.start_ms))},
         {"end_ms", std::to_string(std::max<int64_t>(0, s.segment.end_ms))},
         {"time", FormatClock(s.segment.start_ms)},
         {"href", "/records/" + view.record.id + "?t=" + std::to_string(s.segment.start_ms / 1000)},
         {"lang", lang},
         {"dir", Direction(lang)},
         {"current", current == &s},
         {"parts", marks.PartsOf(s)}});
  }
  return lines;
}

// Text by page, each page with its image when there is one.
Json TextPages(archive::Archive* a, const RecordView& view, const TextMarks& marks) {
  Json pages = Json::array();
  int last_page = -2;
  for (const auto& s : view.segments) {
    if (s.segment.page != last_page) {
      Json pg = {{"paragraphs", Json::array()}};
      if (s.segment.page >= 0) pg["number"] = std::to_string(s.segment.page);
      std::string image = "page-" + std::to_string(s.segment.page);
      // A page without an image of its own says so: the template would otherwise find the
      // record's own image (a PNG's, shown above) in its context and show it a second time.
      pg["image"] = false;
      if (view.media.count(image)) {
        pg["image"] =
            marks.Image("/api/v1/records/" + view.record.id + "/media/" + image, s.segment.page);
      }
      pages.push_back(pg);
      last_page = s.segment.page;
    }
    std::string lang = s.segment.lang.empty() ? "und" : s.segment.lang;
    pages.back()["paragraphs"].push_back({{"id", a->SegmentRef(s.segment.id)},
                                          {"lang", lang},
                                          {"dir", Direction(lang)},
                                          {"parts", marks.PartsOf(s)}});
  }
  return pages;
}

// The record's text: lines if it is timed, else pages.
void AddText(archive::Archive* a, const RecordView& view, int64_t t_ms, const TextMarks& marks,
             Json* v) {
  bool timed = false;
  for (const auto& s : view.segments) timed |= s.segment.start_ms >= 0;
  if (timed) {
    Json lines = TimedLines(a, view, t_ms, marks);
    (*v)["has_lines"] = !lines.empty();
    (*v)["lines"] = std::move(lines);
  } else if (!view.segments.empty()) {
    (*v)["pages"] = TextPages(a, view, marks);
    (*v)["has_pages"] = true;
  }
}

Json VersionsView(const Json& j) {
  Json versions = Json::array();
  for (const auto& ver : j["versions"]) {
    Json row = {
        {"version", std::to_string(ver["version"].get<int>())},
        {"created", ver["created"]},
        {"leaf_index", std::to_string(ver["leaf_index"].get<uint64_t>())},
        {"manifest_short", ver.contains("manifest_sha256")
                               ? ver["manifest_sha256"].get<std::string>().substr(0, 16) + "…"
                               : std::string("—")}};
    if (ver.contains("derived")) {
      row["made"] = true;
      row["artifact"] = ver["derived"]["artifact"];
      row["tool"] = ver["derived"]["tool"];
      row["from"] = std::to_string(ver["derived"]["from"].get<int>());
    }
    versions.push_back(row);
  }
  return versions;
}

// The checkpoint, the verifier key, the proof's link and the citation (its URL on the host the
// reader asked, when that is a plain host name).
void AddCitation(Site* site, archive::Archive* a, const Request& req, const RecordView& view,
                 int64_t t_ms, Json* v) {
  const std::string& id = view.record.id;
  auto cp = a->verifier().Checkpoint();
  (*v)["checkpoint"] = cp.ok() ? cp->note : "";
  (*v)["vkey"] = a->verifier().VerifierKey();
  (*v)["proof"] = "/api/v1/records/" + id + "/proof";
  std::string host = req.get_header_value("Host");
  std::string cite_path = "/records/" + id + (t_ms >= 0 ? "?t=" + std::to_string(t_ms / 1000) : "");
  bool host_ok = !host.empty() && host.size() < 256 &&
                 host.find_first_not_of(
                     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") ==
                     std::string::npos;
  (*v)["cite_url"] = host_ok ? "http://" + host + cite_path : cite_path;
  (*v)["citation"] = service::Citation(view, site->origin, t_ms);
}

// The record's jobs, for archivists, admins and the volunteer who added it (doc/workspace.md):
// each one's kind, state and reason in the page's language, and for staff a retry form for a
// failed or cancelled one.
void AddJobs(const Call& c, const PageContext& pc, const std::string& id, Json* v) {
  if (!service::MayAdd(c.scope())) return;
  auto jobs = service::RecordJobs(c.scope(), id);
  if (!jobs.ok()) return;
  const bool staff = service::MayWrite(c.scope());
  Json shown = Json::array();
  for (const meta::Job& j : *jobs) {
    std::string state = meta::JobStateName(j.state);
    shown.push_back({{"id", j.id},
                     {"record", id},
                     {"csrf", c.subject.csrf},
                     {"kind_name", pc.t()["job_kind_names"].value(j.kind, j.kind)},
                     {"version", j.version},
                     {"state", state},
                     {"state_name", pc.t()["job_state_names"].value(state, state)},
                     {"error", j.state == meta::JobState::kDone ? "" : j.error},
                     {"progress", j.state == meta::JobState::kRunning && j.progress >= 0
                                      ? Json(j.progress)
                                      : Json(false)},
                     {"percent", std::to_string(std::max(j.progress, 0) / 10) + " %"},
                     {"retry", staff && (j.state == meta::JobState::kFailed ||
                                         j.state == meta::JobState::kCancelled)}});
  }
  (*v)["jobs"] = shown;
  (*v)["jobs_shown"] = !shown.empty();
  (*v)["jobs_api"] = "/api/v1/records/" + id + "/jobs";
}

// The forms of the changes an archivist makes on the record's page (pages_consent.cc): the
// record's or a passage's consent, a seal, a redaction, a withdrawal; with what the last one
// sent said (`said`: "error" in the page's language, and the fields sent, kept).
void AddChangeForms(const Call& c, const PageContext& pc, const RecordView& view, const Json& said,
                    Json* v) {
  const meta::Record& r = view.record;
  if (!service::MayWrite(c.scope()) || !view.may_change) return;
  auto kept = [&](const char* name, const std::string& fallback = "") {
    return said.is_object() && said.contains(name) ? said[name].get<std::string>() : fallback;
  };
  Json change = {{"csrf", c.subject.csrf},
                 {"record", r.id},
                 {"error", kept("error").empty() ? Json(false) : Json(kept("error"))},
                 {"reason", kept("reason")},
                 {"words", kept("words")},
                 {"until", kept("until")}};
  const std::string level = kept("consent", meta::ConsentName(r.consent));
  const std::string then = kept("then", "restricted");
  Json levels = Json::array(), thens = Json::array();
  for (const char* l : {"public", "research", "restricted", "sealed"}) {
    levels.push_back({{"value", l}, {"name", pc.t()["level_" + std::string(l)]}, {"selected", level == l}});
    if (std::string(l) != "sealed") {
      thens.push_back({{"value", l}, {"name", pc.t()["level_" + std::string(l)]}, {"selected", then == l}});
    }
  }
  change["levels"] = levels;
  change["then_levels"] = thens;
  // The passages, by their place and first words.
  const std::string chosen = kept("segment");
  Json passages = Json::array();
  for (const auto& s : view.segments) {
    std::string label;
    if (s.segment.start_ms >= 0) {
      int64_t sec = s.segment.start_ms / 1000;
      label = std::to_string(sec / 60) + ":" + (sec % 60 < 10 ? "0" : "") + std::to_string(sec % 60);
    } else {
      label = "¶" + std::to_string(passages.size() + 1);
    }
    std::string words = s.segment.text.substr(0, 80);
    while (!words.empty() && (static_cast<unsigned char>(words.back()) & 0xC0) == 0x80) words.pop_back();
    if (!words.empty() && static_cast<unsigned char>(words.back()) >= 0xC0) words.pop_back();
    std::string ref = c.archive()->SegmentRef(s.segment.id);
    passages.push_back({{"ref", ref},
                        {"label", label + " — " + words + (s.segment.text.size() > 80 ? "…" : "")},
                        {"selected", ref == chosen}});
  }
  change["passages"] = passages;
  change["has_passages"] = !passages.empty();
  (*v)["change"] = change;
}

// The form that makes a clip of the text version (doc/sessions.md), for accounts and tokens:
// times for a transcript, characters for a text; ?clip_from=&clip_to= (or clip_chars=A-B, as a
// search or Ask hit links it) fill it in.
void AddClipForm(const Call& c, const Request& req, const RecordView& view, const Json& said,
                 Json* v) {
  if (c.scope().actor.empty() || !c.subject.witness_id.empty() || view.segments.empty()) return;
  const bool times = view.segments.front().segment.start_ms >= 0;
  Json form = {{"csrf", c.subject.csrf},
               {"record", view.record.id},
               {"version", view.text_version},
               {"times", times},
               {"from", Param(req, "clip_from").substr(0, 12)},
               {"to", Param(req, "clip_to").substr(0, 12)},
               {"char_from", ""},
               {"char_to", ""},
               {"title", ""},
               {"note", ""},
               {"error", said.is_object() && said.contains("clip_error") ? said["clip_error"]
                                                                          : Json(false)}};
  const std::string chars = Param(req, "clip_chars");
  if (size_t dash = chars.find('-'); dash != std::string::npos && chars.size() < 26) {
    form["char_from"] = chars.substr(0, dash);
    form["char_to"] = chars.substr(dash + 1);
  }
  if (said.is_object()) {
    for (const char* key : {"from", "to", "char_from", "char_to"}) {
      if (!FormField(req, key).empty()) form[key] = FormField(req, key).substr(0, 12);
    }
    form["title"] = FormField(req, "title").substr(0, 200);
    form["note"] = FormField(req, "note").substr(0, 4096);
  }
  (*v)["clip_form"] = form;
}

}  // namespace

void SendRecordPage(Site* site, const Request& req, Response& res, const PageContext& pc,
                    const Call& c, const std::string& id, const Json& said, int status) {
  auto view = service::ViewRecord(c.scope(), id);
  if (!view.ok()) return pc.Error(res, c.archive(), HttpStatusFor(view.status()));
  std::string title = RecordTitle(view->record, pc);
  Json v = pc.Base(c.archive(), title, "none");
  v["title"] = title;
  AddRecordFacts(*view, pc, &v);
  // ?t=SECONDS: where to play from and which line is current.
  std::optional<uint64_t> t = ParseDigits(Param(req, "t"), 7);
  int64_t t_ms = t ? static_cast<int64_t>(*t) * 1000 : -1;
  TextMarks marks = FindMarks(c, *view, Param(req, "q"));
  AddMedia(*view, t_ms, marks, &v);
  v["provenance"] = Provenance(*view, pc);
  AddText(c.archive(), *view, t_ms, marks, &v);
  v["versions"] = VersionsView(view->json);
  // Each text version made from another links to what it changed; staff correct the transcript.
  for (auto& row : v["versions"]) {
    const std::string artifact = row.value("artifact", "");
    if (artifact == "transcript" || artifact == "text" || artifact == "ocr") {
      row["diff"] = "/records/" + view->record.id + "/diff?to=" + row["version"].get<std::string>();
    }
  }
  if (view->may_change && view->reads_hidden && service::MayWrite(c.scope())) {
    if (view->artifact == "transcript") {
      v["edit_href"] = "/records/" + view->record.id + "/transcript/edit";
      v["edit_label"] = pc.t()["edit_link"];
    } else if (view->artifact == "ocr") {
      v["edit_href"] = "/records/" + view->record.id + "/ocr/edit";
      v["edit_label"] = pc.t()["ocr_title"];
    }
  }
  AddCitation(site, c.archive(), req, *view, t_ms, &v);
  AddJobs(c, pc, view->record.id, &v);
  AddChangeForms(c, pc, *view, said, &v);
  AddClipForm(c, req, *view, said, &v);
  pc.Send(res, "record", v, status);
}

namespace {

void RecordPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;
  SendRecordPage(site, req, res, pc, c, req.matches[1], Json(), 200);
}

// An archivist retries a failed or cancelled job from the record's page (the form's token
// required), then sees the page again.
void PostRetryJob(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c, Param(req, "csrf"))) return;
  if (!service::MayWrite(c.scope())) {
    return c.subject.role == access::Role::kAnonymous
               ? pc.Error(res, c.archive(), 401)
               : pc.Error(res, c.archive(), 403, "forbidden_staff");
  }
  std::optional<uint64_t> job = ParseDigits(req.matches[2].str(), 18);
  Status st = job ? service::RetryRecordJob(c.scope(), req.matches[1], static_cast<int64_t>(*job))
                  : Status::NotFound("no such job");
  if (!st.ok()) return pc.Error(res, c.archive(), HttpStatusFor(st));
  res.set_redirect("/records/" + std::string(req.matches[1]) + "#jobs-h", 303);
}

void WitnessPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;
  std::string id = req.matches[1];
  auto group = service::RecordsOf(c.scope(), service::GroupBy::kWitness, id);
  if (!group.ok()) return pc.Error(res, c.archive(), group.status().IsNotFound() ? 404 : 500);
  Json records = Json::array();
  for (const auto& r : group->records) {
    records.push_back({{"id", r.id},
                       {"title", RecordTitle(r, pc)},
                       {"lang_name", pc.LangName(r.versions.front().lang)},
                       {"created", r.created}});
  }
  if (!service::AuditListed(c.scope(), "records", group->records).ok()) {
    return pc.Error(res, c.archive(), 500);
  }
  Json v = pc.Base(c.archive(), pc.t()["witness"].get<std::string>() + " " + id, "none");
  v["witness"] = id;
  v["records"] = records;
  pc.Send(res, "witness", v);
}

}  // namespace

void RegisterRecordPages(Site* site, httplib::Server* svr) {
  RegisterChangePages(site, svr);
  svr->Get(R"(/records/([a-z0-9]{1,64}))", Bind(site, RecordPage));
  svr->Post(R"(/records/([a-z0-9]{1,64})/jobs/([0-9]{1,18})/retry)", Bind(site, PostRetryJob));
  svr->Get(R"(/witnesses/([^/]{1,200}))", Bind(site, WitnessPage));
}

}  // namespace attest::http
