// The wire JSON of the service's answers: what the API sends and `--json` prints, built here
// only, from the typed structs the service returns (doc/api.md, doc/ask.md, openapi.json).
#ifndef ATTEST_SERVICE_WIRE_H_
#define ATTEST_SERVICE_WIRE_H_

#include "core/json.h"
#include "service/ask.h"
#include "service/summary.h"

namespace attest::service {

// doc/ask.md, "The answer".
Json AskJson(const AskAnswer& answer);
Json AskGroupJson(const AskGroup& group);
// {"label", "text", "cites", "model"}, or {"label", "error"}.
Json SummaryJson(const Summary& summary);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_WIRE_H_
