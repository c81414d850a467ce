#include "ingest/demo.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <string_view>
#include <vector>

#include "ingest/demo_samples.h"
#include "ingest/models.h"
#include "ingest/worker.h"

extern char** environ;

namespace attest::ingest {
namespace {

const char* EspeakVoice(const std::string& lang) {
  if (lang == "en") return "en-us";
  if (lang == "fr") return "fr-fr";
  if (lang == "ar") return "ar";
  if (lang == "he") return "he";
  return nullptr;
}

bool IsArticleHeading(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return line.rfind("Article ", 0) == 0 || line.rfind("المادة", 0) == 0 ||
         line.rfind("סעיף", 0) == 0;
}

// Runs a program without a shell; its output is discarded. False if it could not run or
// failed.
bool Run(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  // espeak-ng writes a file and plays nothing, but its sound library still makes a
  // /tmp/pulse-* directory unless told there is no sound server.
  std::vector<char*> env;
  bool pulse_set = false;
  for (char** e = environ; *e; ++e) {
    env.push_back(*e);
    pulse_set = pulse_set || std::string_view(*e).rfind("PULSE_SERVER=", 0) == 0;
  }
  static char no_sound[] = "PULSE_SERVER=unix:/nonexistent/attest-demo-plays-no-sound";
  if (!pulse_set) env.push_back(no_sound);
  env.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

const std::vector<SampleFile>& DemoSamples() {
  static const std::vector<SampleFile>* samples = new std::vector<SampleFile>{
      {"udhr-arb.txt", "ar", kSampleUdhrArb},
      {"udhr-heb.txt", "he", kSampleUdhrHeb},
      {"udhr-eng.txt", "en", kSampleUdhrEng},
      {"udhr-fra.txt", "fr", kSampleUdhrFra},
  };
  return *samples;
}

std::string UdhrArticle(const SampleFile& sample, int n) {
  std::string out;
  int seen = 0;
  size_t pos = 0;
  const std::string& t = sample.text;
  while (pos < t.size()) {
    size_t nl = t.find('\n', pos);
    std::string_view line(t.data() + pos, (nl == std::string::npos ? t.size() : nl) - pos);
    pos = nl == std::string::npos ? t.size() : nl + 1;
    if (IsArticleHeading(line)) {
      if (seen == n) break;
      ++seen;
      continue;
    }
    if (seen != n) continue;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) continue;
    if (!out.empty()) out += ' ';
    out += line;
  }
  return out;
}

Result<DemoArchive> BuildDemoArchive(Env* env, const std::string& dir, const DemoOptions& options) {
  using archive::Archive;
  RETURN_IF_ERROR(Archive::Init(env, dir, "demo.attest.invalid/samples"));
  ASSIGN_OR_RETURN(auto archive, Archive::Open(env, dir));
  RETURN_IF_ERROR(archive->SetNotice(
      "A demonstration archive of sample texts: the Universal Declaration of Human Rights "
      "(United Nations, 1948) in Arabic, Hebrew, English and French, some articles read aloud "
      "by a speech synthesizer. Not testimony."));
  if (!options.speech_model.empty()) {
    RETURN_IF_ERROR(AddModel(env, archive.get(), options.speech_model).status());
  }
  std::string staging = JoinPath(dir, "blobs/tmp/demo");
  RETURN_IF_ERROR(env->CreateDirs(staging));
  DemoArchive out;
  // The Declaration was adopted in Paris on 10 December 1948: every sample is annotated so,
  // which the Perspectives page shows side by side.
  auto base_options = [](const std::string& lang, const std::string& witness) {
    archive::AddOptions opts;
    opts.collection = "samples";
    opts.witness = witness;
    opts.lang = lang;
    opts.consent = meta::Consent::kPublic;
    opts.places = {"Paris"};
    opts.date = "1948-12-10";
    return opts;
  };
  for (const SampleFile& s : DemoSamples()) {
    std::string path = JoinPath(staging, s.name);
    RETURN_IF_ERROR(env->WriteFileAtomic(path, s.text));
    archive::AddOptions opts = base_options(s.lang, "sample-text-" + s.lang);
    opts.meta = {{"title", "Universal Declaration of Human Rights (" + s.lang + ", sample)"},
                 {"note", "Sample text, not testimony. United Nations, 1948."}};
    ASSIGN_OR_RETURN(auto added, archive->records().Add({path}, opts));
    out.added.push_back(added[0]);
    RETURN_IF_ERROR(env->RemoveFile(path));
  }
  bool spoke = false;
  for (const SampleFile& s : DemoSamples()) {
    for (int n : options.spoken_articles) {
      std::string text = UdhrArticle(s, n);
      const char* voice = EspeakVoice(s.lang);
      if (text.empty() || !voice) continue;
      std::string path =
          JoinPath(staging, "udhr-" + s.lang + "-article-" + std::to_string(n) + ".wav");
      if (!Run({options.espeak, "-v", voice, "-s", "150", "-w", path, "--", text})) {
        out.note =
            "espeak-ng is not installed: the demo has no spoken samples (apt-get install "
            "espeak-ng)";
        break;
      }
      archive::AddOptions opts = base_options(s.lang, "sample-voice-" + s.lang);
      opts.meta = {{"title", "UDHR article " + std::to_string(n) + ", read by espeak-ng (" +
                                 s.lang + ", sample)"},
                   {"note", "Synthesized speech of a sample text, not testimony."}};
      ASSIGN_OR_RETURN(auto added, archive->records().Add({path}, opts));
      out.added.push_back(added[0]);
      RETURN_IF_ERROR(env->RemoveFile(path));
      spoke = true;
    }
    if (!out.note.empty()) break;
  }
  if (spoke && options.speech_model.empty()) {
    out.note =
        "the spoken samples are not transcribed: give a whisper model with "
        "`attest demo --model ggml-small.bin` (README, \"Models\")";
  }
  RETURN_IF_ERROR(env->RemoveDir(staging));
  archive.reset();
  WorkerOptions w;
  w.until_idle = true;
  RETURN_IF_ERROR(RunWorker(env, dir, w));
  return out;
}

}  // namespace attest::ingest
