// The parts of the metadata store that no backend owns: consent levels and job states by
// name, the audit log's hash chain (doc/format/metadata.md, "The audit log"), wire forms of
// entries and forms, and what backend.h declares for every backend.
#include "meta/store.h"

#include "core/hash.h"
#include "core/json.h"
#include "meta/backend.h"

namespace attest::meta {

const char* ConsentName(Consent c) {
  switch (c) {
    case Consent::kPublic:
      return "public";
    case Consent::kResearch:
      return "research";
    case Consent::kRestricted:
      return "restricted";
    case Consent::kSealed:
      return "sealed";
    case Consent::kWithdrawn:
      return "withdrawn";
  }
  return "restricted";
}

Consent Strictest(Consent a, Consent b) {
  return static_cast<int>(a) > static_cast<int>(b) ? a : b;
}

Result<Consent> ParseConsent(std::string_view s) {
  for (Consent c : {Consent::kPublic, Consent::kResearch, Consent::kRestricted, Consent::kSealed,
                    Consent::kWithdrawn}) {
    if (s == ConsentName(c)) return c;
  }
  return Status::InvalidArgument("unknown consent level '" + std::string(s) +
                                 "'; use public, research, restricted or sealed");
}

const char* JobStateName(JobState s) {
  switch (s) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kDone:
      return "done";
    case JobState::kFailed:
      return "failed";
    case JobState::kWaiting:
      return "waiting";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "failed";
}

Result<JobState> ParseJobState(std::string_view s) {
  for (JobState j : {JobState::kQueued, JobState::kRunning, JobState::kDone, JobState::kFailed,
                     JobState::kWaiting, JobState::kCancelled}) {
    if (s == JobStateName(j)) return j;
  }
  return Status::InvalidArgument("unknown job state '" + std::string(s) +
                                 "'; use queued, running, done, failed, waiting or cancelled");
}

// The audit log.

std::string AuditHash(const AuditEntry& e) {
  Json j = {{"action", e.action}, {"actor", e.actor},    {"at", e.at},        {"detail", e.detail},
            {"id", e.id},         {"prev", e.prev_hash}, {"target", e.target}};
  auto canon = CanonicalJson(j);  // strings and an integer: always canonical
  return ToHex(Sha256(canon.ok() ? *canon : j.dump()));
}

std::optional<AuditBreak> FirstAuditBreak(const std::vector<AuditEntry>& entries) {
  std::string prev = kAuditGenesis;
  int64_t expect = 1;
  for (const AuditEntry& e : entries) {
    std::string why = e.id != expect           ? "its number does not follow"
                      : e.prev_hash != prev    ? "it does not name the entry before"
                      : AuditHash(e) != e.hash ? "its content does not match its hash"
                                               : "";
    if (!why.empty()) return AuditBreak{e.id, why};
    prev = e.hash;
    ++expect;
  }
  return std::nullopt;
}

Json AuditJson(const AuditEntry& e) {
  return {{"id", e.id},
          {"at", e.at},
          {"actor", e.actor},
          {"action", e.action},
          {"target", e.target},
          {"detail", e.detail.empty() ? Json() : Json::parse(e.detail, nullptr, false)},
          {"prev_hash", e.prev_hash},
          {"hash", e.hash}};
}

Json WitnessFormJson(const WitnessForm& f) {
  return {{"id", f.id},     {"sha256", f.sha256},       {"size", f.size},
          {"mime", f.mime}, {"file_name", f.file_name}, {"added", f.added}};
}

void ChainAudit(AuditEntry* e, const AuditEntry* newest) {
  e->id = newest ? newest->id + 1 : 1;
  e->prev_hash = newest ? newest->hash : kAuditGenesis;
  e->hash = AuditHash(*e);
}

Result<AuditEntry> ConsentAuditEntry(const ConsentChange& c) {
  Json detail = {{"from", ConsentName(c.from)}, {"to", ConsentName(c.to)}};
  if (c.to == Consent::kSealed) detail["until"] = c.until;
  if (c.segment_id > 0) detail["segment"] = c.segment_id;
  ASSIGN_OR_RETURN(std::string canon, CanonicalJson(detail));
  return AuditEntry{0,  c.at, c.by.empty() ? "unknown" : c.by, "consent", c.record_id, canon,
                    "", ""};
}

// Consent.

Consent EffectiveConsent(Consent record, const std::optional<Consent>& segment) {
  return segment ? Strictest(record, *segment) : record;
}

Status CheckSegmentLevel(Consent to) {
  if (to == Consent::kSealed || to == Consent::kWithdrawn) {
    return Status::InvalidArgument(
        "a segment's own level is public, research or restricted; a seal or a withdrawal "
        "applies to the whole record");
  }
  return Status::Ok();
}

bool ConsentUnchanged(const ConsentChange& c, const std::string& sealed_until_now) {
  return c.from == c.to && (c.to != Consent::kSealed || c.until == sealed_until_now);
}

// Sealed text.

Result<std::string> SealIfKept(TextSealer* sealer, const std::string& record_id, Consent level,
                               const std::string& plain) {
  if (!sealer || plain.empty() || (level != Consent::kRestricted && level != Consent::kSealed)) {
    return plain;
  }
  return sealer->Seal(record_id, plain);
}

Result<std::string> OpenIfSealed(TextSealer* sealer, const std::string& record_id,
                                 std::string stored) {
  if (stored.compare(0, kSealedPrefix.size(), kSealedPrefix) != 0) return stored;
  if (!sealer) {
    return Status::Corruption("record " + record_id +
                              "'s text is sealed, and no key store is "
                              "open");
  }
  return sealer->Open(record_id, stored);
}

// Jobs.

JobState StateAfterFailure(int attempts, bool retry) {
  return retry && attempts < kMaxJobAttempts ? JobState::kQueued : JobState::kFailed;
}

std::string RetryNotBefore(const std::string& now, int attempts) {
  auto t = ParseRfc3339(now);
  int64_t delay_s = 5;
  for (int i = 1; i < attempts; ++i) delay_s *= 4;
  return t.ok() ? FormatRfc3339(*t + delay_s * 1000000) : now;
}

Result<std::string> DoneOutcome(const std::string& outcome, const std::optional<Version>& derived) {
  std::string out = outcome.empty() ? "{}" : outcome;
  if (!derived) return out;
  ASSIGN_OR_RETURN(Json o, ParseJson(out, "job outcome"));
  if (!o.is_object()) return Status::InvalidArgument("a job outcome must be a JSON object");
  o["version"] = derived->version;
  return CanonicalJson(o);
}

void TallyJobs(JobCounts* c, std::string_view state, uint64_t n, uint64_t bytes) {
  c->total += n;
  c->bytes_total += bytes;
  if (state == "queued") c->queued = n;
  if (state == "running") c->running = n;
  if (state == "waiting") c->waiting = n;
  if (state == "done") c->done = n;
  if (state == "failed") c->failed = n;
  if (state == "cancelled") c->cancelled = n;
  if (state == "done" || state == "failed" || state == "cancelled") c->bytes_finished += bytes;
}

Status CheckRetryable(const Job& j) {
  if (j.state != JobState::kFailed && j.state != JobState::kCancelled) {
    return Status::Conflict("job " + std::to_string(j.id) + " is " + JobStateName(j.state) +
                            "; only failed or cancelled jobs are retried");
  }
  return Status::Ok();
}

Status CheckCancellable(const Job& j) {
  if (j.state == JobState::kDone) {
    return Status::Conflict("job " + std::to_string(j.id) + " is already done");
  }
  return Status::Ok();
}

Status CheckLeaseHolder(int64_t id, const std::string& owner, bool found, const std::string& state,
                        const std::string& holder) {
  if (!found) return Status::NotFound("no job " + std::to_string(id));
  if (state != "running" || holder != owner) {
    return Status::Conflict("job " + std::to_string(id) + " is no longer held by " + owner +
                            " (now " + state + "); its work was not recorded");
  }
  return Status::Ok();
}

// Errors.

Status NoRecord(const std::string& id) {
  return Status::NotFound("no record '" + id + "' in this archive");
}

Status NoJob(int64_t id) {
  return Status::NotFound("no job " + std::to_string(id) + " in this archive");
}

Status NoSegment(const std::string& record_id, int64_t segment_id) {
  return Status::NotFound("record '" + record_id + "' has no segment " +
                          std::to_string(segment_id));
}

Status WithdrawnGetsNoVersion(const std::string& id) {
  return Status::Conflict("record '" + id + "' was withdrawn; it cannot get a new version");
}

Status WithdrawnKeepsItsConsent(const std::string& id) {
  return Status::Conflict("record '" + id + "' is withdrawn: its consent can no longer change");
}

Status ImportedBefore(const std::string& import_id, const std::string& record_id) {
  return Status::Conflict("import id '" + import_id + "' was imported before, as " + record_id);
}

}  // namespace attest::meta
