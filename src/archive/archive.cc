#include "archive/archive.h"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "archive/manifest.h"
#include "core/hash.h"
#include "core/text_safety.h"
#include "search/dates.h"
#include "search/query.h"
#include "search/result_cache.h"
#include "text/names.h"
#include "text/paragraphs.h"
#include "tlog/merkle.h"

namespace attest::archive {
namespace {

constexpr char kMarker[] = "ATTEST";
constexpr char kMarkerText[] = "attest archive 1\n";
constexpr uint64_t kBatch = 65536;
// The layout of ARCHIVE/index/lexical (doc/search.md); an index of another is rebuilt.
constexpr const char* kIndexFormat = search::LexicalIndex::kLayout;

std::string Now(Env* env) { return FormatRfc3339(env->NowMicros()); }

// Whether a record's files are stored encrypted under keys of their own (crypto-shredding,
// doc/format/blob_store.md "Encrypted blobs").
bool EncryptsFiles(meta::Consent c) {
  return c == meta::Consent::kRestricted || c == meta::Consent::kSealed;
}

// A printable form of a path for messages, with bytes that are not UTF-8 escaped.
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

std::vector<std::string> B64s(const std::vector<Digest>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(Base64Encode(d));
  return out;
}

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

}  // namespace

namespace {
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

std::string Archive::SegmentRef(int64_t segment_id) const {
  unsigned char block[16], out[16];
  for (int i = 0; i < 8; ++i) block[i] = static_cast<unsigned char>(segment_id >> (56 - 8 * i));
  std::memcpy(block + 8, "attestsg", 8);
  Aes128Block(ids_key_, block, out, true);
  return "s" + ToHex(std::string_view(reinterpret_cast<const char*>(out), 16));
}

std::string Archive::PathImportId(std::string_view relative_path) const {
  std::string data = "attest.import-path.v1";
  data += '\0';
  data += relative_path;
  return "path:" + ToHex(HmacSha256(ids_key_, data));
}

std::optional<int64_t> Archive::SegmentOfRef(std::string_view ref) const {
  if (ref.size() != 33 || ref[0] != 's') return std::nullopt;
  auto raw = FromHex(ref.substr(1));
  if (!raw.ok() || raw->size() != 16) return std::nullopt;
  unsigned char out[16];
  Aes128Block(ids_key_, reinterpret_cast<const unsigned char*>(raw->data()), out, false);
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
  RETURN_IF_ERROR(store->SetInfo("created", Now(env)));
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
  std::unique_ptr<Archive> a(new Archive(env, dir));
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
  ASSIGN_OR_RETURN(a->ids_key_, IdsKey(env, dir));
  ASSIGN_OR_RETURN(a->store_, meta::OpenSqliteStore(JoinPath(dir, "attest.db"), false));
  a->record_keys_ = std::make_unique<RecordKeys>(env, JoinPath(dir, "keys/records"));
  a->store_->SetTextSealer(a->record_keys_.get());
  ASSIGN_OR_RETURN(
      a->blobs_, blob::FsBlobStore::Open(env, JoinPath(dir, "blobs"), JoinPath(dir, "keys/blobs")));
  ASSIGN_OR_RETURN(a->log_, tlog::Log::Open(env, JoinPath(dir, "log"), *verifier, signer));
  if (signer) {
    RETURN_IF_ERROR(a->Integrate());
    RETURN_IF_ERROR(a->SyncIndex());  // finishes an index update a crash interrupted
    RETURN_IF_ERROR(a->OpenDueSeals());
  }
  return a;
}

Status Archive::Integrate() {
  ASSIGN_OR_RETURN(auto lock, log_->LockForWrite());
  ASSIGN_OR_RETURN(tlog::SignedCheckpoint cp, log_->Latest());
  ASSIGN_OR_RETURN(uint64_t sequenced, store_->LeafCount());
  if (cp.checkpoint.size > sequenced) {
    return Status::Corruption("the log holds " + std::to_string(cp.checkpoint.size) +
                              " leaves but the database only " + std::to_string(sequenced) +
                              ": the database is older than the log (restored from an old "
                              "backup?); nothing was changed");
  }
  uint64_t size = cp.checkpoint.size;
  while (size < sequenced) {
    ASSIGN_OR_RETURN(auto leaves, store_->Leaves(size, std::min(kBatch, sequenced - size)));
    if (leaves.empty())
      return Status::Corruption("database log sequence has a gap at " + std::to_string(size));
    ASSIGN_OR_RETURN(cp, log_->Append(size, leaves));
    size = cp.checkpoint.size;
  }
  return Status::Ok();
}

Status Archive::CheckFile(const std::string& path) {
  std::string shown = Printable(path);
  if (!IsValidUtf8(path)) {
    return Status::InvalidArgument("file name '" + shown +
                                   "' is not valid UTF-8; rename it (for example with convmv) "
                                   "and add it again");
  }
  ASSIGN_OR_RETURN(FileInfo info, env_->Stat(path));
  if (!info.exists) return Status::NotFound(shown + ": no such file");
  if (info.is_dir) {
    return Status::InvalidArgument(shown + " is a directory; add the files in it instead");
  }
  if (!info.is_regular) return Status::InvalidArgument(shown + " is not a regular file");
  // An empty file is stored and logged like any other (an archive records what it was given);
  // its extract job says there is no text in it.
  auto f = env_->NewSequentialFile(path);
  if (!f.ok()) return f.status();
  return Status::Ok();
}

Status ValidateAddOptions(const AddOptions& opts, size_t file_count) {
  if (file_count == 0) return Status::InvalidArgument("no files to add");
  if (!opts.witness.empty() && !IsValidId(opts.witness)) {
    return Status::InvalidArgument("--witness '" + opts.witness +
                                   "' must be 1-64 letters, digits, '.', '_' or '-'");
  }
  if (!opts.collection.empty() && !IsValidId(opts.collection)) {
    return Status::InvalidArgument("--collection '" + opts.collection +
                                   "' must be 1-64 letters, digits, '.', '_' or '-'");
  }
  if (!IsValidLang(opts.lang)) {
    return Status::InvalidArgument("--lang '" + opts.lang +
                                   "' is not a language tag such as he, ar, en, fr or und");
  }
  if (opts.consent == meta::Consent::kWithdrawn) {
    return Status::InvalidArgument("a record cannot be added as withdrawn");
  }
  if (!opts.meta.is_object()) return Status::InvalidArgument("--meta must be a JSON object");
  if (auto c = CanonicalJson(opts.meta); !c.ok()) return c.status().WithContext("--meta");
  if (!opts.record_id.empty() && file_count != 1) {
    return Status::InvalidArgument("--record adds one file as the record's next version");
  }
  for (const auto& p : opts.places) {
    if (Status st = ValidateName(p, "place"); !st.ok()) return st.WithContext("--place");
  }
  if (!opts.date.empty()) RETURN_IF_ERROR(search::ParseDateRange(opts.date, "--date").status());
  return Status::Ok();
}

Status ValidateName(const std::string& name, const std::string& kind) {
  if (kind != "place" && kind != "person") {
    return Status::InvalidArgument("kind '" + kind + "' must be place or person");
  }
  if (!IsValidUtf8(name)) return Status::InvalidArgument("the name is not valid UTF-8");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      char code[8];
      std::snprintf(code, sizeof code, "U+%04X", c);
      return Status::InvalidArgument("the name '" + name.substr(0, 40) +
                                     "' holds a control character (" + code + ")");
    }
  }
  if (name.size() > 200) {
    return Status::InvalidArgument("the name '" + name.substr(0, 40) +
                                   "…' is longer than 200 bytes");
  }
  if (text::NameKeys(name).empty()) {
    return Status::InvalidArgument("the name '" + name + "' has no letters to match");
  }
  return Status::Ok();
}

Result<std::vector<Added>> Archive::Add(const std::vector<std::string>& paths,
                                        const AddOptions& opts) {
  RETURN_IF_ERROR(ValidateAddOptions(opts, paths.size()));
  for (const auto& p : paths) RETURN_IF_ERROR(CheckFile(p));
  // Originals first: content-addressed, durable before anything refers to them.
  std::vector<StoredFile> stored;
  for (const auto& p : paths) {
    ASSIGN_OR_RETURN(blob::BlobInfo info, blobs_->PutFile(p, EncryptsFiles(opts.consent)));
    stored.push_back({p, info});
  }
  return AddStored(stored, opts);
}

