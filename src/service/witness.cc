#include "service/witness.h"

#include "archive/archive.h"
#include "archive/manifest.h"
#include "core/text_safety.h"
#include "service/auditor.h"

namespace attest::service {

Result<WitnessOwn> WitnessOwnView(const Scope& scope) {
  const std::string& witness = scope.subject.witness_id;
  if (witness.empty()) return Status::Unauthenticated("this needs a witness's own link");
  archive::Archive* a = scope.archive;
  WitnessOwn out;
  ASSIGN_OR_RETURN(auto all, a->records().List());
  for (auto& r : all) {
    if (r.witness_id != witness) continue;
    WitnessRecord w;
    ASSIGN_OR_RETURN(w.consent_changes, a->consent().ConsentHistory(r.id));
    ASSIGN_OR_RETURN(w.views, a->audit().ViewsOf(r.id, kSeenByLimit));
    w.record = std::move(r);
    out.records.push_back(std::move(w));
  }
  ASSIGN_OR_RETURN(auto asked, a->consent().ListWitnessRequests());
  for (auto& q : asked) {
    if (q.witness_id == witness) out.requests.push_back(std::move(q));
  }
  ASSIGN_OR_RETURN(out.forms, a->consent().ListWitnessForms(witness));
  return out;
}

Result<int64_t> AddWitnessRequest(const Scope& scope, WitnessRequestIn in) {
  const std::string& witness = scope.subject.witness_id;
  if (witness.empty()) return Status::Unauthenticated("this needs a witness's own link");
  archive::Archive* a = scope.archive;
  auto r = a->records().Get(in.record);
  if (in.record.empty() || !r.ok() || r->witness_id != witness) {
    return Status::NotFound("no record of yours has the id '" + in.record.substr(0, 64) + "'");
  }
  if (in.kind != "consent" && in.kind != "withdraw") {
    return Status::InvalidArgument(
        "\"kind\" must be consent (with \"consent\": public, research, restricted or sealed) "
        "or withdraw");
  }
  if (in.kind == "consent" && in.level != "public" && in.level != "research" &&
      in.level != "restricted" && in.level != "sealed") {
    return Status::InvalidArgument("\"consent\" must be public, research, restricted or sealed");
  }
  if (in.kind == "withdraw") in.level.clear();
  if (in.message.size() > 4096 || !IsValidUtf8(in.message)) {
    return Status::InvalidArgument("\"message\" must be at most 4,096 bytes of UTF-8");
  }
  // Read on a terminal (attest requests): kept as lines, without controls.
  in.message = CleanText(in.message, TextLayout::kLines);
  std::string now = FormatRfc3339(a->env()->NowMicros());
  ASSIGN_OR_RETURN(int64_t id,
                   a->consent().AddWitnessRequest({0, witness, in.record, in.kind, in.level,
                                                  in.message, scope.subject.token_id, now}));
  RETURN_IF_ERROR(Auditor(scope).WitnessRequested(in.record, in.kind, in.level));
  // A withdrawal asked for hides the record from everyone but archivists (and the witness) at
  // once, until an archivist carries it out: the one change a witness's word makes by itself.
  if (in.kind == "withdraw" &&
      (r->consent == meta::Consent::kPublic || r->consent == meta::Consent::kResearch)) {
    RETURN_IF_ERROR(a->consent()
                        .ChangeConsent(in.record, meta::Consent::kRestricted,
                                       "the witness asked for a withdrawal (request " +
                                           std::to_string(id) + "): hidden until it is carried out",
                                       scope.actor, nullptr, 0)
                        .status());
  }
  return id;
}

Result<std::vector<meta::WitnessForm>> ConsentForms(const Scope& scope,
                                                    const std::string& witness_id) {
  if (!archive::IsValidId(witness_id) ||
      !access::Decide(scope.subject, access::Action::kRead,
                      access::Resource::ConsentForm(witness_id))) {
    return Status::NotFound(kNoSuchForm);
  }
  return scope.archive->consent().ListWitnessForms(witness_id);
}

Result<meta::WitnessForm> ConsentForm(const Scope& scope, const std::string& witness_id,
                                      int64_t form_id) {
  ASSIGN_OR_RETURN(auto forms, ConsentForms(scope, witness_id));
  for (auto& f : forms) {
    if (f.id != form_id) continue;
    RETURN_IF_ERROR(Auditor(scope).Viewed(f.witness_id, "consent-form", {{"form", f.id}}));
    return std::move(f);
  }
  return Status::NotFound(kNoSuchForm);
}

}  // namespace attest::service
