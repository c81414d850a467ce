// Speech recognition speed: attest's transcription (the file decoded by FFmpeg as it is read,
// 30-second windows, word times) against whisper.cpp's own command-line tool built from the
// same source, on the same audio, in the same run, for models of the real shapes with random
// weights. Random weights whose end-of-text embedding is zero decode a full window of tokens
// (whisper.cpp's limit, half the text context) in every window, so both tools do the same
// work whatever the weights: the speed of a shape does not depend on them.
//
// The peer runs as whisper.cpp documents it fastest on a CPU for this work: every thread
// (-t), greedy (-bs 1 -bo 1), the language given (-l en), no temperature fallback (-nf), flash
// attention (-fa, its default), one processor (-p 1: more would cut the audio into parts and
// change the work), and -ojf, its full JSON with token times, which is what turns its token
// timestamps on (attest always computes word times).
//
// Prints CSV rows in bench/lib.sh's columns (benchmark,median,min,max,runs,unit,target,note);
// bench/asr_bench.sh prints the provenance lines before them.
//
// Usage: asr_bench --cli build/bin/whisper-cli --audio speech.wav --out DIR
//                  [--shapes tiny,base] [--threads 2] [--beam 1] [--models DIR] [--runs 3]
//                  [--auto-language]
//
// Each tool runs --runs times (at least 3); the order rotates every round (whisper-cli first,
// then attest first, ...), so neither is always first. Before the first round the model file is
// read once, so both find it in the page cache. A figure is the median of the runs, with the
// fastest and slowest; attest's overhead is the ratio of the two medians, with the smallest and
// largest ratio of one round.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
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

// The median (of an even count, the mean of the middle two), as bench/lib.sh's bench_stats.
double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string Quoted(const std::string& note) {
  std::string out = "\"";
  for (char c : note) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// One row in bench/lib.sh's columns: the median of the values, their min and max.
void Row(const std::string& name, const std::vector<double>& v, const char* unit,
         const std::string& target, const std::string& note) {
  printf("%s,%.6g,%.6g,%.6g,%zu,%s,%s,%s\n", name.c_str(), Median(v),
         *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()), v.size(),
         unit, target.c_str(), Quoted(note).c_str());
  fflush(stdout);
}

