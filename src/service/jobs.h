// A record's jobs as its page shows them to archivists (doc/workspace.md, "Intake"): what is
// queued, running, done, failed (and why) or waiting for a model, and a failed or cancelled job
// queued again. For those who may add records, and only of a record they may read (a sealed
// or withdrawn one is kNotFound for them, as everywhere). Not thread-safe: uses the scope's
// Archive.
#ifndef ATTEST_SERVICE_JOBS_H_
#define ATTEST_SERVICE_JOBS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "meta/store.h"
#include "service/scope.h"

namespace attest::service {

// The jobs of record `id`, oldest first. kNotFound ("no such record") if the scope may not
// read the record (asked first: as for a record that does not exist); then kPermissionDenied
// for a scope other than archivists, admins and the volunteer who added the record.
Result<std::vector<meta::Job>> RecordJobs(const Scope& scope, const std::string& id);

// Queues job `job` of record `id` again (a failed or cancelled one), audited as "job.retry".
// The same refusals as RecordJobs, but for archivists and admins only; kNotFound for a job that is not the record's; the store's
// refusal for a job that is not failed or cancelled.
Status RetryRecordJob(const Scope& scope, const std::string& id, int64_t job);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_JOBS_H_
