#include "service/find.h"

#include <map>
#include <string>
#include <vector>

#include "service/auditor.h"

namespace attest::service {

Result<search::Results> Search(const Scope& scope, search::SearchRequest request,
                               std::string_view what) {
  request.role = SearchRole(scope.subject);
  ASSIGN_OR_RETURN(request.opening, SearchOpening(scope));
  ASSIGN_OR_RETURN(search::Results found, scope.archive->finder().Search(std::move(request)));
  RETURN_IF_ERROR(Auditor(scope).Searched(found, what));
  return found;
}

Result<std::vector<search::Suggestion>> Suggest(const Scope& scope, std::string_view prefix,
                                                size_t limit) {
  const search::Role role = SearchRole(scope.subject);
  ASSIGN_OR_RETURN(auto found, scope.archive->finder().Suggest(prefix, role, limit));
  if (scope.actor.empty() || role == search::Role::kAnonymous || found.empty()) return found;
  // What the public would be shown: a word beyond it, or counted over more, came from
  // material that is not public.
  ASSIGN_OR_RETURN(auto open, scope.archive->finder().Suggest(prefix, search::Role::kAnonymous,
                                                              limit + found.size()));
  std::map<std::string, uint64_t> public_count;
  for (const auto& s : open) public_count[s.word] = s.segments;
  std::vector<std::string> words;
  for (const auto& s : found) {
    auto it = public_count.find(s.word);
    if (it == public_count.end() || it->second != s.segments) words.push_back(s.word);
  }
  if (!words.empty()) RETURN_IF_ERROR(Auditor(scope).Viewed("", "suggest", {{"words", words}}));
  return found;
}

}  // namespace attest::service
