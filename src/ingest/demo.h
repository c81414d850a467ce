// The sample archive of `attest demo`: the Universal Declaration of Human Rights in Arabic,
// Hebrew, English and French (samples/udhr, embedded at build time) as public document
// records, and spoken versions of a few of its articles made with espeak-ng (when it is
// installed) as audio records, transcribed when a speech model is given. Every record is
// labelled as a sample: none of it is testimony.
#ifndef ATTEST_INGEST_DEMO_H_
#define ATTEST_INGEST_DEMO_H_

#include <string>
#include <vector>

#include "archive/archive.h"

namespace attest::ingest {

struct SampleFile {
  std::string name;  // e.g. "udhr-heb.txt"
  std::string lang;  // he, ar, en, fr
  std::string text;
};

const std::vector<SampleFile>& DemoSamples();

// The text of article `n` (1-30) of a sample, its heading left out; empty if there is none.
std::string UdhrArticle(const SampleFile& sample, int n);

struct DemoOptions {
  // Articles spoken by espeak-ng, in each language (none if espeak-ng is not installed).
  std::vector<int> spoken_articles = {1, 3};
  std::string espeak = "espeak-ng";  // the program, found on PATH
  // A whisper model to register before the jobs run, so the spoken samples are transcribed.
  std::string speech_model;
};

struct DemoArchive {
  std::vector<archive::Added> added;
  std::string note;  // e.g. why there are no spoken samples
};

// Creates an archive in `dir` (new or empty) holding the samples, and runs their jobs (text,
// access copies, transcripts if a model was given, index) before it returns.
Result<DemoArchive> BuildDemoArchive(Env* env, const std::string& dir,
                                     const DemoOptions& options = DemoOptions());

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_DEMO_H_
