// Transcripts out and in (doc/speech.md): a record's transcript as WebVTT, SRT, text or JSON,
// and a transcript corrected elsewhere added back as a derived version with human provenance.
#ifndef ATTEST_INGEST_TRANSCRIPTS_H_
#define ATTEST_INGEST_TRANSCRIPTS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/archive.h"
#include "core/env.h"

namespace attest::ingest {

struct CueWord {
  std::string text;
  int64_t start_ms = 0, end_ms = 0;
  int p = 0;  // probability in thousandths
};

struct Cue {
  int64_t start_ms = 0, end_ms = 0;
  std::string lang;  // empty if the file does not say
  std::string text;  // one line: the cue's lines joined by a space, tags and isolates removed
  // What a recogniser says of it (doc/format/manifest.md), in thousandths; -1 if unknown.
  int confidence = -1, no_speech = -1;
  std::vector<CueWord> words;
  std::string speaker;  // who speaks, as a person labelled it (<v Name>); empty if nobody did
};

// One transcript version of a record, as stored.
struct TranscriptDoc {
  std::string record;
  int version = 0;
  int from = 0;          // the version it transcribes
  std::string artifact;  // transcript or translation
  std::string tool, tool_version, model;
  int64_t duration_ms = 0;
  std::vector<Cue> cues;
  std::string json;  // the transcript blob
};

// The record's newest transcript, or `version` (a transcript or a translation). kNotFound if the
// record has none (naming what it has: nothing transcribed yet, or a job waiting).
Result<TranscriptDoc> LoadTranscript(archive::Archive* archive, const std::string& record,
                                     std::optional<int> version);

// vtt, srt, txt or json (kInvalidArgument for another format).
Result<std::string> FormatTranscript(const TranscriptDoc& doc, const std::string& format);

// Reads WebVTT (by its WEBVTT signature) or SRT. Cues must be in time order and not overlap;
// a bad cue is named as "NAME:LINE: what is wrong". `format` is set to "vtt" or "srt".
Result<std::vector<Cue>> ParseCaptions(std::string_view data, const std::string& name,
                                       std::string* format);

// Reads `file` and adds it as a derived version of `record` made from version `from` (default:
// the source of the record's newest transcript, or its newest original), tool `human`.
Result<meta::Version> ImportTranscript(Env* env, archive::Archive* archive,
                                       const std::string& record, const std::string& file,
                                       const std::string& by, std::optional<int> from);

// Corrects one line of a transcript version (the cue from start_ms to end_ms): the whole
// transcript with that line's new text is added as a derived version, tool `human`, params
// {"by", "corrects": version, "line": {start_ms, end_ms}, "sha256" of the new text}.
// kConflict, as EditTranscript's, if `version` is no longer the record's newest transcript.
Result<meta::Version> CorrectSegment(archive::Archive* archive, const std::string& record_id,
                                     int version, int64_t start_ms, int64_t end_ms,
                                     const std::string& text, const std::string& by);

// A transcript edited whole by a person (the workspace's editor): `cues`, made from the
// transcript version `edited` as the editor last read it, with their times, texts and speakers.
// Added as a derived version, tool `human`, params {"by", "edits": edited}. kConflict, naming
// the newer version and the lines it changed, if `edited` is no longer the record's newest
// transcript (another person saved in between: nothing of theirs is lost); kInvalidArgument,
// naming the cue, for times out of order or overlapping, an empty text, a text over 10,000
// bytes, or nothing changed. Unchanged cues keep their language; changed ones take the
// language of the cue of `edited` they overlap most.
Result<meta::Version> EditTranscript(archive::Archive* archive, const std::string& record_id,
                                     int edited, std::vector<Cue> cues, const std::string& by);

// A time as the editor shows it, "HH:MM:SS.mmm"; and one as a person types it ("MM:SS",
// "H:MM:SS", with or without ".m", ".mm" or ".mmm"), in ms, -1 if it is not one.
std::string FormatClock(int64_t ms);
int64_t ParseClockText(std::string_view t);

// `s` without spaces, tabs and carriage returns around it.
std::string Trim(std::string_view s);

// A person's save, tried again from its reading when its record gained a version between the
// reading and the writing (archive::kChangedMeanwhile, at most five times): a save of the same
// text in between is then the save's own conflict, anything else is not.
template <class F>
Result<meta::Version> RetriedIfChanged(F once) {
  for (int attempt = 1;; ++attempt) {
    auto v = once();
    if (v.ok() || v.status().message() != archive::kChangedMeanwhile || attempt == 5) return v;
  }
}

// The speaker label a person gave, as kept: one line, trimmed, at most kMaxSpeaker bytes.
inline constexpr size_t kMaxSpeaker = 100;
std::string LabelOf(std::string_view given);

// Adds `cues` as a transcript a person made from version `source` (import and correction);
// with `after_version`, only while that is still the record's newest version (kConflict,
// archive::kChangedMeanwhile, otherwise).
// `artifact`: "transcript", or "translation" for a person's translation of one.
Result<meta::Version> AddHumanTranscript(archive::Archive* archive, const std::string& record_id,
                                         int source, const std::vector<Cue>& cues,
                                         int64_t duration, const Json& params,
                                         int after_version = 0,
                                         const std::string& artifact = "transcript");

// Adds a translation of a transcript a person made, `file` (WebVTT or SRT) in language `lang`
// by `translator` (doc/sessions.md "Subtitles"): a derived version of the transcript (the
// record's newest, or version `transcript`), artifact `translation`, tool `human`, params
// {"by","file","format","lang","sha256"}. It follows the transcript's cue times: each cue takes
// the times of the transcript line it overlaps most, and cues on one line are joined. A cue
// that overlaps no line is refused, naming it; so is a file without cues.
Result<meta::Version> ImportTranslation(Env* env, archive::Archive* archive,
                                        const std::string& record, const std::string& file,
                                        const std::string& lang, const std::string& translator,
                                        std::optional<int> transcript);

// The transcript blob (doc/format/manifest.md) and text of `cues`: segments one a line, each
// with its code point range; and the milliseconds of speech in each language.
struct BuiltTranscript {
  std::string text;
  std::string json;
  std::vector<meta::Segment> segments;
  std::map<std::string, int64_t> ms_by_lang;
  std::string lang;  // the language of the most speech
};
Result<BuiltTranscript> BuildTranscript(const std::vector<Cue>& cues, int64_t duration_ms);

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_TRANSCRIPTS_H_
