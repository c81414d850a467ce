#include "search/semantic_index.h"

#include <fcntl.h>
#include <hnswlib/hnswlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace attest::search {
namespace {

constexpr const char* kLevelNames[] = {"public", "research", "restricted"};
constexpr size_t kM = 16;                // graph degree
constexpr size_t kEfConstruction = 200;  // candidates kept while inserting
constexpr size_t kMinCapacity = 1024;

int LevelOf(meta::Consent c) {
  switch (c) {
    case meta::Consent::kPublic:
      return 0;
    case meta::Consent::kResearch:
      return 1;
    case meta::Consent::kRestricted:
      return 2;
    default:
      return -1;  // sealed, withdrawn: not indexed
  }
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Status SyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return Status::IOError("cannot open " + path + " to sync it");
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status::IOError("cannot sync " + path);
}

Status Publish(const std::string& tmp, const std::string& path) {
  RETURN_IF_ERROR(SyncFile(tmp));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("cannot rename " + tmp + " to " + path);
  }
  return Status::Ok();
}

}  // namespace

struct SemanticIndex::Level {
  explicit Level(size_t dims) : space(dims) {}
  hnswlib::InnerProductSpace space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
  bool changed = false;
};

SemanticIndex::~SemanticIndex() = default;

Result<Json> SemanticIndex::ReadMeta(const std::string& dir) {
  std::string meta_path = dir + "/meta.json";
  if (!Exists(meta_path)) return Status::NotFound("no semantic index in " + dir);
  std::ifstream in(meta_path);
  std::stringstream ss;
  ss << in.rdbuf();
  Json meta = Json::parse(ss.str(), nullptr, false);
  if (!meta.is_object() || meta.value("format", 0) != kFormat || !meta.contains("dims") ||
      !meta["dims"].is_number_unsigned()) {
    return Status::Corruption(meta_path + " is not a semantic index's meta.json (format " +
                              std::to_string(kFormat) + ")");
  }
  return meta;
}

Result<std::unique_ptr<SemanticIndex>> SemanticIndex::OpenReadOnly(const std::string& dir) {
  ASSIGN_OR_RETURN(Json meta, ReadMeta(dir));
  const std::string meta_path = dir + "/meta.json";
  std::unique_ptr<SemanticIndex> idx(new SemanticIndex());
  idx->dir_ = dir;
  idx->read_only_ = true;
  idx->dims_ = meta["dims"].get<size_t>();
  idx->provenance_ = meta.value("provenance", Json::object());
  idx->last_segment_ = meta.value("last_segment", int64_t{0});
  if (idx->dims_ == 0 || idx->dims_ > 65536) {
    return Status::Corruption(meta_path + ": dims " + std::to_string(idx->dims_) +
                              " is not a width");
  }
  for (size_t i = 0; i < 3; ++i) {
    auto level = std::make_unique<Level>(idx->dims_);
    std::string path = dir + "/" + kLevelNames[i] + ".hnsw";
    try {
      if (Exists(path)) {
        level->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(&level->space, path);
        // hnswlib 0.6.2 counts the deleted points of a loaded graph onto an unset counter.
        auto& g = *level->graph;
        g.num_deleted_ = 0;
        for (size_t p = 0; p < g.cur_element_count; ++p) {
          if (g.isMarkedDeleted(static_cast<hnswlib::tableint>(p))) ++g.num_deleted_;
        }
      } else {
        level->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
            &level->space, kMinCapacity, kM, kEfConstruction);
      }
    } catch (const std::exception& e) {
      return Status::Corruption(path + " is not a readable HNSW graph: " + e.what());
    }
    idx->levels_[i] = std::move(level);
  }
  return idx;
}

Result<std::unique_ptr<SemanticIndex>> SemanticIndex::Open(const std::string& dir, size_t dims) {
  if (dims == 0) return Status::InvalidArgument("a semantic index needs vectors of some width");
  if (!Exists(dir + "/meta.json")) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::IOError("cannot make the semantic index's directory " + dir);
    }
    std::unique_ptr<SemanticIndex> idx(new SemanticIndex());
    idx->dir_ = dir;
    idx->dims_ = dims;
    for (size_t i = 0; i < 3; ++i) {
      idx->levels_[i] = std::make_unique<Level>(dims);
      idx->levels_[i]->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
          &idx->levels_[i]->space, kMinCapacity, kM, kEfConstruction);
      idx->levels_[i]->changed = true;
    }
    return idx;
  }
  ASSIGN_OR_RETURN(auto idx, OpenReadOnly(dir));
  if (idx->dims_ != dims) {
    return Status::InvalidArgument("the semantic index in " + dir + " holds vectors of " +
                                   std::to_string(idx->dims_) + " dimensions, not " +
                                   std::to_string(dims) + ": rebuild it (attest reindex)");
  }
  idx->read_only_ = false;
  return idx;
}

