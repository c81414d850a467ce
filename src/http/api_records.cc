// Reading records (doc/api.md): collections, witnesses, records, versions, segments,
// transcripts, media and proofs, each as the caller may see it.
#include <map>

#include "archive/manifest.h"
#include "http/api_common.h"
#include "http/paging.h"
#include "http/routes.h"
#include "http/send_blob.h"
#include "ingest/transcripts.h"
#include "service/record_view.h"
#include "service/transcript.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;
using service::kProofWithheld;

namespace {

Json RecordSummary(const meta::Record& r) {
  const meta::Version& first = r.versions.front();
  return {{"id", r.id},
          {"collection", r.collection_id},
          {"witness", r.witness_id},
          {"consent", meta::ConsentName(r.consent)},
          {"lang", first.lang},
          {"created", r.created},
          {"versions", r.versions.size()},
          {"url", "/api/v1/records/" + r.id}};
}

}  // namespace

void RegisterRecordRoutes(Site* site, httplib::Server* svr) {
  // Collections and witnesses: counted over the records the caller may read.
  svr->Get(R"(/api/v1/(collections|witnesses))", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    size_t offset, limit;
    if (!Paging(req, res, &offset, &limit)) return;
    bool by_collection = req.matches[1] == "collections";
    auto recs = service::ReadableRecords(service::ScopeOf(c.a->get(), c.subject));
    if (!recs.ok()) return ProblemFor(res, recs.status());
    std::map<std::string, std::pair<uint64_t, std::map<std::string, uint64_t>>> groups;
    for (const auto& r : *recs) {
      const std::string& key = by_collection ? r.collection_id : r.witness_id;
      if (key.empty()) continue;
      auto& g = groups[key];
      g.first++;
      g.second[r.versions.front().lang]++;
    }
    Json items = Json::array();
    const char* base = by_collection ? "/api/v1/collections/" : "/api/v1/witnesses/";
    for (const auto& [id, g] : groups) {
      items.push_back(
          {{"id", id}, {"records", g.first}, {"languages", g.second}, {"url", base + id}});
    }
    SendJson(res, Page(items, by_collection ? "collections" : "witnesses", offset, limit));
  });

  svr->Get(R"(/api/v1/(collections|witnesses)/([^/]{1,200}))",
           [site](const Request& req, Response& res) {
             Call c;
             if (!Begin(site, req, res, &c)) return;
             size_t offset, limit;
             if (!Paging(req, res, &offset, &limit)) return;
             bool by_collection = req.matches[1] == "collections";
             std::string id = req.matches[2];
             const char* what = by_collection ? "collection" : "witness";
             if (!archive::IsValidId(id)) {
               return Problem(res, 404, "not-found", "Not Found", std::string("no such ") + what);
             }
             auto recs = service::ReadableRecords(service::ScopeOf(c.a->get(), c.subject));
             if (!recs.ok()) return ProblemFor(res, recs.status());
             Json items = Json::array();
             std::map<std::string, uint64_t> langs;
             for (const auto& r : *recs) {
               if ((by_collection ? r.collection_id : r.witness_id) != id) continue;
               items.push_back(RecordSummary(r));
               langs[r.versions.front().lang]++;
             }
             // A witness or collection of which the caller may read nothing is not there for them.
             if (items.empty())
               return Problem(res, 404, "not-found", "Not Found", std::string("no such ") + what);
             Json out = Page(items, "records", offset, limit);
             out["id"] = id;
             out["languages"] = langs;
             SendJson(res, out);
           });

  svr->Get("/api/v1/records", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    size_t offset, limit;
    if (!Paging(req, res, &offset, &limit)) return;
    std::string collection = Param(req, "collection"), witness = Param(req, "witness");
    auto recs = service::ReadableRecords(service::ScopeOf(c.a->get(), c.subject));
    if (!recs.ok()) return ProblemFor(res, recs.status());
    Json items = Json::array();
    for (const auto& r : *recs) {
      if (!collection.empty() && r.collection_id != collection) continue;
      if (!witness.empty() && r.witness_id != witness) continue;
      items.push_back(RecordSummary(r));
    }
    SendJson(res, Page(items, "records", offset, limit));
  });

  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64}))", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    auto view = service::ViewRecord(service::ScopeOf(c.a->get(), c.subject), req.matches[1]);
    if (!view.ok()) return ProblemFor(res, view.status());
    SendJson(res, view->json);
  });

  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64})/versions/([0-9]{1,6}))",
           [site](const Request& req, Response& res) {
             Call c;
             if (!Begin(site, req, res, &c)) return;
             auto view = service::ViewRecord(service::ScopeOf(c.a->get(), c.subject), req.matches[1]);
             if (!view.ok()) return ProblemFor(res, view.status());
             int n = std::stoi(req.matches[2]);
             for (const auto& v : view->json["versions"]) {
               if (v["version"] != n) continue;
               Json out = v;
               // The manifest names every file by its hash: only for those who may read the
               // version whole (doc/privacy.md).
               for (const auto& mv : view->record.versions) {
                 if (mv.version == n && view->whole) {
                   out["manifest"] = Json::parse(mv.manifest, nullptr, false);
                 }
               }
               return SendJson(res, out);
             }
             Problem(res, 404, "not-found", "Not Found", "no such version");
           });

  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64})/segments)",
           [site](const Request& req, Response& res) {
             Call c;
             if (!Begin(site, req, res, &c)) return;
             auto view = service::ViewRecord(service::ScopeOf(c.a->get(), c.subject), req.matches[1]);
             if (!view.ok()) return ProblemFor(res, view.status());
             SendJson(res, {{"record", view->record.id},
                            {"version", view->text_version},
                            {"artifact", view->artifact},
                            {"segments", view->json["segments"]}});
           });

  svr->Get(R"(/api/v1/segments/(s[0-9a-f]{32}))", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    auto seg = service::ViewSegment(service::ScopeOf(c.a->get(), c.subject), req.matches[1]);
    if (!seg.ok()) return ProblemFor(res, seg.status());
    SendJson(res, *seg);
  });

  svr->Get(
      R"(/api/v1/records/([a-z0-9]{1,64})/transcript)", [site](const Request& req, Response& res) {
        Call c;
        if (!Begin(site, req, res, &c)) return;
        std::string format = Param(req, "format");
        if (format.empty()) format = "json";
        if (format != "json" && format != "vtt" && format != "srt" && format != "txt") {
          return Problem(res, 400, "bad-request", "Bad Request",
                         "format must be json, vtt, srt or txt, not '" + format + "'");
        }
        std::optional<int> version;
        if (!VersionParam(req, res, &version)) return;
        auto doc = service::ReadTranscript(service::ScopeOf(c.a->get(), c.subject),
                                           req.matches[1], version);
        if (!doc.ok()) return ProblemFor(res, doc.status());
        auto text = ingest::FormatTranscript(*doc, format);
        if (!text.ok()) return ProblemFor(res, text.status());
        const char* mime = format == "json"  ? "application/json"
                           : format == "vtt" ? "text/vtt; charset=utf-8"
                           : format == "srt" ? "application/x-subrip; charset=utf-8"
                                             : "text/plain; charset=utf-8";
        res.set_content(*text, mime);
      });

  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64})/media/(original|access|poster|page-[0-9]{1,5}))",
           [site](const Request& req, Response& res) {
             Call c;
             if (!Begin(site, req, res, &c)) return;
             auto view = service::ViewRecord(service::ScopeOf(c.a->get(), c.subject), req.matches[1], "media");
             if (!view.ok()) return ProblemFor(res, view.status());
             std::string which = req.matches[2];
             auto it = view->media.find(which);
             if (it == view->media.end()) {
               return Problem(res, 404, "not-found", "Not Found",
                              "this record has no " + which + " file you may fetch");
             }
             std::string name = view->record.id + "-" + which + "." + Extension(it->second.mime);
             SendBlob(site, c.a->get(), it->second, name,
                      view->record.consent == meta::Consent::kPublic, req, res);
           });

  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64})/proof)", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    std::optional<int> version;
    if (!VersionParam(req, res, &version)) return;
    auto view = service::ViewRecord(service::ScopeOf(c.a->get(), c.subject), req.matches[1], "proof");
    if (!view.ok()) return ProblemFor(res, view.status());
    if (!view->whole) {
      // A proof holds the manifest, and so every file's hash: a commitment and the statement
      // that the proof exists, for those who may not read the version whole.
      int n = version.value_or(view->record.versions.back().version);
      for (const auto& v : view->json["versions"]) {
        if (v["version"] != n) continue;
        return SendJson(res, {{"record", view->record.id},
                              {"version", n},
                              {"leaf_index", v["leaf_index"]},
                              {"commitment", v["commitment"]},
                              {"proof", kProofWithheld}});
      }
      return Problem(res, 404, "not-found", "Not Found", "no such version");
    }
    auto proof = (*c.a)->verifier().Prove(view->record.id, version);
    if (!proof.ok()) {
      if (proof.status().IsNotFound())
        return Problem(res, 404, "not-found", "Not Found", "no such version");
      return ProblemFor(res, proof.status());
    }
    res.set_header("Content-Disposition", "attachment; filename=\"" + view->record.id + "-v" +
                                              std::to_string(proof->version) + ".proof.json\"");
    res.set_content(proof->ToJson().dump(2), "application/json");
  });
}

}  // namespace attest::http
