// Counting a search's matches as Xapian's match shows them: the facet column (each segment's
// packed facet value in memory) and the match spies that count facets and records, and rank by
// record in one pass. Internal to search/ (lexical_*.cc). Not thread-safe: one column per
// LexicalIndex, one spy per match.
#ifndef ATTEST_SEARCH_LEXICAL_FACETS_H_
#define ATTEST_SEARCH_LEXICAL_FACETS_H_

#include <xapian.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "search/lexical_format.h"

namespace attest::search::lexical {

// The packed facet value (kSlotFacets) of every indexed segment, held in memory by segment id
// (its document id in whichever level's database holds it), so that counting a match is an
// array lookup: Xapian decodes a value chunk for each value it is asked for, which was most of
// the cost of counting a common word's matches. Values repeat (a record's segments share
// most), so each distinct value is kept once. Derived from the value streams and built anew
// when the databases change (Refresh). A segment is in one level's database; should a reader
// see it in two while it moves, the stricter level's value is the one kept.
class FacetColumn {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Rebuilds from `levels` (each level's databases, kLevels order) unless it was built at
  // `state` already.
  void Refresh(const std::array<std::vector<Xapian::Database*>, 3>& levels,
               const std::string& state);

  // The value of segment `docid`, or kNone.
  uint32_t At(Xapian::docid docid) const { return docid < of_doc_.size() ? of_doc_[docid] : kNone; }
  const FacetFields& Fields(uint32_t id) const { return fields_[id]; }
  // The index in kLevels of the level value `id` names (kLevels.size() if none).
  size_t LevelOf(uint32_t id) const { return level_of_[id]; }
  size_t size() const { return values_.size(); }
  // Records, numbered from 0: the record of value `id`, and a record's id.
  uint32_t RecordOf(uint32_t id) const { return record_of_[id]; }
  std::string_view Record(uint32_t record) const { return records_[record]; }
  size_t records() const { return records_.size(); }
  // The document of segment `docid` (which has a value), from the database that holds it.
  Xapian::Document Document(Xapian::docid docid) const {
    // Known to be there (it has a value): not looked up again before its data is read.
    return dbs_[db_of_[docid]]->get_document(docid, Xapian::DOC_ASSUME_VALID);
  }

 private:
  static size_t LevelIndex(std::string_view name);

  bool built_ = false;
  std::string state_;
  std::vector<uint32_t> of_doc_;    // by segment id
  std::deque<std::string> values_;  // a deque: fields_ views them in place
  std::vector<FacetFields> fields_;
  std::vector<size_t> level_of_;
  std::vector<uint32_t> record_of_;        // by value id
  std::vector<std::string_view> records_;  // views into values_
  std::vector<Xapian::Database*> dbs_;     // every level's, the order of Refresh's arguments
  std::vector<uint8_t> db_of_;             // by segment id: its database in dbs_
};

// A match spy that looks each match's facet value up in the column and counts (Count) only
// the matches at a level its caller may see; the databases opened already exclude the
// others, so this is a second lock. (Xapian shows a spy the document of the database it is
// in, so its id is the segment's.)
class VisibleMatchSpy : public Xapian::MatchSpy {
 public:
  VisibleMatchSpy(const FacetColumn& column, size_t visible_levels)
      : column_(column), visible_levels_(visible_levels) {}
  void operator()(const Xapian::Document& doc, double weight) final {
    ++seen;
    Xapian::docid docid = doc.get_docid();
    uint32_t id = column_.At(docid);
    if (id != FacetColumn::kNone && column_.LevelOf(id) < visible_levels_) {
      Count(id, docid, weight);
    }
  }
  uint64_t seen = 0;  // matches shown, whatever their level

 protected:
  // A match at a visible level: its value, segment id and weight.
  virtual void Count(uint32_t id, Xapian::docid docid, double weight) = 0;
  const FacetColumn& column_;

 private:
  size_t visible_levels_;
};

// Counts the facet values of the matches it is shown.
class FacetSpy : public VisibleMatchSpy {
 public:
  FacetSpy(const FacetColumn& column, size_t visible_levels)
      : VisibleMatchSpy(column, visible_levels), counts_(column.size()) {}
  void Clear() {
    seen = 0;
    std::fill(counts_.begin(), counts_.end(), 0);
  }
  // The counts so far by facet and by record.
  void Collect();
  std::map<std::string, uint64_t> langs, collections, places, months;
  std::unordered_map<std::string, uint64_t> records;  // matches by record

 protected:
  void Count(uint32_t id, Xapian::docid, double) override { ++counts_[id]; }

 private:
  std::vector<uint64_t> counts_;  // by value id
};

// Counts the matches of each record it is shown.
class RecordCountSpy : public VisibleMatchSpy {
 public:
  RecordCountSpy(const FacetColumn& column, size_t visible_levels)
      : VisibleMatchSpy(column, visible_levels) {}
  std::map<std::string, uint64_t> Counts() const;

 private:
  void Count(uint32_t id, Xapian::docid, double) override { ++counts_[id]; }
  std::unordered_map<uint32_t, uint64_t> counts_;  // by value id
};

// A segment weighed by the match.
struct Weighed {
  double weight;
  Xapian::docid segment;
  // Xapian's order of relevance: heavier first, then the lower document id.
  bool operator<(const Weighed& o) const {
    return weight != o.weight ? weight > o.weight : segment < o.segment;
  }
};

// Shown every match with its weight (a match run over all of them), counts the facets (as
// FacetSpy does) and keeps each record's count of matches and its best `per_record` segments:
// the ranking by record, its totals and facets and the page's hits in one pass.
class RankingSpy : public FacetSpy {
 public:
  struct RecordBest {
    uint32_t record = 0;
    uint64_t matches = 0;
    std::vector<Weighed> best;  // sorted, at most per_record
  };
  RankingSpy(const FacetColumn& column, size_t visible_levels, size_t per_record)
      : FacetSpy(column, visible_levels),
        per_record_(per_record),
        slot_of_(column.records(), FacetColumn::kNone) {}
  // The records with matches, best first (by their best segment).
  std::vector<const RecordBest*> Ranked() const;
  uint64_t counted = 0;  // matches at a visible level

 private:
  void Count(uint32_t id, Xapian::docid docid, double weight) override {
    FacetSpy::Count(id, docid, weight);
    ++counted;
    uint32_t record = column_.RecordOf(id);
    uint32_t& slot = slot_of_[record];
    if (slot == FacetColumn::kNone) {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.push_back({record, 0, {}});
    }
    RecordBest& r = slots_[slot];
    ++r.matches;
    Weighed w{weight, docid};
    if (r.best.size() == per_record_ && !(w < r.best.back())) return;
    r.best.insert(std::upper_bound(r.best.begin(), r.best.end(), w), w);
    if (r.best.size() > per_record_) r.best.pop_back();
  }
  size_t per_record_;
  std::vector<uint32_t> slot_of_;  // by record number: its index in slots_
  std::vector<RecordBest> slots_;
};

}  // namespace attest::search::lexical

#endif  // ATTEST_SEARCH_LEXICAL_FACETS_H_
