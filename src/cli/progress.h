// Jobs as the command line shows them: as JSON, with the file their record came from, and the
// progress of a worker running them.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>

#include "archive/archive.h"
#include "core/env.h"
#include "core/json.h"
#include "ingest/worker.h"
#include "meta/store.h"

namespace attest::cli {

// A job as JSON, with the file (and manifest line) its record came from: the CLI is for staff.
Json JobToJson(const meta::Job& j, const archive::FileSource& source = {});

// The sources of jobs' records, looked up once a version; a record that is gone or withdrawn
// has none. Not thread-safe.
class JobSources {
 public:
  explicit JobSources(archive::Archive* a) : a_(a) {}
  const archive::FileSource& Of(const meta::Job& j);

 private:
  archive::Archive* a_;
  std::map<std::pair<std::string, int>, archive::FileSource> cache_;
};

// Progress of a worker: one updated line on a terminal (standard error), JSON lines on standard
// output with json.
std::function<void(const ingest::Progress&)> ProgressPrinter(bool json);

// `--wait`: runs the jobs queued until none is left, with progress on a terminal, counted over
// the jobs of `batch`.
Status RunBatch(Env* env, const std::string& dir, const std::string& batch, int threads);

}  // namespace attest::cli
