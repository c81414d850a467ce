// The portal's pages (server-rendered, usable without JavaScript), its static files and fonts.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "archive/manifest.h"
#include "core/hash.h"
#include "http/assets.h"
#include "http/redirect.h"
#include "http/site.h"
#include "service/ask.h"
#include "service/auditor.h"
#include "service/cite.h"
#include "service/events.h"
#include "service/record_view.h"

namespace attest::http {

using service::AskRequest;
using service::Box;
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

using httplib::Request;
using httplib::Response;

constexpr const char* kUiCookie = "attest_ui";
// The login form's double-submit token (doc/api.md, "Accounts"): the form and this cookie
// carry the same random value, which another site can neither read nor set.
constexpr const char* kLoginCsrfCookie = "__Host-attest_csrf";
constexpr const char* kFontDir = "/usr/share/fonts/truetype/noto/";
constexpr const char* kFonts[] = {"NotoSans-Regular.ttf",        "NotoSans-Bold.ttf",
                                  "NotoSansHebrew-Regular.ttf",  "NotoSansHebrew-Bold.ttf",
                                  "NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"};

std::string Url(const std::string& s) { return httplib::detail::encode_query_param(s); }

// The interface-language preference, as the switcher (/ui) and a page's ?lang= set it.
std::string UiCookie(const std::string& lang) {
  return std::string(kUiCookie) + "=" + lang + "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly";
}

bool IsUiLanguage(const std::string& lang) {
  const auto& langs = UiLanguages();
  return std::find(langs.begin(), langs.end(), lang) != langs.end();
}

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

// Text split into plain and marked parts (byte ranges), for templates that escape each.
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

// A page image, with the boxes of matched words to draw over it (in OCR's pixels).
Json PageImage(const std::string& src, const PageBoxes* boxes) {
  Json image = {{"src", src}, {"hits", false}};  // false: no lookup in the enclosing sections
  if (boxes && !boxes->boxes.empty() && boxes->width > 0 && boxes->height > 0) {
    Json rects = Json::array();
    for (const Box& b : boxes->boxes) {
      rects.push_back({{"x", b.x0}, {"y", b.y0}, {"w", b.x1 - b.x0}, {"h", b.y1 - b.y0}});
    }
    image["hits"] = {{"width", boxes->width}, {"height", boxes->height}, {"rects", rects}};
  }
  return image;
}

// Marks code-point ranges of a version's text (RecordMarks) in a segment of it that starts at
// code point `start`.
Json MarkCodePoints(const std::string& text, int64_t start,
                    const std::vector<std::pair<int64_t, int64_t>>& ranges) {
  if (start < 0 || ranges.empty()) return Parts(text, {});
  // Byte offset of each code point of the segment, and of its end.
  std::vector<uint32_t> at;
  for (uint32_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) at.push_back(i);
  }
  at.push_back(static_cast<uint32_t>(text.size()));
  const int64_t n = static_cast<int64_t>(at.size()) - 1;
  std::vector<std::pair<uint32_t, uint32_t>> marks;
  for (auto [from, to] : ranges) {
    int64_t s = from - start, e = to - start;
    if (e <= 0 || s >= n) continue;
    marks.emplace_back(at[std::max<int64_t>(s, 0)], at[std::min<int64_t>(e, n)]);
  }
  return Parts(text, marks);
}

