#include "archive/archive.h"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "archive/internal.h"
#include "core/hash.h"

namespace attest::archive {
namespace {

constexpr char kMarker[] = "ATTEST";
constexpr char kMarkerText[] = "attest archive 1\n";

// The archive's key for segment refs (Archive::SegmentRef): keys/ids.key, 32 hex digits,
// made the first time an archive is opened without one (under a lock, so two processes
// opening an older archive at once agree on it).
Result<std::string> IdsKey(Env* env, const std::string& dir) {
  const std::string path = JoinPath(dir, "keys/ids.key");
  auto parse = [&](const std::string& text) -> Result<std::string> {
    std::string hex = text;
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
    auto raw = FromHex(hex);
    if (!raw.ok() || raw->size() != 16) {
      return Status::Corruption(path + " is not 32 hexadecimal digits");
    }
    return *raw;
  };
  auto text = env->ReadFile(path);
  if (text.ok()) return parse(*text);
  if (!text.status().IsNotFound()) return text.status().WithContext("reading " + path);
  ASSIGN_OR_RETURN(auto lock, env->LockFile(JoinPath(dir, "keys/.ids.lock")));
  text = env->ReadFile(path);
  if (text.ok()) return parse(*text);
  std::string raw(16, '\0');
  env->RandomBytes(raw.data(), raw.size());
  RETURN_IF_ERROR(env->WriteFileAtomic(path, ToHex(raw) + "\n", 0600));
  return raw;
}

// One AES-128 block of `in` under `key` (16 bytes), enciphered or deciphered.
void Aes128Block(const std::string& key, const unsigned char* in, unsigned char* out,
                 bool encrypt) {
  unsigned char buf[32];
  int n = 0, m = 0;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_CipherInit_ex(ctx, EVP_aes_128_ecb(), nullptr,
                    reinterpret_cast<const unsigned char*>(key.data()), nullptr, encrypt ? 1 : 0);
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  EVP_CipherUpdate(ctx, buf, &n, in, 16);
  EVP_CipherFinal_ex(ctx, buf + n, &m);
  EVP_CIPHER_CTX_free(ctx);
  std::memcpy(out, buf, 16);
}

}  // namespace

Archive::Archive() : in_(std::make_unique<Internal>()) {}

Archive::~Archive() = default;

void Archive::MakeParts() {
  Internal* in = in_.get();
  records_ = std::make_unique<Records>(in);
  consent_ = std::make_unique<Consents>(in);
  indexer_ = std::make_unique<Indexer>(in);
  semantic_ = std::make_unique<SemanticSync>(in);
  finder_ = std::make_unique<Finder>(in);
  verifier_ = std::make_unique<Verifier>(in);
  audit_ = std::make_unique<AuditLog>(in);
  accounts_ = std::make_unique<Accounts>(in);
  models_ = std::make_unique<Models>(in);
  clips_ = std::make_unique<Clips>(in);
  in->records = records_.get();
  in->consent = consent_.get();
  in->indexer = indexer_.get();
  in->semantic = semantic_.get();
  in->finder = finder_.get();
  in->verifier = verifier_.get();
  in->audit = audit_.get();
}

const std::string& Archive::dir() const { return in_->dir; }

Env* Archive::env() const { return in_->env; }

std::string Archive::SegmentRef(int64_t segment_id) const {
  unsigned char block[16], out[16];
  for (int i = 0; i < 8; ++i) block[i] = static_cast<unsigned char>(segment_id >> (56 - 8 * i));
  std::memcpy(block + 8, "attestsg", 8);
  Aes128Block(in_->ids_key, block, out, true);
  return "s" + ToHex(std::string_view(reinterpret_cast<const char*>(out), 16));
}

std::string Archive::PathImportId(std::string_view relative_path) const {
  std::string data = "attest.import-path.v1";
  data += '\0';
  data += relative_path;
  return "path:" + ToHex(HmacSha256(in_->ids_key, data));
}

std::optional<int64_t> Archive::SegmentOfRef(std::string_view ref) const {
  if (ref.size() != 33 || ref[0] != 's') return std::nullopt;
  auto raw = FromHex(ref.substr(1));
  if (!raw.ok() || raw->size() != 16) return std::nullopt;
  unsigned char out[16];
  Aes128Block(in_->ids_key, reinterpret_cast<const unsigned char*>(raw->data()), out, false);
  if (std::memcmp(out + 8, "attestsg", 8) != 0) return std::nullopt;
  int64_t id = 0;
  for (int i = 0; i < 8; ++i) id = (id << 8) | out[i];
  if (id < 1) return std::nullopt;
  return id;
}

Status Archive::Init(Env* env, const std::string& dir, const std::string& origin_arg) {
  if (dir.empty()) return Status::InvalidArgument("no archive directory given");
  ASSIGN_OR_RETURN(FileInfo info, env->Stat(dir));
  if (info.exists) {
    if (!info.is_dir) return Status::Conflict(dir + " exists and is not a directory");
    if (env->FileExists(JoinPath(dir, kMarker))) {
      return Status::Conflict(dir + " already holds an attest archive; it was left untouched");
    }
    ASSIGN_OR_RETURN(auto names, env->ListDir(dir));
    if (!names.empty()) {
      return Status::Conflict(dir + " is not empty; attest init needs a new or empty directory");
    }
  }
  std::string origin = origin_arg.empty() ? "attest.invalid/" + env->RandomHex(6) : origin_arg;
  if (!tlog::IsValidKeyName(origin)) {
    return Status::InvalidArgument("origin '" + origin +
                                   "' must be printable ASCII without spaces or '+', e.g. "
                                   "archive.example.org/testimonies");
  }
  RETURN_IF_ERROR(env->CreateDirs(dir));
  // The archive is its operator's only: no other user of the machine may enter it (its
  // database, files and index hold what witnesses entrusted; doc/privacy.md).
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Status::IOError("cannot make " + dir + " private (chmod 700): " + std::strerror(errno));
  }
  RETURN_IF_ERROR(env->CreateDir(JoinPath(dir, "keys"), 0700));
  ASSIGN_OR_RETURN(tlog::Signer signer, tlog::Signer::Generate(origin, env));
  RETURN_IF_ERROR(env->WriteFileAtomic(JoinPath(dir, "keys/log.key"), signer.Skey() + "\n", 0600));
  RETURN_IF_ERROR(
      env->WriteFileAtomic(JoinPath(dir, "keys/log.vkey"), signer.verifier().Vkey() + "\n"));
  ASSIGN_OR_RETURN(auto store, meta::OpenSqliteStore(JoinPath(dir, "attest.db"), true));
  RETURN_IF_ERROR(store->SetInfo("origin", origin));
  RETURN_IF_ERROR(store->SetInfo("created", FormatRfc3339(env->NowMicros())));
  RETURN_IF_ERROR(
      blob::FsBlobStore::Open(env, JoinPath(dir, "blobs"), JoinPath(dir, "keys/blobs")).status());
  RETURN_IF_ERROR(tlog::Log::Create(env, JoinPath(dir, "log"), std::move(signer)).status());
  // The marker comes last: a directory without it is not (yet) an archive.
  return env->WriteFileAtomic(JoinPath(dir, kMarker), kMarkerText);
}

