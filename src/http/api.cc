// The JSON API under /api/v1/ and the log under /log/ (doc/api.md, doc/api/openapi.json).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "archive/manifest.h"
#include "core/hash.h"
#include "core/text_safety.h"
#include "http/assets.h"
#include "http/head.h"
#include "http/site.h"
#include "service/ask.h"
#include "service/auditor.h"
#include "service/cite.h"
#include "service/events.h"
#include "service/record_view.h"
#include "service/transcript.h"
#include "ingest/transcripts.h"
#include "search/query.h"

namespace attest::http {

using service::AskRequest;
using service::Citation;
using service::EventQuery;
using service::EventStart;
using service::kMaxAskLimit;
using service::kNoSuchRecord;
using service::kProofWithheld;
using service::MediaFile;
using service::NewestOriginal;
using service::OcrBoxes;
using service::PageBoxes;
using service::SearchRole;
using service::SegmentLink;
using service::ShownMeta;
using service::WitnessCommunities;
namespace {

// A segment named in a write's body: its ref, or (staff writing) its id. nullopt if neither.
std::optional<int64_t> SegmentOfJson(archive::Archive* a, const Json& v) {
  if (v.is_string()) return a->SegmentOfRef(v.get<std::string>());
  if (v.is_number_integer() && v.get<int64_t>() >= 1) return v.get<int64_t>();
  return std::nullopt;
}

using httplib::Request;
using httplib::Response;

constexpr size_t kMaxPage = 100;

void SendJson(Response& res, const Json& j, int status = 200) {
  res.status = status;
  res.set_content(j.dump(), "application/json");
}

// Opens the archive and identifies the caller; answers with a problem and returns false if
// either fails.
struct Call {
  std::optional<ArchivePool::Lease> a;
  access::Subject subject;
};

bool Begin(Site* site, const Request& req, Response& res, Call* call) {
  auto lease = site->pool.Acquire();
  if (!lease.ok()) {
    ProblemFor(res, Status::Unavailable(lease.status().message()));
    return false;
  }
  auto who = Caller(site, lease->get(), req);
  if (!who.ok()) {
    ProblemFor(res, who.status());
    return false;
  }
  call->a.emplace(std::move(*lease));
  call->subject = *who;
  return true;
}

bool RequireWriter(const Call& call, Response& res) {
  if (access::Decide(call.subject, access::Action::kWrite,
                     access::Resource::Material(meta::Consent::kPublic)))
    return true;
  if (call.subject.role == access::Role::kAnonymous) {
    Problem(res, 401, "unauthorized", "Unauthorized",
            "this needs an archivist's token: Authorization: Bearer TOKEN "
            "(attest token create --role archivist)");
    res.set_header("WWW-Authenticate", "Bearer");
  } else {
    Problem(res, 403, "forbidden", "Forbidden", "this needs an archivist's token");
  }
  return false;
}

// limit and cursor of a list: the cursor is an opaque offset, "o" and a number.
bool Paging(const Request& req, Response& res, size_t* offset, size_t* limit) {
  *offset = 0;
  *limit = 50;
  std::string l = Param(req, "limit");
  if (!l.empty()) {
    if (l.size() > 3 || l.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(l) < 1 || std::stoul(l) > kMaxPage) {
      Problem(res, 400, "bad-request", "Bad Request", "limit must be a number from 1 to 100");
      return false;
    }
    *limit = std::stoul(l);
  }
  std::string c = Param(req, "cursor");
  if (!c.empty()) {
    if (c.size() < 2 || c.size() > 10 || c[0] != 'o' ||
        c.find_first_not_of("0123456789", 1) != std::string::npos) {
      Problem(res, 400, "bad-request", "Bad Request",
              "cursor '" + c + "' is not one this API gave");
      return false;
    }
    *offset = std::stoul(c.substr(1));
  }
  return true;
}

Json Page(const Json& items, const char* name, size_t offset, size_t limit) {
  Json out = Json::object();
  Json page = Json::array();
  for (size_t i = offset; i < items.size() && i < offset + limit; ++i) page.push_back(items[i]);
  out[name] = page;
  out["total"] = items.size();
  if (offset + limit < items.size()) out["next_cursor"] = "o" + std::to_string(offset + limit);
  return out;
}

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

// Streams a blob with Range support, validated by its SHA-256.
void SendBlob(Site* site, archive::Archive* a, const MediaFile& f, const std::string& name,
              bool public_material, const Request& req, Response& res) {
  std::string etag = "\"" + f.sha256 + "\"";
  res.set_header("Cache-Control", public_material ? "no-cache" : "private, no-store");
  if (IfNoneMatch(req, etag)) {
    res.status = 304;
    res.set_header("ETag", etag);
    return;
  }
  // Ranges: one range is served (206); several that overlap or adjoin are one; others are
  // answered with the whole file, as RFC 9110 allows; a range wholly past the end is 416.
  // (httplib's own ranges are cleared before any handler: server.cc.)
  uint64_t offset = 0, length = f.size;
  std::optional<ByteRange> range;
  if (req.has_header("Range")) range = ParseRange(req.get_header_value("Range"));
  if (range) {
    if (!ResolveRange(*range, f.size, &offset, &length)) {
      res.set_header("Content-Range", "bytes */" + std::to_string(f.size));
      return Problem(res, 416, "range", "Range Not Satisfiable",
                     "the file has " + std::to_string(f.size) + " bytes");
    }
    res.status = 206;
    res.set_header("Content-Range", "bytes " + std::to_string(offset) + "-" +
                                        std::to_string(offset + length - 1) + "/" +
                                        std::to_string(f.size));
  }
  // An encrypted file is decrypted as it is sent (doc/format/blob_store.md).
  auto opened = a->records().OpenBlobReader(f.sha256);
  if (!opened.ok()) return ProblemFor(res, opened.status());
  std::shared_ptr<blob::BlobReader> reader = std::move(*opened);
  res.set_header("ETag", etag);
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("Content-Disposition", "inline; filename=\"" + name + "\"");
  res.set_content_provider(length, f.mime,
                           [reader, offset](size_t at, size_t most, httplib::DataSink& sink) {
                             char buf[64 * 1024];
                             auto n = reader->ReadAt(offset + at, std::min(most, sizeof(buf)), buf);
                             if (!n.ok() || *n == 0) return false;
                             return sink.write(buf, *n);
                           });
}

std::string Extension(const std::string& mime) {
  static const std::map<std::string, std::string> kExt = {
      {"application/pdf", "pdf"}, {"image/png", "png"},   {"image/jpeg", "jpg"},
      {"image/tiff", "tif"},      {"audio/mpeg", "mp3"},  {"audio/ogg", "ogg"},
      {"audio/flac", "flac"},     {"audio/wav", "wav"},   {"audio/mp4", "m4a"},
      {"video/mp4", "mp4"},       {"video/webm", "webm"}, {"video/quicktime", "mov"},
      {"video/x-matroska", "mkv"}};
  auto it = kExt.find(mime);
  if (it != kExt.end()) return it->second;
  if (mime.rfind("text/plain", 0) == 0) return "txt";
  return "bin";
}

// Parses "?version=N" (absent: nullopt).
bool VersionParam(const Request& req, Response& res, std::optional<int>* version) {
  std::string v = Param(req, "version");
  if (v.empty()) return true;
  if (v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos || std::stoi(v) < 1) {
    Problem(res, 400, "bad-request", "Bad Request", "version must be a positive number");
    return false;
  }
  *version = std::stoi(v);
  return true;
}

// Reads a JSON request body of at most `max` bytes.
Result<Json> JsonBody(const Request& req, const httplib::ContentReader& reader, size_t max) {
  // A declared length over the limit is refused. Up to 8 times the limit, the body is read and
  // dropped first, so that the client, still sending, can read the answer; beyond that the
  // answer comes at once and the connection ends.
  std::string declared = req.get_header_value("Content-Length");
  if (!declared.empty() && (declared.size() > 19 || std::stoull(declared) > max)) {
    if (declared.size() <= 19 && std::stoull(declared) <= 8 * max) {
      reader([](const char*, size_t) { return true; });
    }
    return Status::InvalidArgument("the JSON body is larger than " + std::to_string(max) +
                                   " bytes");
  }
  std::string body;
  bool too_big = false;
  bool whole = reader([&](const char* data, size_t n) {
    if (body.size() + n > max) {
      too_big = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  if (too_big)
    return Status::InvalidArgument("the JSON body is larger than " + std::to_string(max) +
                                   " bytes");
  if (!whole) return Status::InvalidArgument("the JSON body did not arrive whole");
  if (!IsCleanUtf8(body)) return Status::InvalidArgument("the body is not valid UTF-8 text");
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("the body is not a JSON object");
  }
  return j;
}

// The start of an archivist's JSON write: the archive, a writer's token and the body.
bool BeginJsonWrite(Site* site, const Request& req, Response& res,
                    const httplib::ContentReader& reader, Call* call, Json* body) {
  if (!Begin(site, req, res, call) || !RequireWriter(*call, res)) return false;
  auto parsed = JsonBody(req, reader, site->options.max_json_body);
  if (!parsed.ok()) {
    ProblemFor(res, parsed.status());
    return false;
  }
  *body = std::move(*parsed);
  return true;
}

std::string CheckpointNote(archive::Archive* a) {
  auto cp = a->verifier().Checkpoint();
  return cp.ok() ? cp->note : std::string();
}

}  // namespace

// A witness's own link is required: false (with a 401) otherwise.
bool RequireWitness(const Call& c, Response& res) {
  if (!c.subject.witness_id.empty()) return true;
  Problem(res, 401, "unauthorized", "Unauthorized",
          "this needs a witness's own link (attest link create WITNESS) as the bearer token");
  res.set_header("WWW-Authenticate", "Bearer");
  return false;
}

void RegisterApi(Site* site, httplib::Server* svr) {
  // The log: C2SP tlog-tiles paths, straight from the log directory (the gate's fast path
  // answers most of these first, alike).
  svr->Get(R"(/log/(checkpoint|tile/[0-9a-z./]{1,200}))",
           [site](const Request& req, Response& res) {
             std::string rel = req.matches[1];
             if (!IsLogPath(rel)) {
               return Problem(res, 404, "not-found", "Not Found", "no such log file");
             }
             auto data = site->env->ReadFile(JoinPath(JoinPath(site->dir, "log"), rel));
             if (!data.ok()) return Problem(res, 404, "not-found", "Not Found", "no such log file");
             LogAnswer answer = LogAnswerFor(rel);
             res.set_header("Cache-Control", answer.cache_control);
             if (answer.any_origin) res.set_header("Access-Control-Allow-Origin", "*");
             res.set_content(*data, answer.content_type);
           });

  svr->Get("/api/v1/openapi.json", [](const Request&, Response& res) {
    for (const Asset& asset : Assets()) {
      if (asset.path == "api/openapi.json") {
        res.set_content(std::string(asset.bytes), "application/json");
        return;
      }
    }
    Problem(res, 404, "not-found", "Not Found", "the API description is not built in");
  });

  svr->Get("/api/v1/", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    auto cp = (*c.a)->verifier().Checkpoint();
    SendJson(res, {{"name", "attest"},
                   {"version", ATTEST_VERSION},
                   {"origin", site->origin},
                   {"role", access::RoleName(c.subject.role)},
                   {"verifier_key", (*c.a)->verifier().VerifierKey()},
                   {"log_size", cp.ok() ? cp->checkpoint.size : 0},
                   {"openapi", "/api/v1/openapi.json"}});
  });

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

  svr->Get("/api/v1/search", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    search::SearchRequest sr;
    sr.query = Param(req, "q");
    if (sr.query.empty())
      return Problem(res, 400, "bad-request", "Bad Request",
                     "q is empty: give words to search for");
    sr.role = SearchRole(c.subject);
    sr.cursor = Param(req, "cursor");
    size_t offset, limit;
    std::string lim = Param(req, "limit");
    {
      httplib::Request copy;  // Paging reads limit only; the search has its own cursors
      copy.params.emplace("limit", lim.empty() ? "10" : lim);
      if (!Paging(copy, res, &offset, &limit)) return;
    }
    sr.limit = limit;
    auto r = (*c.a)->finder().Search(sr);
    if (!r.ok()) return ProblemFor(res, r.status());
    if (Status st = service::Auditor(service::ScopeOf(c.a->get(), c.subject)).Searched(*r, "search"); !st.ok()) {
      return ProblemFor(res, st);
    }
    archive::Archive* ar = c.a->get();
    Json out = archive::SearchResultsToJson(*r, [ar](int64_t id) { return ar->SegmentRef(id); });
    out["query"] = sr.query;
    SendJson(res, out);
  });

