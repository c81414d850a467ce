// Reading records (doc/api.md): collections, witnesses, records, versions, segments,
// transcripts, media and proofs, each as the caller may see it.
#include <map>

#include "http/api_common.h"
#include "http/numbers.h"
#include "http/paging.h"
#include "http/routes.h"
#include "http/send_blob.h"
#include "ingest/transcripts.h"
#include "service/listing.h"
#include "service/record_files.h"
#include "service/record_view.h"
#include "service/transcript.h"
#include "service/versions.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

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

// Collections and witnesses: counted over the records the caller may read.
void ListGroups(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  size_t offset, limit;
  if (!Paging(req, res, &offset, &limit)) return;
  bool by_collection = req.matches[1] == "collections";
  auto groups = service::CountGroups(
      c.scope(), by_collection ? service::GroupBy::kCollection : service::GroupBy::kWitness);
  if (!groups.ok()) return ProblemFor(res, groups.status());
  Json items = Json::array();
  const char* base = by_collection ? "/api/v1/collections/" : "/api/v1/witnesses/";
  for (const service::RecordGroup& g : *groups) {
    items.push_back(
        {{"id", g.id}, {"records", g.records}, {"languages", g.langs}, {"url", base + g.id}});
  }
  SendJson(res, Page(items, by_collection ? "collections" : "witnesses", offset, limit));
}

// One collection or witness: its records the caller may read. One of which the caller may read
// nothing is not there for them.
void GetGroup(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  size_t offset, limit;
  if (!Paging(req, res, &offset, &limit)) return;
  bool by_collection = req.matches[1] == "collections";
  auto group = service::RecordsOf(
      c.scope(), by_collection ? service::GroupBy::kCollection : service::GroupBy::kWitness,
      req.matches[2]);
  if (!group.ok()) return ProblemFor(res, group.status());
  Json items = Json::array();
  for (const auto& r : group->records) items.push_back(RecordSummary(r));
  Status audited = service::AuditListed(c.scope(), "records", group->records, offset, limit);
  if (!audited.ok()) return ProblemFor(res, audited);
  Json out = Page(items, "records", offset, limit);
  out["id"] = group->group.id;
  out["languages"] = group->group.langs;
  SendJson(res, out);
}

void ListRecords(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  size_t offset, limit;
  if (!Paging(req, res, &offset, &limit)) return;
  std::string collection = Param(req, "collection"), witness = Param(req, "witness");
  auto recs = service::ReadableRecords(c.scope());
  if (!recs.ok()) return ProblemFor(res, recs.status());
  Json items = Json::array();
  std::vector<meta::Record> listed;
  for (auto& r : *recs) {
    if (!collection.empty() && r.collection_id != collection) continue;
    if (!witness.empty() && r.witness_id != witness) continue;
    items.push_back(RecordSummary(r));
    listed.push_back(std::move(r));
  }
  Status audited = service::AuditListed(c.scope(), "records", listed, offset, limit);
  if (!audited.ok()) return ProblemFor(res, audited);
  SendJson(res, Page(items, "records", offset, limit));
}

void GetRecord(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  auto view = service::ViewRecord(c.scope(), req.matches[1]);
  if (!view.ok()) return ProblemFor(res, view.status());
  SendJson(res, view->json);
}

void GetVersion(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  int n = static_cast<int>(ParseDigits(req.matches[2].str(), 6).value_or(0));
  auto version = service::ViewVersion(c.scope(), req.matches[1], n);
  if (!version.ok()) return ProblemFor(res, version.status());
  SendJson(res, *version);
}

void GetRecordSegments(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  auto view = service::ViewRecord(c.scope(), req.matches[1]);
  if (!view.ok()) return ProblemFor(res, view.status());
  SendJson(res, {{"record", view->record.id},
                 {"version", view->text_version},
                 {"artifact", view->artifact},
                 {"segments", view->json["segments"]}});
}

void GetSegment(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  auto seg = service::ViewSegment(c.scope(), req.matches[1]);
  if (!seg.ok()) return ProblemFor(res, seg.status());
  SendJson(res, *seg);
}

