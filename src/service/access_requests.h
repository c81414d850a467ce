// Researchers' access requests (doc/api.md, "Access requests"): a researcher (or a volunteer)
// asks to read a collection's or a record's restricted material for a purpose; an archivist
// grants it for a number of days with terms, or refuses it with a reason. A grant widens what the
// requester's views and searches open (access::Decide, SearchOpening) until it ends by itself.
// Every step is audited, without the purpose, terms or reason.
#ifndef ATTEST_SERVICE_ACCESS_REQUESTS_H_
#define ATTEST_SERVICE_ACCESS_REQUESTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "meta/store.h"
#include "service/scope.h"

namespace attest::service {

inline constexpr size_t kMaxAccessWords = 4096;  // a purpose, terms or a reason, in bytes
inline constexpr int kMaxGrantDays = 366;
inline constexpr size_t kMaxOpenAccessRequests = 20;  // per requester
inline constexpr size_t kMaxAccessRequestsADay = 50;  // per requester, withdrawn ones too
inline constexpr size_t kAccessRequestsShown = 100;   // a page of a list

struct AccessAsk {
  std::string scope;  // "collection" or "record"
  std::string id;
  std::string purpose;
};

// Whether the scope's caller may ask for access at all: a volunteer's or a researcher's token
// or account (staff read restricted material already; witnesses and the public do not ask).
bool MayAskForAccess(const Scope& scope);
// Whether the scope's caller decides requests (archivists and admins).
bool MayDecideAccess(const Scope& scope);

// Asks for access. kUnauthenticated for an anonymous caller, kPermissionDenied for one who may
// not ask, kInvalidArgument naming what is wrong (scope, id, purpose), kExhausted with
// kMaxOpenAccessRequests waiting already or kMaxAccessRequestsADay asked in the last 24 hours. The id is not checked against the archive: whether a
// restricted record exists is not told to someone who may not read it.
Result<meta::AccessRequest> AskForAccess(const Scope& scope, AccessAsk ask);
// The caller's own requests, newest first (kAccessRequestsShown at most).
Result<std::vector<meta::AccessRequest>> MyAccessRequests(const Scope& scope);
// Withdraws the caller's own open request (kNotFound for any other).
Result<meta::AccessRequest> CancelAccessRequest(const Scope& scope, int64_t id);

// The requests for an archivist: in `state` (empty: any), newest first, ids below `before`
// (0: from the newest). kPermissionDenied to anyone else.
Result<std::vector<meta::AccessRequest>> AccessQueue(const Scope& scope, const std::string& state,
                                                     int64_t before);
// Grants open request `id` for `days` (1 to kMaxGrantDays) from now, with `terms`; refuses it
// with `reason` (required). kNotFound for no such request, kConflict if it was decided already
// (by another archivist meanwhile, or withdrawn by its requester).
Result<meta::AccessRequest> GrantAccess(const Scope& scope, int64_t id, int days,
                                        const std::string& terms);
Result<meta::AccessRequest> RefuseAccess(const Scope& scope, int64_t id,
                                         const std::string& reason);
// Ends grant `id` now, before its day (state ended). kNotFound for no such request, kConflict
// for one that is not a grant in force.
Result<meta::AccessRequest> EndGrant(const Scope& scope, int64_t id);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_ACCESS_REQUESTS_H_
