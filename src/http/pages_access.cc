// Access requests in the browser (doc/workspace.md, "Access requests"): a researcher or a
// volunteer asks to read a collection's or a record's restricted material and follows the
// answer; archivists and admins grant for a number of days with terms, or refuse with a reason.
// The rules are service/access_requests.h's; every form carries the session's token.
#include <string>

#include "http/numbers.h"
#include "http/pages_common.h"
#include "http/routes.h"
#include "service/access_requests.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

constexpr const char* kStates[] = {"open", "granted", "refused", "cancelled", "ended"};
// How long a decision stays as a notice at the head of the requester's page.
constexpr int64_t kNoticeSeconds = 14 * 86400;

// Opens the page's archive and caller (with the form's token for a change); only those who ask
// or decide go on; anyone else is sent to log in or told they may not.
bool BeginAccess(Site* site, const Request& req, Response& res, const PageContext& pc, Call* c) {
  if (!BeginPage(site, req, res, pc, c, Param(req, "csrf"))) return false;
  if (service::MayAskForAccess(c->scope()) || service::MayDecideAccess(c->scope())) return true;
  if (c->subject.role == access::Role::kAnonymous) {
    if (req.method == "GET") {
      res.set_redirect("/login?back=%2Faccess", 303);
    } else {
      pc.Error(res, c->archive(), 401);
    }
    return false;
  }
  pc.Error(res, c->archive(), 403, "forbidden_access");
  return false;
}

// A request as the page shows it.
Json RequestView(const meta::AccessRequest& r, const PageContext& pc, const std::string& now,
                 bool staff) {
  Json j = {{"id", r.id},
            {"scope_name", pc.t()["access_scope_" + r.scope]},
            {"target", r.scope_id},
            {"purpose", r.purpose},
            {"asked", r.asked.substr(0, 10)},
            {"state", r.state},
            {"state_name", pc.t()["access_state_" + r.state]},
            {"active", r.state == "granted" && r.until > now},
            {"open", r.state == "open"},
            {"until", r.until.empty() ? Json(false) : Json(r.until)},
            {"terms", r.terms.empty() ? Json(false) : Json(r.terms)},
            {"reason", r.reason.empty() ? Json(false) : Json(r.reason)}};
  if (staff) {
    j["requester"] = r.requester;
    j["decided_by"] = r.decided_by.empty() ? Json(false) : Json(r.decided_by);
  }
  return j;
}

// The requester's side: the form (kept as sent after a refusal), the answers of the last two
// weeks as notices, and every request.
Status AskerView(const PageContext& pc, const Call& c, const Request& req, const std::string& now,
                 Json* v) {
  ASSIGN_OR_RETURN(auto mine, service::MyAccessRequests(c.scope()));
  Json rows = Json::array(), notices = Json::array();
  auto now_us = ParseRfc3339(now);
  for (const auto& r : mine) {
    rows.push_back(RequestView(r, pc, now, false));
    auto decided = ParseRfc3339(r.decided);
    if ((r.state == "granted" || r.state == "refused") && decided.ok() && now_us.ok() &&
        *now_us - *decided < kNoticeSeconds * 1000000) {
      notices.push_back({{"text", pc.t()["access_notice_" + r.state]},
                         {"target", r.scope_id},
                         {"until", r.state == "granted" ? Json(r.until)
                                                        : Json(false)},
                         {"words", r.state == "refused" ? Json(r.reason) : Json(false)}});
    }
  }
  std::string scope = Param(req, "scope") == "record" ? "record" : "collection";
  Json scopes = Json::array();
  for (const char* s : {"collection", "record"}) {
    scopes.push_back({{"value", s},
                      {"name", pc.t()["access_scope_" + std::string(s)]},
                      {"selected", scope == s}});
  }
  (*v)["asker"] = true;
  (*v)["scopes"] = scopes;
  (*v)["target"] = Param(req, "id").substr(0, 64);
  (*v)["purpose"] = Param(req, "purpose").substr(0, 4096);
  (*v)["mine"] = rows;
  (*v)["has_mine"] = !rows.empty();
  (*v)["notices"] = notices;
  return Status::Ok();
}

