// The search query language (doc/search.md), parsed into clauses. Thread-safe: pure.
#ifndef ATTEST_SEARCH_QUERY_H_
#define ATTEST_SEARCH_QUERY_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace attest::search {

struct Clause {
  enum Kind { kWords, kPhrase, kField, kPrefix };
  Kind kind = kWords;
  std::string text;               // the words, the phrase, or the field's value
  std::string field;              // for kField: lang, witness, collection, record
  bool negated = false;           // -word, -"phrase", -field:value
  bool or_with_previous = false;  // joined to the clause before it by OR
};

constexpr size_t kMaxQueryBytes = 1000;
// A prefix shorter than this matches too much to be useful and is refused.
constexpr size_t kMinPrefixCodePoints = 2;

// kInvalidArgument, saying what is wrong, for: an empty query, more than kMaxQueryBytes,
// invalid UTF-8, an unknown field, a query of only exclusions. An unbalanced quote reads as a
// phrase to the end of the query.
// With `more_words` (the caller adds words of its own to match), a query of only exclusions
// is accepted.
Result<std::vector<Clause>> ParseQuery(std::string_view query, bool more_words = false);
// Field filters only (lang:fr -place:Haifa date:2023-10), as Ask and the semantic path take
// them: kInvalidArgument for anything else.
Result<std::vector<Clause>> ParseFilters(std::string_view filters);

}  // namespace attest::search

#endif  // ATTEST_SEARCH_QUERY_H_