class PageContext {
 public:
  // A page's own ?lang= (one of the interface languages; anything else is ignored) chooses as
  // the switcher does and is remembered the same way, so a shared link opens in its language.
  PageContext(Site* site, const Request& req) : site_(site), req_(req) {
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

  void Send(Response& res, const std::string& name, const Json& view, int status = 200) const {
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

  void Error(Response& res, archive::Archive* a, int status) const {
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
  const Request& req_;
  std::string lang_;
  bool remember_ = false;  // chosen by the page's ?lang=: set the preference cookie
  const Json* t_;
  mutable Json account_ = false;  // false: no lookup in an enclosing context
};

// Opens the archive and identifies the caller for a page; answers itself on failure.
// `form_csrf`: the form token of a form the handler read itself (multipart), if any.
bool BeginPage(Site* site, const Request& req, Response& res, const PageContext& pc,
               std::optional<ArchivePool::Lease>* a, access::Subject* subject,
               std::string_view form_csrf = {}) {
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
  a->emplace(std::move(*lease));
  *subject = *who;
  return true;
}

std::string RecordTitle(const meta::Record& r, const PageContext& pc) {
  Json shown = ShownMeta(NewestOriginal(r));
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
  v["href"] =
      SegmentLink(record, h["segment"].get<std::string>(), h.value("start_ms", int64_t{-1}));
  return v;
}

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

// The login form, with its double-submit token (a new one each time the form is shown).
void SendLoginForm(Site* site, const Request& req, Response& res, const PageContext& pc,
                   archive::Archive* a, const std::string& name, const std::string& error,
                   int status) {
  uint8_t raw[32];
  site->env->RandomBytes(raw, sizeof(raw));
  std::string token = Base32Lower(raw, sizeof(raw), 52);
  res.set_header("Set-Cookie", std::string(kLoginCsrfCookie) + "=" + token +
                                   "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=3600");
  res.set_header("Cache-Control", "no-store");
  Json v = pc.Base(a, pc.t()["login_title"], "login");
  v["csrf"] = token;
  v["name"] = name;
  v["back"] = SafeRedirectTarget(Param(req, "back"));
  v["error"] = error.empty() ? Json(false) : Json(error);
  pc.Send(res, "login", v, status);
}

void RegisterLogin(Site* site, httplib::Server* svr) {
  svr->Get("/login", [site](const Request& req, Response& res) {
    PageContext pc(site, req);
    std::optional<ArchivePool::Lease> a;
    access::Subject subject;
    if (!BeginPage(site, req, res, pc, &a, &subject)) return;
    SendLoginForm(site, req, res, pc, a->get(), "", "", 200);
  });

  svr->Post("/login", [site](const Request& req, Response& res) {
    PageContext pc(site, req);
    auto lease = site->pool.Acquire();
    if (!lease.ok()) return pc.Error(res, nullptr, 503);
    archive::Archive* a = lease->get();
    // Login CSRF: the form's token must be the one this browser's form page was given.
    std::string cookie = CookieValue(req, kLoginCsrfCookie);
    std::string given = Param(req, "csrf");
    if (cookie.empty() || given.empty() || !ConstantTimeEquals(cookie, given)) {
      return pc.Error(res, a, 403);
    }
    std::string name = Param(req, "name");
    const std::string address = ClientAddress(site, req);
    int64_t wait = 1;
    auto s = a->accounts().LogIn(&site->throttle, name, Param(req, "password"), address, &wait);
    if (!s.ok()) {
      std::string shown_name = access::CheckUserName(name).ok() ? name : "";
      if (s.status().code() == Code::kExhausted) {
        res.set_header("Retry-After", std::to_string(std::max<int64_t>(wait, 1)));
        return SendLoginForm(site, req, res, pc, a, shown_name, pc.t()["login_throttled"], 429);
      }
      if (s.status().code() == Code::kInvalidArgument) {  // not an account's name; nothing tried
        return SendLoginForm(site, req, res, pc, a, "", pc.t()["login_bad_name"], 400);
      }
      if (s.status().code() != Code::kUnauthenticated) return pc.Error(res, a, 500);
      return SendLoginForm(site, req, res, pc, a, shown_name,
                           s.status().message() == "this account is disabled"
                               ? pc.t()["login_disabled"]
                               : pc.t()["login_wrong"],
                           401);
    }
    // A new session, whatever the browser sent: a cookie planted before login is never the
    // one that carries the login (session fixation).
    res.set_header("Set-Cookie", SessionCookie(s->secret, access::kSessionSeconds));
    res.set_header("Set-Cookie", std::string(kLoginCsrfCookie) +
                                     "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    res.set_header("Cache-Control", "no-store");
    res.set_redirect(SafeRedirectTarget(Param(req, "back")), 303);
  });

  svr->Post("/logout", [site](const Request& req, Response& res) {
    PageContext pc(site, req);
    std::optional<ArchivePool::Lease> a;
    access::Subject subject;
    if (!BeginPage(site, req, res, pc, &a, &subject)) return;  // checks the form's token
    if (!subject.user.empty()) {
      auto st = (*a)->accounts().LogOut(CookieValue(req, kSessionCookie));
      if (!st.ok()) return pc.Error(res, a->get(), 500);
    }
    res.set_header("Set-Cookie", SessionCookie("", 0));
    res.set_header("Cache-Control", "no-store");
    res.set_redirect("/", 303);
  });
}

}  // namespace

void PageError(Site* site, const Request& req, Response& res, int status) {
  PageContext pc(site, req);
  auto lease = site->pool.Acquire();
  pc.Error(res, lease.ok() ? lease->get() : nullptr, status);
}

void RegisterPages(Site* site, httplib::Server* svr) {
  svr->Get(R"(/static/([a-z0-9_-]{1,64})\.(css|js))", [](const Request& req, Response& res) {
    std::string ext = req.matches[2];
    ServeAsset("static/" + std::string(req.matches[1]) + "." + ext,
               ext == "css" ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8", res);
  });

  svr->Get(R"(/fonts/([A-Za-z-]{1,64}\.ttf))", [site](const Request& req, Response& res) {
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
  });

  // The interface-language switcher: a preference cookie, then back where the reader was.
  svr->Get("/ui", [](const Request& req, Response& res) {
    std::string lang = Param(req, "lang");
    if (!IsUiLanguage(lang)) {
      return Problem(res, 400, "bad-request", "Bad Request", "lang must be one of ar, en, fr, he");
    }
    res.set_header("Set-Cookie", UiCookie(lang));
    res.set_redirect(SafeRedirectTarget(Param(req, "back")), 303);
  });

  svr->Get("/", [site](const Request& req, Response& res) {
    PageContext pc(site, req);
    std::optional<ArchivePool::Lease> a;
    access::Subject subject;
    if (!BeginPage(site, req, res, pc, &a, &subject)) return;
    auto recs = service::ReadableRecords(service::ScopeOf(a->get(), subject));
    if (!recs.ok()) return pc.Error(res, a->get(), 500);
    Json v = pc.Base(a->get(), pc.t()["nav_home"], "home");
    std::map<std::string, std::pair<uint64_t, std::map<std::string, uint64_t>>> groups;
    Json records = Json::array();
    for (const auto& r : *recs) {
      const std::string& lang = r.versions.front().lang;
      if (!r.collection_id.empty()) {
        groups[r.collection_id].first++;
        groups[r.collection_id].second[lang]++;
      }
      if (records.size() < 50) {
        records.push_back({{"id", r.id},
                           {"title", RecordTitle(r, pc)},
                           {"lang_name", pc.LangName(lang)},
                           {"witness", r.witness_id}});
      }
    }
    Json collections = Json::array();
    for (const auto& [id, g] : groups) {
      Json langs = Json::array();
      for (const auto& [l, n] : g.second)
        langs.push_back({{"name", pc.LangName(l)}, {"count", std::to_string(n)}});
      collections.push_back({{"id", id},
                             {"query", Url("collection:" + id)},
                             {"records", std::to_string(g.first)},
                             {"languages", langs}});
    }
    v["collections"] = collections;
    v["has_collections"] = !collections.empty();
    v["records"] = records;
    v["q"] = "";
    pc.Send(res, "home", v);
  });

  svr->Get("/search", [site](const Request& req, Response& res) {
    PageContext pc(site, req);
    std::optional<ArchivePool::Lease> a;
    access::Subject subject;
    if (!BeginPage(site, req, res, pc, &a, &subject)) return;
    std::string q = Param(req, "q");
    Json v = pc.Base(a->get(), q.empty() ? pc.t()["nav_search"].get<std::string>() : q, "search");
    v["q"] = q;
    if (q.empty()) return pc.Send(res, "search", v);
    search::SearchRequest sr;
    sr.query = q;
    sr.role = SearchRole(subject);
    sr.cursor = Param(req, "cursor");
    sr.limit = 10;
    auto found = (*a)->finder().Search(sr);
    if (!found.ok()) {
      if (found.status().code() == Code::kInvalidArgument) {
        v["error"] = found.status().message();
        return pc.Send(res, "search", v, 400);
      }
      return pc.Error(res, a->get(), 500);
    }
    if (!service::Auditor(service::ScopeOf(a->get(), subject)).Searched(*found, "search").ok()) {
      return pc.Error(res, a->get(), 500);
    }
    archive::Archive* ar = a->get();
    Json r =
        archive::SearchResultsToJson(*found, [ar](int64_t id) { return ar->SegmentRef(id); });
    v["searched"] = true;
    v["total"] = std::to_string(r["total_estimate"].get<uint64_t>());
    v["records_total"] = std::to_string(r["records_estimate"].get<uint64_t>());
    v["estimated"] = !r["counts_exact"].get<bool>();
    std::string suffix = "?q=" + Url(q);
    // Results grouped by witness, in the order of each witness's best record.
    Json groups = Json::array();
    std::map<std::string, size_t> group_of;
    for (const auto& rec : r["records"]) {
      std::string w = rec["witness"];
      if (!group_of.count(w)) {
        group_of[w] = groups.size();
        groups.push_back({{"witness", w}, {"records", Json::array()}});
      }
      auto full = (*a)->records().Get(rec["record"]);
      std::string title = full.ok() ? RecordTitle(*full, pc) : rec["record"].get<std::string>();
      Json hits = Json::array();
      for (const auto& h : rec["segments"]) hits.push_back(HitView(h, rec["record"], pc));
      uint64_t more = rec["matching_segments"].get<uint64_t>() - rec["segments"].size();
      Json rv = {
          {"record", rec["record"]}, {"title", title}, {"hits", hits}, {"query_suffix", suffix}};
      if (more > 0) rv["more"] = std::to_string(more);
      groups[group_of[w]]["records"].push_back(rv);
    }
    v["groups"] = groups;
    Json facets = Json::array();
    struct F {
      const char* key;
      const char* label;
      const char* field;
    };
    for (F f : {F{"lang", "facet_lang", "lang"}, F{"collection", "facet_collection", "collection"},
                F{"place", "facet_place", "place"}, F{"month", "facet_month", "date"}}) {
      Json items = Json::array();
      for (auto it = r["facets"][f.key].begin(); it != r["facets"][f.key].end(); ++it) {
        std::string value = it.key();
        std::string filter = std::string(f.field) + ":" +
                             (value.find(' ') != std::string::npos ? "\"" + value + "\"" : value);
        if (q.find(filter) != std::string::npos) continue;  // already applied
        std::string label = std::string(f.key) == "lang" ? pc.LangName(value) : value;
        items.push_back({{"label", label},
                         {"count", std::to_string(it.value().get<uint64_t>())},
                         {"href", "/search?q=" + Url(q + " " + filter)}});
      }
      if (!items.empty()) facets.push_back({{"label", pc.t()[f.label]}, {"items", items}});
    }
    v["facets"] = facets;
    v["has_facets"] = !facets.empty();
    if (r.contains("next_cursor")) {
      v["next_href"] = "/search?q=" + Url(q) + "&cursor=" + Url(r["next_cursor"]);
    }
    if (!sr.cursor.empty()) v["first_href"] = "/search?q=" + Url(q);
    pc.Send(res, "search", v);
  });

  svr->Get(R"(/records/([a-z0-9]{1,64}))", [site](const Request& req, Response& res) {
    PageContext pc(site, req);
    std::optional<ArchivePool::Lease> a;
    access::Subject subject;
    if (!BeginPage(site, req, res, pc, &a, &subject)) return;
    auto view = service::ViewRecord(service::ScopeOf(a->get(), subject), req.matches[1]);
    if (!view.ok()) return pc.Error(res, a->get(), HttpStatusFor(view.status()));
    const Json& j = view->json;
    const meta::Record& r = view->record;
    std::string title = RecordTitle(r, pc);
    Json v = pc.Base(a->get(), title, "none");
    v["title"] = title;
    if (!r.witness_id.empty()) v["witness"] = r.witness_id;  // an empty string shows in mustache
    if (!r.collection_id.empty()) v["collection"] = r.collection_id;
    v["lang_name"] = pc.LangName(j["lang"]);
    if (j["meta"].contains("note")) v["note"] = j["meta"]["note"];
    if (j["meta"].contains("description")) v["description"] = j["meta"]["description"];
    v["consent_text"] = pc.t()[std::string("consent_") + meta::ConsentName(r.consent)];
    // For those who may change the record: what could not be read of the file it was added as.
    if (j.contains("failed_jobs")) {
      Json failed = Json::array();
      std::string file = j.contains("source") ? j["source"].value("file", "") : "";
      for (const Json& f : j["failed_jobs"]) {
        failed.push_back({{"file", file}, {"kind", f["kind"]}, {"error", f["error"]}});
      }
      v["failed"] = failed;
      v["has_failed"] = true;
    }
    Json changes = Json::array();
    for (const Json& c : j["consent_changes"]) {  // why, for those who may change it
      std::string at = c["at"];
      Json item = {{"at", at},
                   {"day", at.substr(0, 10)},
                   {"from", pc.t().value("level_" + c["from"].get<std::string>(), "")},
                   {"to", pc.t().value("level_" + c["to"].get<std::string>(), "")},
                   {"leaf_index", c["leaf_index"]},
                   {"segment", c.contains("segment") ? c["segment"] : Json(false)},
                   {"passage", c.contains("passage")}};
      if (c.contains("reason")) item["reason"] = c["reason"];
      changes.push_back(item);
    }
    v["has_consent_changes"] = !changes.empty();
    v["consent_changes"] = changes;

    int64_t t_ms = -1;
    std::string t = Param(req, "t");
    if (!t.empty() && t.size() <= 7 && t.find_first_not_of("0123456789") == std::string::npos) {
      t_ms = std::stoll(t) * 1000;
    }
    std::string q = Param(req, "q");
    // A record opened from a search marks what the search matched, found by the search itself.
    auto marks = service::RecordMarks(service::ScopeOf(a->get(), subject), *view, q);
    // The matched words drawn on the page images OCR read, by page.
    std::map<int, PageBoxes> drawn;
    {
      std::vector<std::pair<int64_t, int64_t>> all;
      for (const auto& [id, ranges] : marks) all.insert(all.end(), ranges.begin(), ranges.end());
      auto boxes = OcrBoxes(a->get(), *view, all);
      if (boxes.ok()) drawn = std::move(*boxes);
    }
    auto marks_of = [&](const meta::SegmentState& s) {
      auto it = marks.find(s.segment.id);
      return MarkCodePoints(
          s.segment.text, s.segment.char_start,
          it == marks.end() ? std::vector<std::pair<int64_t, int64_t>>() : it->second);
    };

    // Player: the access copy if there is one, else the original when it is audio or video.
    const MediaFile* play = nullptr;
    std::string play_name;
    for (const char* name : {"access", "original"}) {
      auto it = view->media.find(name);
      if (it != view->media.end() && (it->second.kind == "audio" || it->second.kind == "video")) {
        play = &it->second;
        play_name = name;
        break;
      }
    }
    if (play) {
      std::string src = "/api/v1/records/" + r.id + "/media/" + play_name;
      if (t_ms >= 0)
        src += "#t=" + std::to_string(t_ms / 1000);  // media fragment: no script needed
      Json p = {{"src", src}, {"video", play->kind == "video"}};
      if (view->media.count("poster")) p["poster"] = "/api/v1/records/" + r.id + "/media/poster";
      v["player"] = p;
    }
    auto orig = view->media.find("original");
    if (orig != view->media.end()) {
      // An image browsers show (PNG, JPEG) is shown itself, a one-page document.
      const std::string& mime = orig->second.mime;
      if (orig->second.kind == "image" && (mime == "image/png" || mime == "image/jpeg")) {
        auto d = drawn.find(1);
        v["image"] = PageImage("/api/v1/records/" + r.id + "/media/original",
                               d == drawn.end() ? nullptr : &d->second);
      }
      v["download"] = "/api/v1/records/" + r.id + "/media/original";
    }

    std::string provenance;
    for (const auto& ver : j["versions"]) {
      if (ver["version"] == view->text_version && ver.contains("derived")) {
        std::string tool = ver["derived"]["tool"];
        provenance =
            tool == "human"
                ? pc.t()["human_transcript"].get<std::string>()
                : (view->artifact == "transcript"
                       ? pc.t()["machine_transcript"].get<std::string>() + " (" + tool + ")"
                       : tool);
      }
    }
    v["provenance"] = provenance;

    bool timed = false;
    for (const auto& s : view->segments) timed |= s.segment.start_ms >= 0;
    if (timed) {
      Json lines = Json::array();
      const meta::SegmentState* current = nullptr;
      for (const auto& s : view->segments) {
        if (t_ms >= 0 && s.segment.start_ms <= t_ms) current = &s;
      }
      for (const auto& s : view->segments) {
        std::string lang = s.segment.lang.empty() ? "und" : s.segment.lang;
        lines.push_back(
            {{"id", (*a)->SegmentRef(s.segment.id)},
             {"start_ms", std::to_string(std::max<int64_t>(0, s.segment.start_ms))},
             {"end_ms", std::to_string(std::max<int64_t>(0, s.segment.end_ms))},
             {"time", FormatClock(s.segment.start_ms)},
             {"href", "/records/" + r.id + "?t=" + std::to_string(s.segment.start_ms / 1000)},
             {"lang", lang},
             {"dir", Direction(lang)},
             {"current", current == &s},
             {"parts", marks_of(s)}});
      }
      v["lines"] = lines;
      v["has_lines"] = !lines.empty();
    } else if (!view->segments.empty()) {
      Json pages = Json::array();
      int last_page = -2;
      for (const auto& s : view->segments) {
        if (s.segment.page != last_page) {
          Json pg = {{"paragraphs", Json::array()}};
          if (s.segment.page >= 0) pg["number"] = std::to_string(s.segment.page);
          std::string image = "page-" + std::to_string(s.segment.page);
          if (view->media.count(image)) {
            auto d = drawn.find(s.segment.page);
            pg["image"] = PageImage("/api/v1/records/" + r.id + "/media/" + image,
                                    d == drawn.end() ? nullptr : &d->second);
          }
          pages.push_back(pg);
          last_page = s.segment.page;
        }
        std::string lang = s.segment.lang.empty() ? "und" : s.segment.lang;
        pages.back()["paragraphs"].push_back({{"id", (*a)->SegmentRef(s.segment.id)},
                                              {"lang", lang},
                                              {"dir", Direction(lang)},
                                              {"parts", marks_of(s)}});
      }
      v["pages"] = pages;
      v["has_pages"] = true;
    }

    Json versions = Json::array();
    for (const auto& ver : j["versions"]) {
      Json row = {
          {"version", std::to_string(ver["version"].get<int>())},
          {"created", ver["created"]},
          {"leaf_index", std::to_string(ver["leaf_index"].get<uint64_t>())},
          {"manifest_short", ver.contains("manifest_sha256")
                                 ? ver["manifest_sha256"].get<std::string>().substr(0, 16) + "…"
                                 : std::string("—")}};
      if (ver.contains("derived")) {
        row["made"] = true;
        row["artifact"] = ver["derived"]["artifact"];
        row["tool"] = ver["derived"]["tool"];
        row["from"] = std::to_string(ver["derived"]["from"].get<int>());
      }
      versions.push_back(row);
    }
    v["versions"] = versions;
    auto cp = (*a)->verifier().Checkpoint();
    v["checkpoint"] = cp.ok() ? cp->note : "";
    v["vkey"] = (*a)->verifier().VerifierKey();
    v["proof"] = "/api/v1/records/" + r.id + "/proof";
    std::string host = req.get_header_value("Host");
    std::string cite_path =
        "/records/" + r.id + (t_ms >= 0 ? "?t=" + std::to_string(t_ms / 1000) : "");
    bool host_ok = !host.empty() && host.size() < 256 &&
                   host.find_first_not_of(
                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") ==
                       std::string::npos;
    v["cite_url"] = host_ok ? "http://" + host + cite_path : cite_path;
    v["citation"] = Citation(*view, site->origin, t_ms);
    pc.Send(res, "record", v);
  });

  svr->Get(R"(/witnesses/([^/]{1,200}))", [site](const Request& req, Response& res) {
    PageContext pc(site, req);
    std::optional<ArchivePool::Lease> a;
    access::Subject subject;
    if (!BeginPage(site, req, res, pc, &a, &subject)) return;
    std::string id = req.matches[1];
    if (!archive::IsValidId(id)) return pc.Error(res, a->get(), 404);
    auto recs = service::ReadableRecords(service::ScopeOf(a->get(), subject));
    if (!recs.ok()) return pc.Error(res, a->get(), 500);
    Json records = Json::array();
    for (const auto& r : *recs) {
      if (r.witness_id != id) continue;
      records.push_back({{"id", r.id},
                         {"title", RecordTitle(r, pc)},
                         {"lang_name", pc.LangName(r.versions.front().lang)},
                         {"created", r.created}});
    }
    if (records.empty()) return pc.Error(res, a->get(), 404);
    Json v = pc.Base(a->get(), pc.t()["witness"].get<std::string>() + " " + id, "none");
    v["witness"] = id;
    v["records"] = records;
    pc.Send(res, "witness", v);
  });

  svr->Get("/perspectives", [site](const Request& req, Response& res) {
    PageContext pc(site, req);
    std::optional<ArchivePool::Lease> a;
    access::Subject subject;
    if (!BeginPage(site, req, res, pc, &a, &subject)) return;
    std::string place = Param(req, "place"), date = Param(req, "date"), q = Param(req, "q");
    Json v = pc.Base(a->get(), pc.t()["perspectives"], "perspectives");
    v["place"] = place;
    v["date"] = date;
    v["q"] = q;
    if (place.empty() && date.empty()) {
      // The empty form offers the places and times the caller may read accounts of.
      auto starts = service::PerspectiveStarts(service::ScopeOf(a->get(), subject));
      if (!starts.ok()) return pc.Error(res, a->get(), 500);
      auto items = [&pc](const std::vector<EventStart>& list, const char* field, bool date) {
        Json out = Json::array();
        for (const EventStart& s : list) {
          std::string langs;
          for (const auto& l : s.langs) {
            langs += (langs.empty() ? "" : pc.t().value("list_separator", ", ")) + pc.LangName(l);
          }
          out.push_back({{"label", s.value},
                         {"dir", date ? "ltr" : "auto"},
                         {"href", std::string("/perspectives?") + field + "=" + Url(s.value)},
                         {"witnesses", std::to_string(s.witnesses) + (s.more ? "+" : "")},
                         {"languages", std::to_string(s.langs.size())},
                         {"language_names", langs.empty() ? Json(false) : Json(langs)}});
        }
        return out;
      };
      Json groups = Json::array();
      if (!starts->places.empty()) {
        groups.push_back({{"id", "starts-places"},
                          {"label", pc.t()["starts_places"]},
                          {"items", items(starts->places, "place", false)}});
      }
      if (!starts->dates.empty()) {
        groups.push_back({{"id", "starts-dates"},
                          {"label", pc.t()["starts_dates"]},
                          {"items", items(starts->dates, "date", true)}});
      }
      v["start_groups"] = groups;
      v["starts"] = true;
      v["has_starts"] = !groups.empty();
      return pc.Send(res, "perspectives", v);
    }
    auto query = EventQuery(place, date, q);
    if (!query.ok()) {
      v["error"] = query.status().message();
      return pc.Send(res, "perspectives", v, 400);
    }
    search::SearchRequest sr;
    sr.query = *query;
    sr.role = SearchRole(subject);
    sr.limit = 60;
    sr.per_record = 2;
    auto found = (*a)->finder().Search(sr);
    if (!found.ok()) {
      if (found.status().code() == Code::kInvalidArgument) {
        v["error"] = found.status().message();
        return pc.Send(res, "perspectives", v, 400);
      }
      return pc.Error(res, a->get(), 500);
    }
    if (!service::Auditor(service::ScopeOf(a->get(), subject)).Searched(*found, "perspectives").ok()) {
      return pc.Error(res, a->get(), 500);
    }
    // One column per language (or, with by=community, per community); in each, one account
    // per witness (their best passages), with the community they speak from.
    bool by_community = Param(req, "by") == "community";
    auto communities = WitnessCommunities(a->get(), *found);
    if (!communities.ok()) return pc.Error(res, a->get(), 500);
    auto community_of = [&](const std::string& w) { return (*communities)[w]; };
    std::map<std::string, std::map<std::string, Json>> by_column;
    std::map<std::string, std::vector<std::string>> order;
    for (const auto& rec : found->records) {
      for (const auto& h : rec.hits) {
        std::string lang = h.lang.empty() ? "und" : h.lang;
        std::string column = by_community ? community_of(rec.witness_id) : lang;
        auto& accounts = by_column[column];
        if (!accounts.count(rec.witness_id)) {
          accounts[rec.witness_id] = {{"witness", rec.witness_id},
                                      {"community", community_of(rec.witness_id)},
                                      {"hits", Json::array()}};
          order[column].push_back(rec.witness_id);
        }
        Json& acc = accounts[rec.witness_id];
        if (acc["hits"].size() >= 2) continue;
        Json hj = {{"segment", (*a)->SegmentRef(h.segment_id)},
                   {"lang", lang},
                   {"snippet", h.snippet},
                   {"highlights", Json::array()}};
        for (auto [s, e] : h.highlights) hj["highlights"].push_back({s, e});
        if (h.start_ms >= 0) hj["start_ms"] = h.start_ms;
        if (h.page >= 0) hj["page"] = h.page;
        acc["hits"].push_back(HitView(hj, rec.record_id, pc));
      }
    }
    Json columns = Json::array();
    for (auto& [column, accounts] : by_column) {
      Json list = Json::array();
      for (const auto& w : order[column]) list.push_back(accounts[w]);
      std::string heading = by_community
                                ? (column.empty() ? pc.t().value("community_unknown", "") : column)
                                : pc.LangName(column);
      columns.push_back({{"heading", heading},
                         {"dir", by_community ? "auto" : Direction(column)},
                         {"count", std::to_string(list.size())},
                         {"accounts", list}});
    }
    // Links that group the same accounts the other way.
    std::string same = "/perspectives?place=" + httplib::detail::encode_query_param(place) +
                       "&date=" + httplib::detail::encode_query_param(date) +
                       "&q=" + httplib::detail::encode_query_param(q);
    v["by_lang_href"] = same;
    v["by_community_href"] = same + "&by=community";
    v["by_community"] = by_community;
    v["columns"] = columns;
    v["searched"] = true;
    pc.Send(res, "perspectives", v);
  });

  // Ask (doc/ask.md): groups, one per witness, each a whole passage in the witness's own
  // words, cited, with the checkpoint that covers every version cited.
  svr->Get("/ask", [site](const Request& req, Response& res) {
    PageContext pc(site, req);
    std::optional<ArchivePool::Lease> a;
    access::Subject subject;
    if (!BeginPage(site, req, res, pc, &a, &subject)) return;
    AskRequest ar;
    ar.question = Param(req, "q");
    ar.filter_lang = Param(req, "filter_lang");
    ar.place = Param(req, "place");
    ar.date = Param(req, "date");
    ar.collection = Param(req, "collection");
    ar.differ = Param(req, "differ") == "1";
    ar.summary = Param(req, "summary") == "1";
    Json v = pc.Base(a->get(), ar.question.empty() ? pc.t()["ask"].get<std::string>() : ar.question,
                     "ask");
    v["q"] = ar.question;
    v["place"] = ar.place;
    v["date"] = ar.date;
    v["collection"] = ar.collection;
    v["differ"] = ar.differ;
    v["summary_asked"] = ar.summary;
    {
      auto config = (*a)->Config();
      v["summary_available"] =
          config.ok() && config->contains("ask") && (*config)["ask"].contains("summary");
    }
    Json langs = Json::array();
    for (const char* l : {"ar", "he", "en", "fr"}) {
      langs.push_back({{"tag", l}, {"name", pc.LangName(l)}, {"selected", ar.filter_lang == l}});
    }
    v["langs"] = langs;
    v["searched"] = false;
    if (ar.question.empty()) return pc.Send(res, "ask", v);
    auto answer = service::Ask(service::ScopeOf(a->get(), subject), ar);
    if (!answer.ok()) {
      if (answer.status().code() == Code::kInvalidArgument) {
        v["error"] = answer.status().message();
        return pc.Send(res, "ask", v, 400);
      }
      return pc.Error(res, a->get(), 500);
    }
    const Json& r = *answer;
    Json groups = Json::array();
    for (const auto& g : r["groups"]) {
      std::string lang = g["lang"];
      std::vector<std::pair<uint32_t, uint32_t>> none;
      Json gv = {{"n", std::to_string(g["n"].get<int>())},
                 {"witness", g["witness"]},
                 {"community", g["community"]},
                 {"has_community", !g["community"].get<std::string>().empty()},
                 {"lang", lang},
                 {"lang_name", pc.LangName(lang)},
                 {"dir", Direction(lang)},
                 {"parts", Parts(g["passage"]["text"], none)},
                 {"citation", g["citation"]},
                 {"play", g["play"]},
                 {"proof", g["proof"]},
                 {"title", g.value("title", "")},
                 {"has_time", g["passage"].contains("start_ms")},
                 {"time", g["passage"].contains("start_ms")
                              ? FormatClock(g["passage"]["start_ms"].get<int64_t>())
                              : ""}};
      Json more = Json::array();
      for (const auto& m : g["more"]) {
        std::string ml = m["lang"];
        more.push_back({{"href", m["href"]},
                        {"lang", ml},
                        {"dir", Direction(ml)},
                        {"parts", Parts(m["snippet"], none)}});
      }
      gv["more"] = more;
      gv["has_more"] = !more.empty();
      groups.push_back(gv);
    }
    v["groups"] = groups;
    v["searched"] = true;
    v["count"] = std::to_string(groups.size());
    // The spread bar: how the voices shown spread over languages, communities and places.
    Json spread = Json::array();
    size_t total = groups.size();
    for (const char* key : {"lang", "community", "place"}) {
      Json items = Json::array();
      for (auto it = r["spread"][key].begin(); it != r["spread"][key].end(); ++it) {
        uint64_t n = it.value();
        std::string label = std::string(key) == "lang" ? pc.LangName(it.key()) : it.key();
        items.push_back({{"label", label},
                         {"count", std::to_string(n)},
                         {"percent", std::to_string(total ? 100 * n / total : 0)}});
      }
      if (!items.empty()) {
        spread.push_back({{"label", pc.t()[std::string("ask_spread_") + key]}, {"items", items}});
      }
    }
    v["spread"] = spread;
    v["has_spread"] = !spread.empty();
    Json notices = Json::array();
    for (const auto& n : r["notices"]) {
      // The notice in the page's language (the API gives it in English).
      notices.push_back(n.get<std::string>().rfind("Hebrew", 0) == 0 ? pc.t()["ask_notice_hebrew"]
                                                                     : n);
    }
    v["notices"] = notices;
    v["checkpoint_size"] = std::to_string(r["checkpoint"]["size"].get<uint64_t>());
    v["checkpoint_origin"] = r["checkpoint"]["origin"];
    v["checkpoint_note"] = r["checkpoint"]["note"];
    std::string self = "/ask?q=" + Url(ar.question) + "&filter_lang=" + Url(ar.filter_lang) +
                       "&place=" + Url(ar.place) + "&date=" + Url(ar.date) +
                       "&collection=" + Url(ar.collection);
    v["differ_href"] = self + (ar.differ ? "" : "&differ=1");
    v["has_summary"] = false;
    if (r["summary"].is_object()) {
      const Json& sm = r["summary"];
      v["has_summary"] = true;
      v["summary_text"] = sm.value("text", "");
      v["summary_error"] = sm.value("error", "");
      v["summary_has_error"] = sm.contains("error");
      Json cites = Json::array();
      for (const auto& n : sm.value("cites", Json::array())) {
        cites.push_back({{"n", std::to_string(n.get<int>())}});
      }
      v["summary_cites"] = cites;
    }
    pc.Send(res, "ask", v);
  });

  auto verify_page = [site](const Request& req, Response& res, const std::string& sha,
                            const std::string& error, std::string_view form_csrf = {}) {
    PageContext pc(site, req);
    std::optional<ArchivePool::Lease> a;
    access::Subject subject;
    if (!BeginPage(site, req, res, pc, &a, &subject, form_csrf)) return;
    Json v = pc.Base(a->get(), pc.t()["verify_title"], "verify");
    v["sha256"] = sha;
    if (!error.empty()) {
      v["error"] = error;
      return pc.Send(res, "verify", v, 400);
    }
    if (!sha.empty()) {
      auto out = service::VerifyBlob(service::ScopeOf(a->get(), subject), sha);
      if (!out.ok()) return pc.Error(res, a->get(), 500);
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
  };

  svr->Get("/verify", [verify_page](const Request& req, Response& res) {
    std::string sha = Param(req, "sha256");
    std::transform(sha.begin(), sha.end(), sha.begin(), ::tolower);
    if (!sha.empty() && !IsSha256Hex(sha)) {
      return verify_page(req, res, "", "sha256 must be 64 hexadecimal characters");
    }
    verify_page(req, res, sha, "");
  });

  // The form without script: the file is uploaded, hashed as it arrives, and dropped.
  svr->Post("/verify", [verify_page](const Request& req, Response& res,
                                     const httplib::ContentReader& reader) {
    if (!req.is_multipart_form_data()) {
      return verify_page(req, res, "", "send the form as multipart/form-data");
    }
    VerifyForm form = ReadVerifyForm(reader);
    if (!form.whole) {
      return verify_page(req, res, "", "the form did not arrive whole; send it again", form.csrf);
    }
    std::string sha = form.bytes > 0 ? form.file_sha : form.sha_field;
    if (!IsSha256Hex(sha)) {
      return verify_page(req, res, "", "sha256 must be 64 hexadecimal characters", form.csrf);
    }
    verify_page(req, res, sha, "", form.csrf);
  });

  RegisterLogin(site, svr);
}

}  // namespace attest::http
