#include "service/clips.h"

#include <algorithm>
#include <map>

#include "access/access.h"
#include "archive/archive.h"
#include "core/text_safety.h"
#include "service/accounts.h"
#include "service/auditor.h"
#include "service/cite.h"
#include "service/record_view.h"

namespace attest::service {
namespace {

// Whether segment `s` has words inside clip `c`'s span.
bool Overlaps(const meta::Segment& s, const meta::Clip& c) {
  if (c.start_ms >= 0) return s.start_ms >= 0 && s.start_ms < c.end_ms && s.end_ms > c.start_ms;
  return s.char_start >= 0 && s.char_start < c.char_end && s.char_end > c.char_start;
}

// The segments of the clip's version inside its span, in text order, each as the reader may
// read it (null: they may not) and whether it is clean: readable with nothing hidden.
struct Part {
  const meta::SegmentState* stored = nullptr;
  const meta::SegmentState* shown = nullptr;
  bool clean = false;
};
std::vector<Part> PartsOf(const RecordText& t, const meta::Clip& c) {
  std::map<int64_t, const meta::SegmentState*> readable;
  for (const auto& s : t.segments) readable[s.segment.id] = &s;
  std::vector<const meta::SegmentState*> inside;
  for (const auto& s : t.all_segments) {
    if (s.segment.version == c.version && Overlaps(s.segment, c)) inside.push_back(&s);
  }
  std::sort(inside.begin(), inside.end(),
            [](const auto* x, const auto* y) { return InTextOrder(*x, *y); });
  std::vector<Part> parts;
  for (const auto* s : inside) {
    Part p;
    p.stored = s;
    auto it = readable.find(s->segment.id);
    if (it != readable.end()) p.shown = it->second;
    p.clean = p.shown && !t.redacted.count(s->segment.id);
    parts.push_back(p);
  }
  return parts;
}

// Code points [from, to) of `text`.
std::string CodePointsOf(const std::string& text, int64_t from, int64_t to) {
  size_t pos = 0, begin = text.size(), end = text.size();
  for (int64_t i = 0; pos < text.size(); ++i) {
    if (i == from) begin = pos;
    if (i == to) {
      end = pos;
      break;
    }
    bool valid = true;
    NextCodePoint(text, &pos, &valid);
  }
  return begin >= end ? "" : text.substr(begin, end - begin);
}


std::string SpanText(int64_t from, int64_t to, bool ms) {
  if (ms) return FormatClock(from) + "\u2013" + FormatClock(to);
  return "characters " + std::to_string(from) + "\u2013" + std::to_string(to);
}

const meta::Version* VersionOf(const meta::Record& r, int version) {
  for (const auto& v : r.versions) {
    if (v.version == version) return &v;
  }
  return nullptr;
}

// The gap a reader is shown for a clip whose record they may not read.
Result<ClipGap> GapOfUnread(archive::Archive* a, const meta::Clip& c) {
  auto rec = a->records().Get(c.record_id);
  if (!rec.ok()) {
    if (rec.status().IsNotFound()) return ClipGap::kWithdrawn;
    return rec.status();
  }
  // A withdrawal asked for and not yet carried out is not told: the witness's request is theirs.
  return rec->withdrawn_at ? ClipGap::kWithdrawn : ClipGap::kNotOpen;
}

// The lines of a clip: each part's words inside its span.
std::vector<ClipLine> LinesOf(const std::vector<Part>& parts, const meta::Clip& c) {
  std::vector<ClipLine> lines;
  for (const Part& p : parts) {
    const meta::Segment& s = p.shown->segment;
    ClipLine line;
    line.lang = s.lang;
    if (c.start_ms >= 0) {
      line.start_ms = std::max(s.start_ms, c.start_ms);
      line.end_ms = std::min(s.end_ms, c.end_ms);
      line.text = s.text;
    } else {
      line.char_start = std::max(s.char_start, c.char_start);
      line.char_end = std::min(s.char_end, c.char_end);
      line.text = CodePointsOf(s.text, line.char_start - s.char_start, line.char_end - s.char_start);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

// The translations of a recording's clip the reader may read whole over its span: per language,
// the newest version whose lines there are all readable, none hidden, the version not held.
std::vector<ClipTrack> TracksOf(const Scope& scope, const RecordText& t, const meta::Clip& c) {
  std::map<std::string, ClipTrack> by_lang;
  if (c.start_ms < 0) return {};
  for (const meta::Version& v : t.record.versions) {
    auto art = t.artifacts.find(v.version);
    if (art == t.artifacts.end() || art->second != "translation") continue;
    if (!t.reads_hidden && t.plan.Held(v.version)) continue;
    std::vector<const meta::SegmentState*> inside;
    for (const auto& s : t.all_segments) {
      if (s.segment.version == v.version && Overlaps(s.segment, c)) inside.push_back(&s);
    }
    bool whole = !inside.empty();
    for (const auto* s : inside) {
      whole = whole && !t.plan.hide.count(s->segment.id) &&
              access::Decide(scope.subject, access::Action::kRead,
                             access::Resource::Of(t.record, s->effective));
    }
    if (!whole) continue;
    std::sort(inside.begin(), inside.end(),
              [](const auto* x, const auto* y) { return InTextOrder(*x, *y); });
    Json d = DerivedOf(v);
    ClipTrack track;
    track.version = v.version;
    track.machine = StringMember(d, "tool") != "human";
    if (!track.machine && d.contains("params")) track.by = StringMember(d["params"], "by");
    for (const auto* s : inside) {
      ClipLine line;
      line.lang = s->segment.lang;
      line.start_ms = std::max(s->segment.start_ms, c.start_ms);
      line.end_ms = std::min(s->segment.end_ms, c.end_ms);
      line.text = s->segment.text;
      track.lines.push_back(std::move(line));
    }
    track.lang = track.lines.front().lang;
    by_lang[track.lang] = std::move(track);  // versions in order: the newest stays
  }
  std::vector<ClipTrack> out;
  for (auto& [lang, track] : by_lang) out.push_back(std::move(track));
  return out;
}

// Whether every part is public: the record's level and each passage's.
bool AllPublic(const RecordText& t, const std::vector<Part>& parts) {
  if (t.record.consent != meta::Consent::kPublic) return false;
  for (const Part& p : parts) {
    if (p.shown->effective != meta::Consent::kPublic) return false;
  }
  return true;
}

// The access copy's URL if the reader may fetch it (their reading of the whole record gives it).
Status AddMedia(ClipReads* reads, const meta::Clip& c, ClipView* v) {
  if (c.start_ms < 0) return Status::Ok();
  ASSIGN_OR_RETURN(auto media, reads->Media(c.record_id));
  v->media_url = media.first;
  v->media_kind = media.second;
  return Status::Ok();
}

Result<ClipView> See(const Scope& scope, const meta::Clip& c, ClipReads* reads) {
  archive::Archive* a = scope.archive;
  ClipView v;
  v.clip.id = c.id;
  ASSIGN_OR_RETURN(const RecordText* t, reads->Text(c.record_id, c.version));
  if (!t) {
    ASSIGN_OR_RETURN(v.gap, GapOfUnread(a, c));
    return v;
  }
  std::vector<Part> parts = PartsOf(*t, c);
  const meta::Version* version = VersionOf(t->record, c.version);
  bool all_clean = !parts.empty() && version;
  bool any_unread = false;
  for (const Part& p : parts) {
    all_clean = all_clean && p.clean;
    any_unread = any_unread || !p.shown;
  }
  if (!all_clean) {
    v.gap = any_unread || parts.empty() || !version ? ClipGap::kNotOpen : ClipGap::kRedacted;
    return v;
  }
  v.clip = c;
  v.witness = t->record.witness_id;
  v.lines = LinesOf(parts, c);
  v.lang = v.lines.front().lang;
  ASSIGN_OR_RETURN(std::string origin, reads->Origin());
  v.citation =
      Citation(t->record, *version, origin, CitedSpan(c.start_ms, c.end_ms, c.char_start, c.char_end));
  v.play = SegmentLink(c.record_id, a->SegmentRef(parts.front().stored->segment.id),
                       c.start_ms >= 0 ? c.start_ms : -1);
  v.leaf_index = version->leaf_index;
  v.manifest_sha256 = version->manifest_sha256;
  v.is_public = AllPublic(*t, parts);
  v.tracks = TracksOf(scope, *t, c);
  RETURN_IF_ERROR(AddMedia(reads, c, &v));
  return v;
}

// `words` as kept: at most `max` bytes of UTF-8 without controls, on one line or many.
Result<std::string> Words(const std::string& words, const char* name, size_t max, bool lines) {
  if (words.size() > max || !IsValidUtf8(words)) {
    return Status::InvalidArgument(std::string("the clip's ") + name + " must be at most " +
                                   std::to_string(max) + " bytes of UTF-8");
  }
  return CleanText(words, lines ? TextLayout::kLines : TextLayout::kOneLine);
}

// The asked span as a clip row's, or why it is not one.
Result<meta::Clip> SpanOf(const ClipAsk& ask) {
  meta::Clip c;
  bool ms = ask.start_ms >= 0 || ask.end_ms >= 0;
  bool chars = ask.char_start >= 0 || ask.char_end >= 0;
  if (ms == chars) {
    return Status::InvalidArgument(
        "a clip needs either a start and an end time (--from, --to) or a range of characters, "
        "not both");
  }
  int64_t from = ms ? ask.start_ms : ask.char_start, to = ms ? ask.end_ms : ask.char_end;
  if (from < 0 || to <= from) {
    return Status::InvalidArgument("the clip's end must come after its start (" +
                                   SpanText(std::max<int64_t>(from, 0), std::max<int64_t>(to, 0),
                                            ms) +
                                   ")");
  }
  if (to - from > (ms ? kMaxClipMs : kMaxClipChars)) {
    return Status::InvalidArgument(
        ms ? "a clip is at most an hour long: make several"
           : "a clip is at most " + std::to_string(kMaxClipChars) + " characters: make several");
  }
  (ms ? c.start_ms : c.char_start) = from;
  (ms ? c.end_ms : c.char_end) = to;
  return c;
}

// Cuts `c`'s span to its clean parts, or says why it cannot be.
Status CutToClean(const RecordText& t, meta::Clip* c) {
  const bool ms = c->start_ms >= 0;
  std::vector<Part> parts = PartsOf(t, *c);
  if (parts.empty()) {
    bool has_times = false, has_chars = false;
    for (const auto& s : t.all_segments) {
      if (s.segment.version != c->version) continue;
      has_times = has_times || s.segment.start_ms >= 0;
      has_chars = has_chars || s.segment.char_start >= 0;
    }
    if (ms && !has_times && has_chars) {
      return Status::InvalidArgument("version " + std::to_string(c->version) +
                                     " of this record is a text: give a range of characters");
    }
    if (!ms && !has_chars && has_times) {
      return Status::InvalidArgument("version " + std::to_string(c->version) +
                                     " of this record is a recording: give times");
    }
    return Status::InvalidArgument(
        "no words of version " + std::to_string(c->version) + " of this record fall in " +
        SpanText(ms ? c->start_ms : c->char_start, ms ? c->end_ms : c->char_end, ms));
  }
  size_t first = 0, last = parts.size();
  while (first < parts.size() && !parts[first].clean) ++first;
  while (last > first && !parts[last - 1].clean) --last;
  if (first == last) {
    return Status::InvalidArgument("every passage in this span is redacted or not yours to "
                                   "clip: nothing is left to make a clip of");
  }
  for (size_t i = first; i < last; ++i) {
    if (parts[i].clean) continue;
    const meta::Segment& s = parts[i].stored->segment;
    return Status::InvalidArgument(
        "the span holds a passage that is redacted or not yours to clip, at " +
        SpanText(ms ? s.start_ms : s.char_start, ms ? s.end_ms : s.char_end, ms) +
        ": make a clip on each side of it");
  }
  const meta::Segment& head = parts[first].stored->segment;
  const meta::Segment& tail = parts[last - 1].stored->segment;
  if (ms) {
    c->start_ms = std::max(c->start_ms, head.start_ms);
    c->end_ms = std::min(c->end_ms, tail.end_ms);
  } else {
    c->char_start = std::max(c->char_start, head.char_start);
    c->char_end = std::min(c->char_end, tail.char_end);
  }
  return Status::Ok();
}

// A clip shown whole that is not public is a view of its record (doc/format/metadata.md).
Status AuditShown(const Scope& scope, const ClipView& v) {
  if (v.gap != ClipGap::kNone || v.is_public) return Status::Ok();
  return Auditor(scope).Viewed(v.clip.record_id, "clip", Json{{"clip", v.clip.id}});
}

}  // namespace

Result<const RecordText*> ClipReads::Text(const std::string& record, int version) {
  auto& slot = texts_[{record, version}];
  if (!slot) {
    slot = std::make_unique<Result<RecordText>>(
        ReadRecordText(scope_, record, /*hide_redacted=*/true, version));
  }
  if (slot->ok()) return &**slot;
  if (slot->status().IsNotFound()) return static_cast<const RecordText*>(nullptr);
  return slot->status();
}

Result<std::pair<std::string, std::string>> ClipReads::Media(const std::string& record) {
  auto found = media_.find(record);
  if (found != media_.end()) return found->second;
  std::pair<std::string, std::string> media;
  auto view = ReadRecordView(scope_, record);
  if (!view.ok() && !view.status().IsNotFound()) return view.status();
  if (view.ok()) {
    auto it = view->media.find("access");
    if (it == view->media.end()) it = view->media.find("original");
    if (it != view->media.end() && (it->second.kind == "audio" || it->second.kind == "video")) {
      media = {"/api/v1/records/" + record + "/media/" + it->first, it->second.kind};
    }
  }
  media_[record] = media;
  return media;
}

Result<std::string> ClipReads::Origin() {
  if (!origin_) {
    ASSIGN_OR_RETURN(auto cp, scope_.archive->verifier().Checkpoint());
    origin_ = cp.checkpoint.origin;
  }
  return *origin_;
}

std::string CitedSpan(int64_t start_ms, int64_t end_ms, int64_t char_start, int64_t char_end) {
  if (start_ms >= 0) return ", at " + FormatClock(start_ms) + "\u2013" + FormatClock(end_ms);
  return ", characters " + std::to_string(char_start) + "\u2013" + std::to_string(char_end);
}

const char* ClipGapName(ClipGap g) {
  switch (g) {
    case ClipGap::kNone:
      return "";
    case ClipGap::kWithdrawn:
      return "withdrawn";
    case ClipGap::kNotOpen:
      return "not-open";
    case ClipGap::kRedacted:
      return "redacted";
    case ClipGap::kDeleted:
      return "deleted";
  }
  return "";
}

int64_t ClipView::Length() const {
  if (clip.start_ms >= 0) return clip.end_ms - clip.start_ms;
  return clip.char_end - clip.char_start;
}

Result<ClipView> MakeClip(const Scope& scope, const ClipAsk& ask) {
  if (scope.actor.empty() || !scope.subject.witness_id.empty()) {
    return Status::Unauthenticated("making a clip needs an account or a token");
  }
  if (ask.record_id.empty()) return Status::InvalidArgument("name the record to clip");
  ASSIGN_OR_RETURN(meta::Clip c, SpanOf(ask));
  ASSIGN_OR_RETURN(c.title, Words(ask.title, "title", kMaxClipTitle, false));
  ASSIGN_OR_RETURN(c.note, Words(ask.note, "note", kMaxClipNote, true));
  ASSIGN_OR_RETURN(RecordText t,
                   ReadRecordText(scope, ask.record_id, /*hide_redacted=*/true, ask.version));
  c.record_id = t.record.id;
  c.version = t.text_version;
  if (c.version == 0) {
    return Status::InvalidArgument(
        "this record has no words to clip yet: a recording is clipped once it has a transcript "
        "(`attest jobs` says whether its transcription waits for a model)");
  }
  if (!VersionOf(t.record, c.version)) {
    return Status::InvalidArgument("this record has no version " + std::to_string(c.version));
  }
  if (auto art = t.artifacts.find(c.version);
      art != t.artifacts.end() && art->second == "translation") {
    return Status::InvalidArgument(
        "version " + std::to_string(c.version) +
        " is a translation, not the witness's own words: clip the transcript (a clip offers its "
        "translations as subtitles)");
  }
  RETURN_IF_ERROR(CutToClean(t, &c));
  archive::Archive* a = scope.archive;
  ASSIGN_OR_RETURN(auto mine, a->clips().ListClips(scope.actor, kMaxClipsPerPerson));
  if (mine.size() >= kMaxClipsPerPerson) {
    return Status::Exhausted("you keep " + std::to_string(kMaxClipsPerPerson) +
                             " clips already: delete some first");
  }
  c.id = a->clips().NewClipId();
  c.owner = scope.actor;
  c.created = FormatRfc3339(a->env()->NowMicros());
  RETURN_IF_ERROR(a->clips().AddClip(c));
  ClipReads reads(scope);
  ASSIGN_OR_RETURN(ClipView v, See(scope, c, &reads));
  RETURN_IF_ERROR(AuditShown(scope, v));
  return v;
}

Result<ClipView> SeeClip(const Scope& scope, const meta::Clip& clip, ClipReads* reads) {
  return See(scope, clip, reads);
}

Result<ClipView> ReadClip(const Scope& scope, const std::string& id) {
  ASSIGN_OR_RETURN(auto row, scope.archive->clips().GetClip(id));
  if (!row) return Status::NotFound(std::string(kNoSuchClip) + ": " + id.substr(0, 40));
  ClipReads reads(scope);
  ASSIGN_OR_RETURN(ClipView v, See(scope, *row, &reads));
  RETURN_IF_ERROR(AuditShown(scope, v));
  return v;
}

Result<std::vector<ClipView>> ListClips(const Scope& scope) {
  if (scope.actor.empty()) return std::vector<ClipView>();
  ASSIGN_OR_RETURN(auto rows, scope.archive->clips().ListClips(scope.actor, kMaxClipsListed));
  ClipReads reads(scope);
  std::vector<ClipView> out;
  std::vector<std::string> audited;
  for (const auto& row : rows) {
    ASSIGN_OR_RETURN(ClipView v, See(scope, row, &reads));
    if (v.gap == ClipGap::kNone && !v.is_public) audited.push_back(v.clip.record_id);
    out.push_back(std::move(v));
  }
  if (!audited.empty()) RETURN_IF_ERROR(Auditor(scope).ViewedRecords("clips", audited));
  return out;
}

Status DeleteClip(const Scope& scope, const std::string& id) {
  ASSIGN_OR_RETURN(auto row, scope.archive->clips().GetClip(id));
  if (!row || scope.actor.empty() || (row->owner != scope.actor && !MayWrite(scope))) {
    return Status::NotFound(kNoSuchClip);
  }
  ASSIGN_OR_RETURN(bool gone, scope.archive->clips().DeleteClip(id));
  if (!gone) return Status::NotFound(kNoSuchClip);
  return Status::Ok();
}

Json ClipJson(const ClipView& v) {
  if (v.gap != ClipGap::kNone) return Json{{"id", v.clip.id}, {"gap", ClipGapName(v.gap)}};
  const meta::Clip& c = v.clip;
  Json lines = Json::array();
  for (const ClipLine& l : v.lines) {
    Json line = {{"lang", l.lang}, {"text", l.text}};
    if (l.start_ms >= 0) {
      line["start_ms"] = l.start_ms;
      line["end_ms"] = l.end_ms;
    } else {
      line["char_start"] = l.char_start;
      line["char_end"] = l.char_end;
    }
    lines.push_back(std::move(line));
  }
  Json tracks = Json::array();
  for (const ClipTrack& t : v.tracks) {
    Json tl = Json::array();
    for (const ClipLine& l : t.lines) {
      tl.push_back({{"start_ms", l.start_ms}, {"end_ms", l.end_ms}, {"text", l.text}});
    }
    Json track = {{"lang", t.lang}, {"version", t.version}, {"machine", t.machine}, {"lines", tl}};
    if (!t.by.empty()) track["by"] = t.by;
    tracks.push_back(std::move(track));
  }
  Json j = {{"id", c.id},
            {"tracks", std::move(tracks)},
            {"record", c.record_id},
            {"version", c.version},
            {"title", c.title},
            {"note", c.note},
            {"created", c.created},
            {"witness", v.witness},
            {"lang", v.lang},
            {"lines", std::move(lines)},
            {"citation", v.citation},
            {"play", v.play},
            {"leaf_index", v.leaf_index},
            {"manifest_sha256", v.manifest_sha256},
            {"public", v.is_public},
            {"proof", "/api/v1/records/" + c.record_id + "/proof?version=" +
                          std::to_string(c.version)}};
  if (c.start_ms >= 0) {
    j["start_ms"] = c.start_ms;
    j["end_ms"] = c.end_ms;
  } else {
    j["char_start"] = c.char_start;
    j["char_end"] = c.char_end;
  }
  if (!v.media_url.empty()) j["media"] = {{"url", v.media_url}, {"kind", v.media_kind}};
  return j;
}

}  // namespace attest::service
