#include "ingest/models.h"

#include <cctype>
#include <cstdlib>

#include "asr/model.h"
#include "core/hash.h"
#include "core/json.h"
#include "search/embedder.h"

namespace attest::ingest {

const char kNoSpeechModel[] =
    "no speech model is registered: run `attest models add ggml-large-v3-turbo.bin` (or another "
    "whisper model file, doc/speech.md) and the job runs";

namespace {

constexpr char kTranslateKey[] = "speech.translate";

// The file's absolute path (workers may run elsewhere in the tree); as given if it cannot be
// resolved, so that reading it reports what is wrong.
std::string Absolute(const std::string& path) {
  char* resolved = realpath(path.c_str(), nullptr);
  if (!resolved) return path;
  std::string out = resolved;
  free(resolved);
  return out;
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<AddedModel> AddModel(Env* env, archive::Archive* archive, const std::string& path) {
  std::string absolute = Absolute(path);
  ASSIGN_OR_RETURN(asr::ModelInfo info, asr::InspectModel(env, absolute));
  const asr::ModelShape& s = info.shape;
  Json j = {{"shape", info.type},
            {"tensors", info.tensors},
            {"vocab", s.n_vocab},
            {"mels", s.n_mels},
            {"audio_layers", s.n_audio_layer},
            {"text_layers", s.n_text_layer},
            {"width", s.n_audio_state},
            {"weights", s.ftype == 0   ? "f32"
                        : s.ftype == 1 ? "f16"
                                       : "quantized"}};
  AddedModel added;
  meta::ModelFile& m = added.model;
  m.sha256 = info.sha256;
  m.kind = "whisper";
  m.name = BaseName(absolute);
  m.path = absolute;
  m.size = info.bytes;
  ASSIGN_OR_RETURN(m.info, CanonicalJson(j));
  m.added = FormatRfc3339(env->NowMicros());
  meta::Store* store = archive->store();
  // Registered again (moved): it keeps its place in the order.
  ASSIGN_OR_RETURN(auto existing, store->ListModels("whisper"));
  for (const auto& e : existing) {
    if (e.sha256 == m.sha256) m.added = e.added;
  }
  RETURN_IF_ERROR(store->AddModel(m));
  ASSIGN_OR_RETURN(added.woken, store->WakeJobs("transcribe", FormatRfc3339(env->NowMicros())));
  return added;
}

Result<AddedModel> AddEmbeddingModel(Env* env, archive::Archive* archive, const std::string& path,
                                     const EmbeddingPrefixes& prefixes) {
  std::string absolute = Absolute(path);
  std::string name = BaseName(absolute);
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool e5 = lower.find("e5") != std::string::npos;
  search::EmbedderOptions options;
  options.query_prefix = prefixes.query.value_or(e5 ? "query: " : "");
  options.passage_prefix = prefixes.passage.value_or(e5 ? "passage: " : "");
  options.threads = 1;
  ASSIGN_OR_RETURN(auto embedder, search::Embedder::Load(absolute, options));
  // Checked once more on a word of each script: the model must give a vector for each.
  ASSIGN_OR_RETURN(auto probe,
                   embedder->EmbedPassages({"testimony", "témoignage", "شهادة", "עדות"}));
  if (probe.size() != 4) {
    return Status::InvalidArgument("'" + absolute + "' gave no embedding for a test text");
  }
  ASSIGN_OR_RETURN(auto file, env->NewSequentialFile(absolute));
  Sha256Stream hash;
  std::string buf(1 << 20, '\0');
  uint64_t bytes = 0;
  while (true) {
    ASSIGN_OR_RETURN(size_t n, file->Read(buf.size(), buf.data()));
    if (n == 0) break;
    hash.Update(buf.data(), n);
    bytes += n;
  }
  Json j = {{"format", "gguf"},
            {"architecture", embedder->architecture()},
            {"name", embedder->model_name()},
            {"dims", embedder->dims()},
            {"max_tokens", embedder->max_tokens()},
            {"query_prefix", options.query_prefix},
            {"passage_prefix", options.passage_prefix}};
  AddedModel added;
  meta::ModelFile& m = added.model;
  m.sha256 = ToHex(hash.Finish());
  m.kind = "embedding";
  m.name = name;
  m.path = absolute;
  m.size = bytes;
  ASSIGN_OR_RETURN(m.info, CanonicalJson(j));
  m.added = FormatRfc3339(env->NowMicros());
  ASSIGN_OR_RETURN(auto existing, archive->store()->ListModels("embedding"));
  for (const auto& e : existing) {
    if (e.sha256 == m.sha256) m.added = e.added;
  }
  RETURN_IF_ERROR(archive->store()->AddModel(m));
  return added;
}

Result<meta::ModelFile> FindModel(meta::Store* store, const std::string& prefix) {
  if (prefix.size() < 6 || prefix.size() > 64) {
    return Status::InvalidArgument("'" + prefix +
                                   "' is not a model's SHA-256 (6 to 64 hex digits; see "
                                   "`attest models list`)");
  }
  for (char c : prefix) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument("'" + prefix + "' is not a model's SHA-256 (hex digits)");
    }
  }
  ASSIGN_OR_RETURN(auto all, store->ListModels(""));
  std::vector<meta::ModelFile> found;
  for (auto& m : all) {
    if (m.sha256.compare(0, prefix.size(), prefix) == 0) found.push_back(std::move(m));
  }
  if (found.empty()) return Status::NotFound("no registered model has SHA-256 " + prefix + "…");
  if (found.size() > 1) {
    return Status::InvalidArgument("several registered models start with " + prefix +
                                   ": give more of the SHA-256");
  }
  return found[0];
}

Result<std::optional<meta::ModelFile>> SpeechModel(meta::Store* store) {
  ASSIGN_OR_RETURN(auto models, store->ListModels("whisper"));
  if (models.empty()) return std::optional<meta::ModelFile>();
  return std::optional<meta::ModelFile>(models.front());
}

Result<bool> TranslateEnabled(meta::Store* store) {
  ASSIGN_OR_RETURN(auto v, store->GetInfo(kTranslateKey));
  return v.has_value() && *v == "on";
}

Status SetTranslate(meta::Store* store, bool on) {
  return store->SetInfo(kTranslateKey, on ? "on" : "off");
}

}  // namespace attest::ingest
