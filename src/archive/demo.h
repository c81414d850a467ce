// The sample archive of `attest demo`: the Universal Declaration of Human Rights in Arabic,
// Hebrew, English and French (samples/udhr, embedded at build time), added as public
// records clearly labelled as samples. They are not testimony.
#ifndef ATTEST_ARCHIVE_DEMO_H_
#define ATTEST_ARCHIVE_DEMO_H_

#include <string>
#include <vector>

#include "archive/archive.h"

namespace attest::archive {

struct SampleFile {
  std::string name;  // e.g. "udhr-heb.txt"
  std::string lang;  // he, ar, en, fr
  std::string text;
};

const std::vector<SampleFile>& DemoSamples();

// Creates an archive in `dir` (new or empty) holding the samples; returns what was added.
Result<std::vector<Added>> BuildDemoArchive(Env* env, const std::string& dir);

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_DEMO_H_
