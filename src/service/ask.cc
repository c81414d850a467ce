#include "service/ask.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "search/fusion.h"
#include "service/auditor.h"
#include "service/cite.h"
#include "service/passages.h"
#include "service/record_view.h"
#include "service/wire.h"

namespace attest::service {
namespace {

constexpr size_t kMorePerWitness = 2;  // further passages listed in a group
constexpr char kHebrewNotice[] =
    "Hebrew testimonies are matched by names and by the semantic "
    "index only";

using Item = search::Retrieved::Item;

// A filter's value for the query language: quoted; kInvalidArgument if it holds a quote.
Result<std::string> FilterValue(const std::string& name, const std::string& value) {
  if (value.find('"') != std::string::npos || value.size() > 200) {
    return Status::InvalidArgument(name + " '" + value.substr(0, 40) +
                                   "' must be at most 200 bytes without '\"'");
  }
  return "\"" + value + "\"";
}

// The retrieval of an Ask request: its question and filters, at the scope's search role.
Result<search::RetrieveRequest> RetrievalOf(const Scope& scope, const AskRequest& request) {
  if (request.limit < 1 || request.limit > kMaxAskLimit) {
    return Status::InvalidArgument("the limit must be 1 to " + std::to_string(kMaxAskLimit) +
                                   " witnesses");
  }
  search::RetrieveRequest rr;
  rr.question = request.question;
  rr.lang = request.lang;
  rr.role = SearchRole(scope.subject);
  ASSIGN_OR_RETURN(rr.opening, SearchOpening(scope));
  for (auto [field, value] :
       {std::pair{"lang", &request.filter_lang}, std::pair{"place", &request.place},
        std::pair{"date", &request.date}, std::pair{"collection", &request.collection}}) {
    if (value->empty()) continue;
    if (std::string(field) == "date" || std::string(field) == "lang") {
      if (value->find_first_of(" \"") != std::string::npos) {
        return Status::InvalidArgument(std::string(field) + " '" + value->substr(0, 40) +
                                       "' must be one word");
      }
      rr.filters += std::string(rr.filters.empty() ? "" : " ") + field + ":" + *value;
    } else {
      ASSIGN_OR_RETURN(std::string quoted, FilterValue(field, *value));
      rr.filters += std::string(rr.filters.empty() ? "" : " ") + field + ":" + quoted;
    }
  }
  return rr;
}

// The answer without its groups: the question, the paths taken, translations, notices and the
// checkpoint every citation is under.
AskAnswer AnswerHead(const AskRequest& request, const search::Retrieved& found,
                     tlog::SignedCheckpoint cp) {
  AskAnswer answer;
  answer.question = request.question;
  answer.question_langs = found.question_langs;
  answer.by_dictionary = !found.translations.empty();
  answer.by_meaning = found.semantic;
  for (const auto& t : found.translations) {
    answer.translations.push_back({text::LangTag(t.lang), t.text, t.weight});
  }
  if (!found.semantic && std::find(found.unreached_langs.begin(), found.unreached_langs.end(),
                                   "he") != found.unreached_langs.end()) {
    answer.notices.push_back(kHebrewNotice);
  }
  answer.checkpoint = std::move(cp);
  return answer;
}

// A passage as Ask shows it: the readable segments [span.first, span.last] of `all` (the text
// version's segments in order), joined, with the marks of what the caller may not read.
struct Passage {
  AskPassage shown;
  std::vector<int64_t> segment_ids;
  std::set<std::string> places;
  meta::Consent level;
  const meta::SegmentState* head = nullptr;
  const meta::SegmentState* tail = nullptr;
};
Passage MakePassage(archive::Archive* a, const RecordText& t,
                    const std::vector<const meta::SegmentState*>& all,
                    const std::map<int64_t, const meta::SegmentState*>& shown, PassageSpan span,
                    int64_t hit) {
  Passage p;
  p.level = t.record.consent;
  AskPassage& out = p.shown;
  for (size_t i = span.first; i <= span.last; ++i) {
    const meta::SegmentState& s = *shown.at(all[i]->segment.id);
    if (!out.text.empty()) out.text += ' ';
    if (auto m = t.redacted.find(s.segment.id); m != t.redacted.end()) {
      for (auto [from, to] : m->second) {
        out.redacted.emplace_back(out.text.size() + from, out.text.size() + to);
      }
    }
    out.text += s.segment.text;
    out.segments.push_back(a->SegmentRef(s.segment.id));
    p.segment_ids.push_back(s.segment.id);
    p.level = meta::Strictest(p.level, s.effective);
    for (const auto& an : s.segment.annotations) {
      if (an.kind == "place") p.places.insert(an.value);
    }
  }
  p.head = shown.at(all[span.first]->segment.id);
  p.tail = shown.at(all[span.last]->segment.id);
  out.hit = a->SegmentRef(hit);
  // Offsets into the stored text only for those who may read the record whole: for others
  // they would give the lengths of what is hidden (doc/privacy.md).
  const bool whole = t.sees_redacted && t.every_segment;
  if (p.head->segment.start_ms >= 0) {
    out.start_ms = p.head->segment.start_ms;
    out.end_ms = p.tail->segment.end_ms;
  }
  if (p.head->segment.page >= 0) out.page = p.head->segment.page;
  if (whole && p.head->segment.char_start >= 0 && p.tail->segment.char_end >= 0) {
    out.chars = std::pair{p.head->segment.char_start, p.tail->segment.char_end};
  }
  return p;
}

// The passage around `item`'s hit in the caller's reading of its record; nullopt if the hit is
// not in the text version or not readable there.
std::optional<Passage> PassageAround(archive::Archive* a, const RecordText& t, const Item& item) {
  // The text version's segments in order, readable or not, and where the hit is.
  std::vector<const meta::SegmentState*> all;
  for (const auto& s : t.all_segments) {
    if (s.segment.version == t.text_version) all.push_back(&s);
  }
  std::sort(all.begin(), all.end(), [](auto* x, auto* y) { return InTextOrder(*x, *y); });
  std::map<int64_t, const meta::SegmentState*> shown;
  for (const auto& s : t.segments) shown[s.segment.id] = &s;
  const int64_t hit = item.segment.hit.segment_id;
  size_t at = all.size();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i]->segment.id == hit) at = i;
  }
  if (at == all.size() || !shown.count(hit)) return std::nullopt;  // not the text version
  PassageSpan span = GrowPassage(
      at, all.size(), [&](size_t i) { return shown.count(all[i]->segment.id) > 0; },
      [&](size_t i) -> const std::string& { return shown.at(all[i]->segment.id)->segment.text; });
  return MakePassage(a, t, all, shown, span, hit);
}

