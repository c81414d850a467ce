#include "service/wire.h"

namespace attest::service {

Json SummaryJson(const Summary& summary) {
  Json out = {{"label", kSummaryLabel}};
  if (!summary.error.empty()) {
    out["error"] = summary.error;
    return out;
  }
  out["text"] = summary.text;
  out["cites"] = summary.cites;
  out["model"] = summary.model;
  return out;
}

namespace {

Json PassageJson(const AskPassage& p) {
  Json out = {{"text", p.text}, {"segments", p.segments}, {"hit", p.hit}};
  if (p.start_ms >= 0) {
    out["start_ms"] = p.start_ms;
    out["end_ms"] = p.end_ms;
  }
  if (p.page >= 0) out["page"] = p.page;
  if (p.chars) out["chars"] = {p.chars->first, p.chars->second};
  if (!p.redacted.empty()) {
    Json marks = Json::array();
    for (auto [from, to] : p.redacted) marks.push_back({from, to});
    out["redacted"] = marks;
  }
  return out;
}

Json MoreJson(const AskMore& m) {
  Json out = {{"segment", m.segment}, {"record", m.record}, {"snippet", m.snippet},
              {"lang", m.lang}};
  if (m.start_ms >= 0) out["start_ms"] = m.start_ms;
  if (m.page >= 0) out["page"] = m.page;
  out["href"] = m.href;
  return out;
}

}  // namespace

Json AskGroupJson(const AskGroup& g) {
  Json more = Json::array();
  for (const auto& m : g.more) more.push_back(MoreJson(m));
  Json out = {{"n", g.n},
              {"witness", g.witness},
              {"community", g.community},
              {"record", g.record},
              {"collection", g.collection},
              {"version", g.version},
              {"leaf_index", g.leaf_index},
              {"lang", g.lang},
              {"level", meta::ConsentName(g.level)},
              {"found_by", g.found_by},
              {"passage", PassageJson(g.passage)},
              {"citation", g.citation},
              {"play", g.play},
              {"proof", g.proof},
              {"more", more}};
  if (g.title) out["title"] = *g.title;
  return out;
}

Json AskJson(const AskAnswer& a) {
  Json translations = Json::array();
  for (const auto& t : a.translations) {
    translations.push_back({{"lang", t.lang}, {"words", t.words}, {"weight", t.weight}});
  }
  Json groups = Json::array();
  for (const auto& g : a.groups) groups.push_back(AskGroupJson(g));
  Json spread = {
      {"lang", Json::object()}, {"community", Json::object()}, {"place", Json::object()}};
  for (const auto& [k, counts] : a.spread) {
    for (const auto& [v, n] : counts) spread[k][v] = n;
  }
  const tlog::Checkpoint& cp = a.checkpoint.checkpoint;
  return {{"question", a.question},
          {"question_langs", a.question_langs},
          {"paths", {{"words", true}, {"dictionary", a.by_dictionary}, {"semantic", a.by_meaning}}},
          {"translations", translations},
          {"notices", a.notices.empty() ? Json::array() : Json(a.notices)},
          {"checkpoint",
           {{"origin", cp.origin},
            {"size", cp.size},
            {"root", Base64Encode(cp.root)},
            {"note", a.checkpoint.note}}},
          {"groups", groups},
          {"spread", spread},
          {"summary", a.summary ? SummaryJson(*a.summary) : Json(nullptr)}};
}

}  // namespace attest::service
