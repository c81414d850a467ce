// The log's files under /log/ (C2SP tlog-tiles), the API's root and description, and
// /api/v1/verify: is this file in the archive?
#include <algorithm>

#include "core/hash.h"
#include "http/api_common.h"
#include "http/assets.h"
#include "http/routes.h"
#include "service/record_view.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;

void RegisterLogRoutes(Site* site, httplib::Server* svr) {
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
}

}  // namespace attest::http
