#include "search/embedder_testing.h"

#include <ggml.h>
#include <gguf.h>

#include <map>
#include <random>
#include <set>
#include <vector>

namespace attest::search {
namespace {

void AppendUtf8(std::string* s, uint32_t c) {
  if (c < 0x80) {
    *s += static_cast<char>(c);
  } else if (c < 0x800) {
    *s += static_cast<char>(0xC0 | (c >> 6));
    *s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    *s += static_cast<char>(0xE0 | (c >> 12));
    *s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *s += static_cast<char>(0x80 | (c & 0x3F));
  }
}

}  // namespace

TestModelShape E5SmallShape() {
  TestModelShape s;
  s.vocab = 250037;
  s.embd = 384;
  s.layers = 12;
  s.heads = 12;
  s.ff = 1536;
  s.ctx = 512;
  s.f16 = true;
  return s;
}

Status WriteTestEmbeddingModel(const std::string& path, const TestModelShape& shape) {
  // The vocabulary: specials, then each letter as a word's start ("▁a") and inside a word.
  std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  std::vector<int32_t> types = {3, 2, 3, 3, 3};  // control, unknown
  std::vector<uint32_t> letters;
  for (uint32_t c = '0'; c <= '9'; ++c) letters.push_back(c);
  for (uint32_t c = 'a'; c <= 'z'; ++c) letters.push_back(c);
  for (uint32_t c = 0xE0; c <= 0xFF; ++c) letters.push_back(c);    // é, è, à, ç, …
  for (uint32_t c = 0x621; c <= 0x64A; ++c) letters.push_back(c);  // Arabic
  for (uint32_t c = 0x5D0; c <= 0x5EA; ++c) letters.push_back(c);  // Hebrew
  for (uint32_t c : letters) {
    std::string start = "\xE2\x96\x81", inside;
    AppendUtf8(&start, c);
    AppendUtf8(&inside, c);
    tokens.push_back(start);
    tokens.push_back(inside);
    types.push_back(1);
    types.push_back(1);
  }
  std::set<std::string> seen(tokens.begin(), tokens.end());
  std::map<int64_t, const std::vector<float>*> constructed;  // token -> its embedding
  for (const auto& [w, v] : shape.word_vectors) {
    if (v.size() != shape.embd) {
      return Status::InvalidArgument("the vector of test word '" + w + "' has " +
                                     std::to_string(v.size()) + " values, not " +
                                     std::to_string(shape.embd));
    }
    std::string t = "\xE2\x96\x81" + w;
    if (w.empty() || !seen.insert(t).second) {
      return Status::InvalidArgument("test word '" + w + "' is empty or given twice");
    }
    constructed[static_cast<int64_t>(tokens.size())] = &v;
    tokens.push_back(t);
    types.push_back(1);
  }
  const bool random = constructed.empty();
  for (const auto& w : shape.words) {
    std::string t = "\xE2\x96\x81" + w;
    if (w.empty() || (shape.vocab > 0 && tokens.size() >= shape.vocab) || !seen.insert(t).second) {
      continue;
    }
    tokens.push_back(t);
    types.push_back(1);
  }
  for (uint32_t i = 0; tokens.size() < shape.vocab; ++i) {
    tokens.push_back("\xE2\x96\x81zzfiller" + std::to_string(i));
    types.push_back(1);
  }
  const int64_t n_vocab = static_cast<int64_t>(tokens.size());
  const int64_t e = shape.embd, ff = shape.ff;
  const ggml_type wtype = shape.f16 ? GGML_TYPE_F16 : GGML_TYPE_F32;

  // Room for every tensor (f32 at most) and ggml's bookkeeping.
  size_t floats =
      static_cast<size_t>(n_vocab * e + 2 * e + shape.ctx * e + 2 * e +
                          shape.layers * (4 * e * e + 4 * e + 2 * e * ff + ff + e + 4 * e));
  ggml_init_params ip = {
      floats * sizeof(float) + (shape.layers * 16 + 16) * ggml_tensor_overhead() + (1 << 20),
      nullptr, false};
  ggml_context* ctx = ggml_init(ip);
  if (!ctx)
    return Status::IOError("no memory for a test model of " + std::to_string(floats) + " weights");
  gguf_context* g = gguf_init_empty();
  std::mt19937_64 rng(shape.seed);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  // `fill`: every value (norms: weight 1, bias about 0); 0: random (or, constructed, zero but
  // for the words' embeddings).
  auto add = [&](const std::string& name, int64_t ne0, int64_t ne1, bool matrix, float fill) {
    ggml_tensor* t = ne1 > 0 ? ggml_new_tensor_2d(ctx, matrix ? wtype : GGML_TYPE_F32, ne0, ne1)
                             : ggml_new_tensor_1d(ctx, GGML_TYPE_F32, ne0);
    ggml_set_name(t, name.c_str());
    const bool token_embd = name == "token_embd.weight";
    int64_t n = ggml_nelements(t);
    for (int64_t i = 0; i < n; ++i) {
      float v;
      if (random) {
        v = fill != 0 ? fill : normal(rng);
      } else if (token_embd) {
        auto it = constructed.find(i / ne0);
        v = it == constructed.end() ? 0.0f : (*it->second)[static_cast<size_t>(i % ne0)];
      } else {
        v = fill == 1.0f ? 1.0f : 0.0f;
      }
      if (t->type == GGML_TYPE_F16) {
        static_cast<ggml_fp16_t*>(t->data)[i] = ggml_fp32_to_fp16(v);
      } else {
        static_cast<float*>(t->data)[i] = v;
      }
    }
    gguf_add_tensor(g, t);
  };
  add("token_embd.weight", e, n_vocab, true, 0);
  add("token_types.weight", e, 2, false, 0);
  add("position_embd.weight", e, shape.ctx, false, 0);
  add("token_embd_norm.weight", e, 0, false, 1.0f);
  add("token_embd_norm.bias", e, 0, false, 1e-6f);
  for (uint32_t l = 0; l < shape.layers; ++l) {
    std::string b = "blk." + std::to_string(l) + ".";
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      add(b + m + ".weight", e, e, true, 0);
      add(b + m + ".bias", e, 0, false, 0);
    }
    add(b + "attn_output_norm.weight", e, 0, false, 1.0f);
    add(b + "attn_output_norm.bias", e, 0, false, 1e-6f);
    add(b + "ffn_up.weight", e, ff, true, 0);
    add(b + "ffn_up.bias", ff, 0, false, 0);
    add(b + "ffn_down.weight", ff, e, true, 0);
    add(b + "ffn_down.bias", e, 0, false, 0);
    add(b + "layer_output_norm.weight", e, 0, false, 1.0f);
    add(b + "layer_output_norm.bias", e, 0, false, 1e-6f);
  }

