// A record's transcript as a caller may read it: the one consent- and redaction-filtered
// reading behind the API's /records/ID/transcript and `attest transcript export`.
#ifndef ATTEST_SERVICE_TRANSCRIPT_H_
#define ATTEST_SERVICE_TRANSCRIPT_H_

#include <optional>
#include <string>

#include "core/status.h"
#include "ingest/ocr_edit.h"
#include "ingest/transcripts.h"
#include "service/scope.h"

namespace attest::service {

// The message of a record the caller may read that has no transcript it may read.
inline constexpr const char* kNoTranscript = "this record has no transcript";

// The newest transcript of record `id` (or `version`) the scope may read, its cues only the
// lines it may read, redacted words marked (doc/api.md "Transcripts"). kNotFound with
// kNoSuchRecord for a record it may not read, kNoTranscript for none it may read. Audited as a
// `transcript` view when what is shown is not public.
Result<ingest::TranscriptDoc> ReadTranscript(const Scope& scope, const std::string& id,
                                             std::optional<int> version);

// The same for the command line's operator (`attest transcript export`): a record whose words
// nobody reads (sealed) is kPermissionDenied saying so, and the stored transcript's own errors
// (nothing transcribed yet, a job waiting) are given as they are.
Result<ingest::TranscriptDoc> ExportTranscript(const Scope& scope, const std::string& id,
                                               std::optional<int> version);

// The newest transcript of record `id` whole, for the workspace's editor: every line, hidden
// words included, so that a save keeps them. kPermissionDenied (kNeedsWriter) to a scope that
// may not write; kNotFound (kNoSuchRecord) for a record it may not read or whose hidden words it
// may not read, kNoTranscript for a record without one. Audited as a `transcript` view when
// the record is not public or holds redactions.
Result<ingest::TranscriptDoc> ReadTranscriptToEdit(const Scope& scope, const std::string& id);

// The newest OCR text of record `id` (or OCR version `version`) whole, with its words' boxes,
// for the workspace's OCR editor: as ReadTranscriptToEdit, kNoOcr for a record without one;
// audited as an `ocr` view when the record is not public or holds redactions.
inline constexpr const char* kNoOcr = "this record has no OCR text";
Result<ingest::OcrDoc> ReadOcrToEdit(const Scope& scope, const std::string& id,
                                     std::optional<int> version = std::nullopt);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_TRANSCRIPT_H_
