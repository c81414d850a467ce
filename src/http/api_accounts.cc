// A witness's own link (/api/v1/me: their records, who has seen them, their requests), consent
// forms, the audit log for admins, and researchers' access requests.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "archive/wire_json.h"
#include "http/api_common.h"
#include "http/numbers.h"
#include "http/routes.h"
#include "http/send_blob.h"
#include "service/access_requests.h"
#include "service/accounts.h"
#include "service/cite.h"
#include "service/witness.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

std::string ConsentFormUrl(const meta::WitnessForm& f) {
  return "/api/v1/witnesses/" + f.witness_id + "/consent-forms/" + std::to_string(f.id);
}

// One of a witness's records as their own link shows it: its consent and the consent's
// history, and who (which token) has seen what of it that is not public.
Json WitnessRecordJson(archive::Archive* a, const service::WitnessRecord& w) {
  const meta::Record& r = w.record;
  Json j = {{"record", r.id},
            {"consent", meta::ConsentName(r.consent)},
            {"created", r.created},
            {"meta", service::ShownMeta(service::NewestOriginal(r))}};
  if (r.withdrawn_at) j["withdrawn_at"] = *r.withdrawn_at;
  j["consent_changes"] = archive::ConsentChangesToJson(
      w.consent_changes, false, [a](int64_t id) { return a->SegmentRef(id); });
  Json seen = Json::array();
  for (const auto& e : w.views.newest) {
    Json d = Json::parse(e.detail, nullptr, false);
    seen.push_back({{"at", e.at}, {"by", e.actor}, {"what", d.is_object() ? d["what"] : Json()}});
  }
  j["seen_by"] = seen;  // the newest, at most service::kSeenByLimit
  j["seen_by_total"] = w.views.total;
  return j;
}

// Witnesses, through their own link: their records, each one's consent and its history, who
// (which token) has seen what of it that is not public, and what they have asked.
void GetMe(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c) || !RequireWitness(c, res)) return;
  auto own = service::WitnessOwnView(c.scope());
  if (!own.ok()) return ProblemFor(res, own.status());
  Json records = Json::array();
  for (const auto& w : own->records) records.push_back(WitnessRecordJson(c.archive(), w));
  Json requests = Json::array();
  for (const auto& q : own->requests) {
    Json j = {{"id", q.id}, {"record", q.record_id}, {"kind", q.kind}, {"created", q.created}};
    if (!q.level.empty()) j["consent"] = q.level;
    requests.push_back(j);
  }
  Json consent_forms = Json::array();
  for (const auto& f : own->forms) {
    consent_forms.push_back(
        {{"id", f.id}, {"added", f.added}, {"mime", f.mime}, {"url", ConsentFormUrl(f)}});
  }
  SendJson(res, {{"witness", c.subject.witness_id},
                 {"records", records},
                 {"requests", requests},
                 {"consent_forms", consent_forms}});
}

// A witness asks, through their own link, for a record's consent to change or for its
// withdrawal.
void PostMeRequest(Site* site, const Request& req, Response& res,
                   const httplib::ContentReader& reader) {
  Call c;
  if (!Begin(site, req, res, &c) || !RequireWitness(c, res)) return;
  auto body = JsonBody(req, reader, site->options.max_json_body);
  if (!body.ok()) return ProblemFor(res, body.status());
  service::WitnessRequestIn in{StringMember(*body, "record"), StringMember(*body, "kind"),
                               StringMember(*body, "consent"), StringMember(*body, "message")};
  auto id = service::AddWitnessRequest(c.scope(), in);
  if (!id.ok()) return ProblemFor(res, id.status());
  SendJson(res, {{"id", *id}, {"record", in.record}, {"kind", in.kind}}, 201);
}

// The audit log, for admins (doc/api.md, "Who sees what"); reading it is itself audited.
void GetAudit(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  auto entries = service::ReadAuditLog(c.scope(), Param(req, "since"), Param(req, "actor"));
  if (!entries.ok()) {
    if (entries.status().code() == Code::kPermissionDenied &&
        c.subject.role == access::Role::kAnonymous) {
      Problem(res, 401, "unauthorized", "Unauthorized", entries.status().message());
      res.set_header("WWW-Authenticate", "Bearer");
      return;
    }
    return ProblemFor(res, entries.status());
  }
  Json arr = Json::array();
  for (const auto& e : *entries) arr.push_back(meta::AuditJson(e));
  SendJson(res, {{"entries", arr}});
}

// A witness's consent forms: archivists, admins and the witness's own link; for anyone else
// they are not there (doc/api.md, "Witnesses").
void ListConsentForms(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  auto forms = service::ConsentForms(c.scope(), req.matches[1]);
  if (!forms.ok()) return ProblemFor(res, forms.status());
  Json arr = Json::array();
  for (const auto& f : *forms) {
    Json j = meta::WitnessFormJson(f);
    j["url"] = ConsentFormUrl(f);
    arr.push_back(j);
  }
  SendJson(res, {{"witness", std::string(req.matches[1])}, {"consent_forms", arr}});
}

void GetConsentForm(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  // The route's pattern: 1 to 12 digits.
  int64_t id = static_cast<int64_t>(ParseDigits(req.matches[2].str(), 12).value_or(0));
  auto f = service::ConsentForm(c.scope(), req.matches[1], id);
  if (!f.ok()) return ProblemFor(res, f.status());
  service::MediaFile file{f->sha256, f->size, f->mime, "other"};
  SendBlob(site, c.archive(), file,
           "consent-form-" + std::to_string(f->id) + "." + Extension(f->mime), false, req, res);
}

