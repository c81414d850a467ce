#include "ingest/models.h"

#include <cctype>
#include <cstdlib>

#include "asr/model.h"
#include "core/json.h"

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
