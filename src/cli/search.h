// The commands that find the witnesses' words: search, ask, names and reindex.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace attest::cli {

void AddSearch(CLI::App& app, Common& c);
void AddAsk(CLI::App& app, Common& c);
void AddNames(CLI::App& app, Common& c);
void AddReindex(CLI::App& app, Common& c);

}  // namespace attest::cli
