// The Home, Search and Ask pages.
#include <map>

#include "http/pages_common.h"
#include "http/routes.h"
#include "service/ask.h"
#include "service/auditor.h"
#include "service/cite.h"
#include "service/record_view.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;
using service::AskRequest;
using service::SearchRole;

void RegisterSearchPages(Site* site, httplib::Server* svr) {
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
}

}  // namespace attest::http
