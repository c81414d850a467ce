// Search as a scope may see it (the API's /search, the Search page, `attest search`): at the
// scope's role only, so hidden material is neither found nor counted, and what is not public
// among the results audited for a scope with an actor.
#ifndef ATTEST_SERVICE_FIND_H_
#define ATTEST_SERVICE_FIND_H_

#include <string_view>

#include "core/status.h"
#include "search/lexical_index.h"
#include "service/scope.h"

namespace attest::service {

// `request` searched at the scope's role (its own role is replaced); the results' records that
// hold material that is not public are audited as a view of `what` ("search"). The request's
// errors are kInvalidArgument, saying why.
Result<search::Results> Search(const Scope& scope, search::SearchRequest request,
                               std::string_view what);

// Up to `limit` indexed words starting with `prefix` at the scope's role, with the segments
// holding each. The words (or counts) that material that is not public gave are audited as a
// view of "suggest" with those words, for a scope with an actor.
Result<std::vector<search::Suggestion>> Suggest(const Scope& scope, std::string_view prefix,
                                                size_t limit);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_FIND_H_
