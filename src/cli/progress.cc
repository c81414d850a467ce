#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace attest::cli {
namespace {

std::string Bytes(double b) {
  char buf[32];
  if (b >= 1 << 30)
    std::snprintf(buf, sizeof buf, "%.1f GiB", b / (1 << 30));
  else if (b >= 1 << 20)
    std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1 << 20));
  else if (b >= 1 << 10)
    std::snprintf(buf, sizeof buf, "%.1f KiB", b / (1 << 10));
  else
    std::snprintf(buf, sizeof buf, "%.0f B", b);
  return buf;
}

}  // namespace

Json JobToJson(const meta::Job& j, const archive::FileSource& source) {
  Json out = {{"id", j.id},
              {"kind", j.kind},
              {"record", j.record_id},
              {"version", j.version},
              {"state", meta::JobStateName(j.state)},
              {"attempts", j.attempts},
              {"bytes", j.bytes},
              {"created", j.created},
              {"updated", j.updated}};
  if (!j.error.empty()) out["error"] = j.error;
  if (!j.outcome.empty()) {
    auto o = ParseJson(j.outcome, "outcome");
    out["outcome"] = o.ok() ? *o : Json(j.outcome);
  }
  if (!j.batch.empty()) out["batch"] = j.batch;
  if (!j.not_before.empty()) out["not_before"] = j.not_before;
  if (!j.lease_owner.empty()) out["lease_owner"] = j.lease_owner;
  out.update(source.ToJson());
  return out;
}

const archive::FileSource& JobSources::Of(const meta::Job& j) {
  auto key = std::make_pair(j.record_id, j.version);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  archive::FileSource s;
  if (auto v = a_->records().JobVersion(j); v.ok()) s = archive::SourceOf(v->second);
  return cache_.emplace(key, std::move(s)).first->second;
}

std::function<void(const ingest::Progress&)> ProgressPrinter(bool json) {
  bool tty = isatty(STDERR_FILENO) != 0;
  return [json, tty](const ingest::Progress& p) {
    const meta::JobCounts& c = p.counts;
    if (json) {
      Json j = {{"event", "progress"},
                {"done", c.done},
                {"failed", c.failed},
                {"cancelled", c.cancelled},
                {"waiting", c.waiting},
                {"queued", c.queued},
                {"running", c.running},
                {"total", c.total},
                {"bytes_done", c.bytes_finished},
                {"bytes_total", c.bytes_total},
                {"pages", p.pages},
                {"elapsed_s", p.elapsed_s},
                {"items_per_s", p.items_per_s},
                {"bytes_per_s", p.bytes_per_s},
                {"eta_s", p.eta_s}};
      if (p.job) j["job"] = JobToJson(*p.job);
      std::cout << j.dump() << "\n" << std::flush;
      return;
    }
    if (!tty) return;
    char line[256];
    std::snprintf(line, sizeof line,
                  "\r%llu/%llu jobs done, %llu failed, %llu waiting | %s of %s | %.1f jobs/s, "
                  "%s/s | %llu pages | ",
                  static_cast<unsigned long long>(c.done), static_cast<unsigned long long>(c.total),
                  static_cast<unsigned long long>(c.failed),
                  static_cast<unsigned long long>(c.waiting), Bytes(c.bytes_finished).c_str(),
                  Bytes(c.bytes_total).c_str(), p.items_per_s, Bytes(p.bytes_per_s).c_str(),
                  static_cast<unsigned long long>(p.pages));
    std::string eta = p.eta_s < 0
                          ? "time left unknown"
                          : std::to_string(static_cast<long long>(p.eta_s + 0.5)) + " s left";
    std::cerr << line << eta << "   " << std::flush;
  };
}

Status RunBatch(Env* env, const std::string& dir, const std::string& batch, int threads) {
  ingest::WorkerOptions w;
  w.threads = threads;
  w.until_idle = true;
  w.batch = batch;
  w.on_progress = ProgressPrinter(false);
  Status st = ingest::RunWorker(env, dir, w);
  if (isatty(STDERR_FILENO)) std::cerr << "\n";
  return st;
}

}  // namespace attest::cli
