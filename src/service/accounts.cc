#include "service/accounts.h"

#include "service/auditor.h"

namespace attest::service {

bool MayWrite(const Scope& scope) {
  return access::Decide(scope.subject, access::Action::kWrite,
                        access::Resource::Material(meta::Consent::kPublic));
}

Result<std::vector<meta::AuditEntry>> ReadAuditLog(const Scope& scope, const std::string& since,
                                                   const std::string& actor) {
  if (!access::Decide(scope.subject, access::Action::kRead, access::Resource::AuditLog())) {
    return Status::PermissionDenied(kAuditForAdmins);
  }
  ASSIGN_OR_RETURN(auto entries, scope.archive->audit().List(since, actor));
  RETURN_IF_ERROR(Auditor(scope).Viewed("", "audit"));
  return entries;
}

}  // namespace attest::service
