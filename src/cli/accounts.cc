#include "cli/accounts.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "access/access.h"
#include "cli/output.h"
#include "cli/password.h"
#include "core/json.h"
#include "service/accounts.h"

namespace attest::cli {
namespace {

struct AuditArgs {
  std::string since, actor;
  bool json = false;
};

int Audit(Common& c, const AuditArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  auto entries = (*a)->audit().List(o.since, o.actor);
  if (!entries.ok()) return Fail(entries.status());
  if (o.json) {
    Json arr = Json::array();
    for (const auto& e : *entries) arr.push_back(meta::AuditJson(e));
    PrintJson({{"entries", arr}});
    return kExitOk;
  }
  for (const auto& e : *entries) {
    std::cout << e.id << "\t" << e.at << "\t" << Shown(e.actor) << "\t" << e.action << "\t"
              << (e.target.empty() ? "-" : Shown(e.target)) << "\t" << Shown(e.detail) << "\n";
  }
  if (entries->empty()) {
    std::cerr << (o.since.empty() && o.actor.empty() ? "No audit entries yet.\n"
                                                     : "No audit entries match.\n");
  }
  return kExitOk;
}

struct LinkArgs {
  CLI::App* create = nullptr;
  std::string witness, id;
  bool json = false;
};

int Link(Common& c, const LinkArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  const service::Scope scope = CliScope(a->get());
  if (*o.create) {
    auto w = service::CreateWitnessLink(scope, o.witness);
    if (!w.ok()) return UsageOrFail(w.status());
    if (o.json) {
      PrintJson({{"id", w->link.id}, {"witness", o.witness}, {"token", w->secret}});
    } else {
      std::cout << w->secret << "\n";
      std::cerr << "Link " << w->link.id << " for witness " << o.witness
                << ": shown once, stored only as its SHA-256. Give it to the witness only; "
                << "with it they read /api/v1/me and ask for changes (doc/api.md).\n";
    }
    return kExitOk;
  }
  if (Status st = service::RevokeWitnessLink(scope, o.id); !st.ok()) return Fail(st);
  std::cout << "Revoked " << o.id << "\n";
  return kExitOk;
}

int Requests(Common& c, bool json) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  auto listed = (*a)->consent().ListWitnessRequests();
  if (!listed.ok()) return Fail(listed.status());
  if (json) {
    Json arr = Json::array();
    for (const auto& q : *listed) {
      arr.push_back({{"id", q.id},
                     {"witness", q.witness_id},
                     {"record", q.record_id},
                     {"kind", q.kind},
                     {"consent", q.level},
                     {"message", q.message},
                     {"link", q.link_id},
                     {"created", q.created}});
    }
    PrintJson({{"requests", arr}});
    return kExitOk;
  }
  for (const auto& q : *listed) {
    std::cout << q.id << "\t" << q.created << "\t" << q.witness_id << "\t" << q.record_id << "\t"
              << q.kind << (q.level.empty() ? "" : " " + q.level) << "\t" << Shown(q.message)
              << "\n";
  }
  if (listed->empty()) std::cerr << "No requests from witnesses.\n";
  return kExitOk;
}

struct UserArgs {
  CLI::App *add = nullptr, *list = nullptr, *role = nullptr, *disable = nullptr,
           *password = nullptr;
  std::string name, role_name;
  bool json = false;
};

int ListUsers(archive::Accounts& accounts, bool json) {
  auto listed = accounts.ListUsers();
  if (!listed.ok()) return Fail(listed.status());
  if (json) {
    Json arr = Json::array();
    for (const auto& u : *listed) {
      arr.push_back({{"id", u.id},
                     {"name", u.name},
                     {"role", u.role},
                     {"created", u.created},
                     {"disabled", u.disabled}});
    }
    PrintJson({{"users", arr}});
    return kExitOk;
  }
  for (const auto& u : *listed) {
    std::cout << u.name << "\t" << u.role << "\t" << u.created
              << (u.disabled.empty() ? "" : "\tdisabled " + u.disabled) << "\n";
  }
  if (listed->empty()) std::cerr << "No accounts yet (attest user add NAME --role ROLE).\n";
  return kExitOk;
}

// `user add` and `user password`: both read a password.
int SetPassword(archive::Archive* a, const UserArgs& o) {
  archive::Accounts& accounts = a->accounts();
  if (Status st = access::CheckUserName(o.name); !st.ok()) return Usage(st.message());
  std::optional<access::Role> role;
  if (*o.add) {
    auto r = access::ParseRole(o.role_name);
    if (!r.ok()) return Usage(r.status().message());
    role = *r;
    auto existing = accounts.FindUser(o.name);
    if (!existing.ok()) return Fail(existing.status());
    if (*existing)
      return Fail(Status::Conflict("there is already an account named '" + o.name + "'"));
  }
  auto password = ReadPassword("Password for " + o.name + ": ");
  if (!password.ok()) return Usage(password.status().message());
  if (Status st = access::CheckPassword(*password); !st.ok()) return Usage(st.message());
  if (*o.add) {
    auto u = service::AddUser(CliScope(a), o.name, *role, *password);
    if (!u.ok()) return Fail(u.status());
    std::cout << "Added " << u->name << " (" << u->role << ")\n";
    return kExitOk;
  }
  if (Status st = service::ChangePassword(CliScope(a), o.name, *password); !st.ok()) return Fail(st);
  std::cout << "Changed the password of " << o.name << "; its sessions have ended\n";
  return kExitOk;
}

// `user role`, `user disable` and `user enable`.
int ChangeUser(Env* env, archive::Archive* a, const UserArgs& o) {
  archive::Accounts& accounts = a->accounts();
  auto found = accounts.FindUser(o.name);
  if (!found.ok()) return Fail(found.status());
  if (!*found) return Fail(Status::NotFound("there is no account named '" + o.name + "'"));
  if (*o.role) {
    auto r = access::ParseRole(o.role_name);
    if (!r.ok()) return Usage(r.status().message());
    if (Status st = service::SetUserRole(CliScope(a), o.name, *r); !st.ok()) return Fail(st);
    std::cout << o.name << " is now " << access::RoleName(*r) << "; its sessions have ended\n";
    return kExitOk;
  }
  if (Status st = service::SetUserDisabled(CliScope(a), o.name, static_cast<bool>(*o.disable)); !st.ok()) {
    return Fail(st);
  }
  std::cout << (*o.disable ? "Disabled " : "Enabled ") << o.name << "\n";
  return kExitOk;
}

int User(Common& c, const UserArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  if (*o.list) return ListUsers((*a)->accounts(), o.json);
  if (*o.add || *o.password) return SetPassword(a->get(), o);
  return ChangeUser(c.env, a->get(), o);
}

struct TokenArgs {
  CLI::App *create = nullptr, *revoke = nullptr;
  std::string role, label, expires, id;
  bool json = false;
};

int CreateToken(archive::Archive* a, const TokenArgs& o) {
  auto role = access::ParseRole(o.role);
  if (!role.ok()) return Usage(role.status().message());
  auto t = service::CreateToken(CliScope(a), *role, o.label, o.expires);
  if (!t.ok()) return UsageOrFail(t.status());
  if (o.json) {
    PrintJson({{"id", t->token.id},
               {"role", t->token.role},
               {"token", t->secret},
               {"expires", t->token.expires}});
  } else {
    std::cout << t->secret << "\n";
    std::cerr << "Token " << t->token.id << " (" << t->token.role
              << "): shown once, stored only as its SHA-256. Send it as "
              << "'Authorization: Bearer TOKEN'.\n";
  }
  return kExitOk;
}

int RevokeToken(Env* env, archive::Archive* a, const std::string& id) {
  if (Status st = service::RevokeToken(CliScope(a), id); !st.ok()) return Fail(st);
  std::cout << "Revoked " << id << "\n";
  return kExitOk;
}

int ListTokens(archive::Accounts& accounts, bool json) {
  auto listed = accounts.ListTokens();
  if (!listed.ok()) return Fail(listed.status());
  Json arr = Json::array();
  for (const auto& t : *listed) {
    arr.push_back({{"id", t.id},
                   {"role", t.role},
                   {"label", t.label},
                   {"created", t.created},
                   {"expires", t.expires},
                   {"revoked", t.revoked}});
  }
  if (json) {
    PrintJson({{"tokens", arr}});
  } else {
    for (const auto& t : *listed) {
      std::cout << t.id << "  " << t.role << "  " << t.created
                << (t.revoked.empty() ? "" : "  revoked " + t.revoked)
                << (t.expires.empty() ? "" : "  expires " + t.expires) << "  " << Shown(t.label)
                << "\n";
    }
  }
  return kExitOk;
}

int Token(Common& c, const TokenArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  if (*o.create) return CreateToken(a->get(), o);
  if (*o.revoke) return RevokeToken(c.env, a->get(), o.id);
  return ListTokens((*a)->accounts(), o.json);
}

}  // namespace

