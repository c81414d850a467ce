#include "search/resources.h"

#include "core/json.h"

namespace attest::search {

Result<const Translator*> Resources::GetTranslator() {
  std::lock_guard<std::mutex> l(mu_);
  if (!translator_) {
    ASSIGN_OR_RETURN(translator_, Translator::Load(dict_dir_));
  }
  return translator_.get();
}

Status Resources::LoadLocked(const meta::ModelFile& model) {
  if (embedder_ && embedder_sha256_ == model.sha256) return Status::Ok();
  embedder_.reset();
  Json info = Json::parse(model.info, nullptr, false);
  EmbedderOptions options;
  if (info.is_object()) {
    options.query_prefix = info.value("query_prefix", "");
    options.passage_prefix = info.value("passage_prefix", "");
  }
  auto e = Embedder::Load(model.path, options);
  if (!e.ok()) {
    return Status(e.status().code(), "the registered embedding model " +
                                         model.sha256.substr(0, 12) + " (" + model.path +
                                         "): " + e.status().message());
  }
  embedder_ = std::move(*e);
  embedder_sha256_ = model.sha256;
  return Status::Ok();
}

Result<size_t> Resources::Dims(const meta::ModelFile& model) {
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(LoadLocked(model));
  return embedder_->dims();
}

Result<std::vector<std::vector<float>>> Resources::EmbedPassages(
    const meta::ModelFile& model, const std::vector<std::string>& texts) {
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(LoadLocked(model));
  return embedder_->EmbedPassages(texts);
}

Result<std::vector<float>> Resources::EmbedQuery(const meta::ModelFile& model,
                                                 std::string_view question) {
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(LoadLocked(model));
  return embedder_->EmbedQuery(question);
}

}  // namespace attest::search
