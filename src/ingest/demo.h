// The sample archive of `attest demo`: the Universal Declaration of Human Rights in Arabic,
// Hebrew, English and French (samples/udhr, embedded at build time), added as public
// records clearly labelled as samples. They are not testimony.
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

// Creates an archive in `dir` (new or empty) holding the samples, and runs their jobs (text,
// index) before it returns what was added.
Result<std::vector<archive::Added>> BuildDemoArchive(Env* env, const std::string& dir);

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_DEMO_H_
