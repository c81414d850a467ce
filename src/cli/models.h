// The `models` command: the model files attest's tools read (add, list, remove, translate).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace attest::cli {

void AddModels(CLI::App& app, Common& c);

}  // namespace attest::cli
