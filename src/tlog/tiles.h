// C2SP tlog-tiles paths and the reading of hash tiles and entry bundles from a log directory
// (doc/format/tiles.md).
#ifndef ATTEST_TLOG_TILES_H_
#define ATTEST_TLOG_TILES_H_

#include <cstdint>
#include <map>
#include <string>
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
std::string EncodeHashTile(const std::vector<Digest>& hashes);
std::string EncodeEntryBundle(const std::vector<std::string>& leaves);
// The root of a full tile's 256 hashes (a subtree 8 levels up).
Digest FullTileRoot(const std::vector<Digest>& hashes);

// Serves subtree hashes of a tree of a given size from its tiles, caching the tiles it read.
// Not thread-safe.
class TileHashReader : public HashReader {
 public:
  TileHashReader(Env* env, std::string log_dir, uint64_t tree_size)
      : env_(env), log_dir_(std::move(log_dir)), tree_size_(tree_size) {}
  Result<Digest> SubtreeHash(int level, uint64_t index) override;
  // Seeds the cache with a tile just written (so appends need not re-read it).
  void Put(int level, uint64_t index, std::vector<Digest> hashes);

 private:
  Result<const std::vector<Digest>*> Tile(int level, uint64_t index);

  Env* env_;
  std::string log_dir_;
  uint64_t tree_size_;
  std::map<std::pair<int, uint64_t>, std::vector<Digest>> cache_;
};

}  // namespace attest::tlog

#endif  // ATTEST_TLOG_TILES_H_
