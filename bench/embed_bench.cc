// Embedding throughput: attest's Embedder (search/embedder.h: llama.cpp through attest's
// wrapper) on the texts of a file, one a line, a blank line closing each call to
// EmbedPassages, with a model file. Writes each vector as a line of numbers (as
// llama-embedding's `--embd-output-format raw` does, so both tools do the same work) to stdout,
// and its timing to stderr. bench/embed_bench.sh runs it against llama-embedding.
//
// The calls are planned apart, untimed (--plan), so the timed run does only what attest does:
//   --plan tokens B: as many texts to a call as fit in B tokens (the model's own tokenizer,
//     special tokens included, as llama-embedding counts them for its -b B) and at most 64
//     texts (the most Embedder puts in one batch), so attest's batches have
//     llama-embedding's shape (which puts up to 256 texts in one);
//   --plan texts N: N texts to a call (32: as SemanticSync::SyncSemantic calls it).
//
// Usage: embed_bench MODEL TEXTS THREADS
//        embed_bench --plan tokens|texts N MODEL TEXTS > CALLS
//        embed_bench --write-model PATH WORDS_FILE
#include <llama.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "search/embedder.h"
#include "search/embedder_testing.h"

int main(int argc, char** argv) {
  using namespace attest::search;
  if (argc == 4 && std::string(argv[1]) == "--write-model") {
    // multilingual-e5-small's shape, its vocabulary holding the words of WORDS_FILE.
    TestModelShape shape = E5SmallShape();
    std::ifstream in(argv[3]);
    for (std::string w; in >> w;) shape.words.push_back(w);
    auto st = WriteTestEmbeddingModel(argv[2], shape);
    if (!st.ok()) {
      std::fprintf(stderr, "embed_bench: %s\n", st.ToString().c_str());
      return 1;
    }
    return 0;
  }
  if (argc == 6 && std::string(argv[1]) == "--plan") {
    const std::string by = argv[2];
    const size_t limit = static_cast<size_t>(std::atol(argv[3]));
    if ((by != "tokens" && by != "texts") || limit == 0) {
      std::fprintf(stderr, "embed_bench: --plan tokens|texts N MODEL TEXTS\n");
      return 2;
    }
    llama_log_set([](ggml_log_level, const char*, void*) {}, nullptr);
    llama_backend_init();
    llama_model_params mp = llama_model_default_params();
    mp.vocab_only = true;
    llama_model* model = llama_model_load_from_file(argv[4], mp);
    if (!model) {
      std::fprintf(stderr, "embed_bench: cannot read %s\n", argv[4]);
      return 1;
    }
    const llama_vocab* vocab = llama_model_get_vocab(model);
    std::ifstream in(argv[5]);
    size_t in_call = 0, tokens_in_call = 0, calls = 0, texts = 0, tokens = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      size_t n = 1;
      if (by == "tokens") {
        int32_t t = -llama_tokenize(vocab, line.data(), static_cast<int32_t>(line.size()), nullptr,
                                    0, true, false);
        n = static_cast<size_t>(std::max(t, 1));
      }
      // Embedder reads at most 64 texts in one llama_decode (embedder.cc): a call of more
      // would end in a small batch of the rest.
      if (in_call > 0 && (tokens_in_call + n > limit || (by == "tokens" && in_call == 64))) {
        std::printf("\n");
        in_call = tokens_in_call = 0;
      }
      if (in_call == 0) ++calls;
      std::printf("%s\n", line.c_str());
      ++in_call;
      tokens_in_call += n;
      ++texts;
      tokens += by == "tokens" ? n : 0;
    }
    std::printf("\n");
    llama_model_free(model);
    std::fprintf(stderr, "%zu texts in %zu calls", texts, calls);
    if (by == "tokens") std::fprintf(stderr, ", %zu tokens", tokens);
    std::fprintf(stderr, "\n");
    return 0;
  }
  if (argc != 4) {
    std::fprintf(stderr, "usage: embed_bench MODEL TEXTS THREADS\n");
    return 2;
  }
  std::vector<std::vector<std::string>> calls(1);
  size_t texts = 0;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) {
      if (!calls.back().empty()) calls.emplace_back();
    } else {
      calls.back().push_back(line);
      ++texts;
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  auto e = Embedder::Load(argv[1], {.threads = std::atoi(argv[3])});
  if (!e.ok()) {
    std::fprintf(stderr, "embed_bench: %s\n", e.status().ToString().c_str());
    return 1;
  }
  auto t1 = std::chrono::steady_clock::now();
  std::string out;
  for (const auto& batch : calls) {
    if (batch.empty()) continue;
    auto v = (*e)->EmbedPassages(batch);
    if (!v.ok()) {
      std::fprintf(stderr, "embed_bench: %s\n", v.status().ToString().c_str());
      return 1;
    }
    for (const auto& vec : *v) {
      char buf[32];
      for (size_t i = 0; i < vec.size(); ++i) {
        std::snprintf(buf, sizeof buf, i + 1 < vec.size() ? "%1.7f " : "%1.7f\n", vec[i]);
        out += buf;
      }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
  }
  auto t2 = std::chrono::steady_clock::now();
  std::fprintf(stderr, "load %.3f s, embed %.3f s, %zu texts\n",
               std::chrono::duration<double>(t1 - t0).count(),
               std::chrono::duration<double>(t2 - t1).count(), texts);
  return 0;
}
