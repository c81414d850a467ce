// Multilingual sentence embeddings for the semantic index (doc/ask.md, "Their meaning"): a
// thin wrapper over llama.cpp (third_party/), which reads a GGUF embedding model the operator
// registered (`attest models add --kind embedding`; README, "Ask across languages"). Texts are
// embedded in batches, pooled as the model says (mean for multilingual-e5 and bge-m3) and
// scaled to unit length, so the inner product is the cosine. Not thread-safe: one Embedder per
// thread (or a lock around it); the model file is read once.
#ifndef ATTEST_SEARCH_EMBEDDER_H_
#define ATTEST_SEARCH_EMBEDDER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace attest::search {

struct EmbedderOptions {
  int threads = 0;  // 0: every core
  // What the model expects before a question and before a passage (multilingual-e5: "query: "
  // and "passage: "; bge-m3: nothing).
  std::string query_prefix;
  std::string passage_prefix;
};

class Embedder {
 public:
  // kInvalidArgument, naming the file and what is wrong, if it is not a GGUF embedding model
  // llama.cpp can run (a missing file is kNotFound).
  static Result<std::unique_ptr<Embedder>> Load(const std::string& gguf_path,
                                                const EmbedderOptions& options);
  ~Embedder();

  size_t dims() const { return dims_; }
  // The model's own name (general.name) and architecture, for provenance.
  const std::string& model_name() const { return name_; }
  const std::string& architecture() const { return arch_; }
  const EmbedderOptions& options() const { return options_; }
  // The most tokens one text is read to; a longer text is cut there.
  size_t max_tokens() const { return max_tokens_; }

  // One unit vector of dims() per text, in order; passages get the passage prefix.
  Result<std::vector<std::vector<float>>> EmbedPassages(const std::vector<std::string>& texts);
  Result<std::vector<float>> EmbedQuery(std::string_view question);

 private:
  Embedder() = default;
  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& texts,
                                                const std::string& prefix);
  struct Llama;
  std::unique_ptr<Llama> llama_;
  EmbedderOptions options_;
  size_t dims_ = 0;
  size_t max_tokens_ = 0;
  size_t max_sequences_ = 1;
  std::string name_, arch_;
};

}  // namespace attest::search

#endif  // ATTEST_SEARCH_EMBEDDER_H_
