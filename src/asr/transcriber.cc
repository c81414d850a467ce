#include "asr/transcriber.h"

#include <whisper.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <thread>

#include "core/json.h"

namespace attest::asr {
namespace {

constexpr size_t kWindow = 30 * kSampleRate;   // whisper's 30-second window
constexpr size_t kMinAdvance = kSampleRate;    // a window moves the read on by a second at least
constexpr size_t kMinTail = kSampleRate / 10;  // whisper ignores the last 100 ms
// A window whose loudest sample is below this (-60 dBFS) is silence: whisper is known to
// invent text for silence, so it is not decoded at all.
constexpr float kSilence = 0.001f;

// whisper.cpp logs to stderr by default; attest reports errors itself, in words a user can act
// on, so the library's log is dropped.
void QuietWhisper() {
  static std::once_flag once;
  std::call_once(once, [] { whisper_log_set([](ggml_log_level, const char*, void*) {}, nullptr); });
}

// Replaces bytes that are not UTF-8 (a token can end inside a character) with U+FFFD.
std::string ValidUtf8(const std::string& s) {
  if (IsValidUtf8(s)) return s;
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len > 0 && i + len <= s.size() && IsValidUtf8(std::string_view(s).substr(i, len))) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\n");
  return s.substr(b, e - b + 1);
}

struct StateDeleter {
  void operator()(whisper_state* s) const { whisper_free_state(s); }
};

}  // namespace

Result<size_t> MemoryPcm::Read(float* out, size_t n) {
  size_t take = std::min(n, samples_.size() - pos_);
  std::copy_n(samples_.data() + pos_, take, out);
  pos_ += take;
  return take;
}

std::string Transcriber::Version() { return whisper_version(); }

Result<std::unique_ptr<Transcriber>> Transcriber::Load(const std::string& path, bool use_gpu) {
  QuietWhisper();
  whisper_context_params p = whisper_context_default_params();
  p.use_gpu = use_gpu;
  whisper_context* ctx = whisper_init_from_file_with_params_no_state(path.c_str(), p);
  if (!ctx) {
    return Status::InvalidArgument(path + ": whisper.cpp could not load this model");
  }
  if (!whisper_is_multilingual(ctx)) {
    whisper_free(ctx);
    return Status::InvalidArgument(path +
                                   ": an English-only model; attest needs a multilingual "
                                   "one");
  }
  return std::unique_ptr<Transcriber>(new Transcriber(ctx));
}

Transcriber::~Transcriber() { whisper_free(ctx_); }

Result<size_t> Transcriber::DecodeWindow(whisper_state* state, const std::vector<float>& buf,
                                         int64_t buf_start, const std::vector<int>& lang_ids,
                                         const TranscribeOptions& opts, int threads,
                                         bool fresh_context, Transcript* transcript) const {
  Transcript& out = *transcript;
  const whisper_token eot = whisper_token_eot(ctx_);
  std::string lang = opts.language;
  if (lang.empty()) {
    std::vector<float> probs(whisper_lang_max_id() + 1);
    if (whisper_pcm_to_mel_with_state(ctx_, state, buf.data(), static_cast<int>(buf.size()),
                                      threads) != 0 ||
        whisper_lang_auto_detect_with_state(ctx_, state, 0, threads, probs.data()) < 0) {
      return Status::Unavailable("whisper could not identify the language of the window at " +
                                 std::to_string(buf_start * 1000 / kSampleRate) + " ms");
    }
    int best = lang_ids[0];
    for (int id : lang_ids) {
      if (probs[id] > probs[best]) best = id;
    }
    lang = whisper_lang_str(best);
  }
  whisper_full_params p = whisper_full_default_params(
      opts.beam_size > 1 ? WHISPER_SAMPLING_BEAM_SEARCH : WHISPER_SAMPLING_GREEDY);
  p.n_threads = threads;
  p.language = lang.c_str();
  p.detect_language = false;
  p.translate = opts.translate;
  p.token_timestamps = true;
  p.print_progress = p.print_realtime = p.print_timestamps = p.print_special = false;
  p.beam_search.beam_size = std::max(1, opts.beam_size);
  if (!opts.fallback) {
    p.temperature_inc = 0.0f;
    p.greedy.best_of = 1;  // best-of only samples at temperatures above zero: never here
  }
  if (out.windows == 0 && !opts.prompt.empty()) {
    p.initial_prompt = opts.prompt.c_str();
  }
  // The text of the window before is the prompt of this one, as whisper.cpp carries it from one
  // window to the next in its state (whisper_full's own way, and its cost); after silence, and
  // at the start, there is none.
  p.no_context = fresh_context;
  // One window per call: whisper would go on to the rest of the buffer, so the second
  // encoder run is refused and the next call starts where this window's text ended.
  int encoder_runs = 0;
  p.encoder_begin_callback = [](whisper_context*, whisper_state*, void* user) {
    return (*static_cast<int*>(user))++ == 0;
  };
  p.encoder_begin_callback_user_data = &encoder_runs;
  if (whisper_full_with_state(ctx_, state, p, buf.data(), static_cast<int>(buf.size())) != 0) {
    return Status::Unavailable("whisper could not decode the window at " +
                               std::to_string(buf_start * 1000 / kSampleRate) + " ms");
  }
  ++out.windows;
  const int64_t base_ms = buf_start * 1000 / kSampleRate;
  const int n = whisper_full_n_segments_from_state(state);
  int64_t end_cs = 0;  // where this window's text ends, in whisper's 10 ms units
  for (int i = 0; i < n; ++i) {
    int64_t t0 = whisper_full_get_segment_t0_from_state(state, i);
    int64_t t1 = whisper_full_get_segment_t1_from_state(state, i);
    end_cs = std::max(end_cs, t1);
    Segment seg;
    seg.start_ms = base_ms + t0 * 10;
    seg.end_ms = base_ms + t1 * 10;
    seg.lang = lang;
    seg.no_speech = whisper_full_get_segment_no_speech_prob_from_state(state, i);
    std::string text;
    double psum = 0;
    int ntok = 0;
    Word* word = nullptr;
    int word_tokens = 0;
    const int tokens = whisper_full_n_tokens_from_state(state, i);
    for (int j = 0; j < tokens; ++j) {
      whisper_token_data d = whisper_full_get_token_data_from_state(state, i, j);
      if (d.id >= eot) continue;  // timestamps and other special tokens
      std::string piece = whisper_full_get_token_text_from_state(ctx_, state, i, j);
      text += piece;
      psum += d.p;
      ++ntok;
      bool starts_word = word == nullptr || (!piece.empty() && piece[0] == ' ');
      if (starts_word) {
        if (word && word_tokens > 0) word->p /= word_tokens;
        seg.words.push_back(Word{});
        word = &seg.words.back();
        word->start_ms = base_ms + std::max<int64_t>(d.t0, t0) * 10;
        word_tokens = 0;
      }
      word->text += piece;
      word->end_ms = base_ms + std::min<int64_t>(std::max<int64_t>(d.t1, d.t0), t1) * 10;
      word->p += d.p;
      ++word_tokens;
    }
    if (word && word_tokens > 0) word->p /= word_tokens;
    out.tokens += ntok;
    seg.text = Trim(ValidUtf8(text));
    seg.confidence = ntok ? static_cast<float>(psum / ntok) : 0.0f;
    for (Word& w : seg.words) w.text = Trim(ValidUtf8(w.text));
    std::erase_if(seg.words, [](const Word& w) { return w.text.empty(); });
    if (seg.text.empty()) continue;
    // Never overlapping, never running backwards, never past the audio, whatever the
    // timestamps said (whisper pads the last window with silence and may time text in it).
    int64_t floor_ms = out.segments.empty() ? 0 : out.segments.back().end_ms;
    int64_t audio_end_ms = (buf_start + static_cast<int64_t>(buf.size())) * 1000 / kSampleRate;
    seg.start_ms = std::max(seg.start_ms, floor_ms);
    if (seg.start_ms >= audio_end_ms) continue;
    seg.end_ms = std::clamp(seg.end_ms, seg.start_ms, audio_end_ms);
    for (Word& w : seg.words) {
      w.start_ms = std::clamp(w.start_ms, seg.start_ms, seg.end_ms);
      w.end_ms = std::clamp(w.end_ms, w.start_ms, seg.end_ms);
    }
    out.segments.push_back(std::move(seg));
  }
  size_t advance = static_cast<size_t>(end_cs) * kSampleRate / 100;
  if (advance < kMinAdvance || advance > buf.size()) advance = std::min(buf.size(), kWindow);
  return advance;
}

