// What the portal's pages share (internal to src/http): the page's language, messages and
// header (PageContext), opening a page's archive and caller, and the parts of text the
// templates show.
#ifndef ATTEST_HTTP_PAGES_COMMON_H_
#define ATTEST_HTTP_PAGES_COMMON_H_

#include <httplib.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"
#include "http/render.h"
#include "http/site.h"

namespace attest::http {

// The interface-language preference cookie.
inline constexpr const char* kUiCookie = "attest_ui";

// `s` encoded for a query parameter.
std::string Url(const std::string& s);

// The interface-language preference, as the switcher (/ui) and a page's ?lang= set it.
std::string UiCookie(const std::string& lang);

bool IsUiLanguage(const std::string& lang);

// Text split into plain and marked parts (byte ranges), for templates that escape each.
Json Parts(const std::string& text, const std::vector<std::pair<uint32_t, uint32_t>>& marks);

// A page's language, messages and header, for one request.
class PageContext {
 public:
  // A page's own ?lang= (one of the interface languages; anything else is ignored) chooses as
  // the switcher does and is remembered the same way, so a shared link opens in its language.
  PageContext(Site* site, const httplib::Request& req) : site_(site), req_(req) {
    std::string linked = Param(req, "lang");
    remember_ = IsUiLanguage(linked);
    lang_ = remember_ ? linked
                      : NegotiateLanguage(CookieValue(req, kUiCookie),
                                          req.get_header_value("Accept-Language"));
    t_ = &site->renderer.Messages(lang_);
  }

  const Json& t() const { return *t_; }
  const std::string& lang() const { return lang_; }

  // The logged-in account shown in every page's header (with the logout form's token).
  void SetAccount(const access::Subject& subject) const {
    if (subject.user.empty()) return;
    account_ = {{"name", subject.user},
                {"role", (*t_)["role_" + std::string(access::RoleName(subject.role))]},
                {"csrf", subject.csrf}};
  }
  const Json& account() const { return account_; }

  std::string LangName(const std::string& code) const {
    const Json& names = (*t_)["lang_names"];
    std::string primary = code.substr(0, code.find('-'));
    if (names.contains(primary)) return names[primary];
    return code;
  }

  // The view every page has: interface language, messages, switcher, notice, log size.
  Json Base(archive::Archive* a, const std::string& title, const char* nav) const {
    std::string here = req_.path;
    std::string query;
    for (const auto& [k, v] : req_.params) {
      if (k == "lang") continue;  // chosen already; kept, it would undo the switcher
      query += (query.empty() ? "?" : "&") + Url(k) + "=" + Url(v);
    }
    here += query;
    Json langs = Json::array();
    for (const std::string& code : UiLanguages()) {
      langs.push_back({{"code", code},
                       {"name", site_->renderer.Messages(code)["language_name"]},
                       {"current", code == lang_},
                       {"href", "/ui?lang=" + code + "&back=" + Url(here)}});
    }
    Json v = {{"title", title},
              {"ui", {{"lang", lang_}, {"dir", Direction(lang_)}}},
              {"t", *t_},
              {"languages", langs},
              {"nav", {{nav, true}}},
              {"account", account_},
              {"login_href", "/login?back=" + Url(req_.path == "/login" ? "/" : here)}};
    auto notice = a->Notice();
    if (notice.ok() && notice->has_value()) {
      // The demo's notice is stored in English (ingest/demo.cc, the same words as en.json's
      // demo_notice): shown in the page's language. Any other notice is shown as written.
      const std::string demo = site_->renderer.Messages("en").value("demo_notice", "");
      v["notice"] = !demo.empty() && **notice == demo ? t_->value("demo_notice", demo) : **notice;
    }
    auto cp = a->verifier().Checkpoint();
    v["log_size"] = cp.ok() ? std::to_string(cp->checkpoint.size) : "?";
    return v;
  }

  void Send(httplib::Response& res, const std::string& name, const Json& view, int status = 200) const {
    auto html = site_->renderer.Page(name, view);
    if (!html.ok()) {
      res.status = 500;
      res.set_content("the page could not be made", "text/plain; charset=utf-8");
      return;
    }
    res.status = status;
    if (remember_) res.set_header("Set-Cookie", UiCookie(lang_));
    res.set_header("Content-Language", lang_);
    res.set_header("Vary", "Accept-Language, Cookie");
    res.set_content(*html, "text/html; charset=utf-8");
  }

  void Error(httplib::Response& res, archive::Archive* a, int status) const {
    Json v = a ? Base(a, "", "none")
               : Json{{"t", *t_}, {"ui", {{"lang", lang_}, {"dir", Direction(lang_)}}}};
    std::string heading = status == 404   ? (*t_)["not_found_title"]
                          : status == 400 ? (*t_)["bad_request_title"]
                          : status == 403 ? (*t_)["forbidden_title"]
                          : status == 401 ? (*t_)["unauthorized_title"]
                                          : (*t_)["error_title"];
    v["title"] = heading;
    v["heading"] = heading;
    v["message"] = status == 404   ? (*t_)["not_found"]
                   : status == 403 ? (*t_)["csrf_refused"]
                   : status == 401 ? (*t_)["token_refused"]
                                   : Json("");
    Send(res, "error", v, status);
  }

 private:
  Site* site_;
  const httplib::Request& req_;
  std::string lang_;
  bool remember_ = false;  // chosen by the page's ?lang=: set the preference cookie
  const Json* t_;
  mutable Json account_ = false;  // false: no lookup in an enclosing context
};

// Opens the archive and identifies the caller for a page; answers itself on failure.
// `form_csrf`: the form token of a form the handler read itself (multipart), if any.
bool BeginPage(Site* site, const httplib::Request& req, httplib::Response& res,
               const PageContext& pc, std::optional<ArchivePool::Lease>* a,
               access::Subject* subject, std::string_view form_csrf = {});

// A record's title as shown: its `title`, or "Record ID" in the page's language.
std::string RecordTitle(const meta::Record& r, const PageContext& pc);

// A search hit (the API's JSON of one) as the templates show it.
Json HitView(const Json& h, const std::string& record, const PageContext& pc);

}  // namespace attest::http

#endif  // ATTEST_HTTP_PAGES_COMMON_H_
