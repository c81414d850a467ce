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

}  // namespace attest::service

#endif  // ATTEST_SERVICE_FIND_H_
