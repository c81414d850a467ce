// The lexical index of segments (Xapian, fed with attest's own analysed terms; DESIGN.md
// "Text and search", doc/search.md). A segment is the unit of retrieval.
//
// Access comes before everything: the index is kept in one Xapian database per consent level
// that search may show (public, research, restricted), and a search opens only the levels the
// caller may see. So what the caller may not see takes no part in the match, the ranking
// statistics, the totals, the facets, the snippets or the suggestions. Sealed and withdrawn
// segments are not indexed at all.
//
// The index is derived data: it can always be rebuilt from attest.db. Not thread-safe: one
// LexicalIndex per thread (Xapian allows one writer per database at a time).
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
  int64_t segment_id = 0;  // unique in the archive, 1 to 2^32-1
  std::string record_id;
  int version = 0;
  std::string witness_id;
  std::string collection_id;
  std::string lang = "und";                            // the segment's language tag
  meta::Consent consent = meta::Consent::kRestricted;  // the strictest on its path
  int64_t start_ms = -1;                               // media time range, or -1
  int64_t end_ms = -1;
  int page = -1;                    // page of a document, or -1
  int64_t char_start = -1;          // where the segment starts in the version's text (code points)
  std::vector<std::string> places;  // place names it is annotated with
  std::string date_from;            // "YYYY-MM-DD" (search/dates.h), or empty
  std::string date_to;
  std::string text;
  std::string added_by;  // who added the record (meta::Record::added_by), "" if unknown
  // A version held at restricted by a redaction or a passage's level that could not be placed
  // in it: its words are in the clear, for archivists only; no opening reaches it.
  bool held = false;
};

// Who is asking. Until accounts exist (issue 8) the CLI acts as archivist and every other
// interface as anonymous.
enum class Role { kAnonymous, kResearcher, kArchivist };

// How many consent levels a role's searches open, least strict first: public, research,
// restricted (sealed and withdrawn are never searchable). The semantic index opens the same.
size_t VisibleLevels(Role role);

// Restricted material opened to one caller whose role does not read the level (doc/search.md,
// "Access"): a researcher's grants, a volunteer's own additions. Ignored for an archivist.
struct Opening {
  std::vector<std::string> collections, records;  // granted
  std::string added_by;        // records this actor added ("" none)
  std::vector<std::string> shut;  // records never opened (a withdrawal asked for)
  bool empty() const { return collections.empty() && records.empty() && added_by.empty(); }
};

struct SearchRequest {
  std::string query;  // doc/search.md
  Role role = Role::kAnonymous;
  // Restricted material opened besides the role's levels. Such a search is never cached.
  Opening opening;
  size_t limit = 10;      // records per page
  std::string cursor;     // Results::next_cursor of the page before; empty: the first page
  size_t per_record = 3;  // best segments shown for each record
  // Count every match (totals, facets) even when there are very many; otherwise beyond
  // 2,000 matching segments the totals are estimates and facets are counted over a sample
  // (Results::counts_exact, Results::facet_sample).
  bool exact_counts = false;
  // Names of places and people (the archive's list and its annotations): where the query
  // spells one of them, it also matches that name written in another script.
  std::vector<std::string> names;
  // Ask's retrieval (doc/ask.md): a segment matches when any of the query's plain words do,
  // not all, and BM25 weighs how many and how rare (a question in ordinary words).
  bool any_word = false;
  // Further words, any of which may match, each entry weighted by the factor beside it (above 0,
  // at most 1). An entry's words (separated by spaces) stand for one word, as its translations
  // by a dictionary do: they count as one term, as a word's spellings do. Analysed like the
  // query's words. With these, the query may be empty or hold field filters only.
  std::vector<std::pair<std::string, double>> weighted_words;
};

struct Hit {
  int64_t segment_id = 0;
  int version = 0;
  std::string lang;
  int64_t start_ms = -1;
  int64_t end_ms = -1;
  int page = -1;
  double weight = 0;
  std::string level;    // its consent level: "public", "research" or "restricted"
  std::string snippet;  // a window of the segment's own text, cut at word boundaries
  // Byte ranges of matched words within `snippet`.
  std::vector<std::pair<uint32_t, uint32_t>> highlights;
  // The same words as code-point ranges in the version's text (when the segment's place in
  // it is known), so a citation points at the exact characters.
  std::vector<std::pair<int64_t, int64_t>> char_ranges;
};

// The segments of one record that match, best first.
struct RecordHits {
  std::string record_id;
  std::string witness_id;
  std::string collection_id;
  uint64_t matching_segments = 0;  // in this record, that the caller may see
  std::vector<Hit> hits;           // at most SearchRequest::per_record
};

