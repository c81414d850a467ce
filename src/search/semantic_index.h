// The semantic index (doc/format/semantic_index.md): each segment's sentence embedding in an
// HNSW graph (hnswlib, Debian's libhnswlib-dev), one graph per consent level search may show
// (public, research, restricted), as the lexical index keeps one database per level: a search
// opens only the caller's levels, so what the caller may not read takes no part in the ranking.
// Sealed and withdrawn segments are not in it. Derived data: rebuilt from attest.db with the
// registered model. Not thread-safe.
#ifndef ATTEST_SEARCH_SEMANTIC_INDEX_H_
#define ATTEST_SEARCH_SEMANTIC_INDEX_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "meta/store.h"
#include "search/lexical_index.h"

namespace attest::search {

class SemanticIndex {
 public:
  static constexpr int kFormat = 1;
  // Opens the index in `dir` for writing, creating it (for vectors of `dims`) if absent.
  // kInvalidArgument if it holds vectors of another width; kCorruption if a file is damaged.
  static Result<std::unique_ptr<SemanticIndex>> Open(const std::string& dir, size_t dims);
  // Its meta.json (doc/format/semantic_index.md), read without loading the graphs: kNotFound
  // if there is no index, kCorruption if it is not one.
  static Result<Json> ReadMeta(const std::string& dir);
  // Opens an existing index for searching; kNotFound if there is none.
  static Result<std::unique_ptr<SemanticIndex>> OpenReadOnly(const std::string& dir);
  ~SemanticIndex();

  size_t dims() const { return dims_; }
  // What made the vectors (model file SHA-256, name, tool, parameters): kept in meta.json.
  const Json& provenance() const { return provenance_; }
  void SetProvenance(Json provenance) { provenance_ = std::move(provenance); }
  // The last segment id embedded (the index follows the database in id order).
  int64_t last_segment() const { return last_segment_; }
  void SetLastSegment(int64_t id) { last_segment_ = id; }

  // Adds or replaces a segment's vector at its level (moving it if its level changed); a
  // sealed or withdrawn level removes it. kInvalidArgument for a vector of another width.
  Status Put(int64_t segment_id, meta::Consent level, const std::vector<float>& vector);
  Status Remove(int64_t segment_id);
  // Adds many new segments (none of which is in the index yet) on `threads` threads: a
  // rebuild's bulk load.
  struct Entry {
    int64_t segment_id;
    meta::Consent level;
    std::vector<float> vector;
  };
  Status PutNew(const std::vector<Entry>& entries, int threads);
  uint64_t Count() const;

  // Writes every level's graph and meta.json, each to a temporary file that is then renamed
  // over the old one: a crash leaves the old index or the new, never a torn one.
  Status Save();

  // The `k` segments nearest to `query` (a unit vector) among the levels `role` may see,
  // nearest first.
  Result<std::vector<int64_t>> Search(const std::vector<float>& query, Role role, size_t k) const;

 private:
  struct Level;
  SemanticIndex() = default;
  std::string dir_;
  size_t dims_ = 0;
  bool read_only_ = false;
  Json provenance_ = Json::object();
  int64_t last_segment_ = 0;
  std::array<std::unique_ptr<Level>, 3> levels_;
};

}  // namespace attest::search

#endif  // ATTEST_SEARCH_SEMANTIC_INDEX_H_