// A row whose median is given apart from its spread (a ratio of medians).
void RowOf(const std::string& name, double median, const std::vector<double>& spread,
           const char* unit, const std::string& target, const std::string& note) {
  printf("%s,%.6g,%.6g,%.6g,%zu,%s,%s,%s\n", name.c_str(), median,
         *std::min_element(spread.begin(), spread.end()),
         *std::max_element(spread.begin(), spread.end()), spread.size(), unit, target.c_str(),
         Quoted(note).c_str());
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

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Text tokens in whisper-cli's full JSON, and how many of them carry token times: each token
// is an object with "text", "timestamps", "offsets", "id" and "p"; special tokens (timestamps,
// start and end of text) are written as "[_...]". Read by scanning, not parsing: random
// weights decode arbitrary bytes, and whisper-cli writes them into its strings unchecked.
struct CliTokens {
  int text = 0;
  int timed = 0;
};
CliTokens CountCliTokens(const std::string& json) {
  CliTokens out;
  const std::string key = "\"text\": \"";
  for (size_t at = json.find(key); at != std::string::npos; at = json.find(key, at + 1)) {
    size_t begin = at + key.size();
    size_t next_text = json.find(key, begin);
    size_t offsets = json.find("\"offsets\"", begin);
    size_t id = json.find("\"id\":", begin);
    // A segment's "text" is followed by its "tokens" array, not by its own "id".
    if (id == std::string::npos || (next_text != std::string::npos && id > next_text)) continue;
    if (json.compare(begin, 2, "[_") == 0) continue;
    ++out.text;
    if (offsets != std::string::npos && offsets < id) ++out.timed;
  }
  return out;
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
  ASSIGN_OR_RETURN(r.t, transcriber->Run(decoder.get(), o));
  r.seconds = Seconds(start);
  if (getenv("ASR_BENCH_VERBOSE")) {
    fprintf(stderr, "attest: load %.3f s, total %.3f s\n", load_s, r.seconds);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  // The attest side as a process of its own, as whisper-cli is one: asr_bench --once MODEL
  // AUDIO THREADS BEAM LANGUAGE OUT transcribes as the worker does and writes "windows tokens"
  // to OUT, so both sides pay for a process start, loading the libraries and the model.
  if (argc == 8 && std::string(argv[1]) == "--once") {
    auto r = RunAttest(argv[2], argv[3], std::atoi(argv[4]), std::atoi(argv[5]), argv[6]);
    if (!r.ok()) {
      fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 1;
    }
    std::ofstream(argv[7]) << r->t.windows << " " << r->t.tokens << "\n";
    return 0;
  }
  std::string cli, audio, out_dir, models = "/var/tmp/attest-asr-bench-models";
  std::vector<std::string> shapes = {"tiny", "base"};
  int threads = 2, beam = 1, runs = 3;
  bool auto_language = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--cli")
      cli = next();
    else if (a == "--audio")
      audio = next();
    else if (a == "--out")
      out_dir = next();
    else if (a == "--models")
      models = next();
    else if (a == "--shapes")
      shapes = Split(next());
    else if (a == "--threads")
      threads = std::atoi(next().c_str());
    else if (a == "--beam")
      beam = std::atoi(next().c_str());
    else if (a == "--runs" || a == "--repeat")
      runs = std::atoi(next().c_str());
    else if (a == "--auto-language")
      auto_language = true;
    else {
      fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (cli.empty() || audio.empty() || out_dir.empty()) {
    fprintf(stderr,
            "usage: asr_bench --cli PATH/whisper-cli --audio FILE.wav --out DIR [--shapes ...]\n");
    return 2;
  }
  if (runs < 3) {
    fprintf(stderr, "asr_bench: --runs must be at least 3 (a median of fewer is no figure)\n");
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
  const std::string same = "threads " + std::to_string(threads) + ", beam " + std::to_string(beam) +
                           ", language en, no fallback, word times; " +
                           std::to_string(static_cast<int>(audio_s + 0.5)) +
                           " s of audio; whisper.cpp " + attest::asr::Transcriber::Version() +
                           "; median of " + std::to_string(runs) + " runs, order rotating";
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
    (void)ReadAll(model);  // the same warm page cache for both tools
    const std::string json_base = out_dir + "/whisper-cli-" + shape_name;
    // whisper-cli: the same model, audio, threads, beam, language; no temperature fallback;
    // token times (-ojf), written to a scratch file.
    const std::vector<std::string> cmd = {cli,
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
                                          "-fa",
                                          "-p",
                                          "1",
                                          "-np",
                                          "-ojf",
                                          "-of",
                                          json_base};
    std::vector<double> cli_s, att_s, lid_s, ratio;
    AttestRun last;
    CliTokens cli_tokens;
    std::string failure;
    auto fail = [&](const std::string& why) {
      failure = why;
      return false;
    };
    // The engines of one round, in the order of round 0; round r starts with engine r % n.
    std::vector<std::function<bool()>> engines;
    engines.push_back([&]() {
      std::filesystem::remove(json_base + ".json");
      double s = TimeCommand(cmd);
      if (s < 0) return fail("whisper-cli failed: " + cmd[0]);
      cli_tokens = CountCliTokens(ReadAll(json_base + ".json"));
      if (cli_tokens.text == 0 || cli_tokens.timed != cli_tokens.text) {
        return fail("whisper-cli wrote no timed tokens to " + json_base + ".json");
      }
      cli_s.push_back(s);
      return true;
    });
    // attest: this program again (--once), a new process like whisper-cli's, timed the same way.
    const std::string once_out = out_dir + "/attest-" + shape_name + ".txt";
    auto attest_once = [&](const std::string& language) {
      std::filesystem::remove(once_out);
      return TimeCommand({"/proc/self/exe", "--once", model, audio, std::to_string(threads),
                          std::to_string(beam), language, once_out});
    };
    engines.push_back([&]() {
      double s = attest_once("en");
      if (s < 0) return fail("attest (asr_bench --once) failed on " + audio);
      std::ifstream in(once_out);
      if (!(in >> last.t.windows >> last.t.tokens) || last.t.tokens == 0) {
        return fail("attest decoded no text tokens (" + once_out + ")");
      }
      att_s.push_back(s);
      return true;
    });
    if (auto_language) {
      engines.push_back([&]() {
        double s = attest_once("");
        if (s < 0) return fail("attest (asr_bench --once, any language) failed on " + audio);
        lid_s.push_back(s);
        return true;
      });
    }
    for (int round = 0; round < runs; ++round) {
      for (size_t k = 0; k < engines.size(); ++k) {
        if (!engines[(round + k) % engines.size()]()) {
          fprintf(stderr, "%s: %s\n", shape_name.c_str(), failure.c_str());
          return 1;
        }
      }
      ratio.push_back(att_s.back() / cli_s.back());
    }
    std::filesystem::remove(json_base + ".json");
    std::filesystem::remove(once_out);
    auto rtf = [&](const std::vector<double>& v) {
      std::vector<double> out;
      for (double s : v) out.push_back(s / audio_s);
      return out;
    };
    const std::string work = "; " + std::to_string(last.t.windows) + " windows; attest " +
                             std::to_string(last.t.tokens) + " text tokens, whisper-cli " +
                             std::to_string(cli_tokens.text);
    const std::string peer =
        "peer: whisper-cli -m MODEL -f WAV -t " + std::to_string(threads) + " -bs " +
        std::to_string(beam) + " -bo " + std::to_string(beam) +
        " -l en -nf -fa -p 1 -np -ojf -of OUT (wall time, model load included); " + same;
    const std::string mine =
        "attest: a new process (asr_bench --once), model load + FFmpeg decode as read + 30 s "
        "windows + word times; " +
        same;
    Row("asr_" + shape_name + "_seconds_whisper_cli", cli_s, "s", "", peer + work);
    Row("asr_" + shape_name + "_seconds_attest", att_s, "s", "", mine + work);
    Row("asr_" + shape_name + "_rtf_whisper_cli", rtf(cli_s), "x_realtime", "",
        "wall time / audio time; " + peer);
    Row("asr_" + shape_name + "_rtf_attest", rtf(att_s), "x_realtime",
        shape_name == "small" ? "<1" : "", "wall time / audio time; " + mine);
    std::vector<double> ratio_pct;
    for (double r : ratio) ratio_pct.push_back((r - 1) * 100);
    RowOf("asr_" + shape_name + "_attest_overhead", (Median(att_s) / Median(cli_s) - 1) * 100,
          ratio_pct, "percent", "<=5",
          "attest's median wall time over whisper-cli's, minus 1; min and max: the rounds' own "
          "ratios; " +
              same);
    if (auto_language) {
      Row("asr_" + shape_name + "_rtf_attest_language_per_window", rtf(lid_s), "x_realtime", "",
          "each window's language identified among he,ar,en,fr (one more encoder pass a "
          "window); in the same rotation");
    }
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  Row("asr_attest_peak_rss", {ru.ru_maxrss / 1024.0}, "MiB", "",
      "largest model loaded, one measurement");
  return 0;
}
