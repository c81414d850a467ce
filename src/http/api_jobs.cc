// A record's jobs for archivists (doc/api.md): what its page follows while the worker runs
// them, and a failed or cancelled one queued again.
#include <string>

#include "http/api_common.h"
#include "http/numbers.h"
#include "http/routes.h"
#include "service/jobs.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

// A refusal of the service as the API gives it: 401 (with how to authenticate) or 403 when the
// caller may not add records, else the status's own.
void Refuse(const Call& c, Response& res, const Status& st) {
  if (st.code() == Code::kPermissionDenied) {
    RequireWriter(c, res);
    return;
  }
  ProblemFor(res, st);
}

void GetJobs(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  auto jobs = service::RecordJobs(c.scope(), req.matches[1]);
  if (!jobs.ok()) return Refuse(c, res, jobs.status());
  res.set_header("Cache-Control", "no-store");
  SendJson(res, {{"record", std::string(req.matches[1])}, {"jobs", JobsJson(*jobs)}});
}

void PostRetry(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  std::optional<uint64_t> job = ParseDigits(req.matches[2].str(), 18);
  Status st = job ? service::RetryRecordJob(c.scope(), req.matches[1], static_cast<int64_t>(*job))
                  : Status::NotFound("no such job");
  if (!st.ok()) return Refuse(c, res, st);
  auto jobs = service::RecordJobs(c.scope(), req.matches[1]);
  if (!jobs.ok()) return ProblemFor(res, jobs.status());
  SendJson(res, {{"record", std::string(req.matches[1])}, {"jobs", JobsJson(*jobs)}});
}

}  // namespace

Json JobsJson(const std::vector<meta::Job>& jobs) {
  Json out = Json::array();
  for (const meta::Job& j : jobs) {
    Json job = {{"id", j.id},
                {"kind", j.kind},
                {"version", j.version},
                {"state", meta::JobStateName(j.state)},
                {"attempts", j.attempts},
                {"error", j.error},
                {"updated", j.updated}};
    // How far a running job is, in thousandths, when its worker says.
    if (j.state == meta::JobState::kRunning && j.progress >= 0) job["progress"] = j.progress;
    out.push_back(std::move(job));
  }
  return out;
}

void RegisterJobRoutes(Site* site, httplib::Server* svr) {
  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64})/jobs)", Bind(site, GetJobs));
  svr->Post(R"(/api/v1/records/([a-z0-9]{1,64})/jobs/([0-9]{1,18})/retry)", Bind(site, PostRetry));
}

}  // namespace attest::http
