// Search, Ask, suggestions and events (doc/api.md, doc/ask.md).
#include <charconv>
#include <map>

#include "http/api_common.h"
#include "http/paging.h"
#include "http/routes.h"
#include "service/ask.h"
#include "service/auditor.h"
#include "service/events.h"
#include "service/scope.h"
#include "search/query.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;
using service::AskRequest;
using service::EventQuery;
using service::SearchRole;
using service::WitnessCommunities;

void RegisterSearchRoutes(Site* site, httplib::Server* svr) {
  svr->Get("/api/v1/search", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    search::SearchRequest sr;
    sr.query = Param(req, "q");
    if (sr.query.empty())
      return Problem(res, 400, "bad-request", "Bad Request",
                     "q is empty: give words to search for");
    sr.role = SearchRole(c.subject);
    sr.cursor = Param(req, "cursor");
    size_t offset, limit;
    std::string lim = Param(req, "limit");
    {
      httplib::Request copy;  // Paging reads limit only; the search has its own cursors
      copy.params.emplace("limit", lim.empty() ? "10" : lim);
      if (!Paging(copy, res, &offset, &limit)) return;
    }
    sr.limit = limit;
    auto r = (*c.a)->finder().Search(sr);
    if (!r.ok()) return ProblemFor(res, r.status());
    if (Status st = service::Auditor(service::ScopeOf(c.a->get(), c.subject)).Searched(*r, "search"); !st.ok()) {
      return ProblemFor(res, st);
    }
    archive::Archive* ar = c.a->get();
    Json out = archive::SearchResultsToJson(*r, [ar](int64_t id) { return ar->SegmentRef(id); });
    out["query"] = sr.query;
    SendJson(res, out);
  });

  // Ask (doc/ask.md): many witnesses' own words, side by side, cited.
  svr->Get("/api/v1/ask", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    AskRequest ar;
    ar.question = Param(req, "q");
    if (ar.question.empty())
      return Problem(res, 400, "bad-request", "Bad Request", "q is empty: ask a question");
    ar.lang = Param(req, "lang");
    ar.filter_lang = Param(req, "filter_lang");
    ar.place = Param(req, "place");
    ar.date = Param(req, "date");
    ar.collection = Param(req, "collection");
    std::string differ = Param(req, "differ");
    ar.differ = differ == "1" || differ == "true";
    std::string summary = Param(req, "summary");
    ar.summary = summary == "1" || summary == "true";
    if (std::string lim = Param(req, "limit"); !lim.empty()) {
      auto [p, ec] = std::from_chars(lim.data(), lim.data() + lim.size(), ar.limit);
      if (ec != std::errc() || p != lim.data() + lim.size()) {
        return Problem(res, 400, "bad-request", "Bad Request",
                       "limit must be a number of witnesses, 1 to 50");
      }
    }
    auto answer = service::Ask(service::ScopeOf(c.a->get(), c.subject), ar);
    if (!answer.ok()) return ProblemFor(res, answer.status());
    SendJson(res, *answer);
  });

  svr->Get("/api/v1/suggest", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    std::string q = Param(req, "q");
    if (q.empty() || q.size() > 100) {
      return Problem(res, 400, "bad-request", "Bad Request",
                     "q must be 1 to 100 bytes of a word's beginning");
    }
    auto s = (*c.a)->finder().Suggest(q, SearchRole(c.subject), 10);
    if (!s.ok()) return ProblemFor(res, s.status());
    Json items = Json::array();
    for (const auto& x : *s) items.push_back({{"word", x.word}, {"segments", x.segments}});
    SendJson(res, {{"suggestions", items}});
  });

  // Events: what witnesses said of a place and a time, grouped by witness.
  svr->Get("/api/v1/events", [site](const Request& req, Response& res) {
    Call c;
    if (!Begin(site, req, res, &c)) return;
    std::string place = Param(req, "place"), date = Param(req, "date"), words = Param(req, "q");
    auto query = EventQuery(place, date, words);
    if (!query.ok()) return ProblemFor(res, query.status());
    search::SearchRequest sr;
    sr.query = *query;
    sr.role = SearchRole(c.subject);
    sr.limit = 50;
    sr.per_record = 5;
    sr.cursor = Param(req, "cursor");
    auto r = (*c.a)->finder().Search(sr);
    if (!r.ok()) return ProblemFor(res, r.status());
    if (Status st = service::Auditor(service::ScopeOf(c.a->get(), c.subject)).Searched(*r, "events"); !st.ok()) {
      return ProblemFor(res, st);
    }
    archive::Archive* ar = c.a->get();
    Json found =
        archive::SearchResultsToJson(*r, [ar](int64_t id) { return ar->SegmentRef(id); });
    std::map<std::string, Json> by_witness;
    auto communities = WitnessCommunities(c.a->get(), *r);
    if (!communities.ok()) return ProblemFor(res, communities.status());
    for (const auto& rec : found["records"]) {
      std::string w = rec["witness"];
      if (!by_witness.count(w)) {
        by_witness[w] = {
            {"witness", w}, {"community", (*communities)[w]}, {"records", Json::array()}};
      }
      by_witness[w]["records"].push_back(rec);
    }
    Json groups = Json::array();
    for (auto& [w, g] : by_witness) groups.push_back(g);
    Json out = {{"place", place},
                {"date", date},
                {"query", sr.query},
                {"witnesses", groups},
                {"facets", found["facets"]},
                {"total_estimate", found["total_estimate"]}};
    if (found.contains("next_cursor")) out["next_cursor"] = found["next_cursor"];
    SendJson(res, out);
  });
}

}  // namespace attest::http
