// The portal's own files (styles, script, fonts), the interface-language switcher and the
// Verify page.
#include <algorithm>

#include "core/hash.h"
#include "http/assets.h"
#include "http/pages_common.h"
#include "http/redirect.h"
#include "http/routes.h"
#include "service/record_files.h"
#include "service/record_view.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

constexpr const char* kFontDir = "/usr/share/fonts/truetype/noto/";
constexpr const char* kFonts[] = {"NotoSans-Regular.ttf",        "NotoSans-Bold.ttf",
                                  "NotoSansHebrew-Regular.ttf",  "NotoSansHebrew-Bold.ttf",
                                  "NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"};

void ServeAsset(const std::string& rel, const char* mime, Response& res) {
  for (const Asset& a : Assets()) {
    if (a.path == rel) {
      res.set_header("Cache-Control", "no-cache");
      res.set_content(std::string(a.bytes), mime);
      return;
    }
  }
  Problem(res, 404, "not-found", "Not Found", "no such file");
}

void GetStatic(Site*, const Request& req, Response& res) {
  std::string ext = req.matches[2];
  ServeAsset("static/" + std::string(req.matches[1]) + "." + ext,
             ext == "css" ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8", res);
}

void GetFont(Site* site, const Request& req, Response& res) {
  std::string name = req.matches[1];
  if (std::find(std::begin(kFonts), std::end(kFonts), name) == std::end(kFonts)) {
    return Problem(res, 404, "not-found", "Not Found", "no such font");
  }
  auto data = site->env->ReadFile(std::string(kFontDir) + name);
  if (!data.ok()) {
    return Problem(res, 404, "not-found", "Not Found",
                   "the font is not installed (fonts-noto-core)");
  }
  res.set_header("Cache-Control", "public, max-age=86400");
  res.set_content(*data, "font/ttf");
}

// The interface-language switcher: a preference cookie, then back where the reader was.
void GetUiLanguage(Site*, const Request& req, Response& res) {
  std::string lang = Param(req, "lang");
  if (!IsUiLanguage(lang)) {
    return Problem(res, 400, "bad-request", "Bad Request", "lang must be one of ar, en, fr, he");
  }
  res.set_header("Set-Cookie", UiCookie(lang));
  res.set_redirect(SafeRedirectTarget(Param(req, "back")), 303);
}

// The Verify page: the form, what `sha` (if any) is in the archive, or `error` (400).
void SendVerifyPage(Site* site, const Request& req, Response& res, const std::string& sha,
                    const std::string& error, std::string_view form_csrf = {}) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c, form_csrf)) return;
  Json v = pc.Base(c.archive(), pc.t()["verify_title"], "verify");
  v["sha256"] = sha;
  if (!error.empty()) {
    v["error"] = error;
    return pc.Send(res, "verify", v, 400);
  }
  if (!sha.empty()) {
    auto out = service::VerifyBlob(c.scope(), sha);
    if (!out.ok()) return pc.Error(res, c.archive(), 500);
    Json matches = Json::array();
    for (auto m : (*out)["matches"]) {
      m["original"] = m["role"] == "original";
      m["version"] = std::to_string(m["version"].get<int>());
      m["leaf_index"] = std::to_string(m["leaf_index"].get<uint64_t>());
      matches.push_back(m);
    }
    v["checked"] = true;
    v["found"] = (*out)["found"];
    v["matches"] = matches;
    v["size"] = std::to_string((*out)["checkpoint"]["size"].get<uint64_t>());
    v["note"] = (*out)["checkpoint"]["note"];
  }
  pc.Send(res, "verify", v);
}

void GetVerifyPage(Site* site, const Request& req, Response& res) {
  std::string sha = Param(req, "sha256");
  std::transform(sha.begin(), sha.end(), sha.begin(), ::tolower);
  if (!sha.empty() && !IsSha256Hex(sha)) {
    return SendVerifyPage(site, req, res, "", "sha256 must be 64 hexadecimal characters");
  }
  SendVerifyPage(site, req, res, sha, "");
}

// The form without script: the file is uploaded, hashed as it arrives, and dropped.
void PostVerifyPage(Site* site, const Request& req, Response& res,
                    const httplib::ContentReader& reader) {
  if (!req.is_multipart_form_data()) {
    return SendVerifyPage(site, req, res, "", "send the form as multipart/form-data");
  }
  VerifyForm form = ReadVerifyForm(reader);
  if (!form.whole) {
    return SendVerifyPage(site, req, res, "", "the form did not arrive whole; send it again",
                          form.csrf);
  }
  std::string sha = form.bytes > 0 ? form.file_sha : form.sha_field;
  if (!IsSha256Hex(sha)) {
    return SendVerifyPage(site, req, res, "", "sha256 must be 64 hexadecimal characters",
                          form.csrf);
  }
  SendVerifyPage(site, req, res, sha, "", form.csrf);
}

}  // namespace

void RegisterSitePages(Site* site, httplib::Server* svr) {
  svr->Get(R"(/static/([a-z0-9_-]{1,64})\.(css|js))", Bind(site, GetStatic));
  svr->Get(R"(/fonts/([A-Za-z-]{1,64}\.ttf))", Bind(site, GetFont));
  svr->Get("/ui", Bind(site, GetUiLanguage));
  svr->Get("/verify", Bind(site, GetVerifyPage));
  svr->Post("/verify", Bind(site, PostVerifyPage));
}

}  // namespace attest::http
