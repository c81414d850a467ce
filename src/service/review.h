// The review queue (doc/workspace.md, "The review queue"): the records whose newest transcript
// or OCR text was made by a machine and not yet by a person, for archivists to correct, by
// collection and language, with the machine's own confidence.
#ifndef ATTEST_SERVICE_REVIEW_H_
#define ATTEST_SERVICE_REVIEW_H_

#include <string>
#include <vector>

#include "core/status.h"
#include "service/scope.h"

namespace attest::service {

struct ReviewItem {
  meta::Record record;
  int version = 0;        // the machine's text version
  std::string artifact;   // transcript or ocr
  std::string tool, model, lang, created;
  int confidence = -1;    // in thousandths; -1 if the tool gave none
};

struct ReviewQueue {
  std::vector<ReviewItem> items;  // the page asked for, oldest first
  size_t total = 0;               // of the filtered queue
  std::vector<std::string> collections, languages;  // of the whole queue, for the filters
};

// The queue as the scope may see it (archivists and admins: kPermissionDenied, kNeedsWriter, to
// others), filtered by `collection` and `lang` when given, `limit` items from `offset`. Sealed
// records are not in it (nobody reads them); a record is in it while its newest text version of
// either kind is a machine's. Confidence is read for the items given only.
Result<ReviewQueue> ListReviewQueue(const Scope& scope, const std::string& collection,
                                    const std::string& lang, size_t offset, size_t limit);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_REVIEW_H_
