// Ask's retrieval (doc/ask.md): a question in plain words, in any of the archive's languages,
// finds segments by its own words (lexical), by their translations (FreeDict dictionaries)
// and, when the archive has an embedding model, by meaning (the semantic index); the ranked
// lists are fused by reciprocal rank fusion. Access comes first in each list: every list is
// searched within the caller's levels only. Not thread-safe (uses the LexicalIndex it is given).
#ifndef ATTEST_SEARCH_RETRIEVE_H_
#define ATTEST_SEARCH_RETRIEVE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "search/lexical_index.h"
#include "search/translate.h"

namespace attest::search {

struct RetrieveRequest {
  std::string question;  // at most kMaxQueryBytes
  std::string lang;      // the question's language (ar, he, en, fr), or "": from its letters
  // Field filters in the query language (lang:fr place:"Kfar Aza" date:2023-10 collection:x),
  // applied to every list.
  std::string filters;
  Role role = Role::kAnonymous;
  Opening opening;  // restricted material opened to this caller (SearchRequest::opening)
  std::vector<std::string> names;  // the archive's names (SearchRequest::names)
  size_t depth = 100;              // segments taken from each list
};

// The semantic path: the `k` segments nearest in meaning to `question` that `role` may see,
// best first; empty when the archive has no embedding model.
using SemanticSearch =
    std::function<Result<std::vector<int64_t>>(std::string_view question, Role role, size_t k)>;

// How much each list's ranks count in the fusion: a translation is a guess, so the dictionary's
// list counts below the question's own words.
inline constexpr double kLexicalWeight = 1.0;
inline constexpr double kDictionaryWeight = 0.8;
inline constexpr double kSemanticWeight = 1.0;

struct Retrieved {
  struct Item {
    LexicalIndex::Fetched segment;  // its hit (snippet marked where the words matched)
    double score = 0;               // fused
    bool by_words = false, by_dictionary = false, by_meaning = false;
  };
  std::vector<Item> items;                  // best first
  std::vector<std::string> question_langs;  // tags, from RetrieveRequest::lang or the letters
  // The translations used, "word → translation" per language reached.
  std::vector<Translator::Word> translations;
  // Languages of the archive no dictionary leads to from the question's (Hebrew, today): only
  // names and the semantic index can match them (the answer says so).
  std::vector<std::string> unreached_langs;
  bool semantic = false;  // the semantic list took part
};

// kInvalidArgument (saying why) for a question with no words, too long, not UTF-8, in a
// language attest does not know, or with filters that are not fields.
Status CheckRetrieveRequest(const RetrieveRequest& request);
// Checks the request as CheckRetrieveRequest does, then retrieves.
Result<Retrieved> Retrieve(LexicalIndex* index, const Translator* translator,
                           const SemanticSearch& semantic, const RetrieveRequest& request);

}  // namespace attest::search

#endif  // ATTEST_SEARCH_RETRIEVE_H_