struct Results {
  uint64_t total_estimate = 0;    // matching segments
  uint64_t records_estimate = 0;  // matching records
  std::vector<RecordHits> records;
  // Counts of matching segments; all over what the caller may see only.
  std::map<std::string, uint64_t> lang_facets;
  std::map<std::string, uint64_t> collection_facets;
  std::map<std::string, uint64_t> place_facets;
  std::map<std::string, uint64_t> month_facets;  // "YYYY-MM" of each segment's date
  // False when there were too many matches to count (SearchRequest::exact_counts): the
  // totals are estimates and the facets are counted over 1 in facet_sample matches (a fixed
  // sample by segment id) and scaled by it (doc/search.md, "Results").
  bool counts_exact = true;
  uint64_t facet_sample = 1;
  std::string next_cursor;  // empty on the last page
};

struct Suggestion {
  std::string word;  // an indexed word form
  uint64_t segments = 0;
};

class ResultCache;  // search/result_cache.h

class LexicalIndex {
 public:
  // The layout of the index's directory and documents (doc/format/search_index.md), kept in
  // archive_info as index.format: an index of another layout is rebuilt.
  static constexpr char kLayout[] = "7";

  // Opens (creating if needed) the index in `dir` for writing; one writer at a time. Put hands
  // each segment to its lane's thread, so that the lanes analyse and write at once; with
  // `one_thread`, Put analyses and writes the segment itself, on the caller's thread (the same
  // index on one core: bench/search_bench.cc measures both).
  static Result<std::unique_ptr<LexicalIndex>> Open(const std::string& dir,
                                                    bool one_thread = false);
  // Sets up what analysis shares between threads (ICU's data) once, before threads that each
  // open a reader search at the same time (a server's request threads).
  static void PrepareForThreads();
  // Opens an existing index for searching only (any number of readers, beside a writer).
  static Result<std::unique_ptr<LexicalIndex>> OpenReadOnly(const std::string& dir);
  ~LexicalIndex();
  // Writes into `to` (a new directory) a copy of the index in `from` that holds only what is in
  // it now. A removed document leaves its words in the blocks Xapian freed until they are
  // reused; the copy has none of them (a withdrawal is erased for real, doc/search.md). No writer
  // may have `from` open.
  static Status CompactInto(const std::string& from, const std::string& to);
  // Brings a read-only index up to the newest committed state (cheap when nothing changed).
  Status Reopen();

  // The names (places, people) whose words Put marks with their name keys wherever a text
  // spells them, so that a query for the name in another script finds them (doc/search.md,
  // "Names across scripts"). Places of a segment are always names. Segments already indexed
  // keep the names they were indexed with: a new list needs a rebuild.
  void SetNames(const std::vector<std::string>& names);
  // Adds or replaces a segment (moving it between consent levels if its level changed). A
  // sealed or withdrawn segment is removed instead.
  Status Put(const SegmentDoc& segment);
  // Removes every segment of a record (withdrawal).
  Status RemoveRecord(const std::string& record_id);
  // Removes the segments of a record's versions before `version` (a revision replaces them).
  Status RemoveVersionsBefore(const std::string& record_id, int version);
  Status Commit();
  uint64_t DocCount() const;

  // A read-only index keeps pages of results in `cache` (shared with other readers of the same
  // index; doc/search.md, "In the server") and answers from it while the index is unchanged.
  void ShareCache(std::shared_ptr<ResultCache> cache);
  // Runs a query (doc/search.md). Bad queries and cursors get a clear kInvalidArgument.
  Result<Results> Search(const SearchRequest& request);
  // The segments `ids` that `role` may see, in the order of `ids`, as hits without marked words
  // (their snippet is the segment's first words), with their record, witness and collection; the
  // others are left out, and so are those that do not pass `filters` (field clauses of the query
  // language: lang:, place:, date:, collection:, witness:, record:, and their negations). For
  // results found elsewhere (the semantic index): the caller's levels decide again, with the
  // restricted material `opening` opens.
  struct Fetched {
    Hit hit;
    std::string record_id, witness_id, collection_id;
  };
  Result<std::vector<Fetched>> Fetch(const std::vector<int64_t>& ids, Role role,
                                     const std::string& filters = "",
                                     const Opening& opening = {});
  // Indexed words that begin like `prefix`, most frequent first, counted over what `role`
  // may see.
  Result<std::vector<Suggestion>> Suggest(std::string_view prefix, Role role, size_t limit);

  // For tests, process-wide: queries whose words occur in at most `matches` segments are ranked
  // and counted in one pass (default 50,000; doc/search.md, "Results"), others by Xapian's
  // collapse with counts estimated beyond 2,000 matches. Returns the limit before.
  static uint64_t SetOnePassLimitForTesting(uint64_t matches);

 private:
  struct Internal;
  LexicalIndex();
  Result<Results> SearchOrThrow(const SearchRequest& request);
  std::unique_ptr<Internal> rep_;
};

}  // namespace attest::search

#endif  // ATTEST_SEARCH_LEXICAL_INDEX_H_
