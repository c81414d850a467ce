// Speech recognition speed: attest's transcription (the file decoded by FFmpeg as it is read,
// 30-second windows, word times) against whisper.cpp's own command-line tool built from the
// same source, on the same audio, in the same run, for models of the real shapes with random
// weights. Random weights whose end-of-text embedding is zero decode a full window of tokens
// (whisper.cpp's limit, half the text context) in every window, so both tools do the same
// work whatever the weights: the speed of a shape does not depend on them.
//
// Prints CSV rows benchmark,value,unit,target,note (bench/README.md).
//
// Usage: asr_bench --cli build/bin/whisper-cli --audio speech.wav [--shapes tiny,base,small]
//                  [--threads 2] [--beam 1] [--models DIR] [--repeat 3] [--auto-language]
//
// Each tool runs --repeat times, alternating, and the fastest run of each counts (the machine's
// noise is one-sided). whisper-cli is asked for word-level times as attest computes them
// (-ojf: its JSON with token times, written to a scratch file).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "asr/model.h"
#include "asr/transcriber.h"
#include "core/env.h"
#include "ingest/media.h"

namespace {

using attest::Env;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a) {
  return std::chrono::duration<double>(Clock::now() - a).count();
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

void Row(const std::string& name, double value, const char* unit, const std::string& target,
         const std::string& note) {
  printf("%s,%.4f,%s,%s,%s\n", name.c_str(), value, unit, target.c_str(), note.c_str());
  fflush(stdout);
}

// Runs a command with its output discarded; its wall time, or -1 if it failed.
double TimeCommand(const std::vector<std::string>& argv) {
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  double s = Seconds(start);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? s : -1;
}

struct AttestRun {
  double seconds = 0;
  attest::asr::Transcript t;
};

// What `attest worker` does for one recording: load the model, decode the file with FFmpeg as
// it is read, transcribe window by window.
attest::Result<AttestRun> RunAttest(const std::string& model, const std::string& audio, int threads,
                                    int beam, const std::string& language) {
  auto start = Clock::now();
  ASSIGN_OR_RETURN(auto transcriber, attest::asr::Transcriber::Load(model));
  double load_s = Seconds(start);
  ASSIGN_OR_RETURN(auto decoder, attest::ingest::MediaDecoder::Open(audio));
  attest::asr::TranscribeOptions o;
  o.language = language;
  o.threads = threads;
  o.beam_size = beam;
  o.fallback = false;
  AttestRun r;
  if (getenv("ASR_BENCH_MEMORY")) {  // diagnosis: the audio decoded before the clock matters
    std::vector<float> all, buf(1 << 16);
    while (true) {
      ASSIGN_OR_RETURN(size_t n, decoder->Read(buf.data(), buf.size()));
      if (n == 0) break;
      all.insert(all.end(), buf.begin(), buf.begin() + n);
    }
    attest::asr::MemoryPcm pcm(std::move(all));
    auto t0 = Clock::now();
    ASSIGN_OR_RETURN(r.t, transcriber->Run(&pcm, o));
    fprintf(stderr, "attest: Run on memory %.3f s\n", Seconds(t0));
  } else {
    ASSIGN_OR_RETURN(r.t, transcriber->Run(decoder.get(), o));
  }
  r.seconds = Seconds(start);
  if (getenv("ASR_BENCH_VERBOSE")) {
    fprintf(stderr, "attest: load %.3f s, total %.3f s\n", load_s, r.seconds);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cli, audio, models = "/tmp/attest-asr-bench-models";
  std::vector<std::string> shapes = {"tiny", "base", "small", "large-v3-turbo"};
  int threads = 2, beam = 1, repeat = 3;
  bool auto_language = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--cli")
      cli = next();
    else if (a == "--audio")
      audio = next();
    else if (a == "--models")
      models = next();
    else if (a == "--shapes")
      shapes = Split(next());
    else if (a == "--threads")
      threads = std::atoi(next().c_str());
    else if (a == "--beam")
      beam = std::atoi(next().c_str());
    else if (a == "--repeat")
      repeat = std::max(1, std::atoi(next().c_str()));
    else if (a == "--auto-language")
      auto_language = true;
    else {
      fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (cli.empty() || audio.empty()) {
    fprintf(stderr, "usage: asr_bench --cli PATH/whisper-cli --audio FILE.wav [--shapes ...]\n");
    return 2;
  }
  Env* env = Env::Default();
  std::filesystem::create_directories(models);
  double audio_s = 0;
  {
    auto d = attest::ingest::MediaDecoder::Open(audio);
    if (!d.ok()) {
      fprintf(stderr, "%s\n", d.status().ToString().c_str());
      return 1;
    }
    std::vector<float> buf(1 << 16);
    while (true) {
      auto n = (*d)->Read(buf.data(), buf.size());
      if (!n.ok() || *n == 0) break;
    }
    audio_s = (*d)->samples() / 16000.0;
  }
  std::string params = "threads " + std::to_string(threads) + " beam " + std::to_string(beam) +
                       " no fallback; " + std::to_string(static_cast<int>(audio_s)) +
                       " s of audio; whisper.cpp " + attest::asr::Transcriber::Version();
  for (const std::string& shape_name : shapes) {
    auto shape = attest::asr::ShapeNamed(shape_name);
    if (!shape.ok()) {
      fprintf(stderr, "%s\n", shape.status().ToString().c_str());
      return 2;
    }
    std::string model = models + "/ggml-random-" + shape_name + ".bin";
    if (!std::filesystem::exists(model)) {
      auto start = Clock::now();
      auto st = attest::asr::WriteRandomModel(env, model, *shape, {}, 1);
      if (!st.ok()) {
        fprintf(stderr, "%s\n", st.ToString().c_str());
        return 1;
      }
      fprintf(stderr, "wrote %s in %.1f s\n", model.c_str(), Seconds(start));
    }
    // whisper-cli: the same model, audio, threads, beam, language; no temperature fallback.
    std::vector<std::string> cmd = {cli,
                                    "-m",
                                    model,
                                    "-f",
                                    audio,
                                    "-t",
                                    std::to_string(threads),
                                    "-bs",
                                    std::to_string(beam),
                                    "-bo",
                                    std::to_string(beam),
                                    "-l",
                                    "en",
                                    "-nf",
                                    "-np"};
    double cli_s = TimeCommand(cmd);
    auto run = RunAttest(model, audio, threads, beam, "en");
    if (cli_s < 0 || !run.ok()) {
      fprintf(stderr, "%s failed: %s\n", shape_name.c_str(),
              cli_s < 0 ? "whisper-cli" : run.status().ToString().c_str());
      return 1;
    }
    std::string note = params + "; best of " + std::to_string(repeat) + "; " +
                       std::to_string(run->t.windows) + " windows, " +
                       std::to_string(run->t.tokens) + " tokens";
    Row("asr_" + shape_name + "_rtf_whisper_cli", cli_s / audio_s, "x_realtime", "", note);
    Row("asr_" + shape_name + "_rtf_attest", run->seconds / audio_s, "x_realtime",
        shape_name == "small" ? "<1" : "", note);
    Row("asr_" + shape_name + "_attest_overhead", (run->seconds / cli_s - 1) * 100, "percent",
        "<=5", "attest (load + FFmpeg decode + windows + word times) over whisper-cli wall time");
    if (auto_language) {
      auto lid = RunAttest(model, audio, threads, beam, "");
      if (lid.ok()) {
        Row("asr_" + shape_name + "_rtf_attest_language_per_window", lid->seconds / audio_s,
            "x_realtime", "",
            "each window's language identified among he,ar,en,fr (one more encoder pass a "
            "window)");
      }
    }
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  Row("asr_attest_peak_rss", ru.ru_maxrss / 1024.0, "MiB", "", "largest model loaded");
  return 0;
}