// Where a passage is in its version, for its citation: ", 12:04–13:10", ", page 3", ", characters
// 10–90".
std::string WhereOf(const Passage& p) {
  const meta::Segment& head = p.head->segment;
  std::string where;
  if (head.start_ms >= 0) {
    return ", " + FormatClock(head.start_ms) + "–" + FormatClock(p.tail->segment.end_ms);
  }
  if (head.page >= 0) where += ", page " + std::to_string(head.page);
  if (p.shown.chars) {
    where += ", characters " + std::to_string(head.char_start) + "–" +
             std::to_string(p.tail->segment.char_end);
  }
  return where;
}

// The witness's other passages among the results, nearly as relevant as `item` and not in its
// passage; `not_public` is set if one of them is not public.
std::vector<AskMore> MoreOf(archive::Archive* a, const search::Retrieved& found,
                           const Item& item, const Passage& p, bool* not_public) {
  std::vector<AskMore> more;
  const auto& f = item.segment;
  for (const auto& other : found.items) {
    if (more.size() >= kMorePerWitness) break;
    const auto& o = other.segment;
    if (o.witness_id != f.witness_id || o.hit.segment_id == f.hit.segment_id) continue;
    if (other.score < 0.5 * item.score) continue;  // only passages nearly as relevant
    if (std::find(p.segment_ids.begin(), p.segment_ids.end(), o.hit.segment_id) !=
        p.segment_ids.end()) {
      continue;
    }
    AskMore m;
    m.segment = a->SegmentRef(o.hit.segment_id);
    m.record = o.record_id;
    m.snippet = o.hit.snippet;
    m.lang = o.hit.lang;
    if (o.hit.start_ms >= 0) m.start_ms = o.hit.start_ms;
    if (o.hit.page >= 0) m.page = o.hit.page;
    m.href = SegmentLink(o.record_id, m.segment, o.hit.start_ms);
    m.not_public = o.hit.level != "public";
    *not_public |= m.not_public;
    more.push_back(std::move(m));
  }
  return more;
}

