// Proofs of inclusion and consistency (Verifier::Prove, ProveConsistency), their JSON, and
// VerifyProof, which checks one offline.
#include <algorithm>

#include "archive/internal.h"
#include "archive/manifest.h"
#include "archive/verify.h"
#include "tlog/merkle.h"

namespace attest::archive {
namespace {

std::vector<std::string> B64s(const std::vector<Digest>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(Base64Encode(d));
  return out;
}

}  // namespace

Result<Proof> Verifier::Prove(const std::string& id, std::optional<int> version) {
  ASSIGN_OR_RETURN(meta::Record r, in_->store->GetRecord(id));
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
  ASSIGN_OR_RETURN(tlog::SignedCheckpoint cp, in_->log->Latest());
  Proof p;
  p.checkpoint = cp.note;
  p.leaf_index = v->leaf_index;
  ASSIGN_OR_RETURN(p.leaf, in_->log->ReadLeaf(v->leaf_index, cp.checkpoint.size));
  ASSIGN_OR_RETURN(p.inclusion_proof, in_->log->InclusionProof(v->leaf_index, cp.checkpoint.size));
  p.manifest = v->manifest;
  p.record = id;
  p.version = v->version;
  p.withdrawn_leaf_index = r.withdraw_leaf_index;
  return p;
}

Result<Consistency> Verifier::ProveConsistency(uint64_t old_size,
                                               std::optional<uint64_t> new_size) {
  ASSIGN_OR_RETURN(tlog::SignedCheckpoint cp, in_->log->Latest());
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
  ASSIGN_OR_RETURN(c.proof, in_->log->ConsistencyProof(old_size, n));
  if (n != cp.checkpoint.size) {
    ASSIGN_OR_RETURN(c.new_root, in_->log->RootAt(n));
  }
  return c;
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
