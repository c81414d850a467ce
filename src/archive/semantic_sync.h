// Semantic sync: keeps the semantic index (ARCHIVE/index/semantic,
// doc/format/semantic_index.md) in step with the database, with the registered embedding
// model, and says how it fares. The index is optional: its failure never stops the archive's
// work. A part of an Archive (archive.h). Not thread-safe, like the Archive it belongs to;
// processes share the index under a lock file.
#ifndef ATTEST_ARCHIVE_SEMANTIC_SYNC_H_
#define ATTEST_ARCHIVE_SEMANTIC_SYNC_H_

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "meta/store.h"
#include "search/semantic_index.h"

namespace attest::archive {

struct Internal;

// How the semantic index fared the last time it tried to follow the archive.
struct SemanticStatus {
  // Why it could not (a registered model file moved away, say); "" if it could. Ask answers
  // without the semantic index until this is mended.
  std::string error;
};

class SemanticSync {
  // (A member named Status hides the type in this class: it is written attest::Status here.)
 public:
  explicit SemanticSync(Internal* in) : in_(in) {}

  // Brings the semantic index up to the database with the embedding model, if one is
  // registered: new segments embedded, changes of consent and redactions embedded again at
  // their level, withdrawn records' segments removed; built anew when the model changed.
  // Idempotent; a crash loses only what was not yet saved. A failure is also kept (Status)
  // until a later success clears it.
  attest::Status SyncSemantic();
  // Builds the semantic index anew from attest.db (when an embedding model is registered),
  // without the points earlier withdrawals and moves left in its graphs.
  attest::Status RebuildSemantic();
  // The embedding model of the semantic index: the newest registered (`attest models add
  // --kind embedding`); nullopt if none.
  Result<std::optional<meta::ModelFile>> EmbeddingModel();
  // How the index fared the last time (`attest models list` shows it).
  Result<SemanticStatus> Status();

 private:
  attest::Status FollowSemantic();  // SyncSemantic, without its bookkeeping of failures
  // Embeds `segments` (their text with `redactions` applied) into `index` at their levels.
  attest::Status EmbedSegments(search::SemanticIndex* index, const meta::ModelFile& model,
                               const std::vector<meta::SegmentState>& segments,
                               const std::vector<meta::Redaction>& redactions);
  Internal* in_;
};

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_SEMANTIC_SYNC_H_
