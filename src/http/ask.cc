#include "http/ask.h"

#include <httplib.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <map>
#include <set>

#include "http/render.h"
#include "http/views.h"
#include "search/fusion.h"
#include "text/tokenizer.h"

namespace attest::http {
namespace {

constexpr size_t kNeighbours = 3;       // segments joined on each side, at most
constexpr size_t kPassageBytes = 1500;  // a passage grows no further
constexpr size_t kMorePerWitness = 2;   // further passages listed in a group
constexpr char kHebrewNotice[] =
    "Hebrew testimonies are matched by names and by the semantic "
    "index only";

// Whether `text` ends a sentence: its last letter-or-mark (past spaces and closing quotes or
// brackets) is a full stop, a question or exclamation mark, or an ellipsis, in any of the
// archive's scripts.
bool EndsSentence(std::string_view text) {
  int32_t i = static_cast<int32_t>(text.size());
  while (i > 0) {
    UChar32 c;
    U8_PREV(text.data(), 0, i, c);
    if (c < 0) return false;
    if (u_isspace(c)) continue;
    if (c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201D || c == 0x2019 ||
        c == 0x00BB || c == 0x05F4) {
      continue;
    }
    return c == '.' || c == '!' || c == '?' || c == 0x2026 || c == 0x061F || c == 0x06D4 ||
           c == 0x05C3;
  }
  return false;
}

// The folded words of a text, for "accounts that differ".
std::set<std::string> WordSet(std::string_view text) {
  std::set<std::string> out;
  auto tokens = text::Tokenize(text);
  if (tokens.ok()) {
    for (const auto& t : *tokens) out.insert(t.norm);
  }
  return out;
}

double Jaccard(const std::set<std::string>& a, const std::set<std::string>& b) {
  if (a.empty() || b.empty()) return 0;
  size_t common = 0;
  for (const auto& w : a) common += b.count(w);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

// A filter's value for the query language: quoted; kInvalidArgument if it holds a quote.
Result<std::string> FilterValue(const std::string& name, const std::string& value) {
  if (value.find('"') != std::string::npos || value.size() > 200) {
    return Status::InvalidArgument(name + " '" + value.substr(0, 40) +
                                   "' must be at most 200 bytes without '\"'");
  }
  return "\"" + value + "\"";
}

// The label every machine-written summary carries.
constexpr char kSummaryLabel[] = "machine-written summary";

// Asks the operator's OpenAI-compatible endpoint for a summary of the numbered passages shown
// (doc/ask.md, "The optional summary"). Its failures are the summary's, never the answer's.
Json Summarise(const Json& settings, const std::string& question, const Json& groups) {
  Json out = {{"label", kSummaryLabel}};
  const std::string endpoint = settings["endpoint"];
  // scheme://host[:port]/path
  size_t scheme_end = endpoint.find("://");
  if (scheme_end == std::string::npos || (endpoint.compare(0, scheme_end, "http") != 0 &&
                                          endpoint.compare(0, scheme_end, "https") != 0)) {
    out["error"] = "the summary endpoint in config.json is not an http(s) URL";
    return out;
  }
  size_t path_at = endpoint.find('/', scheme_end + 3);
  std::string origin = endpoint.substr(0, path_at);
  std::string path = path_at == std::string::npos ? "/" : endpoint.substr(path_at);
  std::string hostport = origin.substr(scheme_end + 3);
  std::string host = hostport[0] == '[' ? hostport.substr(0, hostport.find(']') + 1)
                                        : hostport.substr(0, hostport.rfind(':'));
  if (hostport[0] != '[' && hostport.find(':') == std::string::npos) host = hostport;
  const bool local = host == "127.0.0.1" || host == "localhost" || host == "[::1]";
  if (!local && !settings.value("allow_remote", false)) {
    out["error"] =
        "the summary endpoint is not on this machine and config.json does not allow "
        "remote endpoints (allow_remote): nothing was sent";
    return out;
  }
  std::string passages;
  for (const auto& g : groups) {
    passages += "[" + std::to_string(g["n"].get<int>()) + "] (witness " +
                g["witness"].get<std::string>() + ", " + g["lang"].get<std::string>() + ") " +
                g["passage"]["text"].get<std::string>() + "\n\n";
  }
  Json body = {
      {"model", settings.value("model", "")},
      {"temperature", 0},
      {"messages",
       {{{"role", "system"},
         {"content",
          "You summarise testimony passages for a reader. Use only what the numbered passages "
          "say; add no fact. Cite the passages you use by their numbers in square brackets, "
          "like [2]. Write in the language of the question. Never speak in a witness's name."}},
        {{"role", "user"},
         {"content", "Question: " + question + "\n\nPassages:\n\n" + passages}}}}};
  httplib::Client client(origin);
  int timeout = settings.value("timeout_seconds", 60);
  client.set_connection_timeout(5);
  client.set_read_timeout(timeout);
  auto res = client.Post(path, body.dump(), "application/json");
  if (!res || res->status != 200) {
    out["error"] = "the summary endpoint did not answer" +
                   (res ? " (HTTP " + std::to_string(res->status) + ")" : std::string());
    return out;
  }
  Json reply = Json::parse(res->body, nullptr, false);
  if (!reply.is_object() || !reply.contains("choices") || !reply["choices"].is_array() ||
      reply["choices"].empty() || !reply["choices"][0].contains("message") ||
      !reply["choices"][0]["message"].contains("content") ||
      !reply["choices"][0]["message"]["content"].is_string()) {
    out["error"] = "the summary endpoint's reply is not an OpenAI-style chat completion";
    return out;
  }
  std::string text = reply["choices"][0]["message"]["content"];
  if (!IsValidUtf8(text)) {
    out["error"] = "the summary endpoint's reply is not UTF-8";
    return out;
  }
  std::set<int> cites;
  for (size_t at = text.find('['); at != std::string::npos; at = text.find('[', at + 1)) {
    size_t end = text.find(']', at);
    if (end == std::string::npos || end - at > 4) continue;
    int n = std::atoi(text.substr(at + 1, end - at - 1).c_str());
    if (n >= 1 && n <= static_cast<int>(groups.size())) cites.insert(n);
  }
  out["text"] = text;
  out["cites"] = cites;
  out["model"] = reply.value("model", settings.value("model", ""));
  return out;
}

}  // namespace

Result<Json> Ask(archive::Archive* a, const access::Subject& subject, const AskRequest& request) {
  if (request.limit < 1 || request.limit > kMaxAskLimit) {
    return Status::InvalidArgument("the limit must be 1 to " + std::to_string(kMaxAskLimit) +
                                   " witnesses");
  }
  search::RetrieveRequest rr;
  rr.question = request.question;
  rr.lang = request.lang;
  rr.role = SearchRole(subject);
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
  ASSIGN_OR_RETURN(search::Retrieved found, a->Retrieve(rr));

  // Who speaks in each candidate.
  std::vector<std::string> witness_ids;
  for (const auto& item : found.items) witness_ids.push_back(item.segment.witness_id);
  ASSIGN_OR_RETURN(auto witnesses, a->store()->GetWitnesses(witness_ids));
  auto community = [&](const std::string& w) {
    auto it = witnesses.find(w);
    return it == witnesses.end() ? std::string() : it->second.community;
  };
  std::vector<search::Voice> voices;
  for (const auto& item : found.items) {
    voices.push_back({item.segment.witness_id, item.segment.hit.lang,
                      community(item.segment.witness_id), item.score});
  }
  std::vector<std::set<std::string>> words(found.items.size());
  std::vector<bool> has_words(found.items.size(), false);
  search::DiversifyOptions options;
  options.limit = found.items.size();
  options.differ = request.differ;
  options.content = [&](size_t x, size_t y) {
    for (size_t i : {x, y}) {
      if (!has_words[i]) words[i] = WordSet(found.items[i].segment.hit.snippet);
      has_words[i] = true;
    }
    return Jaccard(words[x], words[y]);
  };
  std::vector<size_t> order = search::Diversify(voices, options);

  ASSIGN_OR_RETURN(tlog::SignedCheckpoint cp, a->Checkpoint());
  Json answer = {{"question", request.question},
                 {"question_langs", found.question_langs},
                 {"paths",
                  {{"words", true},
                   {"dictionary", !found.translations.empty()},
                   {"semantic", found.semantic}}}};
  Json translations = Json::array();
  for (const auto& t : found.translations) {
    translations.push_back(
        {{"lang", text::LangTag(t.lang)}, {"words", t.text}, {"weight", t.weight}});
  }
  answer["translations"] = translations;
  Json notices = Json::array();
  if (!found.semantic && std::find(found.unreached_langs.begin(), found.unreached_langs.end(),
                                   "he") != found.unreached_langs.end()) {
    notices.push_back(kHebrewNotice);
  }
  answer["notices"] = notices;
  answer["checkpoint"] = {{"origin", cp.checkpoint.origin},
                          {"size", cp.checkpoint.size},
                          {"root", Base64Encode(cp.checkpoint.root)},
                          {"note", cp.note}};

  std::map<std::string, Result<RecordText>> texts;  // by record, read once
  Json groups = Json::array();
  std::map<std::string, std::map<std::string, uint64_t>> spread;
  Json audited = Json::array();
  for (size_t pick : order) {
    if (groups.size() >= request.limit) break;
    const auto& item = found.items[pick];
    const auto& f = item.segment;
    auto it = texts.find(f.record_id);
    if (it == texts.end()) {
      it =
          texts
              .emplace(f.record_id, ReadRecordText(a, subject, f.record_id, /*hide_redacted=*/true))
              .first;
    }
    if (!it->second.ok()) {
      if (it->second.status().IsNotFound()) continue;  // gone or hidden since it was indexed
      return it->second.status();
    }
    const RecordText& t = *it->second;
    // The text version's segments in order, readable or not, and where the hit is.
    std::vector<const meta::SegmentState*> all;
    for (const auto& s : t.all_segments) {
      if (s.segment.version == t.text_version) all.push_back(&s);
    }
    std::sort(all.begin(), all.end(), [](auto* x, auto* y) { return InTextOrder(*x, *y); });
    std::map<int64_t, const meta::SegmentState*> shown;
    for (const auto& s : t.segments) shown[s.segment.id] = &s;
    size_t at = all.size();
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i]->segment.id == f.hit.segment_id) at = i;
    }
    if (at == all.size() || !shown.count(f.hit.segment_id)) continue;  // not the text version
    auto readable = [&](size_t i) { return shown.count(all[i]->segment.id) > 0; };
    auto text_of = [&](size_t i) -> const std::string& {
      return shown.at(all[i]->segment.id)->segment.text;
    };
    size_t first = at, last = at, bytes = text_of(at).size();
    while (first > 0 && at - first < kNeighbours && readable(first - 1) &&
           !EndsSentence(text_of(first - 1)) &&
           bytes + text_of(first - 1).size() <= kPassageBytes) {
      --first;
      bytes += text_of(first).size();
    }
    // The passage starts after a sentence's end: the segment before it ended one.
    while (last + 1 < all.size() && last - at < kNeighbours && readable(last + 1) &&
           !EndsSentence(text_of(last)) && bytes + text_of(last + 1).size() <= kPassageBytes) {
      ++last;
      bytes += text_of(last).size();
    }
    std::string text;
    Json segments = Json::array(), redacted = Json::array();
    std::vector<int64_t> segment_ids;
    std::set<std::string> places;
    meta::Consent level = t.record.consent;
    for (size_t i = first; i <= last; ++i) {
      const meta::SegmentState& s = *shown.at(all[i]->segment.id);
      if (!text.empty()) text += ' ';
      if (auto m = t.redacted.find(s.segment.id); m != t.redacted.end()) {
        for (auto [from, to] : m->second) {
          redacted.push_back({text.size() + from, text.size() + to});
        }
      }
      text += s.segment.text;
      segments.push_back(a->SegmentRef(s.segment.id));
      segment_ids.push_back(s.segment.id);
      level = meta::Strictest(level, s.effective);
      for (const auto& an : s.segment.annotations) {
        if (an.kind == "place") places.insert(an.value);
      }
    }
    const meta::SegmentState& head = *shown.at(all[first]->segment.id);
    const meta::SegmentState& tail = *shown.at(all[last]->segment.id);
    Json passage = {
        {"text", text}, {"segments", segments}, {"hit", a->SegmentRef(f.hit.segment_id)}};
    // Offsets into the stored text only for those who may read the record whole: for others
    // they would give the lengths of what is hidden (doc/privacy.md).
    const bool whole = t.sees_redacted && t.every_segment;
    if (head.segment.start_ms >= 0) {
      passage["start_ms"] = head.segment.start_ms;
      passage["end_ms"] = tail.segment.end_ms;
    }
    if (head.segment.page >= 0) passage["page"] = head.segment.page;
    if (whole && head.segment.char_start >= 0 && tail.segment.char_end >= 0) {
      passage["chars"] = {head.segment.char_start, tail.segment.char_end};
    }
    if (!redacted.empty()) passage["redacted"] = redacted;

