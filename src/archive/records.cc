#include "archive/records.h"

#include "archive/audit.h"
#include "archive/consent.h"
#include "archive/indexer.h"
#include "archive/internal.h"
#include "archive/manifest.h"
#include "archive/verify.h"
#include "core/hash.h"
#include "core/text_safety.h"
#include "search/dates.h"

namespace attest::archive {

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

Result<std::vector<Added>> Records::Add(const std::vector<std::string>& paths,
                                        const AddOptions& opts) {
  RETURN_IF_ERROR(ValidateAddOptions(opts, paths.size()));
  // A new version of a record it does not take is refused before its file is stored.
  if (!opts.record_id.empty()) {
    RETURN_IF_ERROR(in_->consent->Writable(opts.record_id, access::Action::kWrite).status());
  }
  for (const auto& p : paths) RETURN_IF_ERROR(CheckFile(in_->env, p));
  // Originals first: content-addressed, durable before anything refers to them.
  std::vector<StoredFile> stored;
  for (const auto& p : paths) {
    ASSIGN_OR_RETURN(blob::BlobInfo info, in_->blobs->PutFile(p, EncryptsFiles(opts.consent)));
    stored.push_back({p, info});
  }
  return AddStored(stored, opts);
}

Result<std::vector<Added>> Records::AddStored(const std::vector<StoredFile>& files,
                                              const AddOptions& opts) {
  RETURN_IF_ERROR(ValidateAddOptions(opts, files.size()));
  if (!opts.record_id.empty()) {
    RETURN_IF_ERROR(in_->consent->Writable(opts.record_id, access::Action::kWrite).status());
  }
  // A damaged log refuses new statements before any is recorded.
  RETURN_IF_ERROR(in_->log->CheckAppendable());
  std::string now = in_->Now();
  std::string batch = opts.batch.empty() ? "add-" + in_->env->RandomHex(6) : opts.batch;
  const Json meta = CleanMetadata(opts.meta);
  std::vector<meta::AddRequest> requests;
  for (const StoredFile& f : files) {
    meta::AddRequest req;
    req.create = opts.record_id.empty();
    req.record_id = req.create ? NewRecordId(in_->env) : opts.record_id;
    req.collection_id = opts.collection;
    req.witness_id = opts.witness;
    req.consent = opts.consent;
    req.created = now;
    req.import_id = opts.import_id;
    req.added_by = opts.added_by;
    req.salt.resize(32);
    in_->env->RandomBytes(req.salt.data(), req.salt.size());
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
                       BuildVersion(mf, priv, salt, version == 1 ? "add" : "revise"));
      // What is in the original is found out by a job (doc/ingest.md), never in the add.
      nv.jobs.push_back({"extract", 0, info.size, batch, false});
      return nv;
    };
    requests.push_back(std::move(req));
  }
  ASSIGN_OR_RETURN(auto versions, in_->store->AddVersions(requests));
  std::vector<Added> out;
  for (size_t i = 0; i < files.size(); ++i) {
    out.push_back(Added{files[i].file, versions[i].record_id, versions[i].version,
                        files[i].blob.sha256, files[i].blob.size, versions[i].leaf_index, batch});
  }
  // Acknowledged only once a signed checkpoint covers the new leaves.
  RETURN_IF_ERROR(in_->verifier->Integrate());
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

Result<std::pair<meta::Record, meta::Version>> Records::JobVersion(const meta::Job& job) {
  ASSIGN_OR_RETURN(meta::Record r, in_->store->GetRecord(job.record_id));
  for (const meta::Version& v : r.versions) {
    if (v.version == job.version) return std::make_pair(r, v);
  }
  return Status::NotFound("record '" + job.record_id + "' has no version " +
                          std::to_string(job.version));
}

