#include "tlog/log.h"

#include <algorithm>

#include "tlog/tiles.h"

namespace attest::tlog {

Result<std::unique_ptr<Log>> Log::Create(Env* env, const std::string& dir, Signer signer) {
  RETURN_IF_ERROR(env->CreateDirs(JoinPath(dir, "tile")));
  if (env->FileExists(JoinPath(dir, "checkpoint"))) {
    return Status::Conflict("a log already exists in " + dir);
  }
  Verifier v = signer.verifier();
  std::unique_ptr<Log> log(new Log(env, dir, v, std::move(signer)));
  std::string note;
  RETURN_IF_ERROR(log->WriteCheckpoint({v.name(), 0, EmptyRoot()}, &note));
  return log;
}

Result<std::unique_ptr<Log>> Log::Open(Env* env, const std::string& dir, Verifier verifier,
                                       std::optional<Signer> signer) {
  ASSIGN_OR_RETURN(FileInfo info, env->Stat(JoinPath(dir, "checkpoint")));
  if (!info.exists) return Status::NotFound("no log checkpoint in " + dir);
  return std::unique_ptr<Log>(new Log(env, dir, std::move(verifier), std::move(signer)));
}

Result<SignedCheckpoint> Log::Latest() {
  std::string path = JoinPath(dir_, "checkpoint");
  ASSIGN_OR_RETURN(std::string note, env_->ReadFile(path));
  auto body = verifier_.Open(note);
  if (!body.ok()) return body.status().WithContext("log checkpoint " + path);
  auto cp = ParseCheckpointBody(*body);
  if (!cp.ok()) return Status::Corruption("log checkpoint " + path + ": " + cp.status().message());
  if (cp->origin != verifier_.name()) {
    return Status::Corruption("log checkpoint " + path + " names origin '" + cp->origin +
                              "', not '" + verifier_.name() + "'");
  }
  return SignedCheckpoint{*cp, note};
}

Result<std::unique_ptr<FileLock>> Log::LockForWrite() {
  return env_->LockFile(JoinPath(dir_, ".lock"));
}

Status Log::WriteTile(const std::string& rel_path, std::string_view data) {
  std::string path = JoinPath(dir_, rel_path);
  std::string parent = DirName(path);
  if (std::find(made_dirs_.begin(), made_dirs_.end(), parent) == made_dirs_.end()) {
    RETURN_IF_ERROR(env_->CreateDirs(parent));
    made_dirs_.push_back(parent);
  }
  return env_->WriteFileAtomic(path, data);
}

Status Log::WriteCheckpoint(const Checkpoint& cp, std::string* note) {
  if (!signer_) return Status::PermissionDenied("the log was opened without its signing key");
  ASSIGN_OR_RETURN(*note, signer_->Sign(FormatCheckpointBody(cp)));
  return env_->WriteFileAtomic(JoinPath(dir_, "checkpoint"), *note);
}

Result<SignedCheckpoint> Log::Append(uint64_t expected_size,
                                     const std::vector<std::string>& leaves) {
  if (!signer_) return Status::PermissionDenied("the log was opened without its signing key");
  ASSIGN_OR_RETURN(SignedCheckpoint latest, Latest());
  const uint64_t old_size = latest.checkpoint.size;
  if (old_size != expected_size) {
    return Status::Conflict("log has size " + std::to_string(old_size) + ", expected " +
                            std::to_string(expected_size));
  }
  if (leaves.empty()) return latest;
  RETURN_IF_ERROR(CheckRightEdge(latest.checkpoint));
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (leaves[i].size() > kMaxLeafSize) {
      return Status::InvalidArgument("log leaf of " + std::to_string(leaves[i].size()) +
                                     " bytes exceeds the limit of 65535");
    }
  }
  const uint64_t new_size = old_size + leaves.size();
  std::vector<std::pair<int, uint64_t>> completed;  // (level or -1 for entries, index)

  // Entry bundles.
  for (uint64_t t = old_size / kTileWidth; t * kTileWidth < new_size; ++t) {
    uint64_t start = t * kTileWidth;
    std::vector<std::string> bundle;
    if (old_size > start) {
      ASSIGN_OR_RETURN(bundle, ReadEntryBundle(env_, dir_, t, old_size - start));
    }
    uint64_t end = std::min(start + kTileWidth, new_size);
    for (uint64_t i = std::max(start, old_size); i < end; ++i)
      bundle.push_back(leaves[i - old_size]);
    RETURN_IF_ERROR(WriteTile(EntryBundlePath(t, bundle.size()), EncodeEntryBundle(bundle)));
    if (bundle.size() == kTileWidth) completed.emplace_back(-1, t);
  }

  // Hash tiles, level by level: `fresh` holds the new hashes at level 8*L, indices [a, b).
  TileHashReader reader(env_, dir_, new_size, cache_.get());
  std::vector<Digest> fresh;
  fresh.reserve(leaves.size());
  for (const std::string& leaf : leaves) fresh.push_back(HashLeaf(leaf));
  uint64_t a = old_size, b = new_size;
  for (int level = 0; a < b; ++level) {
    std::vector<Digest> next;
    for (uint64_t t = a / kTileWidth; t * kTileWidth < b; ++t) {
      uint64_t start = t * kTileWidth;
      std::vector<Digest> tile;
      if (a > start) {
        ASSIGN_OR_RETURN(tile, ReadHashTile(env_, dir_, level, t, a - start));
      }
      uint64_t end = std::min(start + kTileWidth, b);
      for (uint64_t i = std::max(start, a); i < end; ++i) tile.push_back(fresh[i - a]);
      RETURN_IF_ERROR(WriteTile(HashTilePath(level, t, tile.size()), EncodeHashTile(tile)));
      if (tile.size() == kTileWidth) {
        next.push_back(FullTileRoot(tile));
        completed.emplace_back(level, t);
      }
      reader.Put(level, t, std::move(tile));
    }
    fresh.swap(next);
    a >>= kTileHeight;
    b >>= kTileHeight;
  }

