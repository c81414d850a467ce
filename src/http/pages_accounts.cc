// The accounts page for admins (doc/workspace.md, "Accounts"): people's accounts and their roles,
// disabling and passwords; tokens; witnesses' links; and the audit log with filters. Each
// change is the service's (service/accounts.h), audited as the command line's is; every form
// carries the session's token; a new token or link is shown once, on the answer to the form
// that made it, and never again.
#include <string>

#include "http/pages_common.h"
#include "http/routes.h"
#include "service/accounts.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

constexpr const char* kRoles[] = {"volunteer", "researcher", "archivist", "admin"};
// The audit log's newest entries the page shows.
constexpr size_t kAuditShown = 200;

// Opens the page's archive and caller (with the form's token for a change); only admins go on.
bool BeginAdmin(Site* site, const Request& req, Response& res, const PageContext& pc, Call* c) {
  if (!BeginPage(site, req, res, pc, c, Param(req, "csrf"))) return false;
  if (service::MayAdminister(c->scope())) return true;
  if (c->subject.role == access::Role::kAnonymous) {
    if (req.method == "GET") {
      res.set_redirect("/login?back=%2Faccounts", 303);
    } else {
      pc.Error(res, c->archive(), 401);
    }
    return false;
  }
  pc.Error(res, c->archive(), 403, "forbidden_admins");
  return false;
}

Json RoleOptions(const PageContext& pc, const std::string& selected) {
  Json out = Json::array();
  for (const char* r : kRoles) {
    out.push_back({{"value", r}, {"name", pc.t()["role_" + std::string(r)]}, {"selected", selected == r}});
  }
  return out;
}

// The page: accounts, tokens, the links form and the audit log (filtered by ?since= and
// ?actor=); `said`: an error, or a secret made just now, to show once.
void SendAccounts(Site* site, const Request& req, Response& res, const PageContext& pc,
                  const Call& c, const Json& said, int status) {
  auto accounts = service::ListAccounts(c.scope());
  if (!accounts.ok()) return pc.Error(res, c.archive(), HttpStatusFor(accounts.status()));
  res.set_header("Cache-Control", "no-store");
  Json v = pc.Base(c.archive(), pc.t()["accounts_title"], "accounts");
  v["csrf"] = c.subject.csrf;
  Json users = Json::array();
  for (const auto& u : accounts->users) {
    users.push_back({{"name", u.name},
                     {"role", pc.t()["role_" + u.role]},
                     {"roles", RoleOptions(pc, u.role)},
                     {"created", u.created.substr(0, 10)},
                     {"disabled", !u.disabled.empty()},
                     {"self", u.name == c.subject.user},
                     {"csrf", c.subject.csrf}});
  }
  v["users"] = users;
  v["new_roles"] = RoleOptions(pc, "researcher");
  Json tokens = Json::array();
  for (const auto& t : accounts->tokens) {
    tokens.push_back({{"id", t.id},
                      {"role", pc.t()["role_" + t.role]},
                      {"label", t.label},
                      {"created", t.created.substr(0, 10)},
                      {"expires", t.expires.empty() ? "—" : t.expires.substr(0, 10)},
                      {"revoked", !t.revoked.empty()},
                      {"revoked_day", t.revoked.substr(0, 10)},
                      {"csrf", c.subject.csrf}});
  }
  v["tokens"] = tokens;
  // The audit log, newest first, filtered.
  const std::string since = Param(req, "since"), actor = Param(req, "actor");
  v["since"] = since;
  v["actor"] = actor;
  auto entries = service::ReadAuditLog(c.scope(), since, actor);
  if (!entries.ok()) return pc.Error(res, c.archive(), HttpStatusFor(entries.status()));
  Json audit = Json::array();
  for (auto it = entries->rbegin(); it != entries->rend() && audit.size() < kAuditShown; ++it) {
    audit.push_back({{"at", it->at.size() >= 19 ? it->at.substr(0, 10) + " " + it->at.substr(11, 8) : it->at},
                     {"actor", it->actor},
                     {"action", it->action},
                     {"target", it->target},
                     {"detail", it->detail}});
  }
  v["audit"] = audit;
  v["audit_total"] = std::to_string(entries->size());
  v["audit_more"] = entries->size() > audit.size();
  if (said.is_object()) {
    for (const auto& [k, value] : said.items()) v[k] = value;
  }
  pc.Send(res, "accounts", v, status);
}

void AccountsPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginAdmin(site, req, res, pc, &c)) return;
  SendAccounts(site, req, res, pc, c, Json(), 200);
}

