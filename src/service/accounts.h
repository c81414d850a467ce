// What a scope may do with the archive's own books: whether it may write (archivists, admins),
// and reading the audit log (admins; the reading is itself audited).
#ifndef ATTEST_SERVICE_ACCOUNTS_H_
#define ATTEST_SERVICE_ACCOUNTS_H_

#include <string>
#include <vector>

#include "access/access.h"
#include "core/status.h"
#include "meta/store.h"
#include "service/scope.h"

namespace attest::service {

// Whether the scope may add and change material (an archivist's or an admin's).
bool MayWrite(const Scope& scope);
// Whether the scope may take in new records (volunteers, archivists, admins).
bool MayAdd(const Scope& scope);

// The audit log's entries since `since` (RFC 3339, "" for all) by `actor` ("" for all), for
// admins: kPermissionDenied ("the audit log is for admins") for anyone else. Audited as a
// `view` of what: audit.
inline constexpr const char* kAuditForAdmins = "the audit log is for admins";
Result<std::vector<meta::AuditEntry>> ReadAuditLog(const Scope& scope, const std::string& since,
                                                   const std::string& actor);


// Whether the scope may manage accounts, tokens and links and read the audit log (admins, and
// the command line's operator).
bool MayAdminister(const Scope& scope);
inline constexpr const char* kForAdmins = "accounts, tokens and links are for admins";

// The accounts and tokens (without their password hashes and digests), for admins.
struct AccountsView {
  std::vector<meta::User> users;
  std::vector<meta::Token> tokens;
};
Result<AccountsView> ListAccounts(const Scope& scope);

// Tokens, witnesses' links and accounts, changed by the archive's operator or an admin
// (kPermissionDenied, kForAdmins, for anyone else): each change and its audit row
// (token.create, token.revoke, link.create, link.revoke, user.*) together.
Result<access::NewToken> CreateToken(const Scope& scope, access::Role role,
                                     const std::string& label, const std::string& expires);
// kNotFound ("no unrevoked token with id 'ID'") if there is none to revoke.
Status RevokeToken(const Scope& scope, const std::string& id);
Result<access::NewWitnessLink> CreateWitnessLink(const Scope& scope,
                                                 const std::string& witness_id);
// kNotFound ("no unrevoked link with id 'ID'") if there is none to revoke.
Status RevokeWitnessLink(const Scope& scope, const std::string& id);
Result<meta::User> AddUser(const Scope& scope, const std::string& name, access::Role role,
                           const std::string& password);
// Ends the account's sessions.
Status ChangePassword(const Scope& scope, const std::string& name, const std::string& password);
// kNotFound ("there is no account named 'NAME'") for an unknown account; ends its sessions.
Status SetUserRole(const Scope& scope, const std::string& name, access::Role role);
Status SetUserDisabled(const Scope& scope, const std::string& name, bool disabled);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_ACCOUNTS_H_
