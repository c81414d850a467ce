// Who may do what (DESIGN.md "Consent"): the one place where attest decides whether a caller
// may see, search or change a record or segment. Every interface (CLI, API, pages) asks
// Decide and checks nothing on its own. Also API tokens (`attest token`), stored hashed.
// Thread-safe: Decide is pure; the token functions use the Store they are given.
#ifndef ATTEST_ACCESS_ACCESS_H_
#define ATTEST_ACCESS_ACCESS_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "meta/store.h"

namespace attest::access {

enum class Role { kAnonymous, kResearcher, kArchivist, kAdmin };
const char* RoleName(Role r);
// Accepts researcher, archivist, admin (anonymous is not a role a token can carry).
Result<Role> ParseRole(std::string_view s);

struct Subject {
  Role role = Role::kAnonymous;
  std::string token_id;  // the token (or a witness's link: "w…") that authenticated the caller
  // A witness's own link (`attest witness link`): the caller is that witness. Everywhere else
  // the caller is anonymous; through /api/v1/me they see their own records.
  std::string witness_id;
};

enum class Action {
  kRead,   // see a record, its segments, media, transcripts and proofs
  kWrite,  // add records, change metadata, consent or a transcript
};

// May `subject` do `action` on material whose effective consent (the strictest of the record's
// and the segment's) is `consent`? Sealed and withdrawn material is readable by nobody through
// an interface; writing is for archivists and admins.
bool Decide(const Subject& subject, Action action, meta::Consent consent);

// As above, for material of a record whose witness is `witness_id`: a witness's own link (and
// only theirs) also reads their own records' material at every level but withdrawn, sealed
// included (a seal keeps a testimony from others, not from the one who gave it).
bool Decide(const Subject& subject, Action action, meta::Consent consent,
            std::string_view witness_id);

// The consent levels whose material `subject` may read, least strict first.
std::vector<meta::Consent> ReadableLevels(const Subject& subject);

struct NewToken {
  meta::Token token;   // as stored
  std::string secret;  // "attest_" + 52 base32 characters: shown once, never stored
};

// Creates a token for `role` (not anonymous); `expires` RFC 3339 or empty for never.
Result<NewToken> CreateToken(Env* env, meta::Store* store, Role role, const std::string& label,
                             const std::string& expires);

struct NewWitnessLink {
  meta::WitnessLink link;  // as stored
  std::string secret;      // "attestw_" + 52 base32 characters: shown once, never stored
};
// Makes a private link for witness `witness_id` (doc/api.md, "Witnesses").
Result<NewWitnessLink> CreateWitnessLink(Env* env, meta::Store* store,
                                         const std::string& witness_id);

// The subject a bearer token (or a witness's link) stands for. kPermissionDenied for an unknown,
// malformed, revoked or expired token (the message says which of the last two, never which tokens
// exist).
Result<Subject> Authenticate(Env* env, meta::Store* store, std::string_view secret);

}  // namespace attest::access

#endif  // ATTEST_ACCESS_ACCESS_H_
