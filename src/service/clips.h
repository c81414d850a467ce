// Clips (doc/sessions.md): a span of one record version, made by a person who may read it, and
// read anew by whoever opens it through the one consent- and redaction-filtered reading of its
// record (ReadRecordText), so a clip follows its witness's consent at once: a reader who may no
// longer read every word of it is told only why there is a gap, never the words. Not
// thread-safe: uses the scope's Archive.
#ifndef ATTEST_SERVICE_CLIPS_H_
#define ATTEST_SERVICE_CLIPS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "meta/store.h"
#include "service/record_view.h"
#include "service/scope.h"

namespace attest::service {

inline constexpr size_t kMaxClipTitle = 200;
inline constexpr size_t kMaxClipNote = 4096;
inline constexpr size_t kMaxClipsListed = 200;
// A clip is at most an hour of a recording, or 20,000 characters of a text (some 20 minutes
// read aloud); a person keeps at most 2,000 clips.
inline constexpr int64_t kMaxClipMs = 3600 * 1000;
inline constexpr int64_t kMaxClipChars = 20000;
inline constexpr size_t kMaxClipsPerPerson = 2000;
// What a clip that is not there (or not the caller's to change) answers.
inline constexpr const char* kNoSuchClip = "no such clip";

// What a person asks a clip to be: times in ms of a version with times (a transcript), or code
// points of its text, [from, to). The version is the text version the maker reads if unset.
struct ClipAsk {
  std::string record_id;
  std::optional<int> version;
  int64_t start_ms = -1, end_ms = -1;
  int64_t char_start = -1, char_end = -1;
  std::string title, note;
};

// Why a reader is shown a gap where a clip was.
enum class ClipGap {
  kNone,
  kWithdrawn,  // its witness withdrew the record (or asked to)
  kNotOpen,    // the reader may not read every word of it (a narrowed consent, a seal)
  kRedacted,   // a redaction was placed in its span after it was made
  kDeleted,    // its maker deleted it
};
// "withdrawn", "not-open", "redacted", "deleted" ("" for kNone).
const char* ClipGapName(ClipGap g);

// One line of a clip's words: a segment's part inside the clip's span.
struct ClipLine {
  int64_t start_ms = -1, end_ms = -1;    // media
  int64_t char_start = -1, char_end = -1;  // code points of the version's text
  std::string lang, text;
};

// A subtitle track of a clip: a translation of its record's transcript (doc/sessions.md
// "Subtitles"), its lines inside the clip's span.
struct ClipTrack {
  std::string lang;
  int version = 0;
  bool machine = false;  // a machine's translation (labelled so wherever it is shown)
  std::string by;        // a person's translation: its translator
  std::vector<ClipLine> lines;
};

// A clip as one reader may see it. For a gap only `clip.id` and `gap` are set (and for
// kWithdrawn nothing of the words or the maker's title).
struct ClipView {
  meta::Clip clip;
  ClipGap gap = ClipGap::kNone;
  std::string witness;  // the witness's pseudonymous id (their name is never shown)
  std::string lang;     // of its first line
  std::vector<ClipLine> lines;
  // Of a recording's clip: the record's translations the reader may read whole over its span,
  // the newest of each language.
  std::vector<ClipTrack> tracks;
  std::string citation;
  std::string play;  // the record page at the clip's start
  uint64_t leaf_index = 0;
  std::string manifest_sha256;
  // The reader may fetch the record's access copy (a media clip plays from it): its URL.
  std::string media_url;
  std::string media_kind;  // audio or video
  bool is_public = false;  // every word of it is public, so a public session may hold it
  int64_t Length() const;  // ms of a media clip; for text, code points
};

// What one answer's clips share: each record version read once (a session of 200 clips of one
// record reads it once), and the log's origin. Lives no longer than the answer.
class ClipReads {
 public:
  explicit ClipReads(const Scope& scope) : scope_(scope) {}
  Result<const RecordText*> Text(const std::string& record, int version);
  // The record's access copy, if the caller may fetch it: {url, kind}, or empty.
  Result<std::pair<std::string, std::string>> Media(const std::string& record);
  Result<std::string> Origin();

 private:
  const Scope& scope_;
  std::map<std::pair<std::string, int>, std::unique_ptr<Result<RecordText>>> texts_;
  std::map<std::string, std::pair<std::string, std::string>> media_;
  std::optional<std::string> origin_;
};

// Makes a clip. The span is cut to the passages the maker may read unredacted: a span that
// starts or ends in a passage the maker may not read, or one with a redaction, is cut at that
// passage's edge; one with such a passage inside it is refused, naming where it is. kNotFound
// (kNoSuchRecord) for a record the maker may not read; kInvalidArgument for a span that holds
// none of the version's words, a span of the wrong kind (times of a text, characters of a
// recording), an over-long title or note. Needs an account or a token (kUnauthenticated).
Result<ClipView> MakeClip(const Scope& scope, const ClipAsk& ask);

// Clip `id` as the scope's caller may see it: a gap (ClipView::gap) if they may not read all of
// it. kNotFound (kNoSuchClip) if there is no such clip (kDeleted is for sessions). Audited as a
// view of the record ("clip") when what it shows is not public.
Result<ClipView> ReadClip(const Scope& scope, const std::string& id);
// The same for a clip row already read, with no audit (sessions audit once for all their clips).
Result<ClipView> SeeClip(const Scope& scope, const meta::Clip& clip, ClipReads* reads);

// The caller's own clips, newest first, as they may see them now.
Result<std::vector<ClipView>> ListClips(const Scope& scope);

// Deletes the caller's own clip (an archivist may delete anyone's). kNotFound (kNoSuchClip)
// otherwise.
Status DeleteClip(const Scope& scope, const std::string& id);

// Where a span is, as a citation says it after the version's number: ", at 12:04–13:10" (times,
// when `start_ms` is not negative) or ", characters 120–480".
std::string CitedSpan(int64_t start_ms, int64_t end_ms, int64_t char_start, int64_t char_end);

// A clip as the API gives it (doc/api.md "Clips"): a gap is {"id","gap"}.
Json ClipJson(const ClipView& v);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_CLIPS_H_
