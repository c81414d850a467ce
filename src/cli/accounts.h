// The commands about people and their access: audit, link, requests, user and token.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common.h"

namespace attest::cli {

void AddAudit(CLI::App& app, Common& c);
void AddLink(CLI::App& app, Common& c);
void AddRequests(CLI::App& app, Common& c);
void AddUser(CLI::App& app, Common& c);
void AddToken(CLI::App& app, Common& c);

}  // namespace attest::cli
