// The commands that change what may be read of a record: withdraw, redact and consent.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace attest::cli {

void AddWithdraw(CLI::App& app, Common& c);
void AddRedact(CLI::App& app, Common& c);
void AddConsent(CLI::App& app, Common& c);

}  // namespace attest::cli
