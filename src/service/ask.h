// Ask (doc/ask.md): a question answered with many witnesses' own words, one group per witness,
// each a whole thought, cited, under the log's current checkpoint. The same answer for the
// command line, the API and the Ask page. Not thread-safe: uses the scope's Archive.
#ifndef ATTEST_SERVICE_ASK_H_
#define ATTEST_SERVICE_ASK_H_

#include <cstddef>
#include <string>

#include "core/json.h"
#include "core/status.h"
#include "service/scope.h"
#include "service/summary.h"

namespace attest::service {

struct AskRequest {
  std::string question;
  std::string lang;  // the question's language, or "" (from its letters)
  // Filters: the passages' language, a place (any script), a date (day, month, year or
  // range), a collection; "" for none.
  std::string filter_lang, place, date, collection;
  bool differ = false;  // "show accounts that differ"
  size_t limit = 10;    // witnesses, 1 to kMaxAskLimit
  // A machine-written summary of the passages, when the operator configured an endpoint
  // (doc/ask.md, "The optional summary"); otherwise the answer's summary is null.
  bool summary = false;
};
inline constexpr size_t kMaxAskLimit = 50;

// The answer as doc/ask.md describes it. kInvalidArgument, saying why, for a bad question,
// filter or limit. What is not public and shown to a scope with an actor is audited (`ask`).
// The summary, if asked for and configured, goes through `transport` (nullptr: the network).
Result<Json> Ask(const Scope& scope, const AskRequest& request,
                 SummaryTransport* transport = nullptr);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_ASK_H_
