// Archivists' writes (doc/api.md): adding records, their metadata, consent, redactions and
// corrections of transcripts.
#include <fcntl.h>
#include <unistd.h>
#include <map>

#include "core/hash.h"
#include "http/api_common.h"
#include "http/routes.h"
#include "ingest/transcripts.h"
#include "service/record_view.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;

namespace {
// A segment named in a write's body: its ref, or (staff writing) its id. nullopt if neither.
std::optional<int64_t> SegmentOfJson(archive::Archive* a, const Json& v) {
  if (v.is_string()) return a->SegmentOfRef(v.get<std::string>());
  if (v.is_number_integer() && v.get<int64_t>() >= 1) return v.get<int64_t>();
  return std::nullopt;
}

}  // namespace

void RegisterWriteRoutes(Site* site, httplib::Server* svr) {
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
