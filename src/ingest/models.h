// Registering the model files an archive's tools read (doc/speech.md), once they are checked:
// the registry itself is the archive's (archive/models.h).
#ifndef ATTEST_INGEST_MODELS_H_
#define ATTEST_INGEST_MODELS_H_

#include <optional>
#include <string>

#include "archive/archive.h"
#include "core/env.h"
#include "meta/store.h"

namespace attest::ingest {

// What `attest models add` reports.
struct AddedModel {
  meta::ModelFile model;
  int woken = 0;  // waiting transcribe jobs put back in the queue
};

// Reads the file at `path` once: it must be a whisper ggml model, whole (kInvalidArgument naming
// the file and what is wrong with it; nothing is registered). Registers it by SHA-256 with its
// absolute path and shape, and wakes the archive's waiting transcribe jobs.
Result<AddedModel> AddModel(Env* env, archive::Archive* archive, const std::string& path);

// An embedding model for the semantic index (doc/ask.md): a GGUF sentence-embedding model
// llama.cpp can run (multilingual-e5, bge-m3, converted to GGUF). It is loaded once to check
// it (kInvalidArgument naming the file and what is wrong; nothing registered), hashed, and
// registered with its width and the prefixes it expects before questions and passages: given,
// or for a model named like multilingual-e5 "query: " and "passage: ", else none. The next
// SyncIndex (any `attest add`, `attest worker`, `attest reindex`) builds the semantic index.
struct EmbeddingPrefixes {
  std::optional<std::string> query, passage;  // nullopt: by the model's name
};
Result<AddedModel> AddEmbeddingModel(Env* env, archive::Archive* archive, const std::string& path,
                                     const EmbeddingPrefixes& prefixes);

// The message of a transcribe job that waits for a model.
extern const char kNoSpeechModel[];

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_MODELS_H_
