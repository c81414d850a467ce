#include "tlog/tiles.h"

#include <cstring>

namespace attest::tlog {

std::string TileIndexPath(uint64_t index) {
  std::string out;
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%03u", static_cast<unsigned>(index % 1000));
  out = buf;
  index /= 1000;
  while (index > 0) {
    std::snprintf(buf, sizeof(buf), "x%03u/", static_cast<unsigned>(index % 1000));
    out = buf + out;
    index /= 1000;
  }
  return out;
}

static std::string WithWidth(std::string path, uint64_t width) {
  if (width != 0 && width != kTileWidth) path += ".p/" + std::to_string(width);
  return path;
}

std::string HashTilePath(int level, uint64_t index, uint64_t width) {
  return WithWidth("tile/" + std::to_string(level) + "/" + TileIndexPath(index), width);
}

std::string EntryBundlePath(uint64_t index, uint64_t width) {
  return WithWidth("tile/entries/" + TileIndexPath(index), width);
}

uint64_t TileWidth(int level, uint64_t index, uint64_t tree_size) {
  uint64_t count = tree_size >> (kTileHeight * level);  // stored hashes at this level
  uint64_t start = index * kTileWidth;
  if (count <= start) return 0;
  return std::min(kTileWidth, count - start);
}

// Reads the partial file of `width`, or the full tile, returning its bytes.
static Result<std::string> ReadTileFile(Env* env, const std::string& log_dir,
                                        const std::string& full_path, uint64_t width,
                                        std::string* used_path) {
  if (width != kTileWidth) {
    *used_path = JoinPath(log_dir, full_path + ".p/" + std::to_string(width));
    auto data = env->ReadFile(*used_path);
    if (data.ok() || !data.status().IsNotFound()) return data;
  }
  *used_path = JoinPath(log_dir, full_path);
  auto data = env->ReadFile(*used_path);
  if (!data.ok() && data.status().IsNotFound()) {
    return Status::Corruption("log tile " + full_path + " (width " + std::to_string(width) +
                              ") is missing from " + log_dir);
  }
  return data;
}

Result<std::vector<Digest>> ReadHashTile(Env* env, const std::string& log_dir, int level,
                                         uint64_t index, uint64_t width) {
  std::string path;
  ASSIGN_OR_RETURN(std::string data,
                   ReadTileFile(env, log_dir, HashTilePath(level, index, 0), width, &path));
  bool partial_file = path.find(".p/") != std::string::npos;
  if ((partial_file && data.size() != width * 32) ||
      (!partial_file && data.size() != kTileWidth * 32)) {
    return Status::Corruption("log tile " + path + " has " + std::to_string(data.size()) +
                              " bytes; expected " +
                              std::to_string((partial_file ? width : kTileWidth) * 32));
  }
  std::vector<Digest> out(width);
  for (uint64_t i = 0; i < width; ++i) std::memcpy(out[i].data(), data.data() + 32 * i, 32);
  return out;
}

Result<std::vector<std::string>> ReadEntryBundle(Env* env, const std::string& log_dir,
                                                 uint64_t index, uint64_t width) {
  std::string path;
  ASSIGN_OR_RETURN(std::string data,
                   ReadTileFile(env, log_dir, EntryBundlePath(index, 0), width, &path));
  bool partial_file = path.find(".p/") != std::string::npos;
  ASSIGN_OR_RETURN(auto out, ParseEntryBundle(data, partial_file ? width : kTileWidth, path));
  out.resize(width);
  return out;
}

Result<std::vector<std::string>> ParseEntryBundle(std::string_view data, uint64_t expect,
                                                  const std::string& name) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < data.size()) {
    if (pos + 2 > data.size() || out.size() >= expect) break;
    size_t len = static_cast<uint8_t>(data[pos]) << 8 | static_cast<uint8_t>(data[pos + 1]);
    pos += 2;
    if (pos + len > data.size()) {
      return Status::Corruption("entry bundle " + name + " is truncated inside entry " +
                                std::to_string(out.size()));
    }
    out.emplace_back(data.substr(pos, len));
    pos += len;
  }
  if (pos != data.size() || out.size() != expect) {
    return Status::Corruption("entry bundle " + name + " holds " + std::to_string(out.size()) +
                              " entries; expected " + std::to_string(expect));
  }
  return out;
}

