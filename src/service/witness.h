// What a witness reaches through their own link (doc/api.md, "Witnesses"): their records with
// each one's consent history and who has seen what of it, the requests they made, their consent
// forms; and the requests they send. Consent forms are also read by archivists and admins.
#ifndef ATTEST_SERVICE_WITNESS_H_
#define ATTEST_SERVICE_WITNESS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "meta/store.h"
#include "service/scope.h"

namespace attest::service {

// Who was shown what of a record that is not public: the kSeenByLimit newest views, and how
// many there are in all (doc/api.md "Witnesses", `seen_by`).
inline constexpr uint64_t kSeenByLimit = 50;
struct WitnessRecord {
  meta::Record record;
  std::vector<meta::ConsentChange> consent_changes;  // oldest first
  meta::RecordViews views;                           // newest first, at most kSeenByLimit
};
struct WitnessOwn {
  std::vector<WitnessRecord> records;
  std::vector<meta::WitnessRequest> requests;
  std::vector<meta::WitnessForm> forms;
};
// The scope's witness's own records, requests and forms. kUnauthenticated for a scope that is
// not a witness's link.
Result<WitnessOwn> WitnessOwnView(const Scope& scope);

// A request of the scope's witness about one of their records: `kind` "consent" (with `level`
// public, research, restricted or sealed: a seal's day is for the message) or "withdraw", and a message (at most 4,096 bytes of UTF-8,
// kept as lines). kNotFound for a record that is not theirs, kInvalidArgument naming what is
// wrong. Audited as `request`. Returns the request's id. Nothing changes until an archivist
// acts, except that a withdrawal asked for makes a public or research record restricted at once
// (a consent change by the witness's link, logged and audited as any), so that it is hidden
// from everyone but archivists and the witness until the withdrawal is carried out.
struct WitnessRequestIn {
  std::string record, kind, level, message;
};
Result<int64_t> AddWitnessRequest(const Scope& scope, WitnessRequestIn in);

// The consent forms of witness `witness_id`, for archivists, admins and the witness's own link;
// kNotFound ("no such consent form") for anyone else, so they are not there for them.
inline constexpr const char* kNoSuchForm = "no such consent form";
Result<std::vector<meta::WitnessForm>> ConsentForms(const Scope& scope,
                                                    const std::string& witness_id);
// One of them, to be sent: its reading is audited (`view`, what: consent-form).
Result<meta::WitnessForm> ConsentForm(const Scope& scope, const std::string& witness_id,
                                      int64_t form_id);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_WITNESS_H_
