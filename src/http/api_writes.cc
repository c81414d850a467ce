// Archivists' writes (doc/api.md): adding records, their metadata, consent, redactions and
// corrections of transcripts.
#include <map>
#include <string>
#include <vector>

#include "core/hash.h"
#include "http/add_form.h"
#include "http/api_common.h"
#include "http/numbers.h"
#include "http/routes.h"
#include "service/writes.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

// What a body's "segment" must be when it is not one.
constexpr const char* kNotASegment =
    "\"segment\" must name a segment: its ref (\"s\" and 32 hex digits, as a record's JSON "
    "gives it) or its id, a positive integer";

// A segment named in a write's body: its ref, or (staff writing) its id. nullopt if neither.
std::optional<int64_t> SegmentOfJson(archive::Archive* a, const Json& v) {
  if (v.is_string()) return a->SegmentOfRef(v.get<std::string>());
  if (v.is_number_integer() && v.get<int64_t>() >= 1) return v.get<int64_t>();
  return std::nullopt;
}

// Volunteers, archivists and admins: add records (multipart: file..., upload..., witness, collection, lang, consent,
// meta, place..., date).
void PostRecords(Site* site, const Request& req, Response& res,
                 const httplib::ContentReader& reader) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  if (!RequireAdder(c, res)) return;
  if (!req.is_multipart_form_data()) {
    return Problem(res, 415, "unsupported-media-type", "Unsupported Media Type",
                   "send the files as multipart/form-data, each in a field named 'file'");
  }
  AddForm form;
  if (!ReadAddForm(site->env, JoinPath(c.archive()->dir(), "blobs/tmp"), reader, &form)) {
    RemoveStaged(site->env, form.paths);
    return Problem(res, 400, "bad-request", "Bad Request", form.refused);
  }
  auto added = AddFromForm(site, c, &form);
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
  SendJson(res, {{"records", items}, {"checkpoint", CheckpointNote(c.archive())}}, 201);
}

// An archivist replaces a record's free metadata: a new version with the same files.
void PatchRecord(Site* site, const Request& req, Response& res,
                 const httplib::ContentReader& reader) {
  Call c;
  Json body;
  if (!BeginJsonWrite(site, req, res, reader, &c, &body)) return;
  if (!body.contains("meta") || !body["meta"].is_object()) {
    return Problem(res, 400, "bad-request", "Bad Request",
                   "the body has no \"meta\" object (the record's metadata, whole)");
  }
  auto v = service::EditMetadata(c.scope(), req.matches[1], body["meta"]);
  if (!v.ok()) return ProblemFor(res, v.status());
  SendJson(res, {{"record", v->record_id},
                 {"version", v->version},
                 {"leaf_index", v->leaf_index},
                 {"url",
                  "/api/v1/records/" + v->record_id + "/versions/" + std::to_string(v->version)}});
}

// An archivist changes a record's consent level; logged (doc/format/leaf.md, consent).
void PutConsent(Site* site, const Request& req, Response& res,
                const httplib::ContentReader& reader) {
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
                     "a seal needs \"until\" (YYYY-MM-DD) and \"then\" (public, research or "
                     "restricted)");
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
    auto id = SegmentOfJson(c.archive(), body["segment"]);
    if (!id) return Problem(res, 400, "bad-request", "Bad Request", kNotASegment);
    segment = *id;
  }
  auto changed = service::ChangeConsent(c.scope(), req.matches[1], *to, reason,
                                        seal ? &*seal : nullptr, segment);
  if (!changed.ok()) return ProblemFor(res, changed.status());
  Json out = {{"record", std::string(req.matches[1])},
              {"consent", level},
              {"changed", changed->has_value()}};
  if (segment > 0) out["segment"] = c.archive()->SegmentRef(segment);
  if (*changed) {
    out["from"] = meta::ConsentName((*changed)->from);
    out["leaf_index"] = (*changed)->leaf_index;
  }
  SendJson(res, out);
}

// A span [from, to] of a redaction's body, if given. Answers with a problem and returns false
// if it is not two integers.
bool SpanOf(const Json& body, const char* name, Response& res,
            std::optional<std::pair<int64_t, int64_t>>* out) {
  if (!body.contains(name)) return true;
  const Json& v = body[name];
  if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() || !v[1].is_number_integer()) {
    Problem(res, 400, "bad-request", "Bad Request",
            std::string("\"") + name + "\" must be two integers [from, to]");
    return false;
  }
  *out = std::make_pair(v[0].get<int64_t>(), v[1].get<int64_t>());
  return true;
}

// Redaction (doc/api.md): an archivist hides a span of one segment.
void PostRedaction(Site* site, const Request& req, Response& res,
                   const httplib::ContentReader& reader) {
  Call c;
  Json body;
  if (!BeginJsonWrite(site, req, res, reader, &c, &body)) return;
  auto segment =
      body.contains("segment") ? SegmentOfJson(c.archive(), body["segment"]) : std::nullopt;
  if (!segment) return Problem(res, 400, "bad-request", "Bad Request", kNotASegment);
  std::optional<std::pair<int64_t, int64_t>> chars, ms;
  if (!SpanOf(body, "chars", res, &chars) || !SpanOf(body, "ms", res, &ms)) return;
  auto r =
      service::Redact(c.scope(), req.matches[1], *segment, chars, ms, StringMember(body, "reason"));
  if (!r.ok()) return ProblemFor(res, r.status());
  Json out = {
      {"id", r->id}, {"record", r->record_id}, {"segment", c.archive()->SegmentRef(r->segment_id)}};
  if (r->char_from >= 0) out["chars"] = {r->char_from, r->char_to};
  if (r->start_ms >= 0) out["ms"] = {r->start_ms, r->end_ms};
  SendJson(res, out, 201);
}

