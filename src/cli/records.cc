#include "cli/records.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/archive.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "core/json.h"
#include "ingest/add_note.h"
#include "ingest/import.h"
#include "ingest/transcripts.h"
#include "service/auditor.h"
#include "service/transcript.h"
#include "service/writes.h"

namespace attest::cli {
namespace {

struct InitArgs {
  std::string dir, origin;
};

int Init(Common& c, const InitArgs& o) {
  Status st = archive::Archive::Init(c.env, o.dir, o.origin);
  if (!st.ok()) return UsageOrFail(st);
  auto a = archive::Archive::Open(c.env, o.dir);
  if (!a.ok()) return Fail(a.status());
  std::cout << "Created archive " << o.dir
            << "\nLog verifier key: " << (*a)->verifier().VerifierKey() << "\n";
  return kExitOk;
}

struct AddArgs {
  std::vector<std::string> files;
  std::string witness, collection, lang = "und", consent = "restricted", meta_json, record_id;
  bool json = false;
  std::vector<std::string> places;
  std::string date;
  bool wait = false;
  int jobs = 1;
};

// The options of `add` as the archive takes them; an error names what is wrong in them.
Result<archive::AddOptions> AddOptionsOf(const AddArgs& o) {
  archive::AddOptions opts;
  opts.witness = o.witness;
  opts.collection = o.collection;
  opts.lang = o.lang;
  opts.record_id = o.record_id;
  auto consent = meta::ParseConsent(o.consent);
  if (!consent.ok()) return consent.status();
  opts.consent = *consent;
  if (!o.meta_json.empty()) {
    auto m = ParseJson(o.meta_json, "--meta");
    if (!m.ok()) return m.status();
    if (!m->is_object()) {
      return Status::InvalidArgument("--meta must be a JSON object, like {\"title\":\"...\"}");
    }
    opts.meta = *m;
  }
  opts.places = o.places;
  opts.date = o.date;
  opts.added_by = CliActor();
  if (Status st = archive::ValidateAddOptions(opts, o.files.size()); !st.ok()) return st;
  return opts;
}

// The jobs of a batch that failed, each beside the file its record came from.
struct FailedJobs {
  std::vector<meta::Job> jobs;
  std::vector<archive::FileSource> sources;
};

// `add --wait`: runs the jobs of `batch` here, then finds those that failed.
Status RunAddedJobs(Common& c, const std::string& batch, int threads, FailedJobs* failed) {
  Status st = RunBatch(c.env, c.archive_dir, batch, threads);
  if (!st.ok()) return st.WithContext("the files were stored and logged; running jobs");
  auto again = c.Open();
  if (!again.ok()) return again.status();
  auto listed = (*again)->records().ListJobs({meta::JobState::kFailed, batch, "", 0});
  if (!listed.ok()) return listed.status();
  failed->jobs = *listed;
  JobSources sources(again->get());
  for (const auto& j : failed->jobs) failed->sources.push_back(sources.Of(j));
  return Status::Ok();
}

void PrintAdded(const AddArgs& o, const std::vector<archive::Added>& added,
                const std::vector<std::string>& notes, const FailedJobs& failed) {
  if (o.json) {
    Json recs = Json::array();
    for (size_t i = 0; i < added.size(); ++i) {
      const archive::Added& x = added[i];
      recs.push_back({{"id", x.id},
                      {"version", x.version},
                      {"file", IsValidUtf8(x.file) ? x.file : std::string()},
                      {"sha256", x.sha256},
                      {"size", x.size},
                      {"leaf_index", x.leaf_index}});
      if (!notes[i].empty() && IsValidUtf8(notes[i])) recs.back()["note"] = notes[i];
    }
    Json out = {{"records", recs}};
    if (!added.empty()) out["batch"] = added.front().batch;
    if (o.wait) {
      Json f = Json::array();
      for (size_t i = 0; i < failed.jobs.size(); ++i) {
        f.push_back(JobToJson(failed.jobs[i], failed.sources[i]));
      }
      out["failed_jobs"] = f;
    }
    PrintJson(out);
    return;
  }
  for (const auto& x : added) {
    std::cout << x.id << "\tv" << x.version << "\t" << x.sha256 << "\t" << Shown(x.file) << "\n";
  }
  for (const auto& note : notes) {
    if (!note.empty()) std::cerr << "note: " << Shown(note) << "\n";
  }
  if (!o.wait) {
    std::cerr << "Stored and logged. Text extraction and indexing are queued: run attest "
                 "worker, or add with --wait.\n";
  }
}

// Each failed job on standard error; kExitFailure if there is one.
int ReportFailedJobs(const FailedJobs& failed) {
  for (size_t i = 0; i < failed.jobs.size(); ++i) {
    const meta::Job& j = failed.jobs[i];
    std::string file = failed.sources[i].Describe();
    std::cerr << "attest: " << (file.empty() ? "" : Shown(file) + ": ") << "job " << j.id << " ("
              << j.kind << " of " << j.record_id << " v" << j.version
              << ") failed: " << Shown(j.error) << "\n";
  }
  if (!failed.jobs.empty()) {
    std::cerr << "attest: the files were stored and logged, but " << failed.jobs.size()
              << " job(s) failed; see attest jobs --failed\n";
    return kExitFailure;
  }
  return kExitOk;
}

int Add(Common& c, const AddArgs& o) {
  auto opts = AddOptionsOf(o);
  if (!opts.ok()) return Usage(opts.status().message());
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  auto added = (*a)->records().Add(o.files, *opts);
  if (!added.ok()) return Fail(added.status());
  // Content decides what a file is; a name that says otherwise is pointed out, not refused.
  std::vector<std::string> notes;
  for (const auto& x : *added) {
    auto note = ingest::AddedFileNote(a->get(), x);
    notes.push_back(note.ok() ? *note : "");
  }
  FailedJobs failed;
  if (o.wait && !added->empty()) {
    a->reset();  // the worker opens the archive itself, once a thread
    Status st = RunAddedJobs(c, added->front().batch, o.jobs, &failed);
    if (!st.ok()) return Fail(st);
  }
  PrintAdded(o, *added, notes, failed);
  return ReportFailedJobs(failed);
}

struct ImportArgs {
  std::string manifest, base;
  bool dry = false, json = false, wait = false;
  int jobs = 1;
};

int Import(Common& c, const ImportArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  auto rep = ingest::Import(a->get(), o.manifest, o.base, o.dry);
  if (!rep.ok()) return UsageOrFail(rep.status());
  if (o.wait && !o.dry && !rep->imported.empty()) {
    a->reset();
    Status st = RunBatch(c.env, c.archive_dir, rep->batch, o.jobs);
    if (!st.ok()) return Fail(st.WithContext("the rows were imported; running their jobs"));
  }
  std::string name = BaseName(o.manifest);
  if (o.json) {
    Json imported = Json::array(), skipped = Json::array(), errors = Json::array();
    for (const auto& r : rep->imported) {
      imported.push_back({{"line", r.line}, {"id", r.id}, {"record", r.record}, {"file", r.file}});
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
               {"dry_run", o.dry},
               {"batch", rep->batch}});
  } else {
    std::cerr << Shown(rep->ProblemsText(name), TextLayout::kLines);
    std::cout << (o.dry ? "would import " : "imported ") << rep->imported.size() << " row(s); "
              << rep->skipped.size() << " imported before; " << rep->problems.size()
              << " bad row problem(s)\n";
  }
  return rep->problems.empty() ? kExitOk : kExitFailure;
}

struct ShowArgs {
  std::string id;
  bool json = false;
};

// `show` without --json.
void PrintRecord(archive::Archive* a, const meta::Record& r,
                 const std::vector<meta::ConsentChange>& history) {
  std::cout << "record     " << r.id << "\n"
            << "consent    " << meta::ConsentName(r.consent) << "\n"
            << "witness    " << (r.witness_id.empty() ? "-" : r.witness_id) << "\n"
            << "collection " << (r.collection_id.empty() ? "-" : r.collection_id) << "\n"
            << "created    " << r.created << "\n";
  for (const auto& ch : history) {
    std::cout << "  changed  " << ch.at << " from " << meta::ConsentName(ch.from) << " to "
              << meta::ConsentName(ch.to) << " by " << Shown(ch.by) << " (log leaf "
              << ch.leaf_index << "): " << Shown(ch.reason) << "\n";
  }
  // Versions held by a redaction or a passage's level that could not be placed in them.
  if (auto plan = a->consent().PlanOf(r.id); plan.ok()) {
    for (const auto& [v, ids] : plan->held) {
      std::cout << "held       version " << v << ": ";
      for (size_t i = 0; i < ids.size(); ++i) {
        std::cout << (i ? ", " : "")
                  << (ids[i] < 0 ? "the level of segment " + std::to_string(-ids[i])
                                 : "redaction " + std::to_string(ids[i]));
      }
      std::cout << " not found in it; shown to archivists only until `attest redact " << r.id
                << " --confirm " << v << " --reason …`\n";
    }
  }
  if (r.withdrawn_at) {
    std::cout << "withdrawn  " << *r.withdrawn_at << " (log leaf "
              << r.withdraw_leaf_index.value_or(0) << "); content erased\n";
  }
  for (const auto& v : r.versions) {
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
      if (StringMember(d, "artifact") == "translation") {
        std::cout << (StringMember(d, "tool") == "human" ? " (a person's translation)"
                                                         : " (machine translation)");
      }
      std::cout << "\n";
    }
    for (const auto& b : v.blobs) {
      std::cout << "  " << b.role << "  " << b.sha256 << "  " << b.size << " bytes\n";
    }
  }
}

