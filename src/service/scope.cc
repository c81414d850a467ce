#include "service/scope.h"

#include <algorithm>
#include <set>
#include <string>

namespace attest::service {

search::Role SearchRole(const access::Subject& subject) {
  // The index's databases a search opens are the levels Decide lets the subject read.
  const auto levels = access::ReadableLevels(subject);
  auto reads = [&](meta::Consent c) {
    return std::find(levels.begin(), levels.end(), c) != levels.end();
  };
  if (reads(meta::Consent::kRestricted)) return search::Role::kArchivist;
  if (reads(meta::Consent::kResearch)) return search::Role::kResearcher;
  return search::Role::kAnonymous;
}

Result<search::Opening> SearchOpening(const Scope& scope) {
  const access::Subject& subject = scope.subject;
  search::Opening out;
  if (SearchRole(subject) == search::Role::kArchivist) return out;
  for (const auto& g : subject.grants) {
    (g.scope == "record" ? out.records : out.collections).push_back(g.id);
  }
  if (subject.role == access::Role::kVolunteer) out.added_by = subject.Actor();
  if (out.empty()) return out;
  ASSIGN_OR_RETURN(auto asked, scope.archive->consent().ListWitnessRequests());
  std::set<std::string> seen;
  for (const auto& q : asked) {
    if (q.kind != "withdraw" || !seen.insert(q.record_id).second) continue;
    auto r = scope.archive->records().Get(q.record_id);
    if (!r.ok() || r->withdrawal_asked) out.shut.push_back(q.record_id);
  }
  return out;
}

}  // namespace attest::service
