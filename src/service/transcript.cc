#include "service/transcript.h"

#include <map>
#include <utility>
#include <vector>

#include "service/accounts.h"
#include "service/auditor.h"
#include "service/record_view.h"
#include "service/writes.h"

namespace attest::service {
namespace {

// The record's text as the scope may read it, in the transcript's version.
Result<RecordText> TextOf(const Scope& scope, const std::string& id, int version) {
  auto text = ReadRecordText(scope, id, false, version);
  if (!text.ok() && text.status().IsNotFound()) return Status::NotFound(kNoTranscript);
  return text;
}

// Every segment of the record is readable by the caller (RecordView::whole).
bool Whole(const RecordText& text) { return text.sees_redacted && text.every_segment; }

// `doc` with only the lines of `text` (the one reading of the record, matched by time),
// redaction marks in place of hidden words, and its JSON built again from them.
Status FilterCues(const RecordText& text, ingest::TranscriptDoc* doc) {
  std::map<std::pair<int64_t, int64_t>, const ingest::Cue*> by_time;
  for (const auto& cue : doc->cues) by_time[{cue.start_ms, cue.end_ms}] = &cue;
  std::vector<ingest::Cue> kept;
  for (const auto& s : text.segments) {
    if (s.segment.start_ms < 0) continue;
    ingest::Cue cue;
    cue.start_ms = s.segment.start_ms;
    cue.end_ms = s.segment.end_ms;
    cue.lang = s.segment.lang;
    cue.text = s.segment.text;  // as the caller may read it: marks for hidden words
    // What a recogniser said of the line, never its words (they may hold hidden ones).
    if (auto it = by_time.find({cue.start_ms, cue.end_ms}); it != by_time.end()) {
      cue.confidence = it->second->confidence;
      cue.no_speech = it->second->no_speech;
      cue.speaker = it->second->speaker;  // a label staff gave the line, shown with it
    }
    kept.push_back(std::move(cue));
  }
  doc->cues = std::move(kept);
  ASSIGN_OR_RETURN(auto built, ingest::BuildTranscript(doc->cues, doc->duration_ms));
  doc->json = built.json;
  return Status::Ok();
}

}  // namespace

Result<ingest::TranscriptDoc> ReadTranscript(const Scope& scope, const std::string& id,
                                             std::optional<int> version) {
  archive::Archive* a = scope.archive;
  ASSIGN_OR_RETURN(RecordView view, ReadRecordView(scope, id));
  auto doc = ingest::LoadTranscript(a, view.record.id, version);
  // The newest transcript held by a redaction (doc/api.md "Redaction"): those who may not read
  // it are given the newest one before it that is not held.
  if (doc.ok() && !version && !view.reads_hidden && view.plan.Held(doc->version)) {
    int newest = doc->version;
    doc = Status::NotFound("every transcript of this record is held");
    for (auto v = view.record.versions.rbegin(); v != view.record.versions.rend(); ++v) {
      if (v->version >= newest || view.plan.Held(v->version)) continue;
      auto older = ingest::LoadTranscript(a, view.record.id, v->version);
      if (older.ok() && older->artifact == "transcript") {
        doc = std::move(older);
        break;
      }
    }
  }
  // A held version asked for by its number: archivists' (and the witness's) only, as the index
  // and the record's text keep it.
  if (doc.ok() && version && !view.reads_hidden && view.plan.Held(doc->version)) {
    doc = Status::NotFound(kNoTranscript);
  }
  if (!doc.ok()) {
    if (doc.status().IsNotFound()) return Status::NotFound(kNoTranscript);
    return doc.status();
  }
  // Audited for what it gives (a transcript that is not there writes nothing): every line to
  // a whole reader, else the lines they may read.
  bool not_public = view.files_not_public;
  if (!view.whole) {
    ASSIGN_OR_RETURN(RecordText text, TextOf(scope, view.record.id, doc->version));
    RETURN_IF_ERROR(FilterCues(text, &*doc));
    not_public = view.record.consent != meta::Consent::kPublic ||
                 (text.sees_redacted && !text.redactions.empty());
    for (const auto& s : text.segments) {
      if (s.segment.start_ms >= 0 && s.effective != meta::Consent::kPublic) not_public = true;
    }
  }
  if (not_public && !scope.actor.empty()) {
    RETURN_IF_ERROR(Auditor(scope).Viewed(view.record.id, "transcript"));
  }
  return doc;
}

Result<ingest::TranscriptDoc> ReadTranscriptToEdit(const Scope& scope, const std::string& id) {
  if (!MayWrite(scope)) return Status::PermissionDenied(kNeedsWriter);
  ASSIGN_OR_RETURN(RecordView view, ReadRecordView(scope, id));
  if (!view.reads_hidden || !view.may_change) return Status::NotFound(kNoSuchRecord);
  auto doc = ingest::LoadTranscript(scope.archive, view.record.id, std::nullopt);
  if (!doc.ok()) {
    if (doc.status().IsNotFound()) return Status::NotFound(kNoTranscript);
    return doc.status();
  }
  if (view.shows_not_public || view.files_not_public || !view.redactions.empty()) {
    RETURN_IF_ERROR(Auditor(scope).Viewed(view.record.id, "transcript"));
  }
  return doc;
}

Result<ingest::OcrDoc> ReadOcrToEdit(const Scope& scope, const std::string& id,
                                     std::optional<int> version) {
  if (!MayWrite(scope)) return Status::PermissionDenied(kNeedsWriter);
  ASSIGN_OR_RETURN(RecordView view, ReadRecordView(scope, id));
  if (!view.reads_hidden || !view.may_change) return Status::NotFound(kNoSuchRecord);
  auto doc = ingest::LoadOcr(scope.archive, view.record.id, version);
  if (!doc.ok()) {
    if (doc.status().IsNotFound()) return Status::NotFound(kNoOcr);
    return doc.status();
  }
  if (view.shows_not_public || view.files_not_public || !view.redactions.empty()) {
    RETURN_IF_ERROR(Auditor(scope).Viewed(view.record.id, "ocr"));
  }
  return doc;
}

Result<ingest::TranscriptDoc> ExportTranscript(const Scope& scope, const std::string& id,
                                               std::optional<int> version) {
  archive::Archive* a = scope.archive;
  ASSIGN_OR_RETURN(meta::Record rec, a->records().Get(id));
  if (!access::Decide(scope.subject, access::Action::kRead,
                      access::Resource::Of(rec, rec.consent))) {
    return Status::PermissionDenied(
        "record '" + id + "' is " + meta::ConsentName(rec.consent) +
        ": its words are read by nobody" +
        (rec.consent == meta::Consent::kSealed ? " until its seal opens" : ""));
  }
  ASSIGN_OR_RETURN(ingest::TranscriptDoc doc, ingest::LoadTranscript(a, id, version));
  if (rec.consent != meta::Consent::kPublic) {
    RETURN_IF_ERROR(Auditor(scope).Viewed(rec.id, "transcript"));
  }
  // The operator reads every line; a scope that may not (none today) gets the filtered lines.
  ASSIGN_OR_RETURN(RecordText text, TextOf(scope, id, doc.version));
  if (!Whole(text)) RETURN_IF_ERROR(FilterCues(text, &doc));
  return doc;
}

}  // namespace attest::service
