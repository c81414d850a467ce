// The commands that serve over HTTP: serve and demo. The only part of the command line that
// includes http/.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace attest::cli {

void AddServe(CLI::App& app, Common& c);
void AddDemo(CLI::App& app, Common& c);

}  // namespace attest::cli
