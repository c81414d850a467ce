// What the portal's pages share (internal to src/http): the page's language, messages and
// header (PageContext), opening a page's archive and caller, and the parts of text the
// templates show.
#ifndef ATTEST_HTTP_PAGES_COMMON_H_
#define ATTEST_HTTP_PAGES_COMMON_H_

#include <httplib.h>

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

// A field of a form sent as multipart/form-data (Debian's cpp-httplib, a compiled library,
// refuses url-encoded bodies over 8 KiB: a transcript, a reading in Hebrew), or url-encoded.
std::string FormField(const httplib::Request& req, const std::string& name);

// `s` encoded for a query parameter.
std::string Url(const std::string& s);

// The interface-language preference, as the switcher (/ui) and a page's ?lang= set it.
std::string UiCookie(const std::string& lang);

bool IsUiLanguage(const std::string& lang);

// Text split into plain and marked parts (byte ranges), for templates that escape each.
Json Parts(const std::string& text, const std::vector<std::pair<uint32_t, uint32_t>>& marks);

// A page's language, messages and header, for one request. Lives no longer than the request.
class PageContext {
 public:
  // A page's own ?lang= (one of the interface languages; anything else is ignored) chooses as
  // the switcher does and is remembered the same way, so a shared link opens in its language.
  PageContext(Site* site, const httplib::Request& req);

  const Json& t() const { return *t_; }
  const std::string& lang() const { return lang_; }

  // The logged-in account shown in every page's header (with the logout form's token).
  void SetAccount(const access::Subject& subject) const;
  const Json& account() const { return account_; }

  // A language's name in the page's language (its code if there is none).
  std::string LangName(const std::string& code) const;

  // The view every page has: interface language, messages, switcher, notice, log size.
  Json Base(archive::Archive* a, const std::string& title, const char* nav) const;

  // Renders template `name` with `view` as the answer.
  void Send(httplib::Response& res, const std::string& name, const Json& view,
            int status = 200) const;

  // An error page for `status` (`a`: null if the archive could not be opened), saying
  // `message` (a key of the messages) instead of the status's usual words when given.
  void Error(httplib::Response& res, archive::Archive* a, int status,
             const char* message = nullptr) const;

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
               const PageContext& pc, Call* call, std::string_view form_csrf = {});

// A record's page (pages_record.cc) as `c` may see it, answered with `status`; `said`: what the
// change form last sent said (pages_consent.cc), or null.
void SendRecordPage(Site* site, const httplib::Request& req, httplib::Response& res,
                    const PageContext& pc, const Call& c, const std::string& id, const Json& said,
                    int status);

// A form's double-submit token, for forms sent before there is a session or link to tie a
// token to (logging in, entering a witness's link): a new random value, set in cookie `name`
// (HttpOnly, Secure, SameSite=Strict, an hour) and returned for the form's `csrf` field.
// Another site can neither read nor set the cookie.
std::string NewFormCookie(Site* site, httplib::Response& res, const char* name);
// Whether the request's `csrf` field is the value its cookie `name` holds.
bool FormCookieMatches(const httplib::Request& req, const char* name);
// The Set-Cookie value that clears cookie `name`.
std::string ClearedCookie(const char* name);

// A record's title as shown: its `title`, or "Record ID" in the page's language.
std::string RecordTitle(const meta::Record& r, const PageContext& pc);

// A search hit (the API's JSON of one) as the templates show it.
Json HitView(const Json& h, const std::string& record, const PageContext& pc);

}  // namespace attest::http

#endif  // ATTEST_HTTP_PAGES_COMMON_H_