Result<Transcript> Transcriber::Run(PcmSource* pcm, const TranscribeOptions& opts) const {
  int threads = opts.threads > 0
                    ? opts.threads
                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::vector<int> lang_ids;
  if (opts.language.empty()) {
    for (const std::string& l : opts.languages) {
      int id = whisper_lang_id(l.c_str());
      if (id < 0) return Status::InvalidArgument("whisper does not know the language '" + l + "'");
      lang_ids.push_back(id);
    }
    if (lang_ids.empty()) return Status::InvalidArgument("no languages to choose among");
  } else if (whisper_lang_id(opts.language.c_str()) < 0) {
    return Status::InvalidArgument("whisper does not know the language '" + opts.language + "'");
  }
  // whisper_init_state sets ggml's process-wide log callback (and probes backends) each time:
  // two runs starting at once would race there (ThreadSanitizer), so states are made one at a
  // time; the runs themselves go on in parallel.
  static std::mutex init_mu;
  std::unique_ptr<whisper_state, StateDeleter> state;
  {
    std::lock_guard<std::mutex> lock(init_mu);
    state.reset(whisper_init_state(ctx_));
  }
  if (!state) return Status::Unavailable("out of memory for whisper's decoding state");

  Transcript out;
  std::vector<float> buf;
  buf.reserve(kWindow);
  std::vector<float> chunk(kSampleRate);
  int64_t buf_start = 0;  // samples before buf[0]
  bool eof = false;
  bool fresh_context = true;  // no text before the next window to carry into it
  while (true) {
    while (!eof && buf.size() < kWindow) {
      ASSIGN_OR_RETURN(size_t n,
                       pcm->Read(chunk.data(), std::min(chunk.size(), kWindow - buf.size())));
      if (n == 0) eof = true;
      buf.insert(buf.end(), chunk.begin(), chunk.begin() + n);
      out.duration_ms = (buf_start + static_cast<int64_t>(buf.size())) * 1000 / kSampleRate;
    }
    if (buf.size() < kMinTail) break;
    float peak = 0;
    for (float v : buf) peak = std::max(peak, std::fabs(v));
    size_t advance = buf.size();
    if (peak < kSilence) {
      ++out.silent_windows;
      fresh_context = true;
    } else {
      ASSIGN_OR_RETURN(advance, DecodeWindow(state.get(), buf, buf_start, lang_ids, opts, threads,
                                             fresh_context, &out));
      fresh_context = false;
    }
    if (opts.progress &&
        !opts.progress((buf_start + static_cast<int64_t>(advance)) * 1000 / kSampleRate)) {
      return Status::Unavailable("stopped");
    }
    if (eof && buf.size() - advance < kMinTail) break;
    buf.erase(buf.begin(), buf.begin() + advance);
    buf_start += static_cast<int64_t>(advance);
  }
  return out;
}

}  // namespace attest::asr