  // Ask (doc/ask.md): many witnesses' own words, side by side, cited.
  svr->Get("/api/v1/ask", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    AskRequest ar;
    ar.question = Param(req, "q");
    if (ar.question.empty())
      return Problem(res, 400, "bad-request", "Bad Request", "q is empty: ask a question");
    ar.lang = Param(req, "lang");
    ar.filter_lang = Param(req, "filter_lang");
    ar.place = Param(req, "place");
    ar.date = Param(req, "date");
    ar.collection = Param(req, "collection");
    std::string differ = Param(req, "differ");
    ar.differ = differ == "1" || differ == "true";
    std::string summary = Param(req, "summary");
    ar.summary = summary == "1" || summary == "true";
    if (std::string lim = Param(req, "limit"); !lim.empty()) {
      auto [p, ec] = std::from_chars(lim.data(), lim.data() + lim.size(), ar.limit);
      if (ec != std::errc() || p != lim.data() + lim.size()) {
        return Problem(res, 400, "bad-request", "Bad Request",
                       "limit must be a number of witnesses, 1 to 50");
      }
    }
    auto answer = service::Ask(service::ScopeOf(c.a->get(), c.subject), ar);
    if (!answer.ok()) return ProblemFor(res, answer.status());
    SendJson(res, *answer);
  });

