#include "cli/jobs.h"

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/output.h"
#include "cli/progress.h"
#include "cli/signals.h"
#include "ingest/worker.h"

namespace attest::cli {
namespace {

struct WorkerArgs {
  int jobs = 1, lease = 60, asr_threads = 0;
  bool idle = false, json = false, gpu = false;
  std::vector<std::string> kinds;
};

int Worker(Common& c, const WorkerArgs& o) {
  ingest::WorkerOptions w;
  w.threads = o.jobs;
  w.until_idle = o.idle;
  if (o.lease < 3 || o.lease > 86400) {
    return Usage("--lease must be 3 to 86400 seconds");
  }
  w.lease_seconds = o.lease;
  w.asr_threads = o.asr_threads;
  w.use_gpu = o.gpu;
  w.kinds = o.kinds;
  w.on_progress = ProgressPrinter(o.json);
  std::atomic<bool> stop{false};
  w.stop = &stop;
  // SIGINT/SIGTERM: take no new job, finish the ones running, return.
  StopSignals signals;
  signals.OnStop([&stop] { stop = true; });
  Status st = ingest::RunWorker(c.env, c.archive_dir, w);
  signals.Join();
  if (isatty(STDERR_FILENO) && !o.json) std::cerr << "\n";
  if (!st.ok()) return UsageOrFail(st);
  return kExitOk;
}

struct JobsArgs {
  bool failed = false, json = false;
  std::string state;
  CLI::App *retry = nullptr, *cancel = nullptr;
  std::optional<int64_t> retry_id;
  bool retry_all = false;
  int64_t cancel_id = 0;
};

// `jobs retry` and `jobs cancel`.
int RetryOrCancel(archive::Records& records, const std::string& now, const JobsArgs& o) {
  if (!*o.retry) {
    if (Status st = records.CancelJob(o.cancel_id, now); !st.ok()) return Fail(st);
    std::cout << "job " << o.cancel_id << " cancelled\n";
    return kExitOk;
  }
  if (o.retry_all == o.retry_id.has_value()) return Usage("jobs retry takes an ID or --all-failed");
  if (o.retry_all) {
    auto n = records.RetryFailedJobs(now);
    if (!n.ok()) return Fail(n.status());
    std::cout << *n << " failed job(s) queued again\n";
  } else {
    if (Status st = records.RetryJob(*o.retry_id, now); !st.ok()) return Fail(st);
    std::cout << "job " << *o.retry_id << " queued again\n";
  }
  return kExitOk;
}

int ListJobs(archive::Archive* a, const JobsArgs& o) {
  meta::JobFilter f;
  if (o.failed) f.state = meta::JobState::kFailed;
  if (!o.state.empty()) {
    auto st = meta::ParseJobState(o.state);
    if (!st.ok()) return Usage(st.status().message());
    f.state = *st;
  }
  auto listed = a->records().ListJobs(f);
  if (!listed.ok()) return Fail(listed.status());
  JobSources sources(a);
  if (o.json) {
    Json arr = Json::array();
    for (const auto& j : *listed) arr.push_back(JobToJson(j, sources.Of(j)));
    PrintJson({{"jobs", arr}});
    return kExitOk;
  }
  for (const auto& j : *listed) {
    std::cout << j.id << "\t" << j.kind << "\t" << j.record_id << " v" << j.version << "\t"
              << meta::JobStateName(j.state);
    // The file the record came from, beside why the job failed or what it found.
    std::string file = sources.Of(j).Describe();
    std::string said = !j.error.empty() ? j.error : j.outcome;
    if (!file.empty() || !said.empty()) {
      std::cout << "\t" << Shown(file) << (file.empty() || said.empty() ? "" : ": ") << Shown(said);
    }
    std::cout << "\n";
  }
  if (listed->empty()) std::cout << (o.failed ? "no failed jobs\n" : "no jobs\n");
  return kExitOk;
}

int Jobs(Common& c, const JobsArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  if (*o.retry || *o.cancel) {
    return RetryOrCancel((*a)->records(), FormatRfc3339(c.env->NowMicros()), o);
  }
  return ListJobs(a->get(), o);
}

}  // namespace

void AddWorker(CLI::App& app, Common& c) {
  auto* worker =
      app.add_subcommand("worker", "Run jobs: extract text, OCR, transcribe, make access copies");
  auto o = std::make_shared<WorkerArgs>();
  worker
      ->add_option("--asr-threads", o->asr_threads,
                   "Threads of one transcription (default: the cores divided among --jobs)")
      ->check(CLI::Range(0, 256));
  worker->add_flag("--gpu", o->gpu, "Transcribe on the GPU (a build with -DATTEST_CUDA=ON)");
  worker
      ->add_option("--kinds", o->kinds,
                   "Only these kinds of job, e.g. transcribe,translate on a GPU machine")
      ->delimiter(',');
  worker->add_option("--jobs", o->jobs, "Jobs run at once (default 1; one a core)");
  worker->add_flag("--until-idle", o->idle, "Return when no job is queued or running");
  worker->add_option("--lease", o->lease, "Seconds a job is leased for, renewed while it runs");
  worker->add_flag("--json", o->json, "Progress as JSON lines on standard output");
  c.OnRun(worker, [&c, o] { return Worker(c, *o); });
}

void AddJobs(CLI::App& app, Common& c) {
  auto* jobs = app.add_subcommand("jobs", "List jobs; retry or cancel them");
  auto o = std::make_shared<JobsArgs>();
  jobs->add_flag("--failed", o->failed, "Only failed jobs, with why");
  jobs->add_option("--state", o->state, "Only jobs in this state");
  jobs->add_flag("--json", o->json, "Print JSON");
  auto* retry = o->retry = jobs->add_subcommand("retry", "Queue a failed or cancelled job again");
  retry->add_option("ID", o->retry_id, "Job id");
  retry->add_flag("--all-failed", o->retry_all, "Every failed job");
  auto* cancel = o->cancel = jobs->add_subcommand("cancel", "Cancel a job that is not done");
  cancel->add_option("ID", o->cancel_id, "Job id")->required();
  c.OnRun(jobs, [&c, o] { return Jobs(c, *o); });
}

}  // namespace attest::cli
