#include "search/result_cache.h"

#include "core/hash.h"

namespace attest::search {

// A field added to SearchRequest changes its size: it must be added to CacheKey too, or two
// requests that differ in it would share a page.
static_assert(sizeof(SearchRequest) == 256, "SearchRequest changed: add the new field to CacheKey");

std::string CacheKey(const SearchRequest& r) {
  std::string s;
  auto field = [&s](std::string_view v) {
    s += std::to_string(v.size());
    s += ':';
    s += v;
  };
  field(r.query);
  field(std::to_string(static_cast<int>(r.role)));
  field(std::to_string(r.limit));
  field(r.cursor);
  field(std::to_string(r.per_record));
  field(r.exact_counts ? "exact" : "");
  field(std::to_string(r.names.size()));
  for (const auto& n : r.names) field(n);
  field(r.any_word ? "any" : "");
  // An opened search is never cached (LexicalIndex::Search); its opening is in the key all the
  // same, so that a page could never be shared across callers whose openings differ.
  for (const auto* list : {&r.opening.collections, &r.opening.records, &r.opening.shut}) {
    field(std::to_string(list->size()));
    for (const auto& v : *list) field(v);
  }
  field(r.opening.added_by);
  for (const auto& [word, weight] : r.weighted_words) {
    field(word);
    field(std::to_string(weight));
  }
  return ToHex(Sha256(s));
}

size_t ResultCache::Bytes(const Results& r) {
  size_t n = 512;
  for (const auto& g : r.records) {
    n += 128 + g.record_id.size() + g.witness_id.size() + g.collection_id.size();
    for (const auto& h : g.hits) {
      n += 128 + h.snippet.size() + h.lang.size() + 8 * h.highlights.size() +
           16 * h.char_ranges.size();
    }
  }
  for (const auto* f : {&r.lang_facets, &r.collection_facets, &r.place_facets, &r.month_facets}) {
    for (const auto& [k, v] : *f) n += 64 + k.size();
  }
  return n + r.next_cursor.size();
}

void ResultCache::MoveToLocked(const std::string& state) {
  if (state == state_) return;
  lru_.clear();
  by_key_.clear();
  bytes_ = 0;
  state_ = state;
}

std::optional<Results> ResultCache::Find(const std::string& state, const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  MoveToLocked(state);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second.first;
}

void ResultCache::Add(const std::string& state, const std::string& key, const Results& results) {
  size_t bytes = Bytes(results);
  std::lock_guard<std::mutex> l(mu_);
  if (state != state_ || bytes > max_bytes_) return;
  if (auto it = by_key_.find(key); it != by_key_.end()) {  // another thread was first
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(key, std::make_pair(results, bytes));
  by_key_[key] = lru_.begin();
  bytes_ += bytes;
  while (bytes_ > max_bytes_) {
    bytes_ -= lru_.back().second.second;
    by_key_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

ResultCache::Stats ResultCache::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return {hits_, misses_, lru_.size(), bytes_};
}

}  // namespace attest::search
