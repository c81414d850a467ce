// Pages of search results kept for the next caller who asks the same thing (doc/search.md, "In
// the server"): a server's request threads share one for an index.
//
// A page is found only under a key equal in everything a search's outcome depends on
// (CacheKey: the query, the role, the page asked for, the names) and under the same index
// state (the revision of every level's databases). What a caller may see is decided by the
// role and the state, so a page holds nothing a caller with its key may not see. When the state
// moves on, every page is dropped before anything is looked up. Thread-safe.
#ifndef ATTEST_SEARCH_RESULT_CACHE_H_
#define ATTEST_SEARCH_RESULT_CACHE_H_

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "search/lexical_index.h"

namespace attest::search {

// Everything in `request` a search's outcome depends on, as one string.
std::string CacheKey(const SearchRequest& request);

class ResultCache {
 public:
  // Holds pages of about `max_bytes` in all (their text and a fixed share for the rest).
  explicit ResultCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // The page kept under `key` at index state `state`, if any. A new state drops every page.
  std::optional<Results> Find(const std::string& state, const std::string& key);
  // Keeps `results` under `key` at `state`: a search looks (Find) before it adds. Nothing is
  // kept if the cache has moved to another state meanwhile (another thread saw the index
  // change), or if the page alone is bigger than the whole cache.
  void Add(const std::string& state, const std::string& key, const Results& results);

  struct Stats {
    uint64_t hits = 0, misses = 0, pages = 0, bytes = 0;
  };
  Stats stats() const;

  // The bytes a page is counted as.
  static size_t Bytes(const Results& results);

 private:
  using Entry = std::pair<std::string, std::pair<Results, size_t>>;  // key, page and its bytes
  void MoveToLocked(const std::string& state);

  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::string state_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> by_key_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace attest::search

#endif  // ATTEST_SEARCH_RESULT_CACHE_H_
