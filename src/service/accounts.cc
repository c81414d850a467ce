#include "service/accounts.h"

#include "archive/accounts.h"
#include "service/auditor.h"

namespace attest::service {
namespace {

std::string Now(const Scope& scope) { return FormatRfc3339(scope.archive->env()->NowMicros()); }

}  // namespace

bool MayAdminister(const Scope& scope) {
  return access::Decide(scope.subject, access::Action::kRead, access::Resource::AuditLog());
}

Result<AccountsView> ListAccounts(const Scope& scope) {
  if (!MayAdminister(scope)) return Status::PermissionDenied(kForAdmins);
  AccountsView out;
  ASSIGN_OR_RETURN(out.users, scope.archive->accounts().ListUsers());
  ASSIGN_OR_RETURN(out.tokens, scope.archive->accounts().ListTokens());
  for (auto& u : out.users) u.password.clear();  // never leaves the archive
  for (auto& t : out.tokens) t.sha256.clear();
  return out;
}

bool MayAdd(const Scope& scope) {
  return access::Decide(scope.subject, access::Action::kAdd,
                        access::Resource::Material(meta::Consent::kPublic));
}

bool MayWrite(const Scope& scope) {
  return access::Decide(scope.subject, access::Action::kWrite,
                        access::Resource::Material(meta::Consent::kPublic));
}

Result<std::vector<meta::AuditEntry>> ReadAuditLog(const Scope& scope, const std::string& since,
                                                   const std::string& actor) {
  if (!access::Decide(scope.subject, access::Action::kRead, access::Resource::AuditLog())) {
    return Status::PermissionDenied(kAuditForAdmins);
  }
  ASSIGN_OR_RETURN(auto entries, scope.archive->audit().List(since, actor));
  RETURN_IF_ERROR(Auditor(scope).Viewed("", "audit"));
  return entries;
}


Result<access::NewToken> CreateToken(const Scope& scope, access::Role role,
                                     const std::string& label, const std::string& expires) {
  if (!MayAdminister(scope)) return Status::PermissionDenied(kForAdmins);
  ASSIGN_OR_RETURN(auto t, scope.archive->accounts().CreateToken(role, label, expires));
  RETURN_IF_ERROR(Auditor(scope).TokenCreated(t.token.id, t.token.role));
  return t;
}

Status RevokeToken(const Scope& scope, const std::string& id) {
  if (!MayAdminister(scope)) return Status::PermissionDenied(kForAdmins);
  ASSIGN_OR_RETURN(bool revoked, scope.archive->accounts().RevokeToken(id, Now(scope)));
  if (!revoked) return Status::NotFound("no unrevoked token with id '" + id + "'");
  return Auditor(scope).TokenRevoked(id);
}

Result<access::NewWitnessLink> CreateWitnessLink(const Scope& scope,
                                                 const std::string& witness_id) {
  if (!MayAdminister(scope)) return Status::PermissionDenied(kForAdmins);
  ASSIGN_OR_RETURN(auto w, scope.archive->accounts().CreateWitnessLink(witness_id));
  RETURN_IF_ERROR(Auditor(scope).LinkCreated(w.link.id, witness_id));
  return w;
}

Status RevokeWitnessLink(const Scope& scope, const std::string& id) {
  if (!MayAdminister(scope)) return Status::PermissionDenied(kForAdmins);
  ASSIGN_OR_RETURN(bool revoked, scope.archive->accounts().RevokeWitnessLink(id, Now(scope)));
  if (!revoked) return Status::NotFound("no unrevoked link with id '" + id + "'");
  return Auditor(scope).LinkRevoked(id);
}

Result<meta::User> AddUser(const Scope& scope, const std::string& name, access::Role role,
                           const std::string& password) {
  if (!MayAdminister(scope)) return Status::PermissionDenied(kForAdmins);
  ASSIGN_OR_RETURN(auto u, scope.archive->accounts().CreateUser(name, role, password));
  RETURN_IF_ERROR(Auditor(scope).UserChanged("user.add", name, {{"role", u.role}}));
  return u;
}

Status ChangePassword(const Scope& scope, const std::string& name, const std::string& password) {
  if (!MayAdminister(scope)) return Status::PermissionDenied(kForAdmins);
  RETURN_IF_ERROR(scope.archive->accounts().ChangePassword(name, password));
  return Auditor(scope).UserChanged("user.password", name, Json());
}

Status SetUserRole(const Scope& scope, const std::string& name, access::Role role) {
  if (!MayAdminister(scope)) return Status::PermissionDenied(kForAdmins);
  archive::Accounts& accounts = scope.archive->accounts();
  ASSIGN_OR_RETURN(auto found, accounts.FindUser(name));
  if (!found) return Status::NotFound("there is no account named '" + name + "'");
  RETURN_IF_ERROR(accounts.SetUserRole(name, access::RoleName(role)).status());
  Json detail = {{"from", found->role}, {"to", access::RoleName(role)}};
  return Auditor(scope).UserChanged("user.role", name, detail);
}

Status SetUserDisabled(const Scope& scope, const std::string& name, bool disabled) {
  if (!MayAdminister(scope)) return Status::PermissionDenied(kForAdmins);
  archive::Accounts& accounts = scope.archive->accounts();
  ASSIGN_OR_RETURN(auto found, accounts.FindUser(name));
  if (!found) return Status::NotFound("there is no account named '" + name + "'");
  RETURN_IF_ERROR(accounts.SetUserDisabled(name, disabled ? Now(scope) : "").status());
  return Auditor(scope).UserChanged(disabled ? "user.disable" : "user.enable", name, Json());
}

}  // namespace attest::service