void AddAudit(CLI::App& app, Common& c) {
  auto* audit = app.add_subcommand(
      "audit",
      "The audit log: changes of consent and tokens, withdrawals, views of non-public "
      "material (doc/format/metadata.md)");
  auto o = std::make_shared<AuditArgs>();
  audit->add_option("--since", o->since, "Entries at or after this day or time (RFC 3339)");
  audit->add_option("--actor,--subject", o->actor,
                    "Entries by this actor only (cli:USER, token:ID, user:NAME, address:IP)");
  audit->add_flag("--json", o->json, "Print JSON");
  c.OnRun(audit, [&c, o] { return Audit(c, *o); });
}

void AddLink(CLI::App& app, Common& c) {
  auto* link = app.add_subcommand(
      "link",
      "Witnesses' own links: a witness sees their records and asks for changes (doc/api.md)");
  link->require_subcommand(1);
  auto o = std::make_shared<LinkArgs>();
  auto* link_create = o->create =
      link->add_subcommand("create", "Make a witness's link; it is shown once");
  auto* link_revoke = link->add_subcommand("revoke", "Revoke a witness's link by its id");
  link_create->add_option("WITNESS", o->witness, "The witness's id")->required();
  link_create->add_flag("--json", o->json, "Print JSON");
  link_revoke->add_option("ID", o->id, "The link's id (w...)")->required();
  c.OnRun(link, [&c, o] { return Link(c, *o); });
}

