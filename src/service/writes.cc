#include "service/writes.h"

#include "ingest/ocr_edit.h"
#include "ingest/transcripts.h"
#include "service/accounts.h"
#include "service/record_view.h"

namespace attest::service {
namespace {

Status NeedsWriter() { return Status::PermissionDenied(kNeedsWriter); }

// Who a human version is by (its params' "by").
std::string By(const Scope& scope) {
  return !scope.subject.user.empty()       ? "user " + scope.subject.user
         : !scope.subject.token_id.empty() ? "token " + scope.subject.token_id
                                           : scope.actor;
}

}  // namespace

Result<meta::Version> EditMetadata(const Scope& scope, const std::string& id, const Json& meta) {
  if (!MayWrite(scope)) return NeedsWriter();
  return scope.archive->records().EditMetadata(id, meta, scope.actor);
}

Result<std::optional<meta::ConsentChange>> ChangeConsent(const Scope& scope, const std::string& id,
                                                         meta::Consent to,
                                                         const std::string& reason,
                                                         const archive::Consents::Seal* seal,
                                                         int64_t segment_id) {
  if (!MayWrite(scope)) return NeedsWriter();
  return scope.archive->consent().ChangeConsent(id, to, reason, scope.actor, seal, segment_id);
}

Result<meta::Redaction> Redact(const Scope& scope, const std::string& record_id, int64_t segment_id,
                               std::optional<std::pair<int64_t, int64_t>> chars,
                               std::optional<std::pair<int64_t, int64_t>> ms,
                               const std::string& reason) {
  if (!MayWrite(scope)) return NeedsWriter();
  // The archive names a segment's length when a span does not fit it: a writer may read every
  // segment of a record that takes a redaction (one neither sealed nor withdrawn).
  return scope.archive->consent().Redact(record_id, segment_id, chars, ms, reason, scope.actor);
}

Result<std::vector<int64_t>> ConfirmRedactions(const Scope& scope, const std::string& record_id,
                                               int version, const std::string& reason) {
  if (!MayWrite(scope)) return NeedsWriter();
  return scope.archive->consent().ConfirmRedactions(record_id, version, reason, scope.actor);
}

Result<meta::Withdrawal> Withdraw(const Scope& scope, const std::string& id,
                                  const std::string& reason) {
  if (!MayWrite(scope)) return NeedsWriter();
  return scope.archive->consent().Withdraw(id, reason, scope.actor);
}

Result<meta::Version> CorrectLine(const Scope& scope, int64_t segment_id, const std::string& text) {
  if (!MayWrite(scope)) return NeedsWriter();
  archive::Archive* a = scope.archive;
  ASSIGN_OR_RETURN(auto found, a->records().Segment(segment_id));
  if (!found) return Status::NotFound(kNoSuchSegment);
  const meta::Segment& s = found->segment;
  auto record = a->consent().Writable(s.record_id, access::Action::kWrite);
  if (!record.ok()) {
    // Sealed (kConflict) or withdrawn (kNotFound): as if there were no such segment, so that
    // which segments a sealed record holds, and how many, stays unknown.
    if (record.status().IsNotFound() || record.status().code() == Code::kConflict) {
      return Status::NotFound(kNoSuchSegment);
    }
    return record.status();
  }
  if (!access::Decide(scope.subject, access::Action::kRead,
                      access::Resource::Of(*record, found->effective))) {
    return Status::NotFound(kNoSuchSegment);
  }
  if (s.start_ms < 0) {
    return Status::Conflict(
        "this segment is not a line of a transcript (only transcripts are corrected here)");
  }
  return ingest::CorrectSegment(a, s.record_id, s.version, s.start_ms, s.end_ms, text, By(scope));
}

namespace {

// A record a scope that may write corrects: one it may read whole, hidden words included (a
// save keeps them). kNotFound (kNoSuchRecord) otherwise.
Status MayCorrect(const Scope& scope, const std::string& id) {
  if (!MayWrite(scope)) return NeedsWriter();
  auto r = scope.archive->records().Get(id);
  if (!r.ok() || r->withdrawn_at ||
      !access::Decide(scope.subject, access::Action::kRead,
                      access::Resource::HiddenSpan(r->consent, r->witness_id))) {
    if (!r.ok() && !r.status().IsNotFound()) return r.status();
    return Status::NotFound(kNoSuchRecord);
  }
  return Status::Ok();
}

}  // namespace

Result<meta::Version> SaveTranscript(const Scope& scope, const std::string& id, int edited,
                                     std::vector<ingest::Cue> cues) {
  RETURN_IF_ERROR(MayCorrect(scope, id));
  return ingest::EditTranscript(scope.archive, id, edited, std::move(cues), By(scope));
}

Result<meta::Version> SaveOcr(const Scope& scope, const std::string& id, int edited, int page,
                              const std::vector<std::string>& words) {
  RETURN_IF_ERROR(MayCorrect(scope, id));
  return ingest::CorrectOcr(scope.archive, id, edited, page, words, By(scope));
}

Result<meta::Version> ImportTranscript(const Scope& scope, const std::string& id,
                                       const std::string& file, const std::string& by,
                                       std::optional<int> from) {
  if (!MayWrite(scope)) return NeedsWriter();
  archive::Archive* a = scope.archive;
  return ingest::ImportTranscript(a->env(), a, id, file, by, from);
}

Result<meta::Version> ImportTranslation(const Scope& scope, const std::string& id,
                                        const std::string& file, const std::string& lang,
                                        const std::string& translator,
                                        std::optional<int> transcript) {
  if (!MayWrite(scope)) return NeedsWriter();
  archive::Archive* a = scope.archive;
  return ingest::ImportTranslation(a->env(), a, id, file, lang, translator, transcript);
}

}  // namespace attest::service
