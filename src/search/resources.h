// What search loads once and shares between the Archive handles of one process (a server's):
// the FreeDict dictionaries of Ask's query translation, and the registered embedding model of
// the semantic index (loaded again when another is registered). Each is loaded at its first
// use. Thread-safe: loading and every use of the model happen under one lock; the translator,
// once loaded, is never replaced (Translator is thread-safe).
#ifndef ATTEST_SEARCH_RESOURCES_H_
#define ATTEST_SEARCH_RESOURCES_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "meta/store.h"
#include "search/embedder.h"
#include "search/translate.h"

namespace attest::search {

class Resources {
 public:
  explicit Resources(std::string dict_dir = "/usr/share/dictd") : dict_dir_(std::move(dict_dir)) {}

  // The dictionaries under the directory given; the pointer holds as long as this does.
  Result<const Translator*> GetTranslator();
  // With the registered embedding model `model` (its file must still have its SHA-256's size).
  Result<size_t> Dims(const meta::ModelFile& model);
  Result<std::vector<std::vector<float>>> EmbedPassages(const meta::ModelFile& model,
                                                        const std::vector<std::string>& texts);
  Result<std::vector<float>> EmbedQuery(const meta::ModelFile& model, std::string_view question);

 private:
  // Loads `model` unless it is the one loaded. REQUIRES: mu_ held.
  Status LoadLocked(const meta::ModelFile& model);
  std::mutex mu_;
  std::string dict_dir_;
  std::unique_ptr<Translator> translator_;
  std::unique_ptr<Embedder> embedder_;
  std::string embedder_sha256_;
};

}  // namespace attest::search

#endif  // ATTEST_SEARCH_RESOURCES_H_
