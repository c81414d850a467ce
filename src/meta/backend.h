// What every backend of meta::Store shares, so that a second backend (PostgreSQL) reuses it
// instead of copying it: the audit log's chaining, the rules of consent changes, of jobs'
// retries and of sealed text, and the errors a backend reports, in the same words whichever
// backend keeps the rows (the CLI and the API show them). Implemented in store.cc; nothing
// here knows how rows are kept. For backends only: callers of a store use store.h.
#ifndef ATTEST_META_BACKEND_H_
#define ATTEST_META_BACKEND_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "meta/store.h"

namespace attest::meta {

// The audit log (doc/format/metadata.md, "The audit log").

// Makes `e` the entry after `newest`, the log's newest entry (only its id and hash are read;
// null: the log is empty): sets e's id, prev_hash and hash.
void ChainAudit(AuditEntry* e, const AuditEntry* newest);
// The entry a consent change `c` appends (its at, by, record, levels and, for a seal, until
// and for one segment, its id): id and hashes still to chain.
Result<AuditEntry> ConsentAuditEntry(const ConsentChange& c);

// Consent.

// The level a segment is shown at: the stricter of its record's and its own, if it has one.
Consent EffectiveConsent(Consent record, const std::optional<Consent>& segment);
// kInvalidArgument unless `to` is a level a segment may have of its own (not sealed, not
// withdrawn: those apply to the whole record).
Status CheckSegmentLevel(Consent to);
// Whether change `c` (its from filled in) changes nothing: the level is the same and, for a
// seal, so is the day it opens (`sealed_until_now`, the record's current one).
bool ConsentUnchanged(const ConsentChange& c, const std::string& sealed_until_now);

// Sealed text (doc/format/metadata.md, "Sealed text").

// `plain` sealed by `sealer` under record `record_id`'s key if the record's words are kept
// sealed at `level` (restricted or sealed), a sealer is set and there is something to seal.
Result<std::string> SealIfKept(TextSealer* sealer, const std::string& record_id, Consent level,
                               const std::string& plain);
// A stored value opened if it is sealed (kCorruption if it is and `sealer` is null).
Result<std::string> OpenIfSealed(TextSealer* sealer, const std::string& record_id,
                                 std::string stored);

// Jobs (doc/format/metadata.md, "Jobs").

// How many times a job runs before a transient error fails it.
inline constexpr int kMaxJobAttempts = 3;
// The state a running job that failed after `attempts` runs goes to: queued again if `retry`
// and attempts remain, else failed.
JobState StateAfterFailure(int attempts, bool retry);
// When a job queued again after its `attempts`-th run may run: now + 5 s × 4^(attempts-1)
// (`now` itself if it is not RFC 3339).
std::string RetryNotBefore(const std::string& now, int attempts);
// A done job's outcome: `outcome` ("{}" if empty), with "version" set to the derived version's
// number if there is one (kInvalidArgument unless it is then a JSON object).
Result<std::string> DoneOutcome(const std::string& outcome, const std::optional<Version>& derived);
// Adds `n` jobs in state `state` of `bytes` in all to `c`.
void TallyJobs(JobCounts* c, std::string_view state, uint64_t n, uint64_t bytes);
// kConflict unless job `j` may be retried (failed or cancelled).
Status CheckRetryable(const Job& j);
// kConflict if job `j` is done (it cannot be cancelled).
Status CheckCancellable(const Job& j);
// Whether `owner` holds job `id`, which is found (`found`) in `state`, leased by `holder`:
// kNotFound, kConflict (its work is not recorded) or Ok.
Status CheckLeaseHolder(int64_t id, const std::string& owner, bool found, const std::string& state,
                        const std::string& holder);

// Errors in the words every backend uses.

// kNotFound: no record `id`: NoRecord (store.h).
// kNotFound: no job `id`.
Status NoJob(int64_t id);
// kNotFound: record `record_id` has no segment `segment_id`.
Status NoSegment(const std::string& record_id, int64_t segment_id);
// kConflict: a withdrawn record `id` asked for a new version.
Status WithdrawnGetsNoVersion(const std::string& id);
// kConflict: a withdrawn record `id` asked to change its consent.
Status WithdrawnKeepsItsConsent(const std::string& id);
// kConflict: import id `import_id` was imported before, as record `record_id`.
Status ImportedBefore(const std::string& import_id, const std::string& record_id);

}  // namespace attest::meta

#endif  // ATTEST_META_BACKEND_H_
