#include "ingest/demo.h"

#include "ingest/demo_samples.h"
#include "ingest/worker.h"

namespace attest::ingest {

const std::vector<SampleFile>& DemoSamples() {
  static const std::vector<SampleFile>* samples = new std::vector<SampleFile>{
      {"udhr-arb.txt", "ar", kSampleUdhrArb},
      {"udhr-heb.txt", "he", kSampleUdhrHeb},
      {"udhr-eng.txt", "en", kSampleUdhrEng},
      {"udhr-fra.txt", "fr", kSampleUdhrFra},
  };
  return *samples;
}

Result<std::vector<archive::Added>> BuildDemoArchive(Env* env, const std::string& dir) {
  using archive::Archive;
  RETURN_IF_ERROR(Archive::Init(env, dir, "demo.attest.invalid/samples"));
  ASSIGN_OR_RETURN(auto archive, Archive::Open(env, dir));
  RETURN_IF_ERROR(archive->store()->SetInfo(
      "notice",
      "A demonstration archive of sample texts: the Universal Declaration of Human Rights "
      "(United Nations, 1948) in Arabic, Hebrew, English and French. Not testimony."));
  std::string staging = JoinPath(dir, "blobs/tmp/demo");
  RETURN_IF_ERROR(env->CreateDirs(staging));
  std::vector<archive::Added> out;
  for (const SampleFile& s : DemoSamples()) {
    std::string path = JoinPath(staging, s.name);
    RETURN_IF_ERROR(env->WriteFileAtomic(path, s.text));
    archive::AddOptions opts;
    opts.collection = "samples";
    opts.witness = "sample-udhr";
    opts.lang = s.lang;
    opts.consent = meta::Consent::kPublic;
    opts.meta = {{"title", "Universal Declaration of Human Rights (" + s.lang + ")"},
                 {"note", "Sample text, not testimony. United Nations, 1948."}};
    ASSIGN_OR_RETURN(auto added, archive->Add({path}, opts));
    out.push_back(added[0]);
    RETURN_IF_ERROR(env->RemoveFile(path));
  }
  RETURN_IF_ERROR(env->RemoveDir(staging));
  archive.reset();
  WorkerOptions w;
  w.until_idle = true;
  RETURN_IF_ERROR(RunWorker(env, dir, w));
  return out;
}

}  // namespace attest::ingest