    const meta::Version* version = nullptr;
    for (const auto& v : t.record.versions) {
      if (v.version == t.text_version) version = &v;
    }
    if (!version) continue;
    std::string where;  // the passage's place in the version
    if (head.segment.start_ms >= 0) {
      where = ", " + FormatClock(head.segment.start_ms) + "–" + FormatClock(tail.segment.end_ms);
    } else {
      if (head.segment.page >= 0) where += ", page " + std::to_string(head.segment.page);
      if (passage.contains("chars")) {
        where += ", characters " + std::to_string(head.segment.char_start) + "–" +
                 std::to_string(tail.segment.char_end);
      }
    }
    std::string citation = Citation(t.record, *version, cp.checkpoint.origin, where);
    std::string play =
        SegmentLink(t.record.id, a->SegmentRef(head.segment.id), head.segment.start_ms);
    Json found_by = Json::array();
    if (item.by_words) found_by.push_back("words");
    if (item.by_dictionary) found_by.push_back("dictionary");
    if (item.by_meaning) found_by.push_back("meaning");
    std::string comm = community(f.witness_id);
    Json group = {{"n", groups.size() + 1},
                  {"witness", f.witness_id},
                  {"community", comm},
                  {"record", t.record.id},
                  {"collection", t.record.collection_id},
                  {"version", version->version},
                  {"leaf_index", version->leaf_index},
                  {"lang", head.segment.lang},
                  {"level", meta::ConsentName(level)},
                  {"found_by", found_by},
                  {"passage", passage},
                  {"citation", citation},
                  {"play", play},
                  {"proof", "/api/v1/records/" + t.record.id +
                                "/proof?version=" + std::to_string(version->version)}};
    if (Json shown = ShownMeta(NewestOriginal(t.record)); shown.contains("title")) {
      group["title"] = shown["title"];
    }
    // The witness's other passages among the results.
    // What is shown that is not public is audited.
    bool not_public = level != meta::Consent::kPublic;
    Json more = Json::array();
    for (const auto& other : found.items) {
      if (more.size() >= kMorePerWitness) break;
      const auto& o = other.segment;
      if (o.witness_id != f.witness_id || o.hit.segment_id == f.hit.segment_id) continue;
      if (other.score < 0.5 * item.score) continue;  // only passages nearly as relevant
      if (std::find(segment_ids.begin(), segment_ids.end(), o.hit.segment_id) !=
          segment_ids.end()) {
        continue;
      }
      Json m = {{"segment", a->SegmentRef(o.hit.segment_id)},
                {"record", o.record_id},
                {"snippet", o.hit.snippet},
                {"lang", o.hit.lang}};
      if (o.hit.start_ms >= 0) m["start_ms"] = o.hit.start_ms;
      if (o.hit.page >= 0) m["page"] = o.hit.page;
      m["href"] = SegmentLink(o.record_id, a->SegmentRef(o.hit.segment_id), o.hit.start_ms);
      not_public |= o.hit.level != "public";
      more.push_back(m);
    }
    group["more"] = more;
    if (not_public) audited.push_back(t.record.id);
    ++spread["lang"][head.segment.lang];
    if (!comm.empty()) ++spread["community"][comm];
    for (const auto& p : places) ++spread["place"][p];
    groups.push_back(std::move(group));
  }
  answer["groups"] = groups;
  Json spread_json = {
      {"lang", Json::object()}, {"community", Json::object()}, {"place", Json::object()}};
  for (const auto& [k, counts] : spread) {
    for (const auto& [v, n] : counts) spread_json[k][v] = n;
  }
  answer["spread"] = spread_json;
  answer["summary"] = nullptr;
  if (request.summary && !groups.empty()) {
    ASSIGN_OR_RETURN(Json config, a->Config());
    if (config.contains("ask") && config["ask"].contains("summary")) {
      answer["summary"] = Summarise(config["ask"]["summary"], request.question, groups);
    }
  }
  if (!audited.empty() && !subject.Actor().empty()) {
    RETURN_IF_ERROR(AuditView(a, subject, "", Json{{"what", "ask"}, {"records", audited}}));
  }
  return answer;
}

}  // namespace attest::http
