// The `attest` command: argument parsing and output formatting only. Every decision is made
// in the libraries below (archive, http). Exit codes: 0 ok, 1 failure, 2 usage.
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "access/access.h"
#include "archive/archive.h"
#include "core/env.h"
#include "core/json.h"
#include "core/text_safety.h"
#include "http/server.h"
#include "ingest/add_note.h"
#include "ingest/demo.h"
#include "ingest/import.h"
#include "ingest/models.h"
#include "ingest/transcripts.h"
#include "ingest/worker.h"
#include "service/ask.h"
#include "service/auditor.h"
#include "service/scope.h"
#include "service/transcript.h"

namespace attest::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Text from the archive or from outside (a witness's message, a file name, a title, a
// reason, a model's name) as it may be printed on a terminal: its control characters and bidi
// controls shown as escapes (core/text_safety.h), never sent for the terminal to act on. Every
// print of such text goes through it; kLines keeps the lines of a document or a message.
std::string Shown(std::string_view s, TextLayout layout = TextLayout::kOneLine) {
  return TerminalSafe(s, layout);
}

int Fail(const Status& st) {
  std::cerr << "attest: " << Shown(st.message(), TextLayout::kLines) << "\n";
  return kExitFailure;
}

int Usage(const std::string& msg) {
  std::cerr << "attest: " << Shown(msg, TextLayout::kLines) << "\n";
  return kExitUsage;
}

// JSON escapes C0 controls itself; DEL, C1 and the bidi controls, which it leaves as they are,
// are written as \u escapes too (the same JSON value), and a byte that is not UTF-8 as U+FFFD.
void PrintJson(const Json& j) {
  const std::string text = j.dump(2, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const size_t start = pos;
    bool valid;
    char32_t c = NextCodePoint(text, &pos, &valid);
    if (valid && c >= 0x7F && (IsControlCharacter(c) || IsBidiControl(c))) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out.append(text, start, pos - start);
    }
  }
  std::cout << out << "\n";
}

// A job as JSON, with the file (and manifest line) its record came from: the CLI is for staff.
Json JobToJson(const meta::Job& j, const archive::FileSource& source = {}) {
  Json out = {{"id", j.id},
              {"kind", j.kind},
              {"record", j.record_id},
              {"version", j.version},
              {"state", meta::JobStateName(j.state)},
              {"attempts", j.attempts},
              {"bytes", j.bytes},
              {"created", j.created},
              {"updated", j.updated}};
  if (!j.error.empty()) out["error"] = j.error;
  if (!j.outcome.empty()) {
    auto o = ParseJson(j.outcome, "outcome");
    out["outcome"] = o.ok() ? *o : Json(j.outcome);
  }
  if (!j.batch.empty()) out["batch"] = j.batch;
  if (!j.not_before.empty()) out["not_before"] = j.not_before;
  if (!j.lease_owner.empty()) out["lease_owner"] = j.lease_owner;
  out.update(source.ToJson());
  return out;
}

// The sources of jobs' records, looked up once a version; a record that is gone or withdrawn
// has none.
class JobSources {
 public:
  explicit JobSources(archive::Archive* a) : a_(a) {}
  const archive::FileSource& Of(const meta::Job& j) {
    auto key = std::make_pair(j.record_id, j.version);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    archive::FileSource s;
    if (auto v = a_->records().JobVersion(j); v.ok()) s = archive::SourceOf(v->second);
    return cache_.emplace(key, std::move(s)).first->second;
  }

 private:
  archive::Archive* a_;
  std::map<std::pair<std::string, int>, archive::FileSource> cache_;
};

std::string Bytes(double b) {
  char buf[32];
  if (b >= 1 << 30)
    std::snprintf(buf, sizeof buf, "%.1f GiB", b / (1 << 30));
  else if (b >= 1 << 20)
    std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1 << 20));
  else if (b >= 1 << 10)
    std::snprintf(buf, sizeof buf, "%.1f KiB", b / (1 << 10));
  else
    std::snprintf(buf, sizeof buf, "%.0f B", b);
  return buf;
}

// Progress of a worker: one updated line on a terminal, JSON lines with --json.
std::function<void(const ingest::Progress&)> ProgressPrinter(bool json) {
  bool tty = isatty(STDERR_FILENO) != 0;
  return [json, tty](const ingest::Progress& p) {
    const meta::JobCounts& c = p.counts;
    if (json) {
      Json j = {{"event", "progress"},
                {"done", c.done},
                {"failed", c.failed},
                {"cancelled", c.cancelled},
                {"waiting", c.waiting},
                {"queued", c.queued},
                {"running", c.running},
                {"total", c.total},
                {"bytes_done", c.bytes_finished},
                {"bytes_total", c.bytes_total},
                {"pages", p.pages},
                {"elapsed_s", p.elapsed_s},
                {"items_per_s", p.items_per_s},
                {"bytes_per_s", p.bytes_per_s},
                {"eta_s", p.eta_s}};
      if (p.job) j["job"] = JobToJson(*p.job);
      std::cout << j.dump() << "\n" << std::flush;
      return;
    }
    if (!tty) return;
    char line[256];
    std::snprintf(line, sizeof line,
                  "\r%llu/%llu jobs done, %llu failed, %llu waiting | %s of %s | %.1f jobs/s, "
                  "%s/s | %llu pages | ",
                  static_cast<unsigned long long>(c.done), static_cast<unsigned long long>(c.total),
                  static_cast<unsigned long long>(c.failed),
                  static_cast<unsigned long long>(c.waiting), Bytes(c.bytes_finished).c_str(),
                  Bytes(c.bytes_total).c_str(), p.items_per_s, Bytes(p.bytes_per_s).c_str(),
                  static_cast<unsigned long long>(p.pages));
    std::string eta = p.eta_s < 0
                          ? "time left unknown"
                          : std::to_string(static_cast<long long>(p.eta_s + 0.5)) + " s left";
    std::cerr << line << eta << "   " << std::flush;
  };
}

// `--wait`: runs the jobs queued until none is left, with progress on a terminal, counted over
// the jobs of `batch`.
Status RunBatch(Env* env, const std::string& dir, const std::string& batch, int threads) {
  ingest::WorkerOptions w;
  w.threads = threads;
  w.until_idle = true;
  w.batch = batch;
  w.on_progress = ProgressPrinter(false);
  Status st = ingest::RunWorker(env, dir, w);
  if (isatty(STDERR_FILENO)) std::cerr << "\n";
  return st;
}

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
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // inherited by the server's threads
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
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.Stop();
  });
  Status st = server.Run();
  if (!st.ok()) {
    pthread_kill(waiter.native_handle(), SIGTERM);  // release the waiter
  }
  waiter.join();
  return st.ok() ? kExitOk : Fail(st);
}

