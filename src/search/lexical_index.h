// The lexical index of segments (Xapian, fed with attest's own analysed terms; DESIGN.md
// "Text and search"). A segment is the unit of retrieval. Every search takes the caller's
// access and filters inside the query, before ranking, so totals, facets and snippets are
// computed only from what the caller may see. The index is derived data: it can always be
// rebuilt from attest.db. Not thread-safe: one LexicalIndex per thread (Xapian allows one
// writer per database at a time).
#ifndef ATTEST_SEARCH_LEXICAL_INDEX_H_
#define ATTEST_SEARCH_LEXICAL_INDEX_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "meta/store.h"

namespace attest::search {

struct SegmentDoc {
  int64_t segment_id = 0;  // unique in the archive
  std::string record_id;
  int version = 0;
  std::string witness_id;
  std::string collection_id;
  std::string lang = "und";                            // the segment's language tag
  meta::Consent consent = meta::Consent::kRestricted;  // the strictest on its path
  int64_t start_ms = -1;                               // media time range, or -1
  int64_t end_ms = -1;
  int page = -1;  // page of a document, or -1
  std::string text;
};

// Who is asking. Until accounts exist (issue 8) the CLI acts as archivist and every other
// interface as anonymous.
enum class Role { kAnonymous, kResearcher, kArchivist };

struct Hit {
  int64_t segment_id = 0;
  std::string record_id;
  int version = 0;
  std::string lang;
  int64_t start_ms = -1;
  int64_t end_ms = -1;
  int page = -1;
  double weight = 0;
  std::string snippet;  // a window of the segment's own text
  // Byte ranges of matched words within `snippet`.
  std::vector<std::pair<uint32_t, uint32_t>> highlights;
};

struct Results {
  uint64_t total_estimate = 0;
  std::vector<Hit> hits;
  std::map<std::string, uint64_t> lang_facets;        // over what the caller may see
  std::map<std::string, uint64_t> collection_facets;  // likewise
};

class LexicalIndex {
 public:
  // Opens (creating if needed) the index in `dir` for writing; one writer at a time.
  static Result<std::unique_ptr<LexicalIndex>> Open(const std::string& dir);
  // Opens an existing index for searching only (any number of readers, beside a writer).
  static Result<std::unique_ptr<LexicalIndex>> OpenReadOnly(const std::string& dir);
  ~LexicalIndex();

  // Adds or replaces a segment. A `withdrawn` segment is removed instead.
  Status Put(const SegmentDoc& segment);
  // Removes every segment of a record (withdrawal).
  Status RemoveRecord(const std::string& record_id);
  Status Commit();
  uint64_t DocCount() const;

  // Runs a query (doc/search.md) for `role`. Bad queries get a clear kInvalidArgument.
  Result<Results> Search(std::string_view query, Role role, size_t offset, size_t limit);

 private:
  struct Internal;
  LexicalIndex();
  Result<Results> SearchOrThrow(std::string_view query, Role role, size_t offset, size_t limit);
  std::unique_ptr<Internal> rep_;
};

}  // namespace attest::search

#endif  // ATTEST_SEARCH_LEXICAL_INDEX_H_