// An archivist confirms a version held by redactions whose words could not be found in it.
void PostRedactionConfirm(Site* site, const Request& req, Response& res,
                          const httplib::ContentReader& reader) {
  Call c;
  Json body;
  if (!BeginJsonWrite(site, req, res, reader, &c, &body)) return;
  if (!body.contains("version") || !body["version"].is_number_integer() ||
      body["version"].get<int64_t>() < 1 || body["version"].get<int64_t>() > 999999) {
    return Problem(res, 400, "bad-request", "Bad Request",
                   "\"version\" must be the held version's number");
  }
  int version = body["version"].get<int>();
  auto done =
      service::ConfirmRedactions(c.scope(), req.matches[1], version, StringMember(body, "reason"));
  if (!done.ok()) return ProblemFor(res, done.status());
  SendJson(res,
           {{"record", std::string(req.matches[1])}, {"version", version}, {"confirmed", *done}});
}

// A version a write made: 201 with where it is and its leaf in the log.
void SendNewVersion(Response& res, const meta::Version& v) {
  SendJson(res,
           {{"record", v.record_id},
            {"version", v.version},
            {"leaf_index", v.leaf_index},
            {"url", "/api/v1/records/" + v.record_id + "/versions/" + std::to_string(v.version)}},
           201);
}

// Archivists: correct one line of a transcript.
void PutSegment(Site* site, const Request& req, Response& res,
                const httplib::ContentReader& reader) {
  Call c;
  Json body;
  if (!BeginJsonWrite(site, req, res, reader, &c, &body)) return;
  if (!body.contains("text") || !body["text"].is_string()) {
    return Problem(res, 400, "bad-request", "Bad Request", "the body has no \"text\" string");
  }
  const std::string ref = req.matches[1];
  // Staff may name it by id (the route's pattern: 1 to 12 digits).
  std::optional<int64_t> id = ref[0] == 's'
                                  ? c.archive()->SegmentOfRef(ref)
                                  : std::optional<int64_t>(ParseDigits(ref, 12).value_or(0));
  if (!id || *id < 1) return ProblemFor(res, Status::NotFound(service::kNoSuchSegment));
  auto v = service::CorrectLine(c.scope(), *id, body["text"]);
  if (!v.ok()) return ProblemFor(res, v.status());
  SendNewVersion(res, *v);
}

// Archivists: a transcript edited whole, {"edits": N, "cues": [{"start_ms", "end_ms", "text",
// "speaker"?}, …]}, saved as a new human version; 409 if another was saved since version N.
void PutTranscript(Site* site, const Request& req, Response& res,
                   const httplib::ContentReader& reader) {
  Call c;
  if (!Begin(site, req, res, &c) || !RequireWriter(c, res)) return;
  auto body = JsonBody(req, reader, size_t{8} << 20);
  if (!body.ok()) return ProblemFor(res, body.status());
  const Json& b = *body;
  if (!b.contains("edits") || !b["edits"].is_number_integer() || b["edits"].get<int64_t>() < 1 ||
      b["edits"].get<int64_t>() > 999999) {
    return Problem(res, 400, "bad-request", "Bad Request",
                   "\"edits\" must be the number of the transcript version the cues were made from");
  }
  if (!b.contains("cues") || !b["cues"].is_array() || b["cues"].size() > 100000) {
    return Problem(res, 400, "bad-request", "Bad Request",
                   "\"cues\" must be an array of at most 100,000 cues");
  }
  std::vector<ingest::Cue> cues;
  for (size_t i = 0; i < b["cues"].size(); ++i) {
    const Json& q = b["cues"][i];
    if (!q.is_object() || !q.contains("start_ms") || !q["start_ms"].is_number_integer() ||
        !q.contains("end_ms") || !q["end_ms"].is_number_integer() || !q.contains("text") ||
        !q["text"].is_string() || (q.contains("speaker") && !q["speaker"].is_string())) {
      return Problem(res, 400, "bad-request", "Bad Request",
                     "cue " + std::to_string(i + 1) +
                         " must be {\"start_ms\": integer, \"end_ms\": integer, \"text\": "
                         "string, \"speaker\": string (optional)}");
    }
    ingest::Cue cue;
    cue.start_ms = q["start_ms"].get<int64_t>();
    cue.end_ms = q["end_ms"].get<int64_t>();
    cue.text = q["text"].get<std::string>();
    cue.speaker = StringMember(q, "speaker");
    cues.push_back(std::move(cue));
  }
  auto v = service::SaveTranscript(c.scope(), req.matches[1], b["edits"].get<int>(),
                                   std::move(cues));
  if (!v.ok()) return ProblemFor(res, v.status());
  SendNewVersion(res, *v);
}

}  // namespace

void RegisterWriteRoutes(Site* site, httplib::Server* svr) {
  svr->Post("/api/v1/records", Bind(site, PostRecords));
  svr->Patch(R"(/api/v1/records/([a-z0-9]{1,64}))", Bind(site, PatchRecord));
  svr->Put(R"(/api/v1/records/([a-z0-9]{1,64})/consent)", Bind(site, PutConsent));
  svr->Post(R"(/api/v1/records/([a-z0-9]{1,64})/redactions)", Bind(site, PostRedaction));
  svr->Post(R"(/api/v1/records/([a-z0-9]{1,64})/redactions/confirm)",
            Bind(site, PostRedactionConfirm));
  svr->Put(R"(/api/v1/segments/(s[0-9a-f]{32}|[0-9]{1,12}))", Bind(site, PutSegment));
  svr->Put(R"(/api/v1/records/([a-z0-9]{1,64})/transcript)", Bind(site, PutTranscript));
}

}  // namespace attest::http
