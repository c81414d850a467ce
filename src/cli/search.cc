#include "cli/search.h"

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "archive/archive.h"
#include "cli/output.h"
#include "search/lexical_index.h"
#include "service/find.h"
#include "service/ask.h"
#include "service/scope.h"

namespace attest::cli {
namespace {

struct SearchArgs {
  std::string query;
  size_t limit = 20;
  bool json = false;
  std::string cursor;
  size_t per_record = 3;
  bool exact_counts = false;
};

int Search(Common& c, const SearchArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  search::SearchRequest req;
  req.query = o.query;
  req.limit = o.limit;
  req.cursor = o.cursor;
  req.per_record = o.per_record;
  req.exact_counts = o.exact_counts;
  // At the levels the operator may read, unaudited as it has always been.
  auto r = service::Search(CliReadScope(a->get()), req, "search");
  if (!r.ok()) return UsageOrFail(r.status());
  if (o.json) {
    PrintJson(archive::SearchResultsToJson(*r));
    return kExitOk;
  }
  std::cout << (r->counts_exact ? "" : "about ") << r->total_estimate << " segment(s) in "
            << (r->counts_exact ? "" : "about ") << r->records_estimate << " record(s)\n";
  for (const auto& [name, counts] : {std::pair{"language", &r->lang_facets},
                                     {"collection", &r->collection_facets},
                                     {"place", &r->place_facets},
                                     {"month", &r->month_facets}}) {
    if (counts->empty()) continue;
    std::cout << "  " << name << ":";
    for (const auto& [value, n] : *counts) std::cout << "  " << Shown(value) << " " << n;
    std::cout << "\n";
  }
  if (r->facet_sample > 1) {
    std::cout << "  (facets estimated from 1 in " << r->facet_sample
              << " matching segments; --exact-counts counts them all)\n";
  }
  for (const auto& g : r->records) {
    std::cout << "\n" << g.record_id;
    if (!g.witness_id.empty()) std::cout << "  witness " << g.witness_id;
    if (!g.collection_id.empty()) std::cout << "  collection " << g.collection_id;
    std::cout << "  (" << g.matching_segments << " segment(s))\n";
    for (const auto& h : g.hits) {
      std::string marked;
      size_t at = 0;
      for (const auto& [s, e] : h.highlights) {
        marked += h.snippet.substr(at, s - at) + "[" + h.snippet.substr(s, e - s) + "]";
        at = e;
      }
      marked += h.snippet.substr(at);
      std::cout << "  v" << h.version << " [" << h.lang << "]";
      if (h.start_ms >= 0) std::cout << " @" << h.start_ms / 1000 << "s";
      if (h.page >= 0) std::cout << " p." << h.page;
      if (!h.char_ranges.empty()) std::cout << " char " << h.char_ranges[0].first;
      std::cout << "  " << Shown(marked) << "\n";
    }
  }
  if (!r->next_cursor.empty()) {
    std::cout << "\nmore: attest search ... --cursor " << r->next_cursor << "\n";
  }
  return kExitOk;
}

struct AskArgs {
  service::AskRequest req;
  bool json = false;
};

int Ask(Common& c, const AskArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  // Unaudited as it has always been (unlike `show` and `transcript export`).
  auto r = service::Ask(CliReadScope(a->get()), o.req);
  if (!r.ok()) return UsageOrFail(r.status());
  if (o.json) {
    PrintJson(*r);
    return kExitOk;
  }
  for (const auto& notice : (*r)["notices"])
    std::cout << "note: " << Shown(notice.get<std::string>()) << "\n";
  if ((*r)["groups"].empty()) std::cout << "No witness's words were found for this question.\n";
  for (const auto& g : (*r)["groups"]) {
    std::cout << "\n[" << g["n"].get<int>() << "] witness "
              << Shown(g["witness"].get<std::string>());
    if (!g["community"].get<std::string>().empty())
      std::cout << " (" << Shown(g["community"].get<std::string>()) << ")";
    std::cout << ", " << Shown(g["lang"].get<std::string>()) << "\n";
    std::cout << "    " << Shown(g["passage"]["text"].get<std::string>()) << "\n";
    std::cout << "    " << Shown(g["citation"].get<std::string>()) << "\n";
    for (const auto& m : g["more"]) {
      std::cout << "    also: " << Shown(m["snippet"].get<std::string>()) << " ("
                << Shown(m["href"].get<std::string>()) << ")\n";
    }
  }
  if ((*r)["summary"].is_object()) {
    const Json& sm = (*r)["summary"];
    std::cout << "\n"
              << Shown(sm["label"].get<std::string>()) << " (not testimony): "
              << Shown(sm.contains("error") ? sm["error"].get<std::string>()
                                            : sm["text"].get<std::string>())
              << "\n";
  }
  std::cout << "\nEvery version cited is in the log under checkpoint "
            << (*r)["checkpoint"]["size"].get<uint64_t>() << " of "
            << (*r)["checkpoint"]["origin"].get<std::string>() << " (attest log checkpoint).\n";
  return kExitOk;
}

struct NamesArgs {
  CLI::App *add = nullptr, *remove = nullptr;
  std::string name, kind = "place";
  bool json = false;
};

int Names(Common& c, const NamesArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  if (*o.add) {
    if (Status st = (*a)->indexer().AddName(o.name, o.kind); !st.ok()) return UsageOrFail(st);
    std::cout << "Listed " << o.kind << " '" << o.name
              << "': searches for it now also find it in other scripts\n";
    return kExitOk;
  }
  if (*o.remove) {
    auto removed = (*a)->indexer().RemoveName(o.name);
    if (!removed.ok()) return Fail(removed.status());
    if (!*removed) return Fail(Status::NotFound("'" + o.name + "' is not listed"));
    std::cout << "Removed '" << o.name << "'\n";
    return kExitOk;
  }
  auto listed = (*a)->indexer().ListNames();
  if (!listed.ok()) return Fail(listed.status());
  if (o.json) {
    Json j = Json::array();
    for (const auto& [n, k] : *listed) j.push_back({{"name", n}, {"kind", k}});
    PrintJson(j);
    return kExitOk;
  }
  for (const auto& [n, k] : *listed) std::cout << Shown(k) << "\t" << Shown(n) << "\n";
  return kExitOk;
}

int Reindex(Common& c) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  if (Status st = (*a)->indexer().Reindex(); !st.ok()) return Fail(st);
  if (Status st = (*a)->semantic().RebuildSemantic(); !st.ok()) return Fail(st);
  std::cout << "Rebuilt the search index from the database\n";
  return kExitOk;
}

}  // namespace