namespace {

// A version's manifest, private commitment and leaf, from its manifest fields and private
// object; `kind` is the leaf's (add, revise).
Result<meta::NewVersion> SealVersion(ManifestFields mf, const Json& priv, const std::string& salt,
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

}  // namespace

namespace {

// Metadata from outside without the control characters it has no use for
// (core/text_safety.h): its names on one line, its values keeping their lines.
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

}  // namespace

Result<std::vector<Added>> Archive::AddStored(const std::vector<StoredFile>& files,
                                              const AddOptions& opts) {
  RETURN_IF_ERROR(ValidateAddOptions(opts, files.size()));
  // A damaged log refuses new statements before any is recorded.
  RETURN_IF_ERROR(log_->CheckAppendable());
  std::string now = Now(env_);
  std::string batch = opts.batch.empty() ? "add-" + env_->RandomHex(6) : opts.batch;
  const Json meta = CleanMetadata(opts.meta);
  std::vector<meta::AddRequest> requests;
  for (const StoredFile& f : files) {
    meta::AddRequest req;
    req.create = opts.record_id.empty();
    req.record_id = req.create ? NewRecordId(env_) : opts.record_id;
    req.collection_id = opts.collection;
    req.witness_id = opts.witness;
    req.consent = opts.consent;
    req.created = now;
    req.import_id = opts.import_id;
    req.salt.resize(32);
    env_->RandomBytes(req.salt.data(), req.salt.size());
    std::string record_id = req.record_id;
    std::string file_name = CleanText(BaseName(f.file), TextLayout::kOneLine);
    blob::BlobInfo info = f.blob;
    req.build = [&opts, &meta, now, record_id, file_name, info, batch](
                    int version, const std::string& salt, uint64_t) -> Result<meta::NewVersion> {
      Json priv = {{"file_name", file_name}, {"meta", meta}};
      if (!opts.import_manifest.empty()) {
        priv["import"] = {{"manifest", opts.import_manifest}, {"line", opts.import_line}};
      }
      if (!opts.places.empty()) priv["places"] = opts.places;
      if (!opts.date.empty()) priv["date"] = opts.date;
      ManifestFields mf;
      mf.record = record_id;
      mf.version = version;
      mf.collection = opts.collection;
      mf.witness = opts.witness;
      mf.consent = opts.consent;
      mf.lang = opts.lang;
      mf.created = now;
      mf.blobs = {{"original", info.sha256, info.size}};
      ASSIGN_OR_RETURN(meta::NewVersion nv,
                       SealVersion(mf, priv, salt, version == 1 ? "add" : "revise"));
      // What is in the original is found out by a job (doc/ingest.md), never in the add.
      nv.jobs.push_back({"extract", 0, info.size, batch, false});
      return nv;
    };
    requests.push_back(std::move(req));
  }
  ASSIGN_OR_RETURN(auto versions, store_->AddVersions(requests));
  std::vector<Added> out;
  for (size_t i = 0; i < files.size(); ++i) {
    out.push_back(Added{files[i].file, versions[i].record_id, versions[i].version,
                        files[i].blob.sha256, files[i].blob.size, versions[i].leaf_index, batch});
  }
  // Acknowledged only once a signed checkpoint covers the new leaves.
  RETURN_IF_ERROR(Integrate());
  return out;
}

Json Derivation::ToJson() const {
  Json m = Json::array();
  for (const auto& [name, sha] : models) m.push_back({{"name", name}, {"sha256", sha}});
  Json j = {{"artifact", artifact}, {"from", from}, {"models", m},
            {"params", params},     {"tool", tool}, {"tool_version", tool_version}};
  if (!detected.empty()) j["detected"] = detected;
  return j;
}

Result<std::string> Derivation::Key() const {
  Json j = ToJson();
  j.erase("detected");  // what was found, not what was asked
  ASSIGN_OR_RETURN(std::string canon, CanonicalJson(j));
  return ToHex(Sha256(canon));
}

Result<std::pair<meta::Record, meta::Version>> Archive::JobVersion(const meta::Job& job) {
  ASSIGN_OR_RETURN(meta::Record r, store_->GetRecord(job.record_id));
  for (const meta::Version& v : r.versions) {
    if (v.version == job.version) return std::make_pair(r, v);
  }
  return Status::NotFound("record '" + job.record_id + "' has no version " +
                          std::to_string(job.version));
}

Result<meta::AddRequest> Archive::DerivedRequest(const meta::Record& record,
                                                 const meta::Version& from,
                                                 const DerivedText* derived, const std::string& now,
                                                 std::vector<meta::NewJob> jobs) {
  if (!IsValidUtf8(derived->text)) {
    return Status::InvalidArgument("the derived text of " + record.id + " is not valid UTF-8");
  }
  // Blobs first, as for an add: durable before anything names them.
  std::vector<meta::BlobRef> blobs;
  for (const meta::BlobRef& b : from.blobs) {
    if (b.role == "original") blobs.push_back(b);
  }
  if (derived->has_text) {
    ASSIGN_OR_RETURN(blob::BlobInfo text_blob,
                     blobs_->PutBytes(derived->text, EncryptsFiles(record.consent)));
    blobs.push_back({"text", text_blob.sha256, text_blob.size});
  }
  for (const DerivedBlob& extra : derived->blobs) {
    const bool encrypt = EncryptsFiles(record.consent);
    ASSIGN_OR_RETURN(blob::BlobInfo b, extra.path.empty() ? blobs_->PutBytes(extra.bytes, encrypt)
                                                          : blobs_->PutFile(extra.path, encrypt));
    blobs.push_back({extra.role, b.sha256, b.size});
  }
  ASSIGN_OR_RETURN(Json source_manifest, ParseJson(from.manifest, "manifest"));
  // The record's metadata annotations (places, date) carry over to the derived segments.
  std::vector<meta::Annotation> annotations;
  if (auto priv = ParseJson(from.private_json, "private metadata"); priv.ok()) {
    if (priv->contains("places") && (*priv)["places"].is_array()) {
      for (const auto& p : (*priv)["places"]) {
        if (p.is_string()) annotations.push_back({"place", p.get<std::string>(), "metadata"});
      }
    }
    std::string date = StringMember(*priv, "date");
    if (!date.empty()) annotations.push_back({"date", date, "metadata"});
  }
  meta::AddRequest req;
  req.create = false;
  req.record_id = record.id;
  req.derived_from = from.version;
  ASSIGN_OR_RETURN(req.derivation_key, derived->derivation.Key());
  Json derived_json = derived->derivation.ToJson();
  std::string private_json = from.private_json;
  std::string private_hmac = StringMember(source_manifest, "private");
  // The build runs inside the store's transaction, after this returns: it owns what it reads.
  auto blobs_shared = std::make_shared<std::vector<meta::BlobRef>>(std::move(blobs));
  req.build = [record, from, derived, now, derived_json, private_json, private_hmac, annotations,
               blobs_shared,
               jobs](int version, const std::string& salt, uint64_t) -> Result<meta::NewVersion> {
    const std::vector<meta::BlobRef>& blobs = *blobs_shared;
    meta::NewVersion nv;
    nv.private_json = private_json;
    ManifestFields mf;
    mf.record = record.id;
    mf.version = version;
    mf.collection = record.collection_id;
    mf.witness = record.witness_id;
    mf.consent = record.consent;
    mf.lang = derived->lang.empty() ? from.lang : derived->lang;
    mf.created = now;
    mf.blobs = blobs;
    mf.private_hmac = private_hmac;
    mf.derived = derived_json;
    ASSIGN_OR_RETURN(nv.manifest, BuildManifest(mf));
    nv.manifest_sha256 = ToHex(Sha256(nv.manifest));
    nv.lang = mf.lang;
    nv.created = now;
    nv.blobs = blobs;
    nv.segments = derived->segments;
    for (meta::Segment& g : nv.segments) {
      g.annotations.insert(g.annotations.end(), annotations.begin(), annotations.end());
    }
    ASSIGN_OR_RETURN(nv.leaf,
                     BuildLeaf({"derive", record.id, version, nv.manifest_sha256, now}, salt));
    nv.jobs = jobs;
    return nv;
  };
  return req;
}

Result<std::optional<meta::Version>> Archive::FinishJob(const meta::Job& job,
                                                        const std::string& owner,
                                                        const DerivedText* derived,
                                                        const std::vector<meta::NewJob>& follow_ups,
                                                        const Json& outcome) {
  ASSIGN_OR_RETURN(std::string outcome_json, CanonicalJson(outcome));
  std::string now = Now(env_);
  if (!derived) {
    ASSIGN_OR_RETURN(auto v,
                     store_->FinishJob(job.id, owner, now, nullptr, follow_ups, outcome_json));
    return v;
  }
  RETURN_IF_ERROR(log_->CheckAppendable());
  ASSIGN_OR_RETURN(auto source, JobVersion(job));
  ASSIGN_OR_RETURN(meta::AddRequest req,
                   DerivedRequest(source.first, source.second, derived, now, {}));
  ASSIGN_OR_RETURN(auto v, store_->FinishJob(job.id, owner, now, &req, follow_ups, outcome_json));
  // Done once the signed checkpoint covers the new leaf (a crash here: the next open logs it).
  RETURN_IF_ERROR(Integrate());
  return v;
}

Result<meta::Version> Archive::AddDerived(const std::string& record_id, int from,
                                          const DerivedText& derived) {
  RETURN_IF_ERROR(log_->CheckAppendable());
  ASSIGN_OR_RETURN(meta::Record record, store_->GetRecord(record_id));
  if (record.withdrawn_at) return Status::InvalidArgument("record " + record_id + " is withdrawn");
  const meta::Version* source = nullptr;
  for (const meta::Version& v : record.versions) {
    if (v.version == from) source = &v;
  }
  if (!source) {
    return Status::NotFound("record " + record_id + " has no version " + std::to_string(from));
  }
  ASSIGN_OR_RETURN(meta::AddRequest req, DerivedRequest(record, *source, &derived, Now(env_),
                                                        {{"index", 0, 0, "", false}}));
  ASSIGN_OR_RETURN(auto added, store_->AddVersions({req}));
  RETURN_IF_ERROR(Integrate());
  return added.at(0);
}

namespace {

// What the index holds of a segment: its text, where it is, and the level it may be seen at.
// The indexed form of a segment: its text with its record's redactions applied, for everyone.
// A version held by a redaction that could not be placed in it is searched by those who may
// read restricted material only (doc/api.md "Redaction").
search::SegmentDoc SegmentDocOf(const meta::SegmentState& st, const RedactionPlan& plan) {
  const meta::Segment& g = st.segment;
  search::SegmentDoc d;
  d.segment_id = g.id;
  d.record_id = g.record_id;
  d.version = g.version;
  d.witness_id = st.witness_id;
  d.collection_id = st.collection_id;
  d.lang = g.lang.empty() ? "und" : g.lang;
  d.consent = plan.Held(g.version) ? meta::Strictest(plan.Level(st), meta::Consent::kRestricted)
                                   : plan.Level(st);
  d.start_ms = g.start_ms;
  d.end_ms = g.end_ms;
  d.page = g.page;
  d.char_start = g.char_start;
  d.text = plan.empty() ? g.text : ApplyRedactions(st, plan).text;
  for (const meta::Annotation& an : g.annotations) {
    if (an.kind == "place") d.places.push_back(an.value);
    if (an.kind == "date" && d.date_from.empty()) {
      if (auto range = search::ParseDateRange(an.value, "date"); range.ok()) {
        d.date_from = range->from;
        d.date_to = range->to;
      }
    }
  }
  return d;
}

}  // namespace

Status Archive::IndexSegments(search::LexicalIndex* index, int64_t after_id, int64_t* last_id,
                              const std::vector<meta::Redaction>& all_redactions) {
  *last_id = after_id;
  std::map<std::string, std::vector<meta::Redaction>> redactions;
  for (const auto& r : all_redactions) redactions[r.record_id].push_back(r);
  std::map<std::string, RedactionPlan> plans;  // of the records met that have redactions
  const RedactionPlan none;
  ASSIGN_OR_RETURN(auto passages, RecordsWithPassageLevels());
  for (const auto& id : passages) redactions[id];  // planned as well
  std::string revised;  // the last record@version whose earlier versions were dropped
  while (true) {
    ASSIGN_OR_RETURN(auto batch, store_->ScanSegments(*last_id, 10000));
    if (batch.empty()) return Status::Ok();
    for (const meta::SegmentState& st : batch) {
      const meta::Segment& g = st.segment;
      *last_id = g.id;
      if (st.superseded) continue;
      // A revision's text replaces its record's earlier versions in the index.
      std::string rv = g.record_id + "@" + std::to_string(g.version);
      if (g.version > 1 && rv != revised) {
        RETURN_IF_ERROR(index->RemoveVersionsBefore(g.record_id, g.version));
        revised = rv;
      }
      auto r = redactions.find(g.record_id);
      if (r == redactions.end()) {
        RETURN_IF_ERROR(index->Put(SegmentDocOf(st, none)));
        continue;
      }
      auto plan = plans.find(g.record_id);
      if (plan == plans.end()) {
        ASSIGN_OR_RETURN(auto record_segments, store_->RecordSegments(g.record_id));
        plan = plans.emplace(g.record_id, PlanRedactions(record_segments, r->second)).first;
      }
      RETURN_IF_ERROR(index->Put(SegmentDocOf(st, plan->second)));
    }
  }
}

Status Archive::IndexRecord(search::LexicalIndex* index, const std::string& record_id) {
  ASSIGN_OR_RETURN(auto segments, store_->RecordSegments(record_id));
  ASSIGN_OR_RETURN(auto redactions, store_->ListRedactions(record_id));
  const RedactionPlan plan = PlanRedactions(segments, redactions);
  for (const meta::SegmentState& st : segments) {
    if (!st.superseded) RETURN_IF_ERROR(index->Put(SegmentDocOf(st, plan)));
  }
  return Status::Ok();
}

namespace {

// The byte offset of code point `cp` of UTF-8 `text` (its size if past the end).
size_t ByteOfCodePoint(std::string_view text, int64_t cp) {
  size_t i = 0;
  for (int64_t n = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (n++ == cp) return i;
  }
  return text.size();
}

// Code points [from, to) of `text`.
std::string CodePointSpan(std::string_view text, int64_t from, int64_t to) {
  size_t a = ByteOfCodePoint(text, std::max<int64_t>(0, from));
  size_t b = ByteOfCodePoint(text, std::max(from, to));
  return std::string(text.substr(a, b - a));
}

// How many code points of a hidden span's neighbours must be found again beside its words for
// an occurrence to count as "the same passage".
constexpr int64_t kContext = 16;

// How many times `words` occur in `text`.
size_t Occurrences(std::string_view text, std::string_view words) {
  size_t n = 0;
  for (size_t at = text.find(words); at != std::string_view::npos; at = text.find(words, at + 1)) {
    ++n;
  }
  return n;
}

}  // namespace

RedactionPlan PlanRedactions(const std::vector<meta::SegmentState>& segments,
                             const std::vector<meta::Redaction>& redactions) {
  RedactionPlan plan;
  constexpr int64_t kWhole = std::numeric_limits<int64_t>::max();
  std::map<int64_t, const meta::SegmentState*> by_id;
  std::map<int, std::vector<const meta::SegmentState*>> by_version;
  for (const meta::SegmentState& st : segments) {
    by_id[st.segment.id] = &st;
    by_version[st.segment.version].push_back(&st);
  }
  std::set<std::pair<int64_t, int>> confirmed;
  for (const meta::Redaction& r : redactions) {
    if (r.confirms > 0) confirmed.insert({r.confirms, r.confirms_version});
  }
  for (const meta::Redaction& r : redactions) {
    if (r.confirms > 0) continue;
    auto own = by_id.find(r.segment_id);
    if (own == by_id.end()) continue;  // not this record's: nothing of it here
    const meta::Segment& g0 = own->second->segment;
    const int64_t length = static_cast<int64_t>(CodePoints(g0.text));
    const int64_t from = r.char_from < 0 ? 0 : std::min(r.char_from, length);
    const int64_t to = r.char_from < 0 ? length : std::min(std::max(r.char_to, from), length);
    plan.hide[g0.id].push_back(r.char_from < 0 ? std::make_pair(int64_t{0}, kWhole)
                                               : std::make_pair(from, to));
    // The hidden words, without the blanks at their edges, and their neighbours.
    std::string words = CodePointSpan(g0.text, from, to);
    std::string before = CodePointSpan(g0.text, from - kContext, from);
    std::string after = CodePointSpan(g0.text, to, to + kContext);
    while (!words.empty() && std::isspace(static_cast<unsigned char>(words.front()))) {
      before.push_back(words.front());
      words.erase(words.begin());
    }
    while (!words.empty() && std::isspace(static_cast<unsigned char>(words.back()))) {
      after.insert(after.begin(), words.back());
      words.pop_back();
    }
    // How often the words were left to be read in the redaction's own version: more than that
    // elsewhere, and the hidden one may be among them.
    size_t visible_in_own = 0;
    if (!words.empty()) {
      size_t hidden_in_own = 0;
      for (const meta::SegmentState* st : by_version[g0.version]) {
        visible_in_own += Occurrences(st->segment.text, words);
      }
      for (const meta::Redaction& other : redactions) {
        auto seg = by_id.find(other.segment_id);
        if (other.confirms == 0 && seg != by_id.end() &&
            seg->second->segment.version == g0.version) {
          int64_t a = other.char_from < 0 ? 0 : other.char_from;
          int64_t b = other.char_from < 0 ? static_cast<int64_t>(CodePoints(seg->second->segment.text))
                                          : other.char_to;
          hidden_in_own += Occurrences(CodePointSpan(seg->second->segment.text, a, b), words);
        }
      }
      visible_in_own = visible_in_own > hidden_in_own ? visible_in_own - hidden_in_own : 0;
    }
    for (const auto& [version, version_segments] : by_version) {
      // A recording's versions share its clock: what is spoken in the range is hidden whole.
      std::string spoken;  // the text of those segments, joined
      if (r.start_ms >= 0) {
        for (const meta::SegmentState* st : version_segments) {
          const meta::Segment& g = st->segment;
          if (g.id == g0.id || g.start_ms < 0) continue;
          if (g.end_ms > r.start_ms && g.start_ms < r.end_ms) {
            plan.hide[g.id].push_back({0, kWhole});
            spoken += (spoken.empty() ? "" : " ") + g.text;
          }
        }
      }
      if (version == g0.version) continue;
      if (words.empty()) continue;  // nothing was hidden: nothing to find
      // By its words: the occurrences beside the neighbours they had (the same passage); and
      // if more occurrences are left than could be read in its own version, all of them (a
      // witness who names someone once may name them again; a corrected transcript may cut
      // its lines elsewhere).
      bool placed = spoken.find(words) != std::string::npos;
      std::vector<std::pair<const meta::Segment*, size_t>> beside, rest;
      for (const meta::SegmentState* st : version_segments) {
        const std::string& text = st->segment.text;
        for (size_t at = text.find(words); at != std::string::npos;
             at = text.find(words, at + 1)) {
          std::string_view left = std::string_view(text).substr(0, at);
          std::string_view right = std::string_view(text).substr(at + words.size());
          bool same_left = left.ends_with(before) || std::string_view(before).ends_with(left);
          bool same_right = right.starts_with(after) || std::string_view(after).starts_with(right);
          (same_left && same_right ? beside : rest).push_back({&st->segment, at});
        }
      }
      auto hide_at = [&](const meta::Segment* g, size_t at) {
        int64_t a = static_cast<int64_t>(CodePoints(std::string_view(g->text).substr(0, at)));
        plan.hide[g->id].push_back({a, a + static_cast<int64_t>(CodePoints(words))});
        placed = true;
      };
      for (const auto& [g, at] : beside) hide_at(g, at);
      if (rest.size() > visible_in_own) {
        for (const auto& [g, at] : rest) hide_at(g, at);
      }
      if (!placed && !confirmed.count({r.id, version})) plan.held[version].push_back(r.id);
    }
  }
  // Passages with a level of their own: the same passage in other versions, found by its time
  // in a recording or by its words, is read at that level too; a version it cannot be found in
  // is held (a confirmation names it as -segment id).
  auto trimmed = [](std::string_view t) {
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    return t;
  };
  for (const meta::SegmentState& st0 : segments) {
    const meta::Segment& g0 = st0.segment;
    if (!g0.consent || *g0.consent == meta::Consent::kPublic) continue;
    std::string_view words = trimmed(g0.text);
    for (const auto& [version, version_segments] : by_version) {
      if (version == g0.version) continue;
      bool placed = false;
      for (const meta::SegmentState* st : version_segments) {
        const meta::Segment& g = st->segment;
        std::string_view other = trimmed(g.text);
        bool same =
            g0.start_ms >= 0 && g.start_ms >= 0
                ? g.end_ms > g0.start_ms && g.start_ms < g0.end_ms
                : !words.empty() && (other.find(words) != std::string_view::npos ||
                                     (!other.empty() && words.find(other) != std::string_view::npos));
        if (!same) continue;
        auto [it, fresh] = plan.levels.emplace(g.id, *g0.consent);
        if (!fresh) it->second = meta::Strictest(it->second, *g0.consent);
        placed = true;
      }
      if (!placed && !words.empty() && !confirmed.count({-g0.id, version})) {
        plan.held[version].push_back(-g0.id);
      }
    }
  }
  return plan;
}

RedactedText ApplyRedactions(const meta::SegmentState& s, const RedactionPlan& plan) {
  const meta::Segment& g = s.segment;
  RedactedText out;
  auto found = plan.hide.find(g.id);
  if (found == plan.hide.end()) {
    out.text = g.text;
    return out;
  }
  std::vector<std::pair<int64_t, int64_t>> hide = found->second;
  std::sort(hide.begin(), hide.end());
  // Walk the text by code point, replacing each hidden run with one mark.
  int64_t cp = 0;
  size_t i = 0;
  bool in_mark = false;
  auto hidden = [&](int64_t at) {
    for (const auto& [from, to] : hide) {
      if (at >= from && at < to) return true;
    }
    return false;
  };
  while (i < g.text.size()) {
    size_t len = 1;
    unsigned char c = static_cast<unsigned char>(g.text[i]);
    if (c >= 0xF0) {
      len = 4;
    } else if (c >= 0xE0) {
      len = 3;
    } else if (c >= 0xC0) {
      len = 2;
    }
    len = std::min(len, g.text.size() - i);
    if (hidden(cp)) {
      if (!in_mark) {
        uint32_t at = static_cast<uint32_t>(out.text.size());
        out.text += kRedactionMark;
        out.marks.push_back({at, static_cast<uint32_t>(out.text.size())});
        in_mark = true;
      }
    } else {
      in_mark = false;
      out.text.append(g.text, i, len);
    }
    i += len;
    ++cp;
  }
  return out;
}

Result<std::set<std::string>> Archive::RecordsWithPassageLevels() {
  ASSIGN_OR_RETURN(auto changes, store_->ConsentChanges("", -1));
  std::set<std::string> out;
  for (const auto& c : changes) {
    if (c.segment_id > 0) out.insert(c.record_id);
  }
  return out;
}

Result<RedactionPlan> Archive::PlanOf(const std::string& record_id) {
  ASSIGN_OR_RETURN(auto redactions, store_->ListRedactions(record_id));
  ASSIGN_OR_RETURN(auto segments, store_->RecordSegments(record_id));
  return PlanRedactions(segments, redactions);
}

Result<std::vector<int64_t>> Archive::ConfirmRedactions(const std::string& record_id,
                                                       int version, const std::string& reason,
                                                       const std::string& by) {
  if (reason.empty()) return Status::InvalidArgument("a confirmation needs a reason");
  if (reason.size() > 4096 || !IsValidUtf8(reason)) {
    return Status::InvalidArgument("the reason must be at most 4,096 bytes of UTF-8");
  }
  ASSIGN_OR_RETURN(meta::Record rec, store_->GetRecord(record_id));
  if (rec.withdrawn_at) {
    return Status::InvalidArgument("record '" + record_id + "' was withdrawn: nothing to confirm");
  }
  ASSIGN_OR_RETURN(auto redactions, store_->ListRedactions(record_id));
  ASSIGN_OR_RETURN(auto segments, store_->RecordSegments(record_id));
  RedactionPlan plan = PlanRedactions(segments, redactions);
  bool exists = false;
  for (const auto& v : rec.versions) exists |= v.version == version;
  if (!exists) {
    return Status::NotFound("record '" + record_id + "' has no version " +
                            std::to_string(version));
  }
  auto held = plan.held.find(version);
  if (held == plan.held.end()) {
    return Status::Conflict("version " + std::to_string(version) + " of record '" + record_id +
                            "' is not held by a redaction: nothing to confirm");
  }
  std::string at = Now(env_);
  for (int64_t id : held->second) {
    meta::Redaction c;
    c.segment_id = id < 0 ? -id : 0;  // a passage's level, or a redaction's segment
    for (const auto& r : redactions) {
      if (r.id == id) c.segment_id = r.segment_id;
    }
    c.record_id = record_id;
    c.reason = CleanText(reason, TextLayout::kLines);
    c.by = by;
    c.at = at;
    c.confirms = id;
    c.confirms_version = version;
    RETURN_IF_ERROR(store_->AddRedaction(c).status());
  }
  Json detail = {{"version", version}, {"redactions", held->second}};
  RETURN_IF_ERROR(
      store_->Audit({0, at, by, "redact.confirm", record_id, *CanonicalJson(detail), "", ""})
          .status());
  RETURN_IF_ERROR(SyncIndex());
  return held->second;
}

Result<meta::Redaction> Archive::Redact(const std::string& record_id, int64_t segment_id,
                                        std::optional<std::pair<int64_t, int64_t>> chars,
                                        std::optional<std::pair<int64_t, int64_t>> ms,
                                        const std::string& reason, const std::string& by) {
  if (reason.empty()) return Status::InvalidArgument("a redaction needs a reason");
  if (reason.size() > 4096 || !IsValidUtf8(reason)) {
    return Status::InvalidArgument("the reason must be at most 4,096 bytes of UTF-8");
  }
  ASSIGN_OR_RETURN(meta::Record rec, store_->GetRecord(record_id));
  if (rec.withdrawn_at) {
    return Status::InvalidArgument("record '" + record_id + "' was withdrawn: nothing to hide");
  }
  ASSIGN_OR_RETURN(auto segments, store_->RecordSegments(record_id));
  const meta::Segment* seg = nullptr;
  for (const auto& st : segments) {
    if (st.segment.id == segment_id) seg = &st.segment;
  }
  if (!seg) {
    return Status::NotFound("record '" + record_id + "' has no segment " +
                            std::to_string(segment_id));
  }
  int64_t length = 0;
  for (unsigned char c : seg->text) length += (c & 0xC0) != 0x80;
  meta::Redaction r;
  r.record_id = record_id;
  r.segment_id = segment_id;
  if (chars) {
    if (chars->first < 0 || chars->second <= chars->first || chars->second > length) {
      return Status::InvalidArgument("--chars " + std::to_string(chars->first) + ":" +
                                     std::to_string(chars->second) + " is not a span of segment " +
                                     std::to_string(segment_id) + " (its text has " +
                                     std::to_string(length) + " characters)");
    }
    r.char_from = chars->first;
    r.char_to = chars->second;
  }
  if (seg->char_start >= 0) {
    r.doc_from = seg->char_start + (chars ? chars->first : 0);
    r.doc_to = seg->char_start + (chars ? chars->second : length);
  }
  if (ms) {
    if (ms->first < 0 || ms->second <= ms->first) {
      return Status::InvalidArgument("--ms " + std::to_string(ms->first) + ":" +
                                     std::to_string(ms->second) + " is not a time range");
    }
    r.start_ms = ms->first;
    r.end_ms = ms->second;
  } else if (seg->start_ms >= 0) {
    r.start_ms = seg->start_ms;
    r.end_ms = seg->end_ms;
  }
  r.reason = CleanText(reason, TextLayout::kLines);  // printed to terminals later
  r.by = by;
  r.at = Now(env_);
  ASSIGN_OR_RETURN(r.id, store_->AddRedaction(r));
  Json detail = {{"segment", segment_id}};
  if (chars) detail["chars"] = {chars->first, chars->second};
  if (r.start_ms >= 0) detail["ms"] = {r.start_ms, r.end_ms};
  RETURN_IF_ERROR(
      store_->Audit({0, r.at, by, "redact", record_id, *CanonicalJson(detail), "", ""}).status());
  // Spoken: a copy of the recording silenced over every redacted range (the worker's
  // `redact-access` job, doc/speech.md "Access copies").
  if (r.start_ms >= 0) {
    RETURN_IF_ERROR(store_->RequeueJob(record_id, seg->version, "redact-access", r.at));
  }
  RETURN_IF_ERROR(SyncIndex());
  return r;
}

namespace {
// A number archive_info keeps as text (index progress); `fallback` if it is absent or unreadable
// (unreadable bookkeeping means "start over": indexing is idempotent).
int64_t InfoInt(const std::optional<std::string>& v, int64_t fallback) {
  int64_t x = fallback;
  if (v) {
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
    if (ec != std::errc() || p != v->data() + v->size()) x = fallback;
  }
  return x;
}
}  // namespace

Status Archive::SyncIndex() {
  RETURN_IF_ERROR(SyncLexical());
  // The semantic index is optional: its failure (a registered model file moved away, say)
  // never stops the archive's work. SyncSemantic keeps it (archive_info semantic.error) and it
  // is tried again next time.
  (void)SyncSemantic();
  return Status::Ok();
}

Status Archive::SyncLexical() {
  std::string dir = JoinPath(dir_, "index");
  RETURN_IF_ERROR(env_->CreateDirs(dir));
  ASSIGN_OR_RETURN(auto lock, env_->LockFile(JoinPath(dir, ".lock")));
  // A copy a crash left behind (a rebuild or a compaction) may hold withdrawn words.
  RETURN_IF_ERROR(RemoveIndexTree(JoinPath(dir, "lexical.new")));
  RETURN_IF_ERROR(RemoveIndexTree(JoinPath(dir, "lexical.old")));
  ASSIGN_OR_RETURN(auto seg_info, store_->GetInfo("index.segment"));
  ASSIGN_OR_RETURN(auto wd_info, store_->GetInfo("index.withdrawal_leaf"));
  ASSIGN_OR_RETURN(auto consent_info, store_->GetInfo("index.consent_leaf"));
  // Unreadable bookkeeping means "start over": indexing is idempotent.
  int64_t indexed = InfoInt(seg_info, 0);
  int64_t withdrawn_upto = InfoInt(wd_info, -1);
  int64_t consent_upto = InfoInt(consent_info, -1);
  ASSIGN_OR_RETURN(auto format, store_->GetInfo("index.format"));
  ASSIGN_OR_RETURN(auto names_tag, store_->GetInfo("index.names"));
  ASSIGN_OR_RETURN(auto names, ListedNames());
  if (!env_->FileExists(JoinPath(dir, "lexical")) || format != kIndexFormat) {
    // Lost, never built, or built by an earlier attest: from the start.
    RETURN_IF_ERROR(RemoveIndexTree(JoinPath(dir, "lexical")));
    RETURN_IF_ERROR(store_->SetInfo("index.format", kIndexFormat));
    RETURN_IF_ERROR(store_->SetInfo("index.names", NamesTag(names)));
    indexed = 0;
    withdrawn_upto = -1;
    consent_upto = -1;
  } else if (names_tag != NamesTag(names)) {
    // The name list changed: the text is indexed anew beside the live index, then swapped.
    lock.reset();
    return Reindex();
  }
  ASSIGN_OR_RETURN(int64_t max_segment, store_->MaxSegmentId());
  ASSIGN_OR_RETURN(auto withdrawals, store_->ListWithdrawals());
  std::vector<std::pair<std::string, uint64_t>> pending;
  for (const auto& w : withdrawals) {
    if (static_cast<int64_t>(w.second) > withdrawn_upto) pending.push_back(w);
  }
  ASSIGN_OR_RETURN(auto consent_changes, store_->ConsentChanges("", consent_upto));
  ASSIGN_OR_RETURN(auto redaction_info, store_->GetInfo("index.redaction"));
  int64_t redacted_upto = InfoInt(redaction_info, 0);
  ASSIGN_OR_RETURN(auto all_redactions, store_->ListRedactions(""));
  std::set<std::string> to_redact;
  int64_t max_redaction = redacted_upto;
  for (const auto& r : all_redactions) {
    if (r.id > redacted_upto) to_redact.insert(r.record_id);
    max_redaction = std::max(max_redaction, r.id);
  }
  if (max_segment <= indexed && pending.empty() && consent_changes.empty() && to_redact.empty()) {
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(auto index, search::LexicalIndex::Open(JoinPath(dir, "lexical")));
  index->SetNames(names);
  int64_t last = indexed;
  RETURN_IF_ERROR(IndexSegments(index.get(), indexed, &last, all_redactions));
  // A changed consent moves the record's segments to their new level (or out of the index).
  std::set<std::string> moved;
  for (const auto& c : consent_changes) {
    if (moved.insert(c.record_id).second) RETURN_IF_ERROR(IndexRecord(index.get(), c.record_id));
    consent_upto = std::max<int64_t>(consent_upto, static_cast<int64_t>(c.leaf_index));
  }
  // A redacted record's segments are indexed again without the hidden words.
  for (const auto& id : to_redact) {
    if (moved.insert(id).second) RETURN_IF_ERROR(IndexRecord(index.get(), id));
  }
  for (const auto& w : pending) {
    RETURN_IF_ERROR(index->RemoveRecord(w.first));
    withdrawn_upto = std::max<int64_t>(withdrawn_upto, static_cast<int64_t>(w.second));
  }
  RETURN_IF_ERROR(index->Commit());
  if (!pending.empty() || !to_redact.empty()) {
    // The removed segments' words (withdrawn, or redacted) stay in the blocks Xapian freed: the
    // index is copied without them and swapped in. Progress is recorded after, so a crash before
    // the swap removes and compacts again.
    index.reset();
    std::string fresh = JoinPath(dir, "lexical.new");
    RETURN_IF_ERROR(RemoveIndexTree(fresh));
    RETURN_IF_ERROR(search::LexicalIndex::CompactInto(JoinPath(dir, "lexical"), fresh));
    RETURN_IF_ERROR(SwapInIndex(fresh));
  }
  RETURN_IF_ERROR(RecordIndexProgress(last, withdrawn_upto, consent_upto));
  if (max_redaction > redacted_upto) {
    RETURN_IF_ERROR(store_->SetInfo("index.redaction", std::to_string(max_redaction)));
  }
  return Status::Ok();
}

Status Archive::SwapInIndex(const std::string& fresh) {
  std::string dir = JoinPath(dir_, "index");
  std::string live = JoinPath(dir, "lexical"), old = JoinPath(dir, "lexical.old");
  RETURN_IF_ERROR(RemoveIndexTree(old));
  if (env_->FileExists(live)) RETURN_IF_ERROR(env_->RenameFile(live, old));
  RETURN_IF_ERROR(env_->RenameFile(fresh, live));
  RETURN_IF_ERROR(env_->SyncDir(dir));
  return RemoveIndexTree(old);
}

Status Archive::RecordIndexProgress(int64_t segment, int64_t withdrawal_leaf,
                                    int64_t consent_leaf) {
  RETURN_IF_ERROR(store_->SetInfo("index.segment", std::to_string(segment)));
  RETURN_IF_ERROR(store_->SetInfo("index.consent_leaf", std::to_string(consent_leaf)));
  return store_->SetInfo("index.withdrawal_leaf", std::to_string(withdrawal_leaf));
}

Status Archive::RemoveIndexTree(const std::string& d) {
  ASSIGN_OR_RETURN(FileInfo info, env_->Stat(d));
  if (!info.exists) return Status::Ok();
  ASSIGN_OR_RETURN(auto names, env_->ListDir(d));
  for (const auto& n : names) {  // one database per consent level, each a flat directory
    ASSIGN_OR_RETURN(FileInfo sub, env_->Stat(JoinPath(d, n)));
    RETURN_IF_ERROR(sub.is_dir ? RemoveIndexTree(JoinPath(d, n))
                               : env_->RemoveFile(JoinPath(d, n)));
  }
  return env_->RemoveDir(d);
}

Status Archive::Reindex() {
  std::string dir = JoinPath(dir_, "index");
  RETURN_IF_ERROR(env_->CreateDirs(dir));
  ASSIGN_OR_RETURN(auto lock, env_->LockFile(JoinPath(dir, ".lock")));
  std::string fresh = JoinPath(dir, "lexical.new"), live = JoinPath(dir, "lexical"),
              old = JoinPath(dir, "lexical.old");
  RETURN_IF_ERROR(RemoveIndexTree(fresh));
  RETURN_IF_ERROR(RemoveIndexTree(old));
  ASSIGN_OR_RETURN(auto withdrawals, store_->ListWithdrawals());
  ASSIGN_OR_RETURN(auto consent_changes, store_->ConsentChanges("", -1));  // before: see below
  ASSIGN_OR_RETURN(auto names, ListedNames());
  int64_t last = 0;
  {
    ASSIGN_OR_RETURN(auto index, search::LexicalIndex::Open(fresh));
    index->SetNames(names);
    ASSIGN_OR_RETURN(auto redactions, store_->ListRedactions(""));
    RETURN_IF_ERROR(IndexSegments(index.get(), 0, &last, redactions));
    RETURN_IF_ERROR(index->Commit());
  }
  RETURN_IF_ERROR(SwapInIndex(fresh));
  int64_t withdrawn_upto = -1;
  for (const auto& w : withdrawals) {
    withdrawn_upto = std::max<int64_t>(withdrawn_upto, static_cast<int64_t>(w.second));
  }
  RETURN_IF_ERROR(store_->SetInfo("index.format", kIndexFormat));
  RETURN_IF_ERROR(store_->SetInfo("index.names", NamesTag(names)));
  // Changes listed before the segments were read are in the rebuilt index; any later one is
  // beyond this mark, so the next SyncIndex applies it.
  int64_t consent_upto =
      consent_changes.empty() ? -1 : static_cast<int64_t>(consent_changes.back().leaf_index);
  return RecordIndexProgress(last, withdrawn_upto, consent_upto);
}

Status Archive::RebuildSemantic() {
  std::string dir = JoinPath(dir_, "index");
  {
    ASSIGN_OR_RETURN(auto lock, env_->LockFile(JoinPath(dir, ".semantic.lock")));
    RETURN_IF_ERROR(RemoveIndexTree(JoinPath(dir, "semantic")));
  }
  return SyncSemantic();
}

namespace {
// The llama.cpp the embeddings are computed with (third_party/npm-pins.txt), for provenance.
constexpr char kEmbeddingTool[] = "llama.cpp de3ff815ea7d (node-llama-cpp 3.22.1)";
constexpr size_t kEmbedBatch = 32;   // texts embedded at once
constexpr size_t kSaveEvery = 2048;  // segments embedded between saves of the index
}  // namespace

Result<Json> Archive::Config() {
  std::string path = JoinPath(dir_, "config.json");
  if (!env_->FileExists(path)) return Json::object();
  ASSIGN_OR_RETURN(std::string text, env_->ReadFile(path));
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

Result<std::optional<meta::ModelFile>> Archive::EmbeddingModel() {
  ASSIGN_OR_RETURN(auto models, store_->ListModels("embedding"));
  if (models.empty()) return std::optional<meta::ModelFile>();
  return std::optional<meta::ModelFile>(models.front());
}

Status Archive::EmbedSegments(search::SemanticIndex* index, const meta::ModelFile& model,
                              const std::vector<meta::SegmentState>& segments,
                              const std::vector<meta::Redaction>& redactions) {
  std::map<std::string, std::vector<meta::Redaction>> by_record;
  for (const auto& r : redactions) by_record[r.record_id].push_back(r);
  ASSIGN_OR_RETURN(auto passages, RecordsWithPassageLevels());
  for (const auto& id : passages) by_record[id];  // planned as well
  std::map<std::string, RedactionPlan> plans;  // of the records met that have redactions
  for (size_t at = 0; at < segments.size(); at += kEmbedBatch) {
    std::vector<std::string> texts;
    std::vector<const meta::SegmentState*> batch;
    std::vector<meta::Consent> levels;
    for (size_t i = at; i < segments.size() && i < at + kEmbedBatch; ++i) {
      const meta::SegmentState& st = segments[i];
      if (st.superseded || st.effective == meta::Consent::kSealed ||
          st.effective == meta::Consent::kWithdrawn) {
        RETURN_IF_ERROR(index->Remove(st.segment.id));
        continue;
      }
      // A redacted segment is embedded without its hidden words; a held version's at the
      // restricted level (SegmentDocOf).
      auto own = by_record.find(st.segment.record_id);
      meta::Consent level = st.effective;
      if (own == by_record.end()) {
        texts.push_back(st.segment.text);
      } else {
        auto plan = plans.find(st.segment.record_id);
        if (plan == plans.end()) {
          ASSIGN_OR_RETURN(auto record_segments, store_->RecordSegments(st.segment.record_id));
          plan = plans.emplace(st.segment.record_id, PlanRedactions(record_segments, own->second))
                     .first;
        }
        texts.push_back(ApplyRedactions(st, plan->second).text);
        level = plan->second.Level(st);
        if (plan->second.Held(st.segment.version)) {
          level = meta::Strictest(level, meta::Consent::kRestricted);
        }
      }
      batch.push_back(&st);
      levels.push_back(level);
    }
    if (texts.empty()) continue;
    ASSIGN_OR_RETURN(auto vectors, ask_->EmbedPassages(model, texts));
    for (size_t i = 0; i < batch.size(); ++i) {
      RETURN_IF_ERROR(index->Put(batch[i]->segment.id, levels[i], vectors[i]));
    }
  }
  return Status::Ok();
}

Status Archive::SyncSemantic() {
  Status st = FollowSemantic();
  std::string error = st.ok() ? "" : st.ToString();
  ASSIGN_OR_RETURN(auto kept, store_->GetInfo("semantic.error"));
  if (kept.value_or("") != error) RETURN_IF_ERROR(store_->SetInfo("semantic.error", error));
  return st;
}

Status Archive::FollowSemantic() {
  ASSIGN_OR_RETURN(auto model, EmbeddingModel());
  if (!model) return Status::Ok();
  std::string dir = JoinPath(dir_, "index");
  RETURN_IF_ERROR(env_->CreateDirs(dir));
  ASSIGN_OR_RETURN(auto lock, env_->LockFile(JoinPath(dir, ".semantic.lock")));
  std::string sdir = JoinPath(dir, "semantic");
  ASSIGN_OR_RETURN(auto withdrawal_info, store_->GetInfo("semantic.withdrawal_leaf"));
  ASSIGN_OR_RETURN(auto consent_info, store_->GetInfo("semantic.consent_leaf"));
  ASSIGN_OR_RETURN(auto redaction_info, store_->GetInfo("semantic.redaction"));
  ASSIGN_OR_RETURN(auto redactions, store_->ListRedactions(""));
  ASSIGN_OR_RETURN(auto withdrawals, store_->ListWithdrawals());
  {
    // Nothing new since the index was saved: it is left as it is, and the model not loaded.
    auto meta = search::SemanticIndex::ReadMeta(sdir);
    ASSIGN_OR_RETURN(int64_t max_segment, store_->MaxSegmentId());
    ASSIGN_OR_RETURN(auto changes, store_->ConsentChanges("", InfoInt(consent_info, -1)));
    bool pending = !meta.ok() || (*meta)["provenance"].value("model_sha256", "") != model->sha256 ||
                   meta->value("last_segment", int64_t{0}) < max_segment || !changes.empty();
    for (const auto& r : redactions) pending |= r.id > InfoInt(redaction_info, 0);
    for (const auto& w : withdrawals) {
      pending |= static_cast<int64_t>(w.second) > InfoInt(withdrawal_info, -1);
    }
    if (!pending) return Status::Ok();
  }
  ASSIGN_OR_RETURN(size_t dims, ask_->Dims(*model));
  auto opened = search::SemanticIndex::Open(sdir, dims);
  if (!opened.ok() || (*opened)->provenance().value("model_sha256", "") != model->sha256) {
    // Another model (or width), or damage: built anew.
    opened = Status::NotFound("");
    RETURN_IF_ERROR(RemoveIndexTree(sdir));
    for (auto* info : {&withdrawal_info, &consent_info, &redaction_info}) info->reset();
    for (const char* key :
         {"semantic.withdrawal_leaf", "semantic.consent_leaf", "semantic.redaction"}) {
      RETURN_IF_ERROR(store_->SetInfo(key, ""));
    }
    ASSIGN_OR_RETURN(opened, search::SemanticIndex::Open(sdir, dims));
    Json info = Json::parse(model->info, nullptr, false);
    (*opened)->SetProvenance(
        {{"model_sha256", model->sha256},
         {"model_file", model->name},
         {"model_name", info.is_object() ? info.value("name", "") : ""},
         {"dims", dims},
         {"query_prefix", info.is_object() ? info.value("query_prefix", "") : ""},
         {"passage_prefix", info.is_object() ? info.value("passage_prefix", "") : ""},
         {"pooling", "the model's, then unit length"},
         {"tool", kEmbeddingTool},
         {"built", FormatRfc3339(env_->NowMicros())}});
  }
  search::SemanticIndex* index = opened->get();
  int64_t withdrawn_upto = InfoInt(withdrawal_info, -1);
  int64_t consent_upto = InfoInt(consent_info, -1);
  int64_t redacted_upto = InfoInt(redaction_info, 0);

  // New segments, in id order, saved now and then so a crash loses little.
  int64_t last = index->last_segment();
  size_t since_save = 0;
  while (true) {
    ASSIGN_OR_RETURN(auto batch, store_->ScanSegments(last, 256));
    if (batch.empty()) break;
    RETURN_IF_ERROR(EmbedSegments(index, *model, batch, redactions));
    last = batch.back().segment.id;
    index->SetLastSegment(last);
    since_save += batch.size();
    if (since_save >= kSaveEvery) {
      RETURN_IF_ERROR(index->Save());
      since_save = 0;
    }
  }
  // Records whose consent changed or that were redacted: embedded again, at their level now.
  std::set<std::string> again;
  ASSIGN_OR_RETURN(auto consent_changes, store_->ConsentChanges("", consent_upto));
  for (const auto& c : consent_changes) {
    again.insert(c.record_id);
    consent_upto = std::max<int64_t>(consent_upto, static_cast<int64_t>(c.leaf_index));
  }
  int64_t max_redaction = redacted_upto;
  for (const auto& r : redactions) {
    if (r.id > redacted_upto) again.insert(r.record_id);
    max_redaction = std::max(max_redaction, r.id);
  }
  for (const auto& id : again) {
    ASSIGN_OR_RETURN(auto segments, store_->RecordSegments(id));
    RETURN_IF_ERROR(EmbedSegments(index, *model, segments, redactions));
  }
  // Withdrawn records: out.
  for (const auto& w : withdrawals) {
    if (static_cast<int64_t>(w.second) <= withdrawn_upto) continue;
    ASSIGN_OR_RETURN(auto segments, store_->RecordSegments(w.first));
    for (const auto& st : segments) RETURN_IF_ERROR(index->Remove(st.segment.id));
    withdrawn_upto = std::max<int64_t>(withdrawn_upto, static_cast<int64_t>(w.second));
  }
  RETURN_IF_ERROR(index->Save());
  RETURN_IF_ERROR(store_->SetInfo("semantic.withdrawal_leaf", std::to_string(withdrawn_upto)));
  RETURN_IF_ERROR(store_->SetInfo("semantic.consent_leaf", std::to_string(consent_upto)));
  return store_->SetInfo("semantic.redaction", std::to_string(max_redaction));
}

Result<search::SemanticIndex*> Archive::SemanticReader(const meta::ModelFile& model) {
  std::string sdir = JoinPath(dir_, "index/semantic");
  struct stat st;
  if (::stat(JoinPath(sdir, "meta.json").c_str(), &st) != 0) return nullptr;
  std::string stamp = std::to_string(st.st_ino) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                      std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_size);
  if (!semantic_reader_ || stamp != semantic_stamp_) {
    semantic_reader_.reset();
    auto r = search::SemanticIndex::OpenReadOnly(sdir);
    if (!r.ok())
      return r.status().IsNotFound() ? Result<search::SemanticIndex*>(nullptr)
                                     : Result<search::SemanticIndex*>(r.status());
    semantic_reader_ = std::move(*r);
    semantic_stamp_ = stamp;
  }
  if (semantic_reader_->provenance().value("model_sha256", "") != model.sha256) return nullptr;
  return semantic_reader_.get();
}

Result<std::vector<std::string>> Archive::SearchNames() {
  ASSIGN_OR_RETURN(auto names, ListedNames());
  for (const char* kind : {"place", "person"}) {
    ASSIGN_OR_RETURN(auto values, store_->AnnotationValues(kind));
    for (auto& v : values) names.push_back(std::move(v));
  }
  return names;
}

Result<search::LexicalIndex*> Archive::SearchReader() {
  auto index = Reader();
  if (!index.ok() && index.status().IsNotFound()) {
    ASSIGN_OR_RETURN(int64_t segments, store_->MaxSegmentId());
    if (segments == 0) return nullptr;
  }
  return index;
}

Result<search::Results> Archive::Search(search::SearchRequest request) {
  RETURN_IF_ERROR(search::ParseQuery(request.query).status());  // bad queries are named first
  ASSIGN_OR_RETURN(auto names, SearchNames());
  request.names.insert(request.names.end(), names.begin(), names.end());
  ASSIGN_OR_RETURN(search::LexicalIndex * index, SearchReader());
  if (!index) return search::Results();
  return index->Search(request);
}

Result<const search::Translator*> AskResources::GetTranslator() {
  std::lock_guard<std::mutex> l(mu_);
  if (!translator_) {
    ASSIGN_OR_RETURN(translator_, search::Translator::Load(dict_dir_));
  }
  return translator_.get();
}

Result<search::Retrieved> Archive::Retrieve(search::RetrieveRequest request) {
  ASSIGN_OR_RETURN(auto names, SearchNames());
  request.names.insert(request.names.end(), names.begin(), names.end());
  ASSIGN_OR_RETURN(search::LexicalIndex * index, SearchReader());
  if (!index) {
    RETURN_IF_ERROR(search::CheckRetrieveRequest(request));  // bad questions are still named
    return search::Retrieved();
  }
  ASSIGN_OR_RETURN(const search::Translator* translator, ask_->GetTranslator());
  search::SemanticSearch semantic;
  ASSIGN_OR_RETURN(auto model, EmbeddingModel());
  if (model) {
    ASSIGN_OR_RETURN(search::SemanticIndex * reader, SemanticReader(*model));
    if (reader) {
      semantic = [this, reader, m = *model](std::string_view question, search::Role role,
                                            size_t k) -> Result<std::vector<int64_t>> {
        // A model that cannot be read now leaves the semantic path out of this answer (which
        // then says so), rather than failing it.
        auto q = ask_->EmbedQuery(m, question);
        if (!q.ok()) return std::vector<int64_t>();
        return reader->Search(*q, role, k);
      };
    }
  }
  return search::Retrieve(index, translator, semantic, request);
}

Status AskResources::LoadLocked(const meta::ModelFile& model) {
  if (embedder_ && embedder_sha256_ == model.sha256) return Status::Ok();
  embedder_.reset();
  Json info = Json::parse(model.info, nullptr, false);
  search::EmbedderOptions options;
  if (info.is_object()) {
    options.query_prefix = info.value("query_prefix", "");
    options.passage_prefix = info.value("passage_prefix", "");
  }
  auto e = search::Embedder::Load(model.path, options);
  if (!e.ok()) {
    return Status(e.status().code(), "the registered embedding model " +
                                         model.sha256.substr(0, 12) + " (" + model.path +
                                         "): " + e.status().message());
  }
  embedder_ = std::move(*e);
  embedder_sha256_ = model.sha256;
  return Status::Ok();
}

Result<size_t> AskResources::Dims(const meta::ModelFile& model) {
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(LoadLocked(model));
  return embedder_->dims();
}

Result<std::vector<std::vector<float>>> AskResources::EmbedPassages(
    const meta::ModelFile& model, const std::vector<std::string>& texts) {
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(LoadLocked(model));
  return embedder_->EmbedPassages(texts);
}

Result<std::vector<float>> AskResources::EmbedQuery(const meta::ModelFile& model,
                                                    std::string_view question) {
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(LoadLocked(model));
  return embedder_->EmbedQuery(question);
}

Result<search::LexicalIndex*> Archive::Reader() {
  std::string dir = JoinPath(dir_, "index/lexical");
  struct stat st;
  uint64_t inode = ::stat(dir.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
  if (reader_ && inode == reader_inode_ && reader_->Reopen().ok()) return reader_.get();
  reader_.reset();
  ASSIGN_OR_RETURN(reader_, search::LexicalIndex::OpenReadOnly(dir));
  reader_inode_ = inode;
  if (search_cache_) reader_->ShareCache(search_cache_);
  return reader_.get();
}

void Archive::ShareSearchCache(std::shared_ptr<search::ResultCache> cache) {
  search_cache_ = std::move(cache);
  if (reader_) reader_->ShareCache(search_cache_);
}

Result<std::vector<search::Suggestion>> Archive::Suggest(std::string_view prefix, search::Role role,
                                                         size_t limit) {
  auto index = Reader();
  if (!index.ok() && index.status().IsNotFound()) return std::vector<search::Suggestion>();
  if (!index.ok()) return index.status();
  return (*index)->Suggest(prefix, role, limit);
}

Status Archive::AddName(const std::string& name, const std::string& kind) {
  RETURN_IF_ERROR(ValidateName(name, kind));
  RETURN_IF_ERROR(store_->AddName(name, kind, Now(env_)));
  return SyncIndex();  // the text is indexed anew with the name marked where it is spelled
}

Result<bool> Archive::RemoveName(const std::string& name) {
  ASSIGN_OR_RETURN(bool removed, store_->RemoveName(name));
  if (removed) RETURN_IF_ERROR(SyncIndex());
  return removed;
}

Result<std::vector<std::string>> Archive::ListedNames() {
  ASSIGN_OR_RETURN(auto listed, store_->ListNames());
  std::vector<std::string> out;
  for (auto& [name, kind] : listed) out.push_back(std::move(name));
  return out;
}

std::string Archive::NamesTag(const std::vector<std::string>& names) {
  std::string all;
  for (const auto& n : names) all += n + '\n';  // ListNames is sorted
  return ToHex(Sha256(all));
}

Result<meta::Record> Archive::Get(const std::string& id) { return store_->GetRecord(id); }

Result<std::vector<meta::Record>> Archive::List() { return store_->ListRecords(); }

Result<meta::Withdrawal> Archive::Withdraw(const std::string& id, const std::string& reason,
                                           const std::string& by) {
  if (reason.empty()) return Status::InvalidArgument("a withdrawal needs a reason (--reason)");
  if (!IsValidUtf8(reason)) return Status::InvalidArgument("--reason is not valid UTF-8");
  std::string now = Now(env_);
  // The withdraw leaf commits to the record under its salt, which the store erases in the
  // transaction that sequences the leaf (doc/format/leaf.md): read it first. Once withdrawn,
  // the salt is gone and no leaf is built.
  ASSIGN_OR_RETURN(meta::Record record, store_->GetRecord(id));
  ASSIGN_OR_RETURN(meta::Withdrawal w,
                   store_->Withdraw(id, CleanText(reason, TextLayout::kLines), now,
                                    [&](int last) -> Result<std::string> {
                     return BuildLeaf({"withdraw", id, last, "", now}, record.salt);
                   }));
  RETURN_IF_ERROR(Integrate());
  if (!w.already_withdrawn) {
    RETURN_IF_ERROR(store_->Audit({0, now, by, "withdraw", id, "", "", ""}).status());
  }
  for (const auto& sha : w.blobs_to_erase) RETURN_IF_ERROR(blobs_->Remove(sha));
  RETURN_IF_ERROR(SyncIndex());  // removes its segments and compacts the index without them
  RETURN_IF_ERROR(store_->ScrubDeleted());
  // Its rows are cleared; the key that sealed them goes too, so copies of the database made
  // before (backups) hold its words only as noise.
  RETURN_IF_ERROR(record_keys_->Destroy(id));
  return w;
}

Result<meta::Version> Archive::EditMetadata(const std::string& id, const Json& given) {
  if (!given.is_object()) return Status::InvalidArgument("the metadata must be a JSON object");
  const Json meta = CleanMetadata(given);
  ASSIGN_OR_RETURN(std::string canon, CanonicalJson(meta));
  if (canon.size() > 65536) {
    return Status::InvalidArgument("the metadata must be at most 64 KiB of canonical JSON");
  }
  RETURN_IF_ERROR(log_->CheckAppendable());
  ASSIGN_OR_RETURN(meta::Record r, store_->GetRecord(id));
  if (r.withdrawn_at) {
    return Status::Conflict("record '" + id + "' is withdrawn: it has no metadata to edit");
  }
  // The newest version a person gave (not one a tool derived): its files stay, its private
  // object gets the new metadata.
  const meta::Version* original = nullptr;
  for (const auto& v : r.versions) {
    auto m = ParseJson(v.manifest, "manifest");
    if (m.ok() && !m->contains("derived")) original = &v;
  }
  if (!original) return Status::Corruption("record '" + id + "' has no original version");
  ASSIGN_OR_RETURN(Json priv, ParseJson(original->private_json, "private metadata"));
  if (!priv.is_object()) return Status::Corruption("record '" + id + "' has bad private metadata");
  if (priv.value("meta", Json::object()) == meta) {
    return Status::InvalidArgument("the metadata is the same as the record's now");
  }
  priv["meta"] = meta;
  std::string now = Now(env_);
  meta::AddRequest req;
  req.create = false;
  req.record_id = id;
  req.build = [&](int version, const std::string& salt, uint64_t) -> Result<meta::NewVersion> {
    ManifestFields mf;
    mf.record = id;
    mf.version = version;
    mf.collection = r.collection_id;
    mf.witness = r.witness_id;
    mf.consent = r.consent;
    mf.lang = original->lang;
    mf.created = now;
    mf.blobs = original->blobs;
    // The same files: their text, transcripts and index entries stay those already made.
    return SealVersion(mf, priv, salt, "revise");
  };
  ASSIGN_OR_RETURN(auto versions, store_->AddVersions({req}));
  RETURN_IF_ERROR(Integrate());
  return versions[0];
}

namespace {

// What a consent form is, from its first bytes: the types a browser shows, or bytes.
std::string FormMime(std::string_view head) {
  if (head.rfind("%PDF-", 0) == 0) return "application/pdf";
  if (head.rfind("\x89PNG\r\n\x1a\n", 0) == 0) return "image/png";
  if (head.rfind("\xFF\xD8\xFF", 0) == 0) return "image/jpeg";
  if (head.rfind("II*\0", 0) == 0 || head.rfind("MM\0*", 0) == 0) return "image/tiff";
  if (IsValidUtf8(head.substr(0, head.size() > 3 ? head.size() - 3 : head.size()))) {
    return "text/plain; charset=utf-8";
  }
  return "application/octet-stream";
}

}  // namespace

Result<meta::WitnessForm> Archive::AttachConsentForm(const std::string& witness_id,
                                                     const std::string& path,
                                                     const std::string& by) {
  if (!IsValidId(witness_id)) {
    return Status::InvalidArgument("witness '" + witness_id +
                                   "' must be 1-64 letters, digits, '.', '_' or '-'");
  }
  RETURN_IF_ERROR(CheckFile(path));
  ASSIGN_OR_RETURN(blob::BlobInfo info, blobs_->PutFile(path, /*encrypt=*/true));
  // The same bytes stored before in the clear (another record's file) are encrypted now: a
  // consent form is restricted wherever else its bytes appear.
  RETURN_IF_ERROR(blobs_->Encrypt(info.sha256));
  std::string head(512, '\0');
  {
    ASSIGN_OR_RETURN(auto f, blobs_->Open(info.sha256));
    ASSIGN_OR_RETURN(size_t n, f->Read(head.size(), head.data()));
    head.resize(n);
  }
  meta::WitnessForm form;
  form.witness_id = witness_id;
  form.sha256 = info.sha256;
  form.size = info.size;
  form.mime = FormMime(head);
  form.file_name = CleanText(BaseName(path), TextLayout::kOneLine);
  form.added = Now(env_);
  form.added_by = by;
  ASSIGN_OR_RETURN(form.id, store_->AddWitnessForm(form));
  RETURN_IF_ERROR(
      store_
          ->Audit({0, form.added, by, "form.add", witness_id,
                   *CanonicalJson({{"form", form.id}, {"sha256", form.sha256}}), "", ""})
          .status());
  return form;
}

Status Archive::AuditView(const std::string& actor, const std::string& target, const Json& detail) {
  ASSIGN_OR_RETURN(std::string canon, CanonicalJson(detail));
  return store_->Audit({0, Now(env_), actor, "view", target, canon, "", ""}).status();
}

Status Archive::SetWitness(const meta::Witness& w) {
  if (!IsValidId(w.id)) {
    return Status::InvalidArgument("witness '" + w.id +
                                   "' must be 1-64 letters, digits, '.', '_' or '-'");
  }
  for (const auto& [what, value] : {std::pair<const char*, const std::string*>{"--name", &w.name},
                                    {"--community", &w.community}}) {
    if (!IsValidUtf8(*value) || value->size() > 200) {
      return Status::InvalidArgument(std::string(what) + " must be at most 200 bytes of UTF-8");
    }
  }
  if (!w.languages.empty()) {
    std::string_view rest(w.languages);
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string tag(rest.substr(0, comma));
      if (!IsValidLang(tag)) {
        return Status::InvalidArgument("--languages: '" + tag +
                                       "' is not a language tag such as he, ar, en or fr");
      }
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return store_->SetWitness(w, Now(env_));
}

Result<std::optional<meta::ConsentChange>> Archive::ChangeConsent(
    const std::string& id, meta::Consent to, const std::string& reason, const std::string& by,
    const Seal* seal, int64_t segment_id) {
  if (to == meta::Consent::kWithdrawn) {
    return Status::InvalidArgument(
        "withdrawal is not a change of level: it erases the record (attest withdraw)");
  }
  if (reason.empty()) return Status::InvalidArgument("a change of consent needs a reason");
  if (!IsValidUtf8(reason) || reason.size() > 4096) {
    return Status::InvalidArgument("the reason must be at most 4,096 bytes of UTF-8");
  }
  std::string now = Now(env_);
  meta::ConsentChange change;
  change.record_id = id;
  change.to = to;
  change.reason = CleanText(reason, TextLayout::kLines);
  change.by = by;
  change.segment_id = segment_id;
  if (segment_id < 0) return Status::InvalidArgument("a segment id is a positive number");
  if (segment_id > 0 && (seal || to == meta::Consent::kSealed)) {
    return Status::InvalidArgument("a seal applies to a whole record, not to one segment");
  }
  if (to == meta::Consent::kSealed) {
    if (!seal) {
      return Status::InvalidArgument(
          "a seal needs the day it opens and the level it opens to (--until, --then)");
    }
    auto day = search::ParseDateRange(seal->until, "--until");
    if (!day.ok() || day->from != day->to || day->from != seal->until) {
      return Status::InvalidArgument("--until '" + seal->until +
                                     "' must be one day, YYYY-MM-DD (UTC)");
    }
    if (seal->until <= now.substr(0, 10)) {
      return Status::InvalidArgument("--until " + seal->until +
                                     " is not in the future: a seal opens on a later day");
    }
    if (seal->then != meta::Consent::kPublic && seal->then != meta::Consent::kResearch &&
        seal->then != meta::Consent::kRestricted) {
      return Status::InvalidArgument("--then must be public, research or restricted");
    }
    change.until = seal->until;
    change.then = seal->then;
  } else if (seal) {
    return Status::InvalidArgument("--until and --then belong to a seal only");
  }
  // The leaf commits to the record and segment under the record's salt (doc/format/leaf.md).
  // A withdrawn record has none, and the store refuses to change it.
  ASSIGN_OR_RETURN(meta::Record record, store_->GetRecord(id));
  ASSIGN_OR_RETURN(
      auto done, store_->ChangeConsent(change, now, [&](int version, const std::string& manifest) {
        return BuildLeaf({"consent", id, version, manifest, now, meta::ConsentName(to),
                          change.until, segment_id},
                         record.salt);
      }));
  // Narrowed to restricted or sealed: the record's files are encrypted in place (also when the
  // level was already this, so a change interrupted after its commit is finished by its repeat).
  if (segment_id == 0 && EncryptsFiles(to)) RETURN_IF_ERROR(SealRecord(id));
  if (!done) return done;
  RETURN_IF_ERROR(Integrate());
  RETURN_IF_ERROR(SyncIndex());
  return done;
}

Status Archive::SealRecord(const std::string& id) {
  RETURN_IF_ERROR(store_->SealRecordText(id));
  ASSIGN_OR_RETURN(meta::Record r, store_->GetRecord(id));
  for (const meta::Version& v : r.versions) {
    for (const meta::BlobRef& b : v.blobs) {
      // A file another live record also holds keeps that record's terms.
      ASSIGN_OR_RETURN(auto uses, store_->FindBlob(b.sha256));
      bool own = std::all_of(uses.begin(), uses.end(),
                             [&](const meta::BlobUse& u) { return u.record_id == id; });
      if (own) RETURN_IF_ERROR(blobs_->Encrypt(b.sha256));
    }
  }
  return Status::Ok();
}

Status Archive::OpenDueSeals() {
  // A seal is always set to open on a later day than the one it is set on, so once a day has
  // been found with nothing due, nothing can come due until the next day: the server asks
  // before every request, and this keeps that to one query a day.
  std::string today = Now(env_).substr(0, 10);
  if (today == no_seals_due_on_) return Status::Ok();
  ASSIGN_OR_RETURN(auto due, store_->DueSeals(today));
  if (due.empty()) no_seals_due_on_ = today;
  for (const auto& s : due) {
    // Another process may open it at the same moment: the second change finds the level set
    // and does nothing.
    RETURN_IF_ERROR(ChangeConsent(s.record_id, s.then,
                                  "sealed until " + s.until + ": opened on its day", "seal")
                        .status());
  }
  return Status::Ok();
}

Result<std::vector<meta::ConsentChange>> Archive::ConsentHistory(const std::string& id) {
  return store_->ConsentChanges(id, -1);
}

Result<tlog::SignedCheckpoint> Archive::Checkpoint() { return log_->Latest(); }

Result<Proof> Archive::Prove(const std::string& id, std::optional<int> version) {
  ASSIGN_OR_RETURN(meta::Record r, store_->GetRecord(id));
  if (r.versions.empty()) return Status::Corruption("record '" + id + "' has no versions");
  const meta::Version* v = &r.versions.back();
  if (version) {
    v = nullptr;
    for (const auto& x : r.versions) {
      if (x.version == *version) v = &x;
    }
    if (!v) {
      return Status::NotFound("record '" + id + "' has no version " + std::to_string(*version) +
                              " (it has " + std::to_string(r.versions.size()) + ")");
    }
  }
  ASSIGN_OR_RETURN(tlog::SignedCheckpoint cp, log_->Latest());
  Proof p;
  p.checkpoint = cp.note;
  p.leaf_index = v->leaf_index;
  ASSIGN_OR_RETURN(p.leaf, log_->ReadLeaf(v->leaf_index, cp.checkpoint.size));
  ASSIGN_OR_RETURN(p.inclusion_proof, log_->InclusionProof(v->leaf_index, cp.checkpoint.size));
  p.manifest = v->manifest;
  p.record = id;
  p.version = v->version;
  p.withdrawn_leaf_index = r.withdraw_leaf_index;
  return p;
}

Result<Consistency> Archive::ProveConsistency(uint64_t old_size, std::optional<uint64_t> new_size) {
  ASSIGN_OR_RETURN(tlog::SignedCheckpoint cp, log_->Latest());
  uint64_t n = new_size.value_or(cp.checkpoint.size);
  if (n > cp.checkpoint.size) {
    return Status::InvalidArgument("--to " + std::to_string(n) + " is beyond the log's size " +
                                   std::to_string(cp.checkpoint.size));
  }
  if (old_size > n) {
    return Status::InvalidArgument("--from " + std::to_string(old_size) + " is beyond --to " +
                                   std::to_string(n));
  }
  Consistency c;
  c.checkpoint = cp.note;
  c.old_size = old_size;
  c.new_size = n;
  ASSIGN_OR_RETURN(c.proof, log_->ConsistencyProof(old_size, n));
  if (n != cp.checkpoint.size) {
    ASSIGN_OR_RETURN(c.new_root, log_->RootAt(n));
  }
  return c;
}

Result<VerifyReport> Archive::Verify() {
  VerifyReport rep;
  auto problem = [&](std::string kind, std::string record, int version, std::string blob,
                     std::string detail) {
    rep.problems.push_back(
        {std::move(kind), std::move(record), version, std::move(blob), std::move(detail)});
  };
  if (Status st = store_->CheckIntegrity(); !st.ok()) problem("database", "", 0, "", st.message());
  auto cp = log_->Latest();
  if (!cp.ok()) {
    problem("checkpoint", "", 0, "", cp.status().message());
    return rep;
  }
  rep.log_size = cp->checkpoint.size;
  rep.root = Base64Encode(cp->checkpoint.root);
  ASSIGN_OR_RETURN(uint64_t sequenced, store_->LeafCount());
  if (sequenced != rep.log_size) {
    problem("log", "", 0, "",
            "the database has sequenced " + std::to_string(sequenced) +
                " leaves but the signed checkpoint covers " + std::to_string(rep.log_size));
  }

  // The database's leaves, read in windows (both passes below walk them in order).
  std::vector<std::string> window;
  uint64_t window_start = 0;
  auto leaf_at = [&](uint64_t i) -> Result<const std::string*> {
    if (i < window_start || i >= window_start + window.size()) {
      ASSIGN_OR_RETURN(window, store_->Leaves(i, kBatch));
      window_start = i;
      if (window.empty()) return Status::Corruption("leaf " + std::to_string(i) + " is missing");
    }
    return &window[i - window_start];
  };

  // 1. The tiles re-derive to the signed root, and each leaf in them is the database's.
  uint64_t leaf_mismatches = 0;
  Status audit =
      log_->Audit(rep.log_size, cp->checkpoint.root, [&](uint64_t i, const std::string& leaf) {
        auto db_leaf = leaf_at(i);
        if (!db_leaf.ok() || **db_leaf != leaf) {
          if (++leaf_mismatches <= 20) {
            problem("leaf", "", 0, "",
                    "log leaf " + std::to_string(i) + " differs from the database's statement");
          }
        }
      });
  if (!audit.ok()) problem("log", "", 0, "", audit.message());
  if (leaf_mismatches > 20) {
    problem("leaf", "", 0, "", std::to_string(leaf_mismatches - 20) + " more leaves differ");
  }

  // The audit log's chain (doc/format/metadata.md, "The audit log"): the first entry that
  // does not follow the one before is named.
  {
    ASSIGN_OR_RETURN(auto audit, store_->ListAudit("", ""));
    std::string prev = meta::kAuditGenesis;
    int64_t expect = 1;
    for (const auto& e : audit) {
      std::string why = e.id != expect                 ? "its number does not follow"
                        : e.prev_hash != prev          ? "it does not name the entry before"
                        : meta::AuditHash(e) != e.hash ? "its content does not match its hash"
                                                       : "";
      if (!why.empty()) {
        problem("audit", "", 0, "",
                "audit entry " + std::to_string(e.id) +
                    " was altered, inserted or an entry "
                    "before it removed: " +
                    why);
        break;
      }
      prev = e.hash;
      ++expect;
    }
  }

  // 2. Every version: its manifest, its leaf, its private commitment, its blobs. Leaves come
  // from the database: step 1 showed they are the tiles' leaves.
  std::map<std::string, bool> blob_ok;  // sha256 -> verified intact
  // What ties a record's leaves to it (doc/format/leaf.md): a v1 leaf names it; a v2 leaf's
  // rc is recomputed with the record's salt, or, once the salt is gone (withdrawn), must be the
  // one rc its other v2 leaves carry (the first seen fixes it: a version leaf, which its
  // manifest ties to the record, unless all its versions were logged as v1).
  struct RecordLeaves {
    std::string salt;  // empty once withdrawn
    std::string rc;
    int last_version = 0;
  };
  std::map<std::string, RecordLeaves> of_records;
  auto is_of_record = [&](const LeafFields& leaf, const std::string& record) {
    if (leaf.format == 1) return leaf.record == record;
    RecordLeaves& r = of_records[record];
    if (r.rc.empty()) r.rc = r.salt.empty() ? leaf.record_commitment : CommitRecord(r.salt, record);
    return leaf.record_commitment == r.rc;
  };
  auto is_of_segment = [&](const LeafFields& leaf, const std::string& record, int64_t segment) {
    if (leaf.format == 1) return leaf.segment == segment;
    if (segment == 0) return leaf.segment_commitment.empty();
    const std::string& salt = of_records[record].salt;
    return salt.empty() ? !leaf.segment_commitment.empty()
                        : leaf.segment_commitment == CommitSegment(salt, segment);
  };
  ASSIGN_OR_RETURN(rep.records, store_->RecordCount());
  uint64_t claimed = 0;
  for (uint64_t from = 0;;) {
    ASSIGN_OR_RETURN(auto batch, store_->ScanVersions(from, 10000));
    if (batch.empty()) break;
    from = batch.back().version.leaf_index + 1;
    for (const meta::VersionState& vs : batch) {
      const meta::Version& v = vs.version;
      ++rep.versions;
      ++claimed;
      auto bad = [&](std::string kind, std::string detail, std::string blob = "") {
        problem(std::move(kind), v.record_id, v.version, std::move(blob), std::move(detail));
      };
      if (ToHex(Sha256(v.manifest)) != v.manifest_sha256) {
        bad("manifest", "the stored manifest does not hash to its recorded SHA-256");
      }
      RecordLeaves& of_record = of_records[v.record_id];
      of_record.salt = vs.salt;
      of_record.last_version = std::max(of_record.last_version, v.version);
      if (v.leaf_index >= rep.log_size) {
        bad("leaf", "its leaf " + std::to_string(v.leaf_index) + " is not in the signed log");
        continue;
      }
      auto leaf_bytes = leaf_at(v.leaf_index);
      if (!leaf_bytes.ok()) {
        bad("log", leaf_bytes.status().message());
        continue;
      }
      auto leaf = ParseLeaf(**leaf_bytes);
      if (!leaf.ok()) {
        bad("leaf", leaf.status().message());
      } else if (!is_of_record(*leaf, v.record_id)) {
        bad("leaf", "log leaf " + std::to_string(v.leaf_index) +
                        (leaf->format == 1 ? " names another record"
                                           : " commits to another record (its rc differs)"));
      } else if (leaf->version != v.version || leaf->manifest_sha256 != ToHex(Sha256(v.manifest))) {
        bad("leaf", "log leaf " + std::to_string(v.leaf_index) +
                        " does not commit to this version's manifest");
      }
      auto manifest = ParseJson(v.manifest, "manifest");
      if (!manifest.ok() || !manifest->is_object() ||
          StringMember(*manifest, "record") != v.record_id ||
          IntMember(*manifest, "version", -1) != v.version || !manifest->contains("blobs") ||
          !(*manifest)["blobs"].is_array()) {
        bad("manifest", "the manifest does not describe this record version");
        continue;
      }
      std::vector<meta::BlobRef> blobs;
      for (const auto& b : (*manifest)["blobs"]) {
        if (!b.is_object() || !b.contains("sha256") || !b["sha256"].is_string() ||
            !IsSha256Hex(b["sha256"].get<std::string>()) || !b.contains("size") ||
            !b["size"].is_number_unsigned()) {
          bad("manifest", "the manifest lists a blob without a valid sha256 and size");
          continue;
        }
        blobs.push_back({StringMember(b, "role"), b["sha256"], b["size"].get<uint64_t>()});
      }
      if (vs.withdrawn) {
        if (std::find(rep.withdrawn.begin(), rep.withdrawn.end(), v.record_id) ==
            rep.withdrawn.end()) {
          rep.withdrawn.push_back(v.record_id);
        }
        for (const meta::BlobRef& b : blobs) {
          auto live = store_->BlobIsLive(b.sha256);
          if (live.ok() && !*live && blobs_->Stat(b.sha256).ok()) {
            bad("withdrawal",
                "the withdrawn record's blob is still stored; run attest withdraw " + v.record_id +
                    " again to finish erasing it",
                b.sha256);
          }
        }
        continue;  // content erased on purpose; the commitment was checked above
      }
      // The private metadata is stored in the canonical form that was committed to.
      if (ToHex(HmacSha256(vs.salt, v.private_json)) != StringMember(*manifest, "private")) {
        bad("metadata", "the private metadata differs from what the manifest committed to");
      }
      for (const meta::BlobRef& b : blobs) {
        auto it = blob_ok.find(b.sha256);
        if (it == blob_ok.end()) {
          auto res = blobs_->Verify(b.sha256);
          ++rep.blobs_checked;
          if (res.ok()) {
            rep.bytes_hashed += res->size;
            if (res->size != b.size) {
              res = Status::Corruption("blob " + b.sha256 + " has " + std::to_string(res->size) +
                                       " bytes, not " + std::to_string(b.size));
            }
          }
          it = blob_ok.emplace(b.sha256, res.ok()).first;
          if (!res.ok()) {
            bad("blob",
                (res.status().IsNotFound() ? "missing: " : "damaged: ") + res.status().message(),
                b.sha256);
          }
        } else if (!it->second) {
          bad("blob", "blob " + b.sha256 + " is damaged or missing (shared with another record)",
              b.sha256);
        }
      }
    }
  }
  ASSIGN_OR_RETURN(auto withdrawals, store_->ListWithdrawals());
  for (const auto& [record, idx] : withdrawals) {
    ++claimed;
    auto leaf_bytes = leaf_at(idx);
    auto leaf = leaf_bytes.ok() ? ParseLeaf(**leaf_bytes) : Result<LeafFields>(leaf_bytes.status());
    if (!leaf.ok() || leaf->kind != "withdraw" || !is_of_record(*leaf, record) ||
        leaf->version != of_records[record].last_version) {
      problem(
          "leaf", record, 0, "",
          "the withdrawal's log leaf " + std::to_string(idx) + " does not state this withdrawal");
    }
  }
  ASSIGN_OR_RETURN(auto consent_changes, store_->ConsentChanges("", -1));
  for (const auto& c : consent_changes) {
    ++claimed;
    auto leaf_bytes = leaf_at(c.leaf_index);
    auto leaf = leaf_bytes.ok() ? ParseLeaf(**leaf_bytes) : Result<LeafFields>(leaf_bytes.status());
    if (!leaf.ok() || leaf->kind != "consent" || !is_of_record(*leaf, c.record_id) ||
        leaf->consent != meta::ConsentName(c.to) ||
        !is_of_segment(*leaf, c.record_id, c.segment_id)) {
      problem("leaf", c.record_id, 0, "",
              "the consent change's log leaf " + std::to_string(c.leaf_index) +
                  " does not state this change");
    }
  }
  if (claimed != rep.log_size) {
    problem("log", "", 0, "",
            std::to_string(rep.log_size) + " leaves are logged but the database accounts for " +
                std::to_string(claimed));
  }
  // Blobs of withdrawn records must be gone; stored blobs nobody names are counted.
  auto stored = blobs_->List();
  if (stored.ok()) {
    for (const auto& sha : *stored) {
      if (blob_ok.count(sha)) continue;
      auto live = store_->BlobIsLive(sha);
      if (live.ok() && !*live) ++rep.unreferenced_blobs;
    }
  }
  std::sort(rep.withdrawn.begin(), rep.withdrawn.end());
  rep.ok = rep.problems.empty();
  return rep;
}

static Json VersionJson(const meta::Version& v) {
  Json blobs = Json::array();
  for (const auto& b : v.blobs) {
    blobs.push_back({{"role", b.role}, {"sha256", b.sha256}, {"size", b.size}});
  }
  return {{"version", v.version},
          {"lang", v.lang},
          {"created", v.created},
          {"leaf_index", v.leaf_index},
          {"manifest_sha256", v.manifest_sha256},
          {"blobs", blobs}};
}

std::string FileSource::Describe() const {
  if (file_name.empty() && manifest.empty()) return "";
  std::string out = file_name;
  if (!manifest.empty()) {
    out += (out.empty() ? "(" : " (") + manifest + ":" + std::to_string(line) + ")";
  }
  return out;
}

Json FileSource::ToJson() const {
  Json out = Json::object();
  if (!file_name.empty()) out["file"] = file_name;
  if (!manifest.empty()) {
    out["manifest"] = manifest;
    out["line"] = line;
  }
  return out;
}

FileSource SourceOf(const meta::Version& v) {
  FileSource s;
  if (v.private_json.empty()) return s;
  Json p = Json::parse(v.private_json, nullptr, false);
  if (!p.is_object()) return s;
  s.file_name = StringMember(p, "file_name");
  if (p.contains("import") && p["import"].is_object()) {
    const Json& i = p["import"];
    s.manifest = StringMember(i, "manifest");
    if (i.contains("line") && i["line"].is_number_integer()) s.line = i["line"].get<int>();
  }
  return s;
}

Json ConsentChangesToJson(const std::vector<meta::ConsentChange>& changes, bool with_private,
                          const std::function<std::string(int64_t)>& segment_ref) {
  Json out = Json::array();
  for (const auto& c : changes) {
    Json j = {{"from", meta::ConsentName(c.from)},
              {"to", meta::ConsentName(c.to)},
              {"at", c.at},
              {"leaf_index", c.leaf_index}};
    if (c.segment_id > 0) {  // one passage's own level
      if (!segment_ref) {
        j["segment"] = c.segment_id;
      } else if (std::string ref = segment_ref(c.segment_id); !ref.empty()) {
        j["segment"] = ref;
      } else {
        j["passage"] = true;  // a passage the caller may not read: not named
      }
    }
    if (with_private) {
      j["reason"] = c.reason;
      j["by"] = c.by;
    }
    out.push_back(std::move(j));
  }
  return out;
}

Json RecordToJson(const meta::Record& r) {
  Json versions = Json::array();
  for (const auto& v : r.versions) versions.push_back(VersionJson(v));
  Json j = {{"id", r.id},
            {"collection", r.collection_id},
            {"witness", r.witness_id},
            {"consent", meta::ConsentName(r.consent)},
            {"created", r.created},
            {"versions", versions}};
  if (r.withdrawn_at) {
    j["withdrawn_at"] = *r.withdrawn_at;
    if (r.withdraw_leaf_index) j["withdraw_leaf_index"] = *r.withdraw_leaf_index;
  }
  return j;
}

Json SearchResultsToJson(const search::Results& r,
                         const std::function<std::string(int64_t)>& segment_ref) {
  // Built by moving each part into place: a search page is built for every request.
  Json records = Json::array();
  for (const auto& g : r.records) {
    Json hits = Json::array();
    for (const auto& h : g.hits) {
      Json marks = Json::array(), chars = Json::array();
      for (const auto& [s, e] : h.highlights) marks.push_back(Json::array({s, e}));
      for (const auto& [s, e] : h.char_ranges) chars.push_back(Json::array({s, e}));
      Json j = Json::object();
      if (segment_ref) {
        j["segment"] = segment_ref(h.segment_id);
      } else {
        j["segment"] = h.segment_id;
      }
      j["version"] = h.version;
      j["lang"] = h.lang;
      j["snippet"] = h.snippet;
      j["highlights"] = std::move(marks);
      if (!segment_ref) j["chars"] = std::move(chars);
      if (h.start_ms >= 0) {
        j["start_ms"] = h.start_ms;
        j["end_ms"] = h.end_ms;
      }
      if (h.page >= 0) j["page"] = h.page;
      hits.push_back(std::move(j));
    }
    Json group = Json::object();
    group["record"] = g.record_id;
    group["witness"] = g.witness_id;
    group["collection"] = g.collection_id;
    group["matching_segments"] = g.matching_segments;
    group["segments"] = std::move(hits);
    records.push_back(std::move(group));
  }
  Json facets = Json::object();
  facets["lang"] = r.lang_facets;
  facets["collection"] = r.collection_facets;
  facets["place"] = r.place_facets;
  facets["month"] = r.month_facets;
  Json out = Json::object();
  out["total_estimate"] = r.total_estimate;
  out["records_estimate"] = r.records_estimate;
  out["counts_exact"] = r.counts_exact;
  out["facet_sample"] = r.facet_sample;
  out["records"] = std::move(records);
  out["facets"] = std::move(facets);
  if (!r.next_cursor.empty()) out["next_cursor"] = r.next_cursor;
  return out;
}

Json VerifyReport::ToJson() const {
  Json problems_json = Json::array();
  for (const auto& p : problems) {
    Json j = {{"kind", p.kind}, {"detail", p.detail}};
    if (!p.record.empty()) j["record"] = p.record;
    if (p.version) j["version"] = p.version;
    if (!p.blob.empty()) j["blob"] = p.blob;
    problems_json.push_back(j);
  }
  return {{"ok", ok},
          {"log_size", log_size},
          {"root", root},
          {"records", records},
          {"versions", versions},
          {"blobs_checked", blobs_checked},
          {"bytes_hashed", bytes_hashed},
          {"withdrawn", withdrawn},
          {"unreferenced_blobs", unreferenced_blobs},
          {"problems", problems_json}};
}

Json Proof::ToJson() const {
  Json j = {{"checkpoint", checkpoint},
            {"leaf_index", leaf_index},
            {"leaf", Base64Encode(leaf)},
            {"inclusion_proof", B64s(inclusion_proof)},
            {"manifest", Base64Encode(manifest)},
            {"record", record},
            {"version", version}};
  if (withdrawn_leaf_index) j["withdrawn_leaf_index"] = *withdrawn_leaf_index;
  return j;
}

Json Consistency::ToJson() const {
  Json j = {{"checkpoint", checkpoint},
            {"old_size", old_size},
            {"new_size", new_size},
            {"consistency_proof", B64s(proof)}};
  if (new_root) j["new_root"] = Base64Encode(*new_root);
  return j;
}

Json ProofCheck::ToJson() const {
  return {{"ok", true},
          {"record", record},
          {"version", version},
          {"kind", kind},
          {"leaf_index", leaf_index},
          {"tree_size", tree_size},
          {"origin", origin},
          {"file_checked", file_checked}};
}

Result<ProofCheck> VerifyProof(Env* env, const std::string& proof_json, const std::string& vkey,
                               const std::optional<std::string>& file) {
  ASSIGN_OR_RETURN(Json j, ParseJson(proof_json, "the proof file"));
  if (!j.is_object()) return Status::InvalidArgument("the proof file is not a JSON object");
  auto str = [&](const char* name) -> Result<std::string> {
    if (!j.contains(name) || !j[name].is_string()) {
      return Status::InvalidArgument(std::string("the proof has no string member \"") + name +
                                     "\"");
    }
    return j[name].get<std::string>();
  };
  ASSIGN_OR_RETURN(tlog::Verifier verifier, tlog::Verifier::FromVkey(vkey));
  ASSIGN_OR_RETURN(std::string note, str("checkpoint"));
  auto body = verifier.Open(note);
  if (!body.ok()) return body.status().WithContext("the proof's checkpoint");
  ASSIGN_OR_RETURN(tlog::Checkpoint cp, tlog::ParseCheckpointBody(*body));
  if (cp.origin != verifier.name()) {
    return Status::PermissionDenied("the checkpoint is of log '" + cp.origin + "', not '" +
                                    verifier.name() + "'");
  }
  if (!j.contains("leaf_index") || !j["leaf_index"].is_number_unsigned()) {
    return Status::InvalidArgument("the proof has no leaf_index");
  }
  uint64_t index = j["leaf_index"];
  ASSIGN_OR_RETURN(std::string leaf_b64, str("leaf"));
  auto leaf = Base64Decode(leaf_b64);
  if (!leaf.ok()) return leaf.status().WithContext("the proof's leaf");
  if (!j.contains("inclusion_proof") || !j["inclusion_proof"].is_array()) {
    return Status::InvalidArgument("the proof has no inclusion_proof array");
  }
  std::vector<Digest> path;
  for (const auto& h : j["inclusion_proof"]) {
    auto raw = h.is_string() ? Base64Decode(h.get<std::string>())
                             : Result<std::string>(Status::InvalidArgument("not a string"));
    if (!raw.ok() || raw->size() != 32) {
      return Status::InvalidArgument("inclusion_proof holds something that is not a base64 hash");
    }
    Digest d;
    std::copy(raw->begin(), raw->end(), d.begin());
    path.push_back(d);
  }
  Status inc = tlog::VerifyInclusion(index, cp.size, tlog::HashLeaf(*leaf), path, cp.root);
  if (!inc.ok()) return inc.WithContext("leaf " + std::to_string(index) + " is not in the log");
  ASSIGN_OR_RETURN(LeafFields lf, ParseLeaf(*leaf));
  ProofCheck out;
  out.record = lf.record;
  out.version = lf.version;
  out.kind = lf.kind;
  out.leaf_index = index;
  out.tree_size = cp.size;
  out.origin = cp.origin;
  Json manifest;
  if (j.contains("manifest")) {
    ASSIGN_OR_RETURN(std::string m_b64, str("manifest"));
    auto m = Base64Decode(m_b64);
    if (!m.ok()) return m.status().WithContext("the proof's manifest");
    if (ToHex(Sha256(*m)) != lf.manifest_sha256) {
      return Status::Corruption("the proof's manifest is not the one the leaf commits to");
    }
    ASSIGN_OR_RETURN(manifest, ParseJson(*m, "the proof's manifest"));
  }
  // A v2 leaf names no record (doc/format/leaf.md): the manifest it commits to does.
  if (lf.format != 1) {
    if (manifest.is_null()) {
      return Status::InvalidArgument(
          "the proof carries no manifest: its leaf names no record, the manifest does");
    }
    out.record = manifest.is_object() ? StringMember(manifest, "record") : "";
    if (out.record.empty() || IntMember(manifest, "version", -1) != lf.version) {
      return Status::Corruption(
          "the proof's manifest does not name a record at the version the leaf states");
    }
  }
  if ((j.contains("record") && j["record"] != out.record) ||
      (j.contains("version") && j["version"] != out.version)) {
    return Status::Corruption("the proof claims record " + j.value("record", Json()).dump() +
                              " version " + j.value("version", Json()).dump() +
                              ", but what it proves is " + out.record + " version " +
                              std::to_string(out.version));
  }
  if (file) {
    if (manifest.is_null()) {
      return Status::InvalidArgument("the proof carries no manifest to check a file against");
    }
    ASSIGN_OR_RETURN(auto f, env->NewSequentialFile(*file));
    Sha256Stream hash;
    std::vector<char> buf(1 << 20);
    while (true) {
      ASSIGN_OR_RETURN(size_t n, f->Read(buf.size(), buf.data()));
      if (n == 0) break;
      hash.Update(buf.data(), n);
    }
    std::string sha = ToHex(hash.Finish());
    bool found = false;
    if (manifest.contains("blobs") && manifest["blobs"].is_array()) {
      for (const auto& b : manifest["blobs"]) {
        if (b.is_object() && StringMember(b, "sha256") == sha) found = true;
      }
    }
    if (!found) {
      return Status::Corruption(Printable(*file) + " (SHA-256 " + sha +
                                ") is not a file this record version committed to");
    }
    out.file_checked = true;
  }
  return out;
}

}  // namespace attest::archive
