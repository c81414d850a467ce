#include "search/embedder.h"

#include <llama.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <thread>

namespace attest::search {
namespace {

// llama.cpp's own logging goes nowhere (errors reach the caller as a Status); once per process.
void QuietBackend() {
  static std::once_flag once;
  std::call_once(once, [] {
    llama_log_set([](ggml_log_level, const char*, void*) {}, nullptr);
    llama_backend_init();
  });
}

std::string MetaString(const llama_model* model, const char* key) {
  char buf[256];
  int32_t n = llama_model_meta_val_str(model, key, buf, sizeof(buf));
  return n < 0 ? std::string() : std::string(buf, std::min<size_t>(n, sizeof(buf) - 1));
}

}  // namespace

struct Embedder::Llama {
  llama_model* model = nullptr;
  llama_context* ctx = nullptr;
  ~Llama() {
    if (ctx) llama_free(ctx);
    if (model) llama_model_free(model);
  }
};

Embedder::~Embedder() = default;

Result<std::unique_ptr<Embedder>> Embedder::Load(const std::string& path,
                                                 const EmbedderOptions& options) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound("embedding model '" + path + "' does not exist");
  }
  QuietBackend();
  std::unique_ptr<Embedder> e(new Embedder());
  e->options_ = options;
  e->llama_ = std::make_unique<Llama>();
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  e->llama_->model = llama_model_load_from_file(path.c_str(), mp);
  llama_model* model = e->llama_->model;
  if (!model) {
    return Status::InvalidArgument("'" + path +
                                   "' is not a GGUF model llama.cpp can read (a multilingual "
                                   "embedding model converted to GGUF, such as "
                                   "multilingual-e5-small or bge-m3)");
  }
  if (llama_model_has_decoder(model) && llama_model_has_encoder(model)) {
    return Status::InvalidArgument("'" + path +
                                   "' is an encoder-decoder model: attest needs a sentence "
                                   "embedding model");
  }
  e->arch_ = MetaString(model, "general.architecture");
  e->name_ = MetaString(model, "general.name");
  e->dims_ = static_cast<size_t>(llama_model_n_embd_out(model));
  int32_t trained = llama_model_n_ctx_train(model);
  e->max_tokens_ = static_cast<size_t>(std::clamp(trained, 8, 512));
  e->max_sequences_ = std::min<size_t>(llama_max_parallel_sequences(), 64);

  llama_context_params cp = llama_context_default_params();
  cp.embeddings = true;
  cp.n_ctx = static_cast<uint32_t>(e->max_tokens_ * 4);
  cp.n_batch = cp.n_ctx;
  cp.n_ubatch = cp.n_ctx;  // a non-causal model reads a batch in one piece
  cp.n_seq_max = static_cast<uint32_t>(e->max_sequences_);
  cp.kv_unified = true;
  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cp.n_threads = threads;
  cp.n_threads_batch = threads;
  cp.no_perf = true;
  e->llama_->ctx = llama_init_from_model(model, cp);
  if (!e->llama_->ctx) {
    return Status::InvalidArgument("'" + path + "': llama.cpp could not make a context for it");
  }
  if (llama_pooling_type(e->llama_->ctx) == LLAMA_POOLING_TYPE_NONE ||
      llama_pooling_type(e->llama_->ctx) == LLAMA_POOLING_TYPE_RANK) {
    return Status::InvalidArgument("'" + path +
                                   "' does not pool a text into one vector: it is not a sentence "
                                   "embedding model");
  }
  return e;
}

Result<std::vector<std::vector<float>>> Embedder::EmbedPassages(
    const std::vector<std::string>& texts) {
  return Embed(texts, options_.passage_prefix);
}

Result<std::vector<float>> Embedder::EmbedQuery(std::string_view question) {
  ASSIGN_OR_RETURN(auto v, Embed({std::string(question)}, options_.query_prefix));
  return std::move(v[0]);
}

Result<std::vector<std::vector<float>>> Embedder::Embed(const std::vector<std::string>& texts,
                                                        const std::string& prefix) {
  llama_context* ctx = llama_->ctx;
  const llama_vocab* vocab = llama_model_get_vocab(llama_->model);
  const size_t capacity = llama_n_batch(ctx);
  std::vector<std::vector<float>> out(texts.size());
  llama_batch batch = llama_batch_init(static_cast<int32_t>(capacity), 0, 1);
  struct Free {
    llama_batch* b;
    ~Free() { llama_batch_free(*b); }
  } free_batch{&batch};
  std::vector<size_t> in_batch;  // text index of each sequence in the batch
  auto run = [&]() -> Status {
    if (in_batch.empty()) return Status::Ok();
    llama_memory_clear(llama_get_memory(ctx), true);
    if (llama_decode(ctx, batch) < 0) {
      return Status::IOError("llama.cpp could not embed a batch of " +
                             std::to_string(in_batch.size()) + " texts");
    }
    for (size_t s = 0; s < in_batch.size(); ++s) {
      const float* v = llama_get_embeddings_seq(ctx, static_cast<llama_seq_id>(s));
      if (!v) return Status::IOError("llama.cpp gave no embedding for a text");
      std::vector<float>& dst = out[in_batch[s]];
      dst.assign(v, v + dims_);
      double norm = 0;
      for (float x : dst) norm += static_cast<double>(x) * x;
      norm = std::sqrt(norm);
      if (norm > 0) {
        for (float& x : dst) x = static_cast<float>(x / norm);
      }
    }
    in_batch.clear();
    batch.n_tokens = 0;
    return Status::Ok();
  };
  std::vector<llama_token> tokens(max_tokens_ + 8);
  for (size_t i = 0; i < texts.size(); ++i) {
    std::string text = prefix + texts[i];
    int32_t n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                               static_cast<int32_t>(tokens.size()), true, false);
    if (n < 0) {
      // Longer than the model reads: take its beginning (the tokenizer says how many it needs).
      std::vector<llama_token> all(static_cast<size_t>(-n));
      n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), all.data(),
                         static_cast<int32_t>(all.size()), true, false);
      if (n < 0) return Status::IOError("llama.cpp could not tokenize a text");
      std::copy(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(max_tokens_),
                tokens.begin());
      if (llama_vocab_get_add_sep(vocab)) tokens[max_tokens_ - 1] = llama_vocab_sep(vocab);
      n = static_cast<int32_t>(max_tokens_);
    }
    n = std::min<int32_t>(n, static_cast<int32_t>(max_tokens_));
    if (static_cast<size_t>(batch.n_tokens + n) > capacity || in_batch.size() >= max_sequences_) {
      RETURN_IF_ERROR(run());
    }
    const llama_seq_id seq = static_cast<llama_seq_id>(in_batch.size());
    for (int32_t t = 0; t < n; ++t) {
      int32_t at = batch.n_tokens++;
      batch.token[at] = tokens[t];
      batch.pos[at] = t;
      batch.n_seq_id[at] = 1;
      batch.seq_id[at][0] = seq;
      batch.logits[at] = 1;
    }
    in_batch.push_back(i);
  }
  RETURN_IF_ERROR(run());
  return out;
}

}  // namespace attest::search
