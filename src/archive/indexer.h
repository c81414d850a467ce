// The indexer: keeps the lexical index (ARCHIVE/index/lexical, doc/search.md) in step with the
// database, rebuilds it and swaps a rebuilt one in, and keeps the archive's list of names that
// search matches across scripts. A part of an Archive (archive.h). Not thread-safe, like the
// Archive it belongs to; processes share the index under a lock file.
#ifndef ATTEST_ARCHIVE_INDEXER_H_
#define ATTEST_ARCHIVE_INDEXER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "meta/store.h"
#include "search/lexical_index.h"

namespace attest::archive {

struct Internal;

// Kinds of the archive's names (`attest names`).
Status ValidateName(const std::string& name, const std::string& kind);

class Indexer {
 public:
  explicit Indexer(Internal* in) : in_(in) {}

  // Brings the search index up to the database: new segments indexed, withdrawn records'
  // segments removed. Idempotent; finishes what a crash interrupted. Then the semantic index
  // (SemanticSync::SyncSemantic), whose failure is kept, never returned.
  Status SyncIndex();
  // Rebuilds the search index from attest.db alone, then swaps it in.
  Status Reindex();

  // The archive's list of names that search matches across scripts: the text is indexed anew
  // with the name marked where it is spelled. RemoveName is false if it was not listed.
  Status AddName(const std::string& name, const std::string& kind);
  Result<bool> RemoveName(const std::string& name);
  // (name, kind), by name.
  Result<std::vector<std::pair<std::string, std::string>>> ListNames();

 private:
  Status SyncLexical();
  // Indexes the segments after `after_id`, with `redactions` (every record's) applied.
  Status IndexSegments(search::LexicalIndex* index, int64_t after_id, int64_t* last_id,
                       const std::vector<meta::Redaction>& redactions);
  // Puts every current segment of a record into the index again (at its level now).
  Status IndexRecord(search::LexicalIndex* index, const std::string& record_id);
  // Records how far the index has followed the database (after the index has committed).
  Status RecordIndexProgress(int64_t segment, int64_t withdrawal_leaf, int64_t consent_leaf);
  // Puts the index built or compacted in `fresh` (under index/) in the live one's place.
  Status SwapInIndex(const std::string& fresh);
  // A digest of the name list (the index records which list it used).
  static std::string NamesTag(const std::vector<std::string>& names);

  Internal* in_;
};

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_INDEXER_H_
