#include "service/record_view.h"

#include <algorithm>
#include <limits>
#include <set>

#include "archive/manifest.h"
#include "ingest/add_note.h"
#include "ingest/sniff.h"
#include "service/auditor.h"
#include "service/cite.h"

namespace attest::service {
namespace {

using access::Action;
using access::Decide;
using access::Resource;

// The first `max` bytes of a blob (all of it if shorter).
Result<std::string> ReadHead(archive::Archive* a, const std::string& sha256, size_t max = 4096) {
  return ingest::BlobHead(a, sha256, max);
}

}  // namespace

std::string MimeFromHead(std::string_view h) {
  auto starts = [&](std::string_view p, size_t at = 0) {
    return h.size() >= at + p.size() && h.substr(at, p.size()) == p;
  };
  if (starts("%PDF-")) return "application/pdf";
  if (starts("\x89PNG")) return "image/png";
  if (starts("\xFF\xD8\xFF")) return "image/jpeg";
  if (starts("II*") || starts("MM\0*")) return "image/tiff";
  if (starts("ID3") || (h.size() > 1 && static_cast<uint8_t>(h[0]) == 0xFF &&
                        (static_cast<uint8_t>(h[1]) & 0xE6) == 0xE2)) {
    return "audio/mpeg";
  }
  if (starts("OggS")) return "audio/ogg";
  if (starts("fLaC")) return "audio/flac";
  if (starts("RIFF") && starts("WAVE", 8)) return "audio/wav";
  if (starts("RIFF") && starts("AVI ", 8)) return "video/x-msvideo";
  if (starts("\x1A\x45\xDF\xA3"))
    return h.find("webm") != std::string_view::npos ? "video/webm" : "video/x-matroska";
  if (starts("ftyp", 4)) {
    if (starts("M4A", 8)) return "audio/mp4";
    if (starts("qt", 8)) return "video/quicktime";
    return "video/mp4";
  }
  if (starts("WEBVTT")) return "text/vtt; charset=utf-8";
  return "application/octet-stream";
}

Result<std::vector<meta::Record>> ReadableRecords(const Scope& scope) {
  archive::Archive* a = scope.archive;
  const access::Subject& subject = scope.subject;
  ASSIGN_OR_RETURN(auto all, a->records().List());
  ASSIGN_OR_RETURN(std::set<std::string> narrowed, a->consent().RecordsWithPassageLevels());
  std::vector<meta::Record> out;
  for (auto& r : all) {
    if (r.withdrawn_at || r.versions.empty()) continue;
    if (!Decide(subject, Action::kRead, Resource::Of(r, r.consent))) continue;
    // A record whose every word is hidden from the subject is listed as none (ReadRecordText).
    // Only a record with a passage of its own level can be one (a redaction hides a span, never
    // a whole segment).
    if (narrowed.count(r.id)) {
      ASSIGN_OR_RETURN(auto segments, a->records().Segments(r.id));
      if (!segments.empty()) {
        ASSIGN_OR_RETURN(auto rows, a->consent().ListRedactions(r.id));
        archive::RedactionPlan plan = archive::PlanRedactions(segments, rows);
        for (auto& seg : segments) seg.effective = plan.Level(seg);
        if (!AnySegmentReadable(subject, r, segments)) continue;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

bool AnySegmentReadable(const access::Subject& subject, const meta::Record& r,
                        const std::vector<meta::SegmentState>& segments) {
  if (segments.empty()) return true;
  for (const auto& s : segments) {
    if (Decide(subject, Action::kRead, Resource::Of(r, s.effective))) return true;
  }
  return false;
}

bool InTextOrder(const meta::SegmentState& x, const meta::SegmentState& y) {
  if (x.segment.start_ms != y.segment.start_ms) return x.segment.start_ms < y.segment.start_ms;
  if (x.segment.page != y.segment.page) return x.segment.page < y.segment.page;
  if (x.segment.char_start != y.segment.char_start)
    return x.segment.char_start < y.segment.char_start;
  return x.segment.id < y.segment.id;
}

Result<RecordText> ReadRecordText(const Scope& scope, const std::string& id, bool hide_redacted,
                                  std::optional<int> version) {
  archive::Archive* a = scope.archive;
  const access::Subject& subject = scope.subject;
  auto rec = a->records().Get(id);
  if (!rec.ok()) {
    if (rec.status().IsNotFound()) return Status::NotFound(kNoSuchRecord);
    return rec.status();
  }
  if (rec->withdrawn_at || rec->versions.empty() ||
      !Decide(subject, Action::kRead, Resource::Of(*rec, rec->consent))) {
    return Status::NotFound(kNoSuchRecord);
  }
  RecordText t;
  t.record = std::move(*rec);
  const meta::Record& r = t.record;
  ASSIGN_OR_RETURN(t.all_segments, a->records().Segments(r.id));
  ASSIGN_OR_RETURN(auto rows, a->consent().ListRedactions(r.id));
  t.plan = archive::PlanRedactions(t.all_segments, rows);
  // A passage's own level follows its words into the record's other versions.
  for (auto& s : t.all_segments) s.effective = t.plan.Level(s);
  for (auto& row : rows) {
    if (row.confirms == 0) t.redactions.push_back(std::move(row));
  }
  // Hidden spans are shown to those who may read restricted material (and the witness).
  t.reads_hidden = Decide(subject, Action::kRead, Resource::HiddenSpan(r.consent, r.witness_id));
  t.sees_redacted = t.redactions.empty() || t.reads_hidden;
  auto held_from_subject = [&](int v) { return !t.reads_hidden && t.plan.Held(v); };
  t.every_segment = true;
  for (const auto& s : t.all_segments) {
    if (!Decide(subject, Action::kRead, Resource::Of(r, s.effective)))
      t.every_segment = false;
  }
  // A record with words of which the subject may read none is answered as none: its title,
  // witness, dates and files would otherwise tell of a testimony its witness has hidden.
  if (!AnySegmentReadable(subject, r, t.all_segments)) return Status::NotFound(kNoSuchRecord);
  for (const auto& v : r.versions) {
    Json d = DerivedOf(v);
    if (d.is_object()) t.artifacts[v.version] = d.value("artifact", "");
  }
  // The text version: the newest with segments that is the witness's words (a machine
  // translation is offered beside it, never instead).
  if (version) {
    if (held_from_subject(*version)) {
      return Status::NotFound("version " + std::to_string(*version) +
                              " of this record is held for an archivist's review");
    }
    t.text_version = *version;
  } else {
    for (const auto& s : t.all_segments) {
      int v = s.segment.version;
      if (t.artifacts.count(v) && t.artifacts[v] == "translation") continue;
      if (held_from_subject(v)) continue;
      t.text_version = std::max(t.text_version, v);
    }
  }
  for (const auto& s : t.all_segments) {
    if (s.segment.version != t.text_version) continue;
    if (!Decide(subject, Action::kRead, Resource::Of(r, s.effective))) continue;
    meta::SegmentState shown = s;
    if (!t.sees_redacted || hide_redacted) {
      archive::RedactedText hidden = archive::ApplyRedactions(s, t.plan);
      if (!hidden.marks.empty()) {
        shown.segment.text = std::move(hidden.text);
        t.redacted[s.segment.id] = std::move(hidden.marks);
      }
    }
    t.segments.push_back(std::move(shown));
  }
  std::sort(t.segments.begin(), t.segments.end(), InTextOrder);
  return t;
}

namespace {

// What ViewRecord finds among a record's versions: its newest original, its access copy, and
// the newest copy silenced over redactions with the ranges it silenced.
struct VersionsSeen {
  Json json = Json::array();
  const meta::Version* original = nullptr;
  const meta::Version* access_copy = nullptr;
  const meta::Version* silenced_copy = nullptr;
  Json silenced = Json::array();
};

// The versions as shown: files, hashes and sizes only to a caller who may read it `whole`, a
// commitment to others.
VersionsSeen SeeVersions(const meta::Record& r, bool whole) {
  VersionsSeen out;
  for (const auto& v : r.versions) {
    Json d = DerivedOf(v);
    Json j = {{"version", v.version},
              {"created", v.created},
              {"lang", v.lang},
              {"leaf_index", v.leaf_index}};
    if (whole) {
      j["manifest_sha256"] = v.manifest_sha256;
      Json blobs = Json::array();
      for (const auto& b : v.blobs) {
        blobs.push_back({{"role", b.role}, {"sha256", b.sha256}, {"size", b.size}});
      }
      j["blobs"] = blobs;
    } else {
      // Hashes and sizes of files part of which the caller may not read would confirm guesses
      // of the hidden words (doc/privacy.md): a commitment that reveals nothing instead.
      j["commitment"] = archive::CommitVersion(r.salt, v.manifest_sha256);
      j["proof"] = kProofWithheld;
    }
    if (d.is_object()) {
      std::string artifact = d.value("artifact", "");
      j["derived"] = {{"artifact", artifact},
                      {"from", d.value("from", 0)},
                      {"tool", d.value("tool", "")},
                      {"tool_version", d.value("tool_version", "")}};
      if (d.contains("models")) j["derived"]["models"] = d["models"];
      if (artifact == "access") out.access_copy = &v;
      if (artifact == "access-redacted") {
        out.silenced_copy = &v;
        out.silenced =
            d.contains("params") ? d["params"].value("silenced", Json::array()) : Json::array();
      }
    } else {
      out.original = &v;
    }
    out.json.push_back(j);
  }
  return out;
}

// The kind of file an original is, from its first bytes.
MediaFile OriginalFile(const meta::BlobRef& b, const std::string& head) {
  auto sniffed = ingest::Sniff(head, "", b.size);
  MediaFile f{b.sha256, b.size, MimeFromHead(head), "other"};
  switch (sniffed.kind) {
    case ingest::FileKind::kAudio:
      f.kind = "audio";
      break;
    case ingest::FileKind::kVideo:
      f.kind = "video";
      break;
    case ingest::FileKind::kPng:
    case ingest::FileKind::kJpeg:
    case ingest::FileKind::kTiff:
      f.kind = "image";
      break;
    case ingest::FileKind::kPdf:
      f.kind = "pdf";
      break;
    case ingest::FileKind::kText:
      f.kind = "text";
      f.mime = "text/plain; charset=utf-8";
      break;
    default:
      break;
  }
  return f;
}

// The files a caller who may read the whole record may fetch: the original, the access copy
// and its poster, and the pages OCR saw of an original browsers cannot show ("page-N").
Status AddWholeMedia(archive::Archive* a, const VersionsSeen& seen, RecordView* view) {
  for (const auto& b : seen.original->blobs) {
    if (b.role != "original") continue;
    ASSIGN_OR_RETURN(std::string head, ReadHead(a, b.sha256));
    view->media["original"] = OriginalFile(b, head);
  }
  if (seen.access_copy) {
    for (const auto& b : seen.access_copy->blobs) {
      if (b.role != "access" && b.role != "poster") continue;
      ASSIGN_OR_RETURN(std::string head, ReadHead(a, b.sha256));
      std::string mime = MimeFromHead(head);
      std::string kind = b.role == "poster"             ? "image"
                         : mime.rfind("audio/", 0) == 0 ? "audio"
                                                        : "video";
      view->media[b.role] = MediaFile{b.sha256, b.size, mime, kind};
    }
  }
  for (const auto& v : view->record.versions) {
    if (v.version != view->text_version) continue;
    ASSIGN_OR_RETURN(std::vector<meta::BlobRef> pages, archive::PageImagesOf(v));
    for (size_t n = 0; n < pages.size(); ++n) {
      view->media["page-" + std::to_string(n + 1)] =
          MediaFile{pages[n].sha256, pages[n].size, "image/jpeg", "image"};
    }
  }
  return Status::Ok();
}

// Redacted speech: those who may not hear it play a copy silenced over every redacted range,
// if the newest such copy covers them all (one made before a later redaction does not).
Status AddSilencedMedia(archive::Archive* a, const VersionsSeen& seen, RecordView* view) {
  bool covered = true;
  for (const auto& rd : view->redactions) {
    bool in = false;
    for (const auto& range : seen.silenced) {
      if (range.is_array() && range.size() == 2 && range[0].get<int64_t>() <= rd.start_ms &&
          rd.end_ms <= range[1].get<int64_t>()) {
        in = true;
      }
    }
    if (rd.start_ms < 0 || !in) covered = false;
  }
  for (const auto& b : seen.silenced_copy->blobs) {
    if (!covered || b.role != "access") continue;
    ASSIGN_OR_RETURN(std::string head, ReadHead(a, b.sha256));
    std::string mime = MimeFromHead(head);
    view->media["access"] =
        MediaFile{b.sha256, b.size, mime, mime.rfind("audio/", 0) == 0 ? "audio" : "video"};
  }
  return Status::Ok();
}

Json MediaJson(const RecordView& view) {
  Json media = Json::object();
  for (const auto& [name, f] : view.media) {
    media[name] = {{"url", "/api/v1/records/" + view.record.id + "/media/" + name},
                   {"sha256", f.sha256},
                   {"size", f.size},
                   {"type", f.mime},
                   {"kind", f.kind}};
  }
  return media;
}

// Where the record's redactions are, for those who may read them: which spans of segment `s`
// are hidden from others, and where they fall in it.
void AddRedactionsOf(const RecordView& view, const meta::SegmentState& s, Json* j) {
  Json spans = Json::array();
  for (const auto& rd : view.redactions) {
    if (rd.segment_id != s.segment.id) continue;
    Json one = {{"id", rd.id}};
    if (rd.char_from >= 0) one["chars"] = {rd.char_from, rd.char_to};
    if (rd.start_ms >= 0) one["ms"] = {rd.start_ms, rd.end_ms};
    spans.push_back(one);
  }
  if (!spans.empty()) (*j)["redactions"] = spans;
  // Where the record's redactions fall in this segment (made on it or placed in it by their
  // words): code points of its text, [0, -1] for all of it.
  if (auto h = view.plan.hide.find(s.segment.id); h != view.plan.hide.end()) {
    Json hidden = Json::array();
    for (auto [from, to] : h->second) {
      hidden.push_back({from, to == std::numeric_limits<int64_t>::max() ? -1 : to});
    }
    (*j)["hidden"] = hidden;
  }
}

// Where each shown segment of the text version starts and ends (code points), by id, for a
// caller who may not read the record whole. Offsets in the stored text would give the lengths
// of what is hidden between and inside the shown segments: these count in the text as shown
// (the shown segments, marks and all, joined by one line break; doc/api.md "Segment ids").
// The record's JSON and GET /api/v1/segments/{ref} both give these.
std::map<int64_t, std::pair<int64_t, int64_t>> ShownOffsets(const RecordView& view) {
  std::map<int64_t, std::pair<int64_t, int64_t>> out;
  int64_t shown_at = 0;
  for (const auto& s : view.segments) {
    if (s.segment.char_start < 0) continue;
    int64_t length = static_cast<int64_t>(CodePoints(s.segment.text));
    out[s.segment.id] = {shown_at, shown_at + length};
    shown_at += length + 1;
  }
  return out;
}

// The offsets of segment `s` as `view`'s caller is given them: stored ones to a caller who may
// read the record whole, else those of the text as shown, or none for a segment that is not
// shown in the text version.
void AddOffsets(const RecordView& view, const std::map<int64_t, std::pair<int64_t, int64_t>>& shown,
                const meta::SegmentState& s, Json* j) {
  if (s.segment.char_start < 0) return;
  if (view.whole) {
    (*j)["char_start"] = s.segment.char_start;
    (*j)["char_end"] = s.segment.char_end;
    return;
  }
  auto it = shown.find(s.segment.id);
  if (it == shown.end()) return;
  (*j)["char_start"] = it->second.first;
  (*j)["char_end"] = it->second.second;
}

// The shown segments, each with its ref, times, page, offsets, places and marks.
Json SegmentsJson(archive::Archive* a, const RecordView& view) {
  Json segs = Json::array();
  const auto shown = ShownOffsets(view);
  for (const auto& s : view.segments) {
    Json j = {{"id", a->SegmentRef(s.segment.id)},
              {"lang", s.segment.lang},
              {"text", s.segment.text}};
    if (s.segment.start_ms >= 0) {
      j["start_ms"] = s.segment.start_ms;
      j["end_ms"] = s.segment.end_ms;
    }
    if (s.segment.page >= 0) j["page"] = s.segment.page;
    AddOffsets(view, shown, s, &j);
    Json places = Json::array();
    for (const auto& an : s.segment.annotations) {
      if (an.kind == "place") places.push_back(an.value);
    }
    if (!places.empty()) j["places"] = places;
    if (auto m = view.redacted.find(s.segment.id); m != view.redacted.end()) {
      Json marks = Json::array();
      for (auto [from, to] : m->second) marks.push_back({from, to});
      j["redacted"] = marks;
    } else if (view.sees_redacted && !view.redactions.empty()) {
      // Where the spans are in the stored text: for those who may read them only.
      AddRedactionsOf(view, s, &j);
    }
    segs.push_back(j);
  }
  return segs;
}

// What only those who may change the record see: the file the original was added as (and its
// manifest line) and the record's failed jobs (doc/api.md, "Records").
Status AddWritersPart(archive::Archive* a, const meta::Version* original, RecordView* view) {
  if (original) {
    Json source = archive::SourceOf(*original).ToJson();
    if (!source.empty()) view->json["source"] = source;
  }
  ASSIGN_OR_RETURN(auto failed,
                   a->records().ListJobs({meta::JobState::kFailed, "", view->record.id, 0}));
  Json jobs = Json::array();
  for (const auto& j : failed) {
    jobs.push_back({{"kind", j.kind}, {"version", j.version}, {"error", j.error}});
  }
  if (!jobs.empty()) view->json["failed_jobs"] = jobs;
  return Status::Ok();
}

}  // namespace

Result<RecordView> ReadRecordView(const Scope& scope, const std::string& id) {
  archive::Archive* a = scope.archive;
  const access::Subject& subject = scope.subject;
  ASSIGN_OR_RETURN(RecordText text, ReadRecordText(scope, id));
  RecordView view;
  view.record = std::move(text.record);
  view.redactions = std::move(text.redactions);
  view.plan = std::move(text.plan);
  view.sees_redacted = text.sees_redacted;
  view.reads_hidden = text.reads_hidden;
  view.redacted = std::move(text.redacted);
  view.segments = std::move(text.segments);
  view.text_version = text.text_version;
  const meta::Record& r = view.record;
  const auto& segments = text.all_segments;
  // The whole record is readable when every segment is: only then are its files (which hold
  // every segment's words and voice) given out. A redacted record's files hold the hidden
  // words too.
  view.whole = text.sees_redacted && text.every_segment;
  VersionsSeen seen = SeeVersions(r, view.whole);
  view.artifact =
      text.artifacts.count(view.text_version) ? text.artifacts[view.text_version] : "text";
  if (view.whole && seen.original) RETURN_IF_ERROR(AddWholeMedia(a, seen, &view));
  if (!text.sees_redacted && text.every_segment && seen.silenced_copy) {
    RETURN_IF_ERROR(AddSilencedMedia(a, seen, &view));
  }

  // Consent changes: when and to what, for everyone who may see the record; why and who, for
  // those who may change it.
  ASSIGN_OR_RETURN(view.consent_changes, a->consent().ConsentHistory(r.id));
  Json history = archive::ConsentChangesToJson(
      view.consent_changes,
      Decide(subject, Action::kWrite, Resource::Of(r, r.consent)),
      [&](int64_t id) -> std::string {
        // Named only to those who may read it: the ref of a hidden passage is a handle on it.
        for (const auto& s : segments) {
          if (s.segment.id == id &&
              Decide(subject, Action::kRead, Resource::Of(r, s.effective))) {
            return a->SegmentRef(id);
          }
        }
        return "";
      });

  const meta::Version& latest = r.versions.back();
  view.json = {{"id", r.id},
               {"collection", r.collection_id},
               {"witness", r.witness_id},
               {"consent", meta::ConsentName(r.consent)},
               {"consent_changes", history},
               {"created", r.created},
               {"lang", seen.original ? seen.original->lang : latest.lang},
               {"meta", ShownMeta(seen.original)},
               {"versions", seen.json},
               {"text_version", view.text_version},
               {"artifact", view.artifact},
               {"segments", SegmentsJson(a, view)},
               {"media", MediaJson(view)},
               {"proof", "/api/v1/records/" + r.id + "/proof"}};
  // The file the original was added as (and its manifest line) and the record's failed jobs:
  // private, for those who may change the record (doc/api.md, "Records").
  view.may_change = Decide(subject, Action::kWrite, Resource::Of(r, r.consent));
  if (view.may_change) {
    RETURN_IF_ERROR(AddWritersPart(a, seen.original, &view));
  }
  // Versions held by a redaction that could not be placed in them, for those who may confirm.
  if (text.reads_hidden && !view.plan.held.empty()) {
    Json held = Json::array();
    for (const auto& [v, ids] : view.plan.held) held.push_back({{"version", v}, {"redactions", ids}});
    view.json["held"] = held;
  }
  // What of it is not public, for the audit log (hidden spans shown to an archivist count as
  // material that is not public): in what the JSON shows, and in the files.
  const bool hidden_spans_shown = text.sees_redacted && !view.redactions.empty();
  view.shows_not_public = r.consent != meta::Consent::kPublic || hidden_spans_shown;
  for (const auto& s : view.segments) {
    if (s.effective != meta::Consent::kPublic) view.shows_not_public = true;
  }
  view.files_not_public = view.shows_not_public;
  for (const auto& s : segments) {
    if (s.effective != meta::Consent::kPublic) view.files_not_public = true;
  }
  return view;
}

Result<RecordView> ViewRecord(const Scope& scope, const std::string& id) {
  ASSIGN_OR_RETURN(RecordView view, ReadRecordView(scope, id));
  if (view.shows_not_public && !scope.actor.empty()) {
    RETURN_IF_ERROR(Auditor(scope).Viewed(view.record.id, "record"));
  }
  return view;
}

Result<Json> ViewSegment(const Scope& scope, const std::string& ref) {
  archive::Archive* a = scope.archive;
  const access::Subject& subject = scope.subject;
  auto id = a->SegmentOfRef(ref);
  if (!id) return Status::NotFound("no such segment");
  const int64_t segment_id = *id;
  // Found through its record, so the record's decision and the segment's both apply.
  ASSIGN_OR_RETURN(auto found, a->records().Segment(segment_id));
  if (!found) return Status::NotFound("no such segment");
  const std::string record_id = found->segment.record_id;
  auto view = ReadRecordView(scope, record_id);
  if (!view.ok()) {
    if (view.status().IsNotFound()) return Status::NotFound("no such segment");
    return view.status();
  }
  meta::SegmentState s = *found;      // its effective consent: record's and segment's
  s.effective = view->plan.Level(s);  // and a passage's it holds in another version
  if (!Decide(subject, Action::kRead, Resource::Of(view->record, s.effective))) {
    return Status::NotFound("no such segment");
  }
  {
    std::string text = s.segment.text;
    Json marks = Json::array();
    if (!view->reads_hidden && view->plan.Held(s.segment.version)) {
      return Status::NotFound("no such segment");
    }
    if (!view->sees_redacted) {
      archive::RedactedText shown = archive::ApplyRedactions(s, view->plan);
      text = std::move(shown.text);
      for (auto [from, to] : shown.marks) marks.push_back({from, to});
    }
    Json j = {{"id", ref},
              {"record", record_id},
              {"version", s.segment.version},
              {"lang", s.segment.lang},
              {"text", text},
              {"witness", view->record.witness_id},
              {"collection", view->record.collection_id}};
    if (s.segment.start_ms >= 0) {
      j["start_ms"] = s.segment.start_ms;
      j["end_ms"] = s.segment.end_ms;
      j["url"] = "/records/" + record_id + "?t=" + std::to_string(s.segment.start_ms / 1000);
    } else {
      j["url"] = "/records/" + record_id + "#" + ref;
    }
    if (s.segment.page >= 0) j["page"] = s.segment.page;
    // The offsets the record's JSON gives this caller (stored ones to a whole reader only).
    AddOffsets(*view, ShownOffsets(*view), s, &j);
    if (!marks.empty()) j["redacted"] = marks;
    // Audited for what it shows: a segment that is not public, or one of a record that is not,
    // or hidden words in it shown to one who may read them.
    const bool hidden_shown = view->sees_redacted && view->plan.hide.count(segment_id) > 0;
    if ((s.effective != meta::Consent::kPublic || hidden_shown) && !scope.actor.empty()) {
      RETURN_IF_ERROR(Auditor(scope).Viewed(record_id, "segment"));
    }
    return j;
  }
}

std::string Citation(const RecordView& view, const std::string& origin, int64_t at_ms) {
  // The version whose words are shown (a translation is never cited as the record); the newest
  // when none is.
  const meta::Version* cited = &view.record.versions.back();
  for (const auto& v : view.record.versions) {
    if (v.version == view.text_version) cited = &v;
  }
  return Citation(view.record, *cited, origin, at_ms >= 0 ? ", at " + FormatClock(at_ms) : "");
}

std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> RecordMarks(
    const Scope& scope, const RecordView& view,
    const std::string& q) {
  archive::Archive* a = scope.archive;
  const access::Subject& subject = scope.subject;
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> out;
  if (q.empty() || q.size() > 500 || view.segments.empty()) return out;
  search::SearchRequest sr;
  // The query as asked, within this record (the syntax has no brackets: an unclosed quote is
  // closed so the record filter stays outside it).
  std::string within = q;
  if (std::count(within.begin(), within.end(), '"') % 2 == 1) within += '"';
  sr.query = within + " record:" + view.record.id;
  sr.role = SearchRole(subject);
  auto opening = SearchOpening(scope);
  if (!opening.ok()) return out;
  sr.opening = std::move(*opening);
  sr.limit = 1;
  sr.per_record = std::min<size_t>(view.segments.size(), 2000);
  auto found = a->finder().Search(sr);
  if (!found.ok()) return out;  // a query the search refuses marks nothing
  for (const auto& rec : found->records) {
    if (rec.record_id != view.record.id) continue;  // "a OR" would have let others in
    for (const auto& h : rec.hits) {
      if (h.version != view.text_version) continue;
      for (const auto& r : h.char_ranges) out[h.segment_id].push_back(r);
    }
  }
  return out;
}

Result<std::map<int, PageBoxes>> OcrBoxes(archive::Archive* a, const RecordView& view,
                                          const std::vector<std::pair<int64_t, int64_t>>& ranges) {
  std::map<int, PageBoxes> out;
  if (view.artifact != "ocr" || ranges.empty()) return out;
  const meta::BlobRef* ocr = nullptr;
  for (const auto& v : view.record.versions) {
    if (v.version != view.text_version) continue;
    for (const auto& b : v.blobs) {
      if (b.role == "ocr") ocr = &b;
    }
  }
  if (!ocr || ocr->size > (64u << 20)) return out;
  ASSIGN_OR_RETURN(std::string bytes, ReadHead(a, ocr->sha256, ocr->size));
  Json doc = Json::parse(bytes, nullptr, false);
  if (!doc.is_object() || !doc.contains("pages") || !doc["pages"].is_array()) {
    return Status::Corruption("the OCR word boxes of record " + view.record.id +
                              " are not readable");
  }
  auto sorted = ranges;
  std::sort(sorted.begin(), sorted.end());
  for (const Json& page : doc["pages"]) {
    if (!page.is_object() || !page.contains("words") || !page["words"].is_array()) continue;
    int number = page.value("page", 0);
    for (const Json& w : page["words"]) {
      int64_t start = w.value("start", int64_t{-1}), end = w.value("end", int64_t{-1});
      if (start < 0 || end <= start || !w.contains("box") || !w["box"].is_array() ||
          w["box"].size() != 4) {
        continue;
      }
      // The ranges do not overlap, so sorted they end in order too: the first that ends after
      // the word starts is the only one that may overlap it.
      auto r = std::upper_bound(
          sorted.begin(), sorted.end(), start,
          [](int64_t s, const std::pair<int64_t, int64_t>& range) { return s < range.second; });
      bool hit = r != sorted.end() && r->first < end;
      if (!hit) continue;
      PageBoxes& pb = out[number];
      pb.width = page.value("width", int64_t{0});
      pb.height = page.value("height", int64_t{0});
      const Json& b = w["box"];
      if (!b[0].is_number_integer() || !b[1].is_number_integer() || !b[2].is_number_integer() ||
          !b[3].is_number_integer()) {
        continue;
      }
      pb.boxes.push_back({number, b[0].get<int64_t>(), b[1].get<int64_t>(), b[2].get<int64_t>(),
                          b[3].get<int64_t>()});
    }
  }
  return out;
}

}  // namespace attest::service
