// The witness's own page (doc/api.md, "Witnesses"; doc/workspace.md): through their link, with
// no account, a witness sees their records, each one's level and history, who has seen what of
// it that is not public and when, their requests and consent forms; and asks for another level,
// a seal or a withdrawal, in their language. The link is kept in its own cookie (site.h,
// kLinkCookie); every change carries the page's form token.
#include <string>

#include "core/hash.h"
#include "http/pages_common.h"
#include "http/routes.h"
#include "service/record_view.h"
#include "service/witness.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

// The link's cookie lives 30 days from the last time it was entered.
constexpr int64_t kLinkSeconds = 30 * 24 * 3600;
// The entry form's double-submit token (as the login form's): the form and this cookie carry
// the same random value, so another site cannot enter a link of its own into this browser.
constexpr const char* kEnterCsrfCookie = "__Host-attest_enter";

// The levels a witness may ask for, and how the page says each.
constexpr const char* kAskable[] = {"public", "research", "restricted", "sealed"};

// The page for a caller without a witness's link: a form to enter it (`error`: why the last
// one did not open).
void SendEnterForm(Site* site, Response& res, const PageContext& pc, archive::Archive* a,
                   const std::string& error, int status) {
  std::string token = NewFormCookie(site, res, kEnterCsrfCookie);
  res.set_header("Cache-Control", "no-store");
  Json v = pc.Base(a, pc.t()["me_title"], "none");
  v["enter"] = Json{{"csrf", token}, {"error", error.empty() ? Json(false) : Json(error)}};
  pc.Send(res, "me", v, status);
}

// A time as the page shows it: its day and minute, in UTC.
std::string Shown(const std::string& at) {
  return at.size() >= 16 ? at.substr(0, 10) + " " + at.substr(11, 5) : at;
}

std::string LevelText(const PageContext& pc, const std::string& level) {
  return pc.t().value("me_level_" + level, level);
}

// One record as its witness sees it.
Json RecordOfWitness(const service::WitnessRecord& w, const PageContext& pc, const Call& c) {
  const meta::Record& r = w.record;
  const std::string level = r.withdrawn_at ? "withdrawn" : meta::ConsentName(r.consent);
  Json j = {{"id", r.id},
            {"title", RecordTitle(r, pc)},
            {"created", r.created.substr(0, 10)},
            {"level", level},
            {"level_name", pc.t().value("level_" + level, level)},
            {"level_text", LevelText(pc, level)},
            {"withdrawn", r.withdrawn_at.has_value()},
            {"open", !r.withdrawn_at.has_value()},
            {"csrf", c.subject.csrf}};
  Json history = Json::array();
  for (const auto& ch : w.consent_changes) {
    Json item = {{"day", ch.at.substr(0, 10)},
                 {"passage", ch.segment_id > 0},
                 {"from", pc.t().value("level_" + std::string(meta::ConsentName(ch.from)), "")},
                 {"to", pc.t().value("level_" + std::string(meta::ConsentName(ch.to)), "")}};
    if (!ch.until.empty()) item["until"] = ch.until;  // absent, not empty: mustache shows ""
    history.push_back(item);
  }
  j["history"] = history;
  j["has_history"] = !history.empty();
  Json seen = Json::array();
  for (const auto& e : w.views.newest) {
    Json d = Json::parse(e.detail, nullptr, false);
    std::string what = d.is_object() ? d.value("what", "") : "";
    seen.push_back({{"at", Shown(e.at)},
                    {"by", e.actor},
                    {"what", pc.t()["me_seen_kinds"].value(what, what)}});
  }
  j["seen"] = seen;
  j["has_seen"] = !seen.empty();
  j["seen_total"] = std::to_string(w.views.total);
  j["seen_more"] = w.views.total > w.views.newest.size();
  Json levels = Json::array();
  for (const char* l : kAskable) {
    if (l == level) continue;
    levels.push_back({{"value", l}, {"name", LevelText(pc, l)}});
  }
  j["levels"] = levels;
  return j;
}

