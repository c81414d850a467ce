// The commands that compose sessions from witnesses' clips (doc/sessions.md): clip and session.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace attest::cli {

void AddClip(CLI::App& app, Common& c);
void AddSession(CLI::App& app, Common& c);

}  // namespace attest::cli
