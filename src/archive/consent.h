// Consent: what witnesses decided about their records, and what follows from it. Withdrawal
// (erasure), changes of level (a record's or one passage's, seals that open on a day),
// redactions, consent forms, witnesses' requests; each logged where the format says so and
// followed by both indexes before the call returns. Records narrowed to restricted or sealed
// are encrypted at rest. A part of an Archive (archive.h). Not thread-safe, like the Archive
// it belongs to.
#ifndef ATTEST_ARCHIVE_CONSENT_H_
#define ATTEST_ARCHIVE_CONSENT_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "access/access.h"
#include "archive/redaction.h"
#include "core/status.h"
#include "meta/store.h"

namespace attest::archive {

struct Internal;

class Consents {
 public:
  explicit Consents(Internal* in) : in_(in) {}

  // Record `id`, if it takes the write `action` now, whoever asks (access::RecordTakes,
  // doc/privacy.md). Every change of a record asks it before it reads anything else of the
  // record, so a refusal tells nothing of what the record holds:
  //  - a withdrawn record is kNotFound in the words of a record that does not exist
  //    (meta::NoRecord), but to a withdrawal, which finishes its erasure;
  //  - a record sealed until a later day (or with no day) is kConflict, SealedRefusal, but to a
  //    withdrawal or a seal (kReseal) to a later day than its own, `seal_until`.
  Result<meta::Record> Writable(const std::string& id, access::Action action,
                                const std::string& seal_until = "");
  // The refusal of a change a sealed record does not take: it names the record and the day it
  // opens (which the public log states too), nothing else.
  static Status SealedRefusal(const meta::Record& r);

  // Withdraws a record: its blobs and private data are erased, its commitment stays, and a
  // withdraw leaf is logged. Running it again on a withdrawn record finishes any erasure an
  // interruption left undone.
  // `by` names who asked, for the audit log ("cli:USER", "token:ID").
  Result<meta::Withdrawal> Withdraw(const std::string& id, const std::string& reason,
                                    const std::string& by = "cli:unknown");
  // Changes a record's consent level to public, research, restricted or sealed (leaf.md,
  // `consent`): a consent leaf is logged and the search index follows. `reason` stays
  // private; `by` names who asked ("cli:USER", "token:ID"). nullopt if it was at that level.
  // Sealing needs `seal`: the day it opens (YYYY-MM-DD, UTC, after today) and the level it
  // opens to.
  struct Seal {
    std::string until;
    meta::Consent then = meta::Consent::kRestricted;
  };
  // With `segment_id`, that one segment's own level changes (public, research or restricted;
  // doc/format/leaf.md): it is shown at the stricter of its level and the record's.
  Result<std::optional<meta::ConsentChange>> ChangeConsent(const std::string& id, meta::Consent to,
                                                           const std::string& reason,
                                                           const std::string& by,
                                                           const Seal* seal = nullptr,
                                                           int64_t segment_id = 0);
  // Opens every seal whose day has come (by the Env's clock): the record takes the level it
  // was sealed to open to, a consent leaf is logged by "seal", and the index follows. Open
  // calls it, and so does the server before each request; cheap when nothing is due.
  Status OpenDueSeals();
  // A record's consent changes, oldest first.
  Result<std::vector<meta::ConsentChange>> ConsentHistory(const std::string& id);
  // Encrypts record `id` at rest: its words in the database (doc/format/metadata.md, "Sealed
  // text") and its files that no other live record holds (doc/format/blob_store.md,
  // "Encrypted blobs"); what is encrypted already is left as it is.
  Status EncryptAtRest(const std::string& id);

  // Hides a span of a segment's text (doc/api.md, "Redaction"): code points `chars` of its
  // text (nullopt: all of it), spoken at `ms` (nullopt: the segment's own times). The search
  // index drops the words (and is compacted); audited as `redact` by `by`.
  Result<meta::Redaction> Redact(const std::string& record_id, int64_t segment_id,
                                 std::optional<std::pair<int64_t, int64_t>> chars,
                                 std::optional<std::pair<int64_t, int64_t>> ms,
                                 const std::string& reason, const std::string& by);
  // An archivist confirms version `version` of a record held by redactions that could not be
  // placed in it (doc/api.md "Redaction"): one confirmation row for each such redaction; the
  // version is then shown with the marks that could be placed. kInvalidArgument if the version
  // is not held. Audited as `redact.confirm` by `by`. Returns the confirmed redactions' ids.
  Result<std::vector<int64_t>> ConfirmRedactions(const std::string& record_id, int version,
                                                 const std::string& reason, const std::string& by);
  // A record's redactions, confirmations included (all records' for ""), oldest first.
  Result<std::vector<meta::Redaction>> ListRedactions(const std::string& record_id);
  // The record's redaction plan (its segments and redactions read from the store).
  Result<RedactionPlan> PlanOf(const std::string& record_id);
  // The records a passage of which was given a level of its own (consent changes of one
  // segment): their plans carry those levels into other versions.
  Result<std::set<std::string>> RecordsWithPassageLevels();

  // Attaches a consent form (a scan, a PDF, a signed text) to witness `witness_id`: stored
  // encrypted, never logged or indexed, audited as `form.add` by `by` (doc/format/metadata.md,
  // migration 10).
  Result<meta::WitnessForm> AttachConsentForm(const std::string& witness_id,
                                              const std::string& path, const std::string& by);
  // A witness's consent forms, oldest first.
  Result<std::vector<meta::WitnessForm>> ListWitnessForms(const std::string& witness_id);
  // What witnesses asked for through their links (doc/api.md, "Witnesses"), and a new request.
  Result<std::vector<meta::WitnessRequest>> ListWitnessRequests();
  Result<int64_t> AddWitnessRequest(const meta::WitnessRequest& request);

 private:
  Internal* in_;
  std::string no_seals_due_on_;  // a day (YYYY-MM-DD) OpenDueSeals found nothing due on
};

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_CONSENT_H_