void MePage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;
  if (c.subject.witness_id.empty()) return SendEnterForm(site, res, pc, c.archive(), "", 200);
  auto own = service::WitnessOwnView(c.scope());
  if (!own.ok()) return pc.Error(res, c.archive(), HttpStatusFor(own.status()));
  res.set_header("Cache-Control", "no-store");
  Json v = pc.Base(c.archive(), pc.t()["me_title"], "none");
  Json records = Json::array();
  for (const auto& w : own->records) records.push_back(RecordOfWitness(w, pc, c));
  v["records"] = records;
  v["has_records"] = !records.empty();
  Json requests = Json::array();
  for (const auto& q : own->requests) {
    requests.push_back({{"day", q.created.substr(0, 10)},
                        {"record", q.record_id},
                        {"what", q.kind == "withdraw"
                                     ? pc.t()["me_request_withdraw"].get<std::string>()
                                     : pc.t()["me_request_consent"].get<std::string>() +
                                           LevelText(pc, q.level)}});
  }
  v["requests"] = requests;
  v["has_requests"] = !requests.empty();
  Json forms = Json::array();
  for (const auto& f : own->forms) {
    forms.push_back({{"day", f.added.substr(0, 10)},
                     {"url", "/api/v1/witnesses/" + f.witness_id + "/consent-forms/" +
                                 std::to_string(f.id)}});
  }
  v["forms"] = forms;
  v["has_forms"] = !forms.empty();
  v["csrf"] = c.subject.csrf;
  std::string done = Param(req, "asked");
  if (done == "withdraw" || done == "consent") v["asked_notice"] = pc.t()["me_asked_" + done];
  pc.Send(res, "me", v);
}

// The link entered (its secret, pasted or sent by the page's script from the address's
// fragment): kept in its cookie, or the form again saying it opens nothing.
void PostEnter(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  auto lease = site->pool.Acquire();
  if (!lease.ok()) return pc.Error(res, nullptr, 503);
  archive::Archive* a = lease->get();
  if (!FormCookieMatches(req, kEnterCsrfCookie)) return pc.Error(res, a, 403);
  std::string link = Param(req, "link");
  // The whole address may be pasted: the secret is what follows its '#'.
  if (size_t hash = link.find('#'); hash != std::string::npos) link = link.substr(hash + 1);
  while (!link.empty() && (link.back() == ' ' || link.back() == '\n' || link.back() == '\r')) {
    link.pop_back();
  }
  while (!link.empty() && link.front() == ' ') link.erase(0, 1);
  auto who = link.rfind(access::kWitnessLinkPrefix, 0) == 0 && link.size() <= 128
                 ? a->accounts().Authenticate(link)
                 : Result<access::Subject>(Status::Unauthenticated("not a link"));
  if (!who.ok() || who->witness_id.empty()) {
    if (who.ok() || who.status().code() == Code::kUnauthenticated) {
      return SendEnterForm(site, res, pc, a, pc.t()["me_enter_wrong"], 401);
    }
    return pc.Error(res, a, 500);
  }
  res.set_header("Set-Cookie", LinkCookie(link, kLinkSeconds));
  res.set_header("Set-Cookie", ClearedCookie(kEnterCsrfCookie));
  res.set_header("Cache-Control", "no-store");
  res.set_redirect("/me", 303);
}

// "Forget this link on this browser" (the page's form token required).
void PostLeave(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;
  res.set_header("Set-Cookie", LinkCookie("", 0));
  res.set_header("Cache-Control", "no-store");
  res.set_redirect("/", 303);
}

// A request from the page: record, kind (consent with `consent`, or withdraw with `confirm`),
// message.
void PostAsk(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;
  if (c.subject.witness_id.empty()) return pc.Error(res, c.archive(), 401);
  service::WitnessRequestIn in{Param(req, "record"), Param(req, "kind"), Param(req, "consent"),
                               Param(req, "message")};
  if (in.kind == "withdraw" && Param(req, "confirm") != "yes") {
    return pc.Error(res, c.archive(), 400, "me_withdraw_unconfirmed");
  }
  auto id = service::AddWitnessRequest(c.scope(), in);
  if (!id.ok()) return pc.Error(res, c.archive(), HttpStatusFor(id.status()));
  res.set_redirect("/me?asked=" + std::string(in.kind == "withdraw" ? "withdraw" : "consent") +
                       "#requests-h",
                   303);
}

}  // namespace

void RegisterWitnessPages(Site* site, httplib::Server* svr) {
  svr->Get("/me", Bind(site, MePage));
  svr->Post("/me/enter", Bind(site, PostEnter));
  svr->Post("/me/leave", Bind(site, PostLeave));
  svr->Post("/me/requests", Bind(site, PostAsk));
}

}  // namespace attest::http
