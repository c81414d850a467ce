#include "http/pages_common.h"

#include <algorithm>

#include "archive/manifest.h"
#include "core/hash.h"
#include "service/access_requests.h"
#include "service/accounts.h"
#include "ingest/transcripts.h"
#include "service/cite.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;

namespace {

// Appends `text` as parts marked `mark`, with each redaction mark (archive::kRedactionMark) a
// part of its own that the templates show as a labelled gap.
void AddParts(Json* parts, std::string_view text, bool mark) {
  const std::string_view gap = archive::kRedactionMark;
  while (!text.empty()) {
    size_t at = text.find(gap);
    std::string_view before = text.substr(0, at);
    if (!before.empty()) {
      parts->push_back({{"text", std::string(before)}, {"mark", mark}, {"redacted", false}});
    }
    if (at == std::string_view::npos) break;
    parts->push_back({{"text", std::string(gap)}, {"mark", false}, {"redacted", true}});
    text.remove_prefix(at + gap.size());
  }
}

}  // namespace

std::string FormField(const httplib::Request& req, const std::string& name) {
  if (req.has_file(name)) return req.get_file_value(name).content;
  return Param(req, name.c_str());
}

std::string Url(const std::string& s) { return httplib::detail::encode_query_param(s); }

std::string UiCookie(const std::string& lang) {
  return std::string(kUiCookie) + "=" + lang + "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly";
}

bool IsUiLanguage(const std::string& lang) {
  const auto& langs = UiLanguages();
  return std::find(langs.begin(), langs.end(), lang) != langs.end();
}

Json Parts(const std::string& text, const std::vector<std::pair<uint32_t, uint32_t>>& marks) {
  Json parts = Json::array();
  size_t at = 0;
  auto sorted = marks;
  std::sort(sorted.begin(), sorted.end());
  std::string_view all = text;
  for (auto [s, e] : sorted) {
    if (s < at || e > text.size() || s >= e) continue;
    if (s > at) AddParts(&parts, all.substr(at, s - at), false);
    AddParts(&parts, all.substr(s, e - s), true);
    at = e;
  }
  if (at < text.size()) AddParts(&parts, all.substr(at), false);
  return parts;
}

PageContext::PageContext(Site* site, const Request& req) : site_(site), req_(req) {
  std::string linked = Param(req, "lang");
  remember_ = IsUiLanguage(linked);
  lang_ = remember_ ? linked
                    : NegotiateLanguage(CookieValue(req, kUiCookie),
                                        req.get_header_value("Accept-Language"));
  t_ = &site->renderer.Messages(lang_);
}

void PageContext::SetAccount(const access::Subject& subject) const {
  if (subject.user.empty()) return;
  account_ = {{"name", subject.user},
              {"role", (*t_)["role_" + std::string(access::RoleName(subject.role))]},
              {"csrf", subject.csrf},
              // Intake is offered to those who may add records.
              {"intake", service::MayAdd(service::Scope{nullptr, subject, ""})},
              // The review queue, to those who may correct.
              {"review", service::MayWrite(service::Scope{nullptr, subject, ""})},
              // Access requests: asked by researchers and volunteers, decided by the staff.
              {"access", service::MayAskForAccess(service::Scope{nullptr, subject, ""}) ||
                             service::MayDecideAccess(service::Scope{nullptr, subject, ""})},
              // Clips and sessions, to every account.
              {"sessions", true},
              // The accounts page, to admins.
              {"accounts", service::MayAdminister(service::Scope{nullptr, subject, ""})}};
}

std::string PageContext::LangName(const std::string& code) const {
  const Json& names = (*t_)["lang_names"];
  std::string primary = code.substr(0, code.find('-'));
  if (names.contains(primary)) return names[primary];
  return code;
}

