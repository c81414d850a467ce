#include "cli/models.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/output.h"
#include "core/json.h"
#include "ingest/models.h"

namespace attest::cli {
namespace {

struct ModelsArgs {
  CLI::App *add = nullptr, *remove = nullptr, *translate = nullptr;
  std::string path, sha, translate_arg;
  bool json = false;
  std::string kind = "whisper";
  std::optional<std::string> query_prefix, passage_prefix;
};

Json ModelJson(const meta::ModelFile& m) {
  Json j = {{"sha256", m.sha256}, {"kind", m.kind}, {"name", m.name},
            {"path", m.path},     {"size", m.size}, {"added", m.added}};
  if (auto info = ParseJson(m.info, "model info"); info.ok()) j["info"] = *info;
  return j;
}

int AddModelFile(Env* env, archive::Archive* a, const ModelsArgs& o) {
  auto added = o.kind == "embedding"
                   ? ingest::AddEmbeddingModel(env, a, o.path, {o.query_prefix, o.passage_prefix})
                   : ingest::AddModel(env, a, o.path);
  if (!added.ok()) return Fail(added.status());
  if (o.kind == "embedding") {
    // The semantic index is built now (it follows the database from here on).
    if (Status st = a->semantic().SyncSemantic(); !st.ok()) return Fail(st);
  }
  if (o.json) {
    Json j = ModelJson(added->model);
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

int RemoveModelFile(archive::Models& registry, const std::string& sha) {
  auto m = registry.Find(sha);
  if (!m.ok()) return UsageOrFail(m.status());
  auto removed = registry.Remove(m->sha256);
  if (!removed.ok()) return Fail(removed.status());
  std::cout << "Removed " << Shown(m->name) << " (" << m->sha256 << ") from the registry; the file "
            << "is untouched, and transcripts it made keep naming it\n";
  return kExitOk;
}

int Translate(archive::Models& registry, const std::string& on_off) {
  if (Status st = registry.SetTranslate(on_off == "on"); !st.ok()) return Fail(st);
  std::cout << (on_off == "on" ? "Transcripts made from now on also get an English translation, "
                                 "labelled as machine translation\n"
                               : "No more translations will be made\n");
  return kExitOk;
}

int ListModels(archive::Archive* a, bool json) {
  auto listed = a->models().List("");
  if (!listed.ok()) return Fail(listed.status());
  // Why the semantic index could not follow the archive, the last time it tried.
  auto semantic = a->semantic().Status();
  if (!semantic.ok()) return Fail(semantic.status());
  std::string problem = semantic->error;
  if (json) {
    Json arr = Json::array();
    for (const auto& m : *listed) arr.push_back(ModelJson(m));
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

int Models(Common& c, const ModelsArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  if (*o.add) return AddModelFile(c.env, a->get(), o);
  if (*o.remove) return RemoveModelFile((*a)->models(), o.sha);
  if (*o.translate) return Translate((*a)->models(), o.translate_arg);
  return ListModels(a->get(), o.json);
}

}  // namespace

void AddModels(CLI::App& app, Common& c) {
  auto* models = app.add_subcommand(
      "models",
      "The model files attest's tools read (doc/speech.md, doc/ask.md); never downloaded");
  models->require_subcommand(1);
  auto o = std::make_shared<ModelsArgs>();
  auto* models_add = o->add =
      models->add_subcommand("add",
                             "Register a model file by its SHA-256: whisper (ggml-*.bin) or, "
                             "with --kind embedding, a GGUF sentence-embedding model");
  auto* models_list = models->add_subcommand("list", "List the registered model files");
  auto* models_remove = o->remove =
      models->add_subcommand("remove", "Forget a registered model file");
  auto* models_translate = o->translate = models->add_subcommand(
      "translate", "Also make English translations of transcripts: on or off (default off)");
  models_add->add_option("PATH", o->path, "The model file")->required();
  models_add
      ->add_option("--kind", o->kind,
                   "whisper (speech, the default) or embedding (a GGUF sentence-embedding "
                   "model for Ask's semantic index)")
      ->check(CLI::IsMember({"whisper", "embedding"}));
  models_add->add_option("--query-prefix", o->query_prefix,
                         "Embedding: what the model expects before a question (multilingual-e5: "
                         "\"query: \", the default for files named *e5*)");
  models_add->add_option("--passage-prefix", o->passage_prefix,
                         "Embedding: what the model expects before a passage (multilingual-e5: "
                         "\"passage: \")");
  models_add->add_flag("--json", o->json, "Print JSON");
  models_list->add_flag("--json", o->json, "Print JSON");
  models_remove->add_option("SHA256", o->sha, "Its SHA-256, or a unique prefix (6+ hex)")
      ->required();
  models_translate->add_option("on|off", o->translate_arg, "on or off")
      ->required()
      ->check(CLI::IsMember({"on", "off"}));
  c.OnRun(models, [&c, o] { return Models(c, *o); });
}

}  // namespace attest::cli