void AddSearch(CLI::App& app, Common& c) {
  auto* search = app.add_subcommand(
      "search", "Search the witnesses' words (doc/search.md); the command line sees as archivist");
  auto o = std::make_shared<SearchArgs>();
  search->add_option("QUERY", o->query, "The query")->required();
  search->add_option("--limit", o->limit, "Records to show (default 20)")
      ->check(CLI::Range(1, 1000));
  search->add_option("--cursor", o->cursor, "Next page: the cursor the last page printed");
  search->add_option("--per-record", o->per_record, "Segments shown per record (default 3)")
      ->check(CLI::Range(1, 100));
  search->add_flag("--exact-counts", o->exact_counts,
                   "Count every match exactly (slower when there are very many)");
  search->add_flag("--json", o->json, "Print JSON");
  c.OnRun(search, [&c, o] { return Search(c, *o); });
}

void AddAsk(CLI::App& app, Common& c) {
  auto* ask = app.add_subcommand(
      "ask",
      "Ask a question: many witnesses' own words, side by side, cited (doc/ask.md); the "
      "command line sees as the operator");
  auto o = std::make_shared<AskArgs>();
  service::AskRequest& req = o->req;
  ask->add_option("QUESTION", req.question, "The question, in plain words")->required();
  ask->add_option("--lang", req.lang, "The question's language: ar, he, en or fr");
  ask->add_option("--filter-lang", req.filter_lang, "Only passages in this language");
  ask->add_option("--place", req.place, "Only passages annotated with this place");
  ask->add_option("--date", req.date, "Only passages of this day, month, year or range");
  ask->add_option("--collection", req.collection, "Only passages of this collection");
  ask->add_flag("--differ", req.differ, "Show accounts that differ from those shown first");
  ask->add_flag("--summary", req.summary,
                "Add a machine-written summary, if config.json names an endpoint (doc/ask.md)");
  ask->add_option("--limit", req.limit, "Witnesses to show (default 10)")->check(CLI::Range(1, 50));
  ask->add_flag("--json", o->json, "Print JSON");
  c.OnRun(ask, [&c, o] { return Ask(c, *o); });
}

void AddNames(CLI::App& app, Common& c) {
  auto* names = app.add_subcommand(
      "names", "The places and people search matches across scripts (Kfar Aza, כפר עזה, كفار عزة)");
  names->require_subcommand(1);
  auto o = std::make_shared<NamesArgs>();
  auto* names_add = o->add = names->add_subcommand("add", "Add a name (or change its kind)");
  auto* names_list = names->add_subcommand("list", "List the names");
  auto* names_remove = o->remove = names->add_subcommand("remove", "Remove a name");
  names_add->add_option("NAME", o->name, "The name, in any script")->required();
  names_add->add_option("--kind", o->kind, "place (default) or person");
  names_remove->add_option("NAME", o->name, "The name as listed")->required();
  names_list->add_flag("--json", o->json, "Print JSON");
  c.OnRun(names, [&c, o] { return Names(c, *o); });
}

void AddReindex(CLI::App& app, Common& c) {
  auto* reindex = app.add_subcommand("reindex", "Rebuild the search index from attest.db");
  c.OnRun(reindex, [&c] { return Reindex(c); });
}

}  // namespace attest::cli