// The archivists' side: the queue in one state (open first), newest first, a page at a time.
Status StaffView(const PageContext& pc, const Call& c, const Request& req, const std::string& now,
                 Json* v) {
  std::string state = Param(req, "state");
  if (state.empty() && !req.has_param("state")) state = "open";
  const int64_t before = static_cast<int64_t>(ParseDigits(Param(req, "before"), 12).value_or(0));
  ASSIGN_OR_RETURN(auto queue, service::AccessQueue(c.scope(), state, before));
  Json rows = Json::array();
  for (const auto& r : queue) rows.push_back(RequestView(r, pc, now, true));
  Json states = Json::array();
  states.push_back({{"value", ""}, {"name", pc.t()["review_any"]}, {"selected", state.empty()}});
  for (const char* s : kStates) {
    states.push_back({{"value", s},
                      {"name", pc.t()["access_state_" + std::string(s)]},
                      {"selected", state == s}});
  }
  (*v)["staff"] = true;
  (*v)["states"] = states;
  (*v)["queue"] = rows;
  if (queue.size() == service::kAccessRequestsShown) {
    (*v)["older"] = "/access?state=" + Url(state) + "&before=" + std::to_string(queue.back().id);
  }
  return Status::Ok();
}

// The page, with `error` (the page's words and the service's) above it.
void SendAccess(Site* site, const Request& req, Response& res, const PageContext& pc,
                const Call& c, const std::string& error, int status) {
  Json v = pc.Base(c.archive(), pc.t()["access_title"], "access");
  v["csrf"] = c.subject.csrf;
  v["error"] = error.empty() ? Json(false) : Json(error);
  const std::string now = FormatRfc3339(site->env->NowMicros());
  Status st = service::MayDecideAccess(c.scope()) ? StaffView(pc, c, req, now, &v)
                                                  : AskerView(pc, c, req, now, &v);
  if (!st.ok()) return pc.Error(res, c.archive(), HttpStatusFor(st));
  res.set_header("Cache-Control", "no-store");
  pc.Send(res, "access", v, status);
}

void AccessPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginAccess(site, req, res, pc, &c)) return;
  SendAccess(site, req, res, pc, c, "", 200);
}

void Refused(Site* site, const Request& req, Response& res, const PageContext& pc, const Call& c,
             const Status& st) {
  SendAccess(site, req, res, pc, c,
             pc.t()["access_refused"].get<std::string>() + " " + st.message(),
             HttpStatusFor(st));
}

// A researcher's or volunteer's request (scope, id, purpose).
void PostAsk(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginAccess(site, req, res, pc, &c)) return;
  auto made = service::AskForAccess(
      c.scope(), {Param(req, "scope"), Param(req, "id"), Param(req, "purpose")});
  if (!made.ok()) return Refused(site, req, res, pc, c, made.status());
  res.set_redirect("/access#mine-h", 303);
}

// POST /access/ID/(grant|refuse|cancel|end).
void PostDecision(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginAccess(site, req, res, pc, &c)) return;
  const int64_t id = static_cast<int64_t>(ParseDigits(req.matches[1].str(), 12).value_or(0));
  const std::string what = req.matches[2];
  Result<meta::AccessRequest> done = Status::NotFound("");
  if (what == "grant") {
    std::optional<uint64_t> days = ParseDigits(Param(req, "days"), 4);
    done = days ? service::GrantAccess(c.scope(), id, static_cast<int>(*days), Param(req, "terms"))
                : Status::InvalidArgument("the number of days must be a whole number, 1 to 366");
  } else if (what == "refuse") {
    done = service::RefuseAccess(c.scope(), id, Param(req, "reason"));
  } else if (what == "end") {
    done = service::EndGrant(c.scope(), id);
  } else {
    done = service::CancelAccessRequest(c.scope(), id);
  }
  if (!done.ok()) return Refused(site, req, res, pc, c, done.status());
  res.set_redirect(what == "cancel" ? "/access#mine-h" : "/access", 303);
}

}  // namespace

void RegisterAccessPages(Site* site, httplib::Server* svr) {
  svr->Get("/access", Bind(site, AccessPage));
  svr->Post("/access", Bind(site, PostAsk));
  svr->Post(R"(/access/([0-9]{1,12})/(grant|refuse|cancel|end))", Bind(site, PostDecision));
}

}  // namespace attest::http
