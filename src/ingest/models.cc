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
  // Registered again (moved): it keeps its place in the order.
  RETURN_IF_ERROR(archive->models().Register(&m));
  ASSIGN_OR_RETURN(added.woken,
                   archive->records().WakeJobs("transcribe", FormatRfc3339(env->NowMicros())));
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
  RETURN_IF_ERROR(archive->models().Register(&m));
  return added;
}

}  // namespace attest::ingest
