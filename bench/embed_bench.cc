// Embedding throughput: attest's Embedder (search/embedder.h: llama.cpp through attest's
// wrapper, batches as the semantic index's sync makes them) on the texts of a file, one a
// line, with a model file. Writes each vector as a line of numbers (as llama-embedding's
// `--embd-output-format raw` does, so both tools do the same work) to stdout, and its timing
// to stderr. bench/embed_bench.sh runs it against llama-embedding.
//
// Usage: embed_bench MODEL TEXTS THREADS        (embed_bench --write-model PATH WORDS_FILE)
#include <chrono>
#include <cstdio>
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
  if (argc != 4) {
    std::fprintf(stderr, "usage: embed_bench MODEL TEXTS THREADS\n");
    return 2;
  }
  std::vector<std::string> texts;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);) texts.push_back(line);
  auto t0 = std::chrono::steady_clock::now();
  auto e = Embedder::Load(argv[1], {.threads = std::atoi(argv[3])});
  if (!e.ok()) {
    std::fprintf(stderr, "embed_bench: %s\n", e.status().ToString().c_str());
    return 1;
  }
  auto t1 = std::chrono::steady_clock::now();
  constexpr size_t kBatch = 32;  // as Archive::SyncSemantic
  std::string out;
  for (size_t at = 0; at < texts.size(); at += kBatch) {
    std::vector<std::string> batch(texts.begin() + static_cast<std::ptrdiff_t>(at),
                                   texts.begin() + static_cast<std::ptrdiff_t>(
                                                       std::min(texts.size(), at + kBatch)));
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
               std::chrono::duration<double>(t2 - t1).count(), texts.size());
  return 0;
}
