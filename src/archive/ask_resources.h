// Loaded at first use and shared between Archive handles: the dictionaries of query
// translation and the embedding model (loaded again when another is registered). Thread-safe:
// the model is used under a lock.
#ifndef ATTEST_ARCHIVE_ASK_RESOURCES_H_
#define ATTEST_ARCHIVE_ASK_RESOURCES_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "meta/store.h"
#include "search/embedder.h"
#include "search/translate.h"

namespace attest::archive {

class AskResources {
 public:
  explicit AskResources(std::string dict_dir = "/usr/share/dictd")
      : dict_dir_(std::move(dict_dir)) {}
  Result<const search::Translator*> GetTranslator();
  // With the registered embedding model `model` (its file must still have its SHA-256's size).
  Result<size_t> Dims(const meta::ModelFile& model);
  Result<std::vector<std::vector<float>>> EmbedPassages(const meta::ModelFile& model,
                                                        const std::vector<std::string>& texts);
  Result<std::vector<float>> EmbedQuery(const meta::ModelFile& model, std::string_view question);

 private:
  Status LoadLocked(const meta::ModelFile& model);
  std::mutex mu_;
  std::string dict_dir_;
  std::unique_ptr<search::Translator> translator_;
  std::unique_ptr<search::Embedder> embedder_;
  std::string embedder_sha256_;
};

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_ASK_RESOURCES_H_
