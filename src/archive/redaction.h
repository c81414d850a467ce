// Redaction plans: where a record's redactions, and its passages' own consent levels, fall in
// each version of its text, and a segment's text with a plan applied. Pure functions;
// thread-safe.
#ifndef ATTEST_ARCHIVE_REDACTION_H_
#define ATTEST_ARCHIVE_REDACTION_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "meta/store.h"

namespace attest::archive {

// Where a record's redactions fall in each version of its text (doc/api.md "Redaction",
// doc/format/metadata.md migrations 11 and 12). A redaction hides its own span of its own
// segment; in every other version, its words where they have their old neighbours (and every
// occurrence when more are left than were readable in its own version), and in a recording
// whatever is spoken in its time range; a version its words cannot be found in is held until
// an archivist confirms it. A pure function of the record's segments and redactions.
struct RedactionPlan {
  // Code-point ranges to hide, by segment id ([0, INT64_MAX): all of it).
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> hide;
  // Versions a redaction could not be placed in (and no archivist confirmed): the ids of
  // those redactions, by version.
  // (A negative id -N: the level of passage N, which could not be found in that version.)
  std::map<int, std::vector<int64_t>> held;
  // A passage given a level of its own (`attest consent ID LEVEL --segment N`) keeps it in the
  // other versions where its words (or, in a recording, its time) are found: those segments'
  // levels, by id.
  std::map<int64_t, meta::Consent> levels;
  bool Held(int version) const { return held.count(version) > 0; }
  bool empty() const { return hide.empty() && held.empty() && levels.empty(); }
  // The level segment `s` is read at: its own effective level, or a passage's it holds.
  meta::Consent Level(const meta::SegmentState& s) const {
    auto it = levels.find(s.segment.id);
    return it == levels.end() ? s.effective : meta::Strictest(s.effective, it->second);
  }
};
// `segments`: every segment of one record (every version); `redactions`: that record's rows,
// confirmations included.
RedactionPlan PlanRedactions(const std::vector<meta::SegmentState>& segments,
                             const std::vector<meta::Redaction>& redactions);

// A segment's text with a plan applied: each hidden span becomes kRedactionMark; `marks` are
// the byte ranges of the marks in `text`.
inline constexpr std::string_view kRedactionMark = "\u2588\u2588\u2588\u2588\u2588";
struct RedactedText {
  std::string text;
  std::vector<std::pair<uint32_t, uint32_t>> marks;
};
RedactedText ApplyRedactions(const meta::SegmentState& s, const RedactionPlan& plan);

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_REDACTION_H_
