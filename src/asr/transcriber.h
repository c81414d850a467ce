// Speech to time-coded text with whisper.cpp: a thin wrapper over whisper.h.
#ifndef ATTEST_ASR_TRANSCRIBER_H_
#define ATTEST_ASR_TRANSCRIBER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

struct whisper_context;
struct whisper_state;

namespace attest::asr {

constexpr int kSampleRate = 16000;  // what whisper reads: 16 kHz mono float in [-1, 1]

// Audio pulled in order, 16 kHz mono. Not thread-safe.
class PcmSource {
 public:
  virtual ~PcmSource() = default;
  // Fills up to n samples; returns the count, 0 at the end.
  virtual Result<size_t> Read(float* out, size_t n) = 0;
};

// Samples already in memory (tests, short clips).
class MemoryPcm : public PcmSource {
 public:
  explicit MemoryPcm(std::vector<float> samples) : samples_(std::move(samples)) {}
  Result<size_t> Read(float* out, size_t n) override;

 private:
  std::vector<float> samples_;
  size_t pos_ = 0;
};

struct Word {
  std::string text;  // as spoken, without the leading space
  int64_t start_ms = 0, end_ms = 0;
  float p = 0;  // the mean probability of its tokens
};

struct Segment {
  int64_t start_ms = 0, end_ms = 0;  // from the start of the audio
  std::string lang;                  // ISO 639-1, the language its window was read in
  std::string text;                  // valid UTF-8, trimmed
  float confidence = 0;              // mean token probability
  float no_speech = 0;               // whisper's no-speech probability for its window
  std::vector<Word> words;
};

struct Transcript {
  std::vector<Segment> segments;  // in time order, not overlapping
  int64_t duration_ms = 0;        // of the audio read
  uint64_t windows = 0;           // 30-second windows decoded
  uint64_t silent_windows = 0;    // windows skipped as silence (peak below -60 dBFS)
  uint64_t tokens = 0;            // text tokens decoded (kept)
};

struct TranscribeOptions {
  // Read every window in this language (ISO 639-1). Empty: each 30-second window's language is
  // identified among `languages`, so a testimony that changes language keeps each part's own.
  std::string language;
  std::vector<std::string> languages = {"he", "ar", "en", "fr"};
  std::string prompt;      // vocabulary to expect (names of places and people), or empty
  bool translate = false;  // into English (a translation, not the witness's words)
  int threads = 0;         // 0: every core
  int beam_size = 5;       // 1: greedy decoding
  // A window whose text looks wrong (repetitive, improbable) is decoded again at higher
  // temperatures, as OpenAI's reference does. Off: one decoding a window (benchmarks).
  bool fallback = true;
  // Called after each window with the milliseconds read so far; returning false stops the run
  // (kUnavailable "stopped").
  std::function<bool(int64_t)> progress;
};

// A loaded whisper model. Thread-safe: Run may be called from several threads at once (each
// run has its own decoding state; the weights are shared).
class Transcriber {
 public:
  // Loads a whisper ggml model file (check it first with InspectModel: whisper.cpp reports a
  // bad file only in its log). kInvalidArgument if whisper.cpp cannot load it.
  static Result<std::unique_ptr<Transcriber>> Load(const std::string& path, bool use_gpu = false);
  ~Transcriber();
  Transcriber(const Transcriber&) = delete;
  Transcriber& operator=(const Transcriber&) = delete;

  // Reads `pcm` to its end, one 30-second window at a time (constant memory, however long the
  // recording): each window is decoded once, and the next starts where the window's last
  // complete segment ended, so nothing is cut at a seam and nothing is read twice.
  Result<Transcript> Run(PcmSource* pcm, const TranscribeOptions& opts) const;

  static std::string Version();  // whisper.cpp's

 private:
  explicit Transcriber(whisper_context* ctx) : ctx_(ctx) {}
  // Decodes the window at the start of `buf` (`buf_start` samples into the audio) onto
  // `transcript` (with `fresh_context`, without the text before it as its prompt);
  // returns how many samples the window's text covered (where the next window starts).
  Result<size_t> DecodeWindow(whisper_state* state, const std::vector<float>& buf,
                              int64_t buf_start, const std::vector<int>& lang_ids,
                              const TranscribeOptions& opts, int threads, bool fresh_context,
                              Transcript* transcript) const;
  whisper_context* ctx_;
};

}  // namespace attest::asr

#endif  // ATTEST_ASR_TRANSCRIBER_H_
