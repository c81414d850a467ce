// The `attest` command: argument parsing and output formatting only. Every decision is made
// in the libraries below (service, archive, ingest, http). Exit codes: 0 ok, 1 failure, 2 usage
// (cli/output.h). Each verb group's file adds its commands; this file only puts them in order.
#include <sys/stat.h>

#include <CLI/CLI.hpp>

#include "cli/accounts.h"
#include "cli/common.h"
#include "cli/consent.h"
#include "cli/jobs.h"
#include "cli/log.h"
#include "cli/models.h"
#include "cli/output.h"
#include "cli/records.h"
#include "cli/search.h"
#include "cli/serve.h"
#include "cli/sessions.h"
#include "core/env.h"

namespace attest::cli {

int Main(int argc, char** argv) {
  // Files attest makes are its user's only (the database, blobs, index; doc/privacy.md).
  ::umask(077);
  Common c(Env::Default());
  CLI::App app{
      "attest: a tamper-evident, self-hosted archive of testimonies.\n"
      "Every version of every record is a leaf in a signed Merkle log that anyone can verify."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every command");
  app.add_option("--archive", c.archive_dir, "The archive directory")->envname("ATTEST_ARCHIVE");

  // In the order `attest --help` lists them (CLI11 lists commands in the order added).
  AddInit(app, c);
  AddAdd(app, c);
  AddWorker(app, c);
  AddImport(app, c);
  AddJobs(app, c);
  AddShow(app, c);
  AddList(app, c);
  AddWithdraw(app, c);
  AddEdit(app, c);
  AddWitness(app, c);
  AddRedact(app, c);
  AddConsent(app, c);
  AddVerify(app, c);
  AddLog(app, c);
  AddVerifyProof(app, c);
  AddSearch(app, c);
  AddAsk(app, c);
  AddNames(app, c);
  AddModels(app, c);
  AddAudit(app, c);
  AddLink(app, c);
  AddRequests(app, c);
  AddUser(app, c);
  AddToken(app, c);
  AddTranscript(app, c);
  AddClip(app, c);
  AddSession(app, c);
  AddReindex(app, c);
  AddServe(app, c);
  AddDemo(app, c);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return c.Run();
}

}  // namespace attest::cli

int main(int argc, char** argv) { return attest::cli::Main(argc, argv); }
