#include "archive/accounts.h"

#include "archive/internal.h"

namespace attest::archive {

Result<access::NewToken> Accounts::CreateToken(access::Role role, const std::string& label,
                                               const std::string& expires) {
  return access::CreateToken(in_->env, in_->store.get(), role, label, expires);
}

Result<bool> Accounts::RevokeToken(const std::string& id, const std::string& now) {
  return in_->store->RevokeToken(id, now);
}

Result<std::vector<meta::Token>> Accounts::ListTokens() { return in_->store->ListTokens(); }

Result<access::Subject> Accounts::Authenticate(std::string_view secret) {
  return access::Authenticate(in_->env, in_->store.get(), secret);
}

Result<access::NewWitnessLink> Accounts::CreateWitnessLink(const std::string& witness_id) {
  return access::CreateWitnessLink(in_->env, in_->store.get(), witness_id);
}

Result<bool> Accounts::RevokeWitnessLink(const std::string& id, const std::string& now) {
  return in_->store->RevokeWitnessLink(id, now);
}

Result<meta::User> Accounts::CreateUser(const std::string& name, access::Role role,
                                        const std::string& password) {
  return access::CreateUser(in_->env, in_->store.get(), name, role, password);
}

Status Accounts::ChangePassword(const std::string& name, const std::string& password) {
  return access::ChangePassword(in_->store.get(), name, password);
}

Result<std::optional<meta::User>> Accounts::FindUser(const std::string& name) {
  return in_->store->FindUser(name);
}

Result<std::vector<meta::User>> Accounts::ListUsers() { return in_->store->ListUsers(); }

Result<int64_t> Accounts::AddAccessRequest(const meta::AccessRequest& r) {
  return in_->store->AddAccessRequest(r);
}

Result<std::optional<meta::AccessRequest>> Accounts::GetAccessRequest(int64_t id) {
  return in_->store->GetAccessRequest(id);
}

Result<std::vector<meta::AccessRequest>> Accounts::ListAccessRequests(const std::string& requester,
                                                                      const std::string& state,
                                                                      int64_t before,
                                                                      size_t limit) {
  return in_->store->ListAccessRequests(requester, state, before, limit);
}

Result<bool> Accounts::DecideAccessRequest(int64_t id, const meta::AccessRequest& d) {
  return in_->store->DecideAccessRequest(id, d);
}

Result<bool> Accounts::EndGrant(int64_t id, const std::string& now) {
  return in_->store->EndGrant(id, now);
}

Result<bool> Accounts::SetUserRole(const std::string& name, const std::string& role) {
  return in_->store->SetUserRole(name, role);
}

Result<bool> Accounts::SetUserDisabled(const std::string& name, const std::string& disabled) {
  return in_->store->SetUserDisabled(name, disabled);
}

Result<access::NewSession> Accounts::LogIn(access::LoginThrottle* throttle, const std::string& name,
                                           const std::string& password, const std::string& address,
                                           int64_t* retry_after_s) {
  return access::LogIn(in_->env, in_->store.get(), throttle, name, password, address,
                       retry_after_s);
}

Result<access::Subject> Accounts::AuthenticateSession(std::string_view secret) {
  return access::AuthenticateSession(in_->env, in_->store.get(), secret);
}

Status Accounts::LogOut(std::string_view secret) {
  return access::LogOut(in_->env, in_->store.get(), secret);
}

}  // namespace attest::archive
