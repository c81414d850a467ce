#include "http/pages_common.h"

#include <algorithm>

#include "archive/manifest.h"
#include "service/cite.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;
using service::NewestOriginal;
using service::SegmentLink;
using service::ShownMeta;

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

std::string Url(const std::string& s) { return httplib::detail::encode_query_param(s); }

std::string UiCookie(const std::string& lang) {
  return std::string(kUiCookie) + "=" + lang + "; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly";
}

bool IsUiLanguage(const std::string& lang) {
  const auto& langs = UiLanguages();
  return std::find(langs.begin(), langs.end(), lang) != langs.end();
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

bool BeginPage(Site* site, const Request& req, Response& res, const PageContext& pc,
               std::optional<ArchivePool::Lease>* a, access::Subject* subject,
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

}  // namespace attest::http
