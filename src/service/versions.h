// A record's versions compared (doc/api.md "Versions and their differences"): the words of two
// text versions, each as the caller may read it, aligned word by word, so that every
// correction is seen for what it changed. The one reading of the record's text is
// ReadRecordText's: hidden words are marks for those who may not read them, on both sides.
#ifndef ATTEST_SERVICE_VERSIONS_H_
#define ATTEST_SERVICE_VERSIONS_H_

#include <string>
#include <vector>

#include "core/status.h"
#include "service/scope.h"
#include "text/diff.h"

namespace attest::service {

struct VersionDiff {
  std::string record;
  int from = 0, to = 0;
  std::string from_artifact, to_artifact;  // transcript, text, ocr, …
  std::vector<DiffPart> parts;
  size_t removed = 0, added = 0;  // words
};

// The text of versions `from` and `to` of record `id`, compared. kNotFound (kNoSuchRecord) for
// a record the scope may not read; kNotFound naming the version for one that does not exist,
// has no text, or is held from the scope (doc/api.md "Redaction"). Audited as a "diff" view of
// the record when what is shown is not public.
Result<VersionDiff> DiffVersions(const Scope& scope, const std::string& id, int from, int to);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_VERSIONS_H_
