// The finder: searches, suggestions and Ask's retrieval over the archive's indexes, with the
// archive's names and annotated places and people added to every request. It keeps the
// indexes open between calls (reopened to their newest state each time). A part of an
// Archive (archive.h). Not thread-safe, like the Archive it belongs to; what it shares between
// handles (a page cache, the search resources) is.
#ifndef ATTEST_ARCHIVE_FINDER_H_
#define ATTEST_ARCHIVE_FINDER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "meta/store.h"
#include "search/lexical_index.h"
#include "search/resources.h"
#include "search/retrieve.h"
#include "search/semantic_index.h"

namespace attest::archive {

struct Internal;

class Finder {
 public:
  explicit Finder(Internal* in) : in_(in) {}
  ~Finder();

  // Searches segments (doc/search.md); the archive's names and annotated places and people
  // are added to the request.
  Result<search::Results> Search(search::SearchRequest request);
  Result<std::vector<search::Suggestion>> Suggest(std::string_view prefix, search::Role role,
                                                  size_t limit);
  // Ask's retrieval (search/retrieve.h, doc/ask.md) over the index, with the archive's names, the
  // FreeDict dictionaries and, when an embedding model is registered, the semantic index.
  Result<search::Retrieved> Retrieve(search::RetrieveRequest request);

  // Search keeps pages of results in `cache`, shared with other Archive objects of the same
  // directory in this process (a server's; doc/search.md, "In the server").
  void ShareSearchCache(std::shared_ptr<search::ResultCache> cache);
  // What Retrieve and the semantic index load once (the dictionaries, the embedding model),
  // shared by the Archive handles of one process (a server's).
  void ShareSearchResources(std::shared_ptr<search::Resources> resources);
  std::shared_ptr<search::Resources> search_resources() const;

 private:
  // The search index, kept open between searches of this handle (reopened to its newest
  // state each time; opened afresh when a rebuild has swapped in a new directory).
  Result<search::LexicalIndex*> Reader();
  // Reader, or nullptr when nothing was ever indexed (an archive without text).
  Result<search::LexicalIndex*> SearchReader();
  // The semantic index for searching (reopened when it was saved since), if it was built with
  // `model`; nullptr if there is none yet.
  Result<search::SemanticIndex*> SemanticReader(const meta::ModelFile& model);
  // What search matches across scripts: the listed names, annotated places and people.
  Result<std::vector<std::string>> SearchNames();

  Internal* in_;
  std::unique_ptr<search::LexicalIndex> reader_;
  uint64_t reader_inode_ = 0;
  std::shared_ptr<search::ResultCache> search_cache_;
  std::unique_ptr<search::SemanticIndex> semantic_reader_;
  std::string semantic_stamp_;
};

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_FINDER_H_
