#include "cli/serve.h"

#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>

#include "archive/archive.h"
#include "cli/output.h"
#include "cli/signals.h"
#include "http/server.h"
#include "ingest/demo.h"

namespace attest::cli {
namespace {

// Serves until SIGINT or SIGTERM, which a dedicated thread receives with sigwait (nothing runs
// in a signal handler) and answers by stopping the server gracefully.
int Serve(Env* env, const std::string& dir, const std::string& listen, const std::string& banner,
          bool access_log, int search_cache_mb = 64, int threads = 0, bool behind_proxy = false) {
  auto opts = http::ParseListen(listen);
  if (!opts.ok()) return Usage(opts.status().message());
  if (search_cache_mb < 0 || search_cache_mb > 65536) {
    return Usage("--search-cache-mb must be 0 (none) to 65536");
  }
  if (threads < 0 || threads > 1024) return Usage("--threads must be 0 (automatic) to 1024");
  opts->search_cache_bytes = static_cast<size_t>(search_cache_mb) << 20;
  opts->threads = threads;
  opts->behind_proxy = behind_proxy;
  StopSignals signals;  // blocked here, so in the server's threads too
  if (access_log) {
    opts->access_log = [](const std::string& line) {
      static std::mutex mu;
      std::lock_guard<std::mutex> l(mu);
      std::cerr << line << "\n";
    };
  }
  auto created = http::Server::Create(env, dir, *opts);
  if (!created.ok()) return Fail(created.status());
  http::Server& server = **created;
  auto port = server.Bind();
  if (!port.ok()) return Fail(port.status());
  std::string host =
      opts->host.find(':') != std::string::npos ? "[" + opts->host + "]" : opts->host;
  std::cout << banner << "Serving " << dir << " on http://" << host << ":" << *port
            << "/  (Ctrl-C to stop)\n"
            << std::flush;
  signals.OnStop([&server] { server.Stop(); });
  Status st = server.Run();
  signals.Join();
  return st.ok() ? kExitOk : Fail(st);
}

struct ServeArgs {
  bool access_log = false;
  std::string listen = "127.0.0.1:8080";
  int cache_mb = 64;
  int threads = 0;
  bool behind_proxy = false;
};

int RunServe(Common& c, const ServeArgs& o) {
  auto a = c.Open();  // fail early, with a clear message, if the archive cannot be opened
  if (!a.ok()) return Fail(a.status());
  a->reset();
  return Serve(c.env, c.archive_dir, o.listen, "", o.access_log, o.cache_mb, o.threads,
               o.behind_proxy);
}

struct DemoArgs {
  std::string dir, listen = "127.0.0.1:8080";
  bool no_serve = false;
  std::string model;
};

int Demo(Common& c, const DemoArgs& o) {
  Env* env = c.env;
  std::string dir = o.dir;
  if (dir.empty()) {
    char tmpl[] = "/tmp/attest-demo-XXXXXX";
    if (!mkdtemp(tmpl)) return Fail(Status::IOError("cannot create a temporary directory"));
    dir = tmpl;
  }
  ingest::DemoOptions demo_options;
  demo_options.speech_model = o.model;
  auto built = ingest::BuildDemoArchive(env, dir, demo_options);
  if (!built.ok()) return Fail(built.status());
  const auto* added = &built->added;
  auto a = archive::Archive::Open(env, dir);
  if (!a.ok()) return Fail(a.status());
  auto rep = (*a)->verifier().Verify();
  if (!rep.ok()) return Fail(rep.status());
  std::string banner = "attest demo: a sample archive (sample texts, not testimony)\n";
  if (!built->note.empty()) banner += "note: " + built->note + "\n";
  for (const auto& x : *added) banner += "  " + x.id + "  " + BaseName(x.file) + "\n";
  banner += std::string("verify: ") + (rep->ok ? "intact" : "DAMAGED") + ", log size " +
            std::to_string(rep->log_size) + "\nverifier key: " + (*a)->verifier().VerifierKey() +
            "\nTry: attest --archive " + dir + " list\n";
  a->reset();
  if (!rep->ok) return Fail(Status::Corruption("the demo archive did not verify"));
  if (o.no_serve) {
    std::cout << banner;
    return kExitOk;
  }
  if (!o.dir.empty()) return Serve(env, dir, o.listen, banner, false);
  // A directory the demo made is its own: removed when the demo stops (--dir keeps one).
  banner += "The sample archive is removed when the demo stops (attest demo --dir DIR keeps one).\n";
  int rc = Serve(env, dir, o.listen, banner, false);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return rc;
}

}  // namespace

void AddServe(CLI::App& app, Common& c) {
  auto* serve = app.add_subcommand(
      "serve", "Serve the portal, the JSON API and the log over HTTP (doc/api.md)");
  auto o = std::make_shared<ServeArgs>();
  serve->add_flag("--access-log", o->access_log,
                  "Write one JSON line a request to standard error (paths only, never queries)");
  serve->add_option("--listen", o->listen, "HOST:PORT (default 127.0.0.1:8080)");
  serve->add_option("--search-cache-mb", o->cache_mb,
                    "Memory for pages of results kept for repeated searches (default 64; 0: none)");
  serve->add_option("--threads", o->threads,
                    "Requests answered at once (default 0: four per core, at least 8)");
  serve->add_flag("--behind-proxy", o->behind_proxy,
                  "A reverse proxy forwards requests: a caller's address is the last "
                  "X-Forwarded-For entry (for login throttling and the audit log)");
  c.OnRun(serve, [&c, o] { return RunServe(c, *o); });
}

void AddDemo(CLI::App& app, Common& c) {
  auto* demo = app.add_subcommand(
      "demo", "Build a sample archive (UDHR in four languages) and serve it on loopback");
  auto o = std::make_shared<DemoArgs>();
  demo->add_option("--dir", o->dir, "Where to build it (default: a new temporary directory)");
  demo->add_option("--listen", o->listen, "HOST:PORT (default 127.0.0.1:8080)");
  demo->add_flag("--no-serve", o->no_serve, "Build and verify, then exit");
  demo->add_option("--model", o->model,
                   "A whisper model file (ggml-*.bin) to transcribe the spoken samples with");
  c.OnRun(demo, [&c, o] { return Demo(c, *o); });
}

}  // namespace attest::cli
