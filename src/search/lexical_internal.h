// What a LexicalIndex holds (its Internal) and the writer's lanes, shared by the files of the
// lexical index: lexical_index.cc (opening, fetching, suggesting), lexical_writer.cc (indexing)
// and lexical_search.cc (searching). Internal to search/. Not thread-safe, as LexicalIndex.
#ifndef ATTEST_SEARCH_LEXICAL_INTERNAL_H_
#define ATTEST_SEARCH_LEXICAL_INTERNAL_H_

#include <xapian.h>

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "search/lexical_analysis.h"
#include "search/lexical_facets.h"
#include "search/lexical_format.h"
#include "search/lexical_index.h"

namespace attest::search {

class ResultCache;

namespace lexical {

// The names of the consent levels `role` may see.
std::set<std::string, std::less<>> VisibleLevelNames(Role role);

// One lane of the writer: its own databases (one per level) and a thread that analyses and
// writes the segments routed to it, so that indexing uses every core (Xapian writes a
// database from one thread). A segment's lane is its id modulo kLanes, for ever.
// Thread-safe: Put's thread queues under `mu`; the lane's thread takes from the queue.
struct Lane {
  std::array<std::unique_ptr<Xapian::WritableDatabase>, 3> w;
  Analysis an;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<SegmentDoc> queue;
  bool busy = false;
  bool stop = false;
  Status error;  // the first failure, reported by the next Put or Commit
  std::thread thread;

  ~Lane();
  // The lane's thread: indexes queued segments until stopped.
  void Run();
  // Waits until every queued segment is written; the first failure so far.
  Status Drain();
  // Deletes document `docid` from every level but `except`, wherever it is.
  void DeleteDoc(Xapian::docid docid, int except = -1);
  // Analyses and writes (or removes, if it may not be searched) one segment.
  Status Index(const SegmentDoc& s);
};

}  // namespace lexical

struct LexicalIndex::Internal {
  // For reading: per level, one database per lane. For writing: the lanes.
  std::array<std::vector<std::unique_ptr<Xapian::Database>>, 3> readers;
  std::vector<std::unique_ptr<lexical::Lane>> lanes;
  bool one_thread = false;  // Put writes on the caller's thread (the lanes have none)
  lexical::Analysis an;     // the searching thread's
  lexical::FacetColumn column;
  uint64_t writes = 0;  // Put and Remove calls: a writer's column is stale after each

  std::shared_ptr<ResultCache> cache;  // read-only only

  std::string uuids;  // of the databases read: a rebuilt index has new ones

  // What the index holds, as a string that changes whenever that does: the identity and
  // revision of every database read, or a writer's count of changes.
  std::string State() const {
    std::string state = writable() ? "w" + std::to_string(writes) : "r" + uuids;
    for (const auto& level : readers) {
      for (const auto& r : level) state += ":" + std::to_string(r->get_revision());
    }
    return state;
  }

  // The facet column, rebuilt first if the databases changed. REQUIRES: drained.
  const lexical::FacetColumn& Column() {
    std::array<std::vector<Xapian::Database*>, 3> levels;
    for (size_t i = 0; i < lexical::kLevels.size(); ++i) {
      for (auto& lane : lanes) levels[i].push_back(lane->w[i].get());
      for (auto& r : readers[i]) levels[i].push_back(r.get());
    }
    column.Refresh(levels, State());
    return column;
  }

  bool writable() const { return !lanes.empty(); }

  Status Drain() {
    Status first;
    for (auto& lane : lanes) {
      Status st = lane->Drain();
      if (first.ok()) first = st;
    }
    return first;
  }

  // The levels `role` may see, as one database.
  Xapian::Database Visible(Role role) {
    Xapian::Database db;
    for (size_t i = 0; i < VisibleLevels(role); ++i) {
      for (auto& lane : lanes) db.add_database(*lane->w[i]);
      for (auto& r : readers[i]) db.add_database(*r);
    }
    return db;
  }

  // Every level's database of every lane. REQUIRES: drained, to be used.
  std::vector<Xapian::WritableDatabase*> Writers() {
    std::vector<Xapian::WritableDatabase*> out;
    for (auto& lane : lanes) {
      for (auto& w : lane->w) out.push_back(w.get());
    }
    return out;
  }

  // Deletes documents with `term` from every level of every lane. REQUIRES: drained.
  void DeleteEverywhere(const std::string& term) {
    for (auto* w : Writers()) {
      if (w->get_doccount() > 0) w->delete_document(term);
    }
  }
};

}  // namespace attest::search

#endif  // ATTEST_SEARCH_LEXICAL_INTERNAL_H_
