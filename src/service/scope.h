// The service layer (doc/architecture.md): every read and change a person asks for, from the
// API, the pages or the command line, goes through a Scope — who asks (the access subject, the
// actor named in the audit log) and of which archive. The service decides with access::Decide,
// audits through its Auditor (service/auditor.h) and returns what the caller may be shown;
// http/ and cli/ only parse and format.
#ifndef ATTEST_SERVICE_SCOPE_H_
#define ATTEST_SERVICE_SCOPE_H_

#include <string>

#include "access/access.h"
#include "archive/archive.h"
#include "search/lexical_index.h"

namespace attest::service {

// Made per request (http) or per command (cli); not a login session. Cheap to copy.
struct Scope {
  archive::Archive* archive = nullptr;
  access::Subject subject;
  // Who the audit log names ("token:ID", "cli:USER", …); "" for an anonymous caller, whose
  // reads (public material only) are not audited.
  std::string actor;
};

// A scope whose actor is the subject's own (the API's and the pages' callers).
inline Scope ScopeOf(archive::Archive* a, const access::Subject& subject) {
  return Scope{a, subject, subject.Actor()};
}

// The search role of a subject: the index's levels Decide lets it read.
search::Role SearchRole(const access::Subject& subject);

// The restricted material a search opens to the scope's caller besides its role's levels
// (search::Opening): its grants, and for a volunteer what it added; records whose witness asked
// for a withdrawal are shut. Empty for a caller who reads restricted material anyway.
Result<search::Opening> SearchOpening(const Scope& scope);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_SCOPE_H_
