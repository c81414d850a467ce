#include "archive/internal.h"

#include <charconv>
#include <cstdio>

#include "core/hash.h"
#include "core/text_safety.h"

namespace attest::archive {

bool EncryptsFiles(meta::Consent c) {
  return c == meta::Consent::kRestricted || c == meta::Consent::kSealed;
}

std::string Printable(const std::string& path) {
  if (IsValidUtf8(path)) return path;
  std::string out;
  for (unsigned char c : path) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

Status CheckFile(Env* env, const std::string& path) {
  std::string shown = Printable(path);
  if (!IsValidUtf8(path)) {
    return Status::InvalidArgument("file name '" + shown +
                                   "' is not valid UTF-8; rename it (for example with convmv) "
                                   "and add it again");
  }
  ASSIGN_OR_RETURN(FileInfo info, env->Stat(path));
  if (!info.exists) return Status::NotFound(shown + ": no such file");
  if (info.is_dir) {
    return Status::InvalidArgument(shown + " is a directory; add the files in it instead");
  }
  if (!info.is_regular) return Status::InvalidArgument(shown + " is not a regular file");
  // An empty file is stored and logged like any other (an archive records what it was given);
  // its extract job says there is no text in it.
  auto f = env->NewSequentialFile(path);
  if (!f.ok()) return f.status();
  return Status::Ok();
}

Json CleanMetadata(const Json& j) {
  if (j.is_string()) return CleanText(j.get_ref<const std::string&>(), TextLayout::kLines);
  if (j.is_array()) {
    Json out = Json::array();
    for (const Json& x : j) out.push_back(CleanMetadata(x));
    return out;
  }
  if (j.is_object()) {
    Json out = Json::object();
    for (auto it = j.begin(); it != j.end(); ++it) {
      out[CleanText(it.key(), TextLayout::kOneLine)] = CleanMetadata(it.value());
    }
    return out;
  }
  return j;
}

Result<meta::NewVersion> BuildVersion(ManifestFields mf, const Json& priv, const std::string& salt,
                                      const std::string& kind) {
  meta::NewVersion nv;
  ASSIGN_OR_RETURN(nv.private_json, CanonicalJson(priv));
  ASSIGN_OR_RETURN(mf.private_hmac, CommitPrivate(salt, priv));
  ASSIGN_OR_RETURN(nv.manifest, BuildManifest(mf));
  nv.manifest_sha256 = ToHex(Sha256(nv.manifest));
  nv.lang = mf.lang;
  nv.created = mf.created;
  nv.blobs = mf.blobs;
  ASSIGN_OR_RETURN(nv.leaf,
                   BuildLeaf({kind, mf.record, mf.version, nv.manifest_sha256, mf.created}, salt));
  return nv;
}

int64_t InfoInt(const std::optional<std::string>& v, int64_t fallback) {
  int64_t x = fallback;
  if (v) {
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
    if (ec != std::errc() || p != v->data() + v->size()) x = fallback;
  }
  return x;
}

Status RemoveIndexTree(Env* env, const std::string& d) {
  ASSIGN_OR_RETURN(FileInfo info, env->Stat(d));
  if (!info.exists) return Status::Ok();
  ASSIGN_OR_RETURN(auto names, env->ListDir(d));
  for (const auto& n : names) {  // one database per consent level, each a flat directory
    ASSIGN_OR_RETURN(FileInfo sub, env->Stat(JoinPath(d, n)));
    RETURN_IF_ERROR(sub.is_dir ? RemoveIndexTree(env, JoinPath(d, n))
                               : env->RemoveFile(JoinPath(d, n)));
  }
  return env->RemoveDir(d);
}

Result<std::vector<std::string>> ListedNames(meta::Store* store) {
  ASSIGN_OR_RETURN(auto listed, store->ListNames());
  std::vector<std::string> out;
  for (auto& [name, kind] : listed) out.push_back(std::move(name));
  return out;
}

}  // namespace attest::archive
