// The Perspectives page: accounts of one event (a place, a time) side by side, by language or
// community.
#include <map>

#include "http/pages_common.h"
#include "http/routes.h"
#include "service/auditor.h"
#include "service/events.h"
#include "service/scope.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;
using service::EventStart;

// Starting points (places or dates) as links to their accounts.
Json StartItems(const std::vector<EventStart>& list, const char* field, bool date,
                const PageContext& pc) {
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
}

// The empty form offers the places and times the caller may read accounts of.
Json StartGroups(const service::EventStarts& starts, const PageContext& pc) {
  Json groups = Json::array();
  if (!starts.places.empty()) {
    groups.push_back({{"id", "starts-places"},
                      {"label", pc.t()["starts_places"]},
                      {"items", StartItems(starts.places, "place", false, pc)}});
  }
  if (!starts.dates.empty()) {
    groups.push_back({{"id", "starts-dates"},
                      {"label", pc.t()["starts_dates"]},
                      {"items", StartItems(starts.dates, "date", true, pc)}});
  }
  return groups;
}

// One column per language (or, with `by_community`, per community); in each, one account per
// witness (their best two passages), with the community they speak from.
Json AccountColumns(archive::Archive* a, const search::Results& found,
                    std::map<std::string, std::string>& communities, bool by_community,
                    const PageContext& pc) {
  std::map<std::string, std::map<std::string, Json>> by_column;
  std::map<std::string, std::vector<std::string>> order;
  for (const auto& rec : found.records) {
    for (const auto& h : rec.hits) {
      std::string lang = h.lang.empty() ? "und" : h.lang;
      std::string column = by_community ? communities[rec.witness_id] : lang;
      auto& accounts = by_column[column];
      if (!accounts.count(rec.witness_id)) {
        accounts[rec.witness_id] = {{"witness", rec.witness_id},
                                    {"community", communities[rec.witness_id]},
                                    {"hits", Json::array()}};
        order[column].push_back(rec.witness_id);
      }
      Json& acc = accounts[rec.witness_id];
      if (acc["hits"].size() >= 2) continue;
      Json hj = {{"segment", a->SegmentRef(h.segment_id)},
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
  return columns;
}

void PerspectivesPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;
  std::string place = Param(req, "place"), date = Param(req, "date"), q = Param(req, "q");
  Json v = pc.Base(c.archive(), pc.t()["perspectives"], "perspectives");
  v["place"] = place;
  v["date"] = date;
  v["q"] = q;
  if (place.empty() && date.empty()) {
    auto starts = service::PerspectiveStarts(c.scope());
    if (!starts.ok()) return pc.Error(res, c.archive(), 500);
    Json groups = StartGroups(*starts, pc);
    v["start_groups"] = groups;
    v["starts"] = true;
    v["has_starts"] = !groups.empty();
    return pc.Send(res, "perspectives", v);
  }
  // The same accounts as the API's /events (service::FindEventAccounts), grouped in columns.
  auto found = service::FindEventAccounts(c.scope(), {place, date, q, ""}, "perspectives");
  if (!found.ok()) {
    if (found.status().code() == Code::kInvalidArgument) {
      v["error"] = found.status().message();
      return pc.Send(res, "perspectives", v, 400);
    }
    return pc.Error(res, c.archive(), 500);
  }
  bool by_community = Param(req, "by") == "community";
  // Links that group the same accounts the other way.
  std::string same = "/perspectives?place=" + Url(place) + "&date=" + Url(date) + "&q=" + Url(q);
  v["by_lang_href"] = same;
  v["by_community_href"] = same + "&by=community";
  v["by_community"] = by_community;
  v["columns"] = AccountColumns(c.archive(), found->results, found->communities, by_community, pc);
  v["searched"] = true;
  pc.Send(res, "perspectives", v);
}

}  // namespace

void RegisterPerspectivesPage(Site* site, httplib::Server* svr) {
  svr->Get("/perspectives", Bind(site, PerspectivesPage));
}

}  // namespace attest::http