Result<meta::AddRequest> Records::DerivedRequest(const meta::Record& record,
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
                     in_->blobs->PutBytes(derived->text, EncryptsFiles(record.consent)));
    blobs.push_back({"text", text_blob.sha256, text_blob.size});
  }
  for (const DerivedBlob& extra : derived->blobs) {
    const bool encrypt = EncryptsFiles(record.consent);
    if (!extra.stored_sha256.empty()) {
      bool named = false;
      for (const meta::Version& v : record.versions) {
        for (const meta::BlobRef& b : v.blobs) named = named || b.sha256 == extra.stored_sha256;
      }
      if (!named) {
        return Status::InvalidArgument("blob " + extra.stored_sha256 + " is not one of record " +
                                       record.id + "'s");
      }
      ASSIGN_OR_RETURN(blob::BlobInfo b, in_->blobs->Stat(extra.stored_sha256));
      blobs.push_back({extra.role, b.sha256, b.size});
      continue;
    }
    ASSIGN_OR_RETURN(blob::BlobInfo b, extra.path.empty()
                                           ? in_->blobs->PutBytes(extra.bytes, encrypt)
                                           : in_->blobs->PutFile(extra.path, encrypt));
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

Result<std::optional<meta::Version>> Records::FinishJob(const meta::Job& job,
                                                        const std::string& owner,
                                                        const DerivedText* derived,
                                                        const std::vector<meta::NewJob>& follow_ups,
                                                        const Json& outcome) {
  ASSIGN_OR_RETURN(std::string outcome_json, CanonicalJson(outcome));
  std::string now = in_->Now();
  if (!derived) {
    ASSIGN_OR_RETURN(auto v,
                     in_->store->FinishJob(job.id, owner, now, nullptr, follow_ups, outcome_json));
    return v;
  }
  RETURN_IF_ERROR(in_->log->CheckAppendable());
  ASSIGN_OR_RETURN(auto source, JobVersion(job));
  ASSIGN_OR_RETURN(meta::AddRequest req,
                   DerivedRequest(source.first, source.second, derived, now, {}));
  ASSIGN_OR_RETURN(auto v,
                   in_->store->FinishJob(job.id, owner, now, &req, follow_ups, outcome_json));
  // Done once the signed checkpoint covers the new leaf (a crash here: the next open logs it).
  RETURN_IF_ERROR(in_->verifier->Integrate());
  return v;
}

Result<meta::Version> Records::AddDerived(const std::string& record_id, int from,
                                          const DerivedText& derived) {
  RETURN_IF_ERROR(in_->log->CheckAppendable());
  ASSIGN_OR_RETURN(meta::Record record, in_->consent->Writable(record_id, access::Action::kWrite));
  const meta::Version* source = nullptr;
  for (const meta::Version& v : record.versions) {
    if (v.version == from) source = &v;
  }
  if (!source) {
    return Status::NotFound("record " + record_id + " has no version " + std::to_string(from));
  }
  ASSIGN_OR_RETURN(meta::AddRequest req, DerivedRequest(record, *source, &derived, in_->Now(),
                                                        {{"index", 0, 0, "", false}}));
  if (derived.after_version > 0) {
    // Checked inside the store's transaction: the version number it is given is the newest + 1.
    auto build = std::move(req.build);
    const int after = derived.after_version;
    req.build = [build = std::move(build), after](int version, const std::string& salt,
                                                  uint64_t leaf) -> Result<meta::NewVersion> {
      if (version != after + 1) return Status::Conflict(kChangedMeanwhile);
      return build(version, salt, leaf);
    };
  }
  ASSIGN_OR_RETURN(auto added, in_->store->AddVersions({req}));
  RETURN_IF_ERROR(in_->verifier->Integrate());
  return added.at(0);
}

Result<meta::Record> Records::Get(const std::string& id) { return in_->store->GetRecord(id); }

Result<std::vector<meta::Record>> Records::List() { return in_->store->ListRecords(); }

Result<meta::Version> Records::EditMetadata(const std::string& id, const Json& given,
                                            const std::string& by) {
  if (!given.is_object()) return Status::InvalidArgument("the metadata must be a JSON object");
  const Json meta = CleanMetadata(given);
  ASSIGN_OR_RETURN(std::string canon, CanonicalJson(meta));
  if (canon.size() > 65536) {
    return Status::InvalidArgument("the metadata must be at most 64 KiB of canonical JSON");
  }
  RETURN_IF_ERROR(in_->log->CheckAppendable());
  ASSIGN_OR_RETURN(meta::Record r, in_->consent->Writable(id, access::Action::kWrite));
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
  std::string now = in_->Now();
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
    return BuildVersion(mf, priv, salt, "revise");
  };
  ASSIGN_OR_RETURN(auto versions, in_->store->AddVersions({req}));
  // Who changed what people are told of a record, and when: what the metadata says stays in the
  // version's private part, never in the audit log.
  RETURN_IF_ERROR(
      in_->audit->Append(by, "edit", id, {{"version", versions[0].version}}, now).status());
  RETURN_IF_ERROR(in_->verifier->Integrate());
  return versions[0];
}