// A password from standard input: asked twice, without echo, on a terminal; else the first
// line (for scripts: `printf '%s\n' "$PW" | attest user add …`).
Result<std::string> ReadPassword(const std::string& prompt) {
  auto read_line = [](std::string* out) -> bool {
    return static_cast<bool>(std::getline(std::cin, *out));
  };
  if (!isatty(STDIN_FILENO)) {
    std::string line;
    if (!read_line(&line)) return Status::InvalidArgument("no password on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  termios old_mode;
  tcgetattr(STDIN_FILENO, &old_mode);
  termios quiet = old_mode;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string first, second;
  std::cerr << prompt << std::flush;
  bool ok = read_line(&first);
  std::cerr << "\nAgain: " << std::flush;
  ok = ok && read_line(&second);
  std::cerr << "\n";
  tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
  if (!ok) return Status::InvalidArgument("no password given");
  if (first != second) return Status::InvalidArgument("the two passwords differ");
  return first;
}

}  // namespace

// Who runs the command, for the audit log and consent history: "cli:USER".
std::string CliActor() {
  const char* user = getenv("USER");
  return std::string("cli:") + (user && *user ? user : "unknown");
}

// The command line's caller for access::Decide: the archive's operator, an admin. Sealed and
// withdrawn words are read by nobody, the operator included.
access::Subject CliSubject() {
  access::Subject s;
  s.role = access::Role::kAdmin;
  return s;
}

// The service scope of a command: the operator, named "cli:USER" in the audit log.
service::Scope CliScope(archive::Archive* a) { return service::Scope{a, CliSubject(), CliActor()}; }

int Main(int argc, char** argv) {
  // Files attest makes are its user's only (the database, blobs, index; doc/privacy.md).
  ::umask(077);
  Env* env = Env::Default();
  CLI::App app{
      "attest: a tamper-evident, self-hosted archive of testimonies.\n"
      "Every version of every record is a leaf in a signed Merkle log that anyone can verify."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every command");
  std::string archive_dir;
  app.add_option("--archive", archive_dir, "The archive directory")->envname("ATTEST_ARCHIVE");

  // init
  auto* init = app.add_subcommand("init", "Create a new archive in DIR (new or empty)");
  std::string init_dir, origin;
  init->add_option("DIR", init_dir, "Directory for the archive")->required();
  init->add_option("--origin", origin,
                   "The log's name, e.g. archive.example.org/testimonies (default: random)");

  // add
  auto* add = app.add_subcommand("add", "Store files as records (or a new version of one)");
  std::vector<std::string> files;
  std::string witness, collection, lang = "und", consent = "restricted", meta_json, record_id;
  bool add_json = false;
  add->add_option("FILE", files, "Files to store")->required();
  add->add_option("--witness", witness, "Pseudonymous witness id");
  add->add_option("--collection", collection, "Collection id");
  add->add_option("--lang", lang, "Language tag: he, ar, en, fr, ... (default und)");
  add->add_option("--consent", consent, "public, research, restricted (default) or sealed");
  add->add_option("--meta", meta_json, "Free metadata as a JSON object (kept private)");
  add->add_option("--record", record_id, "Add FILE as the next version of this record");
  std::vector<std::string> places;
  std::string date;
  add->add_option("--place", places, "A place the testimony speaks of (repeatable)");
  add->add_option("--date", date, "When: 2023-10-07, 2023-10, 2023 or 2023-10-07..2023-10-08");
  add->add_flag("--json", add_json, "Print JSON");
  bool add_wait = false;
  int add_jobs = 1;
  add->add_flag("--wait", add_wait, "Run the files' jobs (text, OCR, index) here, then return");
  add->add_option("--jobs", add_jobs, "With --wait: jobs run at once (default 1)");

  auto* worker =
      app.add_subcommand("worker", "Run jobs: extract text, OCR, transcribe, make access copies");
  int worker_jobs = 1, worker_lease = 60, worker_asr_threads = 0;
  bool worker_idle = false, worker_json = false, worker_gpu = false;
  worker
      ->add_option("--asr-threads", worker_asr_threads,
                   "Threads of one transcription (default: the cores divided among --jobs)")
      ->check(CLI::Range(0, 256));
  worker->add_flag("--gpu", worker_gpu, "Transcribe on the GPU (a build with -DATTEST_CUDA=ON)");
  std::vector<std::string> worker_kinds;
  worker
      ->add_option("--kinds", worker_kinds,
                   "Only these kinds of job, e.g. transcribe,translate on a GPU machine")
      ->delimiter(',');
  worker->add_option("--jobs", worker_jobs, "Jobs run at once (default 1; one a core)");
  worker->add_flag("--until-idle", worker_idle, "Return when no job is queued or running");
  worker->add_option("--lease", worker_lease, "Seconds a job is leased for, renewed while it runs");
  worker->add_flag("--json", worker_json, "Progress as JSON lines on standard output");

  auto* import = app.add_subcommand("import", "Import files described by a CSV or JSONL manifest");
  std::string import_manifest, import_base;
  bool import_dry = false, import_json = false, import_wait = false;
  int import_jobs = 1;
  import->add_option("MANIFEST", import_manifest, "MANIFEST.csv or MANIFEST.jsonl (doc/import.md)")
      ->required();
  import->add_option("--base-dir", import_base, "Where the files are (default: beside MANIFEST)");
  import->add_flag("--dry-run", import_dry, "Check every row and report; change nothing");
  import->add_flag("--json", import_json, "Print JSON");
  import->add_flag("--wait", import_wait, "Run the imported files' jobs here, then return");
  import->add_option("--jobs", import_jobs, "With --wait: jobs run at once (default 1)");

  auto* jobs = app.add_subcommand("jobs", "List jobs; retry or cancel them");
  bool jobs_failed = false, jobs_json = false;
  std::string jobs_state;
  jobs->add_flag("--failed", jobs_failed, "Only failed jobs, with why");
  jobs->add_option("--state", jobs_state, "Only jobs in this state");
  jobs->add_flag("--json", jobs_json, "Print JSON");
  auto* jobs_retry = jobs->add_subcommand("retry", "Queue a failed or cancelled job again");
  std::optional<int64_t> retry_id;
  bool retry_all = false;
  jobs_retry->add_option("ID", retry_id, "Job id");
  jobs_retry->add_flag("--all-failed", retry_all, "Every failed job");
  auto* jobs_cancel = jobs->add_subcommand("cancel", "Cancel a job that is not done");
  int64_t cancel_id = 0;
  jobs_cancel->add_option("ID", cancel_id, "Job id")->required();

  auto* show =
      app.add_subcommand("show", "Show one record: versions, blobs, consent, log position");
  std::string show_id;
  bool show_json = false;
  show->add_option("ID", show_id, "Record id")->required();
  show->add_flag("--json", show_json, "Print JSON");

  auto* list = app.add_subcommand("list", "List the records");
  bool list_json = false;
  list->add_flag("--json", list_json, "Print JSON");

  auto* withdraw = app.add_subcommand(
      "withdraw", "Withdraw a record: erase its content, keep its log commitment");
  std::string withdraw_id, reason;
  bool withdraw_json = false;
  withdraw->add_option("ID", withdraw_id, "Record id")->required();
  withdraw->add_option("--reason", reason, "Why (kept in the archive, never in the log)")
      ->required();
  withdraw->add_flag("--json", withdraw_json, "Print JSON");

  auto* edit = app.add_subcommand(
      "edit", "Replace a record's metadata (--meta): a new version with the same files, logged");
  std::string edit_id, edit_meta;
  bool edit_json = false;
  edit->add_option("ID", edit_id, "Record id")->required();
  edit->add_option("--meta", edit_meta, "The record's metadata, whole, as a JSON object")
      ->required();
  edit->add_flag("--json", edit_json, "Print JSON");

  auto* witness_cmd =
      app.add_subcommand("witness", "Set a witness's community, languages or (private) name");
  meta::Witness witness_set;
  witness_cmd->add_option("ID", witness_set.id, "Witness id")->required();
  witness_cmd->add_option("--community", witness_set.community,
                          "The community they speak from, shown beside their accounts");
  witness_cmd->add_option("--languages", witness_set.languages, "Language tags, e.g. he,ar");
  witness_cmd->add_option("--name", witness_set.name, "Their name: kept private, never shown");
  std::string witness_form;
  bool witness_forms = false, witness_json = false;
  witness_cmd->add_option("--consent-form", witness_form,
                          "Attach their consent form (a scan, PDF or text): stored encrypted, "
                          "read only by archivists, admins and the witness's own link");
  witness_cmd->add_flag("--forms", witness_forms, "List their consent forms");
  witness_cmd->add_flag("--json", witness_json, "Print JSON");

  auto* redact = app.add_subcommand(
      "redact", "Hide a span of a segment's text from all but archivists, and from search");
  std::string redact_id, redact_chars, redact_ms, redact_reason;
  int64_t redact_segment = 0;
  bool redact_json = false;
  redact->add_option("ID", redact_id, "Record id")->required();
  int redact_confirm = 0;
  redact->add_option("--segment", redact_segment, "The segment's id");
  redact->add_option("--confirm", redact_confirm,
                     "Confirm version N, held because a redaction's words could not be found "
                     "in it (doc/api.md \"Redaction\"), instead of redacting");
  redact->add_option("--chars", redact_chars,
                     "A:B, code points of the segment's text (default: all of it)");
  redact->add_option("--ms", redact_ms,
                     "S:E, where the span is spoken, in milliseconds (default: the segment's)");
  redact->add_option("--reason", redact_reason, "Why (kept in the archive, never shown)")
      ->required();
  redact->add_flag("--json", redact_json, "Print JSON");

  auto* consent_cmd = app.add_subcommand(
      "consent", "Change a record's consent level (public, research, restricted, sealed); logged");
  std::string consent_id, consent_level, consent_reason;
  bool consent_json = false;
  consent_cmd->add_option("ID", consent_id, "Record id")->required();
  consent_cmd->add_option("LEVEL", consent_level, "public, research, restricted or sealed")
      ->required();
  consent_cmd->add_option("--reason", consent_reason, "Why (kept in the archive, never in the log)")
      ->required();
  consent_cmd->add_flag("--json", consent_json, "Print JSON");
  std::string consent_until, consent_then;
  consent_cmd->add_option("--until", consent_until,
                          "For sealed: the day it opens, YYYY-MM-DD (UTC); it opens by itself");
  consent_cmd->add_option("--then", consent_then,
                          "For sealed: the level it opens to (public, research, restricted)");
  int64_t consent_segment = 0;
  consent_cmd->add_option("--segment", consent_segment,
                          "Change this one segment's own level (public, research, restricted); "
                          "it is shown at the stricter of its level and the record's");

  auto* verify = app.add_subcommand(
      "verify", "Re-hash every blob, check every manifest and leaf, recompute the log");
  bool verify_json = false;
  verify->add_flag("--json", verify_json, "Print JSON");

  auto* log = app.add_subcommand("log", "The signed Merkle log");
  log->require_subcommand(1);
  auto* log_key = log->add_subcommand("key", "Print the checkpoint verifier key (C2SP note key)");
  auto* log_cp = log->add_subcommand("checkpoint", "Print the latest signed checkpoint");
  auto* log_prove = log->add_subcommand("prove", "Inclusion proof of a record version");
  std::string prove_id;
  std::optional<int> prove_version;
  bool prove_json = true;
  log_prove->add_option("ID", prove_id, "Record id")->required();
  log_prove->add_option("--version", prove_version, "Version (default: the latest)")
      ->check(CLI::PositiveNumber);
  log_prove->add_flag("--json", prove_json, "Print JSON (the only format)");
  auto* log_cons = log->add_subcommand("consistency", "Consistency proof between two sizes");
  uint64_t from_size = 0;
  std::optional<uint64_t> to_size;
  bool cons_json = true;
  log_cons->add_option("--from", from_size, "Old tree size")->required();
  log_cons->add_option("--to", to_size, "New tree size (default: current)");
  log_cons->add_flag("--json", cons_json, "Print JSON (the only format)");

  auto* vproof = app.add_subcommand("verify-proof", "Check a proof offline, without the archive");
  std::string proof_path, vkey, original;
  bool vproof_json = false;
  vproof->add_option("PROOF", proof_path, "Proof JSON from `attest log prove`")->required();
  vproof->add_option("--key", vkey, "Verifier key (name+hash+key), or a file holding it")
      ->required();
  vproof->add_option("--file", original, "The original file, to check it is what was committed");
  vproof->add_flag("--json", vproof_json, "Print JSON");

  auto* search = app.add_subcommand(
      "search", "Search the witnesses' words (doc/search.md); the command line sees as archivist");
  std::string query;
  size_t search_limit = 20;
  bool search_json = false;
  search->add_option("QUERY", query, "The query")->required();
  search->add_option("--limit", search_limit, "Records to show (default 20)")
      ->check(CLI::Range(1, 1000));
  std::string search_cursor;
  size_t per_record = 3;
  search->add_option("--cursor", search_cursor, "Next page: the cursor the last page printed");
  search->add_option("--per-record", per_record, "Segments shown per record (default 3)")
      ->check(CLI::Range(1, 100));
  bool exact_counts = false;
  search->add_flag("--exact-counts", exact_counts,
                   "Count every match exactly (slower when there are very many)");
  search->add_flag("--json", search_json, "Print JSON");

  auto* ask = app.add_subcommand(
      "ask",
      "Ask a question: many witnesses' own words, side by side, cited (doc/ask.md); the "
      "command line sees as the operator");
  service::AskRequest ask_req;
  bool ask_json = false;
  ask->add_option("QUESTION", ask_req.question, "The question, in plain words")->required();
  ask->add_option("--lang", ask_req.lang, "The question's language: ar, he, en or fr");
  ask->add_option("--filter-lang", ask_req.filter_lang, "Only passages in this language");
  ask->add_option("--place", ask_req.place, "Only passages annotated with this place");
  ask->add_option("--date", ask_req.date, "Only passages of this day, month, year or range");
  ask->add_option("--collection", ask_req.collection, "Only passages of this collection");
  ask->add_flag("--differ", ask_req.differ, "Show accounts that differ from those shown first");
  ask->add_flag("--summary", ask_req.summary,
                "Add a machine-written summary, if config.json names an endpoint (doc/ask.md)");
  ask->add_option("--limit", ask_req.limit, "Witnesses to show (default 10)")
      ->check(CLI::Range(1, 50));
  ask->add_flag("--json", ask_json, "Print JSON");

  auto* names = app.add_subcommand(
      "names", "The places and people search matches across scripts (Kfar Aza, כפר עזה, كفار عزة)");
  names->require_subcommand(1);
  auto* names_add = names->add_subcommand("add", "Add a name (or change its kind)");
  auto* names_list = names->add_subcommand("list", "List the names");
  auto* names_remove = names->add_subcommand("remove", "Remove a name");
  std::string name_arg, name_kind = "place";
  bool names_json = false;
  names_add->add_option("NAME", name_arg, "The name, in any script")->required();
  names_add->add_option("--kind", name_kind, "place (default) or person");
  names_remove->add_option("NAME", name_arg, "The name as listed")->required();
  names_list->add_flag("--json", names_json, "Print JSON");

  auto* models = app.add_subcommand(
      "models",
      "The model files attest's tools read (doc/speech.md, doc/ask.md); never downloaded");
  models->require_subcommand(1);
  auto* models_add =
      models->add_subcommand("add",
                             "Register a model file by its SHA-256: whisper (ggml-*.bin) or, "
                             "with --kind embedding, a GGUF sentence-embedding model");
  auto* models_list = models->add_subcommand("list", "List the registered model files");
  auto* models_remove = models->add_subcommand("remove", "Forget a registered model file");
  auto* models_translate = models->add_subcommand(
      "translate", "Also make English translations of transcripts: on or off (default off)");
  std::string model_path, model_sha, translate_arg;
  bool models_json = false;
  models_add->add_option("PATH", model_path, "The model file")->required();
  std::string model_kind = "whisper";
  std::optional<std::string> query_prefix, passage_prefix;
  models_add
      ->add_option("--kind", model_kind,
                   "whisper (speech, the default) or embedding (a GGUF sentence-embedding "
                   "model for Ask's semantic index)")
      ->check(CLI::IsMember({"whisper", "embedding"}));
  models_add->add_option("--query-prefix", query_prefix,
                         "Embedding: what the model expects before a question (multilingual-e5: "
                         "\"query: \", the default for files named *e5*)");
  models_add->add_option("--passage-prefix", passage_prefix,
                         "Embedding: what the model expects before a passage (multilingual-e5: "
                         "\"passage: \")");
  models_add->add_flag("--json", models_json, "Print JSON");
  models_list->add_flag("--json", models_json, "Print JSON");
  models_remove->add_option("SHA256", model_sha, "Its SHA-256, or a unique prefix (6+ hex)")
      ->required();
  models_translate->add_option("on|off", translate_arg, "on or off")
      ->required()
      ->check(CLI::IsMember({"on", "off"}));

  auto* audit = app.add_subcommand(
      "audit",
      "The audit log: changes of consent and tokens, withdrawals, views of non-public "
      "material (doc/format/metadata.md)");
  std::string audit_since, audit_actor;
  bool audit_json = false;
  audit->add_option("--since", audit_since, "Entries at or after this day or time (RFC 3339)");
  audit->add_option("--actor,--subject", audit_actor,
                    "Entries by this actor only (cli:USER, token:ID, user:NAME, address:IP)");
  audit->add_flag("--json", audit_json, "Print JSON");

  auto* link = app.add_subcommand(
      "link",
      "Witnesses' own links: a witness sees their records and asks for changes (doc/api.md)");
  link->require_subcommand(1);
  auto* link_create = link->add_subcommand("create", "Make a witness's link; it is shown once");
  auto* link_revoke = link->add_subcommand("revoke", "Revoke a witness's link by its id");
  std::string link_witness, link_id;
  bool link_json = false;
  link_create->add_option("WITNESS", link_witness, "The witness's id")->required();
  link_create->add_flag("--json", link_json, "Print JSON");
  link_revoke->add_option("ID", link_id, "The link's id (w...)")->required();
  auto* requests = app.add_subcommand("requests", "What witnesses asked through their links");
  bool requests_json = false;
  requests->add_flag("--json", requests_json, "Print JSON");

  auto* user = app.add_subcommand(
      "user", "People's accounts for the portal: add, list, role, disable, enable, password");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add",
                                        "Make an account; the password is read from "
                                        "standard input (asked twice on a terminal)");
  auto* user_list = user->add_subcommand("list", "List the accounts (never their passwords)");
  auto* user_role = user->add_subcommand("role", "Change an account's role (ends its sessions)");
  auto* user_disable =
      user->add_subcommand("disable", "Stop an account logging in (ends its sessions)");
  auto* user_enable = user->add_subcommand("enable", "Let a disabled account log in again");
  auto* user_password = user->add_subcommand(
      "password", "Set an account's password from standard input (ends its sessions)");
  std::string user_name, user_role_name;
  bool user_json = false;
  user_add->add_option("NAME", user_name, "Login name: 1 to 64 of a-z 0-9 . _ -")->required();
  user_add->add_option("--role", user_role_name, "researcher, archivist or admin")->required();
  user_list->add_flag("--json", user_json, "Print JSON");
  user_role->add_option("NAME", user_name, "The account")->required();
  user_role->add_option("ROLE", user_role_name, "researcher, archivist or admin")->required();
  for (auto* c : {user_disable, user_enable, user_password}) {
    c->add_option("NAME", user_name, "The account")->required();
  }

  auto* token = app.add_subcommand("token", "API tokens: create, list, revoke (doc/api.md)");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "Make a token; it is shown once");
  auto* token_list = token->add_subcommand("list", "List the tokens (never their secrets)");
  auto* token_revoke = token->add_subcommand("revoke", "Revoke a token by its id");
  std::string token_role, token_label, token_expires, token_id;
  bool token_json = false;
  token_create->add_option("--role", token_role, "researcher, archivist or admin")->required();
  token_create->add_option("--label", token_label, "What it is for (shown in lists)");
  token_create->add_option("--expires", token_expires, "RFC 3339 time it stops working");
  token_create->add_flag("--json", token_json, "Print JSON");
  token_list->add_flag("--json", token_json, "Print JSON");
  token_revoke->add_option("ID", token_id, "The token's id (t...)")->required();

  auto* transcript = app.add_subcommand(
      "transcript", "A record's transcript out (WebVTT, SRT, text, JSON) and corrections in");
  transcript->require_subcommand(1);
  auto* tr_export = transcript->add_subcommand("export", "Write a transcript to standard output");
  auto* tr_import =
      transcript->add_subcommand("import", "Add a corrected transcript (WebVTT or SRT)");
  std::string tr_id, tr_format = "vtt", tr_file, tr_by;
  std::optional<int> tr_version, tr_from;
  tr_export->add_option("ID", tr_id, "The record")->required();
  tr_export->add_option("--format", tr_format, "vtt (default), srt, txt or json")
      ->check(CLI::IsMember({"vtt", "srt", "txt", "json"}));
  tr_export->add_option("--version", tr_version,
                        "A transcript or translation version (default: the newest transcript)");
  tr_import->add_option("ID", tr_id, "The record")->required();
  tr_import->add_option("FILE", tr_file, "The corrected transcript, .vtt or .srt")->required();
  tr_import->add_option("--by", tr_by, "Who corrected it (recorded in its provenance)");
  tr_import->add_option("--from", tr_from,
                        "The version it transcribes (default: the newest transcript's source)");

  auto* reindex = app.add_subcommand("reindex", "Rebuild the search index from attest.db");

  auto* serve = app.add_subcommand(
      "serve", "Serve the portal, the JSON API and the log over HTTP (doc/api.md)");
  bool serve_log = false;
  serve->add_flag("--access-log", serve_log,
                  "Write one JSON line a request to standard error (paths only, never queries)");
  std::string listen = "127.0.0.1:8080";
  serve->add_option("--listen", listen, "HOST:PORT (default 127.0.0.1:8080)");
  int serve_cache_mb = 64;
  serve->add_option("--search-cache-mb", serve_cache_mb,
                    "Memory for pages of results kept for repeated searches (default 64; 0: none)");
  int serve_threads = 0;
  serve->add_option("--threads", serve_threads,
                    "Requests answered at once (default 0: four per core, at least 8)");
  bool serve_behind_proxy = false;
  serve->add_flag("--behind-proxy", serve_behind_proxy,
                  "A reverse proxy forwards requests: a caller's address is the last "
                  "X-Forwarded-For entry (for login throttling and the audit log)");

  auto* demo = app.add_subcommand(
      "demo", "Build a sample archive (UDHR in four languages) and serve it on loopback");
  std::string demo_dir, demo_listen = "127.0.0.1:8080";
  bool demo_no_serve = false;
  demo->add_option("--dir", demo_dir, "Where to build it (default: a new temporary directory)");
  demo->add_option("--listen", demo_listen, "HOST:PORT (default 127.0.0.1:8080)");
  demo->add_flag("--no-serve", demo_no_serve, "Build and verify, then exit");
  std::string demo_model;
  demo->add_option("--model", demo_model,
                   "A whisper model file (ggml-*.bin) to transcribe the spoken samples with");

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

  auto open = [&]() { return archive::Archive::Open(env, archive_dir); };

  if (*init) {
    Status st = archive::Archive::Init(env, init_dir, origin);
    if (!st.ok()) return st.code() == Code::kInvalidArgument ? Usage(st.message()) : Fail(st);
    auto a = archive::Archive::Open(env, init_dir);
    if (!a.ok()) return Fail(a.status());
    std::cout << "Created archive " << init_dir
              << "\nLog verifier key: " << (*a)->verifier().VerifierKey() << "\n";
    return kExitOk;
  }

  if (*add) {
    archive::AddOptions opts;
    opts.witness = witness;
    opts.collection = collection;
    opts.lang = lang;
    opts.record_id = record_id;
    auto c = meta::ParseConsent(consent);
    if (!c.ok()) return Usage(c.status().message());
    opts.consent = *c;
    if (!meta_json.empty()) {
      auto m = ParseJson(meta_json, "--meta");
      if (!m.ok()) return Usage(m.status().message());
      if (!m->is_object()) return Usage("--meta must be a JSON object, like {\"title\":\"...\"}");
      opts.meta = *m;
    }
    opts.places = places;
    opts.date = date;
    if (Status st = archive::ValidateAddOptions(opts, files.size()); !st.ok()) {
      return Usage(st.message());
    }
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    auto added = (*a)->records().Add(files, opts);
    if (!added.ok()) return Fail(added.status());
    // Content decides what a file is; a name that says otherwise is pointed out, not refused.
    std::vector<std::string> notes;
    for (const auto& x : *added) {
      auto note = ingest::AddedFileNote(a->get(), x);
      notes.push_back(note.ok() ? *note : "");
    }
    std::vector<meta::Job> failed_jobs;
    std::vector<archive::FileSource> failed_sources;
    if (add_wait && !added->empty()) {
      a->reset();  // the worker opens the archive itself, once a thread
      std::string batch = added->front().batch;
      Status st = RunBatch(env, archive_dir, batch, add_jobs);
      if (!st.ok()) return Fail(st.WithContext("the files were stored and logged; running jobs"));
      auto again = open();
      if (!again.ok()) return Fail(again.status());
      auto listed = (*again)->records().ListJobs({meta::JobState::kFailed, batch, "", 0});
      if (!listed.ok()) return Fail(listed.status());
      failed_jobs = *listed;
      JobSources sources(again->get());
      for (const auto& j : failed_jobs) failed_sources.push_back(sources.Of(j));
    }
    if (add_json) {
      Json recs = Json::array();
      for (size_t i = 0; i < added->size(); ++i) {
        const archive::Added& x = (*added)[i];
        recs.push_back({{"id", x.id},
                        {"version", x.version},
                        {"file", IsValidUtf8(x.file) ? x.file : std::string()},
                        {"sha256", x.sha256},
                        {"size", x.size},
                        {"leaf_index", x.leaf_index}});
        if (!notes[i].empty() && IsValidUtf8(notes[i])) recs.back()["note"] = notes[i];
      }
      Json out = {{"records", recs}};
      if (!added->empty()) out["batch"] = added->front().batch;
      if (add_wait) {
        Json f = Json::array();
        for (size_t i = 0; i < failed_jobs.size(); ++i) {
          f.push_back(JobToJson(failed_jobs[i], failed_sources[i]));
        }
        out["failed_jobs"] = f;
      }
      PrintJson(out);
    } else {
      for (const auto& x : *added) {
        std::cout << x.id << "\tv" << x.version << "\t" << x.sha256 << "\t" << Shown(x.file)
                  << "\n";
      }
      for (const auto& note : notes) {
        if (!note.empty()) std::cerr << "note: " << Shown(note) << "\n";
      }
      if (!add_wait) {
        std::cerr << "Stored and logged. Text extraction and indexing are queued: run attest "
                     "worker, or add with --wait.\n";
      }
    }
    for (size_t i = 0; i < failed_jobs.size(); ++i) {
      const meta::Job& j = failed_jobs[i];
      std::string file = failed_sources[i].Describe();
      std::cerr << "attest: " << (file.empty() ? "" : Shown(file) + ": ") << "job " << j.id << " ("
                << j.kind << " of " << j.record_id << " v" << j.version
                << ") failed: " << Shown(j.error) << "\n";
    }
    if (!failed_jobs.empty()) {
      std::cerr << "attest: the files were stored and logged, but " << failed_jobs.size()
                << " job(s) failed; see attest jobs --failed\n";
      return kExitFailure;
    }
    return kExitOk;
  }

  if (*import) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    auto rep = ingest::Import(a->get(), import_manifest, import_base, import_dry);
    if (!rep.ok()) {
      return rep.status().code() == Code::kInvalidArgument ? Usage(rep.status().message())
                                                           : Fail(rep.status());
    }
    if (import_wait && !import_dry && !rep->imported.empty()) {
      a->reset();
      Status st = RunBatch(env, archive_dir, rep->batch, import_jobs);
      if (!st.ok()) return Fail(st.WithContext("the rows were imported; running their jobs"));
    }
    std::string name = BaseName(import_manifest);
    if (import_json) {
      Json imported = Json::array(), skipped = Json::array(), errors = Json::array();
      for (const auto& r : rep->imported) {
        imported.push_back(
            {{"line", r.line}, {"id", r.id}, {"record", r.record}, {"file", r.file}});
      }
      for (const auto& r : rep->skipped) {
        skipped.push_back({{"line", r.line}, {"id", r.id}, {"record", r.record}});
      }
      for (const auto& p : rep->problems) {
        errors.push_back({{"line", p.line}, {"column", p.column}, {"message", p.message}});
      }
      PrintJson({{"imported", imported},
                 {"skipped", skipped},
                 {"errors", errors},
                 {"dry_run", import_dry},
                 {"batch", rep->batch}});
    } else {
      std::cerr << Shown(rep->ProblemsText(name), TextLayout::kLines);
      std::cout << (import_dry ? "would import " : "imported ") << rep->imported.size()
                << " row(s); " << rep->skipped.size() << " imported before; "
                << rep->problems.size() << " bad row problem(s)\n";
    }
    return rep->problems.empty() ? kExitOk : kExitFailure;
  }

  if (*worker) {
    ingest::WorkerOptions w;
    w.threads = worker_jobs;
    w.until_idle = worker_idle;
    if (worker_lease < 3 || worker_lease > 86400) {
      return Usage("--lease must be 3 to 86400 seconds");
    }
    w.lease_seconds = worker_lease;
    w.asr_threads = worker_asr_threads;
    w.use_gpu = worker_gpu;
    w.kinds = worker_kinds;
    w.on_progress = ProgressPrinter(worker_json);
    std::atomic<bool> stop{false};
    w.stop = &stop;
    // SIGINT/SIGTERM: take no new job, finish the ones running, return.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::thread waiter([&] {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      stop = true;
    });
    Status st = ingest::RunWorker(env, archive_dir, w);
    if (!stop) pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    if (isatty(STDERR_FILENO) && !worker_json) std::cerr << "\n";
    if (!st.ok()) return st.code() == Code::kInvalidArgument ? Usage(st.message()) : Fail(st);
    return kExitOk;
  }

  if (*jobs) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    archive::Records& records = (*a)->records();
    std::string now = FormatRfc3339(env->NowMicros());
    if (*jobs_retry) {
      if (retry_all == retry_id.has_value()) return Usage("jobs retry takes an ID or --all-failed");
      if (retry_all) {
        auto n = records.RetryFailedJobs(now);
        if (!n.ok()) return Fail(n.status());
        std::cout << *n << " failed job(s) queued again\n";
      } else {
        if (Status st = records.RetryJob(*retry_id, now); !st.ok()) return Fail(st);
        std::cout << "job " << *retry_id << " queued again\n";
      }
      return kExitOk;
    }
    if (*jobs_cancel) {
      if (Status st = records.CancelJob(cancel_id, now); !st.ok()) return Fail(st);
      std::cout << "job " << cancel_id << " cancelled\n";
      return kExitOk;
    }
    meta::JobFilter f;
    if (jobs_failed) f.state = meta::JobState::kFailed;
    if (!jobs_state.empty()) {
      auto st = meta::ParseJobState(jobs_state);
      if (!st.ok()) return Usage(st.status().message());
      f.state = *st;
    }
    auto listed = records.ListJobs(f);
    if (!listed.ok()) return Fail(listed.status());
    JobSources sources(a->get());
    if (jobs_json) {
      Json arr = Json::array();
      for (const auto& j : *listed) arr.push_back(JobToJson(j, sources.Of(j)));
      PrintJson({{"jobs", arr}});
      return kExitOk;
    }
    for (const auto& j : *listed) {
      std::cout << j.id << "\t" << j.kind << "\t" << j.record_id << " v" << j.version << "\t"
                << meta::JobStateName(j.state);
      // The file the record came from, beside why the job failed or what it found.
      std::string file = sources.Of(j).Describe();
      std::string said = !j.error.empty() ? j.error : j.outcome;
      if (!file.empty() || !said.empty()) {
        std::cout << "\t" << Shown(file) << (file.empty() || said.empty() ? "" : ": ")
                  << Shown(said);
      }
      std::cout << "\n";
    }
    if (listed->empty()) std::cout << (jobs_failed ? "no failed jobs\n" : "no jobs\n");
    return kExitOk;
  }

  if (*show) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    auto r = (*a)->records().Get(show_id);
    if (!r.ok()) return Fail(r.status());
    auto history = (*a)->consent().ConsentHistory(show_id);
    if (!history.ok()) return Fail(history.status());
    if (r->consent != meta::Consent::kPublic) {
      if (Status st = service::Auditor(CliScope(a->get())).Viewed(r->id, "record"); !st.ok()) {
        return Fail(st);
      }
    }
    if (show_json) {
      Json out = archive::RecordToJson(*r);
      out["consent_changes"] = archive::ConsentChangesToJson(*history, true);
      if (auto plan = (*a)->consent().PlanOf(r->id); plan.ok() && !plan->held.empty()) {
        Json held = Json::array();
        for (const auto& [v, ids] : plan->held) {
          held.push_back({{"version", v}, {"redactions", ids}});
        }
        out["held"] = held;
      }
      PrintJson(out);
      return kExitOk;
    }
    std::cout << "record     " << r->id << "\n"
              << "consent    " << meta::ConsentName(r->consent) << "\n"
              << "witness    " << (r->witness_id.empty() ? "-" : r->witness_id) << "\n"
              << "collection " << (r->collection_id.empty() ? "-" : r->collection_id) << "\n"
              << "created    " << r->created << "\n";
    for (const auto& c : *history) {
      std::cout << "  changed  " << c.at << " from " << meta::ConsentName(c.from) << " to "
                << meta::ConsentName(c.to) << " by " << Shown(c.by) << " (log leaf " << c.leaf_index
                << "): " << Shown(c.reason) << "\n";
    }
    // Versions held by a redaction or a passage's level that could not be placed in them.
    if (auto plan = (*a)->consent().PlanOf(r->id); plan.ok()) {
      for (const auto& [v, ids] : plan->held) {
        std::cout << "held       version " << v << ": ";
        for (size_t i = 0; i < ids.size(); ++i) {
          std::cout << (i ? ", " : "")
                    << (ids[i] < 0 ? "the level of segment " + std::to_string(-ids[i])
                                   : "redaction " + std::to_string(ids[i]));
        }
        std::cout << " not found in it; shown to archivists only until `attest redact " << r->id
                  << " --confirm " << v << " --reason …`\n";
      }
    }
    if (r->withdrawn_at) {
      std::cout << "withdrawn  " << *r->withdrawn_at << " (log leaf "
                << r->withdraw_leaf_index.value_or(0) << "); content erased\n";
    }
    for (const auto& v : r->versions) {
      std::cout << "version " << v.version << "  " << v.created << "  lang " << v.lang
                << "  log leaf " << v.leaf_index << "  manifest " << v.manifest_sha256 << "\n";
      // What made a derived version, in a line: "transcript of v1 by whisper.cpp 1.9.1 with …".
      if (auto m = ParseJson(v.manifest, "manifest"); m.ok() && m->contains("derived")) {
        const Json& d = (*m)["derived"];
        std::cout << "  made     " << Shown(StringMember(d, "artifact")) << " of v"
                  << d.value("from", 0) << " by " << Shown(StringMember(d, "tool")) << " "
                  << Shown(StringMember(d, "tool_version"));
        if (d.contains("models") && d["models"].is_array()) {
          for (const Json& model : d["models"]) {
            std::cout << ", " << Shown(StringMember(model, "name"));
          }
        }
        if (StringMember(d, "artifact") == "translation") std::cout << " (machine translation)";
        std::cout << "\n";
      }
      for (const auto& b : v.blobs) {
        std::cout << "  " << b.role << "  " << b.sha256 << "  " << b.size << " bytes\n";
      }
    }
    return kExitOk;
  }

  if (*list) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    auto recs = (*a)->records().List();
    if (!recs.ok()) return Fail(recs.status());
    if (list_json) {
      Json arr = Json::array();
      for (const auto& r : *recs) arr.push_back(archive::RecordToJson(r));
      PrintJson({{"records", arr}});
      return kExitOk;
    }
    for (const auto& r : *recs) {
      std::cout << r.id << "\t" << meta::ConsentName(r.consent) << "\t" << r.versions.size()
                << (r.versions.size() == 1 ? " version" : " versions") << "\t"
                << (r.versions.empty() ? "" : r.versions.back().lang) << "\t"
                << (r.witness_id.empty() ? "-" : r.witness_id) << "\t" << r.created << "\n";
    }
    return kExitOk;
  }

  if (*withdraw) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    auto w = (*a)->consent().Withdraw(withdraw_id, reason, CliActor());
    if (!w.ok()) return Fail(w.status());
    if (withdraw_json) {
      PrintJson({{"id", withdraw_id},
                 {"leaf_index", w->leaf_index},
                 {"already_withdrawn", w->already_withdrawn},
                 {"blobs_erased", w->blobs_to_erase.size()}});
    } else {
      std::cout << "Withdrew " << withdraw_id << ": " << w->blobs_to_erase.size()
                << " blob(s) erased; the log keeps its commitment (leaf " << w->leaf_index << ")\n";
    }
    return kExitOk;
  }

  if (*redact) {
    // "A:B" as two non-negative numbers.
    auto span = [](const std::string& flag, const std::string& v,
                   std::optional<std::pair<int64_t, int64_t>>* out) -> std::string {
      if (v.empty()) return "";
      size_t colon = v.find(':');
      auto number = [](const std::string& x) {
        return !x.empty() && x.size() <= 12 &&
               x.find_first_not_of("0123456789") == std::string::npos;
      };
      if (colon == std::string::npos || !number(v.substr(0, colon)) ||
          !number(v.substr(colon + 1))) {
        return flag + " '" + v + "' is not FROM:TO";
      }
      *out = std::make_pair(std::stoll(v.substr(0, colon)), std::stoll(v.substr(colon + 1)));
      return "";
    };
    std::optional<std::pair<int64_t, int64_t>> chars, ms;
    if (auto e = span("--chars", redact_chars, &chars); !e.empty()) return Usage(e);
    if (auto e = span("--ms", redact_ms, &ms); !e.empty()) return Usage(e);
    if ((redact_segment > 0) == (redact_confirm > 0)) {
      return Usage("give --segment N (a span to hide) or --confirm N (a held version), one");
    }
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    if (redact_confirm > 0) {
      auto done =
          (*a)->consent().ConfirmRedactions(redact_id, redact_confirm, redact_reason, CliActor());
      if (!done.ok()) {
        return done.status().code() == Code::kInvalidArgument ? Usage(done.status().message())
                                                              : Fail(done.status());
      }
      if (redact_json) {
        PrintJson({{"record", redact_id}, {"version", redact_confirm}, {"confirmed", *done}});
      } else {
        std::cout << "Version " << redact_confirm << " of " << redact_id
                  << " confirmed: shown again with the marks that could be placed in it\n";
      }
      return kExitOk;
    }
    auto r =
        (*a)->consent().Redact(redact_id, redact_segment, chars, ms, redact_reason, CliActor());
    if (!r.ok()) {
      return r.status().code() == Code::kInvalidArgument ? Usage(r.status().message())
                                                         : Fail(r.status());
    }
    if (redact_json) {
      PrintJson({{"id", r->id}, {"record", r->record_id}, {"segment", r->segment_id}});
    } else {
      std::cout << "Redacted segment " << r->segment_id << " of " << r->record_id
                << ": hidden from search for everyone, and shown as a gap to all but "
                << "archivists\n";
    }
    return kExitOk;
  }

  if (*witness_cmd) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    bool sets = !witness_set.community.empty() || !witness_set.languages.empty() ||
                !witness_set.name.empty() || (witness_form.empty() && !witness_forms);
    if (sets) {
      if (Status st = (*a)->records().SetWitness(witness_set); !st.ok()) return Fail(st);
      std::cerr << "Set witness " << witness_set.id << "\n";
    }
    if (!witness_form.empty()) {
      auto f = (*a)->consent().AttachConsentForm(witness_set.id, witness_form, CliActor());
      if (!f.ok()) {
        return f.status().code() == Code::kInvalidArgument ? Usage(f.status().message())
                                                           : Fail(f.status());
      }
      std::cerr << "Attached consent form " << f->id << " (" << f->mime << ", " << f->size
                << " bytes) to witness " << witness_set.id << ", stored encrypted\n";
    }
    if (witness_forms || witness_json) {
      auto listed = (*a)->consent().ListWitnessForms(witness_set.id);
      if (!listed.ok()) return Fail(listed.status());
      Json arr = Json::array();
      for (const auto& f : *listed) {
        Json j = meta::WitnessFormJson(f);
        j["added_by"] = f.added_by;
        arr.push_back(j);
        if (!witness_json) {
          std::cout << f.id << "\t" << f.added << "\t" << f.mime << "\t" << f.size << "\t"
                    << Shown(f.file_name) << "\n";
        }
      }
      if (witness_json) PrintJson({{"witness", witness_set.id}, {"consent_forms", arr}});
    }
    return kExitOk;
  }

  if (*edit) {
    auto m = ParseJson(edit_meta, "--meta");
    if (!m.ok()) return Usage(m.status().message());
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    auto v = (*a)->records().EditMetadata(edit_id, *m);
    if (!v.ok()) return Fail(v.status());
    if (edit_json) {
      PrintJson({{"id", edit_id}, {"version", v->version}, {"leaf_index", v->leaf_index}});
    } else {
      std::cout << "Edited " << edit_id << ": version " << v->version << " (log leaf "
                << v->leaf_index << ")\n";
    }
    return kExitOk;
  }

  if (*consent_cmd) {
    auto level = meta::ParseConsent(consent_level);
    if (!level.ok()) return Usage(level.status().message());
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    std::optional<archive::Consents::Seal> seal;
    if (*level == meta::Consent::kSealed || !consent_until.empty() || !consent_then.empty()) {
      auto then = meta::ParseConsent(consent_then);
      if (!then.ok()) return Usage("a seal needs --until YYYY-MM-DD and --then LEVEL");
      seal = archive::Consents::Seal{consent_until, *then};
    }
    auto c = (*a)->consent().ChangeConsent(consent_id, *level, consent_reason, CliActor(),
                                           seal ? &*seal : nullptr, consent_segment);
    if (!c.ok()) return Fail(c.status());
    if (consent_json) {
      Json out = {{"id", consent_id}, {"consent", consent_level}, {"changed", c->has_value()}};
      if (consent_segment > 0) out["segment"] = consent_segment;
      if (*c) {
        out["from"] = meta::ConsentName((*c)->from);
        out["leaf_index"] = (*c)->leaf_index;
      }
      PrintJson(out);
    } else if (*c) {
      std::cout << "Changed " << consent_id
                << (consent_segment > 0 ? " segment " + std::to_string(consent_segment) : "")
                << " from " << meta::ConsentName((*c)->from) << " to " << consent_level
                << " (log leaf " << (*c)->leaf_index << ")\n";
    } else {
      std::cout << consent_id
                << (consent_segment > 0 ? " segment " + std::to_string(consent_segment) : "")
                << " is " << consent_level << " already; nothing changed\n";
    }
    return kExitOk;
  }

  if (*verify) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    auto rep = (*a)->verifier().Verify();
    if (!rep.ok()) return Fail(rep.status());
    if (verify_json) {
      PrintJson(rep->ToJson());
    } else {
      std::cout << (rep->ok ? "intact" : "DAMAGED") << ": log size " << rep->log_size << ", root "
                << rep->root << "\n"
                << rep->records << " records, " << rep->versions << " versions, "
                << rep->blobs_checked << " blobs re-hashed (" << rep->bytes_hashed << " bytes)\n";
      for (const auto& id : rep->withdrawn) std::cout << "withdrawn: " << id << "\n";
      if (rep->unreferenced_blobs) {
        std::cout << rep->unreferenced_blobs
                  << " stored blob(s) belong to no record (left by an interrupted add)\n";
      }
      for (const auto& p : rep->problems) {
        std::cout << "problem: " << p.kind;
        if (!p.record.empty()) std::cout << " record " << p.record;
        if (p.version) std::cout << " version " << p.version;
        if (!p.blob.empty()) std::cout << " blob " << p.blob;
        std::cout << ": " << Shown(p.detail) << "\n";
      }
    }
    return rep->ok ? kExitOk : kExitFailure;
  }

  if (*log) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    if (*log_key) {
      std::cout << (*a)->verifier().VerifierKey() << "\n";
      return kExitOk;
    }
    if (*log_cp) {
      auto cp = (*a)->verifier().Checkpoint();
      if (!cp.ok()) return Fail(cp.status());
      std::cout << cp->note;
      return kExitOk;
    }
    if (*log_prove) {
      auto p = (*a)->verifier().Prove(prove_id, prove_version);
      if (!p.ok()) return Fail(p.status());
      PrintJson(p->ToJson());
      return kExitOk;
    }
    if (*log_cons) {
      auto c = (*a)->verifier().ProveConsistency(from_size, to_size);
      if (!c.ok()) {
        return c.status().code() == Code::kInvalidArgument ? Usage(c.status().message())
                                                           : Fail(c.status());
      }
      PrintJson(c->ToJson());
      return kExitOk;
    }
  }

  if (*vproof) {
    auto text = env->ReadFile(proof_path);
    if (!text.ok()) return Fail(text.status());
    std::string key = vkey;
    if (env->FileExists(vkey)) {
      auto k = env->ReadFile(vkey);
      if (!k.ok()) return Fail(k.status());
      key = *k;
      while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    }
    std::optional<std::string> file;
    if (!original.empty()) file = original;
    auto check = archive::VerifyProof(env, *text, key, file);
    if (!check.ok()) {
      if (vproof_json) {
        PrintJson({{"ok", false}, {"error", check.status().message()}});
        return kExitFailure;
      }
      std::cerr << "attest: proof REJECTED: " << check.status().message() << "\n";
      return kExitFailure;
    }
    if (vproof_json) {
      PrintJson(check->ToJson());
    } else {
      std::cout << "ok: record " << check->record << " version " << check->version << " ("
                << check->kind << ") is leaf " << check->leaf_index << " of log " << check->origin
                << " at size " << check->tree_size << ", signed by the given key\n";
      if (check->file_checked)
        std::cout << "ok: " << original << " is what that version committed to\n";
    }
    return kExitOk;
  }

  if (*search) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    search::SearchRequest req;
    req.query = query;
    // The index databases of the levels the operator may read.
    req.role = service::SearchRole(CliSubject());
    req.limit = search_limit;
    req.cursor = search_cursor;
    req.per_record = per_record;
    req.exact_counts = exact_counts;
    auto r = (*a)->finder().Search(req);
    if (!r.ok()) {
      return r.status().code() == Code::kInvalidArgument ? Usage(r.status().message())
                                                         : Fail(r.status());
    }
    if (search_json) {
      PrintJson(archive::SearchResultsToJson(*r));
      return kExitOk;
    }
    std::cout << (r->counts_exact ? "" : "about ") << r->total_estimate << " segment(s) in "
              << (r->counts_exact ? "" : "about ") << r->records_estimate << " record(s)\n";
    for (const auto& [name, counts] : {std::pair{"language", &r->lang_facets},
                                       {"collection", &r->collection_facets},
                                       {"place", &r->place_facets},
                                       {"month", &r->month_facets}}) {
      if (counts->empty()) continue;
      std::cout << "  " << name << ":";
      for (const auto& [value, n] : *counts) std::cout << "  " << Shown(value) << " " << n;
      std::cout << "\n";
    }
    if (r->facet_sample > 1) {
      std::cout << "  (facets estimated from 1 in " << r->facet_sample
                << " matching segments; --exact-counts counts them all)\n";
    }
    for (const auto& g : r->records) {
      std::cout << "\n" << g.record_id;
      if (!g.witness_id.empty()) std::cout << "  witness " << g.witness_id;
      if (!g.collection_id.empty()) std::cout << "  collection " << g.collection_id;
      std::cout << "  (" << g.matching_segments << " segment(s))\n";
      for (const auto& h : g.hits) {
        std::string marked;
        size_t at = 0;
        for (const auto& [s, e] : h.highlights) {
          marked += h.snippet.substr(at, s - at) + "[" + h.snippet.substr(s, e - s) + "]";
          at = e;
        }
        marked += h.snippet.substr(at);
        std::cout << "  v" << h.version << " [" << h.lang << "]";
        if (h.start_ms >= 0) std::cout << " @" << h.start_ms / 1000 << "s";
        if (h.page >= 0) std::cout << " p." << h.page;
        if (!h.char_ranges.empty()) std::cout << " char " << h.char_ranges[0].first;
        std::cout << "  " << Shown(marked) << "\n";
      }
    }
    if (!r->next_cursor.empty()) {
      std::cout << "\nmore: attest search ... --cursor " << r->next_cursor << "\n";
    }
    return kExitOk;
  }

  if (*ask) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    auto r = service::Ask(CliScope(a->get()), ask_req);
    if (!r.ok()) {
      return r.status().code() == Code::kInvalidArgument ? Usage(r.status().message())
                                                         : Fail(r.status());
    }
    if (ask_json) {
      PrintJson(*r);
      return kExitOk;
    }
    for (const auto& notice : (*r)["notices"])
      std::cout << "note: " << Shown(notice.get<std::string>()) << "\n";
    if ((*r)["groups"].empty()) std::cout << "No witness's words were found for this question.\n";
    for (const auto& g : (*r)["groups"]) {
      std::cout << "\n[" << g["n"].get<int>() << "] witness "
                << Shown(g["witness"].get<std::string>());
      if (!g["community"].get<std::string>().empty())
        std::cout << " (" << Shown(g["community"].get<std::string>()) << ")";
      std::cout << ", " << Shown(g["lang"].get<std::string>()) << "\n";
      std::cout << "    " << Shown(g["passage"]["text"].get<std::string>()) << "\n";
      std::cout << "    " << Shown(g["citation"].get<std::string>()) << "\n";
      for (const auto& m : g["more"]) {
        std::cout << "    also: " << Shown(m["snippet"].get<std::string>()) << " ("
                  << Shown(m["href"].get<std::string>()) << ")\n";
      }
    }
    if ((*r)["summary"].is_object()) {
      const Json& sm = (*r)["summary"];
      std::cout << "\n"
                << Shown(sm["label"].get<std::string>()) << " (not testimony): "
                << Shown(sm.contains("error") ? sm["error"].get<std::string>()
                                              : sm["text"].get<std::string>())
                << "\n";
    }
    std::cout << "\nEvery version cited is in the log under checkpoint "
              << (*r)["checkpoint"]["size"].get<uint64_t>() << " of "
              << (*r)["checkpoint"]["origin"].get<std::string>() << " (attest log checkpoint).\n";
    return kExitOk;
  }

  if (*names) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    if (*names_add) {
      if (Status st = (*a)->indexer().AddName(name_arg, name_kind); !st.ok()) {
        return st.code() == Code::kInvalidArgument ? Usage(st.message()) : Fail(st);
      }
      std::cout << "Listed " << name_kind << " '" << name_arg
                << "': searches for it now also find it in other scripts\n";
      return kExitOk;
    }
    if (*names_remove) {
      auto removed = (*a)->indexer().RemoveName(name_arg);
      if (!removed.ok()) return Fail(removed.status());
      if (!*removed) return Fail(Status::NotFound("'" + name_arg + "' is not listed"));
      std::cout << "Removed '" << name_arg << "'\n";
      return kExitOk;
    }
    auto listed = (*a)->indexer().ListNames();
    if (!listed.ok()) return Fail(listed.status());
    if (names_json) {
      Json j = Json::array();
      for (const auto& [n, k] : *listed) j.push_back({{"name", n}, {"kind", k}});
      PrintJson(j);
      return kExitOk;
    }
    for (const auto& [n, k] : *listed) std::cout << Shown(k) << "\t" << Shown(n) << "\n";
    return kExitOk;
  }

  if (*link) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    archive::Accounts& accounts = (*a)->accounts();
    std::string now = FormatRfc3339(env->NowMicros());
    if (*link_create) {
      auto w = accounts.CreateWitnessLink(link_witness);
      if (!w.ok()) {
        return w.status().code() == Code::kInvalidArgument ? Usage(w.status().message())
                                                           : Fail(w.status());
      }
      Status audited = service::Auditor(CliScope(a->get())).LinkCreated(w->link.id, link_witness);
      if (!audited.ok()) return Fail(audited);
      if (link_json) {
        PrintJson({{"id", w->link.id}, {"witness", link_witness}, {"token", w->secret}});
      } else {
        std::cout << w->secret << "\n";
        std::cerr << "Link " << w->link.id << " for witness " << link_witness
                  << ": shown once, stored only as its SHA-256. Give it to the witness only; "
                  << "with it they read /api/v1/me and ask for changes (doc/api.md).\n";
      }
      return kExitOk;
    }
    auto revoked = accounts.RevokeWitnessLink(link_id, now);
    if (!revoked.ok()) return Fail(revoked.status());
    if (!*revoked) return Fail(Status::NotFound("no unrevoked link with id '" + link_id + "'"));
    Status audited = service::Auditor(CliScope(a->get())).LinkRevoked(link_id);
    if (!audited.ok()) return Fail(audited);
    std::cout << "Revoked " << link_id << "\n";
    return kExitOk;
  }

  if (*requests) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    auto listed = (*a)->consent().ListWitnessRequests();
    if (!listed.ok()) return Fail(listed.status());
    if (requests_json) {
      Json arr = Json::array();
      for (const auto& q : *listed) {
        arr.push_back({{"id", q.id},
                       {"witness", q.witness_id},
                       {"record", q.record_id},
                       {"kind", q.kind},
                       {"consent", q.level},
                       {"message", q.message},
                       {"link", q.link_id},
                       {"created", q.created}});
      }
      PrintJson({{"requests", arr}});
      return kExitOk;
    }
    for (const auto& q : *listed) {
      std::cout << q.id << "\t" << q.created << "\t" << q.witness_id << "\t" << q.record_id << "\t"
                << q.kind << (q.level.empty() ? "" : " " + q.level) << "\t" << Shown(q.message)
                << "\n";
    }
    if (listed->empty()) std::cerr << "No requests from witnesses.\n";
    return kExitOk;
  }

  if (*audit) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    auto entries = (*a)->audit().List(audit_since, audit_actor);
    if (!entries.ok()) return Fail(entries.status());
    if (audit_json) {
      Json arr = Json::array();
      for (const auto& e : *entries) arr.push_back(meta::AuditJson(e));
      PrintJson({{"entries", arr}});
      return kExitOk;
    }
    for (const auto& e : *entries) {
      std::cout << e.id << "\t" << e.at << "\t" << Shown(e.actor) << "\t" << e.action << "\t"
                << (e.target.empty() ? "-" : Shown(e.target)) << "\t" << Shown(e.detail) << "\n";
    }
    if (entries->empty()) {
      std::cerr << (audit_since.empty() && audit_actor.empty() ? "No audit entries yet.\n"
                                                               : "No audit entries match.\n");
    }
    return kExitOk;
  }

  if (*user) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    archive::Accounts& accounts = (*a)->accounts();
    std::string now = FormatRfc3339(env->NowMicros());
    auto audit = [&](const char* action, const Json& detail) -> int {
      Status audited = service::Auditor(CliScope(a->get())).UserChanged(action, user_name, detail);
      return audited.ok() ? kExitOk : Fail(audited);
    };
    if (*user_list) {
      auto listed = accounts.ListUsers();
      if (!listed.ok()) return Fail(listed.status());
      if (user_json) {
        Json arr = Json::array();
        for (const auto& u : *listed) {
          arr.push_back({{"id", u.id},
                         {"name", u.name},
                         {"role", u.role},
                         {"created", u.created},
                         {"disabled", u.disabled}});
        }
        PrintJson({{"users", arr}});
        return kExitOk;
      }
      for (const auto& u : *listed) {
        std::cout << u.name << "\t" << u.role << "\t" << u.created
                  << (u.disabled.empty() ? "" : "\tdisabled " + u.disabled) << "\n";
      }
      if (listed->empty()) std::cerr << "No accounts yet (attest user add NAME --role ROLE).\n";
      return kExitOk;
    }
    if (*user_add || *user_password) {
      if (Status st = access::CheckUserName(user_name); !st.ok()) return Usage(st.message());
      std::optional<access::Role> role;
      if (*user_add) {
        auto r = access::ParseRole(user_role_name);
        if (!r.ok()) return Usage(r.status().message());
        role = *r;
        auto existing = accounts.FindUser(user_name);
        if (!existing.ok()) return Fail(existing.status());
        if (*existing)
          return Fail(Status::Conflict("there is already an account named '" + user_name + "'"));
      }
      auto password = ReadPassword("Password for " + user_name + ": ");
      if (!password.ok()) return Usage(password.status().message());
      if (Status st = access::CheckPassword(*password); !st.ok()) return Usage(st.message());
      if (*user_add) {
        auto u = accounts.CreateUser(user_name, *role, *password);
        if (!u.ok()) return Fail(u.status());
        if (int rc = audit("user.add", {{"role", u->role}}); rc != kExitOk) return rc;
        std::cout << "Added " << u->name << " (" << u->role << ")\n";
        return kExitOk;
      }
      if (Status st = accounts.ChangePassword(user_name, *password); !st.ok()) {
        return Fail(st);
      }
      if (int rc = audit("user.password", Json()); rc != kExitOk) return rc;
      std::cout << "Changed the password of " << user_name << "; its sessions have ended\n";
      return kExitOk;
    }
    auto found = accounts.FindUser(user_name);
    if (!found.ok()) return Fail(found.status());
    if (!*found) return Fail(Status::NotFound("there is no account named '" + user_name + "'"));
    if (*user_role) {
      auto r = access::ParseRole(user_role_name);
      if (!r.ok()) return Usage(r.status().message());
      auto changed = accounts.SetUserRole(user_name, access::RoleName(*r));
      if (!changed.ok()) return Fail(changed.status());
      if (int rc = audit("user.role", {{"from", (*found)->role}, {"to", access::RoleName(*r)}});
          rc != kExitOk) {
        return rc;
      }
      std::cout << user_name << " is now " << access::RoleName(*r) << "; its sessions have ended\n";
      return kExitOk;
    }
    auto changed = accounts.SetUserDisabled(user_name, *user_disable ? now : "");
    if (!changed.ok()) return Fail(changed.status());
    if (int rc = audit(*user_disable ? "user.disable" : "user.enable", Json()); rc != kExitOk) {
      return rc;
    }
    std::cout << (*user_disable ? "Disabled " : "Enabled ") << user_name << "\n";
    return kExitOk;
  }

  if (*token) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    archive::Accounts& accounts = (*a)->accounts();
    if (*token_create) {
      auto role = access::ParseRole(token_role);
      if (!role.ok()) return Usage(role.status().message());
      auto t = accounts.CreateToken(*role, token_label, token_expires);
      if (!t.ok()) {
        return t.status().code() == Code::kInvalidArgument ? Usage(t.status().message())
                                                           : Fail(t.status());
      }
      Status audited = service::Auditor(CliScope(a->get())).TokenCreated(t->token.id, t->token.role);
      if (!audited.ok()) return Fail(audited);
      if (token_json) {
        PrintJson({{"id", t->token.id},
                   {"role", t->token.role},
                   {"token", t->secret},
                   {"expires", t->token.expires}});
      } else {
        std::cout << t->secret << "\n";
        std::cerr << "Token " << t->token.id << " (" << t->token.role
                  << "): shown once, stored only as its SHA-256. Send it as "
                  << "'Authorization: Bearer TOKEN'.\n";
      }
      return kExitOk;
    }
    if (*token_revoke) {
      auto revoked = accounts.RevokeToken(token_id, FormatRfc3339(env->NowMicros()));
      if (!revoked.ok()) return Fail(revoked.status());
      if (!*revoked) return Fail(Status::NotFound("no unrevoked token with id '" + token_id + "'"));
      Status audited = service::Auditor(CliScope(a->get())).TokenRevoked(token_id);
      if (!audited.ok()) return Fail(audited);
      std::cout << "Revoked " << token_id << "\n";
      return kExitOk;
    }
    auto listed = accounts.ListTokens();
    if (!listed.ok()) return Fail(listed.status());
    Json arr = Json::array();
    for (const auto& t : *listed) {
      arr.push_back({{"id", t.id},
                     {"role", t.role},
                     {"label", t.label},
                     {"created", t.created},
                     {"expires", t.expires},
                     {"revoked", t.revoked}});
    }
    if (token_json) {
      PrintJson({{"tokens", arr}});
    } else {
      for (const auto& t : *listed) {
        std::cout << t.id << "  " << t.role << "  " << t.created
                  << (t.revoked.empty() ? "" : "  revoked " + t.revoked)
                  << (t.expires.empty() ? "" : "  expires " + t.expires) << "  " << Shown(t.label)
                  << "\n";
      }
    }
    return kExitOk;
  }

  if (*models) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    archive::Models& registry = (*a)->models();
    auto model_json = [](const meta::ModelFile& m) {
      Json j = {{"sha256", m.sha256}, {"kind", m.kind}, {"name", m.name},
                {"path", m.path},     {"size", m.size}, {"added", m.added}};
      if (auto info = ParseJson(m.info, "model info"); info.ok()) j["info"] = *info;
      return j;
    };
    if (*models_add) {
      auto added =
          model_kind == "embedding"
              ? ingest::AddEmbeddingModel(env, a->get(), model_path, {query_prefix, passage_prefix})
              : ingest::AddModel(env, a->get(), model_path);
      if (!added.ok()) return Fail(added.status());
      if (model_kind == "embedding") {
        // The semantic index is built now (it follows the database from here on).
        if (Status st = (*a)->semantic().SyncSemantic(); !st.ok()) return Fail(st);
      }
      if (models_json) {
        Json j = model_json(added->model);
        j["woken"] = added->woken;
        PrintJson(j);
      } else {
        std::cout << "Registered " << Shown(added->model.name) << " (" << added->model.kind << ", "
                  << added->model.sha256 << ")\n";
        if (added->woken > 0) {
          std::cout << added->woken << " waiting transcription job(s) queued: run `attest "
                    << "worker` to run them\n";
        }
      }
      return kExitOk;
    }
    if (*models_remove) {
      auto m = registry.Find(model_sha);
      if (!m.ok()) {
        return m.status().code() == Code::kInvalidArgument ? Usage(m.status().message())
                                                           : Fail(m.status());
      }
      auto removed = registry.Remove(m->sha256);
      if (!removed.ok()) return Fail(removed.status());
      std::cout << "Removed " << Shown(m->name) << " (" << m->sha256
                << ") from the registry; the file "
                << "is untouched, and transcripts it made keep naming it\n";
      return kExitOk;
    }
    if (*models_translate) {
      if (Status st = registry.SetTranslate(translate_arg == "on"); !st.ok()) return Fail(st);
      std::cout << (translate_arg == "on"
                        ? "Transcripts made from now on also get an English translation, "
                          "labelled as machine translation\n"
                        : "No more translations will be made\n");
      return kExitOk;
    }
    auto listed = registry.List("");
    if (!listed.ok()) return Fail(listed.status());
    // Why the semantic index could not follow the archive, the last time it tried.
    auto semantic = (*a)->semantic().Status();
    if (!semantic.ok()) return Fail(semantic.status());
    std::string problem = semantic->error;
    if (models_json) {
      Json arr = Json::array();
      for (const auto& m : *listed) arr.push_back(model_json(m));
      Json out = {{"models", arr}};
      if (!problem.empty()) out["semantic_error"] = problem;
      PrintJson(out);
      return kExitOk;
    }
    if (!problem.empty()) {
      std::cout << "the semantic index could not follow the archive: " << Shown(problem)
                << " (Ask answers without it until this is mended)\n";
    }
    for (size_t i = 0; i < listed->size(); ++i) {
      const auto& m = (*listed)[i];
      std::string shape;
      if (auto info = ParseJson(m.info, "model info"); info.ok()) {
        shape = StringMember(*info, "shape");
      }
      bool used = i == 0 || (*listed)[i - 1].kind != m.kind;
      std::cout << m.sha256.substr(0, 12) << "\t" << m.kind << "\t" << Shown(shape) << "\t"
                << Shown(m.name) << "\t" << Shown(m.path) << (used ? "\t(in use)" : "") << "\n";
    }
    if (listed->empty()) {
      std::cout << "no model is registered: audio and video wait for one (doc/speech.md)\n";
    }
    return kExitOk;
  }

  if (*transcript) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    if (*tr_export) {
      auto doc = service::ExportTranscript(CliScope(a->get()), tr_id, tr_version);
      if (!doc.ok()) return Fail(doc.status());
      auto out = ingest::FormatTranscript(*doc, tr_format);
      if (!out.ok()) return Usage(out.status().message());
      std::cout << Shown(*out, TextLayout::kLines) << std::flush;
      return kExitOk;
    }
    auto v = ingest::ImportTranscript(env, a->get(), tr_id, tr_file, tr_by, tr_from);
    if (!v.ok()) return Fail(v.status());
    std::cout << "Added " << tr_id << " version " << v->version << " (the transcript from "
              << Shown(tr_file) << ", human correction); leaf " << v->leaf_index << "\n";
    return kExitOk;
  }

  if (*reindex) {
    auto a = open();
    if (!a.ok()) return Fail(a.status());
    if (Status st = (*a)->indexer().Reindex(); !st.ok()) return Fail(st);
    if (Status st = (*a)->semantic().RebuildSemantic(); !st.ok()) return Fail(st);
    std::cout << "Rebuilt the search index from the database\n";
    return kExitOk;
  }

  if (*serve) {
    auto a = open();  // fail early, with a clear message, if the archive cannot be opened
    if (!a.ok()) return Fail(a.status());
    a->reset();
    return Serve(env, archive_dir, listen, "", serve_log, serve_cache_mb, serve_threads,
                 serve_behind_proxy);
  }

  if (*demo) {
    std::string dir = demo_dir;
    if (dir.empty()) {
      char tmpl[] = "/tmp/attest-demo-XXXXXX";
      if (!mkdtemp(tmpl)) return Fail(Status::IOError("cannot create a temporary directory"));
      dir = tmpl;
    }
    ingest::DemoOptions demo_options;
    demo_options.speech_model = demo_model;
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
    if (demo_no_serve) {
      std::cout << banner;
      return kExitOk;
    }
    return Serve(env, dir, demo_listen, banner, false);
  }
  return kExitUsage;
}

}  // namespace attest::cli

int main(int argc, char** argv) { return attest::cli::Main(argc, argv); }
