// The Home, Search and Ask pages.
#include <map>

#include "archive/wire_json.h"
#include "http/pages_common.h"
#include "ingest/transcripts.h"
#include "http/routes.h"
#include "service/find.h"
#include "service/ask.h"
#include "service/auditor.h"
#include "service/listing.h"
#include "service/record_view.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

// The home page: the collections the caller may read, counted, and the first 50 records.
void HomePage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;
  auto recs = service::ReadableRecords(c.scope());
  if (!recs.ok()) return pc.Error(res, c.archive(), 500);
  Json v = pc.Base(c.archive(), pc.t()["nav_home"], "home");
  Json records = Json::array();
  for (const auto& r : *recs) {
    if (records.size() >= 50) break;
    records.push_back({{"id", r.id},
                       {"title", RecordTitle(r, pc)},
                       {"lang_name", pc.LangName(r.versions.front().lang)},
                       {"witness", r.witness_id}});
  }
  if (!service::AuditListed(c.scope(), "records", *recs, 0, 50).ok()) {
    return pc.Error(res, c.archive(), 500);
  }
  Json collections = Json::array();
  for (const auto& g : service::CountGroups(*recs, service::GroupBy::kCollection)) {
    Json langs = Json::array();
    for (const auto& [l, n] : g.langs)
      langs.push_back({{"name", pc.LangName(l)}, {"count", std::to_string(n)}});
    collections.push_back({{"id", g.id},
                           {"query", Url("collection:" + g.id)},
                           {"records", std::to_string(g.records)},
                           {"languages", langs}});
  }
  v["collections"] = collections;
  v["has_collections"] = !collections.empty();
  v["records"] = records;
  v["q"] = "";
  pc.Send(res, "home", v);
}

// Search results (their wire JSON) grouped by witness, in the order of each witness's best
// record.
Json SearchGroupsView(archive::Archive* a, const Json& r, const PageContext& pc,
                      const std::string& q) {
  std::string suffix = "?q=" + Url(q);
  Json groups = Json::array();
  std::map<std::string, size_t> group_of;
  for (const auto& rec : r["records"]) {
    std::string w = rec["witness"];
    if (!group_of.count(w)) {
      group_of[w] = groups.size();
      groups.push_back({{"witness", w}, {"records", Json::array()}});
    }
    auto full = a->records().Get(rec["record"]);
    std::string title = full.ok() ? RecordTitle(*full, pc) : rec["record"].get<std::string>();
    Json hits = Json::array();
    for (const auto& h : rec["segments"]) hits.push_back(HitView(h, rec["record"], pc));
    uint64_t more = rec["matching_segments"].get<uint64_t>() - rec["segments"].size();
    Json rv = {
        {"record", rec["record"]}, {"title", title}, {"hits", hits}, {"query_suffix", suffix}};
    if (more > 0) rv["more"] = std::to_string(more);
    groups[group_of[w]]["records"].push_back(rv);
  }
  return groups;
}

// The facets of search results as links that narrow query `q` (those it applies are left out).
Json SearchFacetsView(const Json& r, const PageContext& pc, const std::string& q) {
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
  return facets;
}

void SearchPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;
  std::string q = Param(req, "q");
  Json v = pc.Base(c.archive(), q.empty() ? pc.t()["nav_search"].get<std::string>() : q, "search");
  v["q"] = q;
  if (q.empty()) return pc.Send(res, "search", v);
  search::SearchRequest sr;
  sr.query = q;
  sr.cursor = Param(req, "cursor");
  sr.limit = 10;
  auto found = service::Search(c.scope(), sr, "search");
  if (!found.ok()) {
    if (found.status().code() == Code::kInvalidArgument) {
      v["error"] = found.status().message();
      return pc.Send(res, "search", v, 400);
    }
    return pc.Error(res, c.archive(), 500);
  }
  archive::Archive* a = c.archive();
  Json r = archive::SearchResultsToJson(*found, [a](int64_t id) { return a->SegmentRef(id); });
  v["searched"] = true;
  v["total"] = std::to_string(r["total_estimate"].get<uint64_t>());
  v["records_total"] = std::to_string(r["records_estimate"].get<uint64_t>());
  v["estimated"] = !r["counts_exact"].get<bool>();
  v["groups"] = SearchGroupsView(a, r, pc, q);
  Json facets = SearchFacetsView(r, pc, q);
  v["facets"] = facets;
  v["has_facets"] = !facets.empty();
  if (r.contains("next_cursor")) {
    v["next_href"] = "/search?q=" + Url(q) + "&cursor=" + Url(r["next_cursor"]);
  }
  if (!sr.cursor.empty()) v["first_href"] = "/search?q=" + Url(q);
  pc.Send(res, "search", v);
}