  gguf_set_val_str(g, "general.architecture", "bert");
  gguf_set_val_str(g, "general.name",
                   random ? "attest-test-random-bert" : "attest-test-constructed-bert");
  gguf_set_val_u32(g, "general.file_type", shape.f16 ? 1 : 0);
  gguf_set_val_u32(g, "bert.context_length", shape.ctx);
  gguf_set_val_u32(g, "bert.embedding_length", shape.embd);
  gguf_set_val_u32(g, "bert.feed_forward_length", shape.ff);
  gguf_set_val_u32(g, "bert.block_count", shape.layers);
  gguf_set_val_u32(g, "bert.attention.head_count", shape.heads);
  gguf_set_val_f32(g, "bert.attention.layer_norm_epsilon", 1e-12f);
  gguf_set_val_bool(g, "bert.attention.causal", false);
  gguf_set_val_u32(g, "bert.pooling_type", 1);  // mean, as multilingual-e5
  gguf_set_val_str(g, "tokenizer.ggml.model", "bert");
  gguf_set_val_str(g, "tokenizer.ggml.pre", "default");
  std::vector<const char*> ptrs;
  for (const auto& t : tokens) ptrs.push_back(t.c_str());
  gguf_set_arr_str(g, "tokenizer.ggml.tokens", ptrs.data(), ptrs.size());
  gguf_set_arr_data(g, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, types.data(), types.size());
  gguf_set_val_u32(g, "tokenizer.ggml.token_type_count", 2);
  gguf_set_val_u32(g, "tokenizer.ggml.padding_token_id", 0);
  gguf_set_val_u32(g, "tokenizer.ggml.unknown_token_id", 1);
  gguf_set_val_u32(g, "tokenizer.ggml.bos_token_id", 2);
  gguf_set_val_u32(g, "tokenizer.ggml.cls_token_id", 2);
  gguf_set_val_u32(g, "tokenizer.ggml.seperator_token_id", 3);
  gguf_set_val_u32(g, "tokenizer.ggml.mask_token_id", 4);
  gguf_set_val_bool(g, "tokenizer.ggml.add_bos_token", true);
  gguf_set_val_bool(g, "tokenizer.ggml.add_eos_token", false);
  gguf_set_val_bool(g, "tokenizer.ggml.add_sep_token", true);
  bool ok = gguf_write_to_file(g, path.c_str(), false);
  gguf_free(g);
  ggml_free(ctx);
  if (!ok) return Status::IOError("could not write the test model '" + path + "'");
  return Status::Ok();
}

}  // namespace attest::search