// An access request as the API shows it; who decided it only to those who decide.
Json AccessRequestJson(const meta::AccessRequest& r, bool staff) {
  Json j = {{"id", r.id},         {"scope", r.scope}, {"target", r.scope_id},
            {"purpose", r.purpose}, {"state", r.state}, {"asked", r.asked}};
  if (staff) j["requester"] = r.requester;
  if (!r.decided.empty()) j["decided"] = r.decided;
  if (staff && !r.decided_by.empty()) j["decided_by"] = r.decided_by;
  if (!r.terms.empty()) j["terms"] = r.terms;
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (!r.until.empty()) j["until"] = r.until;
  return j;
}

// 401 for an anonymous caller of the access requests (with the scheme to use).
bool RequireCaller(const Call& c, Response& res) {
  if (c.subject.role != access::Role::kAnonymous) return true;
  Problem(res, 401, "unauthorized", "Unauthorized",
          "access requests need a researcher's, volunteer's or archivist's token or account");
  res.set_header("WWW-Authenticate", "Bearer");
  return false;
}

// A researcher's or volunteer's own requests; for archivists and admins, everyone's
// (?state=open|granted|refused|cancelled, ?before=ID for older ones).
void ListAccessRequests(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c) || !RequireCaller(c, res)) return;
  const bool staff = service::MayDecideAccess(c.scope());
  Result<std::vector<meta::AccessRequest>> found = std::vector<meta::AccessRequest>();
  if (staff) {
    std::optional<uint64_t> before = ParseDigits(Param(req, "before"), 12);
    if (!Param(req, "before").empty() && !before) {
      return Problem(res, 400, "bad-request", "Bad Request", "before must be a request's id");
    }
    found = service::AccessQueue(c.scope(), Param(req, "state"),
                                 static_cast<int64_t>(before.value_or(0)));
  } else if (service::MayAskForAccess(c.scope())) {
    found = service::MyAccessRequests(c.scope());
  } else {
    return Problem(res, 403, "forbidden", "Forbidden",
                   "access requests are asked by researchers and volunteers");
  }
  if (!found.ok()) return ProblemFor(res, found.status());
  Json arr = Json::array();
  for (const auto& r : *found) arr.push_back(AccessRequestJson(r, staff));
  SendJson(res, {{"requests", arr}});
}

// A researcher asks: {"scope": "collection"|"record", "id", "purpose"}.
void PostAccessRequest(Site* site, const Request& req, Response& res,
                       const httplib::ContentReader& reader) {
  Call c;
  if (!Begin(site, req, res, &c) || !RequireCaller(c, res)) return;
  auto body = JsonBody(req, reader, site->options.max_json_body);
  if (!body.ok()) return ProblemFor(res, body.status());
  auto made = service::AskForAccess(
      c.scope(), {StringMember(*body, "scope"), StringMember(*body, "id"),
                  StringMember(*body, "purpose")});
  if (!made.ok()) return ProblemFor(res, made.status());
  res.set_header("Location", "/api/v1/access-requests");
  SendJson(res, AccessRequestJson(*made, false), 201);
}

// POST /api/v1/access-requests/ID/(grant|refuse|cancel|end): an archivist grants ({"days",
// "terms"}), refuses ({"reason"}) or ends a grant early; the requester cancels an open one.
void DecideAccessRequest(Site* site, const Request& req, Response& res,
                         const httplib::ContentReader& reader) {
  Call c;
  if (!Begin(site, req, res, &c) || !RequireCaller(c, res)) return;
  const int64_t id = static_cast<int64_t>(ParseDigits(req.matches[1].str(), 12).value_or(0));
  const std::string what = req.matches[2];
  Result<Json> body = JsonBody(req, reader, site->options.max_json_body);
  if (what == "cancel" || what == "end") body = Json::object();  // read (bounded), not needed
  if (!body.ok()) return ProblemFor(res, body.status());
  Result<meta::AccessRequest> done = Status::NotFound("");
  if (what == "grant") {
    const Json& days = (*body)["days"];
    if (!days.is_number_integer()) {
      return Problem(res, 400, "bad-request", "Bad Request",
                     "\"days\" must be the number of days the grant lasts (1 to 366)");
    }
    done = service::GrantAccess(c.scope(), id,
                                static_cast<int>(std::clamp<int64_t>(days.get<int64_t>(), -1, 9999)),
                                StringMember(*body, "terms"));
  } else if (what == "refuse") {
    done = service::RefuseAccess(c.scope(), id, StringMember(*body, "reason"));
  } else if (what == "end") {
    done = service::EndGrant(c.scope(), id);
  } else {
    done = service::CancelAccessRequest(c.scope(), id);
  }
  if (!done.ok()) return ProblemFor(res, done.status());
  SendJson(res, AccessRequestJson(*done, service::MayDecideAccess(c.scope())));
}

}  // namespace

void RegisterAccountRoutes(Site* site, httplib::Server* svr) {
  svr->Get("/api/v1/me", Bind(site, GetMe));
  svr->Get("/api/v1/audit", Bind(site, GetAudit));
  svr->Get(R"(/api/v1/witnesses/([^/]{1,200})/consent-forms)", Bind(site, ListConsentForms));
  svr->Get(R"(/api/v1/witnesses/([^/]{1,200})/consent-forms/([0-9]{1,12}))",
           Bind(site, GetConsentForm));
  svr->Post("/api/v1/me/requests", Bind(site, PostMeRequest));
  svr->Get("/api/v1/access-requests", Bind(site, ListAccessRequests));
  svr->Post("/api/v1/access-requests", Bind(site, PostAccessRequest));
  svr->Post(R"(/api/v1/access-requests/([0-9]{1,12})/(grant|refuse|cancel|end))",
            Bind(site, DecideAccessRequest));
}

}  // namespace attest::http
