#include "service/scope.h"

#include <algorithm>

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

}  // namespace attest::service
