#include "service/jobs.h"

#include "access/access.h"
#include "core/json.h"
#include "service/accounts.h"
#include "service/auditor.h"
#include "service/record_view.h"

namespace attest::service {
namespace {

// Whether the scope may read the record (kNotFound, as for no record, first: a record the
// caller may not read, withdrawn, or with words none of which the caller may read, is
// indistinguishable from none: ReadRecordText decides) and manage its jobs: archivists and
// admins; with `reading`, also the volunteer who added it (its intake's progress).
Status MayManage(const Scope& scope, const std::string& id, bool reading) {
  auto text = ReadRecordText(scope, id);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return Status::NotFound(kNoSuchRecord);
    return text.status();
  }
  const bool adder = reading && MayAdd(scope) && !text->record.added_by.empty() &&
                     text->record.added_by == scope.subject.Actor();
  if (!MayWrite(scope) && !adder) {
    return Status::PermissionDenied(
        "a record's jobs are for archivists, admins and the volunteer who added it");
  }
  return Status::Ok();
}

Result<std::vector<meta::Job>> Jobs(const Scope& scope, const std::string& id, bool reading) {
  RETURN_IF_ERROR(MayManage(scope, id, reading));
  meta::JobFilter f;
  f.record_id = id;
  return scope.archive->records().ListJobs(f);
}

}  // namespace

Result<std::vector<meta::Job>> RecordJobs(const Scope& scope, const std::string& id) {
  return Jobs(scope, id, true);
}

Status RetryRecordJob(const Scope& scope, const std::string& id, int64_t job) {
  ASSIGN_OR_RETURN(std::vector<meta::Job> jobs, Jobs(scope, id, false));
  for (const meta::Job& j : jobs) {
    if (j.id != job) continue;
    RETURN_IF_ERROR(scope.archive->records().RetryJob(
        job, FormatRfc3339(scope.archive->env()->NowMicros())));
    return Auditor(scope).JobRetried(id, job, j.kind);
  }
  return Status::NotFound("record '" + id + "' has no job " + std::to_string(job));
}

}  // namespace attest::service
