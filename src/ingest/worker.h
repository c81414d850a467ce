// Runs an archive's jobs (doc/ingest.md): leases them from the metadata store, extracts
// text, OCRs pages, indexes, and records each result as one transaction. Several workers, in
// one process or many, may run on one archive at once. RunWorker is thread-safe; it opens
// one Archive per thread.
#ifndef ATTEST_INGEST_WORKER_H_
#define ATTEST_INGEST_WORKER_H_

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "archive/archive.h"
#include "core/env.h"
#include "meta/store.h"

namespace attest::ingest {

struct Progress {
  meta::JobCounts counts;  // over the batch watched, or every job
  uint64_t pages = 0;      // pages read (PDF, OCR) by this worker
  int64_t audio_ms = 0;    // audio transcribed by this worker
  double elapsed_s = 0;
  double items_per_s = 0;  // jobs finished by this worker per second
  double bytes_per_s = 0;
  double eta_s = -1;             // -1: unknown
  std::optional<meta::Job> job;  // the job just finished, if any
};

struct WorkerOptions {
  int threads = 1;
  // Return once no job is queued or running (the simple case: `add --wait`, the demo);
  // otherwise run until `stop` is set.
  bool until_idle = false;
  std::atomic<bool>* stop = nullptr;
  std::string batch;  // progress is counted over this batch; empty: every job
  int lease_seconds = 60;
  std::string tessdata;  // empty: DefaultTessdataDir()
  // Only jobs of these kinds (extract, ocr, transcribe, translate, access, index); empty: all.
  std::vector<std::string> kinds;
  int asr_threads = 0;   // threads of one transcription; 0: the cores divided among `threads`
  bool use_gpu = false;  // whisper.cpp's GPU backend, if the build has one
  std::function<void(const Progress&)> on_progress;
  // Tests: called before each job runs; an error fails the job as the job's own would.
  std::function<Status(const meta::Job&)> before_run;
};

Status RunWorker(Env* env, const std::string& archive_dir, const WorkerOptions& opts);

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_WORKER_H_
