#include "service/access_requests.h"

#include "archive/archive.h"
#include "archive/manifest.h"
#include "core/json.h"
#include "core/text_safety.h"
#include "service/accounts.h"
#include "service/auditor.h"
#include "service/writes.h"

namespace attest::service {
namespace {

// `words` as kept: at most kMaxAccessWords bytes of UTF-8, as lines without controls.
Result<std::string> Words(const std::string& words, const char* name, bool required) {
  if (words.size() > kMaxAccessWords || !IsValidUtf8(words)) {
    return Status::InvalidArgument(std::string("the ") + name + " must be at most " +
                                   std::to_string(kMaxAccessWords) + " bytes of UTF-8");
  }
  std::string clean = CleanText(words, TextLayout::kLines);
  if (required && clean.find_first_not_of(" \t\n") == std::string::npos) {
    return Status::InvalidArgument(std::string("the ") + name + " is empty: say it in a few words");
  }
  return clean;
}

// Request `id` for an archivist's decision: kNotFound if there is none.
Result<meta::AccessRequest> Decidable(const Scope& scope, int64_t id) {
  if (!MayDecideAccess(scope)) return Status::PermissionDenied(kNeedsWriter);
  ASSIGN_OR_RETURN(auto found, scope.archive->accounts().GetAccessRequest(id));
  if (!found) return Status::NotFound("no access request has the id " + std::to_string(id));
  return std::move(*found);
}

// Sets request `r`'s decision `d` if it is still open, and audits it as `action`.
Result<meta::AccessRequest> Decide(const Scope& scope, meta::AccessRequest r,
                                   const meta::AccessRequest& d, std::string_view action) {
  ASSIGN_OR_RETURN(bool decided, scope.archive->accounts().DecideAccessRequest(r.id, d));
  if (!decided) {
    ASSIGN_OR_RETURN(auto now, scope.archive->accounts().GetAccessRequest(r.id));
    return Status::Conflict("access request " + std::to_string(r.id) + " is " +
                            (now ? now->state : std::string("gone")) + " already");
  }
  r.state = d.state;
  r.decided = d.decided;
  r.decided_by = d.decided_by;
  r.terms = d.terms;
  r.reason = d.reason;
  r.until = d.until;
  RETURN_IF_ERROR(Auditor(scope).AccessRequestChanged(action, r));
  return r;
}

meta::AccessRequest Decision(const Scope& scope, const char* state) {
  meta::AccessRequest d;
  d.state = state;
  d.decided = FormatRfc3339(scope.archive->env()->NowMicros());
  d.decided_by = scope.actor;
  return d;
}

}  // namespace

bool MayAskForAccess(const Scope& scope) {
  const access::Role role = scope.subject.role;
  return !scope.subject.Actor().empty() && scope.subject.witness_id.empty() &&
         (role == access::Role::kVolunteer || role == access::Role::kResearcher);
}

bool MayDecideAccess(const Scope& scope) { return MayWrite(scope); }

Result<meta::AccessRequest> AskForAccess(const Scope& scope, AccessAsk ask) {
  if (scope.subject.role == access::Role::kAnonymous) {
    return Status::Unauthenticated("asking for access needs a researcher's account or token");
  }
  if (!MayAskForAccess(scope)) {
    return Status::PermissionDenied(
        "archivists and admins read restricted material already; access is asked for by "
        "researchers and volunteers");
  }
  if (ask.scope != "collection" && ask.scope != "record") {
    return Status::InvalidArgument("the scope must be collection or record, not '" +
                                   ask.scope.substr(0, 40) + "'");
  }
  if (!archive::IsValidId(ask.id)) {
    return Status::InvalidArgument("'" + CleanText(ask.id.substr(0, 64), TextLayout::kOneLine) +
                                   "' is not a " + ask.scope + " id (1 to 64 of A-Z a-z 0-9 . _ -)");
  }
  ASSIGN_OR_RETURN(std::string purpose, Words(ask.purpose, "purpose", true));
  const std::string me = scope.subject.Actor();
  ASSIGN_OR_RETURN(auto open, scope.archive->accounts().ListAccessRequests(
                                  me, "open", 0, kMaxOpenAccessRequests));
  if (open.size() >= kMaxOpenAccessRequests) {
    return Status::Exhausted("you have " + std::to_string(kMaxOpenAccessRequests) +
                             " requests waiting already; withdraw one or wait for an answer");
  }
  const int64_t now_us = scope.archive->env()->NowMicros();
  const std::string day_ago = FormatRfc3339(now_us - int64_t{86400} * 1000000);
  ASSIGN_OR_RETURN(auto recent, scope.archive->accounts().ListAccessRequests(
                                    me, "", 0, kMaxAccessRequestsADay));
  if (recent.size() >= kMaxAccessRequestsADay && recent.back().asked > day_ago) {
    return Status::Exhausted("you have asked " + std::to_string(kMaxAccessRequestsADay) +
                             " times in a day; try again tomorrow");
  }
  meta::AccessRequest r;
  r.requester = me;
  r.scope = ask.scope;
  r.scope_id = ask.id;
  r.purpose = std::move(purpose);
  r.asked = FormatRfc3339(now_us);
  ASSIGN_OR_RETURN(r.id, scope.archive->accounts().AddAccessRequest(r));
  RETURN_IF_ERROR(Auditor(scope).AccessRequestChanged("access.ask", r));
  return r;
}

Result<std::vector<meta::AccessRequest>> MyAccessRequests(const Scope& scope) {
  if (!MayAskForAccess(scope)) return std::vector<meta::AccessRequest>();
  return scope.archive->accounts().ListAccessRequests(scope.subject.Actor(), "", 0,
                                                      kAccessRequestsShown);
}

Result<meta::AccessRequest> CancelAccessRequest(const Scope& scope, int64_t id) {
  const Status none = Status::NotFound("you have no open access request with the id " +
                                       std::to_string(id));
  if (!MayAskForAccess(scope)) return none;
  ASSIGN_OR_RETURN(auto found, scope.archive->accounts().GetAccessRequest(id));
  if (!found || found->requester != scope.subject.Actor() || found->state != "open") return none;
  return Decide(scope, std::move(*found), Decision(scope, "cancelled"), "access.cancel");
}

Result<std::vector<meta::AccessRequest>> AccessQueue(const Scope& scope, const std::string& state,
                                                     int64_t before) {
  if (!MayDecideAccess(scope)) return Status::PermissionDenied(kNeedsWriter);
  if (!state.empty() && state != "open" && state != "granted" && state != "refused" &&
      state != "cancelled" && state != "ended") {
    return Status::InvalidArgument("the state must be open, granted, refused, cancelled or ended");
  }
  return scope.archive->accounts().ListAccessRequests("", state, before, kAccessRequestsShown);
}

Result<meta::AccessRequest> GrantAccess(const Scope& scope, int64_t id, int days,
                                        const std::string& terms) {
  ASSIGN_OR_RETURN(meta::AccessRequest r, Decidable(scope, id));
  if (days < 1 || days > kMaxGrantDays) {
    return Status::InvalidArgument("a grant lasts 1 to " + std::to_string(kMaxGrantDays) +
                                   " days");
  }
  meta::AccessRequest d = Decision(scope, "granted");
  ASSIGN_OR_RETURN(d.terms, Words(terms, "terms", false));
  d.until = FormatRfc3339(scope.archive->env()->NowMicros() + int64_t{days} * 86400 * 1000000);
  return Decide(scope, std::move(r), d, "access.grant");
}

Result<meta::AccessRequest> RefuseAccess(const Scope& scope, int64_t id,
                                         const std::string& reason) {
  ASSIGN_OR_RETURN(meta::AccessRequest r, Decidable(scope, id));
  meta::AccessRequest d = Decision(scope, "refused");
  ASSIGN_OR_RETURN(d.reason, Words(reason, "reason", true));
  return Decide(scope, std::move(r), d, "access.refuse");
}

Result<meta::AccessRequest> EndGrant(const Scope& scope, int64_t id) {
  ASSIGN_OR_RETURN(meta::AccessRequest r, Decidable(scope, id));
  const std::string now = FormatRfc3339(scope.archive->env()->NowMicros());
  ASSIGN_OR_RETURN(bool ended, scope.archive->accounts().EndGrant(id, now));
  if (!ended) {
    return Status::Conflict("access request " + std::to_string(id) +
                            " is not a grant in force (it is " + r.state + ")");
  }
  r.state = "ended";
  r.until = now;
  RETURN_IF_ERROR(Auditor(scope).AccessRequestChanged("access.end", r));
  return r;
}

}  // namespace attest::service
