// The changes of records people ask for (doc/api.md "Writes", doc/cli.md), for the API and the
// command line alike: metadata, consent (a record's or a passage's, seals), redactions and their
// confirmations, transcript corrections and imports, withdrawals. Each is refused
// (kPermissionDenied, kNeedsWriter) to a scope that may not write. What a record's own state
// takes is the archive's to say, before it reads anything else of the record
// (archive::Consents::Writable, doc/privacy.md): a sealed record only a withdrawal or a later
// seal, a withdrawn one nothing, in an unknown record's words. The archive audits what it
// changes under the scope's actor (doc/format/metadata.md "The audit log": consent, withdraw,
// redact, redact.confirm). Not thread-safe: uses the scope's Archive.
#ifndef ATTEST_SERVICE_WRITES_H_
#define ATTEST_SERVICE_WRITES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "ingest/transcripts.h"
#include "meta/store.h"
#include "service/scope.h"

namespace attest::service {

inline constexpr const char* kNeedsWriter = "this needs an archivist's token";
// What a segment that is not there, or that the caller may not change, answers.
inline constexpr const char* kNoSuchSegment = "no such segment";

// Replaces a record's free metadata (archive::Records::EditMetadata).
Result<meta::Version> EditMetadata(const Scope& scope, const std::string& id, const Json& meta);

// Changes a record's consent level, or with `segment_id` one passage's
// (archive::Consents::ChangeConsent; audited by the archive as `consent`). A seal needs `seal`.
Result<std::optional<meta::ConsentChange>> ChangeConsent(const Scope& scope, const std::string& id,
                                                         meta::Consent to,
                                                         const std::string& reason,
                                                         const archive::Consents::Seal* seal,
                                                         int64_t segment_id);

// Hides a span of a segment (archive::Consents::Redact; audited as `redact`).
Result<meta::Redaction> Redact(const Scope& scope, const std::string& record_id, int64_t segment_id,
                               std::optional<std::pair<int64_t, int64_t>> chars,
                               std::optional<std::pair<int64_t, int64_t>> ms,
                               const std::string& reason);

// Confirms a version held by redactions (archive::Consents::ConfirmRedactions; audited as
// `redact.confirm`).
Result<std::vector<int64_t>> ConfirmRedactions(const Scope& scope, const std::string& record_id,
                                               int version, const std::string& reason);

// Withdraws a record (archive::Consents::Withdraw; audited as `withdraw`).
Result<meta::Withdrawal> Withdraw(const Scope& scope, const std::string& id,
                                  const std::string& reason);

// Corrects one line of a transcript, segment `segment_id` (ingest::CorrectSegment): the
// transcript with its new text becomes a new version. A segment that does
// not exist, or whose record is sealed or withdrawn, is kNotFound (kNoSuchSegment) alike: a
// segment named by itself says nothing of the record it belongs to unless it may be changed.
// kConflict if it is not a line of a transcript.
Result<meta::Version> CorrectLine(const Scope& scope, int64_t segment_id, const std::string& text);

// Saves a transcript edited whole in the workspace's editor (ingest::EditTranscript): `cues`
// made from transcript version `edited` of record `id`. A record the scope may not read is
// kNotFound (kNoSuchRecord); kConflict if another save came in between.
Result<meta::Version> SaveTranscript(const Scope& scope, const std::string& id, int edited,
                                     std::vector<ingest::Cue> cues);

// Page `page` of OCR version `edited` of record `id`, corrected in the workspace's OCR editor
// (ingest::CorrectOcr): `words` are the page's words as the person left them. A record the scope
// may not read whole (hidden words included) is kNotFound (kNoSuchRecord); kConflict if another
// save came in between.
Result<meta::Version> SaveOcr(const Scope& scope, const std::string& id, int edited, int page,
                              const std::vector<std::string>& words);

// Adds a transcript corrected elsewhere, `file` (WebVTT or SRT), to record `id`
// (ingest::ImportTranscript).
Result<meta::Version> ImportTranscript(const Scope& scope, const std::string& id,
                                       const std::string& file, const std::string& by,
                                       std::optional<int> from);

// Adds a person's translation of record `id`'s transcript, `file` (WebVTT or SRT) in `lang`, by
// `translator` (ingest::ImportTranslation): a subtitle track on the transcript's times.
Result<meta::Version> ImportTranslation(const Scope& scope, const std::string& id,
                                        const std::string& file, const std::string& lang,
                                        const std::string& translator,
                                        std::optional<int> transcript);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_WRITES_H_