Status SemanticIndex::Put(int64_t segment_id, meta::Consent consent, const std::vector<float>& v) {
  if (read_only_) return Status::InvalidArgument("the semantic index is open for reading only");
  if (v.size() != dims_) {
    return Status::InvalidArgument("a vector of " + std::to_string(v.size()) +
                                   " dimensions for an index of " + std::to_string(dims_));
  }
  int at = LevelOf(consent);
  for (int i = 0; i < 3; ++i) {
    if (i == at) continue;
    auto& g = levels_[i]->graph;
    auto found = g->label_lookup_.find(static_cast<hnswlib::labeltype>(segment_id));
    if (found != g->label_lookup_.end()) {
      try {
        g->markDelete(static_cast<hnswlib::labeltype>(segment_id));
      } catch (const std::exception&) {  // deleted already
      }
      // The vector itself is erased, not only marked: nothing derived from the words stays in
      // a graph the segment left (search skips the point; its links stay).
      std::memset(g->getDataByInternalId(found->second), 0, g->data_size_);
      levels_[i]->changed = true;
    }
  }
  if (at < 0) return Status::Ok();
  Level& level = *levels_[at];
  try {
    if (level.graph->cur_element_count >= level.graph->max_elements_) {
      level.graph->resizeIndex(std::max(kMinCapacity, level.graph->max_elements_ * 2));
    }
    level.graph->addPoint(v.data(), static_cast<hnswlib::labeltype>(segment_id));
  } catch (const std::exception& e) {
    return Status::IOError(std::string("semantic index: ") + e.what());
  }
  level.changed = true;
  return Status::Ok();
}

Status SemanticIndex::Remove(int64_t segment_id) {
  return Put(segment_id, meta::Consent::kWithdrawn, std::vector<float>(dims_));
}

Status SemanticIndex::PutNew(const std::vector<Entry>& entries, int threads) {
  if (read_only_) return Status::InvalidArgument("the semantic index is open for reading only");
  std::array<size_t, 3> adding{};
  for (const auto& e : entries) {
    if (e.vector.size() != dims_) {
      return Status::InvalidArgument("a vector of " + std::to_string(e.vector.size()) +
                                     " dimensions for an index of " + std::to_string(dims_));
    }
    int at = LevelOf(e.level);
    if (at >= 0) ++adding[at];
  }
  try {
    for (size_t i = 0; i < 3; ++i) {  // room first: hnswlib cannot grow while threads insert
      auto& g = *levels_[i]->graph;
      if (g.cur_element_count + adding[i] > g.max_elements_) {
        g.resizeIndex(g.cur_element_count + adding[i]);
      }
      if (adding[i]) levels_[i]->changed = true;
    }
  } catch (const std::exception& e) {
    return Status::IOError(std::string("semantic index: ") + e.what());
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < entries.size() && !failed;) {
      int at = LevelOf(entries[i].level);
      if (at < 0) continue;
      try {
        levels_[at]->graph->addPoint(entries[i].vector.data(),
                                     static_cast<hnswlib::labeltype>(entries[i].segment_id));
      } catch (const std::exception&) {
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failed) return Status::IOError("semantic index: a vector could not be added");
  return Status::Ok();
}

uint64_t SemanticIndex::Count() const {
  uint64_t n = 0;
  for (const auto& l : levels_) {
    n += l->graph->cur_element_count - l->graph->num_deleted_;
  }
  return n;
}

Status SemanticIndex::Save() {
  if (read_only_) return Status::InvalidArgument("the semantic index is open for reading only");
  Json counts = Json::object();
  for (size_t i = 0; i < 3; ++i) {
    Level& l = *levels_[i];
    counts[kLevelNames[i]] = l.graph->cur_element_count - l.graph->num_deleted_;
    if (!l.changed) continue;
    std::string path = dir_ + "/" + kLevelNames[i] + ".hnsw";
    try {
      l.graph->saveIndex(path + ".tmp");
    } catch (const std::exception& e) {
      return Status::IOError("cannot write " + path + ".tmp: " + e.what());
    }
    RETURN_IF_ERROR(Publish(path + ".tmp", path));
    l.changed = false;
  }
  Json meta = {{"format", kFormat},
               {"dims", dims_},
               {"metric", "cosine (inner product of unit vectors)"},
               {"hnsw", {{"M", kM}, {"ef_construction", kEfConstruction}}},
               {"segments", counts},
               {"last_segment", last_segment_},
               {"provenance", provenance_}};
  std::string tmp = dir_ + "/meta.json.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << meta.dump(2) << "\n";
    if (!out) return Status::IOError("cannot write " + tmp);
  }
  RETURN_IF_ERROR(Publish(tmp, dir_ + "/meta.json"));
  return SyncFile(dir_);
}

Result<std::vector<int64_t>> SemanticIndex::Search(const std::vector<float>& query, Role role,
                                                   size_t k) const {
  if (query.size() != dims_) {
    return Status::InvalidArgument("a query of " + std::to_string(query.size()) +
                                   " dimensions for an index of " + std::to_string(dims_));
  }
  std::vector<std::pair<float, int64_t>> found;  // distance, segment
  for (size_t i = 0; i < VisibleLevels(role); ++i) {
    auto& g = *levels_[i]->graph;
    if (g.cur_element_count - g.num_deleted_ == 0) continue;
    g.setEf(std::max<size_t>(k, 64));
    auto q = g.searchKnn(query.data(), std::min(k, g.cur_element_count - g.num_deleted_));
    while (!q.empty()) {
      found.emplace_back(q.top().first, static_cast<int64_t>(q.top().second));
      q.pop();
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<int64_t> out;
  for (size_t i = 0; i < found.size() && i < k; ++i) out.push_back(found[i].second);
  return out;
}

}  // namespace attest::search
