// Embedding models in the real GGUF format, for tests and benches: the layout llama.cpp reads
// for BERT-style sentence encoders (multilingual-e5, bge), with a WordPiece vocabulary of
// letters in the archive's four scripts (and, to reach a real model's size, numbered filler
// words). They run through the real loading and inference code. With random weights what they
// compute means nothing; a constructed model (TestModelShape::word_vectors) puts the texts
// that share given words' directions near each other, so a test knows what it must find.
#ifndef ATTEST_SEARCH_EMBEDDER_TESTING_H_
#define ATTEST_SEARCH_EMBEDDER_TESTING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace attest::search {

struct TestModelShape {
  uint32_t vocab = 0;  // tokens; 0 or fewer than the letters: the letters and specials only
  uint32_t embd = 32;
  uint32_t layers = 2;
  uint32_t heads = 2;
  uint32_t ff = 64;
  uint32_t ctx = 128;
  bool f16 = false;  // matrices in f16 (as converted models are), else f32
  uint64_t seed = 1;
  // Whole words added to the vocabulary (before any filler), so that texts made of them are
  // read in about as many tokens as a real model's vocabulary reads them in.
  std::vector<std::string> words;
  // Constructed rather than random weights, when not empty: each word here is a token of its
  // own whose embedding is its vector (embd wide, of zero mean, so that LayerNorm keeps its
  // direction); every other token, every position and token type embeds as zero, and each
  // layer passes its input through (attention output and feed-forward down projections zero,
  // norms of weight 1 and bias 0). A text's embedding is then the mean of its known words'
  // vectors, each scaled to the same length: give a word and its translation one vector and
  // they embed alike. Words are matched as llama.cpp's WordPiece reads them: lower case, and a
  // word that starts with a known word reads as that word and letters.
  std::vector<std::pair<std::string, std::vector<float>>> word_vectors;
};

// multilingual-e5-small's shape: 250,037 tokens, 384 wide, 12 layers of 12 heads, 1,536 in
// the feed-forward, 512 positions, f16 (a 235 MB file).
TestModelShape E5SmallShape();

Status WriteTestEmbeddingModel(const std::string& path, const TestModelShape& shape);

}  // namespace attest::search

#endif  // ATTEST_SEARCH_EMBEDDER_TESTING_H_