  svr->Get("/api/v1/suggest", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    std::string q = Param(req, "q");
    if (q.empty() || q.size() > 100) {
      return Problem(res, 400, "bad-request", "Bad Request",
                     "q must be 1 to 100 bytes of a word's beginning");
    }
    auto s = (*c.a)->finder().Suggest(q, SearchRole(c.subject), 10);
    if (!s.ok()) return ProblemFor(res, s.status());
    Json items = Json::array();
    for (const auto& x : *s) items.push_back({{"word", x.word}, {"segments", x.segments}});
    SendJson(res, {{"suggestions", items}});
  });

  // Events: what witnesses said of a place and a time, grouped by witness.
  svr->Get("/api/v1/events", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    std::string place = Param(req, "place"), date = Param(req, "date"), words = Param(req, "q");
    auto query = EventQuery(place, date, words);
    if (!query.ok()) return ProblemFor(res, query.status());
    search::SearchRequest sr;
    sr.query = *query;
    sr.role = SearchRole(c.subject);
    sr.limit = 50;
    sr.per_record = 5;
    sr.cursor = Param(req, "cursor");
    auto r = (*c.a)->finder().Search(sr);
    if (!r.ok()) return ProblemFor(res, r.status());
    if (Status st = service::Auditor(service::ScopeOf(c.a->get(), c.subject)).Searched(*r, "events"); !st.ok()) {
      return ProblemFor(res, st);
    }
    archive::Archive* ar = c.a->get();
    Json found =
        archive::SearchResultsToJson(*r, [ar](int64_t id) { return ar->SegmentRef(id); });
    std::map<std::string, Json> by_witness;
    auto communities = WitnessCommunities(c.a->get(), *r);
    if (!communities.ok()) return ProblemFor(res, communities.status());
    for (const auto& rec : found["records"]) {
      std::string w = rec["witness"];
      if (!by_witness.count(w)) {
        by_witness[w] = {
            {"witness", w}, {"community", (*communities)[w]}, {"records", Json::array()}};
      }
      by_witness[w]["records"].push_back(rec);
    }
    Json groups = Json::array();
    for (auto& [w, g] : by_witness) groups.push_back(g);
    Json out = {{"place", place},
                {"date", date},
                {"query", sr.query},
                {"witnesses", groups},
                {"facets", found["facets"]},
                {"total_estimate", found["total_estimate"]}};
    if (found.contains("next_cursor")) out["next_cursor"] = found["next_cursor"];
    SendJson(res, out);
  });

  // Is this file (or this SHA-256) in the archive?
  svr->Post("/api/v1/verify", [site](const Request& req, Response& res,
                                     const httplib::ContentReader& reader) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    std::string sha;
    Sha256Stream stream;
    uint64_t bytes = 0;
    bool hashed = false;
    std::string type = req.get_header_value("Content-Type");
    if (type.rfind("application/json", 0) == 0) {
      auto body = JsonBody(req, reader, site->options.max_json_body);
      if (!body.ok()) return ProblemFor(res, body.status());
      if (!body->contains("sha256") || !(*body)["sha256"].is_string()) {
        return Problem(res, 400, "bad-request", "Bad Request", "the body has no \"sha256\" string");
      }
      sha = (*body)["sha256"];
      std::transform(sha.begin(), sha.end(), sha.begin(), ::tolower);
    } else if (req.is_multipart_form_data()) {
      VerifyForm form = ReadVerifyForm(reader);
      if (!form.whole) {
        return Problem(res, 400, "bad-request", "Bad Request",
                       "the form did not arrive whole (cut off, or slower than the server "
                       "accepts)");
      }
      bytes = form.bytes;
      sha = form.bytes > 0 ? form.file_sha : form.sha_field;
      if (sha.empty()) {
        return Problem(res, 400, "bad-request", "Bad Request",
                       "the form has neither a file nor a sha256");
      }
    } else {
      bool whole = reader([&](const char* data, size_t n) {
        stream.Update(data, n);
        bytes += n;
        return true;
      });
      if (!whole) {
        return Problem(res, 400, "bad-request", "Bad Request",
                       "the file did not arrive whole (cut off, or slower than the server "
                       "accepts)");
      }
      hashed = true;
    }
    if (hashed) {
      sha = ToHex(stream.Finish());
    } else if (bytes > 0) {
      hashed = true;  // a form's file, hashed as it arrived
    }
    if (!IsSha256Hex(sha)) {
      return Problem(res, 400, "bad-request", "Bad Request",
                     "sha256 must be 64 hexadecimal characters");
    }
    auto out = service::VerifyBlob(service::ScopeOf(c.a->get(), c.subject), sha);
    if (!out.ok()) return ProblemFor(res, out.status());
    if (hashed) (*out)["bytes"] = bytes;
    SendJson(res, *out);
  });

  // Archivists: add records (multipart: file..., witness, collection, lang, consent, meta,
  // place..., date).
  svr->Post("/api/v1/records", [site](const Request& req, Response& res,
                                      const httplib::ContentReader& reader) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    if (!RequireWriter(c, res)) return;
    if (!req.is_multipart_form_data()) {
      return Problem(res, 415, "unsupported-media-type", "Unsupported Media Type",
                     "send the files as multipart/form-data, each in a field named 'file'");
    }
    std::string staging = JoinPath((*c.a)->dir(), "blobs/tmp");
    std::vector<std::string> paths;
    std::map<std::string, std::string> fields;
    std::vector<std::string> places;
    std::string field;
    int fd = -1;
    bool bad = false;
    std::string bad_why;
    auto close_fd = [&] {
      if (fd >= 0) ::close(fd);
      fd = -1;
    };
    bool whole = reader(
        [&](const httplib::MultipartFormData& part) {
          close_fd();
          field = part.name;
          if (field == "file") {
            uint8_t raw[16];
            site->env->RandomBytes(raw, sizeof(raw));
            std::string name = part.filename;
            // The file name is kept privately; only its last part, without path.
            size_t slash = name.find_last_of("/\\");
            if (slash != std::string::npos) name = name.substr(slash + 1);
            if (name.empty() || !IsCleanUtf8(name) || name.size() > 200) name = "upload";
            std::string dir = JoinPath(
                staging, "api-" + ToHex(std::string_view(reinterpret_cast<char*>(raw), 16)));
            if (!site->env->CreateDirs(dir).ok()) {
              bad = true;
              bad_why = "cannot stage the upload";
              return false;
            }
            std::string path = JoinPath(dir, name);
            fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd < 0) {
              bad = true;
              bad_why = "cannot stage the upload";
              return false;
            }
            paths.push_back(path);
          } else if (field == "place") {
            places.emplace_back();
          }
          return true;
        },
        [&](const char* data, size_t n) {
          if (field == "file") {
            return fd >= 0 && ::write(fd, data, n) == static_cast<ssize_t>(n);
          }
          std::string& dst = field == "place" ? places.back() : fields[field];
          if (dst.size() + n > 64 * 1024) {
            bad = true;
            bad_why = "the field '" + field + "' is longer than 64 KiB";
            return false;
          }
          dst.append(data, n);
          return true;
        });
    close_fd();
    // A body cut short (too slow, past its deadline, or the client gone) adds nothing.
    if (!whole && !bad) {
      bad = true;
      bad_why = "the upload did not arrive whole (cut off, or slower than the server accepts)";
    }
    auto cleanup = [&] {
      for (const auto& p : paths) {
        (void)site->env->RemoveFile(p);
        (void)site->env->RemoveDir(p.substr(0, p.rfind('/')));
      }
    };
    if (bad) {
      cleanup();
      return Problem(res, 400, "bad-request", "Bad Request", bad_why);
    }
    if (paths.empty()) {
      return Problem(res, 400, "bad-request", "Bad Request", "no field named 'file' holds a file");
    }
    archive::AddOptions opts;
    opts.witness = fields["witness"];
    opts.collection = fields["collection"];
    if (!fields["lang"].empty()) opts.lang = fields["lang"];
    opts.places = places;
    opts.date = fields["date"];
    Status st;
    if (!fields["consent"].empty()) {
      auto consent = meta::ParseConsent(fields["consent"]);
      if (!consent.ok())
        st = consent.status();
      else
        opts.consent = *consent;
    }
    if (st.ok() && !fields["meta"].empty()) {
      Json m = Json::parse(fields["meta"], nullptr, false);
      if (m.is_discarded() || !m.is_object())
        st = Status::InvalidArgument("meta is not a JSON object");
      else
        opts.meta = m;
    }
    if (!st.ok()) {
      cleanup();
      return ProblemFor(res, st);
    }
    auto added = (*c.a)->records().Add(paths, opts);
    cleanup();
    if (!added.ok()) return ProblemFor(res, added.status());
    Json items = Json::array();
    for (const auto& a : *added) {
      items.push_back({{"id", a.id},
                       {"version", a.version},
                       {"sha256", a.sha256},
                       {"size", a.size},
                       {"leaf_index", a.leaf_index},
                       {"url", "/api/v1/records/" + a.id}});
    }
    res.set_header("Location", "/api/v1/records/" + (*added)[0].id);
    SendJson(res, {{"records", items}, {"checkpoint", CheckpointNote(c.a->get())}}, 201);
  });

  // An archivist replaces a record's free metadata: a new version with the same files.
  svr->Patch(R"(/api/v1/records/([a-z0-9]{1,64}))",
             [site](const Request& req, Response& res, const httplib::ContentReader& reader) {
               Call c;
               Json body;
               if (!BeginJsonWrite(site, req, res, reader, &c, &body)) return;
               if (!body.contains("meta") || !body["meta"].is_object()) {
                 return Problem(res, 400, "bad-request", "Bad Request",
                                "the body has no \"meta\" object (the record's metadata, whole)");
               }
               auto v = (*c.a)->records().EditMetadata(req.matches[1], body["meta"]);
               if (!v.ok()) return ProblemFor(res, v.status());
               SendJson(res, {{"record", v->record_id},
                              {"version", v->version},
                              {"leaf_index", v->leaf_index},
                              {"url", "/api/v1/records/" + v->record_id + "/versions/" +
                                          std::to_string(v->version)}});
             });

  // An archivist changes a record's consent level; logged (doc/format/leaf.md, consent).
  svr->Put(
      R"(/api/v1/records/([a-z0-9]{1,64})/consent)",
      [site](const Request& req, Response& res, const httplib::ContentReader& reader) {
        Call c;
        Json body;
        if (!BeginJsonWrite(site, req, res, reader, &c, &body)) return;
        std::string level = StringMember(body, "consent"), reason = StringMember(body, "reason");
        auto to = meta::ParseConsent(level);
        if (level.empty() || !to.ok()) {
          return Problem(res, 400, "bad-request", "Bad Request",
                         "the body's \"consent\" must be public, research, restricted or sealed");
        }
        // A seal: the day it opens and the level it opens to.
        std::optional<archive::Consents::Seal> seal;
        if (*to == meta::Consent::kSealed || body.contains("until") || body.contains("then")) {
          auto then = meta::ParseConsent(StringMember(body, "then"));
          if (!then.ok()) {
            return Problem(res, 400, "bad-request", "Bad Request",
                           "a seal needs \"until\" (YYYY-MM-DD) and \"then\" (public, research "
                           "or restricted)");
          }
          seal = archive::Consents::Seal{StringMember(body, "until"), *then};
        }
        if (reason.empty()) {
          return Problem(res, 400, "bad-request", "Bad Request",
                         "the body has no \"reason\": say why the consent changes (it stays in the "
                         "archive, never in the log)");
        }
        int64_t segment = 0;
        if (body.contains("segment")) {
          auto id = SegmentOfJson(c.a->get(), body["segment"]);
          if (!id) {
            return Problem(res, 400, "bad-request", "Bad Request",
                           "\"segment\" must name a segment: its ref (\"s\" and 32 hex digits, "
                           "as a record's JSON gives it) or its id, a positive integer");
          }
          segment = *id;
        }
        auto changed = (*c.a)->consent().ChangeConsent(
            req.matches[1], *to, reason, c.subject.Actor(), seal ? &*seal : nullptr, segment);
        if (!changed.ok()) return ProblemFor(res, changed.status());
        Json out = {{"record", std::string(req.matches[1])},
                    {"consent", level},
                    {"changed", changed->has_value()}};
        if (segment > 0) out["segment"] = (*c.a)->SegmentRef(segment);
        if (*changed) {
          out["from"] = meta::ConsentName((*changed)->from);
          out["leaf_index"] = (*changed)->leaf_index;
        }
        SendJson(res, out);
      });

  // Redaction (doc/api.md): an archivist hides a span of one segment.
  svr->Post(R"(/api/v1/records/([a-z0-9]{1,64})/redactions)",
            [site](const Request& req, Response& res, const httplib::ContentReader& reader) {
              Call c;
              Json body;
              if (!BeginJsonWrite(site, req, res, reader, &c, &body)) return;
              auto pair_of = [&](const char* name,
                                 std::optional<std::pair<int64_t, int64_t>>* out) {
                if (!body.contains(name)) return true;
                const Json& v = body[name];
                if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() ||
                    !v[1].is_number_integer()) {
                  Problem(res, 400, "bad-request", "Bad Request",
                          std::string("\"") + name + "\" must be two integers [from, to]");
                  return false;
                }
                *out = std::make_pair(v[0].get<int64_t>(), v[1].get<int64_t>());
                return true;
              };
              auto segment =
                  body.contains("segment") ? SegmentOfJson(c.a->get(), body["segment"]) : std::nullopt;
              if (!segment) {
                return Problem(res, 400, "bad-request", "Bad Request",
                               "\"segment\" must name a segment: its ref (\"s\" and 32 hex digits, "
                               "as a record's JSON gives it) or its id, a positive integer");
              }
              std::optional<std::pair<int64_t, int64_t>> chars, ms;
              if (!pair_of("chars", &chars) || !pair_of("ms", &ms)) return;
              auto r = (*c.a)->consent().Redact(req.matches[1], *segment, chars, ms,
                                                StringMember(body, "reason"), c.subject.Actor());
              if (!r.ok()) return ProblemFor(res, r.status());
              Json out = {{"id", r->id},
                          {"record", r->record_id},
                          {"segment", (*c.a)->SegmentRef(r->segment_id)}};
              if (r->char_from >= 0) out["chars"] = {r->char_from, r->char_to};
              if (r->start_ms >= 0) out["ms"] = {r->start_ms, r->end_ms};
              SendJson(res, out, 201);
            });

  // An archivist confirms a version held by redactions whose words could not be found in it.
  svr->Post(R"(/api/v1/records/([a-z0-9]{1,64})/redactions/confirm)",
            [site](const Request& req, Response& res, const httplib::ContentReader& reader) {
              Call c;
              Json body;
              if (!BeginJsonWrite(site, req, res, reader, &c, &body)) return;
              if (!body.contains("version") || !body["version"].is_number_integer() ||
                  body["version"].get<int64_t>() < 1 || body["version"].get<int64_t>() > 999999) {
                return Problem(res, 400, "bad-request", "Bad Request",
                               "\"version\" must be the held version's number");
              }
              int version = body["version"].get<int>();
              auto done = (*c.a)->consent().ConfirmRedactions(
                  req.matches[1], version, StringMember(body, "reason"), c.subject.Actor());
              if (!done.ok()) return ProblemFor(res, done.status());
              SendJson(res, {{"record", std::string(req.matches[1])},
                             {"version", version},
                             {"confirmed", *done}});
            });

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

  // Archivists: correct one line of a transcript.
  svr->Put(R"(/api/v1/segments/(s[0-9a-f]{32}|[0-9]{1,12}))", [site](const Request& req,
                                                                    Response& res,
                                                       const httplib::ContentReader& reader) {
    Call c;
    Json body;
    if (!BeginJsonWrite(site, req, res, reader, &c, &body)) return;
    if (!body.contains("text") || !body["text"].is_string()) {
      return Problem(res, 400, "bad-request", "Bad Request", "the body has no \"text\" string");
    }
    std::string ref = req.matches[1];
    if (ref[0] != 's') ref = (*c.a)->SegmentRef(std::stoll(ref));  // staff may name it by id
    auto seg = service::ViewSegment(service::ScopeOf(c.a->get(), c.subject), ref);
    if (!seg.ok()) return ProblemFor(res, seg.status());
    if (!seg->contains("start_ms")) {
      return Problem(
          res, 409, "conflict", "Conflict",
          "this segment is not a line of a transcript (only transcripts are corrected here)");
    }
    auto v = ingest::CorrectSegment(
        c.a->get(), (*seg)["record"], (*seg)["version"], (*seg)["start_ms"], (*seg)["end_ms"],
        body["text"],
        c.subject.user.empty() ? "token " + c.subject.token_id : "user " + c.subject.user);
    if (!v.ok()) return ProblemFor(res, v.status());
    SendJson(
        res,
        {{"record", v->record_id},
         {"version", v->version},
         {"leaf_index", v->leaf_index},
         {"url", "/api/v1/records/" + v->record_id + "/versions/" + std::to_string(v->version)}},
        201);
  });
}

}  // namespace attest::http
