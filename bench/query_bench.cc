// The in-process cost of the search API's ten bench queries (bench/http_bench.sh) against an
// existing archive's index: each query run ROUNDS times by one reader, no HTTP and no results
// cache. For tuning the search itself; prints CSV rows benchmark,value,unit,target,note.
//
// Usage: query_bench ARCHIVE/index/lexical [ROUNDS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "search/lexical_index.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: query_bench ARCHIVE/index/lexical [ROUNDS]\n");
    return 2;
  }
  auto index = attest::search::LexicalIndex::OpenReadOnly(argv[1]);
  if (!index.ok()) {
    std::fprintf(stderr, "query_bench: %s\n", index.status().ToString().c_str());
    return 1;
  }
  int rounds = argc > 2 ? std::atoi(argv[2]) : 50;
  if (rounds < 1) rounds = 1;
  const char* queries[] = {"dignity",   "liberté", "כבוד",  "الحرية",   "\"equal in dignity\"",
                           "education", "asile",   "חירות", "marriage", "nationalité"};
  std::printf("benchmark,value,unit,target,note\n");
  double sum = 0;
  for (const char* q : queries) {
    attest::search::SearchRequest request;
    request.query = q;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < rounds; ++i) {
      auto found = (*index)->Search(request);
      if (!found.ok()) {
        std::fprintf(stderr, "query_bench: %s: %s\n", q, found.status().ToString().c_str());
        return 1;
      }
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count() /
                rounds;
    sum += ms;
    std::printf("query.%s,%.3f,ms,,mean of %d; 10 records of 3 segments with snippets\n", q, ms,
                rounds);
  }
  std::printf("query.mean,%.3f,ms,,the ten queries\n", sum / 10);
}