Result<std::unique_ptr<Archive>> Archive::Open(Env* env, const std::string& dir) {
  if (dir.empty()) {
    return Status::InvalidArgument("no archive given: use --archive DIR or set ATTEST_ARCHIVE");
  }
  ASSIGN_OR_RETURN(FileInfo marker, env->Stat(JoinPath(dir, kMarker)));
  if (!marker.exists) {
    return Status::NotFound(dir + " is not an attest archive (no " + kMarker +
                            " file); create one with: attest init " + dir);
  }
  // An archive made by an earlier attest, or opened up since, is made private again.
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & 077) != 0 && st.st_uid == ::geteuid()) {
    ::chmod(dir.c_str(), 0700);
  }
  std::unique_ptr<Archive> a(new Archive());
  Internal* in = a->in_.get();
  in->env = env;
  in->dir = dir;
  auto vkey_text = env->ReadFile(JoinPath(dir, "keys/log.vkey"));
  if (!vkey_text.ok()) return vkey_text.status().WithContext("reading the log's verifier key");
  std::string vkey = *vkey_text;
  while (!vkey.empty() && vkey.back() == '\n') vkey.pop_back();
  auto verifier = tlog::Verifier::FromVkey(vkey);
  if (!verifier.ok()) {
    return Status::Corruption(dir + "/keys/log.vkey: " + verifier.status().message());
  }
  std::optional<tlog::Signer> signer;
  auto skey = env->ReadFile(JoinPath(dir, "keys/log.key"));
  if (skey.ok()) {
    auto s = tlog::Signer::FromSkey(*skey);
    if (!s.ok()) return Status::Corruption(dir + "/keys/log.key: " + s.status().message());
    if (s->verifier().Vkey() != vkey) {
      return Status::Corruption(dir + "/keys/log.key does not match keys/log.vkey");
    }
    signer = std::move(*s);
  } else if (!skey.status().IsNotFound() && skey.status().code() != Code::kPermissionDenied) {
    return skey.status();
  }
  ASSIGN_OR_RETURN(in->ids_key, IdsKey(env, dir));
  ASSIGN_OR_RETURN(in->store, meta::OpenSqliteStore(JoinPath(dir, "attest.db"), false));
  in->record_keys = std::make_unique<RecordKeys>(env, JoinPath(dir, "keys/records"));
  in->store->SetTextSealer(in->record_keys.get());
  ASSIGN_OR_RETURN(
      in->blobs, blob::FsBlobStore::Open(env, JoinPath(dir, "blobs"), JoinPath(dir, "keys/blobs")));
  ASSIGN_OR_RETURN(in->log, tlog::Log::Open(env, JoinPath(dir, "log"), *verifier, signer));
  a->MakeParts();
  if (signer) {
    RETURN_IF_ERROR(a->verifier().Integrate());
    RETURN_IF_ERROR(a->indexer().SyncIndex());  // finishes an index update a crash interrupted
    RETURN_IF_ERROR(a->consent().OpenDueSeals());
  }
  return a;
}