// The page again with what went wrong (the service's words, after the page's own).
void Refused(Site* site, const Request& req, Response& res, const PageContext& pc, const Call& c,
             const Status& st) {
  SendAccounts(site, req, res, pc, c,
               {{"error", pc.t()["accounts_refused"].get<std::string>() + " " + st.message()}},
               HttpStatusFor(st));
}

void Done(Response& res, const char* where) {
  res.set_redirect(std::string("/accounts#") + where, 303);
}

Result<access::Role> RoleOf(const Request& req) {
  auto role = access::ParseRole(Param(req, "role"));
  if (!role.ok() || *role == access::Role::kAnonymous) {
    return Status::InvalidArgument("choose a role: volunteer, researcher, archivist or admin");
  }
  return *role;
}

void PostAddUser(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginAdmin(site, req, res, pc, &c)) return;
  auto role = RoleOf(req);
  if (!role.ok()) return Refused(site, req, res, pc, c, role.status());
  auto added = service::AddUser(c.scope(), Param(req, "name"), *role, Param(req, "password"));
  if (!added.ok()) return Refused(site, req, res, pc, c, added.status());
  Done(res, "users-h");
}

// POST /accounts/users/NAME/(role|disable|enable|password).
void PostUserChange(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginAdmin(site, req, res, pc, &c)) return;
  const std::string name = req.matches[1], what = req.matches[2];
  Status st;
  if (what == "role") {
    auto role = RoleOf(req);
    st = role.ok() ? service::SetUserRole(c.scope(), name, *role) : role.status();
  } else if (what == "password") {
    st = service::ChangePassword(c.scope(), name, Param(req, "password"));
  } else if (name == c.subject.user && what == "disable") {
    st = Status::InvalidArgument("an admin does not disable their own account here");
  } else {
    st = service::SetUserDisabled(c.scope(), name, what == "disable");
  }
  if (!st.ok()) return Refused(site, req, res, pc, c, st);
  Done(res, "users-h");
}

void PostToken(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginAdmin(site, req, res, pc, &c)) return;
  auto role = RoleOf(req);
  if (!role.ok()) return Refused(site, req, res, pc, c, role.status());
  std::string expires = Param(req, "expires");
  if (!expires.empty() && expires.size() == 10) expires += "T00:00:00Z";  // a day from the form
  auto made = service::CreateToken(c.scope(), *role, Param(req, "label"), expires);
  if (!made.ok()) return Refused(site, req, res, pc, c, made.status());
  SendAccounts(site, req, res, pc, c, {{"new_secret", made->secret}, {"new_what", pc.t()["accounts_new_token"]}}, 200);
}

void PostTokenRevoke(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginAdmin(site, req, res, pc, &c)) return;
  Status st = service::RevokeToken(c.scope(), req.matches[1]);
  if (!st.ok()) return Refused(site, req, res, pc, c, st);
  Done(res, "tokens-h");
}

void PostLink(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginAdmin(site, req, res, pc, &c)) return;
  auto made = service::CreateWitnessLink(c.scope(), Param(req, "witness"));
  if (!made.ok()) return Refused(site, req, res, pc, c, made.status());
  SendAccounts(site, req, res, pc, c,
               {{"new_secret", "/me#" + made->secret},
                {"new_what", pc.t()["accounts_new_link"]},
                {"new_link_id", made->link.id}},
               200);
}

void PostLinkRevoke(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginAdmin(site, req, res, pc, &c)) return;
  Status st = service::RevokeWitnessLink(c.scope(), Param(req, "id"));
  if (!st.ok()) return Refused(site, req, res, pc, c, st);
  Done(res, "links-h");
}

}  // namespace

void RegisterAccountsPages(Site* site, httplib::Server* svr) {
  svr->Get("/accounts", Bind(site, AccountsPage));
  svr->Post("/accounts/users", Bind(site, PostAddUser));
  svr->Post(R"(/accounts/users/([a-z0-9._-]{1,64})/(role|disable|enable|password))",
            Bind(site, PostUserChange));
  svr->Post("/accounts/tokens", Bind(site, PostToken));
  svr->Post(R"(/accounts/tokens/([a-z0-9]{1,32})/revoke)", Bind(site, PostTokenRevoke));
  svr->Post("/accounts/links", Bind(site, PostLink));
  svr->Post("/accounts/links/revoke", Bind(site, PostLinkRevoke));
}

}  // namespace attest::http
