// The lexical index's handle: opening it for reading, and reading segments by id (Fetch) and
// words by prefix (Suggest). Writing: lexical_writer.cc; searching: lexical_search.cc; the
// format on disk: lexical_format.h (doc/format/search_index.md).
#include "search/lexical_index.h"

#include <xapian.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "core/json.h"  // IsValidUtf8, CodePoints
#include "search/lexical_internal.h"
#include "search/lexical_query.h"
#include "search/lexical_snippets.h"
#include "search/query.h"
#include "search/result_cache.h"

namespace attest::search {

size_t VisibleLevels(Role role) {
  switch (role) {
    case Role::kArchivist:
      return 3;
    case Role::kResearcher:
      return 2;
    case Role::kAnonymous:
      return 1;
  }
  return 1;
}

namespace lexical {

// The names of the consent levels `role` may see.
std::set<std::string, std::less<>> VisibleLevelNames(Role role) {
  std::set<std::string, std::less<>> out;
  for (size_t i = 0; i < VisibleLevels(role); ++i) out.insert(meta::ConsentName(kLevels[i]));
  return out;
}

}  // namespace lexical

using lexical::FieldFilter;
using lexical::FieldFilterOf;
using lexical::kLanes;
using lexical::kLevels;
using lexical::kSlotDateFrom;
using lexical::kSlotDateTo;
using lexical::LevelDir;
using lexical::SegmentData;
using lexical::VisibleLevelNames;

LexicalIndex::LexicalIndex() : rep_(new Internal) {}

LexicalIndex::~LexicalIndex() = default;

Result<std::unique_ptr<LexicalIndex>> LexicalIndex::OpenReadOnly(const std::string& dir) {
  std::unique_ptr<LexicalIndex> idx(new LexicalIndex);
  try {
    for (size_t i = 0; i < kLevels.size(); ++i) {
      for (size_t k = 0; k < kLanes; ++k) {
        idx->rep_->readers[i].push_back(std::make_unique<Xapian::Database>(LevelDir(dir, i, k)));
        idx->rep_->uuids += idx->rep_->readers[i].back()->get_uuid();
      }
    }
  } catch (const Xapian::DatabaseNotFoundError& e) {
    return Status::NotFound("no search index in " + dir + "; build it with attest reindex");
  } catch (const Xapian::Error& e) {
    return Status::Corruption("search index " + dir + " cannot be opened (" + e.get_msg() +
                              "); rebuild it with attest reindex");
  }
  return idx;
}

Status LexicalIndex::Reopen() {
  try {
    for (auto& level : rep_->readers) {
      for (auto& r : level) r->reopen();
    }
  } catch (const Xapian::Error& e) {
    return Status::Corruption("the search index cannot be reopened (" + e.get_msg() + ")");
  }
  return Status::Ok();
}

uint64_t LexicalIndex::DocCount() const {
  (void)rep_->Drain();
  uint64_t n = 0;
  for (auto* w : rep_->Writers()) n += w->get_doccount();
  for (auto& level : rep_->readers) {
    for (auto& r : level) n += r->get_doccount();
  }
  return n;
}

void LexicalIndex::ShareCache(std::shared_ptr<ResultCache> cache) {
  if (!rep_->writable()) rep_->cache = std::move(cache);
}

Result<std::vector<LexicalIndex::Fetched>> LexicalIndex::Fetch(const std::vector<int64_t>& ids,
                                                               Role role,
                                                               const std::string& filters,
                                                               const Opening& opening) {
  const bool opened = role != Role::kArchivist && !opening.empty();
  const Role levels = opened ? Role::kArchivist : role;
  const auto visible = VisibleLevelNames(levels);
  std::vector<Clause> clauses;
  if (!filters.empty()) {
    ASSIGN_OR_RETURN(clauses, ParseFilters(filters));
  }
  std::vector<std::pair<FieldFilter, bool>> checks;  // and whether it is negated
  for (const Clause& c : clauses) {
    ASSIGN_OR_RETURN(FieldFilter f, FieldFilterOf(c));
    checks.emplace_back(std::move(f), c.negated);
  }
  // What the query's filters match, checked on one document.
  auto passes = [&](const Xapian::Document& doc) {
    for (const auto& [f, negated] : checks) {
      bool holds;
      if (f.dates) {
        std::string from = doc.get_value(kSlotDateFrom), to = doc.get_value(kSlotDateTo);
        holds = !from.empty() && from <= f.dates->to && to >= f.dates->from;
      } else {
        auto t = doc.termlist_begin();
        t.skip_to(f.term);
        holds = t != doc.termlist_end() && *t == f.term;
      }
      if (holds == negated) return false;
    }
    return true;
  };
  std::vector<Fetched> out;
  try {
    for (size_t i = 0; i < VisibleLevels(levels); ++i) {
      std::vector<Xapian::Database*> dbs;
      for (auto& lane : rep_->lanes) dbs.push_back(lane->w[i].get());
      for (auto& r : rep_->readers[i]) dbs.push_back(r.get());
      for (Xapian::Database* db : dbs) {
        for (int64_t id : ids) {
          if (id <= 0 || id > 0xffffffffLL) continue;
          Xapian::Document doc;
          try {
            doc = db->get_document(static_cast<Xapian::docid>(id));
          } catch (const Xapian::DocNotFoundError&) {
            continue;
          }
          std::string data = doc.get_data();
          SegmentData d;
          if (!d.Decode(data) || visible.count(d.level) == 0 || !passes(doc)) continue;
          if (opened && !lexical::PassesOpening(role, opening, d.level, doc)) continue;
          Fetched f;
          f.record_id = std::string(d.record);
          f.witness_id = std::string(d.witness);
          f.collection_id = std::string(d.collection);
          f.hit = d.ToHit();
          f.hit.snippet = std::string(lexical::OpeningWords(d));
          out.push_back(std::move(f));
        }
      }
    }
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  std::unordered_map<int64_t, size_t> order;
  for (size_t i = 0; i < ids.size(); ++i) order.emplace(ids[i], i);
  std::sort(out.begin(), out.end(), [&](const Fetched& a, const Fetched& b) {
    return order[a.hit.segment_id] < order[b.hit.segment_id];
  });
  return out;
}

Result<std::vector<Suggestion>> LexicalIndex::Suggest(std::string_view prefix, Role role,
                                                      size_t limit) {
  RETURN_IF_ERROR(rep_->Drain());
  constexpr size_t kMaxScanned = 20000;
  if (!IsValidUtf8(prefix)) return Status::InvalidArgument("the prefix is not valid UTF-8");
  ASSIGN_OR_RETURN(auto tokens, text::Tokenize(prefix));
  if (tokens.size() != 1 || CodePoints(tokens[0].surface) < kMinPrefixCodePoints) {
    return std::vector<Suggestion>();
  }
  std::set<std::string> forms;
  rep_->an.QueryForms(tokens[0], &forms);
  std::map<std::string, uint64_t> seen;
  try {
    // Only the caller's levels are opened, so the counts are of what the caller may see.
    Xapian::Database db = rep_->Visible(role);
    for (const auto& f : forms) {
      size_t scanned = 0;
      for (auto t = db.allterms_begin(f); t != db.allterms_end(f) && scanned < kMaxScanned;
           ++t, ++scanned) {
        seen[*t] = std::max<uint64_t>(seen[*t], t.get_termfreq());
      }
    }
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  std::vector<Suggestion> out;
  for (const auto& [w, n] : seen) out.push_back({w, n});
  std::stable_sort(out.begin(), out.end(), [](const Suggestion& a, const Suggestion& b) {
    return a.segments > b.segments;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace attest::search
