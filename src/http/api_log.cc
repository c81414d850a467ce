// The log's files under /log/ (C2SP tlog-tiles), the API's root and description, and
// /api/v1/verify: is this file in the archive?
#include <algorithm>

#include "core/hash.h"
#include "http/api_common.h"
#include "http/assets.h"
#include "http/routes.h"
#include "service/record_files.h"
#include "service/record_view.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

// The log: C2SP tlog-tiles paths, straight from the log directory (the gate's fast path
// answers most of these first, alike).
void GetLogFile(Site* site, const Request& req, Response& res) {
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
}

void GetOpenApi(Site*, const Request&, Response& res) {
  for (const Asset& asset : Assets()) {
    if (asset.path == "api/openapi.json") {
      res.set_content(std::string(asset.bytes), "application/json");
      return;
    }
  }
  Problem(res, 404, "not-found", "Not Found", "the API description is not built in");
}

void GetRoot(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  auto cp = c.archive()->verifier().Checkpoint();
  SendJson(res, {{"name", "attest"},
                 {"version", ATTEST_VERSION},
                 {"origin", site->origin},
                 {"role", access::RoleName(c.subject.role)},
                 {"verifier_key", c.archive()->verifier().VerifierKey()},
                 {"log_size", cp.ok() ? cp->checkpoint.size : 0},
                 {"openapi", "/api/v1/openapi.json"}});
}

// What a verify request names: a SHA-256, and the file's size if the file itself came.
struct VerifyAsk {
  std::string sha;
  uint64_t bytes = 0;
  bool hashed = false;  // the file came, and was hashed as it arrived
};

// Reads a verify request's body: JSON {"sha256": …}, a form (a file or a sha256), or the file
// itself. Answers with a problem and returns false if it did not arrive or names nothing.
bool ReadVerifyAsk(Site* site, const Request& req, Response& res,
                   const httplib::ContentReader& reader, VerifyAsk* ask) {
  std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) == 0) {
    auto body = JsonBody(req, reader, site->options.max_json_body);
    if (!body.ok()) {
      ProblemFor(res, body.status());
      return false;
    }
    if (!body->contains("sha256") || !(*body)["sha256"].is_string()) {
      Problem(res, 400, "bad-request", "Bad Request", "the body has no \"sha256\" string");
      return false;
    }
    ask->sha = (*body)["sha256"];
    std::transform(ask->sha.begin(), ask->sha.end(), ask->sha.begin(), ::tolower);
    return true;
  }
  if (req.is_multipart_form_data()) {
    VerifyForm form = ReadVerifyForm(reader);
    if (!form.whole) {
      Problem(res, 400, "bad-request", "Bad Request",
              "the form did not arrive whole (cut off, or slower than the server accepts)");
      return false;
    }
    ask->bytes = form.bytes;
    ask->sha = form.bytes > 0 ? form.file_sha : form.sha_field;
    if (ask->sha.empty()) {
      Problem(res, 400, "bad-request", "Bad Request", "the form has neither a file nor a sha256");
      return false;
    }
    ask->hashed = form.bytes > 0;  // a form's file, hashed as it arrived
    return true;
  }
  Sha256Stream stream;
  bool whole = reader([&](const char* data, size_t n) {
    stream.Update(data, n);
    ask->bytes += n;
    return true;
  });
  if (!whole) {
    Problem(res, 400, "bad-request", "Bad Request",
            "the file did not arrive whole (cut off, or slower than the server accepts)");
    return false;
  }
  ask->sha = ToHex(stream.Finish());
  ask->hashed = true;
  return true;
}

// Is this file (or this SHA-256) in the archive?
void PostVerify(Site* site, const Request& req, Response& res,
                const httplib::ContentReader& reader) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  VerifyAsk ask;
  if (!ReadVerifyAsk(site, req, res, reader, &ask)) return;
  if (!IsSha256Hex(ask.sha)) {
    return Problem(res, 400, "bad-request", "Bad Request",
                   "sha256 must be 64 hexadecimal characters");
  }
  auto out = service::VerifyBlob(c.scope(), ask.sha);
  if (!out.ok()) return ProblemFor(res, out.status());
  if (ask.hashed) (*out)["bytes"] = ask.bytes;
  SendJson(res, *out);
}

}  // namespace

void RegisterLogRoutes(Site* site, httplib::Server* svr) {
  svr->Get(R"(/log/(checkpoint|tile/[0-9a-z./]{1,200}))", Bind(site, GetLogFile));
  svr->Get("/api/v1/openapi.json", Bind(site, GetOpenApi));
  svr->Get("/api/v1/", Bind(site, GetRoot));
  svr->Post("/api/v1/verify", Bind(site, PostVerify));
}

}  // namespace attest::http
