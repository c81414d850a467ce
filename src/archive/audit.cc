#include "archive/audit.h"

#include "archive/internal.h"

namespace attest::archive {

Result<meta::AuditEntry> AuditLog::Append(const std::string& actor, const std::string& action,
                                          const std::string& target, const Json& detail,
                                          const std::string& at) {
  std::string canon;
  if (!detail.is_null()) {
    ASSIGN_OR_RETURN(canon, CanonicalJson(detail));
  }
  return in_->store->Audit(
      {0, at.empty() ? in_->Now() : at, actor, action, target, std::move(canon), "", ""});
}

Status AuditLog::View(const std::string& actor, const std::string& target, const Json& detail) {
  ASSIGN_OR_RETURN(std::string canon, CanonicalJson(detail));
  return in_->store->Audit({0, in_->Now(), actor, "view", target, canon, "", ""}).status();
}

Result<std::vector<meta::AuditEntry>> AuditLog::List(const std::string& since,
                                                     const std::string& actor) {
  return in_->store->ListAudit(since, actor);
}

Result<meta::RecordViews> AuditLog::ViewsOf(const std::string& record_id, uint64_t limit) {
  return in_->store->ViewsOf(record_id, limit);
}

}  // namespace attest::archive
