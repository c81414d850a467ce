// The review queue (doc/workspace.md, "The review queue"): records whose newest transcript or
// OCR text a machine made and no person has corrected yet, by collection and language, with
// the machine's confidence, each a link to its editor. For archivists and admins.
#include <string>

#include "http/numbers.h"
#include "http/pages_common.h"
#include "http/routes.h"
#include "service/accounts.h"
#include "service/listing.h"
#include "service/review.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

constexpr size_t kPerPage = 50;

Json Choices(const std::vector<std::string>& values, const std::string& selected,
             const std::function<std::string(const std::string&)>& name) {
  Json out = Json::array();
  for (const auto& v : values) {
    out.push_back({{"value", v}, {"name", name(v)}, {"selected", v == selected}});
  }
  return out;
}

void ReviewPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;
  if (!service::MayWrite(c.scope())) {
    if (c.subject.role == access::Role::kAnonymous) {
      res.set_redirect("/login?back=%2Freview", 303);
      return;
    }
    return pc.Error(res, c.archive(), 403, "forbidden_staff");
  }
  const std::string collection = Param(req, "collection").substr(0, 200);
  const std::string lang = Param(req, "lang_of").substr(0, 16);
  std::optional<uint64_t> page = ParseDigits(Param(req, "page"), 6);
  size_t at = page && *page > 1 ? static_cast<size_t>(*page - 1) * kPerPage : 0;
  auto q = service::ListReviewQueue(c.scope(), collection, lang, at, kPerPage);
  if (!q.ok()) return pc.Error(res, c.archive(), HttpStatusFor(q.status()));
  std::vector<meta::Record> shown;
  Json items = Json::array();
  for (const auto& item : q->items) {
    shown.push_back(item.record);
    Json row = {{"id", item.record.id},
                {"title", RecordTitle(item.record, pc)},
                {"collection", item.record.collection_id},
                {"lang_name", pc.LangName(item.lang)},
                {"kind", pc.t()[item.artifact == "ocr" ? "review_ocr" : "review_transcript"]},
                {"tool", item.tool + (item.model.empty() ? "" : " (" + item.model + ")")},
                {"created", item.created.substr(0, 10)},
                {"confidence", item.confidence < 0 ? std::string("—")
                                                   : std::to_string(item.confidence / 10) + " %"},
                {"low", item.confidence >= 0 && item.confidence < 700}};
    row["href"] = "/records/" + item.record.id +
                  (item.artifact == "ocr" ? "/ocr/edit" : "/transcript/edit");
    items.push_back(std::move(row));
  }
  if (!service::AuditListed(c.scope(), "review", shown).ok()) {
    return pc.Error(res, c.archive(), 500);
  }
  res.set_header("Cache-Control", "no-store");
  Json v = pc.Base(c.archive(), pc.t()["review_title"], "review");
  v["items"] = items;
  v["total"] = std::to_string(q->total);
  v["empty"] = q->total == 0;
  v["collections"] = Choices(q->collections, collection, [](const std::string& s) { return s; });
  v["lang_choices"] = Choices(q->languages, lang, [&](const std::string& s) { return pc.LangName(s); });
  const size_t pages = (q->total + kPerPage - 1) / kPerPage;
  const size_t current = at / kPerPage + 1;
  auto link = [&](size_t n) {
    return "/review?collection=" + Url(collection) + "&lang_of=" + Url(lang) +
           "&page=" + std::to_string(n);
  };
  if (current > 1) v["prev"] = link(current - 1);
  if (current < pages) v["next"] = link(current + 1);
  pc.Send(res, "review", v);
}

}  // namespace

void RegisterReviewPages(Site* site, httplib::Server* svr) {
  svr->Get("/review", Bind(site, ReviewPage));
}

}  // namespace attest::http