  ASSIGN_OR_RETURN(Digest root, TreeRoot(reader, new_size));
  SignedCheckpoint out{{verifier_.name(), new_size, root}, ""};
  RETURN_IF_ERROR(WriteCheckpoint(out.checkpoint, &out.note));

  // Partial tiles superseded by a full tile are no longer needed (doc/format/tiles.md).
  for (const auto& [level, t] : completed) {
    std::string full = level < 0 ? EntryBundlePath(t, 0) : HashTilePath(level, t, 0);
    std::string pdir = JoinPath(dir_, full + ".p");
    auto names = env_->ListDir(pdir);
    if (!names.ok()) continue;
    for (const std::string& n : *names) env_->RemoveFile(JoinPath(pdir, n)).ok();
    env_->RemoveDir(pdir).ok();  // best effort: a leftover partial tile is harmless
  }
  return out;
}

Status Log::CheckAppendable() {
  ASSIGN_OR_RETURN(SignedCheckpoint latest, Latest());
  return CheckRightEdge(latest.checkpoint);
}

Status Log::CheckRightEdge(const Checkpoint& cp) {
  if (cp.size == 0) return Status::Ok();
  TileHashReader reader(env_, dir_, cp.size);  // from the files, not the cache
  ASSIGN_OR_RETURN(Digest root, TreeRoot(reader, cp.size));
  if (root != cp.root) {
    return Status::Corruption("the log's tiles in " + dir_ +
                              " do not reproduce its signed checkpoint; nothing was appended "
                              "(run attest verify to find the damaged tile)");
  }
  uint64_t t = cp.size / kTileWidth, width = cp.size % kTileWidth;
  if (width == 0) return Status::Ok();
  ASSIGN_OR_RETURN(auto bundle, ReadEntryBundle(env_, dir_, t, width));
  ASSIGN_OR_RETURN(auto hashes, ReadHashTile(env_, dir_, 0, t, width));
  for (uint64_t i = 0; i < width; ++i) {
    if (HashLeaf(bundle[i]) != hashes[i]) {
      return Status::Corruption("log entry bundle " + EntryBundlePath(t, width) + " in " + dir_ +
                                " does not match its tile; nothing was appended");
    }
  }
  return Status::Ok();
}

Result<std::string> Log::ReadLeaf(uint64_t index, uint64_t tree_size) {
  if (index >= tree_size) {
    return Status::InvalidArgument("leaf " + std::to_string(index) + " is not in a log of size " +
                                   std::to_string(tree_size));
  }
  uint64_t t = index / kTileWidth;
  uint64_t width = std::min(kTileWidth, tree_size - t * kTileWidth);
  ASSIGN_OR_RETURN(auto bundle, ReadEntryBundle(env_, dir_, t, width));
  return bundle[index % kTileWidth];
}

Result<Digest> Log::RootAt(uint64_t tree_size) {
  TileHashReader reader(env_, dir_, tree_size, cache_.get());
  return TreeRoot(reader, tree_size);
}

Result<std::vector<Digest>> Log::InclusionProof(uint64_t index, uint64_t tree_size) {
  TileHashReader reader(env_, dir_, tree_size, cache_.get());
  return tlog::InclusionProof(reader, index, tree_size);
}

Result<std::vector<Digest>> Log::ConsistencyProof(uint64_t old_size, uint64_t new_size) {
  TileHashReader reader(env_, dir_, new_size, cache_.get());
  return tlog::ConsistencyProof(reader, old_size, new_size);
}

Status Log::Audit(uint64_t tree_size, const Digest& expected_root,
                  const std::function<void(uint64_t, const std::string&)>& on_leaf) {
  // Level 0 from the entry bundles, then each level from the full tiles below it.
  std::vector<Digest> computed;  // hashes at level 8*L, all of them
  computed.reserve(static_cast<size_t>(tree_size));
  for (uint64_t t = 0; t * kTileWidth < tree_size; ++t) {
    uint64_t width = std::min(kTileWidth, tree_size - t * kTileWidth);
    ASSIGN_OR_RETURN(auto bundle, ReadEntryBundle(env_, dir_, t, width));
    for (uint64_t i = 0; i < width; ++i) {
      on_leaf(t * kTileWidth + i, bundle[i]);
      computed.push_back(HashLeaf(bundle[i]));
    }
  }
  for (int level = 0; !computed.empty(); ++level) {
    std::vector<Digest> next;
    for (uint64_t t = 0; t * kTileWidth < computed.size(); ++t) {
      uint64_t start = t * kTileWidth;
      uint64_t width = std::min<uint64_t>(kTileWidth, computed.size() - start);
      ASSIGN_OR_RETURN(auto stored, ReadHashTile(env_, dir_, level, t, width));
      std::vector<Digest> want(computed.begin() + start, computed.begin() + start + width);
      if (stored != want) {
        return Status::Corruption("log tile " + HashTilePath(level, t, width) +
                                  " does not match the entries it is derived from");
      }
      if (width == kTileWidth) next.push_back(FullTileRoot(want));
    }
    computed.swap(next);
  }
  ASSIGN_OR_RETURN(Digest root, RootAt(tree_size));
  if (root != expected_root) {
    return Status::Corruption("the log's tiles give a root that differs from the checkpoint's");
  }
  return Status::Ok();
}

}  // namespace attest::tlog