int Show(Common& c, const ShowArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  auto r = (*a)->records().Get(o.id);
  if (!r.ok()) return Fail(r.status());
  auto history = (*a)->consent().ConsentHistory(o.id);
  if (!history.ok()) return Fail(history.status());
  if (r->consent != meta::Consent::kPublic) {
    if (Status st = service::Auditor(CliScope(a->get())).Viewed(r->id, "record"); !st.ok()) {
      return Fail(st);
    }
  }
  if (o.json) {
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
  PrintRecord(a->get(), *r, *history);
  return kExitOk;
}

int List(Common& c, bool json) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  auto recs = (*a)->records().List();
  if (!recs.ok()) return Fail(recs.status());
  if (json) {
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

struct EditArgs {
  std::string id, meta;
  bool json = false;
};

int Edit(Common& c, const EditArgs& o) {
  auto m = ParseJson(o.meta, "--meta");
  if (!m.ok()) return Usage(m.status().message());
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  auto v = service::EditMetadata(CliScope(a->get()), o.id, *m);
  if (!v.ok()) return Fail(v.status());
  if (o.json) {
    PrintJson({{"id", o.id}, {"version", v->version}, {"leaf_index", v->leaf_index}});
  } else {
    std::cout << "Edited " << o.id << ": version " << v->version << " (log leaf " << v->leaf_index
              << ")\n";
  }
  return kExitOk;
}

struct WitnessArgs {
  meta::Witness set;
  std::string form;
  bool forms = false, json = false;
};

int Witness(Common& c, const WitnessArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  bool sets = !o.set.community.empty() || !o.set.languages.empty() || !o.set.name.empty() ||
              (o.form.empty() && !o.forms);
  if (sets) {
    if (Status st = (*a)->records().SetWitness(o.set); !st.ok()) return Fail(st);
    std::cerr << "Set witness " << o.set.id << "\n";
  }
  if (!o.form.empty()) {
    auto f = (*a)->consent().AttachConsentForm(o.set.id, o.form, CliActor());
    if (!f.ok()) return UsageOrFail(f.status());
    std::cerr << "Attached consent form " << f->id << " (" << f->mime << ", " << f->size
              << " bytes) to witness " << o.set.id << ", stored encrypted\n";
  }
  if (o.forms || o.json) {
    auto listed = (*a)->consent().ListWitnessForms(o.set.id);
    if (!listed.ok()) return Fail(listed.status());
    Json arr = Json::array();
    for (const auto& f : *listed) {
      Json j = meta::WitnessFormJson(f);
      j["added_by"] = f.added_by;
      arr.push_back(j);
      if (!o.json) {
        std::cout << f.id << "\t" << f.added << "\t" << f.mime << "\t" << f.size << "\t"
                  << Shown(f.file_name) << "\n";
      }
    }
    if (o.json) PrintJson({{"witness", o.set.id}, {"consent_forms", arr}});
  }
  return kExitOk;
}

struct TranscriptArgs {
  CLI::App* export_cmd = nullptr;
  std::string id, format = "vtt", file, by, translation;
  std::optional<int> version, from;
};

int Transcript(Common& c, const TranscriptArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  if (*o.export_cmd) {
    auto doc = service::ExportTranscript(CliScope(a->get()), o.id, o.version);
    if (!doc.ok()) return Fail(doc.status());
    auto out = ingest::FormatTranscript(*doc, o.format);
    if (!out.ok()) return Usage(out.status().message());
    std::cout << Shown(*out, TextLayout::kLines) << std::flush;
    return kExitOk;
  }
  if (!o.translation.empty()) {
    auto v = service::ImportTranslation(CliScope(a->get()), o.id, o.file, o.translation, o.by,
                                        o.from);
    if (!v.ok()) return UsageOrFail(v.status());
    std::cout << "Added " << o.id << " version " << v->version << " (a translation into "
              << Shown(o.translation) << " by " << Shown(o.by) << ", on the transcript's times); "
              << "leaf " << v->leaf_index << "\n";
    return kExitOk;
  }
  auto v = service::ImportTranscript(CliScope(a->get()), o.id, o.file, o.by, o.from);
  if (!v.ok()) return Fail(v.status());
  std::cout << "Added " << o.id << " version " << v->version << " (the transcript from "
            << Shown(o.file) << ", human correction); leaf " << v->leaf_index << "\n";
  return kExitOk;
}

}  // namespace

void AddInit(CLI::App& app, Common& c) {
  auto* init = app.add_subcommand("init", "Create a new archive in DIR (new or empty)");
  auto o = std::make_shared<InitArgs>();
  init->add_option("DIR", o->dir, "Directory for the archive")->required();
  init->add_option("--origin", o->origin,
                   "The log's name, e.g. archive.example.org/testimonies (default: random)");
  c.OnRun(init, [&c, o] { return Init(c, *o); });
}

void AddAdd(CLI::App& app, Common& c) {
  auto* add = app.add_subcommand("add", "Store files as records (or a new version of one)");
  auto o = std::make_shared<AddArgs>();
  add->add_option("FILE", o->files, "Files to store")->required();
  add->add_option("--witness", o->witness, "Pseudonymous witness id");
  add->add_option("--collection", o->collection, "Collection id");
  add->add_option("--lang", o->lang, "Language tag: he, ar, en, fr, ... (default und)");
  add->add_option("--consent", o->consent, "public, research, restricted (default) or sealed");
  add->add_option("--meta", o->meta_json, "Free metadata as a JSON object (kept private)");
  add->add_option("--record", o->record_id, "Add FILE as the next version of this record");
  add->add_option("--place", o->places, "A place the testimony speaks of (repeatable)");
  add->add_option("--date", o->date, "When: 2023-10-07, 2023-10, 2023 or 2023-10-07..2023-10-08");
  add->add_flag("--json", o->json, "Print JSON");
  add->add_flag("--wait", o->wait, "Run the files' jobs (text, OCR, index) here, then return");
  add->add_option("--jobs", o->jobs, "With --wait: jobs run at once (default 1)");
  c.OnRun(add, [&c, o] { return Add(c, *o); });
}

void AddImport(CLI::App& app, Common& c) {
  auto* import = app.add_subcommand("import", "Import files described by a CSV or JSONL manifest");
  auto o = std::make_shared<ImportArgs>();
  import->add_option("MANIFEST", o->manifest, "MANIFEST.csv or MANIFEST.jsonl (doc/import.md)")
      ->required();
  import->add_option("--base-dir", o->base, "Where the files are (default: beside MANIFEST)");
  import->add_flag("--dry-run", o->dry, "Check every row and report; change nothing");
  import->add_flag("--json", o->json, "Print JSON");
  import->add_flag("--wait", o->wait, "Run the imported files' jobs here, then return");
  import->add_option("--jobs", o->jobs, "With --wait: jobs run at once (default 1)");
  c.OnRun(import, [&c, o] { return Import(c, *o); });
}

void AddShow(CLI::App& app, Common& c) {
  auto* show =
      app.add_subcommand("show", "Show one record: versions, blobs, consent, log position");
  auto o = std::make_shared<ShowArgs>();
  show->add_option("ID", o->id, "Record id")->required();
  show->add_flag("--json", o->json, "Print JSON");
  c.OnRun(show, [&c, o] { return Show(c, *o); });
}

void AddList(CLI::App& app, Common& c) {
  auto* list = app.add_subcommand("list", "List the records");
  auto json = std::make_shared<bool>(false);
  list->add_flag("--json", *json, "Print JSON");
  c.OnRun(list, [&c, json] { return List(c, *json); });
}

void AddEdit(CLI::App& app, Common& c) {
  auto* edit = app.add_subcommand(
      "edit", "Replace a record's metadata (--meta): a new version with the same files, logged");
  auto o = std::make_shared<EditArgs>();
  edit->add_option("ID", o->id, "Record id")->required();
  edit->add_option("--meta", o->meta, "The record's metadata, whole, as a JSON object")->required();
  edit->add_flag("--json", o->json, "Print JSON");
  c.OnRun(edit, [&c, o] { return Edit(c, *o); });
}

void AddWitness(CLI::App& app, Common& c) {
  auto* witness =
      app.add_subcommand("witness", "Set a witness's community, languages or (private) name");
  auto o = std::make_shared<WitnessArgs>();
  witness->add_option("ID", o->set.id, "Witness id")->required();
  witness->add_option("--community", o->set.community,
                      "The community they speak from, shown beside their accounts");
  witness->add_option("--languages", o->set.languages, "Language tags, e.g. he,ar");
  witness->add_option("--name", o->set.name, "Their name: kept private, never shown");
  witness->add_option("--consent-form", o->form,
                      "Attach their consent form (a scan, PDF or text): stored encrypted, "
                      "read only by archivists, admins and the witness's own link");
  witness->add_flag("--forms", o->forms, "List their consent forms");
  witness->add_flag("--json", o->json, "Print JSON");
  c.OnRun(witness, [&c, o] { return Witness(c, *o); });
}

void AddTranscript(CLI::App& app, Common& c) {
  auto* transcript = app.add_subcommand(
      "transcript", "A record's transcript out (WebVTT, SRT, text, JSON) and corrections in");
  transcript->require_subcommand(1);
  auto o = std::make_shared<TranscriptArgs>();
  auto* tr_export = transcript->add_subcommand("export", "Write a transcript to standard output");
  auto* tr_import =
      transcript->add_subcommand("import", "Add a corrected transcript (WebVTT or SRT)");
  o->export_cmd = tr_export;
  tr_export->add_option("ID", o->id, "The record")->required();
  tr_export->add_option("--format", o->format, "vtt (default), srt, txt or json")
      ->check(CLI::IsMember({"vtt", "srt", "txt", "json"}));
  tr_export->add_option("--version", o->version,
                        "A transcript or translation version (default: the newest transcript)");
  tr_import->add_option("ID", o->id, "The record")->required();
  tr_import->add_option("FILE", o->file, "The corrected transcript, .vtt or .srt")->required();
  tr_import->add_option("--by", o->by, "Who corrected it (recorded in its provenance)");
  tr_import->add_option("--from", o->from,
                        "The version it transcribes (default: the newest transcript's source); "
                        "with --translation, the transcript it translates (default: the newest)");
  tr_import->add_option("--translation", o->translation,
                        "The file is a translation into this language (fr, he, ar, en, ...), "
                        "made by --by: a subtitle track on the transcript's times");
  c.OnRun(transcript, [&c, o] { return Transcript(c, *o); });
}

}  // namespace attest::cli
