#include "asr/model.h"

#include <ggml.h>

#include <cmath>
#include <cstring>
#include <map>

#include "core/hash.h"

namespace attest::asr {
namespace {

constexpr uint32_t kMagic = 0x67676d6c;  // "ggml", little-endian
constexpr int32_t kTextTokens = 50257;   // the multilingual tokenizer's text tokens
constexpr int32_t kSpaceToken = 220;     // " ", where the GPT-2 tokenizer has it
constexpr int32_t kFft = 201;            // whisper's 400-sample FFT: 201 frequency bins

// One tensor whisper.cpp expects: its name, its dimensions in ggml order, and whether the
// converters store it in the model's weight type (f16) or always in f32.
struct TensorSpec {
  std::string name;
  std::vector<int32_t> ne;
  bool weight;  // stored as ftype (f16); otherwise f32
};

std::vector<TensorSpec> Specs(const ModelShape& s) {
  std::vector<TensorSpec> t;
  const int32_t a = s.n_audio_state, x = s.n_text_state;
  t.push_back({"encoder.positional_embedding", {a, s.n_audio_ctx}, false});
  t.push_back({"encoder.conv1.weight", {3, s.n_mels, a}, true});
  t.push_back({"encoder.conv1.bias", {1, a}, false});
  t.push_back({"encoder.conv2.weight", {3, a, a}, true});
  t.push_back({"encoder.conv2.bias", {1, a}, false});
  t.push_back({"encoder.ln_post.weight", {a}, false});
  t.push_back({"encoder.ln_post.bias", {a}, false});
  auto block = [&t](const std::string& p, int32_t n, bool cross) {
    t.push_back({p + "mlp_ln.weight", {n}, false});
    t.push_back({p + "mlp_ln.bias", {n}, false});
    t.push_back({p + "mlp.0.weight", {n, 4 * n}, true});
    t.push_back({p + "mlp.0.bias", {4 * n}, false});
    t.push_back({p + "mlp.2.weight", {4 * n, n}, true});
    t.push_back({p + "mlp.2.bias", {n}, false});
    for (std::string attn : cross ? std::vector<std::string>{"attn", "cross_attn"}
                                  : std::vector<std::string>{"attn"}) {
      t.push_back({p + attn + "_ln.weight", {n}, false});
      t.push_back({p + attn + "_ln.bias", {n}, false});
      t.push_back({p + attn + ".query.weight", {n, n}, true});
      t.push_back({p + attn + ".query.bias", {n}, false});
      t.push_back({p + attn + ".key.weight", {n, n}, true});
      t.push_back({p + attn + ".value.weight", {n, n}, true});
      t.push_back({p + attn + ".value.bias", {n}, false});
      t.push_back({p + attn + ".out.weight", {n, n}, true});
      t.push_back({p + attn + ".out.bias", {n}, false});
    }
  };
  for (int i = 0; i < s.n_audio_layer; ++i) {
    block("encoder.blocks." + std::to_string(i) + ".", a, false);
  }
  t.push_back({"decoder.positional_embedding", {x, s.n_text_ctx}, false});
  t.push_back({"decoder.token_embedding.weight", {x, s.n_vocab}, true});
  t.push_back({"decoder.ln.weight", {x}, false});
  t.push_back({"decoder.ln.bias", {x}, false});
  for (int i = 0; i < s.n_text_layer; ++i) {
    block("decoder.blocks." + std::to_string(i) + ".", x, true);
  }
  return t;
}

std::string TypeName(const ModelShape& s) {
  switch (s.n_audio_layer) {
    case 4:
      return "tiny";
    case 6:
      return "base";
    case 12:
      return "small";
    case 24:
      return "medium";
    case 32:
      if (s.n_vocab == 51866) return s.n_text_layer == 4 ? "large-v3-turbo" : "large-v3";
      return "large";
    default:
      return "custom";
  }
}

// Reads a file front to back through a buffer, hashing every byte and counting the offset.
class Reader {
 public:
  Reader(SequentialFile* f, std::string path) : f_(f), path_(std::move(path)) {}

  // Reads n bytes into out (nullptr: skips them). kInvalidArgument "truncated" at end of file.
  Status Read(void* out, uint64_t n, const std::string& what) {
    char* o = static_cast<char*>(out);
    while (n > 0) {
      if (pos_ == len_) {
        ASSIGN_OR_RETURN(bool more, Fill());
        if (!more) {
          return Status::InvalidArgument(path_ + ": truncated at byte " + std::to_string(offset_) +
                                         ": the file ends inside " + what);
        }
      }
      uint64_t take = std::min<uint64_t>(n, len_ - pos_);
      if (o) {
        std::memcpy(o, buf_.data() + pos_, take);
        o += take;
      }
      pos_ += take;
      offset_ += take;
      n -= take;
    }
    return Status::Ok();
  }
  Status ReadI32(int32_t* v, const std::string& what) { return Read(v, 4, what); }
  // True at the end of the file.
  Result<bool> AtEnd() {
    if (pos_ < len_) return false;
    ASSIGN_OR_RETURN(bool more, Fill());
    return !more;
  }
  uint64_t offset() const { return offset_; }
  std::string Digest() { return ToHex(hash_.Finish()); }

