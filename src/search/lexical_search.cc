// A search of the lexical index (doc/search.md), in steps: parse the request, compile its query
// (lexical_query.cc), match and rank by record, count the facets, fill the page with hits
// (lexical_snippets.cc).
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/hash.h"
#include "search/lexical_index.h"
#include "search/lexical_internal.h"
#include "search/lexical_query.h"
#include "search/lexical_snippets.h"
#include "search/query.h"
#include "search/result_cache.h"

namespace attest::search {
namespace lexical {
namespace {

constexpr size_t kMaxLimit = 1000;
// The deepest page a cursor may ask for: records ranked past this many are not paged to (the
// ranking keeps every record before the page in memory; doc/search.md, "Results").
constexpr size_t kMaxOffset = 10000;
// Matches counted exactly (totals, facets) before the match may stop early and estimate;
// beyond, facets are counted over a sample of about half as many to this many matches.
constexpr Xapian::doccount kExactCountsUpTo = 2000;
// Queries whose words occur in at most this many segments (Xapian's bound before matching) are
// ranked, grouped and counted in one pass over every match (doc/search.md, "Results").
std::atomic<uint64_t> one_pass_limit{50000};
uint64_t OnePassLimit() { return one_pass_limit.load(std::memory_order_relaxed); }

// A cursor names the page after the one returned, for the same query and caller.
std::string QueryTag(const SearchRequest& r) {
  std::string weighted = r.any_word ? "\nany" : "";
  for (const auto& [word, weight] : r.weighted_words) {
    weighted += '\n' + word + '\t' + std::to_string(weight);
  }
  return ToHex(Sha256(r.query + '\n' + std::to_string(static_cast<int>(r.role)) + '\n' +
                      std::to_string(r.per_record) + (r.exact_counts ? "\ne" : "") + weighted))
      .substr(0, 12);
}

// A request parsed: its clauses (plain words joined: JoinPlainWords), the first record of the
// page its cursor asks for, and the tag its cursors carry.
struct ParsedRequest {
  std::vector<Clause> clauses;
  size_t offset = 0;
  std::string tag;
};

// Parse: takes the request; gives it parsed. kInvalidArgument, saying why, for a bad query, then
// a limit out of range, then a cursor this search did not return.
Result<ParsedRequest> Parse(const SearchRequest& request) {
  std::vector<Clause> parsed;
  if (!request.query.empty() || request.weighted_words.empty()) {
    ASSIGN_OR_RETURN(parsed, ParseQuery(request.query, !request.weighted_words.empty()));
  }
  if (request.limit == 0 || request.limit > kMaxLimit) {
    return Status::InvalidArgument("the limit must be 1 to " + std::to_string(kMaxLimit) +
                                   " records per page");
  }
  ParsedRequest out;
  out.tag = QueryTag(request);
  if (!request.cursor.empty()) {
    const std::string& c = request.cursor;
    size_t dash = c.find('-');
    bool good = dash != std::string::npos && c.substr(dash + 1) == out.tag;
    if (good) {
      auto [p, ec] = std::from_chars(c.data(), c.data() + dash, out.offset);
      good = ec == std::errc() && p == c.data() + dash;
    }
    if (good && out.offset > kMaxOffset) {
      return Status::InvalidArgument("cursor '" + c.substr(0, 40) + "' asks for records past the " +
                                     std::to_string(kMaxOffset) +
                                     "th; pages stop there: narrow the search instead");
    }
    if (!good) {
      return Status::InvalidArgument("cursor '" + c.substr(0, 40) +
                                     "' is not one this search returned; start from the first "
                                     "page");
    }
  }
  out.clauses = JoinPlainWords(parsed);
  return out;
}

// What the steps after the query share: the caller's databases, the query, the page asked for.
struct Matching {
  Xapian::Database& db;
  const Xapian::Query& q;
  Xapian::doccount all;  // documents in `db`
  const FacetColumn& column;
  size_t visible_levels;  // VisibleLevels of the caller's role
  size_t per_record;      // at least 1
  size_t offset, limit;
  const std::string& tag;
  Highlighter& highlighter;
};

// Counts the matches of `query`, unweighed, in index order; Xapian's bounds alone with
// `at_least` 0.
Xapian::MSet Count(const Matching& m, const Xapian::Query& query, Xapian::doccount at_least,
                   Xapian::MatchSpy* spy) {
  Xapian::Enquire e(m.db);
  e.set_query(query);
  e.set_weighting_scheme(Xapian::BoolWeight());
  if (spy) e.add_matchspy(spy);
  return e.get_mset(0, 0, at_least);
}

// Match, not too many matches: one pass weighs every match, counts it (totals, facets) and
// keeps its record's best segments (doc/search.md, "Results"). Takes the matching; gives the
// spy that counted (facets collected), and in `out` the exact totals.
std::unique_ptr<RankingSpy> MatchInOnePass(const Matching& m, Results* out) {
  auto ranking = std::make_unique<RankingSpy>(m.column, m.visible_levels, m.per_record);
  Xapian::Enquire e(m.db);
  e.set_query(m.q);
  e.add_matchspy(ranking.get());
  e.get_mset(0, 1, m.all);
  ranking->Collect();
  out->total_estimate = ranking->counted;
  out->counts_exact = true;
  return ranking;
}

// Page, after MatchInOnePass: takes its ranking; gives in `out` the records of the page asked
// for with their best segments as hits, the count of records and the next page's cursor.
void PageOfRanking(const Matching& m, const RankingSpy& ranking, Results* out) {
  auto ranked = ranking.Ranked();
  out->records_estimate = ranked.size();
  for (size_t i = m.offset; i < ranked.size() && i < m.offset + m.limit; ++i) {
    RecordHits group;
    group.record_id = m.column.Record(ranked[i]->record);
    group.matching_segments = ranked[i]->matches;
    for (const Weighed& w : ranked[i]->best) {
      m.highlighter.AddHit(m.column.Document(w.segment), w.weight, &group);
    }
    if (!group.hits.empty()) out->records.push_back(std::move(group));
  }
  if (m.offset + m.limit < ranked.size() && m.offset + m.limit <= kMaxOffset) {
    out->next_cursor = std::to_string(m.offset + m.limit) + "-" + m.tag;
  }
}

// Counts (into `spy`, cleared first) the matches in the sample XS<k> sized for `estimate`
// matches (about half of kExactCountsUpTo to all of it); sets out->facet_sample. Gives an
// unbiased estimate of the matches.
uint64_t CountSample(const Matching& m, uint64_t estimate, FacetSpy* spy, Results* out) {
  int k = 1;
  while (k < kMaxSampleBits && (estimate >> k) > kExactCountsUpTo) ++k;
  spy->Clear();
  Count(m, Xapian::Query(Xapian::Query::OP_FILTER, m.q, Xapian::Query(kSample + std::to_string(k))),
        m.all, spy);
  out->facet_sample = uint64_t{1} << k;
  return spy->seen * out->facet_sample;
}

// Facet, many matches: counting, in index order without ranking, over the caller's levels
// only. Totals and facets are exact up to kExactCountsUpTo matches; beyond, the facets (which
// read a value of every match they count) are counted over a sample and scaled. Takes the
// matching, whether the query has a phrase and Xapian's bounds; gives the spy that counted
// (facets collected), and in `out` the totals, counts_exact and facet_sample.
std::unique_ptr<FacetSpy> CountMatches(const Matching& m, bool positional, Xapian::MSet counted,
                                       Results* out) {
  auto sampled = std::make_unique<FacetSpy>(m.column, m.visible_levels);
  FacetSpy& spy = *sampled;
  // A count of up to kExactCountsUpTo matches for words (cheap: posting lists only). A
  // phrase's matches each need their positions checked, so beyond the bounds it goes
  // straight to the sample, whose count estimates its total.
  if (!positional && counted.get_matches_upper_bound() > kExactCountsUpTo) {
    counted = Count(m, m.q, kExactCountsUpTo, nullptr);
  }
  out->total_estimate = counted.get_matches_estimated();
  out->counts_exact = counted.get_matches_upper_bound() <= kExactCountsUpTo;
  if (!out->counts_exact) {
    uint64_t estimate = CountSample(m, out->total_estimate, &spy, out);
    if (positional) out->total_estimate = estimate;
    if (spy.seen < kExactCountsUpTo / 4 && out->facet_sample > 2) {
      // The estimate was far too high: a denser sample, sized by this one.
      uint64_t before = out->facet_sample;
      estimate = CountSample(m, estimate, &spy, out);
      if (positional && out->facet_sample < before) out->total_estimate = estimate;
    }
    if (estimate <= kExactCountsUpTo / 2) out->counts_exact = true;  // few: count them all
  }
  if (out->counts_exact) {
    spy.Clear();
    out->facet_sample = 1;
    out->total_estimate = Count(m, m.q, m.all, &spy).get_matches_estimated();
  }
  spy.Collect();  // the facets and records of the last counting pass
  return sampled;
}

// Page, per_record > 1, after PageByCollapse: takes the page's records (`group_of`: record id
// to its index in out->records); adds to each its best segments as hits, in one pass: the query
// within those records, at most per_record segments of each; every match seen, so each
// record's count is exact. A record with no segment at a visible level (the second lock) is
// taken off the page.
void AddBestSegments(const Matching& m, const std::vector<Xapian::Query>& page_records,
                     const std::map<std::string, size_t>& group_of, Results* out) {
  RecordCountSpy per_record_count(m.column, m.visible_levels);
  Xapian::Enquire inner(m.db);
  inner.set_query(
      Xapian::Query(Xapian::Query::OP_FILTER, m.q,
                    Xapian::Query(Xapian::Query::OP_OR, page_records.begin(), page_records.end())));
  inner.set_collapse_key(kSlotRecord, static_cast<Xapian::doccount>(m.per_record));
  inner.add_matchspy(&per_record_count);
  Xapian::MSet best =
      inner.get_mset(0, static_cast<Xapian::doccount>(m.per_record * page_records.size()), m.all);
  for (auto b = best.begin(); b != best.end(); ++b) {
    auto g = group_of.find(b.get_collapse_key());
    if (g != group_of.end())
      m.highlighter.AddHit(b.get_document(), b.get_weight(), &out->records[g->second]);
  }
  auto counts = per_record_count.Counts();
  for (auto& group : out->records) group.matching_segments = counts[group.record_id];
  std::erase_if(out->records, [](const RecordHits& g) { return g.hits.empty(); });
}

// Match and page, after CountMatches: Xapian ranks with a collapse on the record (one entry per
// record, its best segment) and may stop early. Takes the counting spy; gives in `out` the page
// asked for, the count of records and the next page's cursor.
void PageByCollapse(const Matching& m, FacetSpy& spy, Results* out) {
  Xapian::Enquire enquire(m.db);
  enquire.set_query(m.q);
  enquire.set_collapse_key(kSlotRecord, 1);
  Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(m.offset),
                                       static_cast<Xapian::doccount>(m.limit));
  out->records_estimate =
      out->counts_exact ? spy.records.size()
                        : std::max<uint64_t>(m.offset + mset.size(), mset.get_matches_estimated());
  if (mset.size() == m.limit && m.offset + mset.size() < out->records_estimate &&
      m.offset + mset.size() <= kMaxOffset) {
    out->next_cursor = std::to_string(m.offset + mset.size()) + "-" + m.tag;
  }
  std::map<std::string, size_t> group_of;  // record id -> index in out->records
  std::vector<Xapian::Query> page_records;
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    RecordHits group;
    group.record_id = it.get_collapse_key();
    // Xapian's collapse count is a lower bound; the counting pass saw every match.
    group.matching_segments = out->facet_sample == 1 && out->counts_exact
                                  ? spy.records[group.record_id]
                                  : 1 + it.get_collapse_count();
    if (m.per_record == 1) {
      m.highlighter.AddHit(it.get_document(), it.get_weight(), &group);
      if (group.hits.empty()) continue;  // not at a visible level (the second lock)
    } else {
      page_records.emplace_back(kRecord + group.record_id);
      group_of[group.record_id] = out->records.size();
    }
    out->records.push_back(std::move(group));
  }
  if (!page_records.empty()) AddBestSegments(m, page_records, group_of, out);
}

// Facet: takes the spy that counted; gives in `out` its facets (without empty values), scaled
// by the sample.
void CopyFacets(const FacetSpy& facets, Results* out) {
  for (auto [from, to] : {std::pair{&facets.langs, &out->lang_facets},
                          std::pair{&facets.collections, &out->collection_facets},
                          std::pair{&facets.places, &out->place_facets},
                          std::pair{&facets.months, &out->month_facets}}) {
    for (const auto& [k, n] : *from) {
      if (!k.empty()) (*to)[k] = n * out->facet_sample;
    }
  }
}

}  // namespace
}  // namespace lexical

