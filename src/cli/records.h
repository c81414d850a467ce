// The commands that make and show records: init, add, import, show, list, edit, witness and
// transcript.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace attest::cli {

void AddInit(CLI::App& app, Common& c);
void AddAdd(CLI::App& app, Common& c);
void AddImport(CLI::App& app, Common& c);
void AddShow(CLI::App& app, Common& c);
void AddList(CLI::App& app, Common& c);
void AddEdit(CLI::App& app, Common& c);
void AddWitness(CLI::App& app, Common& c);
void AddTranscript(CLI::App& app, Common& c);

}  // namespace attest::cli