// The group of one witness: its passage, citation, link and proof, and its other passages.
AskGroup GroupOf(archive::Archive* a, const search::Retrieved& found, const Item& item,
                 const RecordText& t, const meta::Version& version, const Passage& p,
                 const std::string& community, const std::string& origin, size_t n,
                 bool* not_public) {
  const auto& f = item.segment;
  const meta::Segment& head = p.head->segment;
  AskGroup g;
  g.n = n;
  g.witness = f.witness_id;
  g.community = community;
  g.record = t.record.id;
  g.collection = t.record.collection_id;
  g.version = version.version;
  g.leaf_index = version.leaf_index;
  g.lang = head.lang;
  g.level = p.level;
  if (item.by_words) g.found_by.push_back("words");
  if (item.by_dictionary) g.found_by.push_back("dictionary");
  if (item.by_meaning) g.found_by.push_back("meaning");
  g.passage = p.shown;
  g.citation = Citation(t.record, version, origin, WhereOf(p));
  g.play = SegmentLink(t.record.id, a->SegmentRef(head.id), head.start_ms);
  g.proof = "/api/v1/records/" + t.record.id + "/proof?version=" + std::to_string(version.version);
  if (Json shown = ShownMeta(NewestOriginal(t.record)); shown.contains("title")) {
    g.title = shown["title"].get<std::string>();
  }
  // What is shown that is not public is audited.
  *not_public = p.level != meta::Consent::kPublic;
  g.more = MoreOf(a, found, item, p, not_public);
  return g;
}

}  // namespace

Result<AskAnswer> Answer(const Scope& scope, const AskRequest& request,
                         SummaryTransport* transport) {
  archive::Archive* a = scope.archive;
  ASSIGN_OR_RETURN(search::RetrieveRequest rr, RetrievalOf(scope, request));
  ASSIGN_OR_RETURN(search::Retrieved found, a->finder().Retrieve(rr));
  // Who speaks in each candidate.
  std::vector<std::string> witness_ids;
  for (const auto& item : found.items) witness_ids.push_back(item.segment.witness_id);
  ASSIGN_OR_RETURN(auto witnesses, a->records().Witnesses(witness_ids));
  auto community = [&](const std::string& w) {
    auto it = witnesses.find(w);
    return it == witnesses.end() ? std::string() : it->second.community;
  };
  std::vector<size_t> order = VoicesOrder(found, witnesses, request.differ);
  ASSIGN_OR_RETURN(tlog::SignedCheckpoint cp, a->verifier().Checkpoint());
  AskAnswer answer = AnswerHead(request, found, std::move(cp));

  std::map<std::string, Result<RecordText>> texts;  // by record, read once
  std::vector<std::string> audited;
  for (size_t pick : order) {
    if (answer.groups.size() >= request.limit) break;
    const Item& item = found.items[pick];
    const auto& f = item.segment;
    auto it = texts.find(f.record_id);
    if (it == texts.end()) {
      it = texts.emplace(f.record_id, ReadRecordText(scope, f.record_id, /*hide_redacted=*/true))
               .first;
    }
    if (!it->second.ok()) {
      if (it->second.status().IsNotFound()) continue;  // gone or hidden since it was indexed
      return it->second.status();
    }
    const RecordText& t = *it->second;
    std::optional<Passage> p = PassageAround(a, t, item);
    if (!p) continue;
    const meta::Version* version = nullptr;
    for (const auto& v : t.record.versions) {
      if (v.version == t.text_version) version = &v;
    }
    if (!version) continue;
    std::string comm = community(f.witness_id);
    bool not_public = false;
    answer.groups.push_back(GroupOf(a, found, item, t, *version, *p, comm,
                                    answer.checkpoint.checkpoint.origin,
                                    answer.groups.size() + 1, &not_public));
    if (not_public) audited.push_back(t.record.id);
    // The witness's other passages may be of their other records: each is a view of its own.
    for (const AskMore& m : answer.groups.back().more) {
      if (m.not_public && m.record != t.record.id &&
          std::find(audited.begin(), audited.end(), m.record) == audited.end()) {
        audited.push_back(m.record);
      }
    }
    ++answer.spread["lang"][p->head->segment.lang];
    if (!comm.empty()) ++answer.spread["community"][comm];
    for (const auto& place : p->places) ++answer.spread["place"][place];
  }
  if (request.summary && !answer.groups.empty()) {
    ASSIGN_OR_RETURN(Json config, a->Config());
    if (config.contains("ask") && config["ask"].contains("summary")) {
      std::vector<SummaryPassage> passages;
      for (const auto& g : answer.groups) {
        passages.push_back({g.n, g.witness, g.lang, g.passage.text});
      }
      HttpSummaryTransport network;
      answer.summary = Summarise(config["ask"]["summary"], request.question, passages,
                                 transport ? transport : &network);
    }
  }
  if (!audited.empty() && !scope.actor.empty()) {
    RETURN_IF_ERROR(Auditor(scope).ViewedRecords("ask", audited));
  }
  return answer;
}

Result<Json> Ask(const Scope& scope, const AskRequest& request, SummaryTransport* transport) {
  ASSIGN_OR_RETURN(AskAnswer answer, Answer(scope, request, transport));
  return AskJson(answer);
}

}  // namespace attest::service