Result<std::optional<std::string>> Records::ImportedRecord(const std::string& import_id) {
  return in_->store->ImportedRecord(import_id);
}

Result<std::vector<meta::SegmentState>> Records::Segments(const std::string& record_id) {
  return in_->store->RecordSegments(record_id);
}

Result<std::optional<meta::SegmentState>> Records::Segment(int64_t segment_id) {
  ASSIGN_OR_RETURN(auto found, in_->store->ScanSegments(segment_id - 1, 1));
  if (found.empty() || found[0].segment.id != segment_id) {
    return std::optional<meta::SegmentState>();
  }
  return std::optional<meta::SegmentState>(std::move(found[0]));
}

Result<std::vector<std::string>> Records::AnnotationValues(const std::string& kind) {
  return in_->store->AnnotationValues(kind);
}

Result<std::unique_ptr<SequentialFile>> Records::OpenBlob(const std::string& sha256) {
  return in_->blobs->Open(sha256);
}

Result<std::unique_ptr<blob::BlobReader>> Records::OpenBlobReader(const std::string& sha256) {
  return in_->blobs->OpenReader(sha256);
}

Result<blob::LocalFile> Records::LocalBlob(const std::string& sha256) {
  return in_->blobs->Local(sha256);
}

Result<std::vector<meta::BlobUse>> Records::BlobUses(const std::string& sha256) {
  return in_->store->FindBlob(sha256);
}

Status Records::SetWitness(const meta::Witness& w) {
  RETURN_IF_ERROR(CheckWitness(w));
  return in_->store->SetWitness(w, in_->Now());
}

Status Records::CheckWitness(const meta::Witness& w) const {
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
  return Status::Ok();
}

Result<std::map<std::string, meta::Witness>> Records::Witnesses(
    const std::vector<std::string>& ids) {
  return in_->store->GetWitnesses(ids);
}

Result<std::vector<meta::Job>> Records::ListJobs(const meta::JobFilter& filter) {
  return in_->store->ListJobs(filter);
}

Result<meta::Job> Records::GetJob(int64_t id) { return in_->store->GetJob(id); }

Result<meta::JobCounts> Records::CountJobs(const std::string& batch) {
  return in_->store->CountJobs(batch);
}

Result<std::optional<meta::Job>> Records::LeaseJob(const std::string& owner, const std::string& now,
                                                   const std::string& lease_until,
                                                   const std::vector<std::string>& kinds) {
  return in_->store->LeaseJob(owner, now, lease_until, kinds);
}

Result<meta::JobState> Records::FailJob(int64_t id, const std::string& owner,
                                        const std::string& now, const std::string& error,
                                        bool retry) {
  return in_->store->FailJob(id, owner, now, error, retry);
}

Status Records::ParkJob(int64_t id, const std::string& owner, const std::string& now,
                        const std::string& reason) {
  return in_->store->ParkJob(id, owner, now, reason);
}

Status Records::SetJobProgress(int64_t id, const std::string& owner, int permille) {
  return in_->store->SetJobProgress(id, owner, permille);
}

Status Records::ReleaseJob(int64_t id, const std::string& owner, const std::string& now) {
  return in_->store->ReleaseJob(id, owner, now);
}

Result<int> Records::WakeJobs(const std::string& kind, const std::string& now) {
  return in_->store->WakeJobs(kind, now);
}

Status Records::RetryJob(int64_t id, const std::string& now) {
  return in_->store->RetryJob(id, now);
}

Result<int> Records::RetryFailedJobs(const std::string& now) {
  return in_->store->RetryFailedJobs(now);
}

Status Records::CancelJob(int64_t id, const std::string& now) {
  return in_->store->CancelJob(id, now);
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

Result<std::vector<meta::BlobRef>> PageImagesOf(const meta::Version& v) {
  Json m = Json::parse(v.manifest, nullptr, false);
  if (!m.is_object() || !m.contains("blobs") || !m["blobs"].is_array()) {
    return Status::Corruption("version " + std::to_string(v.version) + " of " + v.record_id +
                              " has no readable manifest");
  }
  std::vector<meta::BlobRef> pages;
  for (const Json& b : m["blobs"]) {
    if (StringMember(b, "role") != "page") continue;
    pages.push_back({"page", StringMember(b, "sha256"), static_cast<uint64_t>(IntMember(b, "size", 0))});
  }
  return pages;
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

}  // namespace attest::archive
