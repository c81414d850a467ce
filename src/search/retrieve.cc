#include "search/retrieve.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "search/fusion.h"
#include "search/query.h"
#include "text/tokenizer.h"

namespace attest::search {
namespace {

using text::Lang;

// A hit list of a search, flattened to segments, best first.
std::vector<LexicalIndex::Fetched> Flatten(const Results& r) {
  std::vector<std::pair<double, LexicalIndex::Fetched>> all;
  for (const auto& rec : r.records) {
    for (const auto& h : rec.hits) {
      all.push_back({h.weight, {h, rec.record_id, rec.witness_id, rec.collection_id}});
    }
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<LexicalIndex::Fetched> out;
  for (auto& [w, f] : all) out.push_back(std::move(f));
  return out;
}

}  // namespace

namespace {

// The question's words, without the function words that would match nearly everything
// (unless it has nothing else); lower case, so no word reads as the query language's OR.
Result<std::vector<std::string>> QuestionWords(const RetrieveRequest& request) {
  if (request.question.size() > kMaxQueryBytes) {
    return Status::InvalidArgument("the question is longer than " + std::to_string(kMaxQueryBytes) +
                                   " bytes");
  }
  auto tokens = text::Tokenize(request.question);
  if (!tokens.ok()) return Status::InvalidArgument("the question is not valid UTF-8");
  // Its words, without the function words that would match nearly everything (unless it has
  // nothing else); lower case, so no word reads as the query language's OR.
  std::vector<std::string> words, all_words;
  for (const auto& t : *tokens) {
    // A word never reads as a field of the query language (UAX #29 keeps "a:b" one word).
    std::string w = t.norm;
    std::replace(w.begin(), w.end(), ':', ' ');
    all_words.push_back(w);
    if (!IsFunctionWord(w)) words.push_back(w);
  }
  if (words.empty()) words = all_words;
  if (words.empty()) {
    return Status::InvalidArgument("the question has no words to look for");
  }
  if (!request.filters.empty()) {
    RETURN_IF_ERROR(ParseFilters(request.filters).status());
  }
  if (!request.lang.empty() && text::LangFromTag(request.lang) == Lang::kUnknown) {
    return Status::InvalidArgument("language '" + request.lang + "' is not one of ar, he, en, fr");
  }
  return words;
}

}  // namespace

Status CheckRetrieveRequest(const RetrieveRequest& request) {
  return QuestionWords(request).status();
}

Result<Retrieved> Retrieve(LexicalIndex* index, const Translator* translator,
                           const SemanticSearch& semantic, const RetrieveRequest& request) {
  ASSIGN_OR_RETURN(std::vector<std::string> words, QuestionWords(request));
  Retrieved out;
  std::vector<Lang> langs;
  if (!request.lang.empty()) {
    langs = {text::LangFromTag(request.lang)};
  } else {
    langs = QuestionLangs(request.question);
  }
  for (Lang l : langs) out.question_langs.push_back(text::LangTag(l));

  auto base = [&] {
    SearchRequest sr;
    sr.role = request.role;
    sr.opening = request.opening;
    sr.names = request.names;
    sr.any_word = true;
    sr.limit = std::min<size_t>(request.depth, 100);
    sr.per_record = 3;
    return sr;
  };
  std::vector<RankedList> lists;
  std::unordered_map<int64_t, Retrieved::Item> items;
  auto take = [&](std::vector<LexicalIndex::Fetched> found, double weight, int list) {
    RankedList l{{}, weight};
    for (auto& f : found) {
      if (l.ids.size() >= request.depth) break;
      int64_t id = f.hit.segment_id;
      l.ids.push_back(id);
      auto [it, fresh] = items.try_emplace(id);
      if (fresh) it->second.segment = std::move(f);
      (list == 0   ? it->second.by_words
       : list == 1 ? it->second.by_dictionary
                   : it->second.by_meaning) = true;
    }
    lists.push_back(std::move(l));
  };

  // The question's own words.
  {
    SearchRequest sr = base();
    for (const auto& w : words) sr.query += (sr.query.empty() ? "" : " ") + w;
    if (!request.filters.empty()) sr.query += " " + request.filters;
    ASSIGN_OR_RETURN(Results r, index->Search(sr));
    take(Flatten(r), kLexicalWeight, 0);
  }
  // Their translations.
  if (translator) {
    std::set<std::pair<std::string, int>> seen;
    for (Lang from : langs) {
      for (auto& w : translator->Translate(words, from)) {
        if (seen.insert({w.text, static_cast<int>(w.lang)}).second) {
          out.translations.push_back(std::move(w));
        }
      }
    }
    if (!out.translations.empty()) {
      SearchRequest sr = base();
      sr.query = request.filters;
      for (const auto& w : out.translations) sr.weighted_words.emplace_back(w.text, w.weight);
      ASSIGN_OR_RETURN(Results r, index->Search(sr));
      take(Flatten(r), kDictionaryWeight, 1);
    }
  }
  for (Lang to : {Lang::kArabic, Lang::kHebrew, Lang::kEnglish, Lang::kFrench}) {
    bool reached = std::find(langs.begin(), langs.end(), to) != langs.end();
    for (Lang from : langs) reached |= translator && translator->Reaches(from, to);
    if (!reached) out.unreached_langs.push_back(text::LangTag(to));
  }
  // Their meaning.
  if (semantic) {
    ASSIGN_OR_RETURN(std::vector<int64_t> near,
                     semantic(request.question,
                              // An opening reaches into restricted: Fetch keeps what it opens.
                              request.opening.empty() ? request.role : Role::kArchivist,
                              // Filters and an opening leave some of the nearest out: more
                              // are asked for.
                              request.filters.empty() && request.opening.empty()
                                  ? request.depth
                                  : 5 * request.depth));
    if (!near.empty()) {
      out.semantic = true;
      // Each is read from the lexical index, within the caller's levels again (a second lock
      // on the semantic index's own) and matched against the filters; in `near`'s order.
      ASSIGN_OR_RETURN(auto fetched, index->Fetch(near, request.role, request.filters, request.opening));
      take(std::move(fetched), kSemanticWeight, 2);
    }
  }

  for (const auto& [id, score] : FuseRanks(lists)) {
    auto it = items.find(id);
    if (it == items.end()) continue;
    it->second.score = score;
    out.items.push_back(std::move(it->second));
  }
  return out;
}

}  // namespace attest::search
