// What a caller may see of the archive, as JSON: the one place where the API and the pages
// learn what to show, each decision taken by access::Decide. A record the caller may not read
// is kNotFound with the same message as a record that does not exist, so nothing is
// inferable from the answer. Not thread-safe: uses the Archive it is given.
#ifndef ATTEST_HTTP_VIEWS_H_
#define ATTEST_HTTP_VIEWS_H_

#include <optional>
#include <string>
#include <vector>

#include "access/access.h"
#include "archive/archive.h"
#include "core/json.h"

namespace attest::http {

// The message every hidden or missing record gets.
inline constexpr const char* kNoSuchRecord = "no such record";

// A file of a record the caller may fetch.
struct MediaFile {
  std::string sha256;
  uint64_t size = 0;
  std::string mime;
  std::string kind;  // audio, video, image, pdf, text, other
};

// Writes that `subject` (a token, an account or a witness's link) was shown `target` ("" for
// an answer listing records in `detail`) to the audit log (doc/format/metadata.md).
Status AuditView(archive::Archive* a, const access::Subject& subject, const std::string& target,
                 const Json& detail);

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
// kNotFound (kNoSuchRecord) if it is absent, withdrawn or not readable by the subject. Writes
// nothing to the audit log: the caller does, for what it shows. With `hide_redacted`, redacted
// spans are marks even for those who may read them (Ask, like search, never shows them).
// The text version is `version` if given (kNotFound if it is held by a redaction and the
// subject may not read hidden spans), else the newest the subject may read: for those who may
// not read hidden spans, a version held by a redaction that could not be placed in it is
// passed over (doc/api.md "Redaction").
Result<RecordText> ReadRecordText(archive::Archive* a, const access::Subject& subject,
                                  const std::string& id, bool hide_redacted = false,
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
  std::map<int64_t, std::vector<std::pair<uint32_t, uint32_t>>> redacted;
};

// What a caller who may not read a version whole is told of its proof (doc/api.md "Proofs").
inline constexpr const char* kProofWithheld =
    "a proof of this version exists; it is given to those who may read the version whole";

// The record `id` as `subject` may see it. kNotFound (kNoSuchRecord) if it is absent,
// withdrawn, or not readable by the subject. A view of material that is not public by a caller
// with a token is written to the audit log, as `what` ("record", "media", "transcript",
// "proof", "segment"; doc/format/metadata.md, "The audit log").
Result<RecordView> ViewRecord(archive::Archive* a, const access::Subject& subject,
                              const std::string& id, std::string_view what = "record");

// Writes to the audit log what of `found` a caller with a token was shown that is not public
// (detail {"what", "records"}; nothing for an anonymous caller or public hits only).
Status AuditSearch(archive::Archive* a, const access::Subject& subject,
                   const search::Results& found, std::string_view what);

// The newest version of a record that is an original (added or revised, not derived by a
// tool or a person from another); null if none.
const meta::Version* NewestOriginal(const meta::Record& record);
// What of a version's free metadata is shown: its `title`, `description` and `note`.
// Everything else given with `--meta` stays private to the archive.
Json ShownMeta(const meta::Version* original);

// The records `subject` may read, oldest first.
Result<std::vector<meta::Record>> ReadableRecords(archive::Archive* a,
                                                  const access::Subject& subject);

// One segment with its record, if the subject may read both.
// `ref`: the segment's ref (Archive::SegmentRef); anything else is kNotFound.
Result<Json> ViewSegment(archive::Archive* a, const access::Subject& subject,
                         const std::string& ref);

// The community each witness of `found` speaks from (`attest witness`), by witness id; ""
// where none is given.
Result<std::map<std::string, std::string>> WitnessCommunities(archive::Archive* a,
                                                              const search::Results& found);

// Where the words of query `q` are in a record's text as the caller may read it: code-point
// ranges in the text version's text, by segment id. Found by the search itself (the same
// analysis: spellings, stems, prefixes, names across scripts), so a record opened from a
// result marks what the result matched. Empty for an empty or bad query.
std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> RecordMarks(
    archive::Archive* a, const access::Subject& subject, const RecordView& view,
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

// Which records use a blob (by SHA-256), among those the subject may read, with the checkpoint
// that covers them. {"found": false} is also the answer for a file only hidden records hold.
Result<Json> VerifyBlob(archive::Archive* a, const access::Subject& subject,
                        const std::string& sha256);

// The query of an event (the API's /events and the Perspectives page): segments annotated with
// `place` (any script) and a `date` overlapping the given one, and `words` if any.
// kInvalidArgument if neither place nor date is given, or one holds '"' or exceeds 200 bytes.
Result<std::string> EventQuery(const std::string& place, const std::string& date,
                               const std::string& words);

// The search role of a subject.
search::Role SearchRole(const access::Subject& subject);

// A place or a time the archive holds accounts of, as a caller may see it: a starting point of
// the Perspectives page.
struct EventStart {
  std::string value;       // a place's name, or a date: "1948" or, alone in its year, "1948-05"
  uint64_t witnesses = 0;  // distinct witnesses (a record without one counts alone)
  bool more = false;       // more records than were counted for `witnesses`
  std::vector<std::string> langs;  // of the matching segments, sorted; "und" left out
};
struct EventStarts {
  std::vector<EventStart> places;  // most witnesses first
  std::vector<EventStart> dates;   // oldest first
};
// The places and times with accounts `subject` may read. Found and counted by searches at the
// subject's role only (the index's levels; doc/search.md, "Access"), so a place that only
// records the subject may not read mention is neither shown nor counted. Candidate places are
// the place facets of dated segments, then the archive's annotated places; at most
// kMaxEventStarts of each are searched.
inline constexpr size_t kMaxEventStarts = 40;
Result<EventStarts> PerspectiveStarts(archive::Archive* a, const access::Subject& subject);

// MIME type of a file from its first bytes.
std::string MimeFromHead(std::string_view head);

// A citation line: "TITLE. Witness W, record R, version V, at 12:34. attest archive ORIGIN, log
// entry N." (of the record's newest version).
std::string Citation(const RecordView& view, const std::string& origin, int64_t at_ms);
// The same for `version` of `record`, `where` (", at 12:34", ", page 3") after its number.
std::string Citation(const meta::Record& record, const meta::Version& version,
                     const std::string& origin, const std::string& where);

// The portal's link to a segment of a record: played from its second when it has one.
std::string SegmentLink(const std::string& record_id, const std::string& segment_ref,
                        int64_t start_ms);

}  // namespace attest::http

#endif  // ATTEST_HTTP_VIEWS_H_
