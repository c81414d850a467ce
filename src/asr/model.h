// Whisper model files (ggml format, as whisper.cpp's converters write them): what a file is,
// checked without loading it, and random-weight files of the real shapes for tests and
// benchmarks.
#ifndef ATTEST_ASR_MODEL_H_
#define ATTEST_ASR_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"

namespace attest::asr {

// The hyperparameters of a whisper model, in the order of the file's header.
struct ModelShape {
  int32_t n_vocab = 51865;  // 51865 multilingual; 51866 large-v3 and large-v3-turbo
  int32_t n_audio_ctx = 1500;
  int32_t n_audio_state = 0;
  int32_t n_audio_head = 0;
  int32_t n_audio_layer = 0;
  int32_t n_text_ctx = 448;
  int32_t n_text_state = 0;
  int32_t n_text_head = 0;
  int32_t n_text_layer = 0;
  int32_t n_mels = 80;
  int32_t ftype = 1;  // 0 f32, 1 f16 (quantized types are read by whisper.cpp, not written here)
};

// What InspectModel found.
struct ModelInfo {
  ModelShape shape;
  std::string type;  // "tiny", "base", "small", "medium", "large", "large-v3", "large-v3-turbo"
  uint64_t tensors = 0;
  uint64_t bytes = 0;  // file size
  std::string sha256;  // hex, of the whole file
};

// Reads a model file once: checks that it is a whisper ggml model with every tensor whisper.cpp
// expects, each whole (kInvalidArgument "not a whisper model …" or "truncated …", naming the
// file), and hashes it. Reads the file in full; holds none of it.
Result<ModelInfo> InspectModel(Env* env, const std::string& path);

// The shapes of OpenAI's published models by name ("tiny", "base", "small", "medium",
// "large-v3", "large-v3-turbo"), and "test": a one-layer, 64-wide model of the same format for
// unit tests. kInvalidArgument for another name.
Result<ModelShape> ShapeNamed(const std::string& name);

// Writes a model of `shape` with random weights (seeded), a mel filter bank, and a vocabulary
// whose text tokens are `words` (cycled and numbered to fill the 50,257 text tokens; an empty
// list gives "w0", "w1", …; token 220 is a lone space, as whisper.cpp expects). The special
// tokens' embeddings (end of text, timestamps, languages) are zero and the text tokens' are wide,
// so text always outscores them: random weights decode text to whisper.cpp's limit (half the
// text context) in every window, in one segment a window. The work done per window then depends
// on the shape, not the weights (benchmarks). Written to a temporary file, fsynced and renamed.
Status WriteRandomModel(Env* env, const std::string& path, const ModelShape& shape,
                        const std::vector<std::string>& words, uint64_t seed);

}  // namespace attest::asr

#endif  // ATTEST_ASR_MODEL_H_
