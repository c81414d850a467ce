// Benchmarks of the Merkle log on its own, printed as CSV:
//   append N leaves in batches (leaves/s), inclusion and consistency proofs at N leaves
//   (µs, p50/p99, each proof from a fresh reader so tiles are read from disk), and a full
//   audit (re-deriving every tile from the entries).
// Usage: tlog_bench [--leaves N] [--batch B] [--dir DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "tlog/log.h"
#include "tlog/tiles.h"

using namespace attest;
using Clock = std::chrono::steady_clock;

static double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int main(int argc, char** argv) {
  uint64_t n = 1000000, batch = 1000;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--leaves")) n = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--batch")) batch = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
  }
  // A directory of its own unless one is given, removed when the bench ends (declared before
  // the log, so the log is closed first).
  struct Scratch {
    std::string path;
    ~Scratch() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
  } scratch;
  if (dir.empty()) {
    char tmpl[] = "/var/tmp/attest-bench-log-XXXXXX";
    if (!mkdtemp(tmpl)) {
      std::perror("tlog_bench: mkdtemp in /var/tmp");
      return 1;
    }
    dir = scratch.path = tmpl;
  }
  Env* env = Env::Default();
  auto signer = *tlog::Signer::Generate("bench.attest.invalid/log", env);
  auto log = tlog::Log::Create(env, dir, signer);
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", log.status().ToString().c_str());
    return 1;
  }
  auto lock = *(*log)->LockForWrite();
  // Leaves shaped like attest's (attest.leaf.v2, about 250 bytes of canonical JSON).
  std::string tmpl_leaf = "{\"kind\":\"add\",\"manifest\":\"" + std::string(64, 'a') +
                          "\",\"rc\":\"" + std::string(64, 'b') +
                          "\",\"time\":\"2026-11-23T08:05:33Z\",\"type\":"
                          "\"attest.leaf.v2\",\"version\":1,\"n\":";
  auto t0 = Clock::now();
  for (uint64_t size = 0; size < n;) {
    uint64_t k = std::min(batch, n - size);
    std::vector<std::string> leaves;
    leaves.reserve(k);
    for (uint64_t i = 0; i < k; ++i) leaves.push_back(tmpl_leaf + std::to_string(size + i) + "}");
    auto cp = (*log)->Append(size, leaves);
    if (!cp.ok()) {
      std::fprintf(stderr, "%s\n", cp.status().ToString().c_str());
      return 1;
    }
    size += k;
  }
  double append_s = Seconds(t0, Clock::now());
  std::printf("benchmark,value,unit,target,note\n");
  std::printf(
      "tlog_append_rate,%.0f,leaves/s,>=20000,%llu leaves in batches of %llu (fsync per tile "
      "and checkpoint)\n",
      n / append_s, (unsigned long long)n, (unsigned long long)batch);

  std::mt19937_64 rng(7);
  // Cold: a reader with no cache, as a fresh `attest log prove` process has (tiles are read
  // from the files, through the OS page cache). Warm: the Log's tile cache, as a server has.
  std::vector<double> cold, inc, cons;
  for (int i = 0; i < 2000; ++i) {
    uint64_t idx = rng() % n;
    auto a = Clock::now();
    tlog::TileHashReader fresh(env, dir, n);
    auto p = tlog::InclusionProof(fresh, idx, n);
    cold.push_back(Seconds(a, Clock::now()) * 1e6);
    if (!p.ok()) return 1;
  }
  for (int i = 0; i < 20000; ++i) {
    uint64_t idx = rng() % n;
    auto a = Clock::now();
    auto p = (*log)->InclusionProof(idx, n);
    inc.push_back(Seconds(a, Clock::now()) * 1e6);
    if (!p.ok()) return 1;
    uint64_t m = 1 + rng() % n;
    a = Clock::now();
    auto c = (*log)->ConsistencyProof(m, n);
    cons.push_back(Seconds(a, Clock::now()) * 1e6);
    if (!c.ok()) return 1;
  }
  auto pct = [](std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(p * (v.size() - 1))];
  };
  std::printf(
      "inclusion_proof_cold_p50,%.1f,us,<100,at %llu leaves; no tile cache: tile files "
      "read and hashed per proof\n",
      pct(cold, 0.5), (unsigned long long)n);
  std::printf("inclusion_proof_cold_p99,%.1f,us,<100,at %llu leaves\n", pct(cold, 0.99),
              (unsigned long long)n);
  std::printf("inclusion_proof_warm_p50,%.1f,us,<100,at %llu leaves; the Log's tile cache\n",
              pct(inc, 0.5), (unsigned long long)n);
  std::printf("inclusion_proof_warm_p99,%.1f,us,<100,at %llu leaves\n", pct(inc, 0.99),
              (unsigned long long)n);
  std::printf("consistency_proof_p50,%.1f,us,,at %llu leaves\n", pct(cons, 0.5),
              (unsigned long long)n);
  std::printf("consistency_proof_p99,%.1f,us,,at %llu leaves\n", pct(cons, 0.99),
              (unsigned long long)n);

  auto latest = *(*log)->Latest();
  t0 = Clock::now();
  uint64_t seen = 0;
  Status st =
      (*log)->Audit(n, latest.checkpoint.root, [&](uint64_t, const std::string&) { ++seen; });
  double audit_s = Seconds(t0, Clock::now());
  if (!st.ok() || seen != n) {
    std::fprintf(stderr, "audit failed: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("tlog_audit,%.2f,s,,re-derive all tiles of %llu leaves and check the root\n", audit_s,
              (unsigned long long)n);
  return 0;
}
