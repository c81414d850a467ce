// A search request as a Xapian query over the lexical index (doc/search.md): each word read in
// every language at once (its spellings, stems and, where names are known, name keys), phrases,
// prefixes, field filters, OR groups, exclusions and Ask's weighted words. Internal to search/
// (lexical_*.cc). Thread-safe as the Analysis it is given: one per thread.
#ifndef ATTEST_SEARCH_LEXICAL_QUERY_H_
#define ATTEST_SEARCH_LEXICAL_QUERY_H_

#include <xapian.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "search/dates.h"
#include "search/lexical_analysis.h"
#include "search/lexical_index.h"
#include "search/query.h"

namespace attest::search::lexical {

// What a field clause (lang:, witness:, collection:, record:, place:, date:) asks of a
// segment's document: a term it holds, or a date range its dates overlap.
struct FieldFilter {
  std::string term;
  std::optional<DateRange> dates;
};
// kInvalidArgument for a date that is not one, or a place with no letters.
Result<FieldFilter> FieldFilterOf(const Clause& c);

// The parsed query's clauses with consecutive plain words joined into one clause, so that a
// name of several words can be found in them; OR keeps binding to the single word beside it.
std::vector<Clause> JoinPlainWords(const std::vector<Clause>& parsed);

// A request compiled: the query to match, and what marking a hit's matched words needs.
struct CompiledQuery {
  Xapian::Query query;
  std::set<std::string> matched_terms;  // the index terms the query matches
  std::vector<std::string> prefixes;    // the folded forms prefix clauses match the start of
  bool positional = false;              // a phrase: each match's positions are checked
};

// Takes the request and its clauses (JoinPlainWords); gives the query: plain words (and OR
// groups of clauses) must all match (with SearchRequest::any_word, any of them), then the field
// filters, then the exclusions. kInvalidArgument, saying why, for a bad field value, a prefix of
// more than one word, a weight out of (0, 1], or no words and no filters at all.
Result<CompiledQuery> CompileQuery(const SearchRequest& request, const std::vector<Clause>& clauses,
                                   Analysis* an);

// What an opened search (SearchRequest::opening) matches besides the query: the levels `role`
// reads in full, and at restricted only the segments `opening` opens, never those of its shut
// records.
Xapian::Query OpeningFilter(Role role, const Opening& opening);

// Whether a document of `level` passes `opening` for `role` (the same rule, on one document:
// Fetch). `doc` holds its terms.
bool PassesOpening(Role role, const Opening& opening, std::string_view level,
                   const Xapian::Document& doc);

}  // namespace attest::search::lexical

#endif  // ATTEST_SEARCH_LEXICAL_QUERY_H_
