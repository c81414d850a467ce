#include "service/find.h"

#include "service/auditor.h"

namespace attest::service {

Result<search::Results> Search(const Scope& scope, search::SearchRequest request,
                               std::string_view what) {
  request.role = SearchRole(scope.subject);
  ASSIGN_OR_RETURN(search::Results found, scope.archive->finder().Search(std::move(request)));
  RETURN_IF_ERROR(Auditor(scope).Searched(found, what));
  return found;
}

}  // namespace attest::service