// A transcript as the caller may read it, as JSON, WebVTT, SRT or text.
void GetTranscript(Site* site, const Request& req, Response& res) {
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
  auto doc = service::ReadTranscript(c.scope(), req.matches[1], version);
  if (!doc.ok()) return ProblemFor(res, doc.status());
  auto text = ingest::FormatTranscript(*doc, format);
  if (!text.ok()) return ProblemFor(res, text.status());
  const char* mime = format == "json"  ? "application/json"
                     : format == "vtt" ? "text/vtt; charset=utf-8"
                     : format == "srt" ? "application/x-subrip; charset=utf-8"
                                       : "text/plain; charset=utf-8";
  res.set_content(*text, mime);
}

// The words of two text versions compared (doc/api.md "Versions and their differences").
void GetDiff(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  std::optional<uint64_t> from = ParseDigits(Param(req, "from"), 6);
  std::optional<uint64_t> to = ParseDigits(Param(req, "to"), 6);
  if (!from || !to || *from < 1 || *to < 1) {
    return Problem(res, 400, "bad-request", "Bad Request",
                   "from and to must be the numbers of two versions of the record");
  }
  auto d = service::DiffVersions(c.scope(), req.matches[1], static_cast<int>(*from),
                                 static_cast<int>(*to));
  if (!d.ok()) return ProblemFor(res, d.status());
  Json parts = Json::array();
  for (const DiffPart& p : d->parts) {
    parts.push_back({{"op", p.op == DiffPart::kSame      ? "same"
                            : p.op == DiffPart::kRemoved ? "removed"
                                                         : "added"},
                     {"text", p.text}});
  }
  SendJson(res, {{"record", d->record},
                 {"from", {{"version", d->from}, {"artifact", d->from_artifact}}},
                 {"to", {{"version", d->to}, {"artifact", d->to_artifact}}},
                 {"removed", d->removed},
                 {"added", d->added},
                 {"parts", parts}});
}

void GetMedia(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  std::string which = req.matches[2];
  auto view = service::ViewMedia(c.scope(), req.matches[1], which);
  if (!view.ok()) return ProblemFor(res, view.status());
  const service::MediaFile& file = view->media.at(which);
  std::string name = view->record.id + "-" + which + "." + Extension(file.mime);
  SendBlob(site, c.archive(), file, name, view->record.consent == meta::Consent::kPublic, req,
           res);
}

void GetProof(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  std::optional<int> version;
  if (!VersionParam(req, res, &version)) return;
  auto answer = service::ViewProof(c.scope(), req.matches[1], version);
  if (!answer.ok()) return ProblemFor(res, answer.status());
  if (!answer->proof) return SendJson(res, answer->statement);
  const archive::Proof& proof = *answer->proof;
  res.set_header("Content-Disposition", "attachment; filename=\"" + proof.record + "-v" +
                                            std::to_string(proof.version) + ".proof.json\"");
  res.set_content(proof.ToJson().dump(2), "application/json");
}

}  // namespace

void RegisterRecordRoutes(Site* site, httplib::Server* svr) {
  svr->Get(R"(/api/v1/(collections|witnesses))", Bind(site, ListGroups));
  svr->Get(R"(/api/v1/(collections|witnesses)/([^/]{1,200}))", Bind(site, GetGroup));
  svr->Get("/api/v1/records", Bind(site, ListRecords));
  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64}))", Bind(site, GetRecord));
  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64})/versions/([0-9]{1,6}))", Bind(site, GetVersion));
  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64})/segments)", Bind(site, GetRecordSegments));
  svr->Get(R"(/api/v1/segments/(s[0-9a-f]{32}))", Bind(site, GetSegment));
  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64})/transcript)", Bind(site, GetTranscript));
  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64})/diff)", Bind(site, GetDiff));
  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64})/media/(original|access|poster|page-[0-9]{1,5}))",
           Bind(site, GetMedia));
  svr->Get(R"(/api/v1/records/([a-z0-9]{1,64})/proof)", Bind(site, GetProof));
}

}  // namespace attest::http
