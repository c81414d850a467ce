// Models: the registry of model files the archive's tools read (doc/speech.md, doc/ask.md),
// registered by SHA-256 in the database and never downloaded, and the setting of
// transcripts' translations. A part of an Archive (archive.h). Not thread-safe, like the
// Archive it belongs to.
#ifndef ATTEST_ARCHIVE_MODELS_H_
#define ATTEST_ARCHIVE_MODELS_H_

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "meta/store.h"

namespace attest::archive {

struct Internal;

class Models {
 public:
  explicit Models(Internal* in) : in_(in) {}

  // Registers a model file, or moves a registered one (the same SHA-256) to a new path; one
  // registered again keeps its place in the order (model->added becomes the first time's).
  Status Register(meta::ModelFile* model);
  // Those of `kind` (whisper, embedding; every kind if ""), the newest first.
  Result<std::vector<meta::ModelFile>> List(const std::string& kind);
  // False if no model had that SHA-256. The file is untouched.
  Result<bool> Remove(const std::string& sha256);
  // The registered model with this SHA-256 or unique prefix of it (at least 6 hex digits).
  Result<meta::ModelFile> Find(const std::string& sha256_or_prefix);
  // The whisper model transcription uses: the newest registered; nullopt if none.
  Result<std::optional<meta::ModelFile>> Speech();

  // Whether transcripts also get an English translation (`attest models translate on|off`).
  Result<bool> TranslateEnabled();
  Status SetTranslate(bool on);

 private:
  Internal* in_;
};

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_MODELS_H_
