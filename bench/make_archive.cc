// Builds an archive of N records for benchmarks (`attest verify` at 1M leaves): the records
// point at D distinct small blobs (stored once each, as a real archive of N files would store
// N), added through Records::AddStored in batches. Usage: make_archive DIR [N] [D]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "archive/archive.h"
#include "archive/testing.h"

using namespace attest;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: make_archive DIR [RECORDS] [DISTINCT_BLOBS]\n");
    return 2;
  }
  std::string dir = argv[1];
  uint64_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
  uint64_t d = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1000;
  Env* env = Env::Default();
  Status st = archive::Archive::Init(env, dir, "bench.attest.invalid/archive");
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  auto a = *archive::Archive::Open(env, dir);
  std::vector<blob::BlobInfo> blobs;
  for (uint64_t i = 0; i < d; ++i) {
    blobs.push_back(*archive::BlobsForTesting(a.get())->PutBytes(
        "sample blob " + std::to_string(i) + std::string(4000, static_cast<char>('a' + i % 26))));
  }
  archive::AddOptions opts;
  opts.collection = "bench";
  opts.lang = "en";
  opts.meta = {{"title", "benchmark sample"}};
  auto t0 = std::chrono::steady_clock::now();
  for (uint64_t done = 0; done < n;) {
    uint64_t k = std::min<uint64_t>(10000, n - done);
    std::vector<archive::Records::StoredFile> files;
    for (uint64_t i = 0; i < k; ++i) {
      files.push_back({"sample-" + std::to_string(done + i) + ".txt", blobs[(done + i) % d]});
    }
    auto r = a->records().AddStored(files, opts);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 1;
    }
    done += k;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("archive_bulk_add_rate,%.0f,records/s,,%llu records in batches of 10000\n", n / s,
              (unsigned long long)n);
  return 0;
}
