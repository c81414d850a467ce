// What a scope may do with the archive's own books: whether it may write (archivists, admins),
// and reading the audit log (admins; the reading is itself audited).
#ifndef ATTEST_SERVICE_ACCOUNTS_H_
#define ATTEST_SERVICE_ACCOUNTS_H_

#include <string>
#include <vector>

#include "core/status.h"
#include "meta/store.h"
#include "service/scope.h"

namespace attest::service {

// Whether the scope may add and change material (an archivist's or an admin's).
bool MayWrite(const Scope& scope);

// The audit log's entries since `since` (RFC 3339, "" for all) by `actor` ("" for all), for
// admins: kPermissionDenied ("the audit log is for admins") for anyone else. Audited as a
// `view` of what: audit.
inline constexpr const char* kAuditForAdmins = "the audit log is for admins";
Result<std::vector<meta::AuditEntry>> ReadAuditLog(const Scope& scope, const std::string& since,
                                                   const std::string& actor);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_ACCOUNTS_H_
