#include "http/api_common.h"

#include "http/numbers.h"
#include "service/accounts.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;

void SendJson(Response& res, const Json& j, int status) {
  res.status = status;
  res.set_content(j.dump(), "application/json");
}

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

namespace {

// True if `allowed`; else a 401 (with how to authenticate, `role` being the token's to make) for
// an anonymous caller, or a 403 saying `who` it needs.
bool Require(const Call& call, Response& res, bool allowed, const std::string& who,
             const char* role) {
  if (allowed) return true;
  if (call.subject.role == access::Role::kAnonymous) {
    Problem(res, 401, "unauthorized", "Unauthorized",
            "this needs " + who + " token: Authorization: Bearer TOKEN (attest token create "
            "--role " + role + ")");
    res.set_header("WWW-Authenticate", "Bearer");
  } else {
    Problem(res, 403, "forbidden", "Forbidden", "this needs " + who + " token");
  }
  return false;
}

}  // namespace

bool RequireWriter(const Call& call, Response& res) {
  return Require(call, res, service::MayWrite(call.scope()), "an archivist's", "archivist");
}

bool RequireAdder(const Call& call, Response& res) {
  return Require(call, res, service::MayAdd(call.scope()),
                 "a volunteer's, an archivist's or an admin's", "volunteer");
}

bool VersionParam(const Request& req, Response& res, std::optional<int>* version) {
  std::string v = Param(req, "version");
  if (v.empty()) return true;
  std::optional<uint64_t> n = ParseDigits(v, 6);
  if (!n || *n < 1) {
    Problem(res, 400, "bad-request", "Bad Request", "version must be a positive number");
    return false;
  }
  *version = static_cast<int>(*n);
  return true;
}

Result<Json> JsonBody(const Request& req, const httplib::ContentReader& reader, size_t max) {
  // A declared length over the limit is refused. Up to 8 times the limit, the body is read and
  // dropped first, so that the client, still sending, can read the answer; beyond that the
  // answer comes at once and the connection ends.
  std::string length = req.get_header_value("Content-Length");
  std::optional<uint64_t> declared = ParseDigits(length, 19);
  if (!length.empty() && (!declared || *declared > max)) {
    if (declared && *declared <= 8 * max) {
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

bool RequireWitness(const Call& c, Response& res) {
  if (!c.subject.witness_id.empty()) return true;
  Problem(res, 401, "unauthorized", "Unauthorized",
          "this needs a witness's own link (attest link create WITNESS) as the bearer token");
  res.set_header("WWW-Authenticate", "Bearer");
  return false;
}

}  // namespace attest::http