void AddRequests(CLI::App& app, Common& c) {
  auto* requests = app.add_subcommand("requests", "What witnesses asked through their links");
  auto json = std::make_shared<bool>(false);
  requests->add_flag("--json", *json, "Print JSON");
  c.OnRun(requests, [&c, json] { return Requests(c, *json); });
}

void AddUser(CLI::App& app, Common& c) {
  auto* user = app.add_subcommand(
      "user", "People's accounts for the portal: add, list, role, disable, enable, password");
  user->require_subcommand(1);
  auto o = std::make_shared<UserArgs>();
  auto* user_add = o->add = user->add_subcommand("add",
                                                 "Make an account; the password is read from "
                                                 "standard input (asked twice on a terminal)");
  auto* user_list = o->list =
      user->add_subcommand("list", "List the accounts (never their passwords)");
  auto* user_role = o->role =
      user->add_subcommand("role", "Change an account's role (ends its sessions)");
  auto* user_disable = o->disable =
      user->add_subcommand("disable", "Stop an account logging in (ends its sessions)");
  auto* user_enable = user->add_subcommand("enable", "Let a disabled account log in again");
  auto* user_password = o->password = user->add_subcommand(
      "password", "Set an account's password from standard input (ends its sessions)");
  user_add->add_option("NAME", o->name, "Login name: 1 to 64 of a-z 0-9 . _ -")->required();
  user_add->add_option("--role", o->role_name, "volunteer, researcher, archivist or admin")->required();
  user_list->add_flag("--json", o->json, "Print JSON");
  user_role->add_option("NAME", o->name, "The account")->required();
  user_role->add_option("ROLE", o->role_name, "volunteer, researcher, archivist or admin")->required();
  for (auto* sub : {user_disable, user_enable, user_password}) {
    sub->add_option("NAME", o->name, "The account")->required();
  }
  c.OnRun(user, [&c, o] { return User(c, *o); });
}

void AddToken(CLI::App& app, Common& c) {
  auto* token = app.add_subcommand("token", "API tokens: create, list, revoke (doc/api.md)");
  token->require_subcommand(1);
  auto o = std::make_shared<TokenArgs>();
  auto* token_create = o->create =
      token->add_subcommand("create", "Make a token; it is shown once");
  auto* token_list = token->add_subcommand("list", "List the tokens (never their secrets)");
  auto* token_revoke = o->revoke = token->add_subcommand("revoke", "Revoke a token by its id");
  token_create->add_option("--role", o->role, "volunteer, researcher, archivist or admin")->required();
  token_create->add_option("--label", o->label, "What it is for (shown in lists)");
  token_create->add_option("--expires", o->expires, "RFC 3339 time it stops working");
  token_create->add_flag("--json", o->json, "Print JSON");
  token_list->add_flag("--json", o->json, "Print JSON");
  token_revoke->add_option("ID", o->id, "The token's id (t...)")->required();
  c.OnRun(token, [&c, o] { return Token(c, *o); });
}

}  // namespace attest::cli
