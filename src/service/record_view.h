// What a caller may see of a record, its text, its segments and its files: each decision
// taken by access::Decide, here only, for the API, the pages and the command line alike. A
// record the caller may not read is kNotFound with the same message as a record that does not
// exist, so nothing is inferable from the answer. Not thread-safe: uses the scope's Archive.
#ifndef ATTEST_SERVICE_RECORD_VIEW_H_
#define ATTEST_SERVICE_RECORD_VIEW_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "service/scope.h"

namespace attest::service {

// The message every hidden or missing record gets.
inline constexpr const char* kNoSuchRecord = "no such record";

// A file of a record the caller may fetch.
struct MediaFile {
  std::string sha256;
  uint64_t size = 0;
  std::string mime;
  std::string kind;  // audio, video, image, pdf, text, other
};


// A record's text as a caller may read it: the one place that decides which segments and
// which hidden spans (ViewRecord and Ask read through it).
struct RecordText {
  meta::Record record;
  std::vector<meta::SegmentState> all_segments;  // every version's, as stored
  std::vector<meta::Redaction> redactions;       // the spans (confirmations left out)
  archive::RedactionPlan plan;                   // where they fall in every version
  bool sees_redacted = false;            // the caller may read what is redacted (or nothing is)
  bool reads_hidden = false;             // the caller may read hidden spans and held versions
  bool every_segment = false;            // the caller may read every segment
  std::map<int, std::string> artifacts;  // of derived versions: text, ocr, transcript, …
  int text_version = 0;
  // The text version's segments the caller may read, in order, with the redactions the caller
  // may not read replaced by marks (their byte ranges in `redacted`).
  std::vector<meta::SegmentState> segments;
  std::map<int64_t, std::vector<std::pair<uint32_t, uint32_t>>> redacted;
};
// The order of a text version's segments: by time, page, character, then id.
bool InTextOrder(const meta::SegmentState& x, const meta::SegmentState& y);
// kNotFound (kNoSuchRecord) if it is absent, withdrawn or not readable by the subject (nor any
// of its segments, if it has any: AnySegmentReadable). Writes
// nothing to the audit log: the caller does, for what it shows. With `hide_redacted`, redacted
// spans are marks even for those who may read them (Ask, like search, never shows them).
// The text version is `version` if given (kNotFound if it is held by a redaction and the
// subject may not read hidden spans), else the newest the subject may read: for those who may
// not read hidden spans, a version held by a redaction that could not be placed in it is
// passed over (doc/api.md "Redaction").
Result<RecordText> ReadRecordText(const Scope& scope, const std::string& id, bool hide_redacted = false,
                                  std::optional<int> version = std::nullopt);

struct RecordView {
  meta::Record record;
  Json json;  // see doc/api/openapi.json, schema Record
  // Files the caller may fetch (all of the record's material is readable by the caller):
  // by name: "original", "access", "poster", and "page-N" (page N of an OCR'd PDF or TIFF).
  std::map<std::string, MediaFile> media;
  // Every segment of the record is readable by the caller (so are its files, which hold them).
  bool whole = false;
  std::vector<meta::SegmentState> segments;  // of the text version, readable, in order
  int text_version = 0;
  std::string artifact;  // of the text version: text, ocr, transcript, translation
  std::vector<meta::ConsentChange> consent_changes;  // oldest first
  // Redactions (doc/api.md, "Redaction"): the record's; and for a caller who may not read
  // them, the byte ranges of the marks in each shown segment's text.
  std::vector<meta::Redaction> redactions;
  archive::RedactionPlan plan;
  bool sees_redacted = false;
  bool reads_hidden = false;
  // The caller may change the record (its consent, redactions, metadata; access::Decide).
  bool may_change = false;
  std::map<int64_t, std::vector<std::pair<uint32_t, uint32_t>>> redacted;
  // What is not public among what is shown (the audit log's rule, doc/format/metadata.md):
  // `json` (the record's metadata and its shown segments, hidden spans included for those who
  // may read them) holds material that is not public.
  bool shows_not_public = false;
  // The files given (`media`), and the manifests and proofs given to whole readers, hold
  // material that is not public: the record is not, or one of its segments is, or they hold
  // the words of redactions this caller may read.
  bool files_not_public = false;
};

// What a caller who may not read a version whole is told of its proof (doc/api.md "Proofs").
inline constexpr const char* kProofWithheld =
    "a proof of this version exists; it is given to those who may read the version whole";

// The record `id` as `subject` may see it. kNotFound (kNoSuchRecord) if it is absent,
// withdrawn, or not readable by the subject. Writes nothing to the audit log: what an answer
// shows of it is audited by the function that gives that answer.
Result<RecordView> ReadRecordView(const Scope& scope, const std::string& id);
// ReadRecordView for an answer that shows the record's JSON (the record, its segments, its
// page): written to the audit log as a view of the "record" when that JSON holds material that
// is not public and the caller has a token, an account or a link.
Result<RecordView> ViewRecord(const Scope& scope, const std::string& id);



// The records `subject` may read, oldest first: not withdrawn, at a level the subject reads,
// and with a segment the subject may read if they have any (ReadRecordText's rule).
Result<std::vector<meta::Record>> ReadableRecords(const Scope& scope);
// Whether `subject` may read a segment of `segments` (their `effective` levels set, redactions'
// levels included), or there are none: a record with words none of which the subject may read
// is answered as no record, everywhere.
bool AnySegmentReadable(const access::Subject& subject, const meta::Record& r,
                        const std::vector<meta::SegmentState>& segments);

// One segment with its record, if the subject may read both.
// `ref`: the segment's ref (Archive::SegmentRef); anything else is kNotFound. Audited as a
// view of the "segment" when the segment as shown is not public.
Result<Json> ViewSegment(const Scope& scope, const std::string& ref);

// Where the words of query `q` are in a record's text as the caller may read it: code-point
// ranges in the text version's text, by segment id. Found by the search itself (the same
// analysis: spellings, stems, prefixes, names across scripts), so a record opened from a
// result marks what the result matched. Empty for an empty or bad query.
std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> RecordMarks( const Scope& scope, const RecordView& view,
    const std::string& q);

// A rectangle on a page image, in the image's pixels.
struct Box {
  int page = 0;
  int64_t x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};
struct PageBoxes {
  int64_t width = 0, height = 0;  // of the page image OCR read
  std::vector<Box> boxes;
};
// The boxes of the OCR'd words that overlap `ranges` (code points of the text version's text),
// by page, when the text version is OCR (its `ocr` blob, doc/format/manifest.md).
Result<std::map<int, PageBoxes>> OcrBoxes(archive::Archive* a, const RecordView& view,
                                          const std::vector<std::pair<int64_t, int64_t>>& ranges);

// MIME type of a file from its first bytes.
std::string MimeFromHead(std::string_view head);


// A citation line for the record's newest version, at `at_ms` into it (or none if negative).
std::string Citation(const RecordView& view, const std::string& origin, int64_t at_ms);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_RECORD_VIEW_H_
