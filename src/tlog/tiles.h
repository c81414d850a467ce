// C2SP tlog-tiles paths and the reading of hash tiles and entry bundles from a log directory
// (doc/format/tiles.md).
#ifndef ATTEST_TLOG_TILES_H_
#define ATTEST_TLOG_TILES_H_

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/env.h"
#include "core/hash.h"
#include "tlog/merkle.h"

namespace attest::tlog {

constexpr int kTileHeight = 8;
constexpr uint64_t kTileWidth = 256;
constexpr size_t kMaxLeafSize = 65535;

// "tile/<level>/<N>[.p/<width>]"; width 256 (or 0) means a full tile.
std::string HashTilePath(int level, uint64_t index, uint64_t width);
// "tile/entries/<N>[.p/<width>]".
std::string EntryBundlePath(uint64_t index, uint64_t width);
// "x001/x234/067" for 1234067.
std::string TileIndexPath(uint64_t index);

// The width of hash tile (level, index) in a tree of `tree_size` (0 if absent).
uint64_t TileWidth(int level, uint64_t index, uint64_t tree_size);

// Reads the first `width` hashes of hash tile (level, index): the partial tile of that width,
// else the full tile. kCorruption, naming the file, if the file has the wrong length.
Result<std::vector<Digest>> ReadHashTile(Env* env, const std::string& log_dir, int level,
                                         uint64_t index, uint64_t width);
// Reads the first `width` leaves of entry bundle `index`, likewise.
Result<std::vector<std::string>> ReadEntryBundle(Env* env, const std::string& log_dir,
                                                 uint64_t index, uint64_t width);
// Parses entry bundle bytes (read from `name`, for messages) holding exactly `expect` entries.
Result<std::vector<std::string>> ParseEntryBundle(std::string_view data, uint64_t expect,
                                                  const std::string& name);
std::string EncodeHashTile(const std::vector<Digest>& hashes);
std::string EncodeEntryBundle(const std::vector<std::string>& leaves);
// The root of a full tile's 256 hashes (a subtree 8 levels up).
Digest FullTileRoot(const std::vector<Digest>& hashes);

// A hash tile with every subtree inside it hashed: levels[r][k] is the hash of the k-th
// complete group of 2^r of the tile's hashes (levels[0] is the tile itself).
struct TileTree {
  explicit TileTree(std::vector<Digest> hashes);
  std::vector<std::vector<Digest>> levels;
};

// Tiles already read and hashed, shared by readers. Entries are immutable (a tile of a given
// width never changes), so a hit is always right. Least recently used entries are dropped
// beyond `capacity` tiles. Thread-safe.
class TileCache {
 public:
  explicit TileCache(size_t capacity) : capacity_(capacity) {}
  std::shared_ptr<const TileTree> Get(int level, uint64_t index, uint64_t width);
  void Put(int level, uint64_t index, std::shared_ptr<const TileTree> tile);

 private:
  using Key = std::tuple<int, uint64_t, uint64_t>;
  std::mutex mu_;
  size_t capacity_;
  std::list<Key> lru_;  // front: most recent
  std::map<Key, std::pair<std::shared_ptr<const TileTree>, std::list<Key>::iterator>> map_;
};

// Serves subtree hashes of a tree of a given size from its tiles, through an optional shared
// cache and a cache of its own. Not thread-safe.
class TileHashReader : public HashReader {
 public:
  TileHashReader(Env* env, std::string log_dir, uint64_t tree_size, TileCache* shared = nullptr)
      : env_(env), log_dir_(std::move(log_dir)), tree_size_(tree_size), shared_(shared) {}
  Result<Digest> SubtreeHash(int level, uint64_t index) override;
  // Seeds the cache with a tile just written (so appends need not re-read it).
  void Put(int level, uint64_t index, std::vector<Digest> hashes);

 private:
  Result<const TileTree*> Tile(int level, uint64_t index);

  Env* env_;
  std::string log_dir_;
  uint64_t tree_size_;
  TileCache* shared_;
  std::map<std::pair<int, uint64_t>, std::shared_ptr<const TileTree>> local_;
};

}  // namespace attest::tlog

#endif  // ATTEST_TLOG_TILES_H_