Json PageContext::Base(archive::Archive* a, const std::string& title, const char* nav) const {
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

void PageContext::Send(Response& res, const std::string& name, const Json& view, int status) const {
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

void PageContext::Error(Response& res, archive::Archive* a, int status,
                        const char* message) const {
  Json v = a ? Base(a, "", "none")
             : Json{{"t", *t_}, {"ui", {{"lang", lang_}, {"dir", Direction(lang_)}}}};
  std::string heading = status == 404   ? (*t_)["not_found_title"]
                        : status == 400 ? (*t_)["bad_request_title"]
                        : status == 403 ? (*t_)["forbidden_title"]
                        : status == 401 ? (*t_)["unauthorized_title"]
                                        : (*t_)["error_title"];
  v["title"] = heading;
  v["heading"] = heading;
  v["message"] = message         ? (*t_)[message]
                 : status == 404 ? (*t_)["not_found"]
                 : status == 403 ? (*t_)["csrf_refused"]
                 : status == 401 ? (*t_)["token_refused"]
                                 : Json("");
  Send(res, "error", v, status);
}

bool BeginPage(Site* site, const Request& req, Response& res, const PageContext& pc, Call* call,
               std::string_view form_csrf) {
  auto lease = site->pool.Acquire();
  if (!lease.ok()) {
    pc.Error(res, nullptr, 503);
    return false;
  }
  auto who = Caller(site, lease->get(), req, form_csrf);
  if (!who.ok()) {
    pc.Error(res, lease->get(), HttpStatusFor(who.status()));
    return false;
  }
  // A session cookie the server no longer knows is cleared.
  if (who->user.empty() && !CookieValue(req, kSessionCookie).empty()) {
    res.set_header("Set-Cookie", SessionCookie("", 0));
  }
  pc.SetAccount(*who);
  call->a.emplace(std::move(*lease));
  call->subject = *who;
  return true;
}

std::string NewFormCookie(Site* site, Response& res, const char* name) {
  uint8_t raw[32];
  site->env->RandomBytes(raw, sizeof(raw));
  std::string token = Base32Lower(raw, sizeof(raw), 52);
  res.set_header("Set-Cookie", std::string(name) + "=" + token +
                                   "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=3600");
  return token;
}

bool FormCookieMatches(const Request& req, const char* name) {
  std::string cookie = CookieValue(req, name);
  std::string given = Param(req, "csrf");
  return !cookie.empty() && !given.empty() && ConstantTimeEquals(cookie, given);
}

std::string ClearedCookie(const char* name) {
  return std::string(name) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
}

std::string RecordTitle(const meta::Record& r, const PageContext& pc) {
  Json shown = service::ShownMeta(service::NewestOriginal(r));
  if (shown.contains("title")) return shown["title"];
  return pc.t()["record"].get<std::string>() + " " + r.id;
}

Json HitView(const Json& h, const std::string& record, const PageContext& pc) {
  std::vector<std::pair<uint32_t, uint32_t>> marks;
  for (const auto& m : h["highlights"]) marks.push_back({m[0], m[1]});
  std::string lang = h.value("lang", "und");
  Json v = {{"lang", lang}, {"dir", Direction(lang)}, {"parts", Parts(h["snippet"], marks)}};
  if (h.contains("start_ms")) {
    int64_t ms = h["start_ms"];
    v["time"] = FormatClock(ms);
  } else if (h.contains("page")) {
    v["page"] = std::to_string(h["page"].get<int>());
  }
  v["href"] = service::SegmentLink(record, h["segment"].get<std::string>(),
                                   h.value("start_ms", int64_t{-1}));
  // "Make a clip of this passage": the record page's clip form, filled in with the hit's times.
  if (h.contains("start_ms")) {
    std::string to;
    if (h.contains("end_ms")) to = "&clip_to=" + Url(ingest::FormatClock(h["end_ms"].get<int64_t>()));
    v["clip_href"] = "/records/" + record + "?clip_from=" +
                     Url(ingest::FormatClock(h["start_ms"].get<int64_t>())) + to + "#make-clip";
  } else if (h.contains("chars") && h["chars"].is_array() && h["chars"].size() == 2) {
    v["clip_href"] = "/records/" + record + "?clip_chars=" +
                     std::to_string(h["chars"][0].get<int64_t>()) + "-" +
                     std::to_string(h["chars"][1].get<int64_t>()) + "#make-clip";
  } else {
    v["clip_href"] = "/records/" + record + "#make-clip";
  }
  return v;
}

}  // namespace attest::http
