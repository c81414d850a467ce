// Accounts: who may call the archive's interfaces (doc/api.md "Accounts"): API tokens,
// witnesses' links, user accounts and their sessions, each kept in the archive's database
// (the rules are access/access.h's). A part of an Archive (archive.h). Not thread-safe, like
// the Archive it belongs to.
#ifndef ATTEST_ARCHIVE_ACCOUNTS_H_
#define ATTEST_ARCHIVE_ACCOUNTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/access.h"
#include "core/status.h"
#include "meta/store.h"

namespace attest::archive {

struct Internal;

class Accounts {
 public:
  explicit Accounts(Internal* in) : in_(in) {}

  // API tokens (`attest token`): a new one for `role`, `expires` RFC 3339 or "" for never;
  // RevokeToken is false if no unrevoked token has that id.
  Result<access::NewToken> CreateToken(access::Role role, const std::string& label,
                                       const std::string& expires);
  Result<bool> RevokeToken(const std::string& id, const std::string& now);
  Result<std::vector<meta::Token>> ListTokens();
  // The subject a bearer token (or a witness's link) stands for (access::Authenticate).
  Result<access::Subject> Authenticate(std::string_view secret);

  // A witness's private link (doc/api.md, "Witnesses"); RevokeWitnessLink is false if no
  // unrevoked link has that id.
  Result<access::NewWitnessLink> CreateWitnessLink(const std::string& witness_id);
  Result<bool> RevokeWitnessLink(const std::string& id, const std::string& now);

  // User accounts (`attest user`). SetUserRole and SetUserDisabled (`disabled` RFC 3339, or ""
  // to enable) are false if there is no account `name`; each ends the account's sessions.
  Result<meta::User> CreateUser(const std::string& name, access::Role role,
                                const std::string& password);
  Status ChangePassword(const std::string& name, const std::string& password);
  Result<std::optional<meta::User>> FindUser(const std::string& name);
  Result<std::vector<meta::User>> ListUsers();
  Result<bool> SetUserRole(const std::string& name, const std::string& role);
  Result<bool> SetUserDisabled(const std::string& name, const std::string& disabled);

  // Sessions (access::LogIn, AuthenticateSession, LogOut).
  Result<access::NewSession> LogIn(access::LoginThrottle* throttle, const std::string& name,
                                   const std::string& password, const std::string& address,
                                   int64_t* retry_after_s = nullptr);
  Result<access::Subject> AuthenticateSession(std::string_view secret);
  Status LogOut(std::string_view secret);

  // Researchers' access requests (meta::Store's, doc/api.md "Access requests").
  Result<int64_t> AddAccessRequest(const meta::AccessRequest& r);
  Result<std::optional<meta::AccessRequest>> GetAccessRequest(int64_t id);
  Result<std::vector<meta::AccessRequest>> ListAccessRequests(const std::string& requester,
                                                              const std::string& state,
                                                              int64_t before, size_t limit);
  Result<bool> DecideAccessRequest(int64_t id, const meta::AccessRequest& d);
  Result<bool> EndGrant(int64_t id, const std::string& now);

 private:
  Internal* in_;
};

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_ACCOUNTS_H_