using lexical::CompiledQuery;
using lexical::FacetColumn;
using lexical::FacetSpy;
using lexical::Highlighter;
using lexical::Matching;
using lexical::ParsedRequest;

uint64_t LexicalIndex::SetOnePassLimitForTesting(uint64_t matches) {
  return lexical::one_pass_limit.exchange(matches);
}

Result<Results> LexicalIndex::Search(const SearchRequest& request) {
  RETURN_IF_ERROR(rep_->Drain());
  std::string state, key;
  const bool opened = request.role != Role::kArchivist && !request.opening.empty();
  if (rep_->cache && !opened) {
    state = rep_->State();
    key = CacheKey(request);
    if (auto page = rep_->cache->Find(state, key)) return std::move(*page);
  }
  try {
    auto results = SearchOrThrow(request);
    if (results.ok() && rep_->cache && !opened) rep_->cache->Add(state, key, *results);
    return results;
  } catch (const Xapian::Error& e) {
    return Status::InvalidArgument("the query cannot be run: " + e.get_msg());
  }
}

// Parse, compile the query, then match and page (in one pass when the matches are few, else
// counted apart and ranked with a collapse), then copy the facets. The Xapian errors of making
// the query escape to Search; those of matching are the index's (kIOError).
Result<Results> LexicalIndex::SearchOrThrow(const SearchRequest& request) {
  rep_->an.TrimCache();
  ASSIGN_OR_RETURN(ParsedRequest parsed, lexical::Parse(request));
  ASSIGN_OR_RETURN(CompiledQuery query, lexical::CompileQuery(request, parsed.clauses, &rep_->an));
  // Access: the databases opened are the caller's levels only. As a second lock, every
  // document shown (hit, snippet) or counted in a facet is checked against them again by the
  // level it carries. (The same check inside the query, a filter on the level terms, cost
  // 40% of a common word's search at 1M segments.) A search opened at restricted for one
  // caller (grants, own additions) opens every level and filters on the level terms instead:
  // only that caller pays for it.
  Role levels = request.role;
  if (request.role != Role::kArchivist && !request.opening.empty()) {
    query.query = Xapian::Query(Xapian::Query::OP_FILTER, query.query,
                                lexical::OpeningFilter(request.role, request.opening));
    levels = Role::kArchivist;
  }
  const auto visible = lexical::VisibleLevelNames(levels);
  Xapian::Database db = rep_->Visible(levels);
  Results out;
  Highlighter highlighter(&rep_->an, query, visible);
  try {
    Xapian::doccount all = db.get_doccount();
    const FacetColumn& column = rep_->Column();
    const Matching m{db,
                     query.query,
                     all,
                     column,
                     VisibleLevels(levels),
                     std::max<size_t>(request.per_record, 1),
                     parsed.offset,
                     request.limit,
                     parsed.tag,
                     highlighter};
    // First the bounds Xapian knows without matching (free).
    Xapian::MSet counted = lexical::Count(m, query.query, 0, nullptr);
    std::unique_ptr<FacetSpy> facets;
    if (request.exact_counts || counted.get_matches_upper_bound() <= lexical::OnePassLimit()) {
      auto ranking = lexical::MatchInOnePass(m, &out);
      lexical::PageOfRanking(m, *ranking, &out);
      facets = std::move(ranking);
    } else {
      facets = lexical::CountMatches(m, query.positional, counted, &out);
      lexical::PageByCollapse(m, *facets, &out);
    }
    lexical::CopyFacets(*facets, &out);
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  return out;
}

}  // namespace attest::search
