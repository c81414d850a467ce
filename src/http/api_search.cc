// Search, Ask, suggestions and events (doc/api.md, doc/ask.md).
#include <map>

#include "archive/wire_json.h"
#include "http/api_common.h"
#include "http/numbers.h"
#include "http/paging.h"
#include "http/routes.h"
#include "search/query.h"
#include "service/find.h"
#include "service/ask.h"
#include "service/auditor.h"
#include "service/events.h"
#include "service/scope.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

// The wire JSON of search results, segments named by their refs.
Json ResultsJson(archive::Archive* a, const search::Results& found) {
  return archive::SearchResultsToJson(found, [a](int64_t id) { return a->SegmentRef(id); });
}

void GetSearch(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  search::SearchRequest sr;
  sr.query = Param(req, "q");
  if (sr.query.empty())
    return Problem(res, 400, "bad-request", "Bad Request", "q is empty: give words to search for");
  sr.cursor = Param(req, "cursor");  // the search's own cursors, not a list's
  std::string lim = Param(req, "limit");
  if (!PageLimit(lim.empty() ? "10" : lim, res, &sr.limit)) return;
  auto r = service::Search(c.scope(), sr, "search");
  if (!r.ok()) return ProblemFor(res, r.status());
  Json out = ResultsJson(c.archive(), *r);
  out["query"] = sr.query;
  SendJson(res, out);
}

// Ask (doc/ask.md): many witnesses' own words, side by side, cited.
void GetAsk(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  service::AskRequest ar;
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
    std::optional<uint64_t> n = ParseDigits(lim);  // the range is Ask's to check
    if (!n) {
      return Problem(res, 400, "bad-request", "Bad Request",
                     "limit must be a number of witnesses, 1 to 50");
    }
    ar.limit = *n;
  }
  auto answer = service::Ask(c.scope(), ar);
  if (!answer.ok()) return ProblemFor(res, answer.status());
  SendJson(res, *answer);
}

void GetSuggest(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  std::string q = Param(req, "q");
  if (q.empty() || q.size() > 100) {
    return Problem(res, 400, "bad-request", "Bad Request",
                   "q must be 1 to 100 bytes of a word's beginning");
  }
  auto s = service::Suggest(c.scope(), q, 10);
  if (!s.ok()) return ProblemFor(res, s.status());
  Json items = Json::array();
  for (const auto& x : *s) items.push_back({{"word", x.word}, {"segments", x.segments}});
  SendJson(res, {{"suggestions", items}});
}

// Events: what witnesses said of a place and a time, grouped by witness.
void GetEvents(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  service::EventRequest er{Param(req, "place"), Param(req, "date"), Param(req, "q"),
                           Param(req, "cursor")};
  auto found = service::FindEventAccounts(c.scope(), er, "events");
  if (!found.ok()) return ProblemFor(res, found.status());
  Json results = ResultsJson(c.archive(), found->results);
  std::map<std::string, Json> by_witness;
  for (const auto& rec : results["records"]) {
    std::string w = rec["witness"];
    if (!by_witness.count(w)) {
      auto community = found->communities.find(w);
      by_witness[w] = {
          {"witness", w},
          {"community", community == found->communities.end() ? "" : community->second},
          {"records", Json::array()}};
    }
    by_witness[w]["records"].push_back(rec);
  }
  Json groups = Json::array();
  for (auto& [w, g] : by_witness) groups.push_back(g);
  Json out = {{"place", er.place},           {"date", er.date},
              {"query", found->query},       {"witnesses", groups},
              {"facets", results["facets"]}, {"total_estimate", results["total_estimate"]}};
  if (results.contains("next_cursor")) out["next_cursor"] = results["next_cursor"];
  SendJson(res, out);
}

}  // namespace

void RegisterSearchRoutes(Site* site, httplib::Server* svr) {
  svr->Get("/api/v1/search", Bind(site, GetSearch));
  svr->Get("/api/v1/ask", Bind(site, GetAsk));
  svr->Get("/api/v1/suggest", Bind(site, GetSuggest));
  svr->Get("/api/v1/events", Bind(site, GetEvents));
}

}  // namespace attest::http
