// What every command of the `attest` binary needs: the Env, the archive that --archive names,
// who runs the command, and the table of what each command runs once the arguments are parsed.
//
// Each verb group (records.h, consent.h, ...) has one function a command, Add<Verb>(app, c),
// that adds the command and its options to CLI11 and tells `c` what to run for it; main.cc calls
// them in the order `attest --help` lists the commands.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "access/access.h"
#include "archive/archive.h"
#include "core/env.h"
#include "core/status.h"
#include "service/scope.h"

namespace attest::cli {

// One run of `attest`. Not thread-safe: made, filled and run by main's thread.
struct Common {
  explicit Common(Env* e) : env(e) {}

  Env* env;
  std::string archive_dir;  // --archive, or ATTEST_ARCHIVE

  // The archive --archive names.
  Result<std::unique_ptr<archive::Archive>> Open() const {
    return archive::Archive::Open(env, archive_dir);
  }

  // Runs `run` when `cmd` is the command given; its result is the exit code.
  void OnRun(CLI::App* cmd, std::function<int()> run) {
    handlers.emplace_back(cmd, std::move(run));
  }

  // The exit code of the command given, once parsed; kExitUsage if there is none.
  int Run() const;

  std::vector<std::pair<CLI::App*, std::function<int()>>> handlers;
};

// Who runs the command, for the audit log and consent history: "cli:USER".
std::string CliActor();

// The command line's caller for access::Decide: the archive's operator, an admin. Sealed and
// withdrawn words are read by nobody, the operator included.
access::Subject CliSubject();

// The service scope of a command: the operator, named "cli:USER" in the audit log.
service::Scope CliScope(archive::Archive* a);
// The scope of a command that reads as the operator but has never written the audit log
// (`attest search`, `attest ask`): no actor, so the service audits nothing.
service::Scope CliReadScope(archive::Archive* a);

}  // namespace attest::cli