Result<Json> Archive::Config() {
  std::string path = JoinPath(in_->dir, "config.json");
  if (!in_->env->FileExists(path)) return Json::object();
  ASSIGN_OR_RETURN(std::string text, in_->env->ReadFile(path));
  Json c = Json::parse(text, nullptr, false);
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument(path + ": " + what + " (doc/format/archive.md, config.json)");
  };
  if (!c.is_object()) return bad("not a JSON object");
  for (const auto& [k, v] : c.items()) {
    if (k != "ask") return bad("unknown setting '" + k + "'");
    if (!v.is_object()) return bad("\"ask\" must be an object");
    for (const auto& [k2, v2] : v.items()) {
      if (k2 != "summary") return bad("unknown setting 'ask." + k2 + "'");
      if (!v2.is_object() || !v2.contains("endpoint") || !v2["endpoint"].is_string()) {
        return bad("\"ask.summary\" needs an \"endpoint\" URL");
      }
      for (const auto& [k3, v3] : v2.items()) {
        bool ok = (k3 == "endpoint" || k3 == "model") ? v3.is_string()
                  : k3 == "allow_remote"              ? v3.is_boolean()
                  : k3 == "timeout_seconds"           ? v3.is_number_unsigned()
                                                      : false;
        if (!ok) return bad("'ask.summary." + k3 + "' is unknown or of the wrong type");
      }
    }
  }
  return c;
}

Result<std::optional<std::string>> Archive::Notice() { return in_->store->GetInfo("notice"); }

Status Archive::SetNotice(const std::string& text) { return in_->store->SetInfo("notice", text); }

}  // namespace attest::archive
