// The commands about the signed Merkle log and the archive's integrity: verify, log (key,
// checkpoint, prove, consistency) and verify-proof.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace attest::cli {

void AddVerify(CLI::App& app, Common& c);
void AddLog(CLI::App& app, Common& c);
void AddVerifyProof(CLI::App& app, Common& c);

}  // namespace attest::cli
