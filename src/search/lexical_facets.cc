#include "search/lexical_facets.h"

namespace attest::search::lexical {

void FacetColumn::Refresh(const std::array<std::vector<Xapian::Database*>, 3>& levels,
                          const std::string& state) {
  if (built_ && state == state_) return;
  values_.clear();
  fields_.clear();
  level_of_.clear();
  record_of_.clear();
  records_.clear();
  dbs_.clear();
  std::unordered_map<std::string_view, uint32_t> ids, record_ids;
  of_doc_.clear();
  db_of_.clear();
  for (size_t level = 0; level < levels.size(); ++level) {  // the stricter last
    for (Xapian::Database* db : levels[level]) {
      auto db_index = static_cast<uint8_t>(dbs_.size());
      dbs_.push_back(db);
      of_doc_.resize(std::max<size_t>(of_doc_.size(), db->get_lastdocid() + 1), kNone);
      db_of_.resize(of_doc_.size());
      for (auto v = db->valuestream_begin(kSlotFacets); v != db->valuestream_end(kSlotFacets);
           ++v) {
        std::string value = *v;
        auto found = ids.find(value);
        uint32_t id;
        if (found != ids.end()) {
          id = found->second;
        } else {
          id = static_cast<uint32_t>(values_.size());
          values_.push_back(std::move(value));
          fields_.emplace_back(values_.back());
          level_of_.push_back(LevelIndex(fields_.back().level()));
          auto record = record_ids.emplace(fields_.back().record(), records_.size());
          if (record.second) records_.push_back(fields_.back().record());
          record_of_.push_back(record.first->second);
          ids.emplace(values_.back(), id);
        }
        of_doc_[v.get_docid()] = id;
        db_of_[v.get_docid()] = db_index;
      }
    }
  }
  state_ = state;
  built_ = true;
}

size_t FacetColumn::LevelIndex(std::string_view name) {
  for (size_t i = 0; i < kLevels.size(); ++i) {
    if (name == meta::ConsentName(kLevels[i])) return i;
  }
  return kLevels.size();
}

void FacetSpy::Collect() {
  langs.clear();
  collections.clear();
  places.clear();
  months.clear();
  records.clear();
  for (uint32_t id = 0; id < counts_.size(); ++id) {
    uint64_t n = counts_[id];
    if (n == 0) continue;
    const FacetFields& f = column_.Fields(id);
    langs[std::string(f.lang())] += n;
    collections[std::string(f.collection())] += n;
    records[std::string(f.record())] += n;
    places[std::string(f.place())] += n;
    months[std::string(f.month())] += n;
  }
}

std::map<std::string, uint64_t> RecordCountSpy::Counts() const {
  std::map<std::string, uint64_t> out;
  for (const auto& [id, n] : counts_) out[std::string(column_.Fields(id).record())] += n;
  return out;
}

std::vector<const RankingSpy::RecordBest*> RankingSpy::Ranked() const {
  std::vector<const RecordBest*> out;
  out.reserve(slots_.size());
  for (const auto& r : slots_) out.push_back(&r);
  std::sort(out.begin(), out.end(), [](const RecordBest* a, const RecordBest* b) {
    return a->best.front() < b->best.front();
  });
  return out;
}

}  // namespace attest::search::lexical