std::string EncodeHashTile(const std::vector<Digest>& hashes) {
  std::string out;
  out.reserve(hashes.size() * 32);
  for (const Digest& d : hashes) out.append(AsBytes(d));
  return out;
}

std::string EncodeEntryBundle(const std::vector<std::string>& leaves) {
  std::string out;
  for (const std::string& leaf : leaves) {
    out.push_back(static_cast<char>(leaf.size() >> 8));
    out.push_back(static_cast<char>(leaf.size() & 255));
    out.append(leaf);
  }
  return out;
}

Digest FullTileRoot(const std::vector<Digest>& hashes) {
  std::vector<Digest> level(hashes);
  while (level.size() > 1) {
    std::vector<Digest> up(level.size() / 2);
    for (size_t i = 0; i < up.size(); ++i) up[i] = HashChildren(level[2 * i], level[2 * i + 1]);
    level.swap(up);
  }
  return level[0];
}

TileTree::TileTree(std::vector<Digest> hashes) {
  levels.push_back(std::move(hashes));
  while (levels.back().size() > 1) {
    const std::vector<Digest>& below = levels.back();
    std::vector<Digest> up(below.size() / 2);
    for (size_t i = 0; i < up.size(); ++i) up[i] = HashChildren(below[2 * i], below[2 * i + 1]);
    levels.push_back(std::move(up));
  }
}

std::shared_ptr<const TileTree> TileCache::Get(int level, uint64_t index, uint64_t width) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = map_.find({level, index, width});
  if (it == map_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.second);
  return it->second.first;
}

void TileCache::Put(int level, uint64_t index, std::shared_ptr<const TileTree> tile) {
  std::lock_guard<std::mutex> l(mu_);
  Key key{level, index, tile->levels[0].size()};
  if (map_.count(key)) return;
  lru_.push_front(key);
  map_.emplace(key, std::make_pair(std::move(tile), lru_.begin()));
  while (map_.size() > capacity_) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
}

void TileHashReader::Put(int level, uint64_t index, std::vector<Digest> hashes) {
  auto tile = std::make_shared<const TileTree>(std::move(hashes));
  if (shared_) shared_->Put(level, index, tile);
  local_[{level, index}] = std::move(tile);
}

Result<const TileTree*> TileHashReader::Tile(int level, uint64_t index) {
  uint64_t width = TileWidth(level, index, tree_size_);
  if (width == 0) {
    return Status::InvalidArgument("tile " + HashTilePath(level, index, 0) +
                                   " is beyond a tree of size " + std::to_string(tree_size_));
  }
  auto it = local_.find({level, index});
  if (it != local_.end() && it->second->levels[0].size() >= width) return it->second.get();
  std::shared_ptr<const TileTree> tile;
  if (shared_) {
    tile = shared_->Get(level, index, width);
    // A wider tile of the same index holds the same hashes first.
    if (!tile && width != kTileWidth) tile = shared_->Get(level, index, kTileWidth);
  }
  if (!tile) {
    ASSIGN_OR_RETURN(auto hashes, ReadHashTile(env_, log_dir_, level, index, width));
    tile = std::make_shared<const TileTree>(std::move(hashes));
    if (shared_) shared_->Put(level, index, tile);
  }
  const TileTree* raw = tile.get();
  local_[{level, index}] = std::move(tile);
  return raw;
}

Result<Digest> TileHashReader::SubtreeHash(int level, uint64_t index) {
  if (((index + 1) << level) > tree_size_) {
    return Status::InvalidArgument("subtree beyond a tree of size " + std::to_string(tree_size_));
  }
  int tile_level = level / kTileHeight;
  int rest = level % kTileHeight;  // levels inside the tile
  uint64_t first = index << rest;  // first hash at level tile_level*8
  ASSIGN_OR_RETURN(const TileTree* tile, Tile(tile_level, first / kTileWidth));
  size_t k = (first % kTileWidth) >> rest;
  if (static_cast<size_t>(rest) >= tile->levels.size() || k >= tile->levels[rest].size()) {
    return Status::Corruption("tile " + HashTilePath(tile_level, first / kTileWidth, 0) +
                              " is too short for a tree of size " + std::to_string(tree_size_));
  }
  return tile->levels[rest][k];
}

}  // namespace attest::tlog