 private:
  Result<bool> Fill() {
    buf_.resize(1 << 20);
    ASSIGN_OR_RETURN(size_t n, f_->Read(buf_.size(), buf_.data()));
    hash_.Update(buf_.data(), n);
    len_ = n;
    pos_ = 0;
    return n > 0;
  }

  SequentialFile* f_;
  std::string path_;
  std::string buf_;
  size_t pos_ = 0, len_ = 0;
  uint64_t offset_ = 0;
  Sha256Stream hash_;
};

// A fast, seeded generator of weights (xorshift64*); quality is not the point, speed is.
class Random {
 public:
  explicit Random(uint64_t seed) : s_(seed * 2654435761u + 0x9E3779B97F4A7C15ull) {}
  float Uniform(float scale) {  // in [-scale, scale)
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    uint64_t r = s_ * 0x2545F4914F6CDD1Dull;
    return (static_cast<float>(r >> 40) / static_cast<float>(1 << 24) * 2.0f - 1.0f) * scale;
  }

 private:
  uint64_t s_;
};

float Mel(float hz) { return 2595.0f * std::log10(1.0f + hz / 700.0f); }

}  // namespace

Result<ModelShape> ShapeNamed(const std::string& name) {
  auto make = [](int32_t state, int32_t head, int32_t audio_layers, int32_t text_layers) {
    ModelShape s;
    s.n_audio_state = s.n_text_state = state;
    s.n_audio_head = s.n_text_head = head;
    s.n_audio_layer = audio_layers;
    s.n_text_layer = text_layers;
    return s;
  };
  if (name == "test") return make(64, 2, 1, 1);
  if (name == "tiny") return make(384, 6, 4, 4);
  if (name == "base") return make(512, 8, 6, 6);
  if (name == "small") return make(768, 12, 12, 12);
  if (name == "medium") return make(1024, 16, 24, 24);
  if (name == "large-v3" || name == "large-v3-turbo") {
    ModelShape s = make(1280, 20, 32, name == "large-v3" ? 32 : 4);
    s.n_vocab = 51866;
    s.n_mels = 128;
    return s;
  }
  return Status::InvalidArgument("unknown model shape '" + name +
                                 "'; use test, tiny, base, small, medium, large-v3 or "
                                 "large-v3-turbo");
}

Result<ModelInfo> InspectModel(Env* env, const std::string& path) {
  ASSIGN_OR_RETURN(FileInfo st, env->Stat(path));
  if (!st.exists) return Status::NotFound(path + ": no such file");
  if (!st.is_regular) return Status::InvalidArgument(path + ": not a regular file");
  ASSIGN_OR_RETURN(auto file, env->NewSequentialFile(path));
  Reader r(file.get(), path);
  auto not_whisper = [&path](const std::string& why) {
    return Status::InvalidArgument(path + ": not a whisper model: " + why);
  };
  uint32_t magic = 0;
  if (st.size < 4) return not_whisper("the file is " + std::to_string(st.size) + " bytes long");
  RETURN_IF_ERROR(r.Read(&magic, 4, "the magic number"));
  if (magic != kMagic) {
    return not_whisper(
        "it does not start with ggml's magic number (a GGUF file, or another "
        "format, cannot be used here; whisper.cpp's ggml-*.bin files can)");
  }
  ModelInfo info;
  ModelShape& s = info.shape;
  int32_t* fields[] = {&s.n_vocab,       &s.n_audio_ctx, &s.n_audio_state, &s.n_audio_head,
                       &s.n_audio_layer, &s.n_text_ctx,  &s.n_text_state,  &s.n_text_head,
                       &s.n_text_layer,  &s.n_mels,      &s.ftype};
  for (int32_t* f : fields) RETURN_IF_ERROR(r.ReadI32(f, "the header"));
  for (int32_t* f : fields) {
    if (f != &s.ftype && (*f <= 0 || *f > (1 << 20))) {
      return not_whisper("a header value is " + std::to_string(*f));
    }
  }
  if (s.n_audio_state != s.n_text_state) {
    return not_whisper("its audio and text widths differ");
  }
  if (s.n_vocab < 51864) {
    return Status::InvalidArgument(path + ": an English-only whisper model (" +
                                   std::to_string(s.n_vocab) +
                                   " tokens); attest needs a multilingual one");
  }
  int32_t ftype = s.ftype % 1000;  // whisper.cpp's quantization version is in the thousands
  if (ftype < 0 || ggml_ftype_to_ggml_type(static_cast<ggml_ftype>(ftype)) == GGML_TYPE_COUNT) {
    return not_whisper("unknown weight type " + std::to_string(s.ftype));
  }
  int32_t n_mel = 0, n_fft = 0;
  RETURN_IF_ERROR(r.ReadI32(&n_mel, "the mel filters"));
  RETURN_IF_ERROR(r.ReadI32(&n_fft, "the mel filters"));
  if (n_mel <= 0 || n_fft <= 0 || n_mel > 1024 || n_fft > 4096) {
    return not_whisper("its mel filter bank is " + std::to_string(n_mel) + " x " +
                       std::to_string(n_fft));
  }
  RETURN_IF_ERROR(r.Read(nullptr, uint64_t{4} * n_mel * n_fft, "the mel filters"));
  int32_t n_tokens = 0;
  RETURN_IF_ERROR(r.ReadI32(&n_tokens, "the vocabulary"));
  if (n_tokens < 0 || n_tokens > s.n_vocab) {
    return not_whisper("its vocabulary has " + std::to_string(n_tokens) + " tokens");
  }
  for (int32_t i = 0; i < n_tokens; ++i) {
    int32_t len = 0;
    RETURN_IF_ERROR(r.ReadI32(&len, "the vocabulary"));
    if (len < 0 || len > 1024) return not_whisper("token " + std::to_string(i) + " is too long");
    RETURN_IF_ERROR(r.Read(nullptr, len, "the vocabulary"));
  }
  std::map<std::string, TensorSpec> want;
  for (auto& t : Specs(s)) want.emplace(t.name, std::move(t));
  size_t expected = want.size();
  while (true) {
    ASSIGN_OR_RETURN(bool end, r.AtEnd());
    if (end) break;
    uint64_t at = r.offset();
    int32_t n_dims = 0, name_len = 0, ttype = 0;
    RETURN_IF_ERROR(r.ReadI32(&n_dims, "a tensor header"));
    RETURN_IF_ERROR(r.ReadI32(&name_len, "a tensor header"));
    RETURN_IF_ERROR(r.ReadI32(&ttype, "a tensor header"));
    if (n_dims < 1 || n_dims > 4 || name_len < 1 || name_len > 256 || ttype < 0 ||
        ttype >= GGML_TYPE_COUNT || ggml_type_size(static_cast<ggml_type>(ttype)) == 0) {
      return not_whisper("a bad tensor header at byte " + std::to_string(at));
    }
    std::vector<int32_t> ne(n_dims);
    for (auto& n : ne) RETURN_IF_ERROR(r.ReadI32(&n, "a tensor header"));
    std::string name(name_len, '\0');
    RETURN_IF_ERROR(r.Read(name.data(), name_len, "a tensor name"));
    auto it = want.find(name);
    if (it == want.end()) {
      return not_whisper("unexpected tensor '" + name + "' at byte " + std::to_string(at));
    }
    std::vector<int32_t> got = ne;
    while (got.size() > it->second.ne.size() && got.back() == 1) got.pop_back();
    if (got != it->second.ne) return not_whisper("tensor '" + name + "' has the wrong shape");
    int64_t elements = 1;
    for (int32_t n : ne) elements *= n;
    ggml_type type = static_cast<ggml_type>(ttype);
    if (elements % ggml_blck_size(type) != 0) {
      return not_whisper("tensor '" + name + "' does not fill whole blocks of its type");
    }
    uint64_t bytes = elements / ggml_blck_size(type) * ggml_type_size(type);
    RETURN_IF_ERROR(
        r.Read(nullptr, bytes, "tensor '" + name + "' (" + std::to_string(bytes) + " bytes)"));
    want.erase(it);
    ++info.tensors;
  }
  if (!want.empty()) {
    return Status::InvalidArgument(
        path + ": truncated or incomplete: " + std::to_string(want.size()) + " of " +
        std::to_string(expected) + " tensors are missing (the first: '" + want.begin()->first +
        "')");
  }
  info.type = TypeName(s);
  info.bytes = r.offset();
  info.sha256 = r.Digest();
  return info;
}

Status WriteRandomModel(Env* env, const std::string& path, const ModelShape& shape,
                        const std::vector<std::string>& words, uint64_t seed) {
  if (shape.n_audio_state <= 0 || shape.n_audio_state != shape.n_text_state ||
      shape.n_audio_head <= 0 || shape.n_audio_state % shape.n_audio_head != 0 ||
      shape.n_vocab < 51865 || (shape.ftype != 0 && shape.ftype != 1)) {
    return Status::InvalidArgument(
        "a whisper model shape needs equal audio and text widths, "
        "divisible by the heads, a multilingual vocabulary and "
        "ftype 0 or 1");
  }
  std::string tmp = path + ".tmp";
  ASSIGN_OR_RETURN(auto f, env->NewWritableFile(tmp));
  std::string buf;
  auto put32 = [&buf](int32_t v) { buf.append(reinterpret_cast<const char*>(&v), 4); };
  auto flush = [&]() -> Status {
    Status st = f->Append(buf);
    buf.clear();
    return st;
  };
  put32(static_cast<int32_t>(kMagic));
  for (int32_t v : {shape.n_vocab, shape.n_audio_ctx, shape.n_audio_state, shape.n_audio_head,
                    shape.n_audio_layer, shape.n_text_ctx, shape.n_text_state, shape.n_text_head,
                    shape.n_text_layer, shape.n_mels, shape.ftype}) {
    put32(v);
  }
  // Triangular filters on the mel scale from 0 to 8 kHz, like whisper's (not its exact
  // Slaney normalisation; the weights are random anyway).
  put32(shape.n_mels);
  put32(kFft);
  float top = Mel(8000.0f);
  for (int m = 0; m < shape.n_mels; ++m) {
    float lo = top * m / (shape.n_mels + 1), mid = top * (m + 1) / (shape.n_mels + 1),
          hi = top * (m + 2) / (shape.n_mels + 1);
    for (int k = 0; k < kFft; ++k) {
      float mel = Mel(8000.0f * k / (kFft - 1));
      float w = mel <= lo || mel >= hi ? 0.0f
                : mel < mid            ? (mel - lo) / (mid - lo)
                                       : (hi - mel) / (hi - mid);
      buf.append(reinterpret_cast<const char*>(&w), 4);
    }
  }
  put32(kTextTokens);
  for (int32_t i = 0; i < kTextTokens; ++i) {
    std::string tok;
    if (i == kSpaceToken) {
      tok = " ";  // whisper.cpp looks the lone space up by its text
    } else if (words.empty()) {
      tok = " w" + std::to_string(i);
    } else {
      tok = " " + words[i % words.size()];
      if (i >= static_cast<int32_t>(words.size())) tok += std::to_string(i / words.size());
    }
    put32(static_cast<int32_t>(tok.size()));
    buf += tok;
  }
  RETURN_IF_ERROR(flush());
  Random rng(seed);
  const int32_t eot = kTextTokens;  // the first token after the text tokens
  std::vector<float> row;
  std::vector<ggml_fp16_t> half;
  for (const TensorSpec& t : Specs(shape)) {
    bool f16 = t.weight && shape.ftype == 1;
    put32(static_cast<int32_t>(t.ne.size()));
    put32(static_cast<int32_t>(t.name.size()));
    put32(f16 ? GGML_TYPE_F16 : GGML_TYPE_F32);
    for (int32_t n : t.ne) put32(n);
    buf += t.name;
    RETURN_IF_ERROR(flush());
    int64_t cols = t.ne[0], rows = 1;
    for (size_t i = 1; i < t.ne.size(); ++i) rows *= t.ne[i];
    bool ones = t.name.ends_with("ln.weight") || t.name.ends_with("ln_post.weight");
    bool zeros = t.name.ends_with(".bias");
    float scale = 1.0f / std::sqrt(static_cast<float>(cols));
    bool token_embedding = t.name == "decoder.token_embedding.weight";
    row.resize(cols);
    half.resize(cols);
    for (int64_t r = 0; r < rows; ++r) {
      // Text tokens' embeddings 8 times wider than the other weights: their logits then spread
      // far beyond the zero logits of the special tokens (end of text, timestamps), so random
      // weights write text to the end of every window (see model.h).
      float s = token_embedding ? (r < eot ? 8.0f * scale : 0.0f) : scale;
      for (int64_t c = 0; c < cols; ++c) {
        row[c] = ones ? 1.0f : zeros ? 0.0f : rng.Uniform(s);
      }
      if (f16) {
        ggml_fp32_to_fp16_row(row.data(), half.data(), cols);
        buf.append(reinterpret_cast<const char*>(half.data()), cols * sizeof(ggml_fp16_t));
      } else {
        buf.append(reinterpret_cast<const char*>(row.data()), cols * sizeof(float));
      }
      if (buf.size() >= (1 << 20)) RETURN_IF_ERROR(flush());
    }
    RETURN_IF_ERROR(flush());
  }
  RETURN_IF_ERROR(f->Sync());
  RETURN_IF_ERROR(f->Close());
  RETURN_IF_ERROR(env->RenameFile(tmp, path));
  return env->SyncDir(DirName(path));
}

}  // namespace attest::asr