// One witness's group of an Ask answer (its wire JSON) as the page shows it.
Json AskGroupView(const Json& g, const PageContext& pc) {
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
  // "Make a clip of this passage": the record page's form, filled in (for accounts).
  const Json& ps = g["passage"];
  std::string clip = "/records/" + g["record"].get<std::string>();
  if (ps.contains("start_ms")) {
    clip += "?clip_from=" + Url(ingest::FormatClock(ps["start_ms"].get<int64_t>())) +
            "&clip_to=" + Url(ingest::FormatClock(ps["end_ms"].get<int64_t>())) + "#make-clip";
  } else if (ps.contains("chars")) {
    clip += "?clip_chars=" + std::to_string(ps["chars"][0].get<int64_t>()) + "-" +
            std::to_string(ps["chars"][1].get<int64_t>()) + "#make-clip";
  } else {
    clip += "#make-clip";
  }
  gv["clip_href"] = clip;
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
  return gv;
}

// The spread bar: how the `total` voices shown spread over languages, communities and places.
Json AskSpreadView(const Json& r, size_t total, const PageContext& pc) {
  Json spread = Json::array();
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
  return spread;
}

// The answer `r` (Ask's wire JSON) into the page's view `v`.
void AddAskAnswer(const Json& r, const service::AskRequest& ar, const PageContext& pc, Json* v) {
  Json groups = Json::array();
  for (const auto& g : r["groups"]) groups.push_back(AskGroupView(g, pc));
  (*v)["groups"] = groups;
  (*v)["searched"] = true;
  (*v)["count"] = std::to_string(groups.size());
  Json spread = AskSpreadView(r, groups.size(), pc);
  (*v)["spread"] = spread;
  (*v)["has_spread"] = !spread.empty();
  Json notices = Json::array();
  for (const auto& n : r["notices"]) {
    // The notice in the page's language (the API gives it in English).
    notices.push_back(n.get<std::string>().rfind("Hebrew", 0) == 0 ? pc.t()["ask_notice_hebrew"]
                                                                   : n);
  }
  (*v)["notices"] = notices;
  (*v)["checkpoint_size"] = std::to_string(r["checkpoint"]["size"].get<uint64_t>());
  (*v)["checkpoint_origin"] = r["checkpoint"]["origin"];
  (*v)["checkpoint_note"] = r["checkpoint"]["note"];
  std::string self = "/ask?q=" + Url(ar.question) + "&filter_lang=" + Url(ar.filter_lang) +
                     "&place=" + Url(ar.place) + "&date=" + Url(ar.date) +
                     "&collection=" + Url(ar.collection);
  (*v)["differ_href"] = self + (ar.differ ? "" : "&differ=1");
  (*v)["has_summary"] = false;
  if (r["summary"].is_object()) {
    const Json& sm = r["summary"];
    (*v)["has_summary"] = true;
    (*v)["summary_text"] = sm.value("text", "");
    (*v)["summary_error"] = sm.value("error", "");
    (*v)["summary_has_error"] = sm.contains("error");
    Json cites = Json::array();
    for (const auto& n : sm.value("cites", Json::array())) {
      cites.push_back({{"n", std::to_string(n.get<int>())}});
    }
    (*v)["summary_cites"] = cites;
  }
}

// Ask (doc/ask.md): groups, one per witness, each a whole passage in the witness's own
// words, cited, with the checkpoint that covers every version cited.
void AskPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c)) return;
  service::AskRequest ar;
  ar.question = Param(req, "q");
  ar.filter_lang = Param(req, "filter_lang");
  ar.place = Param(req, "place");
  ar.date = Param(req, "date");
  ar.collection = Param(req, "collection");
  ar.differ = Param(req, "differ") == "1";
  ar.summary = Param(req, "summary") == "1";
  Json v = pc.Base(c.archive(),
                   ar.question.empty() ? pc.t()["ask"].get<std::string>() : ar.question, "ask");
  v["q"] = ar.question;
  v["place"] = ar.place;
  v["date"] = ar.date;
  v["collection"] = ar.collection;
  v["differ"] = ar.differ;
  v["summary_asked"] = ar.summary;
  auto config = c.archive()->Config();
  v["summary_available"] =
      config.ok() && config->contains("ask") && (*config)["ask"].contains("summary");
  Json langs = Json::array();
  for (const char* l : {"ar", "he", "en", "fr"}) {
    langs.push_back({{"tag", l}, {"name", pc.LangName(l)}, {"selected", ar.filter_lang == l}});
  }
  v["langs"] = langs;
  v["searched"] = false;
  if (ar.question.empty()) return pc.Send(res, "ask", v);
  auto answer = service::Ask(c.scope(), ar);
  if (!answer.ok()) {
    if (answer.status().code() == Code::kInvalidArgument) {
      v["error"] = answer.status().message();
      return pc.Send(res, "ask", v, 400);
    }
    return pc.Error(res, c.archive(), 500);
  }
  AddAskAnswer(*answer, ar, pc, &v);
  pc.Send(res, "ask", v);
}

}  // namespace

void RegisterSearchPages(Site* site, httplib::Server* svr) {
  svr->Get("/", Bind(site, HomePage));
  svr->Get("/search", Bind(site, SearchPage));
  svr->Get("/ask", Bind(site, AskPage));
}

}  // namespace attest::http
