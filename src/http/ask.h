// Ask (doc/ask.md): a question answered with many witnesses' own words, one group per witness,
// each a whole thought, cited, under the log's current checkpoint. The same answer for the
// command line, the API and the Ask page. Not thread-safe: uses the Archive it is given.
#ifndef ATTEST_HTTP_ASK_H_
#define ATTEST_HTTP_ASK_H_

#include <cstddef>
#include <string>

#include "access/access.h"
#include "archive/archive.h"
#include "core/json.h"
#include "core/status.h"

namespace attest::http {

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
// filter or limit. What is not public and shown to a caller with a token is audited (`ask`).
Result<Json> Ask(archive::Archive* a, const access::Subject& subject, const AskRequest& request);

}  // namespace attest::http

#endif  // ATTEST_HTTP_ASK_H_
