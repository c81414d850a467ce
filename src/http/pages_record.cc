// A record's page (its player or pages, text, versions and citation) and a witness's page.
#include <algorithm>
#include <map>

#include "archive/manifest.h"
#include "http/pages_common.h"
#include "http/routes.h"
#include "service/cite.h"
#include "service/record_view.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;
using service::Box;
using service::Citation;
using service::MediaFile;
using service::OcrBoxes;
using service::PageBoxes;

namespace {

// A page image, with the boxes of matched words to draw over it (in OCR's pixels).
Json PageImage(const std::string& src, const PageBoxes* boxes) {
  Json image = {{"src", src}, {"hits", false}};  // false: no lookup in the enclosing sections
  if (boxes && !boxes->boxes.empty() && boxes->width > 0 && boxes->height > 0) {
    Json rects = Json::array();
    for (const Box& b : boxes->boxes) {
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

}  // namespace

void RegisterRecordPages(Site* site, httplib::Server* svr) {
  svr->Get(R"(/records/([a-z0-9]{1,64}))", [site](const Request& req, Response& res) {
    PageContext pc(site, req);
    std::optional<ArchivePool::Lease> a;
    access::Subject subject;
    if (!BeginPage(site, req, res, pc, &a, &subject)) return;
    auto view = service::ViewRecord(service::ScopeOf(a->get(), subject), req.matches[1]);
    if (!view.ok()) return pc.Error(res, a->get(), HttpStatusFor(view.status()));
    const Json& j = view->json;
    const meta::Record& r = view->record;
    std::string title = RecordTitle(r, pc);
    Json v = pc.Base(a->get(), title, "none");
    v["title"] = title;
    if (!r.witness_id.empty()) v["witness"] = r.witness_id;  // an empty string shows in mustache
    if (!r.collection_id.empty()) v["collection"] = r.collection_id;
    v["lang_name"] = pc.LangName(j["lang"]);
    if (j["meta"].contains("note")) v["note"] = j["meta"]["note"];
    if (j["meta"].contains("description")) v["description"] = j["meta"]["description"];
    v["consent_text"] = pc.t()[std::string("consent_") + meta::ConsentName(r.consent)];
    // For those who may change the record: what could not be read of the file it was added as.
    if (j.contains("failed_jobs")) {
      Json failed = Json::array();
      std::string file = j.contains("source") ? j["source"].value("file", "") : "";
      for (const Json& f : j["failed_jobs"]) {
        failed.push_back({{"file", file}, {"kind", f["kind"]}, {"error", f["error"]}});
      }
      v["failed"] = failed;
      v["has_failed"] = true;
    }
    Json changes = Json::array();
    for (const Json& c : j["consent_changes"]) {  // why, for those who may change it
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
    v["has_consent_changes"] = !changes.empty();
    v["consent_changes"] = changes;

    int64_t t_ms = -1;
    std::string t = Param(req, "t");
    if (!t.empty() && t.size() <= 7 && t.find_first_not_of("0123456789") == std::string::npos) {
      t_ms = std::stoll(t) * 1000;
    }
    std::string q = Param(req, "q");
    // A record opened from a search marks what the search matched, found by the search itself.
    auto marks = service::RecordMarks(service::ScopeOf(a->get(), subject), *view, q);
    // The matched words drawn on the page images OCR read, by page.
    std::map<int, PageBoxes> drawn;
    {
      std::vector<std::pair<int64_t, int64_t>> all;
      for (const auto& [id, ranges] : marks) all.insert(all.end(), ranges.begin(), ranges.end());
      auto boxes = OcrBoxes(a->get(), *view, all);
      if (boxes.ok()) drawn = std::move(*boxes);
    }
    auto marks_of = [&](const meta::SegmentState& s) {
      auto it = marks.find(s.segment.id);
      return MarkCodePoints(
          s.segment.text, s.segment.char_start,
          it == marks.end() ? std::vector<std::pair<int64_t, int64_t>>() : it->second);
    };

    // Player: the access copy if there is one, else the original when it is audio or video.
    const MediaFile* play = nullptr;
    std::string play_name;
    for (const char* name : {"access", "original"}) {
      auto it = view->media.find(name);
      if (it != view->media.end() && (it->second.kind == "audio" || it->second.kind == "video")) {
        play = &it->second;
        play_name = name;
        break;
      }
    }
    if (play) {
      std::string src = "/api/v1/records/" + r.id + "/media/" + play_name;
      if (t_ms >= 0)
        src += "#t=" + std::to_string(t_ms / 1000);  // media fragment: no script needed
      Json p = {{"src", src}, {"video", play->kind == "video"}};
      if (view->media.count("poster")) p["poster"] = "/api/v1/records/" + r.id + "/media/poster";
      v["player"] = p;
    }
    auto orig = view->media.find("original");
    if (orig != view->media.end()) {
      // An image browsers show (PNG, JPEG) is shown itself, a one-page document.
      const std::string& mime = orig->second.mime;
      if (orig->second.kind == "image" && (mime == "image/png" || mime == "image/jpeg")) {
        auto d = drawn.find(1);
        v["image"] = PageImage("/api/v1/records/" + r.id + "/media/original",
                               d == drawn.end() ? nullptr : &d->second);
      }
      v["download"] = "/api/v1/records/" + r.id + "/media/original";
    }

    std::string provenance;
    for (const auto& ver : j["versions"]) {
      if (ver["version"] == view->text_version && ver.contains("derived")) {
        std::string tool = ver["derived"]["tool"];
        provenance =
            tool == "human"
                ? pc.t()["human_transcript"].get<std::string>()
                : (view->artifact == "transcript"
                       ? pc.t()["machine_transcript"].get<std::string>() + " (" + tool + ")"
                       : tool);
      }
    }
    v["provenance"] = provenance;

    bool timed = false;
    for (const auto& s : view->segments) timed |= s.segment.start_ms >= 0;
    if (timed) {
      Json lines = Json::array();
      const meta::SegmentState* current = nullptr;
      for (const auto& s : view->segments) {
        if (t_ms >= 0 && s.segment.start_ms <= t_ms) current = &s;
      }
      for (const auto& s : view->segments) {
        std::string lang = s.segment.lang.empty() ? "und" : s.segment.lang;
        lines.push_back(
            {{"id", (*a)->SegmentRef(s.segment.id)},
             {"start_ms", std::to_string(std::max<int64_t>(0, s.segment.start_ms))},
             {"end_ms", std::to_string(std::max<int64_t>(0, s.segment.end_ms))},
             {"time", FormatClock(s.segment.start_ms)},
             {"href", "/records/" + r.id + "?t=" + std::to_string(s.segment.start_ms / 1000)},
             {"lang", lang},
             {"dir", Direction(lang)},
             {"current", current == &s},
             {"parts", marks_of(s)}});
      }
      v["lines"] = lines;
      v["has_lines"] = !lines.empty();
    } else if (!view->segments.empty()) {
      Json pages = Json::array();
      int last_page = -2;
      for (const auto& s : view->segments) {
        if (s.segment.page != last_page) {
          Json pg = {{"paragraphs", Json::array()}};
          if (s.segment.page >= 0) pg["number"] = std::to_string(s.segment.page);
          std::string image = "page-" + std::to_string(s.segment.page);
          if (view->media.count(image)) {
            auto d = drawn.find(s.segment.page);
            pg["image"] = PageImage("/api/v1/records/" + r.id + "/media/" + image,
                                    d == drawn.end() ? nullptr : &d->second);
          }
          pages.push_back(pg);
          last_page = s.segment.page;
        }
        std::string lang = s.segment.lang.empty() ? "und" : s.segment.lang;
        pages.back()["paragraphs"].push_back({{"id", (*a)->SegmentRef(s.segment.id)},
                                              {"lang", lang},
                                              {"dir", Direction(lang)},
                                              {"parts", marks_of(s)}});
      }
      v["pages"] = pages;
      v["has_pages"] = true;
    }

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
    v["versions"] = versions;
    auto cp = (*a)->verifier().Checkpoint();
    v["checkpoint"] = cp.ok() ? cp->note : "";
    v["vkey"] = (*a)->verifier().VerifierKey();
    v["proof"] = "/api/v1/records/" + r.id + "/proof";
    std::string host = req.get_header_value("Host");
    std::string cite_path =
        "/records/" + r.id + (t_ms >= 0 ? "?t=" + std::to_string(t_ms / 1000) : "");
    bool host_ok = !host.empty() && host.size() < 256 &&
                   host.find_first_not_of(
                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") ==
                       std::string::npos;
    v["cite_url"] = host_ok ? "http://" + host + cite_path : cite_path;
    v["citation"] = Citation(*view, site->origin, t_ms);
    pc.Send(res, "record", v);
  });

  svr->Get(R"(/witnesses/([^/]{1,200}))", [site](const Request& req, Response& res) {
    PageContext pc(site, req);
    std::optional<ArchivePool::Lease> a;
    access::Subject subject;
    if (!BeginPage(site, req, res, pc, &a, &subject)) return;
    std::string id = req.matches[1];
    if (!archive::IsValidId(id)) return pc.Error(res, a->get(), 404);
    auto recs = service::ReadableRecords(service::ScopeOf(a->get(), subject));
    if (!recs.ok()) return pc.Error(res, a->get(), 500);
    Json records = Json::array();
    for (const auto& r : *recs) {
      if (r.witness_id != id) continue;
      records.push_back({{"id", r.id},
                         {"title", RecordTitle(r, pc)},
                         {"lang_name", pc.LangName(r.versions.front().lang)},
                         {"created", r.created}});
    }
    if (records.empty()) return pc.Error(res, a->get(), 404);
    Json v = pc.Base(a->get(), pc.t()["witness"].get<std::string>() + " " + id, "none");
    v["witness"] = id;
    v["records"] = records;
    pc.Send(res, "witness", v);
  });
}

}  // namespace attest::http
