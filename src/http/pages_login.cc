// Logging in and out of the portal (doc/api.md, "Accounts").
#include <algorithm>

#include "core/hash.h"
#include "http/pages_common.h"
#include "http/redirect.h"
#include "http/routes.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

// The login form's double-submit token (doc/api.md, "Accounts"): the form and this cookie
// carry the same random value, which another site can neither read nor set.
constexpr const char* kLoginCsrfCookie = "__Host-attest_csrf";

// The login form, with its double-submit token (a new one each time the form is shown).
void SendLoginForm(Site* site, const Request& req, Response& res, const PageContext& pc,
                   archive::Archive* a, const std::string& name, const std::string& error,
                   int status) {
  std::string token = NewFormCookie(site, res, kLoginCsrfCookie);
  res.set_header("Cache-Control", "no-store");
  Json v = pc.Base(a, pc.t()["login_title"], "login");
  v["csrf"] = token;
  v["name"] = name;
  v["back"] = SafeRedirectTarget(Param(req, "back"));
  v["error"] = error.empty() ? Json(false) : Json(error);
  pc.Send(res, "login", v, status);
}

void LoginPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;
  SendLoginForm(site, req, res, pc, c.archive(), "", "", 200);
}

// The login form sent: a new session, or the form again saying why not.
void PostLogin(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  auto lease = site->pool.Acquire();
  if (!lease.ok()) return pc.Error(res, nullptr, 503);
  archive::Archive* a = lease->get();
  // Login CSRF: the form's token must be the one this browser's form page was given.
  if (!FormCookieMatches(req, kLoginCsrfCookie)) return pc.Error(res, a, 403);
  std::string name = Param(req, "name");
  const std::string address = ClientAddress(site, req);
  int64_t wait = 1;
  auto s = a->accounts().LogIn(&site->throttle, name, Param(req, "password"), address, &wait);
  if (!s.ok()) {
    std::string shown_name = access::CheckUserName(name).ok() ? name : "";
    if (s.status().code() == Code::kExhausted) {
      res.set_header("Retry-After", std::to_string(std::max<int64_t>(wait, 1)));
      return SendLoginForm(site, req, res, pc, a, shown_name, pc.t()["login_throttled"], 429);
    }
    if (s.status().code() == Code::kInvalidArgument) {  // not an account's name; nothing tried
      return SendLoginForm(site, req, res, pc, a, "", pc.t()["login_bad_name"], 400);
    }
    if (s.status().code() != Code::kUnauthenticated) return pc.Error(res, a, 500);
    return SendLoginForm(site, req, res, pc, a, shown_name,
                         s.status().message() == "this account is disabled"
                             ? pc.t()["login_disabled"]
                             : pc.t()["login_wrong"],
                         401);
  }
  // A new session, whatever the browser sent: a cookie planted before login is never the
  // one that carries the login (session fixation).
  res.set_header("Set-Cookie", SessionCookie(s->secret, access::kSessionSeconds));
  res.set_header("Set-Cookie", ClearedCookie(kLoginCsrfCookie));
  res.set_header("Cache-Control", "no-store");
  res.set_redirect(SafeRedirectTarget(Param(req, "back")), 303);
}

void PostLogout(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;  // checks the form's token
  if (!c.subject.user.empty()) {
    auto st = c.archive()->accounts().LogOut(CookieValue(req, kSessionCookie));
    if (!st.ok()) return pc.Error(res, c.archive(), 500);
  }
  res.set_header("Set-Cookie", SessionCookie("", 0));
  res.set_header("Cache-Control", "no-store");
  res.set_redirect("/", 303);
}

}  // namespace

void RegisterLoginPages(Site* site, httplib::Server* svr) {
  svr->Get("/login", Bind(site, LoginPage));
  svr->Post("/login", Bind(site, PostLogin));
  svr->Post("/logout", Bind(site, PostLogout));
}

}  // namespace attest::http
