// A witness's own link (/api/v1/me: their records, who has seen them, their requests), consent
// forms, and the audit log for admins.
#include <string>
#include <vector>

#include "archive/manifest.h"
#include "core/text_safety.h"
#include "http/api_common.h"
#include "http/routes.h"
#include "http/send_blob.h"
#include "service/auditor.h"
#include "service/cite.h"
#include "service/record_view.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;
using service::MediaFile;
using service::NewestOriginal;
using service::ShownMeta;

void RegisterAccountRoutes(Site* site, httplib::Server* svr) {
  // Witnesses, through their own link: their records, each one's consent and its history, who
  // (which token) has seen what of it that is not public, and what they have asked.
  svr->Get("/api/v1/me", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c) || !RequireWitness(c, res)) return;
    archive::Archive* a = c.a->get();
    auto all = a->records().List();
    if (!all.ok()) return ProblemFor(res, all.status());
    Json records = Json::array();
    for (const auto& r : *all) {
      if (r.witness_id != c.subject.witness_id) continue;
      Json j = {{"record", r.id},
                {"consent", meta::ConsentName(r.consent)},
                {"created", r.created},
                {"meta", ShownMeta(NewestOriginal(r))}};
      if (r.withdrawn_at) j["withdrawn_at"] = *r.withdrawn_at;
      auto history = a->consent().ConsentHistory(r.id);
      if (!history.ok()) return ProblemFor(res, history.status());
      j["consent_changes"] = archive::ConsentChangesToJson(
          *history, false, [a](int64_t id) { return a->SegmentRef(id); });
      auto views = a->audit().ViewsOf(r.id);
      if (!views.ok()) return ProblemFor(res, views.status());
      Json seen = Json::array();
      for (const auto& e : *views) {
        Json d = Json::parse(e.detail, nullptr, false);
        seen.push_back(
            {{"at", e.at}, {"by", e.actor}, {"what", d.is_object() ? d["what"] : Json()}});
      }
      j["seen_by"] = seen;
      records.push_back(j);
    }
    auto asked = a->consent().ListWitnessRequests();
    if (!asked.ok()) return ProblemFor(res, asked.status());
    Json requests = Json::array();
    for (const auto& q : *asked) {
      if (q.witness_id != c.subject.witness_id) continue;
      Json j = {{"id", q.id}, {"record", q.record_id}, {"kind", q.kind}, {"created", q.created}};
      if (!q.level.empty()) j["consent"] = q.level;
      requests.push_back(j);
    }
    auto forms = a->consent().ListWitnessForms(c.subject.witness_id);
    if (!forms.ok()) return ProblemFor(res, forms.status());
    Json consent_forms = Json::array();
    for (const auto& f : *forms) {
      consent_forms.push_back({{"id", f.id},
                               {"added", f.added},
                               {"mime", f.mime},
                               {"url", "/api/v1/witnesses/" + f.witness_id + "/consent-forms/" +
                                           std::to_string(f.id)}});
    }
    SendJson(res, {{"witness", c.subject.witness_id},
                   {"records", records},
                   {"requests", requests},
                   {"consent_forms", consent_forms}});
  });

  // The audit log, for admins (doc/api.md, "Who sees what"); reading it is itself audited.
  svr->Get("/api/v1/audit", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    if (!access::Decide(c.subject, access::Action::kRead, access::Resource::AuditLog())) {
      if (c.subject.role == access::Role::kAnonymous) {
        Problem(res, 401, "unauthorized", "Unauthorized", "the audit log is for admins");
        res.set_header("WWW-Authenticate", "Bearer");
      } else {
        Problem(res, 403, "forbidden", "Forbidden", "the audit log is for admins");
      }
      return;
    }
    std::string since = Param(req, "since"), actor = Param(req, "actor");
    auto entries = (*c.a)->audit().List(since, actor);
    if (!entries.ok()) return ProblemFor(res, entries.status());
    Json arr = Json::array();
    for (const auto& e : *entries) arr.push_back(meta::AuditJson(e));
    if (Status st = service::Auditor(service::ScopeOf(c.a->get(), c.subject)).Viewed("", "audit"); !st.ok()) {
      return ProblemFor(res, st);
    }
    SendJson(res, {{"entries", arr}});
  });

  // A witness's consent forms: archivists, admins and the witness's own link; for anyone else
  // they are not there (doc/api.md, "Witnesses").
  auto forms_of = [](Call& c, const std::string& witness,
                     Response& res) -> std::optional<std::vector<meta::WitnessForm>> {
    if (!archive::IsValidId(witness) ||
        !access::Decide(c.subject, access::Action::kRead, access::Resource::ConsentForm(witness))) {
      Problem(res, 404, "not-found", "Not Found", "no such consent form");
      return std::nullopt;
    }
    auto forms = (*c.a)->consent().ListWitnessForms(witness);
    if (!forms.ok()) {
      ProblemFor(res, forms.status());
      return std::nullopt;
    }
    return std::move(*forms);
  };
  svr->Get(R"(/api/v1/witnesses/([^/]{1,200})/consent-forms)", [site, forms_of](const Request& req,
                                                                                Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    auto forms = forms_of(c, req.matches[1], res);
    if (!forms) return;
    Json arr = Json::array();
    for (const auto& f : *forms) {
      Json j = meta::WitnessFormJson(f);
      j["url"] = "/api/v1/witnesses/" + f.witness_id + "/consent-forms/" + std::to_string(f.id);
      arr.push_back(j);
    }
    SendJson(res, {{"witness", std::string(req.matches[1])}, {"consent_forms", arr}});
  });
  svr->Get(R"(/api/v1/witnesses/([^/]{1,200})/consent-forms/([0-9]{1,12}))",
           [site, forms_of](const Request& req, Response& res) {
             Call c;
             if (!Begin(site, req, res, &c)) return;
             auto forms = forms_of(c, req.matches[1], res);
             if (!forms) return;
             int64_t id = std::stoll(req.matches[2]);
             for (const auto& f : *forms) {
               if (f.id != id) continue;
               if (Status st = service::Auditor(service::ScopeOf(c.a->get(), c.subject))
                                     .Viewed(f.witness_id, "consent-form", {{"form", f.id}});
                   !st.ok()) {
                 return ProblemFor(res, st);
               }
               MediaFile file{f.sha256, f.size, f.mime, "other"};
               return SendBlob(site, c.a->get(), file,
                               "consent-form-" + std::to_string(f.id) + "." + Extension(f.mime),
                               false, req, res);
             }
             Problem(res, 404, "not-found", "Not Found", "no such consent form");
           });

  svr->Post("/api/v1/me/requests", [site](const Request& req, Response& res,
                                          const httplib::ContentReader& reader) {
    Call c;
    if (!Begin(site, req, res, &c) || !RequireWitness(c, res)) return;
    auto body = JsonBody(req, reader, site->options.max_json_body);
    if (!body.ok()) return ProblemFor(res, body.status());
    std::string record = StringMember(*body, "record"), kind = StringMember(*body, "kind"),
                level = StringMember(*body, "consent"), message = StringMember(*body, "message");
    auto r = (*c.a)->records().Get(record);
    if (record.empty() || !r.ok() || r->witness_id != c.subject.witness_id) {
      return Problem(res, 404, "not-found", "Not Found",
                     "no record of yours has the id '" + record.substr(0, 64) + "'");
    }
    if (kind != "consent" && kind != "withdraw") {
      return Problem(res, 400, "bad-request", "Bad Request",
                     "\"kind\" must be consent (with \"consent\": public, research or "
                     "restricted) or withdraw");
    }
    if (kind == "consent" && level != "public" && level != "research" && level != "restricted") {
      return Problem(res, 400, "bad-request", "Bad Request",
                     "\"consent\" must be public, research or restricted");
    }
    if (kind == "withdraw") level.clear();
    if (message.size() > 4096 || !IsValidUtf8(message)) {
      return Problem(res, 400, "bad-request", "Bad Request",
                     "\"message\" must be at most 4,096 bytes of UTF-8");
    }
    message = CleanText(message, TextLayout::kLines);  // read on a terminal (attest requests)
    std::string now = FormatRfc3339((*c.a)->env()->NowMicros());
    auto id = (*c.a)->consent().AddWitnessRequest(
        {0, c.subject.witness_id, record, kind, level, message, c.subject.token_id, now});
    if (!id.ok()) return ProblemFor(res, id.status());
    Status audited = service::Auditor(service::ScopeOf(c.a->get(), c.subject))
                         .WitnessRequested(record, kind, level);
    if (!audited.ok()) return ProblemFor(res, audited);
    SendJson(res, {{"id", *id}, {"record", record}, {"kind", kind}}, 201);
  });
}

}  // namespace attest::http
