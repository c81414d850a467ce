// The commands that run and look after jobs: worker and jobs (list, retry, cancel).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace attest::cli {

void AddWorker(CLI::App& app, Common& c);
void AddJobs(CLI::App& app, Common& c);

}  // namespace attest::cli
